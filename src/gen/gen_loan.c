/*
 * gen_loan.c - accounts and their monthly statements.
 *
 * For each subject the generator first plans every account (institution,
 * product, amounts, open date, co-lenders) and simulates its whole history
 * month by month from the month it opened to the as-of month, keeping the
 * months inside the history window.  Only then are the lines written, so an
 * account line can already say whether the account ended up closed or
 * charged off.
 *
 * Delinquency is a Markov chain on "months overdue" driven by the subject's
 * latent risk grade (docs/generator.md has the table): a current account
 * misses a payment with p_miss; a delinquent one rolls one month further,
 * cures by paying all arrears, or stays where it is by paying one instalment;
 * at seven months it may be written off.  The amounts follow the chain, so
 * every statement satisfies the contract: N has dpd 0 and nothing overdue,
 * status k has dpd in [30k-29, 30k] (seven: 180 and up) and a positive
 * overdue amount, and overdue never exceeds the balance.  All money is
 * integer fen; probabilities are the only floating point.
 */
#include "gen_int.h"

#include "cr_date.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct product_spec {
	uint8_t product;
	uint8_t pct;          /* share of this kind's accounts, percent */
	uint32_t lo_yuan;     /* limit or principal range, whole yuan */
	uint32_t hi_yuan;
	uint16_t rate_bp;     /* monthly interest, basis points (instalments) */
	uint8_t n_terms;
	uint16_t terms[5];
};

/* Product mix by institution kind (index enum cr_inst_kind). */
static const struct product_spec specs[5][4] = {
	[CR_KIND_BANK] = {
		{CR_PROD_CREDIT_CARD, 55, 5000, 100000, 0, 0, {0}},
		{CR_PROD_INSTALLMENT, 25, 10000, 500000, 40, 4, {12, 24, 36, 60}},
		{CR_PROD_MORTGAGE, 15, 300000, 3000000, 40, 5, {120, 180, 240, 300, 360}},
		{CR_PROD_REVOLVING, 5, 10000, 200000, 0, 0, {0}},
	},
	[CR_KIND_CONSUMER_FINANCE] = {
		{CR_PROD_INSTALLMENT, 70, 2000, 100000, 120, 4, {6, 12, 24, 36}},
		{CR_PROD_REVOLVING, 30, 2000, 50000, 0, 0, {0}},
	},
	[CR_KIND_PLATFORM] = {
		{CR_PROD_REVOLVING, 60, 500, 50000, 0, 0, {0}},
		{CR_PROD_INSTALLMENT, 40, 500, 20000, 150, 3, {3, 6, 12}},
	},
	[CR_KIND_MICROLENDER] = {
		{CR_PROD_INSTALLMENT, 85, 1000, 50000, 200, 4, {3, 6, 12, 24}},
		{CR_PROD_REVOLVING, 15, 1000, 30000, 0, 0, {0}},
	},
};

/* Delinquency chain by risk grade (population 70/20/8/2 percent). */
static const double p_miss[4] = {0.003, 0.012, 0.04, 0.10};
static const double p_roll[4] = {0.25, 0.40, 0.55, 0.70};
static const double p_cure[4] = {0.60, 0.45, 0.30, 0.15};
static const double p_writeoff = 0.20; /* per month at seven months overdue */
static const double p_cure_late = 0.02;
static const double p_close_revolving = 0.004; /* per current month */
static const double p_prepay = 0.003;          /* per current month */

double cr_gen__pd(uint8_t grade, int months)
{
	/* p[k]: the chance of being k months overdue; k = 3 absorbs. */
	double p[4] = {1.0, 0.0, 0.0, 0.0};
	CR_ASSERT(grade < 4);
	for (int t = 0; t < months; t++) {
		const double miss = p[0] * p_miss[grade];
		const double roll1 = p[1] * p_roll[grade], roll2 = p[2] * p_roll[grade];
		const double cure = (p[1] + p[2]) * p_cure[grade];
		p[3] += roll2;
		p[2] += roll1 - roll2 - p[2] * p_cure[grade];
		p[1] += miss - roll1 - p[1] * p_cure[grade];
		p[0] += cure - miss;
	}
	return p[3];
}

