/*
 * aggregates.c - the month's aggregates: one walk, four groupings; see
 * aggregates.h.
 *
 * The walk of the monthly aggregate (cr_monthly_walk) hands over every
 * account that counts in the month with its state at the month's end and
 * the month before.  Accounts come person by person, so a person's
 * accounts are gathered and, when the next person starts, added to the
 * cells.  Only accounts institutions see are gathered: a held account
 * (cr_consent_shows, by the person's consent facts read once) changes no
 * aggregate, as it changes no report (DESIGN.md rule 11).  Then the
 * person's region is read once from the sealed identity, the
 * number of lenders they owe counted once, and the person counted once
 * per cell.  Cells are found through a small open-addressing table per
 * grouping.  The suppression rule runs last (suppress.c).
 */
#include "aggregates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent.h"
#include "cr_err.h"
#include "current.h"
#include "monthly.h"
#include "region.h"

struct acct {
	char inst[CR_INST_CODE_MAX + 1];
	uint8_t product;
	int8_t band;
	int8_t prev_band;   /* -1: did not count the month before */
	uint8_t ended;      /* closed or written off by the month's end */
	int64_t balance;
	int64_t new_lending;
	int64_t repayments;
	int64_t day_drawdowns[31];
	int64_t day_repayments[31];
};

struct grouping {
	struct cr_sup_cell *cells;  /* room for cap, grown as cells appear */
	size_t n, cap;
	int32_t slot[CR_SUPERVISION_CELLS_MAX * 2]; /* cell index + 1; 0 empty */
};

/* What every month of a walk shares about the person whose accounts are
 * coming: their consent facts, read once, and their region, unsealed once. */
struct person {
	cr_txn *txn;
	int32_t asof_days;
	struct cr_subject_key who;
	int has_who;
	struct cr_consent_facts *facts;
	int has_region;
	char region[5];
};

/* One month's build; a[] holds the accounts of the walk's person (p). */
struct build {
	struct person *p;
	struct grouping *g;   /* CR_SUP_BYS of them */
	struct acct *a;       /* the person's accounts, and their cells in */
	int32_t *idx[CR_SUP_BYS]; /* each grouping: room for cap */
	size_t n, cap;
};

static const char *const band_names[CR_DPD_BANDS] = {
	"0", "1-30", "31-60", "61-90", "91-180", "180+"};
static const char *const by_names[CR_SUP_BYS] = {
	"institution", "product", "province", "prefecture"};

const char *cr_sup_band_name(int band)
{
	return band >= 0 && band < CR_DPD_BANDS ? band_names[band] : "?";
}

int cr_sup_band(int32_t dpd)
{
	return dpd <= 0 ? CR_DPD_0 : dpd <= 30 ? CR_DPD_1_30 : dpd <= 60 ? CR_DPD_31_60
	       : dpd <= 90 ? CR_DPD_61_90 : dpd <= 180 ? CR_DPD_91_180 : CR_DPD_180P;
}

const char *cr_sup_by_name(enum cr_sup_by by)
{
	return by < CR_SUP_BYS ? by_names[by] : "?";
}

int cr_sup_by_parse(const char *s)
{
	for (int i = 0; s && i < CR_SUP_BYS; i++)
		if (strcmp(s, by_names[i]) == 0)
			return i;
	return s && strcmp(s, "region") == 0 ? CR_SUP_BY_PROVINCE : -1;
}

int cr_sup_by_named(enum cr_sup_by by)
{
	return by == CR_SUP_BY_PROVINCE || by == CR_SUP_BY_PREFECTURE;
}

/* The code a region key spells: exactly digits digits, else -1. */
static int region_code(const char *key, int digits)
{
	int code = 0;
	for (int i = 0; i < digits; i++) {
		if (key[i] < '0' || key[i] > '9')
			return -1;
		code = code * 10 + (key[i] - '0');
	}
	return key[digits] == '\0' ? code : -1;
}

