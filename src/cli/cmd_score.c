/*
 * cmd_score.c - creditref score: a person's score under the consent rules,
 * or every person's (--all) into a CSV file (docs/scoring.md, "Scores").
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cr_buf.h"
#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"
#include "ops.h"
#include "scorer.h"

int cr_cli_open_scorer(const struct cr_args *a, struct cr_scorer **out)
{
	struct cr_diag d = {0, "", NULL};
	const char *path = cr_args_get(a, "model");
	int rc = cr_scorer_open(path, out, &d);
	if (rc)
		cr_cli_err(a->cmd, "--model %s: line %zu %s: %s", path ? path : "(built in)", d.line,
			   d.field, d.reason ? d.reason : cr_strerror(rc));
	return rc ? CR_EXIT_USAGE : 0;
}

struct one {
	struct cr_subject_key k;
	const char *inst;
	uint8_t purpose;
	struct cr_person_score s;
};

static int act_score(struct cr_op *op, void *arg)
{
	struct one *q = arg;
	return cr_score_request(op, &q->k, q->inst, q->purpose, &q->s);
}

static int score_one(const struct cr_args *a, cr_store *st, const struct cr_scorer *sc,
		     int32_t asof)
{
	const char *v = cr_args_need(a, "id"), *purpose_s = cr_args_need(a, "purpose"), *why;
	const char *inst = cr_args_get(a, "as");
	char id[CR_ID_LEN + 1], masked[CR_ID_LEN + 1];
	int32_t birth;
	struct one q;
	memset(&q, 0, sizeof q);
	q.inst = "";
	if (!v || !purpose_s)
		return CR_EXIT_USAGE;
	if (cr_id_validate(v, strlen(v), asof, id, &birth, &why)) {
		cr_id_mask(v, masked);
		cr_cli_err("score", "--id %s: %s", masked, why);
		return CR_EXIT_USAGE;
	}
	if (cr_purpose_parse(purpose_s, strlen(purpose_s), &q.purpose)) {
		cr_cli_err("score", "--purpose must be one of loan_approval, card_approval, post_loan, guarantee, self");
		return CR_EXIT_USAGE;
	}
	if (q.purpose != CR_PURPOSE_SELF && !(inst = cr_args_need(a, "as")))
		return CR_EXIT_USAGE;
	q.inst = q.purpose == CR_PURPOSE_SELF ? "" : inst;
	struct cr_op op;
	cr_op_init(&op, st, q.purpose == CR_PURPOSE_SELF ? CR_AUDIT_ROLE_SUBJECT : CR_AUDIT_ROLE_LENDER,
		   q.inst, asof);
	op.scorer = sc;
	cr_op_subject(&op, id, &q.k);
	int rc = cr_op_run(&op, act_score, &q);
	cr_id_mask(id, masked);
	if (rc == CR_EDENIED)
		cr_cli_err("score", "refused: %s asked about %s for %s: %s", inst, masked, purpose_s,
			   op.why ? op.why : "no live authorization");
	else if (rc == CR_ENOTFOUND)
		cr_cli_err("score", "the bureau has no credit file for %s", masked);
	else if (rc)
		cr_cli_err("score", "%s", op.why ? op.why : cr_strerror(rc));
	if (rc)
		return cr_cli_exit_for(rc);
	struct cr_buf b;
	cr_buf_init(&b, 1u << 20);
	rc = cr_scorer_json(sc, &q.s.s, &b);
	if (!rc)
		printf("%.*s\n", (int)b.len, b.data);
	cr_buf_fini(&b);
	return cr_cli_exit_for(rc);
}

struct sink {
	FILE *f;
	const struct cr_scorer *sc;
	uint64_t n, total;
	time_t last;
};

static void progress(struct sink *s, int done)
{
	const time_t now = time(NULL);
	if (!done && now == s->last)
		return;
	s->last = now;
	const unsigned pct = s->total ? (unsigned)(s->n * 100 / s->total) : 100;
	char bar[41];
	memset(bar, '#', pct * 40 / 100);
	memset(bar + pct * 40 / 100, '.', 40 - pct * 40 / 100);
	bar[40] = '\0';
	fprintf(stderr, "\rscore: [%s] %3u%% %llu people", bar, pct > 100 ? 100 : pct,
		(unsigned long long)s->n);
	if (done)
		fputc('\n', stderr);
}

/* One CSV row: the person's pseudonym (never the ID), score, pd, reasons. */
static int put_row(const struct cr_subject_key *k, const struct cr_person_score *ps, void *arg)
{
	struct sink *s = arg;
	char hex[2 * CR_SUBJECT_KEY_LEN + 1];
	for (size_t i = 0; i < CR_SUBJECT_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", k->b[i]);
	fprintf(s->f, "%s,%d,%.6f", hex, ps->s.score, ps->s.pd);
	for (size_t i = 0; i < CR_SCORE_REASONS; i++) {
		const char *code = "", *sentence;
		if (i < ps->s.n_reasons)
			cr_scorer_reason(s->sc, &ps->s, i, &code, &sentence);
		fprintf(s->f, ",%s", code);
	}
	fputc('\n', s->f);
	s->n++;
	progress(s, 0);
	return ferror(s->f) ? CR_EIO : 0;
}

static int score_all(const struct cr_args *a, cr_store *st, const struct cr_scorer *sc,
		     int32_t asof)
{
	const char *path = cr_args_need(a, "out");
	if (!path)
		return CR_EXIT_USAGE;
	struct cr_store_stats stats;
	struct cr_op op;
	cr_op_init(&op, st, CR_AUDIT_ROLE_OPERATOR, NULL, asof);
	op.scorer = sc;
	struct sink s = {fopen(path, "w"), sc, 0, 0, 0};
	if (!s.f) {
		cr_cli_err("score", "--out %s: cannot write it", path);
		return CR_EXIT_FAIL;
	}
	if (!cr_admin_stats(&op, &stats))
		s.total = stats.subjects;
	fprintf(s.f, "subject,score,pd,reason1,reason2,reason3,reason4\n");
	uint64_t scored;
	const clock_t t0 = clock();
	int rc = cr_score_all(&op, put_row, &s, &scored);
	if (fclose(s.f) && !rc)
		rc = CR_EIO;
	progress(&s, 1);
	if (rc) {
		cr_cli_err("score", "stopped after %llu people: %s", (unsigned long long)scored,
			   cr_strerror(rc));
		return CR_EXIT_FAIL;
	}
	const double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("scored=%llu model=%s out=%s cpu_s=%.2f\n", (unsigned long long)scored,
	       cr_scorer_model_id(sc), path, cpu);
	return 0;
}

int cr_cmd_score(int argc, char **argv)
{
	static const struct cr_opt_spec spec[] = {
		{"db", 1}, {"key-file", 1}, {"id", 1}, {"as", 1}, {"purpose", 1}, {"as-of", 1},
		{"model", 1}, {"all", 0}, {"out", 1}, {NULL, 0}};
	struct cr_args a;
	int32_t asof;
	int ex = cr_args_parse(&a, "score", spec, argc, argv);
	if (ex || (ex = cr_args_asof(&a, &asof)))
		return ex ? ex : CR_EXIT_USAGE;
	const int all = cr_args_get(&a, "all") != NULL;
	struct cr_scorer *sc;
	if ((ex = cr_cli_open_scorer(&a, &sc)))
		return ex;
	cr_store *st;
	if ((ex = cr_cli_open_store(&a, 0, &st))) {
		cr_scorer_free(sc);
		return ex;
	}
	ex = all ? score_all(&a, st, sc, asof) : score_one(&a, st, sc, asof);
	cr_store_close(st);
	cr_scorer_free(sc);
	return ex;
}