/* A round amount (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten)
 * in [lo, hi], log-uniform: lenders grant round limits. */
static int64_t round_yuan(struct cr_gen_rng *r, uint32_t lo, uint32_t hi)
{
	static const uint32_t mant[10] = {10, 12, 15, 20, 25, 30, 40, 50, 60, 80};
	uint32_t vals[64];
	uint32_t n = 0;
	for (uint64_t scale = 1; scale * 10 <= (uint64_t)hi * 10 && n < 64; scale *= 10)
		for (int i = 0; i < 10 && n < 64; i++) {
			uint64_t v = mant[i] * scale / 10;
			if (v >= lo && v <= hi && v > 0)
				vals[n++] = (uint32_t)v;
		}
	CR_ASSERT(n > 0);
	return vals[cr_gen__below(r, n)];
}

static uint8_t pick_kind(struct cr_gen *g, int extra)
{
	/* Extra accounts of risky subjects come from platforms and
	 * microlenders: that is what borrowing from many lenders looks like. */
	uint32_t u = cr_gen__below(&g->rng, 100);
	if (extra)
		return u < 65 ? CR_KIND_PLATFORM : CR_KIND_MICROLENDER;
	if (u < 30)
		return CR_KIND_BANK;
	if (u < 50)
		return CR_KIND_CONSUMER_FINANCE;
	if (u < 85)
		return CR_KIND_PLATFORM;
	return CR_KIND_MICROLENDER;
}

static const struct product_spec *pick_spec(struct cr_gen *g, uint8_t kind)
{
	uint32_t u = cr_gen__below(&g->rng, 100);
	for (int i = 0; i < 4; i++) {
		if (u < specs[kind][i].pct)
			return &specs[kind][i];
		u -= specs[kind][i].pct;
	}
	return &specs[kind][0];
}

/* Accounts per subject: most hold one to four, a tail up to twenty. */
static uint32_t pick_count(struct cr_gen *g)
{
	static const uint16_t cum[8] = {280, 520, 680, 790, 860, 910, 940, 960};
	uint32_t u = cr_gen__below(&g->rng, 1000);
	for (uint32_t i = 0; i < 8; i++)
		if (u < cum[i])
			return i + 1;
	return (uint32_t)cr_gen__range(&g->rng, 9, 20);
}

static int32_t pick_opened(struct cr_gen *g)
{
	const struct cr_gen_subject *s = &g->subj;
	int32_t mon;
	if (cr_gen__chance(&g->rng, 0.20))
		mon = g->window_start - cr_gen__range(&g->rng, 1, 60);
	else
		mon = cr_gen__range(&g->rng, g->window_start, g->asof_month);
	int32_t day = cr_month_first_day(mon) + cr_gen__range(&g->rng, 0, 27);
	if (day > g->asof_days)
		day = g->asof_days;
	int by, bm, bd;
	cr_civil_from_days(s->birth_days, &by, &bm, &bd);
	int32_t adult = cr_days_from_civil(by + 18, bm, bd > 28 ? 28 : bd);
	if (day < adult) {
		int32_t span = g->asof_days - adult;
		day = adult + cr_gen__range(&g->rng, 0, span < 365 ? span : 365);
	}
	return day;
}

static void account_number(struct cr_gen *g, uint32_t inst, uint8_t product,
			   char *out)
{
	struct cr_gen_line l;
	uint64_t n = ++g->insts[inst].next_account;
	l.len = 0;
	if (product == CR_PROD_CREDIT_CARD) {
		/* A 16-digit card number: bank BIN-like prefix, issuer, serial. */
		CR_GEN_PUT_LIT(&l, "62");
		cr_gen__put_digits(&l, inst, 3);
		cr_gen__put_digits(&l, n, 11);
	} else {
		static const char *const prefix[5] = {"", "RL-", "IL-", "", "ML-"};
		cr_gen__puts(&l, prefix[product]);
		cr_gen__put_digits(&l, n, 10);
	}
	memcpy(out, l.buf, l.len);
	out[l.len] = '\0';
}

