/* scorer.c - the bureau's scorecard applied to a person's file; see scorer.h. */
#include "scorer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_err.h"

/* models/default.scorecard, embedded at build time (scripts/embed.py). */
extern const char cr_default_model[];
extern const size_t cr_default_model_len;

static int bind_features(struct cr_scorer *s, struct cr_diag *d)
{
	const char *names[CR_F_COUNT];
	for (int i = 0; i < CR_F_COUNT; i++)
		names[i] = cr_feature_name((enum cr_feature)i);
	for (size_t f = 0; f < s->m->n_features; f++)
		if (s->m->feature[f].categorical) {
			snprintf(d->field, sizeof d->field, "%.*s", (int)sizeof d->field - 1,
				 s->m->feature[f].name);
			d->reason = "a bureau feature is a number, not a category";
			return CR_EINVAL;
		}
	return cr_model_bind(s->m, names, CR_F_COUNT, &s->b, d);
}

int cr_scorer_open(const char *path, struct cr_scorer **out, struct cr_diag *d)
{
	struct cr_scorer *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s || !(s->m = cr_model_new())) {
		free(s);
		return CR_ENOMEM;
	}
	int rc = path ? cr_model_load(path, s->m, d)
		      : cr_model_parse(cr_default_model, cr_default_model_len, s->m, d);
	if (!rc)
		rc = bind_features(s, d);
	if (rc) {
		cr_scorer_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void cr_scorer_free(struct cr_scorer *s)
{
	if (!s)
		return;
	cr_model_free(s->m);
	free(s);
}

const char *cr_scorer_model_id(const struct cr_scorer *s)
{
	return s->m->id;
}

int cr_scorer_person(const struct cr_scorer *sc, cr_txn *txn, const struct cr_subject_key *k,
		     int32_t asof_days, struct cr_person_score *out)
{
	int rc = cr_features_build(txn, k, asof_days, &out->f);
	if (!rc)
		cr_model_score(sc->m, &sc->b, out->f.v, &out->s);
	return rc;
}

void cr_scorer_reason(const struct cr_scorer *sc, const struct cr_score *s, size_t i,
		      const char **code, const char **sentence)
{
	const struct cr_model_feature *f = &sc->m->feature[s->reason[i].feature];
	const enum cr_feature bf = cr_feature_parse(f->name);
	*code = f->name;
	if (s->reason[i].missing)
		*sentence = CR_SCORE_NO_HISTORY;
	else
		*sentence = f->reason[0] ? f->reason : bf < CR_F_COUNT ? cr_feature_reason(bf) : f->name;
}

int cr_scorer_json(const struct cr_scorer *sc, const struct cr_score *s, struct cr_buf *out)
{
	int rc = cr_buf_printf(out, "{\"score\":%d,\"pd\":%.6f,\"model_id\":", s->score, s->pd);
	if (!rc)
		rc = cr_buf_put_json_str(out, sc->m->id, strlen(sc->m->id));
	if (!rc)
		rc = cr_buf_puts(out, ",\"reasons\":[");
	for (size_t i = 0; !rc && i < s->n_reasons; i++) {
		const char *code, *sentence;
		cr_scorer_reason(sc, s, i, &code, &sentence);
		rc = cr_buf_printf(out, "%s{\"code\":", i ? "," : "");
		if (!rc)
			rc = cr_buf_put_json_str(out, code, strlen(code));
		if (!rc)
			rc = cr_buf_printf(out, ",\"points_lost\":%.1f,\"reason\":",
					   s->reason[i].points_lost);
		if (!rc)
			rc = cr_buf_put_json_str(out, sentence, strlen(sentence));
		if (!rc)
			rc = cr_buf_putc(out, '}');
	}
	return rc ? rc : cr_buf_puts(out, "]}");
}
