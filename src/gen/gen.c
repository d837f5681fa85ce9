/*
 * gen.c - runs the synthetic data generator and renders its lines.
 *
 * File order is fixed so that a single pass of ingest sees every reference
 * after what it refers to: all institution lines first, then subject by
 * subject the consents, then for each account the account line followed by
 * its statements in month order.  Bad lines (gen_bad.c) are extra lines
 * written right after a good line; they never replace one.
 *
 * Lines are built by hand in a fixed-size line buffer (gen_int.h) and copied
 * into a 1 MiB output buffer that is handed to fwrite when full: printf per
 * field would dominate the run time, and the target is well over a million
 * lines a second.
 */
#include "gen_int.h"

#include <stdlib.h>

#include "cr_date.h"
#include "cr_err.h"

#define OBUF_BYTES (1u << 20)
#define PROGRESS_EVERY 1000000u

void cr_gen_opts_init(struct cr_gen_opts *o)
{
	memset(o, 0, sizeof *o);
	o->institutions = 40;
	o->months = 60;
	o->seed = 1;
	o->consent_rate = 1.0;
	o->bad_rate = 0.0;
	o->asof_days = cr_date_today();
}

void cr_gen__rng_seed(struct cr_gen_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = cr_gen__splitmix(&x);
}

void cr_gen__put_digits(struct cr_gen_line *l, uint64_t v, int width)
{
	char tmp[20];
	CR_ASSERT(width > 0 && width <= 20);
	for (int i = width - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + v % 10);
		v /= 10;
	}
	cr_gen__put(l, tmp, (size_t)width);
}

void cr_gen__put_date(struct cr_gen_line *l, int32_t days)
{
	char s[11];
	cr_date_format(days, s);
	cr_gen__put(l, s, 10);
}

void cr_gen__put_month(struct cr_gen_line *l, int32_t month)
{
	char s[8];
	cr_month_format(month, s);
	cr_gen__put(l, s, 7);
}

static void flush_obuf(struct cr_gen *g)
{
	if (g->olen && fwrite(g->obuf, 1, g->olen, g->out) != g->olen)
		g->rc = CR_EIO;
	g->olen = 0;
}

void cr_gen__emit(struct cr_gen *g, int good)
{
	struct cr_gen_line *l = &g->line;
	cr_gen__put(l, "\n", 1);
	if (g->olen + l->len > OBUF_BYTES)
		flush_obuf(g);
	memcpy(g->obuf + g->olen, l->buf, l->len);
	g->olen += l->len;
	l->len = 0;
	g->st->lines++;
	if (g->progress && g->st->lines >= g->next_progress) {
		g->next_progress += PROGRESS_EVERY;
		g->progress(g->st->lines, g->progress_arg);
	}
	if (good)
		cr_gen__maybe_bad(g);
}

void cr_gen__render_inst(struct cr_gen_line *l, const struct cr_institution *in)
{
	CR_GEN_PUT_LIT(l, "{\"type\":\"institution\",\"code\":\"");
	cr_gen__puts(l, in->code);
	CR_GEN_PUT_LIT(l, "\",\"name\":\"");
	cr_gen__puts(l, in->name);
	CR_GEN_PUT_LIT(l, "\",\"kind\":\"");
	cr_gen__puts(l, cr_kind_name(in->kind));
	CR_GEN_PUT_LIT(l, "\"}");
}

static void render_colenders(struct cr_gen_line *l, const struct cr_account *a)
{
	CR_GEN_PUT_LIT(l, ",\"co_lenders\":[");
	for (int i = 0; i < a->n_colenders; i++) {
		if (i)
			CR_GEN_PUT_LIT(l, ",");
		CR_GEN_PUT_LIT(l, "{\"institution\":\"");
		cr_gen__puts(l, a->colenders[i].inst);
		CR_GEN_PUT_LIT(l, "\",\"share_bp\":");
		cr_gen__put_u64(l, a->colenders[i].share_bp);
		CR_GEN_PUT_LIT(l, "}");
	}
	CR_GEN_PUT_LIT(l, "]");
}