static uint32_t pick_partner(struct cr_gen *g, const struct cr_account *a,
			     uint32_t self)
{
	/* Funding partners are banks and consumer-finance companies, which
	 * are laid out first in g->insts. */
	uint32_t pool = g->kind_count[CR_KIND_BANK] + g->kind_count[CR_KIND_CONSUMER_FINANCE];
	for (int tries = 0;; tries++) {
		uint32_t p = tries < 8 ? cr_gen__below(&g->rng, pool)
				       : cr_gen__below(&g->rng, g->n_insts);
		int used = p == self;
		for (int i = 0; i < a->n_colenders; i++)
			if (strcmp(a->colenders[i].inst, g->insts[p].rec.code) == 0)
				used = 1;
		if (!used)
			return p;
	}
}

/* About 10% of accounts are co-lent by two or three institutions; the
 * furnisher keeps 30..70% (joint-lending rules want it to fund at least 30%)
 * and the shares sum to exactly 10000 basis points. */
static void add_colenders(struct cr_gen *g, struct cr_account *a, uint32_t self)
{
	if (!cr_gen__chance(&g->rng, 0.10))
		return;
	int n = cr_gen__chance(&g->rng, 0.6) ? 2 : 3;
	uint16_t own = (uint16_t)(n == 2 ? 100 * cr_gen__range(&g->rng, 30, 70)
					 : 100 * cr_gen__range(&g->rng, 30, 50));
	memcpy(a->colenders[0].inst, a->inst, sizeof a->inst);
	a->colenders[0].share_bp = own;
	a->n_colenders = 1;
	uint16_t rest = (uint16_t)(10000 - own);
	for (int i = 1; i < n; i++) {
		uint32_t p = pick_partner(g, a, self);
		uint16_t share = rest;
		if (i + 1 < n)
			share = (uint16_t)(100 * (rest / 100 * cr_gen__range(&g->rng, 30, 70) / 100));
		memcpy(a->colenders[i].inst, g->insts[p].rec.code, sizeof a->inst);
		a->colenders[i].share_bp = share;
		a->n_colenders++;
		rest = (uint16_t)(rest - share);
	}
	CR_ASSERT(rest == 0);
}

/* ---- The monthly simulation. ---- */

struct sim {
	int64_t bal;       /* outstanding, fen */
	int64_t over;      /* past due, fen; > 0 exactly when mo > 0 */
	int64_t inst_amt;  /* regular instalment */
	int64_t last_amt;  /* final instalment (takes the rounding) */
	uint32_t sched_left;
	int32_t mo;        /* months overdue; the status is min(mo, 7) */
	int32_t d0;        /* days past the due date within a month, 1..30 */
	uint32_t util_pct; /* revolving: usual share of the limit in use */
	uint8_t grade;
	char end;          /* terminal status once the account has ended */
};

enum act { ACT_PAY, ACT_ROLL, ACT_STAY, ACT_CURE, ACT_END };

/* The chain's transition for this month. */
static enum act transition(struct cr_gen_rng *r, const struct sim *m)
{
	double u = cr_gen__unit(r);
	if (m->mo == 0)
		return u < p_miss[m->grade] ? ACT_ROLL : ACT_PAY;
	if (m->mo >= 7) {
		if (u < p_writeoff)
			return ACT_END;
		return u < p_writeoff + p_cure_late ? ACT_CURE : ACT_ROLL;
	}
	if (u < p_roll[m->grade])
		return ACT_ROLL;
	return u < p_roll[m->grade] + p_cure[m->grade] ? ACT_CURE : ACT_STAY;
}

/* Amount due this month, after updating the balance where it moves on its
 * own (revolving draws and penalty interest). */
static int64_t month_due(struct cr_gen_rng *r, struct sim *m,
			 const struct cr_account *a)
{
	if (a->product == CR_PROD_INSTALLMENT || a->product == CR_PROD_MORTGAGE) {
		if (m->sched_left == 0)
			return 0;
		return --m->sched_left == 0 ? m->last_amt : m->inst_amt;
	}
	if (m->mo == 0) {
		/* A fresh statement within the limit; one month in seven unused. */
		int32_t pct = (int32_t)m->util_pct + cr_gen__range(r, -20, 20);
		if (pct < 0 || cr_gen__below(r, 7) == 0)
			pct = 0;
		if (pct > 100)
			pct = 100;
		m->bal = a->credit_limit * pct / 100;
	} else {
		m->bal += m->bal * 5 / 1000; /* penalty interest while frozen */
	}
	return (m->bal - m->over + 9) / 10; /* minimum payment, rounded up */
}

