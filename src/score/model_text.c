/*
 * model_text.c - the model file: parsing and writing (docs/scoring.md,
 * "The model file").
 *
 * The file is a list of statements, one a line: a keyword and its words.
 * A word is bare (a run of printable characters) or a string in double
 * quotes with \" and \\ as its only escapes.  The parser splits a line into
 * words in place (views into the text, no copy), dispatches on the keyword
 * and fills the caller's struct cr_model; it never allocates.  When a
 * feature's lines end (at the next feature or at "end") its intervals are
 * put in order and checked, so an error there names the feature's line;
 * the model as a whole is checked at "end".
 *
 * Numbers are written in their shortest form that reads back as the same
 * double, so a file read and written again is the same file, and a model
 * scores the same before it is written and after it is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr_err.h"
#include "csv.h"
#include "model.h"
#include "model_int.h"
#include "utf8.h"

struct tok {
	const char *p;          /* a string's bytes without its quotes, escapes kept */
	size_t len;
	uint8_t quoted;
};

#define TOKS_MAX (CR_MODEL_LEVELS_MAX + 16)

struct parser {
	struct cr_model *m;
	struct cr_diag *d;
	unsigned seen;          /* SEEN_* bits of the header statements */
	int ended;
	size_t line, feature_line;
	/* The current feature's intervals, in file order, and its markers. */
	size_t n_iv;
	double iv_lo[CR_MODEL_BINS_MAX], iv_hi[CR_MODEL_BINS_MAX];
	uint8_t iv_bin[CR_MODEL_BINS_MAX];
	int has_missing, has_others, has_reason;
};

enum { SEEN_MAGIC = 1, SEEN_ID = 2, SEEN_DESC = 4, SEEN_SCALING = 8, SEEN_RANGE = 16,
       SEEN_INTERCEPT = 32, SEEN_BASE = 64 };

static int bad(struct parser *P, const char *field, const char *reason)
{
	return cr_diag_set(P->d, field, reason);
}

static int is(const struct tok *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) && memcmp(t->p, word, t->len) == 0;
}

/* Scans a quoted word from p[i] (after its opening quote); returns the
 * index of its closing quote, or len when it is left open.  A tab
 * separates words but has no place inside one: the writer could not
 * write it back. */
static size_t scan_string(const char *p, size_t i, size_t len, int *bad_escape, int *tab)
{
	for (; i < len && p[i] != '"'; i++) {
		*tab |= p[i] == '\t';
		if (p[i] != '\\')
			continue;
		if (i + 1 < len && (p[i + 1] == '"' || p[i + 1] == '\\'))
			i++;
		else
			*bad_escape = 1;
	}
	return i;
}

/* Splits a line into words; a '#' that starts a word starts a comment. */
static int tokenize(struct parser *P, const char *p, size_t len, struct tok *t, size_t *n)
{
	size_t k = 0, i = 0;
	for (size_t j = 0; j < len; j++)
		if (((unsigned char)p[j] < 0x20 && p[j] != '\t') || p[j] == 0x7f)
			return bad(P, "line", "a control character");
	while (i < len) {
		if (p[i] == ' ' || p[i] == '\t') {
			i++;
			continue;
		}
		if (p[i] == '#')
			break;
		if (k == TOKS_MAX)
			return bad(P, "line", "too many words on one line");
		size_t end;
		if (p[i] == '"') {
			int esc = 0, tab = 0;
			end = scan_string(p, i + 1, len, &esc, &tab);
			if (end == len || esc || tab)
				return bad(P, "line", esc ? "a string's only escapes are \\\" and \\\\"
						      : tab ? "a tab inside a string"
							    : "a string left open");
			t[k++] = (struct tok){p + i + 1, end - i - 1, 1};
			end++;
			if (end < len && p[end] != ' ' && p[end] != '\t')
				return bad(P, "line", "a word right after a closing quote");
		} else {
			end = i;
			while (end < len && p[end] != ' ' && p[end] != '\t') {
				if (p[end] == '"')
					return bad(P, "line", "a quote inside a word");
				end++;
			}
			t[k++] = (struct tok){p + i, end - i, 0};
		}
		i = end;
	}
	*n = k;
	return 0;
}