void cr_gen__render_account(struct cr_gen_line *l, const struct cr_account *a)
{
	CR_GEN_PUT_LIT(l, "{\"type\":\"account\",\"institution\":\"");
	cr_gen__puts(l, a->inst);
	CR_GEN_PUT_LIT(l, "\",\"account\":\"");
	cr_gen__puts(l, a->account);
	CR_GEN_PUT_LIT(l, "\",\"id_type\":\"resident\",\"id\":\"");
	cr_gen__put(l, a->id, CR_ID_LEN);
	CR_GEN_PUT_LIT(l, "\",\"name\":\"");
	cr_gen__puts(l, a->name);
	CR_GEN_PUT_LIT(l, "\",\"phone\":\"");
	cr_gen__puts(l, a->phone);
	CR_GEN_PUT_LIT(l, "\",\"address\":\"");
	cr_gen__puts(l, a->address);
	CR_GEN_PUT_LIT(l, "\",\"product\":\"");
	cr_gen__puts(l, cr_product_name(a->product));
	CR_GEN_PUT_LIT(l, "\",\"opened\":\"");
	cr_gen__put_date(l, a->opened_days);
	if (a->status != CR_ACCT_OPEN) {
		CR_GEN_PUT_LIT(l, "\",\"status\":\"");
		cr_gen__puts(l, cr_acct_status_name(a->status));
	}
	CR_GEN_PUT_LIT(l, "\",\"currency\":\"");
	cr_gen__puts(l, a->currency);
	if (a->product == CR_PROD_REVOLVING || a->product == CR_PROD_CREDIT_CARD) {
		CR_GEN_PUT_LIT(l, "\",\"credit_limit\":");
		cr_gen__put_i64(l, a->credit_limit);
	} else {
		CR_GEN_PUT_LIT(l, "\",\"principal\":");
		cr_gen__put_i64(l, a->principal);
		CR_GEN_PUT_LIT(l, ",\"term_months\":");
		cr_gen__put_u64(l, a->term_months);
	}
	if (a->n_colenders)
		render_colenders(l, a);
	CR_GEN_PUT_LIT(l, "}");
}

void cr_gen__render_stmt(struct cr_gen_line *l, const struct cr_statement *s)
{
	char status[1] = {s->status};
	CR_GEN_PUT_LIT(l, "{\"type\":\"statement\",\"institution\":\"");
	cr_gen__puts(l, s->inst);
	CR_GEN_PUT_LIT(l, "\",\"account\":\"");
	cr_gen__puts(l, s->account);
	CR_GEN_PUT_LIT(l, "\",\"month\":\"");
	cr_gen__put_month(l, s->month);
	CR_GEN_PUT_LIT(l, "\",\"balance\":");
	cr_gen__put_i64(l, s->balance);
	CR_GEN_PUT_LIT(l, ",\"due\":");
	cr_gen__put_i64(l, s->due);
	CR_GEN_PUT_LIT(l, ",\"paid\":");
	cr_gen__put_i64(l, s->paid);
	CR_GEN_PUT_LIT(l, ",\"overdue\":");
	cr_gen__put_i64(l, s->overdue);
	CR_GEN_PUT_LIT(l, ",\"dpd\":");
	cr_gen__put_i64(l, s->dpd);
	CR_GEN_PUT_LIT(l, ",\"status\":\"");
	cr_gen__put(l, status, 1);
	CR_GEN_PUT_LIT(l, "\"}");
}

static void write_institutions(struct cr_gen *g)
{
	for (uint32_t i = 0; i < g->n_insts; i++) {
		cr_gen__render_inst(&g->line, &g->insts[i].rec);
		g->st->institutions++;
		cr_gen__emit(g, 1);
	}
}

