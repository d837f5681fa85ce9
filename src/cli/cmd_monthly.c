/*
 * cmd_monthly.c - creditref stats --monthly: the monthly aggregate per
 * institution and product (monthly.h), as JSON lines or a table.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cr_date.h"
#include "cr_err.h"
#include "monthly.h"
#include "ops.h"

static const char *const bucket_names[CR_BUCKETS] = {"M0", "M1", "M2", "M3+"};

static void print_json(const struct cr_monthly *m)
{
	char month[8];
	cr_month_format(m->month, month);
	for (size_t i = 0; i < m->n_rows; i++) {
		const struct cr_monthly_row *r = &m->rows[i];
		printf("{\"month\":\"%s\",\"institution\":\"%s\",\"product\":\"%s\","
		       "\"borrowers\":%llu,\"accounts\":%llu,\"outstanding\":%lld,"
		       "\"accounts_opened\":%llu,\"drawdowns\":%lld,\"delinquency\":{",
		       month, r->inst, cr_product_name(r->product),
		       (unsigned long long)r->borrowers, (unsigned long long)r->accounts,
		       (long long)r->outstanding, (unsigned long long)r->accounts_opened,
		       (long long)r->drawdowns);
		for (int b = 0; b < CR_BUCKETS; b++)
			printf("%s\"%s\":%llu", b ? "," : "", bucket_names[b],
			       (unsigned long long)r->buckets[b]);
		printf("}}\n");
	}
}

static void print_text(const struct cr_monthly *m)
{
	char month[8];
	cr_month_format(m->month, month);
	printf("Monthly aggregate %s (money in minor units)\n"
	       "%-8s %-12s %9s %9s %16s %7s %16s %7s %7s %7s %7s\n", month,
	       "inst", "product", "borrowers", "accounts", "outstanding", "opened",
	       "drawdowns", "M0", "M1", "M2", "M3+");
	for (size_t i = 0; i < m->n_rows; i++) {
		const struct cr_monthly_row *r = &m->rows[i];
		printf("%-8s %-12s %9llu %9llu %16lld %7llu %16lld %7llu %7llu %7llu %7llu\n",
		       r->inst, cr_product_name(r->product),
		       (unsigned long long)r->borrowers, (unsigned long long)r->accounts,
		       (long long)r->outstanding, (unsigned long long)r->accounts_opened,
		       (long long)r->drawdowns,
		       (unsigned long long)r->buckets[CR_BUCKET_M0],
		       (unsigned long long)r->buckets[CR_BUCKET_M1],
		       (unsigned long long)r->buckets[CR_BUCKET_M2],
		       (unsigned long long)r->buckets[CR_BUCKET_M3P]);
	}
}

int cr_cmd_stats_monthly(const struct cr_args *a)
{
	int32_t asof, month;
	if (cr_args_asof(a, &asof))
		return CR_EXIT_USAGE;
	const char *mv = cr_args_get(a, "month"), *format = cr_args_get(a, "format");
	format = format ? format : "json";
	if (strcmp(format, "json") != 0 && strcmp(format, "text") != 0) {
		cr_cli_err("stats", "--format must be json or text");
		return CR_EXIT_USAGE;
	}
	if (!mv) {
		month = cr_month_of_date(asof);
	} else if (cr_month_parse(mv, strlen(mv), &month) != 0) {
		cr_cli_err("stats", "--month '%s' is not a month in YYYY-MM form", mv);
		return CR_EXIT_USAGE;
	}
	cr_store *st;
	int ex = cr_cli_open_store(a, CR_STORE_RDONLY, &st);
	if (ex)
		return ex;
	struct cr_monthly m;
	struct cr_op op;
	cr_monthly_init(&m);
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	int rc = cr_admin_monthly(&op, month, &m);
	cr_store_close(st);
	if (rc) {
		cr_cli_err("stats", "%s", cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	if (strcmp(format, "text") == 0)
		print_text(&m);
	else
		print_json(&m);
	cr_monthly_fini(&m);
	return 0;
}