/* Copies a word's text, escapes resolved, NUL-terminated; -1 past cap - 1. */
static long text(const struct tok *t, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (k + 1 >= cap)
			return -1;
		if (t->quoted && t->p[i] == '\\')
			i++;
		out[k++] = t->p[i];
	}
	out[k] = '\0';
	return (long)k;
}

static int number(const struct tok *t, double *out)
{
	return t->quoted ? CR_EINVAL : cr_csv_number(t->p, t->len, out);
}

static int count(const struct tok *t, uint64_t *out)
{
	if (t->quoted || t->len == 0 || t->len > 19)
		return CR_EINVAL;
	uint64_t v = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return CR_EINVAL;
		v = v * 10 + (uint64_t)(t->p[i] - '0');
	}
	*out = v;
	return 0;
}

/* A header statement may come once, and only before the first feature. */
static int header_once(struct parser *P, unsigned bit, const char *field)
{
	if (P->m->n_features)
		return bad(P, field, "a header line after the first feature");
	if (P->seen & bit)
		return bad(P, field, "given twice");
	P->seen |= bit;
	return 0;
}

static int st_model_id(struct parser *P, const struct tok *t, size_t n)
{
	if (header_once(P, SEEN_ID, "model_id"))
		return CR_EINVAL;
	if (n != 2 || text(&t[1], P->m->id, sizeof P->m->id) <= 0)
		return bad(P, "model_id", "model_id takes one word of at most 63 bytes");
	for (const char *c = P->m->id; *c; c++)
		if (!cr_model__word_char(*c))
			return bad(P, "model_id", "a model_id has only letters, digits, '.', '_' and '-'");
	return 0;
}

static int st_description(struct parser *P, const struct tok *t, size_t n)
{
	if (header_once(P, SEEN_DESC, "description"))
		return CR_EINVAL;
	if (n != 2 || text(&t[1], P->m->description, sizeof P->m->description) < 0)
		return bad(P, "description", "description takes one string of at most 511 bytes");
	return 0;
}

static int st_meta(struct parser *P, const struct tok *t, size_t n)
{
	char key[CR_MODEL_META_KEY_MAX + 1], value[CR_MODEL_META_VALUE_MAX + 1];
	if (P->m->n_features)
		return bad(P, "meta", "a header line after the first feature");
	if (n != 3 || t[1].quoted || text(&t[1], key, sizeof key) <= 0 ||
	    text(&t[2], value, sizeof value) < 0)
		return bad(P, "meta", "meta takes a key (at most 31 bytes) and a value (at most 127)");
	for (size_t i = 0; i < P->m->n_meta; i++)
		if (strcmp(P->m->meta[i].key, key) == 0)
			return bad(P, "meta", "a meta key given twice");
	int rc = cr_model_set_meta(P->m, key, value);
	if (rc == CR_ETOOBIG)
		return bad(P, "meta", "more than 32 meta lines");
	return rc ? bad(P, "meta", "a meta key has only letters, digits, '.', '_' and '-'") : 0;
}

static int st_scaling(struct parser *P, const struct tok *t, size_t n)
{
	struct cr_model *m = P->m;
	if (header_once(P, SEEN_SCALING, "scaling"))
		return CR_EINVAL;
	if (n != 7 || !is(&t[1], "pdo") || !is(&t[3], "anchor_score") || !is(&t[5], "anchor_odds") ||
	    number(&t[2], &m->pdo) || number(&t[4], &m->anchor_score) ||
	    number(&t[6], &m->anchor_odds))
		return bad(P, "scaling", "expected: scaling pdo N anchor_score N anchor_odds N");
	if (!(m->pdo > 0 && m->anchor_odds > 0 && fabs(m->anchor_score) <= 1e6))
		return bad(P, "scaling", "pdo and anchor_odds must be positive, anchor_score within +-1000000");
	return 0;
}