static void write_consent(struct cr_gen *g, const char *inst, uint8_t purpose,
			  int32_t granted_days, int32_t expires_days)
{
	struct cr_gen_line *l = &g->line;
	char evidence[72];
	cr_gen__evidence(&g->rng, evidence);
	CR_GEN_PUT_LIT(l, "{\"type\":\"consent\",\"id\":\"");
	cr_gen__put(l, g->subj.id, CR_ID_LEN);
	CR_GEN_PUT_LIT(l, "\",\"institution\":\"");
	cr_gen__puts(l, inst);
	if (purpose == CR_PURPOSE_NONE) {
		CR_GEN_PUT_LIT(l, "\",\"scope\":\"furnish");
	} else {
		CR_GEN_PUT_LIT(l, "\",\"scope\":\"query\",\"purpose\":\"");
		cr_gen__puts(l, cr_purpose_name(purpose));
	}
	CR_GEN_PUT_LIT(l, "\",\"granted\":\"");
	cr_gen__put_date(l, granted_days);
	CR_GEN_PUT_LIT(l, "\",\"expires\":\"");
	cr_gen__put_date(l, expires_days);
	CR_GEN_PUT_LIT(l, "\",\"evidence\":\"");
	cr_gen__puts(l, evidence);
	CR_GEN_PUT_LIT(l, "\"}");
	g->st->consents++;
	cr_gen__emit(g, 1);
}

/* A furnish consent lasts in steps of five years from the grant until past
 * the as-of date, so a consenting subject's data is never held. */
static int32_t furnish_expiry(const struct cr_gen *g, int32_t granted_days)
{
	int y, m, d;
	cr_civil_from_days(granted_days, &y, &m, &d);
	if (d > 28)
		d = 28;
	int32_t e;
	do {
		y += 5;
		e = cr_days_from_civil(y, m, d);
	} while (e <= g->asof_days);
	return e;
}

/* Furnish consents, one per institution the subject borrows from, granted on
 * or a few days before the first account there opened. */
static void write_furnish_consents(struct cr_gen *g)
{
	for (uint32_t i = 0; i < g->n_accts; i++) {
		uint32_t inst = g->accts[i].inst;
		int32_t first_open = g->accts[i].rec.opened_days;
		int seen = 0;
		for (uint32_t j = 0; j < g->n_accts; j++) {
			if (g->accts[j].inst != inst)
				continue;
			if (j < i)
				seen = 1;
			if (g->accts[j].rec.opened_days < first_open)
				first_open = g->accts[j].rec.opened_days;
		}
		if (seen)
			continue;
		int32_t granted = first_open - cr_gen__range(&g->rng, 0, 7);
		write_consent(g, g->insts[inst].rec.code, CR_PURPOSE_NONE,
			      granted, furnish_expiry(g, granted));
	}
}

/* Query consents: 30% of subjects authorize one or two of the designated
 * inquirers (the first bank, consumer-finance company and platform) to look
 * them up for a loan approval, within the year before the as-of date. */
static void write_query_consents(struct cr_gen *g)
{
	static const uint8_t inquirer_kinds[3] = {CR_KIND_BANK,
		CR_KIND_CONSUMER_FINANCE, CR_KIND_PLATFORM};
	if (!cr_gen__chance(&g->rng, 0.30))
		return;
	uint32_t first = cr_gen__below(&g->rng, 3);
	uint32_t n = 1 + cr_gen__below(&g->rng, 2);
	for (uint32_t k = 0; k < n; k++) {
		uint8_t kind = inquirer_kinds[(first + k) % 3];
		int32_t granted = g->asof_days - cr_gen__range(&g->rng, 0, 330);
		write_consent(g, g->insts[g->kind_first[kind]].rec.code,
			      CR_PURPOSE_LOAN_APPROVAL, granted, granted + 365);
	}
}

static void write_account(struct cr_gen *g, const struct cr_gen_acct *a)
{
	cr_gen__render_account(&g->line, &a->rec);
	g->last_acct = a->rec;
	g->have_acct = 1;
	g->st->accounts++;
	cr_gen__emit(g, 1);

	struct cr_statement *s = &g->last_stmt;
	memcpy(s->inst, a->rec.inst, sizeof s->inst);
	memcpy(s->account, a->rec.account, sizeof s->account);
	for (uint32_t i = 0; i < a->n_months; i++) {
		const struct cr_gen_month *m = &g->hist[a->first + i];
		s->month = m->month;
		s->balance = m->balance;
		s->due = m->due;
		s->paid = m->paid;
		s->overdue = m->overdue;
		s->dpd = m->dpd;
		s->status = m->status;
		g->have_stmt = 1;
		cr_gen__render_stmt(&g->line, s);
		g->st->statements++;
		cr_gen__emit(g, 1);
	}
}

