/*
 * test_model.c - the model file (src/score/model_text.c) and scoring
 * (src/score/model.c): a file read and written back unchanged, rows
 * scored by hand, reason codes in order, clamping, and parse errors that
 * name their line and reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_buf.h"
#include "cr_err.h"
#include "model.h"

#define HEADER                                                                   \
	"# A creditref scorecard: docs/scoring.md, \"The model file\".\n"        \
	"creditref-scorecard 1\n"                                                \
	"model_id demo-1\n"                                                      \
	"description \"a \\\"hand-made\\\" model\"\n"                             \
	"meta rows_train 1000\n"                                                 \
	"meta source \"two words\"\n"                                            \
	"scaling pdo 20 anchor_score 600 anchor_odds 50\n"                       \
	"score_range 350 950\n"                                                  \
	"intercept -1.5\n"                                                       \
	"base_points 500\n"

/* The canonical form: what cr_model_format writes. */
static const char MODEL[] = HEADER
	"\n"
	"feature \"util\" numeric beta -0.9 iv 0.3\n"
	"reason \"High use of revolving credit limits\"\n"
	"bin missing points 40 woe -0.2 good 10 bad 5\n"
	"bin (-inf,0.3] (0.9,+inf) points 60.5 woe 0.8 good 500 bad 50\n"
	"bin (0.3,0.9] points 20.25 woe -0.6 good 300 bad 135\n"
	"\n"
	"feature \"home, type\" categorical beta -1 iv 0.1\n"
	"reason \"Housing\"\n"
	"bin \"own\" \"with \\\\ slash\" points 50 woe 0.3 good 300 bad 60\n"
	"bin missing others \"rent\" points 30 woe -0.2 good 200 bad 80\n"
	"\n"
	"end\n";

static struct cr_model *parse_ok(const char *text)
{
	struct cr_model *m = cr_model_new();
	struct cr_diag d;
	assert_non_null(m);
	/* An exact-size heap copy, so that ASan sees any read past the end. */
	const size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	memcpy(copy, text, n);
	const int rc = cr_model_parse(copy, n, m, &d);
	free(copy);
	if (rc)
		print_error("line %zu %s: %s\n", d.line, d.field, d.reason);
	assert_int_equal(rc, 0);
	return m;
}

/* A missing bin that scores best, as the trainer may fit it: a person
 * whose value is in the best bin a value reaches loses nothing there, and
 * one with no value loses nothing either. */
static const char MISSING_BEST[] = HEADER
	"\n"
	"feature \"late_6m\" numeric beta 0 iv 0.3\n"
	"bin missing points 90 woe 0.5 good 10 bad 1\n"
	"bin (-inf,0] points 70 woe 0.2 good 500 bad 50\n"
	"bin (0,+inf) points 10 woe -1 good 50 bad 50\n"
	"\n"
	"end\n";

static void reasons_measure_against_the_best_present_value(void **state)
{
	(void)state;
	struct cr_model *m = parse_ok(MISSING_BEST);
	static const char *const names[] = {"late_6m"};
	struct cr_model_bind b;
	struct cr_diag d;
	assert_int_equal(cr_model_bind(m, names, 1, &b, &d), 0);
	assert_true(fabs(m->feature[0].best_points - 70) < 1e-12);
	struct cr_score s;
	double x = 0;                                         /* on time: the best present bin */
	cr_model_score(m, &b, &x, &s);
	assert_int_equal(s.n_reasons, 0);
	x = NAN;                                              /* no history: scores best */
	cr_model_score(m, &b, &x, &s);
	assert_int_equal(s.n_reasons, 0);
	x = 2;                                                /* late: 60 points lost */
	cr_model_score(m, &b, &x, &s);
	assert_int_equal(s.n_reasons, 1);
	assert_true(fabs(s.reason[0].points_lost - 60) < 1e-12);
	assert_int_equal(s.reason[0].missing, 0);
	cr_model_free(m);
}

static void round_trip_is_identity(void **state)
{
	(void)state;
	struct cr_model *m = parse_ok(MODEL);
	assert_string_equal(m->id, "demo-1");
	assert_string_equal(m->description, "a \"hand-made\" model");
	assert_int_equal(m->n_features, 2);
	assert_int_equal(m->feature[0].n_intervals, 3);
	assert_string_equal(m->feature[1].level[1], "with \\ slash");
	struct cr_buf b;
	cr_buf_init(&b, CR_MODEL_FILE_MAX);
	assert_int_equal(cr_model_format(m, &b), 0);
	assert_string_equal(b.data, MODEL);
	cr_buf_fini(&b);
	cr_model_free(m);
}