const char *cr_sup_cell_name(enum cr_sup_by by, const char *key)
{
	if (!key)
		return NULL;
	if (by == CR_SUP_BY_PROVINCE)
		return cr_region_province_name(region_code(key, 2));
	if (by == CR_SUP_BY_PREFECTURE)
		return cr_region_prefecture_name(region_code(key, 4));
	return NULL;
}

void cr_sup_init(struct cr_sup_month *m)
{
	memset(m, 0, sizeof *m);
}

void cr_sup_fini(struct cr_sup_month *m)
{
	for (int i = 0; i < CR_SUP_BYS; i++)
		free(m->by[i].cells);
	cr_sup_init(m);
}

static uint32_t hash_key(const char *k)
{
	uint32_t h = 2166136261u;
	for (; *k; k++)
		h = (h ^ (uint8_t)*k) * 16777619u;
	return h;
}

/* The index of key's cell in g, made when new; -1 when g is full, -2 out
 * of memory. */
static int32_t cell_of(struct grouping *g, const char *key)
{
	const uint32_t mask = CR_SUPERVISION_CELLS_MAX * 2 - 1;
	for (uint32_t s = hash_key(key) & mask;; s = (s + 1) & mask) {
		if (g->slot[s] == 0) {
			if (g->n >= CR_SUPERVISION_CELLS_MAX)
				return -1;
			if (g->n == g->cap) {
				const size_t cap = g->cap ? 2 * g->cap : 64;
				struct cr_sup_cell *cells = realloc(g->cells, cap * sizeof *cells);
				if (!cells)
					return -2;
				g->cells = cells;
				g->cap = cap;
			}
			struct cr_sup_cell *c = &g->cells[g->n];
			memset(c, 0, sizeof *c);
			snprintf(c->key, sizeof c->key, "%s", key);
			g->slot[s] = (int32_t)++g->n;
			return (int32_t)g->n - 1;
		}
		if (strcmp(g->cells[g->slot[s] - 1].key, key) == 0)
			return g->slot[s] - 1;
	}
}

/* The first four digits of the person's ID, "0000" without one.  Every
 * identity of a person has the same ID: a held one gives it as well. */
static int region_of(struct person *p, char region[5])
{
	if (!p->has_region) {
		struct cr_subject s;
		int held;
		int rc = cr_consent_identity(p->txn, &p->who, NULL, p->asof_days, 1, &s, &held);
		memcpy(p->region, "0000", 5);
		if (rc && rc != CR_ENOTFOUND)
			return rc;
		if (!rc)
			memcpy(p->region, s.id, 4);
		memset(&s, 0, sizeof s);
		p->has_region = 1;
	}
	memcpy(region, p->region, 5);
	return 0;
}

static void cell_key(int by, const struct acct *a, const char region[5], char *key)
{
	switch (by) {
	case CR_SUP_BY_INSTITUTION: snprintf(key, 16, "%s", a->inst); break;
	case CR_SUP_BY_PRODUCT: snprintf(key, 16, "%s", cr_product_name(a->product)); break;
	case CR_SUP_BY_PROVINCE: snprintf(key, 16, "%.2s", region); break;
	default: snprintf(key, 16, "%.4s", region); break;
	}
}

static void add_account(struct cr_sup_cell *c, const struct acct *a)
{
	c->accounts++;
	c->outstanding += a->balance;
	c->new_lending += a->new_lending;
	c->repayments += a->repayments;
	c->bands[a->band]++;
	for (int d = 0; d < 31; d++) {
		c->day_drawdowns[d] += a->day_drawdowns[d];
		c->day_repayments[d] += a->day_repayments[d];
	}
	if (a->prev_band >= 0)
		c->roll[a->prev_band][a->ended ? CR_ROLL_ENDED : a->band]++;
}

/* Counts the person once in each cell their accounts fall in. */
static void add_person(struct build *b, int by, int bin)
{
	struct grouping *g = &b->g[by];
	for (size_t i = 0; i < b->n; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = b->idx[by][j] == b->idx[by][i];
		if (seen)
			continue;
		struct cr_sup_cell *c = &g->cells[b->idx[by][i]];
		int64_t carried = 0;
		for (size_t j = i; j < b->n; j++)
			carried += b->idx[by][j] == b->idx[by][i] ? b->a[j].balance : 0;
		c->borrowers++;
		c->multi[bin]++;
		c->multi_outstanding[bin] += carried;
	}
}