static int st_score_range(struct parser *P, const struct tok *t, size_t n)
{
	double lo, hi;
	if (header_once(P, SEEN_RANGE, "score_range"))
		return CR_EINVAL;
	if (n != 3 || number(&t[1], &lo) || number(&t[2], &hi) || lo != floor(lo) ||
	    hi != floor(hi) || !(lo >= 0 && lo < hi && hi <= 100000))
		return bad(P, "score_range", "expected: score_range MIN MAX, integers, 0 <= MIN < MAX <= 100000");
	P->m->score_min = (int)lo;
	P->m->score_max = (int)hi;
	return 0;
}

static int st_value(struct parser *P, const struct tok *t, size_t n)
{
	const int base = is(&t[0], "base_points");
	const char *field = base ? "base_points" : "intercept";
	if (header_once(P, base ? SEEN_BASE : SEEN_INTERCEPT, field))
		return CR_EINVAL;
	double v;
	if (n != 2 || number(&t[1], &v) || fabs(v) > 1e6)
		return bad(P, field, "expected one number within +-1000000");
	*(base ? &P->m->base_points : &P->m->intercept) = v;
	return 0;
}

/* Puts the current feature's intervals in order and checks the feature.
 * An error names the feature's line. */
static int close_feature(struct parser *P)
{
	if (P->m->n_features == 0)
		return 0;
	struct cr_model_feature *f = &P->m->feature[P->m->n_features - 1];
	P->d->line = P->feature_line;
	if (!P->has_missing || (f->categorical && !P->has_others))
		return bad(P, "feature", f->categorical ? "a categorical feature needs bins for missing and others"
							: "a numeric feature needs a bin for missing");
	for (size_t i = 1; i < P->n_iv; i++)
		for (size_t j = i; j > 0 && P->iv_lo[j] < P->iv_lo[j - 1]; j--) {
			double lo = P->iv_lo[j], hi = P->iv_hi[j];
			uint8_t b = P->iv_bin[j];
			P->iv_lo[j] = P->iv_lo[j - 1], P->iv_hi[j] = P->iv_hi[j - 1], P->iv_bin[j] = P->iv_bin[j - 1];
			P->iv_lo[j - 1] = lo, P->iv_hi[j - 1] = hi, P->iv_bin[j - 1] = b;
		}
	for (size_t i = 0; i < P->n_iv; i++) {
		if (P->iv_lo[i] != (i ? P->iv_hi[i - 1] : -INFINITY))
			return bad(P, "feature", "intervals must run from -inf to +inf, each starting where one ends");
		f->hi[i] = P->iv_hi[i];
		f->interval_bin[i] = P->iv_bin[i];
	}
	f->n_intervals = (uint16_t)P->n_iv;
	int rc = cr_model__check_feature(f, P->d);
	if (rc == 0)
		P->d->line = 0;
	return rc;
}

static int st_feature(struct parser *P, const struct tok *t, size_t n)
{
	struct cr_model *m = P->m;
	if (close_feature(P))
		return CR_EINVAL;
	if (m->n_features == CR_MODEL_FEATURES_MAX)
		return bad(P, "feature", "more than 64 features");
	struct cr_model_feature *f = &m->feature[m->n_features++];
	P->feature_line = P->line;
	P->n_iv = 0;
	P->has_missing = P->has_others = P->has_reason = 0;
	if (n < 3 || n % 2 == 0 || text(&t[1], f->name, sizeof f->name) <= 0)
		return bad(P, "feature", "expected: feature NAME numeric|categorical [beta N] [iv N]");
	if (!is(&t[2], "numeric") && !is(&t[2], "categorical"))
		return bad(P, "feature", "a feature is numeric or categorical");
	f->categorical = is(&t[2], "categorical");
	for (size_t i = 3; i < n; i += 2) {
		double *v = is(&t[i], "beta") ? &f->beta : is(&t[i], "iv") ? &f->iv : NULL;
		if (!v || number(&t[i + 1], v))
			return bad(P, "feature", "after the type, only: beta N, iv N");
	}
	memcpy(f->reason, f->name, sizeof f->name);
	return 0;
}