static struct cr_score score_of(const struct cr_model *m, double util, const char *home)
{
	static const char *const names[] = {"x", "home, type", "util"};
	struct cr_model_bind b;
	struct cr_diag d;
	assert_int_equal(cr_model_bind(m, names, 3, &b, &d), 0);
	assert_int_equal(b.col[0], 2);
	assert_int_equal(b.col[1], 1);
	double x[3] = {7, NAN, util};
	if (home)
		x[1] = cr_model_level(m, 1, home, strlen(home));
	struct cr_score s;
	cr_model_score(m, &b, x, &s);
	return s;
}

/* util's best bin gives 60.5 points, home's 50; base 500. */
static void rows_scored_by_hand(void **state)
{
	(void)state;
	struct cr_model *m = parse_ok(MODEL);
	struct cr_score s = score_of(m, NAN, "own");          /* 500 + 40 + 50 */
	assert_int_equal(s.score, 590);
	assert_int_equal(s.n_reasons, 1);
	assert_int_equal(s.reason[0].feature, 0);
	assert_true(fabs(s.reason[0].points_lost - 20.5) < 1e-12);
	assert_int_equal(s.reason[0].missing, 1);
	s = score_of(m, 0.5, "somewhere else");               /* 500 + 20.25 + 30: others */
	assert_true(fabs(s.points - 550.25) < 1e-12);
	assert_int_equal(s.score, 550);
	assert_int_equal(s.n_reasons, 2);
	assert_int_equal(s.reason[0].feature, 0);
	assert_int_equal(s.reason[1].feature, 1);
	assert_int_equal(s.reason[0].missing, 0);
	assert_int_equal(s.reason[1].missing, 0);
	s = score_of(m, 0.95, NULL);                          /* 500 + 60.5 + 30: missing */
	assert_int_equal(s.score, 591);
	assert_int_equal(s.reason[0].feature, 1);
	/* Edges belong to the interval they close. */
	assert_true(fabs(score_of(m, 0.3, "own").points - 610.5) < 1e-12);
	assert_true(fabs(score_of(m, 0.9, "own").points - 570.25) < 1e-12);
	assert_true(fabs(score_of(m, -1e300, "rent").points - 590.5) < 1e-12);
	/* 600 points are odds of 50:1, 20 more double them. */
	assert_true(fabs(cr_model_pd(m, 600) - 1.0 / 51) < 1e-12);
	assert_true(fabs(cr_model_pd(m, 620) - 1.0 / 101) < 1e-12);
	assert_true(fabs(cr_model_points_for_odds(m, 100) - 620) < 1e-9);
	assert_true(fabs(s.pd - cr_model_pd(m, s.points)) < 1e-15);
	cr_model_free(m);
}

static void bind_names_the_missing_feature(void **state)
{
	(void)state;
	struct cr_model *m = parse_ok(MODEL);
	static const char *const names[] = {"util", "home"};
	struct cr_model_bind b;
	struct cr_diag d;
	assert_int_equal(cr_model_bind(m, names, 2, &b, &d), CR_ENOTFOUND);
	assert_string_equal(d.field, "home, type");
	cr_model_free(m);
}

/* Six features whose missing bin loses 10, 40, 0, 30, 40 and 20 points
 * against their best bin (50). */
static struct cr_model *six_features(double base)
{
	static const double lost[] = {10, 40, 0, 30, 40, 20};
	struct cr_model *m = cr_model_new();
	snprintf(m->id, sizeof m->id, "six");
	m->pdo = 20;
	m->anchor_score = 600;
	m->anchor_odds = 50;
	m->score_min = 350;
	m->score_max = 950;
	m->base_points = base;
	m->n_features = 6;
	for (int i = 0; i < 6; i++) {
		struct cr_model_feature *f = &m->feature[i];
		snprintf(f->name, sizeof f->name, "f%d", i);
		f->n_bins = 2;
		f->missing_bin = 0;
		f->bin[0].points = 50 - lost[i];
		f->bin[1].points = 50;
		f->n_intervals = 1;
		f->hi[0] = INFINITY;
		f->interval_bin[0] = 1;
	}
	struct cr_diag d;
	assert_int_equal(cr_model_finish(m, &d), 0);
	return m;
}