/* Terminal month at seven months overdue: written off (G), or for
 * mortgages repaid by selling the home (Z), or for a tenth of other
 * instalment loans repaid by the guarantor (D). */
static void end_account(struct cr_gen_rng *r, struct sim *m,
			struct cr_account *a, struct cr_gen_month *out)
{
	if (a->product == CR_PROD_MORTGAGE ||
	    (a->product == CR_PROD_INSTALLMENT && cr_gen__chance(r, 0.10))) {
		m->end = a->product == CR_PROD_MORTGAGE ? 'Z' : 'D';
		out->paid = m->bal; /* the caller takes it off the balance */
		m->over = 0;
		a->status = CR_ACCT_CLOSED;
	} else {
		m->end = 'G';
		a->status = cr_gen__chance(r, 0.20) ? CR_ACCT_TRANSFERRED
						    : CR_ACCT_CHARGED_OFF;
	}
	out->status = m->end;
}

/* Closing while current: a revolving line closed after paying it off, or an
 * instalment loan repaid early. */
static int maybe_close(struct cr_gen_rng *r, struct sim *m,
		       struct cr_account *a, struct cr_gen_month *out)
{
	int revolving = a->product == CR_PROD_REVOLVING ||
			a->product == CR_PROD_CREDIT_CARD;
	if (m->mo != 0 || !cr_gen__chance(r, revolving ? p_close_revolving : p_prepay))
		return 0;
	out->paid = m->bal;
	out->due = 0;
	m->bal = 0;
	return 1;
}

/* One month of the chain; fills out (except month) and may end the account. */
static void step(struct cr_gen_rng *r, struct sim *m, struct cr_account *a,
		 struct cr_gen_month *out)
{
	out->paid = 0;
	out->due = month_due(r, m, a);
	if (maybe_close(r, m, a, out)) {
		m->end = 'C';
	} else {
		enum act act = transition(r, m);
		if (out->due == 0 && (act == ACT_PAY || act == ACT_STAY))
			act = m->mo == 0 ? ACT_PAY : ACT_ROLL;
		switch (act) {
		case ACT_PAY:
			out->paid = out->due;
			if (a->credit_limit && out->due)
				out->paid += cr_gen__below(r, 2) ? m->bal - out->due : 0;
			break;
		case ACT_ROLL:
			if (m->mo == 0 && out->due == 0)
				break; /* nothing was due, so nothing is missed */
			m->over += out->due;
			m->mo++;
			break;
		case ACT_STAY:
			out->paid = out->due;
			break;
		case ACT_CURE:
			out->paid = m->over + out->due;
			m->over = 0;
			m->mo = 0;
			break;
		case ACT_END:
			end_account(r, m, a, out);
			break;
		}
		if (!a->credit_limit || m->mo > 0)
			m->bal -= out->paid;
		if (!a->credit_limit && m->bal == 0 && !m->end)
			m->end = 'C';
	}
	CR_ASSERT(m->over >= 0 && m->over <= m->bal + out->paid);
	out->balance = m->bal;
	out->overdue = m->over;
	out->dpd = m->mo ? 30 * (m->mo - 1) + m->d0 : 0;
	if (m->end)
		out->status = m->end;
	else if (m->mo)
		out->status = (char)('0' + (m->mo < 7 ? m->mo : 7));
	else
		out->status = out->due || out->paid ? 'N' : '*';
	if (m->end == 'C' || m->end == 'Z' || m->end == 'D') {
		out->dpd = 0;
		out->overdue = 0;
		if (m->end == 'C' && a->status == CR_ACCT_OPEN)
			a->status = CR_ACCT_CLOSED;
	}
}