/* The subject's line of the latent risk file: no random draw. */
static void write_risk(struct cr_gen *g)
{
	if (fprintf(g->o->risk_out, "%s,%.6f,%u\n", g->subj.id,
		    cr_gen__pd(g->subj.grade, 12), (unsigned)g->subj.grade) < 0)
		g->rc = CR_EIO;
}

static void write_subject(struct cr_gen *g)
{
	cr_gen__subject(g, &g->subj);
	cr_gen__plan_accounts(g);
	if (g->o->risk_out)
		write_risk(g);
	g->st->subjects++;
	if (g->subj.consents)
		write_furnish_consents(g);
	write_query_consents(g);
	for (uint32_t i = 0; i < g->n_accts; i++)
		write_account(g, &g->accts[i]);
}

static int check_opts(const struct cr_gen_opts *o)
{
	if (o->subjects > CR_GEN_SUBJECTS_MAX)
		return CR_EINVAL;
	if (o->months < 1 || o->months > CR_GEN_MONTHS_MAX)
		return CR_EINVAL;
	/* Written so that NaN fails too. */
	if (!(o->consent_rate >= 0.0 && o->consent_rate <= 1.0))
		return CR_EINVAL;
	if (!(o->bad_rate >= 0.0 && o->bad_rate <= 1.0))
		return CR_EINVAL;
	/* Histories reach 35 years back and bad lines a few months ahead; this
	 * keeps every date inside the parsers' 1900..2199 range. */
	if (o->asof_days < cr_days_from_civil(2000, 1, 1) ||
	    o->asof_days > cr_days_from_civil(2190, 12, 31))
		return CR_EINVAL;
	return 0;
}

static int setup(struct cr_gen *g)
{
	const struct cr_gen_opts *o = g->o;
	cr_gen__rng_seed(&g->rng, o->seed);
	cr_gen__rng_seed(&g->rng_bad, o->seed ^ 0x6261642d6c696e65ULL);
	g->asof_days = o->asof_days;
	g->asof_month = cr_month_of_date(o->asof_days);
	g->window_start = g->asof_month - (int32_t)o->months + 1;
	g->next_progress = PROGRESS_EVERY;
	g->obuf = malloc(OBUF_BYTES);
	g->hist = calloc((size_t)CR_GEN_ACCOUNTS_MAX * (o->months + 1),
			 sizeof *g->hist);
	if (!g->obuf || !g->hist)
		return CR_ENOMEM;
	return cr_gen__people_init(g);
}

int cr_gen_run(const struct cr_gen_opts *o, FILE *out, FILE *bad_manifest,
	       struct cr_gen_stats *st,
	       void (*progress)(uint64_t lines, void *arg), void *progress_arg)
{
	if (!o || !out || !st)
		return CR_EINVAL;
	memset(st, 0, sizeof *st);
	int rc = check_opts(o);
	if (rc)
		return rc;
	struct cr_gen *g = calloc(1, sizeof *g);
	if (!g)
		return CR_ENOMEM;
	g->o = o;
	g->st = st;
	g->out = out;
	g->manifest = bad_manifest;
	g->progress = progress;
	g->progress_arg = progress_arg;
	rc = setup(g);
	if (rc)
		goto done;
	write_institutions(g);
	if (o->risk_out && fputs("id,latent_risk,grade\n", o->risk_out) < 0)
		g->rc = CR_EIO;
	for (uint64_t i = 0; i < o->subjects && g->rc == 0; i++)
		write_subject(g);
	flush_obuf(g);
	if (fflush(out) != 0 || ferror(out))
		g->rc = CR_EIO;
	if (bad_manifest && (fflush(bad_manifest) != 0 || ferror(bad_manifest)))
		g->rc = CR_EIO;
	if (o->risk_out && (fflush(o->risk_out) != 0 || ferror(o->risk_out)))
		g->rc = CR_EIO;
	rc = g->rc;
done:
	free(g->insts);
	free(g->hist);
	free(g->obuf);
	free(g);
	return rc;
}