static int st_reason(struct parser *P, const struct tok *t, size_t n)
{
	struct cr_model_feature *f = &P->m->feature[P->m->n_features - 1];
	if (P->has_reason)
		return bad(P, "reason", "given twice for one feature");
	P->has_reason = 1;
	if (n != 2 || text(&t[1], f->reason, sizeof f->reason) < 0)
		return bad(P, "reason", "reason takes one string of at most 159 bytes");
	return 0;
}

/* "(lo,hi]" with lo a number or -inf, "(lo,+inf)" for the last. */
static int interval(const struct tok *t, double *lo, double *hi)
{
	const char *p = t->p, *comma = t->quoted ? NULL : memchr(p, ',', t->len);
	if (!comma || t->len < 5 || p[0] != '(' || (size_t)(comma - p) + 2 > t->len)
		return -1;
	const size_t ln = (size_t)(comma - p) - 1, hn = t->len - ln - 3;
	const char close = p[t->len - 1];
	if (ln == 4 && memcmp(p + 1, "-inf", 4) == 0)
		*lo = -INFINITY;
	else if (cr_csv_number(p + 1, ln, lo))
		return -1;
	if ((hn == 4 && memcmp(comma + 1, "+inf", 4) == 0) || (hn == 3 && memcmp(comma + 1, "inf", 3) == 0))
		*hi = INFINITY;
	else if (cr_csv_number(comma + 1, hn, hi))
		return -1;
	if ((close == ')') != (*hi == INFINITY) || (close != ')' && close != ']'))
		return -1;
	return *lo < *hi ? 0 : -1;
}

/* One selector of a bin: missing, others, an interval or a level. */
static int selector(struct parser *P, struct cr_model_feature *f, const struct tok *t, uint8_t bin)
{
	if (is(t, "missing")) {
		if (P->has_missing)
			return bad(P, "bin", "missing is in two bins");
		P->has_missing = 1;
		f->missing_bin = bin;
	} else if (f->categorical && is(t, "others")) {
		if (P->has_others)
			return bad(P, "bin", "others is in two bins");
		P->has_others = 1;
		f->others_bin = bin;
	} else if (f->categorical && t->quoted) {
		if (f->n_levels == CR_MODEL_LEVELS_MAX)
			return bad(P, "bin", "more than 128 levels in one feature");
		if (text(t, f->level[f->n_levels], sizeof f->level[0]) < 0)
			return bad(P, "bin", "a level longer than 63 bytes");
		f->level_bin[f->n_levels++] = bin;
	} else if (!f->categorical && !t->quoted && t->len && t->p[0] == '(') {
		if (P->n_iv == CR_MODEL_BINS_MAX)
			return bad(P, "bin", "more than 32 intervals in one feature");
		if (interval(t, &P->iv_lo[P->n_iv], &P->iv_hi[P->n_iv]))
			return bad(P, "bin", "an interval is (LO,HI] or (LO,+inf), LO a number or -inf, LO < HI");
		P->iv_bin[P->n_iv++] = bin;
	} else {
		return bad(P, "bin", f->categorical ? "a categorical bin holds missing, others or quoted levels"
						    : "a numeric bin holds missing or intervals (LO,HI]");
	}
	return 0;
}

static int is_bin_key(const struct tok *t)
{
	return is(t, "points") || is(t, "woe") || is(t, "good") || is(t, "bad");
}