static void sim_init(struct cr_gen *g, struct sim *m, const struct cr_account *a)
{
	memset(m, 0, sizeof *m);
	m->grade = g->subj.grade;
	m->d0 = cr_gen__range(&g->rng, 1, 30);
	m->util_pct = (uint32_t)cr_gen__range(&g->rng, 5, 90);
	m->sched_left = a->credit_limit ? 0 : a->term_months;
}

/* Simulates account a from its open month to the as-of month, storing the
 * months inside the window at g->hist[first..]; returns how many. */
static uint32_t simulate(struct cr_gen *g, struct cr_account *a, uint32_t rate_bp,
			 uint32_t first)
{
	struct sim m;
	sim_init(g, &m, a);
	if (!a->credit_limit) {
		/* Interest on the average outstanding principal (half of it
		 * over the term), spread evenly over the instalments. */
		int64_t total = a->principal +
				a->principal * rate_bp * a->term_months / 20000;
		m.bal = total;
		m.inst_amt = total / a->term_months;
		m.last_amt = total - m.inst_amt * (a->term_months - 1);
	}
	uint32_t n = 0;
	int32_t open_month = cr_month_of_date(a->opened_days);
	for (int32_t mon = open_month; mon <= g->asof_month && !m.end; mon++) {
		struct cr_gen_month tmp, *out = &tmp;
		if (mon >= g->window_start)
			out = &g->hist[first + n++];
		out->month = mon;
		if (mon == open_month) {
			/* Nothing is due in the month the account opens. */
			out->balance = m.bal;
			out->due = out->paid = out->overdue = 0;
			out->dpd = 0;
			out->status = '*';
			continue;
		}
		step(&g->rng, &m, a, out);
	}
	return n;
}

static void plan_one(struct cr_gen *g, struct cr_gen_acct *ga, int extra,
		     uint32_t first)
{
	const struct cr_gen_subject *s = &g->subj;
	struct cr_account *a = &ga->rec;
	memset(a, 0, sizeof *a);
	uint8_t kind = pick_kind(g, extra);
	uint32_t inst = g->kind_first[kind] + cr_gen__below(&g->rng, g->kind_count[kind]);
	const struct product_spec *sp = pick_spec(g, kind);
	a->opened_days = pick_opened(g);
	/* Nobody gets a mortgage before 22; they get a personal loan. */
	if (sp->product == CR_PROD_MORTGAGE && a->opened_days - s->birth_days < 22 * 365)
		sp = &specs[CR_KIND_BANK][1];
	memcpy(a->inst, g->insts[inst].rec.code, sizeof a->inst);
	account_number(g, inst, sp->product, a->account);
	a->id_type = CR_IDTYPE_RESIDENT;
	memcpy(a->id, s->id, sizeof a->id);
	a->birth_days = s->birth_days;
	memcpy(a->name, s->name, sizeof a->name);
	memcpy(a->phone, s->phone, sizeof a->phone);
	memcpy(a->address, s->address, sizeof a->address);
	a->product = sp->product;
	a->status = CR_ACCT_OPEN;
	memcpy(a->currency, "CNY", 4);
	int64_t amount_fen = round_yuan(&g->rng, sp->lo_yuan, sp->hi_yuan) * 100;
	if (sp->n_terms == 0) {
		a->credit_limit = amount_fen;
	} else {
		a->principal = amount_fen;
		a->term_months = sp->terms[cr_gen__below(&g->rng, sp->n_terms)];
	}
	add_colenders(g, a, inst);
	ga->inst = inst;
	ga->first = first;
	ga->n_months = simulate(g, a, sp->rate_bp, first);
}

void cr_gen__plan_accounts(struct cr_gen *g)
{
	uint32_t n = pick_count(g);
	uint32_t extra = g->subj.grade >= 2 ? cr_gen__below(&g->rng, 5) : 0;
	if (n + extra > CR_GEN_ACCOUNTS_MAX)
		extra = CR_GEN_ACCOUNTS_MAX - n;
	uint32_t first = 0;
	for (uint32_t i = 0; i < n + extra; i++) {
		plan_one(g, &g->accts[i], i >= n, first);
		first += g->accts[i].n_months;
	}
	CR_ASSERT(first <= CR_GEN_ACCOUNTS_MAX * (g->o->months + 1));
	g->n_accts = n + extra;
}