static int lenders_of(const struct build *b)
{
	int n = 0;
	for (size_t i = 0; i < b->n; i++) {
		int seen = b->a[i].balance <= 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = b->a[j].balance > 0 && strcmp(b->a[j].inst, b->a[i].inst) == 0;
		n += !seen;
	}
	return n < CR_SUP_LENDER_BINS - 1 ? n : CR_SUP_LENDER_BINS - 1;
}

static int flush_person(struct build *b)
{
	if (b->n == 0)
		return 0;
	char region[5], key[16];
	int rc = region_of(b->p, region);
	if (rc)
		return rc;
	for (int by = 0; by < CR_SUP_BYS; by++) {
		for (size_t i = 0; i < b->n; i++) {
			cell_key(by, &b->a[i], region, key);
			int32_t c = cell_of(&b->g[by], key);
			if (c < 0)
				return c == -1 ? CR_ETOOBIG : CR_ENOMEM;
			b->idx[by][i] = c;
			add_account(&b->g[by].cells[c], &b->a[i]);
		}
		add_person(b, by, lenders_of(b));
	}
	b->n = 0;
	return 0;
}

static int64_t new_lending(const struct cr_monthly_acct *m)
{
	const uint8_t p = m->r->a.product;
	const int term = p == CR_PROD_INSTALLMENT || p == CR_PROD_MORTGAGE;
	return m->drawdowns + (m->opened_in_month && term ? m->r->a.principal : 0);
}

/* Room for more of a person's accounts: every one is added, however many
 * (a person has at most CR_SUBJECT_ACCOUNTS_MAX from ingest, more in a
 * store written before that limit). */
static int grow(struct build *b)
{
	const size_t cap = b->cap ? 2 * b->cap : 64;
	struct acct *a = realloc(b->a, cap * sizeof *a);
	if (!a)
		return CR_ENOMEM;
	b->a = a;
	for (int by = 0; by < CR_SUP_BYS; by++) {
		int32_t *idx = realloc(b->idx[by], cap * sizeof *idx);
		if (!idx)
			return CR_ENOMEM;
		b->idx[by] = idx;
	}
	b->cap = cap;
	return 0;
}


static int take(struct build *b, const struct cr_monthly_acct *m)
{
	int rc;
	if (!cr_consent_shows(b->p->facts, m->r, b->p->asof_days))
		return 0;
	if (b->n == b->cap && (rc = grow(b)))
		return rc;
	struct acct *a = &b->a[b->n++];
	memcpy(a->inst, m->r->a.inst, sizeof a->inst);
	a->product = m->r->a.product;
	const int ended = m->end->status == CR_CUR_CLOSED ||
			  m->end->status == CR_CUR_CHARGED_OFF;
	a->band = (int8_t)cr_sup_band(m->end->dpd);
	a->prev_band = m->prev && m->prev_counts ? (int8_t)cr_sup_band(m->prev->dpd) : -1;
	a->ended = (uint8_t)ended;
	a->balance = m->end->balance;
	a->new_lending = new_lending(m);
	a->repayments = m->repayments;
	memcpy(a->day_drawdowns, m->day_drawdowns, sizeof a->day_drawdowns);
	memcpy(a->day_repayments, m->day_repayments, sizeof a->day_repayments);
	return 0;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct cr_sup_cell *a = pa, *b = pb;
	return strcmp(a->key, b->key);
}