static int st_bin(struct parser *P, const struct tok *t, size_t n)
{
	struct cr_model_feature *f = &P->m->feature[P->m->n_features - 1];
	if (f->n_bins == CR_MODEL_BINS_MAX)
		return bad(P, "bin", "more than 32 bins in one feature");
	const uint8_t b = (uint8_t)f->n_bins++;
	struct cr_model_bin *bin = &f->bin[b];
	size_t i = 1;
	for (; i < n && !is_bin_key(&t[i]); i++)
		if (selector(P, f, &t[i], b))
			return CR_EINVAL;
	if (i == 1)
		return bad(P, "bin", "a bin needs missing, others, intervals or levels before its points");
	unsigned seen = 0;
	for (; i < n; i += 2) {
		const unsigned bit = is(&t[i], "points") ? 1 : is(&t[i], "woe") ? 2 : is(&t[i], "good") ? 4 : 8;
		if (i + 1 == n || (seen & bit) || !is_bin_key(&t[i]))
			return bad(P, "bin", "after the selectors: points N [woe N] [good N] [bad N], once each");
		seen |= bit;
		const int rc = bit == 1 ? number(&t[i + 1], &bin->points) :
			       bit == 2 ? number(&t[i + 1], &bin->woe) :
			       count(&t[i + 1], bit == 4 ? &bin->good : &bin->bad);
		if (rc)
			return bad(P, "bin", "points and woe are numbers, good and bad whole counts");
	}
	return (seen & 1) ? 0 : bad(P, "bin", "a bin needs its points");
}

static int st_end(struct parser *P, const struct tok *t, size_t n)
{
	(void)t;
	if (n != 1)
		return bad(P, "end", "end takes nothing");
	if (close_feature(P))
		return CR_EINVAL;
	const unsigned need = SEEN_ID | SEEN_SCALING | SEEN_RANGE;
	if ((P->seen & need) != need)
		return bad(P, "end", "model_id, scaling and score_range are required before the features");
	if (cr_model_finish(P->m, P->d))
		return CR_EINVAL;
	P->ended = 1;
	return 0;
}

static const struct {
	const char *word;
	int (*fn)(struct parser *P, const struct tok *t, size_t n);
	int in_feature;
} statements[] = {
	{"model_id", st_model_id, 0},
	{"description", st_description, 0},
	{"meta", st_meta, 0},
	{"scaling", st_scaling, 0},
	{"score_range", st_score_range, 0},
	{"intercept", st_value, 0},
	{"base_points", st_value, 0},
	{"feature", st_feature, 0},
	{"reason", st_reason, 1},
	{"bin", st_bin, 1},
	{"end", st_end, 0},
};

/* One line: words, then the statement its first word names. */
static int statement(struct parser *P, const char *p, size_t len, struct tok *t)
{
	size_t n = 0;
	if (len > CR_MODEL_LINE_MAX)
		return bad(P, "line", "a line longer than 32 KiB");
	if (!cr_utf8_valid(p, len))
		return bad(P, "line", "the line is not valid UTF-8");
	if (tokenize(P, p, len, t, &n))
		return CR_EINVAL;
	if (n == 0)
		return 0;
	if (P->ended)
		return bad(P, "end", "text after the end line");
	if (!(P->seen & SEEN_MAGIC)) {
		if (n != 2 || !is(&t[0], CR_MODEL_MAGIC))
			return bad(P, "line", "the first line must be: creditref-scorecard 1");
		if (!is(&t[1], "1"))
			return bad(P, "line", "a model file of a version this program does not read");
		P->seen |= SEEN_MAGIC;
		return 0;
	}
	for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
		if (!is(&t[0], statements[i].word))
			continue;
		if (statements[i].in_feature && P->m->n_features == 0)
			return bad(P, "line", "reason and bin belong to a feature");
		return statements[i].fn(P, t, n);
	}
	return bad(P, "line", "an unknown keyword");
}

int cr_model_parse(const char *text_, size_t len, struct cr_model *m, struct cr_diag *d)
{
	struct parser P = {.m = m, .d = d};
	struct tok t[TOKS_MAX];
	size_t line = 0, pos = 0;
	memset(m, 0, sizeof *m);
	memset(d, 0, sizeof *d);
	if (len > CR_MODEL_FILE_MAX)
		return bad(&P, "file", "a model file larger than 4 MiB");
	while (pos < len) {
		const char *eol = memchr(text_ + pos, '\n', len - pos);
		const size_t end = eol ? (size_t)(eol - text_) : len;
		size_t n = end - pos;
		if (n && text_[end - 1] == '\r')
			n--;
		P.line = ++line;
		if (statement(&P, text_ + pos, n, t)) {
			if (!d->line)
				d->line = line;
			return CR_EINVAL;
		}
		pos = eol ? end + 1 : len;
	}
	if (!P.ended) {
		d->line = line + 1;
		return bad(&P, "end", "the file ends before its end line");
	}
	return 0;
}