static void reasons_most_points_lost_first(void **state)
{
	(void)state;
	struct cr_model *m = six_features(500);
	struct cr_model_bind b;
	for (int i = 0; i < 6; i++)
		b.col[i] = (uint32_t)i;
	double x[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
	struct cr_score s;
	cr_model_score(m, &b, x, &s);
	/* 40 (f1), 40 (f4: a tie keeps the earlier first), 30 (f3), 20 (f5);
	 * f0's 10 is the fifth and f2 lost nothing. */
	assert_int_equal(s.n_reasons, 4);
	assert_int_equal(s.reason[0].feature, 1);
	assert_int_equal(s.reason[1].feature, 4);
	assert_int_equal(s.reason[2].feature, 3);
	assert_int_equal(s.reason[3].feature, 5);
	assert_true(s.reason[0].points_lost == 40 && s.reason[3].points_lost == 20);
	/* In the best bins, nothing is lost and no reason given. */
	for (int i = 0; i < 6; i++)
		x[i] = 1;
	cr_model_score(m, &b, x, &s);
	assert_int_equal(s.n_reasons, 0);
	assert_int_equal(s.score, 800);
	cr_model_free(m);
}

static void scores_clamped_to_range(void **state)
{
	(void)state;
	struct cr_model_bind b;
	for (int i = 0; i < 6; i++)
		b.col[i] = (uint32_t)i;
	const double x[6] = {1, 1, 1, 1, 1, 1};
	struct cr_score s;
	struct cr_model *m = six_features(5000);
	cr_model_score(m, &b, x, &s);
	assert_int_equal(s.score, 950);
	assert_true(s.pd < 1e-30);
	cr_model_free(m);
	m = six_features(-5000);
	cr_model_score(m, &b, x, &s);
	assert_int_equal(s.score, 350);
	assert_true(s.pd > 0.999);
	cr_model_free(m);
}

static void bad(const char *text, size_t line, const char *reason)
{
	struct cr_model *m = cr_model_new();
	struct cr_diag d;
	const size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	memcpy(copy, text, n);
	const int rc = cr_model_parse(copy, n, m, &d);
	free(copy);
	if (rc != CR_EINVAL || d.line != line || !d.reason || strcmp(d.reason, reason) != 0)
		print_error("want line %zu [%s]\n got rc %d line %zu [%s]\n", line, reason, rc, d.line,
			    d.reason ? d.reason : "(null)");
	assert_int_equal(rc, CR_EINVAL);
	assert_int_equal(d.line, line);
	assert_string_equal(d.reason, reason);
	cr_model_free(m);
}

/* HEADER is 10 lines; a feature line then is line 11. */
static void parse_errors_name_line_and_reason(void **state)
{
	(void)state;
	bad("", 1, "the file ends before its end line");
	bad("creditref-scorecard 2\n", 1, "a model file of a version this program does not read");
	bad("model_id x\n", 1, "the first line must be: creditref-scorecard 1");
	bad(HEADER "feature \"a\" numeric\nbin missing (-inf,1] points 1\nbin (2,+inf) points 2\nend\n",
	    11, "intervals must run from -inf to +inf, each starting where one ends");
	bad(HEADER "feature \"a\" categorical\nbin missing others \"x\" points 1\nbin \"x\" points 2\nend\n",
	    11, "a level is listed twice");
	bad(HEADER "feature \"a\" numeric\nbin missing (-inf,+inf) woe 1\nend\n", 12, "a bin needs its points");
	bad(HEADER "feature \"a\" numeric\nbin missing (-inf,+inf) points 1\nbin missing points 2\nend\n",
	    13, "missing is in two bins");
	bad(HEADER "feature \"a\" numeric\nbin missing (-inf,+inf) points 1\nend\nmeta a b\n", 14,
	    "text after the end line");
	bad(HEADER "feature \"a\" numeric\nbin missing (-inf,+inf) points 1\n", 13,
	    "the file ends before its end line");
	bad(HEADER "bin missing points 1\n", 11, "reason and bin belong to a feature");
	bad(HEADER "colour blue\n", 11, "an unknown keyword");
	bad(HEADER "feature \"a numeric\n", 11, "a string left open");
	bad(HEADER "feature \"a\x01\" numeric\n", 11, "a control character");
	/* A tab separates words, but the writer cannot write one inside a
	 * string (found by fuzz/model.c). */
	bad(HEADER "feature \"a\tb\" numeric\n", 11, "a tab inside a string");
	bad(HEADER "feature\t\"a\"\tnumeric\nbin missing (-inf,+inf) points 1\nreason \"x\ty\"\nend\n", 13,
	    "a tab inside a string");
	bad(HEADER "feature \"a\xff\" numeric\n", 11, "the line is not valid UTF-8");
	bad(HEADER "feature \"a\" numeric\nbin missing (1,-inf] points 1\nend\n", 12,
	    "an interval is (LO,HI] or (LO,+inf), LO a number or -inf, LO < HI");
	bad(HEADER "feature \"a\" numeric\nbin missing (-inf,+inf) points nan\nend\n", 12,
	    "points and woe are numbers, good and bad whole counts");
	bad("creditref-scorecard 1\nscaling pdo 20 anchor_score 600 anchor_odds 50\n"
	    "score_range 350 950\nfeature \"a\" numeric\nbin missing (-inf,+inf) points 1\nend\n", 6,
	    "model_id, scaling and score_range are required before the features");
	bad(HEADER "model_id again\n", 11, "given twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_is_identity),
		cmocka_unit_test(rows_scored_by_hand),
		cmocka_unit_test(reasons_measure_against_the_best_present_value),
		cmocka_unit_test(bind_names_the_missing_feature),
		cmocka_unit_test(reasons_most_points_lost_first),
		cmocka_unit_test(scores_clamped_to_range),
		cmocka_unit_test(parse_errors_name_line_and_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