/* Hands the groupings' cells over to out, sorted by key. */
static int publish(struct build *b, struct cr_sup_month *out)
{
	for (int by = 0; by < CR_SUP_BYS; by++) {
		struct grouping *g = &b->g[by];
		struct cr_sup_table *t = &out->by[by];
		t->cells = malloc((g->n ? g->n : 1) * sizeof *t->cells);
		if (!t->cells)
			return CR_ENOMEM;
		if (g->n)
			memcpy(t->cells, g->cells, g->n * sizeof *t->cells);
		t->n = g->n;
		qsort(t->cells, t->n, sizeof *t->cells, key_cmp);
	}
	cr_sup_suppress(&out->by[CR_SUP_BY_INSTITUTION], NULL, out->min_cell);
	cr_sup_suppress(&out->by[CR_SUP_BY_PRODUCT], NULL, out->min_cell);
	cr_sup_suppress(&out->by[CR_SUP_BY_PROVINCE], NULL, out->min_cell);
	cr_sup_suppress(&out->by[CR_SUP_BY_PREFECTURE], &out->by[CR_SUP_BY_PROVINCE],
			out->min_cell);
	return 0;
}

static void free_build(struct build *b)
{
	for (int by = 0; b->g && by < CR_SUP_BYS; by++)
		free(b->g[by].cells);
	for (int by = 0; by < CR_SUP_BYS; by++)
		free(b->idx[by]);
	free(b->g);
	free(b->a);
	free(b);
}

static struct build *new_build(struct person *p)
{
	struct build *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->p = p;
	b->g = calloc(CR_SUP_BYS, sizeof *b->g);
	if (!b->g || grow(b) != 0) {
		free_build(b);
		return NULL;
	}
	return b;
}

/* A walk building several months at once. */
struct months {
	struct person p;
	struct build **b;
	size_t n;
};

/* Every month's accounts of the person before are added to their cells
 * before the walk's person changes (their region is the person's). */
static int flush_all(struct months *ms)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < ms->n; i++)
		rc = flush_person(ms->b[i]);
	return rc;
}

static int take_month(size_t i, const struct cr_monthly_acct *m, void *arg)
{
	struct months *ms = arg;
	struct person *p = &ms->p;
	if (!p->has_who || memcmp(p->who.b, m->r->subject.b, sizeof p->who.b) != 0) {
		int rc = flush_all(ms);
		if (rc)
			return rc;
		p->who = m->r->subject;
		p->has_who = 1;
		p->has_region = 0;
		if ((rc = cr_consent_facts_load(p->txn, &p->who, p->facts)))
			return rc;
	}
	return take(ms->b[i], m);
}

int cr_sup_build_months(cr_txn *txn, int32_t first, size_t n, int32_t asof_days,
			uint64_t min_cell, struct cr_sup_month *out)
{
	if (!txn || !out || min_cell < 1 || n == 0 || n > CR_MONTHLY_WALK_MONTHS_MAX)
		return CR_EINVAL;
	for (size_t i = 0; i < n; i++) {
		cr_sup_init(&out[i]);
		out[i].month = first + (int32_t)i;
		out[i].min_cell = min_cell;
	}
	struct months ms = {{txn, asof_days, {{0}}, 0, NULL, 0, ""}, NULL, n};
	ms.p.facts = malloc(sizeof *ms.p.facts);
	ms.b = calloc(n, sizeof *ms.b);
	int rc = ms.p.facts && ms.b ? 0 : CR_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++)
		if (!(ms.b[i] = new_build(&ms.p)))
			rc = CR_ENOMEM;
	if (!rc)
		rc = cr_monthly_walk_months(txn, first, n, asof_days, 1, take_month, &ms);
	if (!rc)
		rc = flush_all(&ms);
	for (size_t i = 0; !rc && i < n; i++)
		rc = publish(ms.b[i], &out[i]);
	for (size_t i = 0; ms.b && i < n; i++)
		if (ms.b[i])
			free_build(ms.b[i]);
	free(ms.b);
	free(ms.p.facts);
	for (size_t i = 0; rc && i < n; i++)
		cr_sup_fini(&out[i]);
	return rc;
}

int cr_sup_build(cr_txn *txn, int32_t month, int32_t asof_days, uint64_t min_cell,
		 struct cr_sup_month *out)
{
	return cr_sup_build_months(txn, month, 1, asof_days, min_cell, out);
}