/* The shortest form that reads back as v: fixed-point for the numbers a
 * scorecard has (points, edges, WoE), %g for the very small or large. */
static void fmt_num(char out[32], double v)
{
	const double a = fabs(v);
	if (a == 0 || (a >= 1e-4 && a < 1e15)) {
		for (int prec = 0; prec <= 17; prec++) {
			snprintf(out, 32, "%.*f", prec, v);
			if (strtod(out, NULL) == v)
				return;
		}
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, 32, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

static int put_num(struct cr_buf *b, const char *before, double v)
{
	char s[32];
	fmt_num(s, v);
	return cr_buf_printf(b, "%s%s", before, s);
}

/* A quoted string: " and \ escaped; a control character cannot be written. */
static int put_str(struct cr_buf *b, const char *before, const char *s)
{
	int rc = cr_buf_printf(b, "%s\"", before);
	for (; rc == 0 && *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return CR_EINVAL;
		if (*s == '"' || *s == '\\')
			rc = cr_buf_putc(b, '\\');
		if (rc == 0)
			rc = cr_buf_putc(b, *s);
	}
	return rc ? rc : cr_buf_putc(b, '"');
}

/* A meta value bare when it is one plain word, quoted otherwise. */
static int put_value(struct cr_buf *b, const char *s)
{
	int plain = s[0] != '\0' && s[0] != '"' && s[0] != '#';
	for (const char *c = s; plain && *c; c++)
		plain = (unsigned char)*c > ' ' && *c != 0x7f && *c != '"';
	return plain ? cr_buf_printf(b, " %s", s) : put_str(b, " ", s);
}

static int put_header(const struct cr_model *m, struct cr_buf *b)
{
	int rc = cr_buf_printf(b, "# A creditref scorecard: docs/scoring.md, \"The model file\".\n"
				  "%s %d\nmodel_id %s\n", CR_MODEL_MAGIC, CR_MODEL_VERSION, m->id);
	if (rc == 0 && m->description[0])
		rc = put_str(b, "description ", m->description);
	if (rc == 0 && m->description[0])
		rc = cr_buf_putc(b, '\n');
	for (size_t i = 0; rc == 0 && i < m->n_meta; i++) {
		rc = cr_buf_printf(b, "meta %s", m->meta[i].key);
		rc = rc ? rc : put_value(b, m->meta[i].value);
		rc = rc ? rc : cr_buf_putc(b, '\n');
	}
	rc = rc ? rc : put_num(b, "scaling pdo ", m->pdo);
	rc = rc ? rc : put_num(b, " anchor_score ", m->anchor_score);
	rc = rc ? rc : put_num(b, " anchor_odds ", m->anchor_odds);
	rc = rc ? rc : cr_buf_printf(b, "\nscore_range %d %d\n", m->score_min, m->score_max);
	rc = rc ? rc : put_num(b, "intercept ", m->intercept);
	rc = rc ? rc : put_num(b, "\nbase_points ", m->base_points);
	return rc ? rc : cr_buf_putc(b, '\n');
}

/* The selectors of bin k: missing, others, its intervals, its levels. */
static int put_selectors(const struct cr_model_feature *f, size_t k, struct cr_buf *b)
{
	int rc = 0;
	if (f->missing_bin == k)
		rc = cr_buf_puts(b, " missing");
	if (rc == 0 && f->categorical && f->others_bin == k)
		rc = cr_buf_puts(b, " others");
	for (size_t i = 0; rc == 0 && i < f->n_intervals; i++) {
		if (f->interval_bin[i] != k)
			continue;
		char lo[32] = "-inf", hi[32] = "+inf";
		if (i > 0)
			fmt_num(lo, f->hi[i - 1]);
		if (i + 1 < f->n_intervals)
			fmt_num(hi, f->hi[i]);
		rc = cr_buf_printf(b, " (%s,%s%c", lo, hi, i + 1 < f->n_intervals ? ']' : ')');
	}
	for (size_t i = 0; rc == 0 && i < f->n_levels; i++)
		if (f->level_bin[i] == k)
			rc = put_str(b, " ", f->level[i]);
	return rc;
}

static int put_feature(const struct cr_model_feature *f, struct cr_buf *b)
{
	int rc = put_str(b, "\nfeature ", f->name);
	rc = rc ? rc : cr_buf_puts(b, f->categorical ? " categorical" : " numeric");
	/* A fitted model's points come from a coefficient per bin; only an
	 * older or hand-made one has a feature-wide beta to show. */
	if (f->beta != 0)
		rc = rc ? rc : put_num(b, " beta ", f->beta);
	rc = rc ? rc : put_num(b, " iv ", f->iv);
	rc = rc ? rc : put_str(b, "\nreason ", f->reason);
	rc = rc ? rc : cr_buf_putc(b, '\n');
	for (size_t k = 0; rc == 0 && k < f->n_bins; k++) {
		const struct cr_model_bin *bin = &f->bin[k];
		rc = cr_buf_puts(b, "bin");
		rc = rc ? rc : put_selectors(f, k, b);
		rc = rc ? rc : put_num(b, " points ", bin->points);
		rc = rc ? rc : put_num(b, " woe ", bin->woe);
		rc = rc ? rc : cr_buf_printf(b, " good %llu bad %llu\n", (unsigned long long)bin->good,
					     (unsigned long long)bin->bad);
	}
	return rc;
}

int cr_model_format(const struct cr_model *m, struct cr_buf *b)
{
	int rc = put_header(m, b);
	for (size_t i = 0; rc == 0 && i < m->n_features; i++)
		rc = put_feature(&m->feature[i], b);
	return rc ? rc : cr_buf_puts(b, "\nend\n");
}

int cr_model_save(const struct cr_model *m, const char *path)
{
	struct cr_buf b;
	char tmp[4096];
	cr_buf_init(&b, CR_MODEL_FILE_MAX);
	int rc = cr_model_format(m, &b);
	if (rc == 0 && snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		rc = CR_EINVAL;
	if (rc == 0) {
		FILE *f = fopen(tmp, "w");
		if (!f || fwrite(b.data, 1, b.len, f) != b.len || fflush(f) || fsync(fileno(f)))
			rc = CR_EIO;
		if (f && fclose(f))
			rc = CR_EIO;
		if (rc == 0 && rename(tmp, path))
			rc = CR_EIO;
		if (rc)
			unlink(tmp);
	}
	cr_buf_fini(&b);
	return rc;
}

/* Reads the whole regular file on fd into a new buffer. */
static int read_all(int fd, char **out, size_t *len, struct cr_diag *d)
{
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		cr_diag_set(d, "file", "not a regular file");
		return CR_EIO;
	}
	if ((unsigned long long)st.st_size > CR_MODEL_FILE_MAX) {
		cr_diag_set(d, "file", "a model file larger than 4 MiB");
		return CR_ETOOBIG;
	}
	*len = (size_t)st.st_size;
	*out = malloc(*len + 1);
	if (!*out)
		return CR_ENOMEM;
	if (read(fd, *out, *len) != (ssize_t)*len) {
		cr_diag_set(d, "file", "cannot read the file");
		return CR_EIO;
	}
	return 0;
}

int cr_model_load(const char *path, struct cr_model *m, struct cr_diag *d)
{
	memset(d, 0, sizeof *d);
	const int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		const int missing = errno == ENOENT;
		cr_diag_set(d, "file", missing ? "no such file" : "cannot open the file");
		return missing ? CR_ENOTFOUND : CR_EIO;
	}
	char *buf = NULL;
	size_t len = 0;
	int rc = read_all(fd, &buf, &len, d);
	close(fd);
	if (rc == 0)
		rc = cr_model_parse(buf, len, m, d);
	free(buf);
	return rc;
}
