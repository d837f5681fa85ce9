/*
 * test_prohibited.c - unit tests for the prohibited-information lists and
 * matchers (src/validate/prohibited.c).
 *
 * The lists are written out again here, so that a name dropped from the
 * library (or added without a test) fails a test, and docs/FORMAT.md is
 * checked against the same lists.  Markers are tried in the ways a
 * furnisher's system would leak them, and next to realistic names and
 * addresses that must still pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prohibited.h"

struct want {
	const char *text;
	unsigned category;
};

#define REL CR_PROHIB_RELIGION
#define ETH CR_PROHIB_ETHNICITY
#define HEA CR_PROHIB_HEALTH
#define GEN CR_PROHIB_GENETIC
#define BIO CR_PROHIB_BIOMETRIC
#define BLD CR_PROHIB_BLOOD_TYPE
#define POL CR_PROHIB_POLITICAL

static const struct want want_keys[] = {
	{"religion", REL}, {"religious_belief", REL}, {"religious_affiliation", REL},
	{"faith", REL}, {"zongjiao", REL}, {"zongjiao_xinyang", REL},
	{"宗教", REL}, {"宗教信仰", REL}, {"信仰", REL},
	{"ethnicity", ETH}, {"ethnic", ETH}, {"ethnic_group", ETH},
	{"ethnic_origin", ETH}, {"nationality_ethnic", ETH}, {"race", ETH},
	{"racial_origin", ETH}, {"minzu", ETH}, {"民族", ETH}, {"种族", ETH},
	{"health", HEA}, {"health_status", HEA}, {"health_condition", HEA},
	{"mental_health", HEA}, {"medical", HEA}, {"medical_history", HEA},
	{"medical_record", HEA}, {"medical_records", HEA},
	{"medical_condition", HEA}, {"diagnosis", HEA}, {"disease", HEA},
	{"illness", HEA}, {"disability", HEA}, {"pregnancy", HEA},
	{"hiv_status", HEA}, {"jiankang", HEA}, {"bingshi", HEA}, {"健康", HEA},
	{"健康状况", HEA}, {"病史", HEA}, {"既往病史", HEA}, {"病历", HEA},
	{"医疗记录", HEA}, {"诊断", HEA}, {"疾病", HEA}, {"残疾", HEA},
	{"genes", GEN}, {"gene", GEN}, {"genetic", GEN}, {"genetics", GEN},
	{"genetic_data", GEN}, {"genetic_test", GEN}, {"dna", GEN},
	{"genome", GEN}, {"genotype", GEN}, {"jiyin", GEN}, {"基因", GEN},
	{"遗传", GEN},
	{"fingerprint", BIO}, {"fingerprints", BIO}, {"biometric", BIO},
	{"biometrics", BIO}, {"biometric_data", BIO}, {"face", BIO},
	{"face_image", BIO}, {"facial_image", BIO}, {"face_template", BIO},
	{"iris", BIO}, {"iris_scan", BIO}, {"retina", BIO}, {"voiceprint", BIO},
	{"palm_print", BIO}, {"palm_vein", BIO}, {"finger_vein", BIO},
	{"zhiwen", BIO}, {"指纹", BIO}, {"人脸", BIO}, {"人脸图像", BIO},
	{"虹膜", BIO}, {"声纹", BIO}, {"掌纹", BIO}, {"生物特征", BIO},
	{"blood_type", BLD}, {"blood_group", BLD}, {"xuexing", BLD}, {"血型", BLD},
	{"political_affiliation", POL}, {"political_party", POL},
	{"political_status", POL}, {"political_views", POL}, {"party", POL},
	{"party_membership", POL}, {"party_member", POL},
	{"zhengzhi_mianmao", POL}, {"政治面貌", POL}, {"党派", POL},
};

struct want_marker {
	const char *text;
	unsigned category;
	unsigned labelled;
};

static const struct want_marker want_markers[] = {
	{"religion", REL, 1}, {"religious belief", REL, 1}, {"faith", REL, 1},
	{"zongjiao", REL, 1}, {"宗教", REL, 1}, {"信仰", REL, 1},
	{"宗教信仰", REL, 0},
	{"ethnicity", ETH, 1}, {"ethnic group", ETH, 1}, {"race", ETH, 1},
	{"minzu", ETH, 1}, {"民族", ETH, 1}, {"种族", ETH, 1},
	{"health", HEA, 1}, {"health status", HEA, 1}, {"medical record", HEA, 1},
	{"diagnosis", HEA, 1}, {"disease", HEA, 1}, {"illness", HEA, 1},
	{"disability", HEA, 1}, {"健康", HEA, 1}, {"健康状况", HEA, 1},
	{"诊断", HEA, 1}, {"疾病", HEA, 1}, {"残疾", HEA, 1},
	{"medical history", HEA, 0}, {"hiv", HEA, 0}, {"病史", HEA, 0},
	{"艾滋病", HEA, 0},
	{"gene", GEN, 1}, {"genes", GEN, 1}, {"genetic", GEN, 1},
	{"genome", GEN, 1}, {"dna", GEN, 1}, {"基因", GEN, 1},
	{"fingerprint", BIO, 1}, {"biometric", BIO, 1}, {"biometrics", BIO, 1},
	{"face image", BIO, 1}, {"voiceprint", BIO, 1}, {"人脸", BIO, 1},
	{"虹膜", BIO, 1}, {"声纹", BIO, 1}, {"掌纹", BIO, 1},
	{"生物特征", BIO, 1}, {"指纹", BIO, 0},
	{"blood type", BLD, 0}, {"blood group", BLD, 0}, {"xuexing", BLD, 1},
	{"血型", BLD, 0},
	{"political affiliation", POL, 1}, {"political party", POL, 1},
	{"political status", POL, 1}, {"party membership", POL, 1},
	{"党派", POL, 1}, {"政治面貌", POL, 0},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static unsigned key(const char *k)
{
	return cr_prohibited_key(k, strlen(k));
}

static unsigned text(const char *s)
{
	/* An exact-size heap copy without a NUL, so ASan sees an over-read. */
	const size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, s, n);
	const unsigned c = cr_prohibited_text(copy, n);
	free(copy);
	return c;
}

/* Rewrites an ASCII snake_case or spaced term: sep replaces each separator
 * ('\0' drops it) and case_mode is 0 (keep), 1 (UPPER) or 2 (CamelCase). */
static void variant(const char *t, char sep, int case_mode, char *out, size_t cap)
{
	size_t o = 0;
	int word_start = 1;
	for (; *t && o + 1 < cap; t++) {
		char c = *t;
		if (c == '_' || c == ' ') {
			if (sep)
				out[o++] = sep;
			word_start = 1;
			continue;
		}
		if (c >= 'a' && c <= 'z' && (case_mode == 1 || (case_mode == 2 && word_start)))
			c = (char)(c - 'a' + 'A');
		out[o++] = c;
		word_start = 0;
	}
	out[o] = '\0';
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* ---- The lists. ---- */

static void test_key_list_matches(void **state)
{
	(void)state;
	size_t n;
	const struct cr_prohibited_term *keys = cr_prohibited_keys(&n);
	assert_int_equal(n, COUNT(want_keys));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(keys[i].text, want_keys[i].text);
		assert_int_equal(keys[i].category, want_keys[i].category);
	}
	/* No two listed names are the same key once normalized. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			char a[64], b[64];
			variant(keys[i].text, '\0', 0, a, sizeof a);
			variant(keys[j].text, '\0', 0, b, sizeof b);
			if (strcmp(a, b) == 0)
				fail_msg("%s and %s are the same key", keys[i].text,
					 keys[j].text);
		}
}

static void test_marker_list_matches(void **state)
{
	(void)state;
	size_t n;
	const struct cr_prohibited_term *m = cr_prohibited_markers(&n);
	assert_int_equal(n, COUNT(want_markers));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(m[i].text, want_markers[i].text);
		assert_int_equal(m[i].category, want_markers[i].category);
		assert_int_equal(m[i].labelled, want_markers[i].labelled);
		/* The scanner's pair bitmap needs two literal bytes first. */
		assert_true(strlen(m[i].text) >= 2);
		assert_true(m[i].text[0] != ' ' && m[i].text[1] != ' ');
		for (const char *c = m[i].text; *c; c++)
			assert_false(*c >= 'A' && *c <= 'Z');
	}
}

/* Every key and marker appears in docs/FORMAT.md (the path is relative to
 * the repository root, where make runs the tests). */
static void test_documented(void **state)
{
	(void)state;
	FILE *f = fopen("docs/FORMAT.md", "rb");
	if (!f)
		skip();
	static char doc[1 << 16];
	const size_t len = fread(doc, 1, sizeof doc - 1, f);
	fclose(f);
	doc[len] = '\0';
	char quoted[80];
	for (size_t i = 0; i < COUNT(want_keys); i++) {
		snprintf(quoted, sizeof quoted, "`%s`", want_keys[i].text);
		if (!strstr(doc, quoted))
			fail_msg("docs/FORMAT.md does not list the key %s", quoted);
	}
	for (size_t i = 0; i < COUNT(want_markers); i++) {
		snprintf(quoted, sizeof quoted, "`%s`", want_markers[i].text);
		if (!strstr(doc, quoted))
			fail_msg("docs/FORMAT.md does not list the marker %s", quoted);
	}
}

/* ---- Keys. ---- */

static void test_every_key_and_variants(void **state)
{
	(void)state;
	char v[80];
	for (size_t i = 0; i < COUNT(want_keys); i++) {
		const char *k = want_keys[i].text;
		const unsigned c = want_keys[i].category;
		assert_int_equal(key(k), c);
		if (!is_ascii(k))
			continue;
		static const char seps[] = {'_', '-', ' ', '\0'};
		for (size_t s = 0; s < sizeof seps; s++)
			for (int mode = 0; mode < 3; mode++) {
				variant(k, seps[s], mode, v, sizeof v);
				if (key(v) != c)
					fail_msg("key %s (from %s) not refused", v, k);
			}
	}
	assert_int_equal(key("BloodType"), BLD);
	assert_int_equal(key("blood-type"), BLD);
	assert_int_equal(key("BLOOD_TYPE"), BLD);
	assert_int_equal(key("_blood__type_"), BLD);
	assert_int_equal(key("PoliticalAffiliation"), POL);
}

static void test_keys_that_pass(void **state)
{
	(void)state;
	/* Every field of FORMAT.md, in any case. */
	static const char *const known[] = {
		"type", "code", "name", "kind", "institution", "account", "id_type",
		"id", "phone", "address", "product", "status", "opened", "currency",
		"credit_limit", "principal", "term_months", "co_lenders", "month",
		"balance", "due", "paid", "overdue", "dpd", "scope", "purpose",
		"granted", "expires", "revoked", "evidence", "share_bp",
	};
	char v[80];
	for (size_t i = 0; i < COUNT(known); i++) {
		assert_int_equal(key(known[i]), CR_PROHIB_NONE);
		variant(known[i], '\0', 2, v, sizeof v);
		assert_int_equal(key(v), CR_PROHIB_NONE);
	}
	/* Near misses: keys are whole names, not substrings. */
	static const char *const near[] = {
		"nickname", "colour", "third_party_ref", "counterparty", "surface",
		"interface", "general", "generated", "trace_id", "grace_period",
		"healthy", "races", "faithful", "genesis", "dnas", "partying",
		"民族路", "宗", "", "_", "--", "religionx", "xreligion",
		"blood", "type_blood",
	};
	for (size_t i = 0; i < COUNT(near); i++)
		if (key(near[i]) != CR_PROHIB_NONE)
			fail_msg("key %s refused", near[i]);
	assert_int_equal(cr_prohibited_key(NULL, 0), CR_PROHIB_NONE);
	/* Length-delimited: "race" followed by bytes outside the key. */
	assert_int_equal(cr_prohibited_key("racecar", 4), ETH);
	assert_int_equal(cr_prohibited_key("race", 3), CR_PROHIB_NONE);
}

/* ---- Free-text markers. ---- */

static void expect_hit(const char *s, unsigned category)
{
	const unsigned c = text(s);
	if (c != category)
		fail_msg("text [%s]: want category %u, got %u", s, category, c);
}

static void test_every_marker(void **state)
{
	(void)state;
	/* Delimiters a label may take, with and without spaces before. */
	static const char *const delims[] = {":", "=", " : ", "\t=", "\xef\xbc\x9a",
					     " \xef\xbc\x9d"};
	char v[96], s[160];
	for (size_t i = 0; i < COUNT(want_markers); i++) {
		const struct want_marker *m = &want_markers[i];
		const int ascii = is_ascii(m->text);
		for (int mode = 0; mode < (ascii ? 3 : 1); mode++)
			for (int sep = 0; sep < (ascii ? 4 : 1); sep++) {
				static const char seps[] = {' ', '_', '-', '\0'};
				variant(m->text, seps[sep], mode, v, sizeof v);
				if (m->labelled) {
					for (size_t d = 0; d < COUNT(delims); d++) {
						snprintf(s, sizeof s, "%s%s AB", v, delims[d]);
						expect_hit(s, m->category);
						snprintf(s, sizeof s, "Zhang San (%s%sx)", v, delims[d]);
						expect_hit(s, m->category);
					}
					/* Without the delimiter a label is not a marker. */
					snprintf(s, sizeof s, "%s x", v);
					expect_hit(s, CR_PROHIB_NONE);
					snprintf(s, sizeof s, "%s", v);
					expect_hit(s, CR_PROHIB_NONE);
				} else {
					snprintf(s, sizeof s, "%s", v);
					expect_hit(s, m->category);
					snprintf(s, sizeof s, "x %s y", v);
					expect_hit(s, m->category);
					snprintf(s, sizeof s, "%s=1", v);
					expect_hit(s, m->category);
				}
			}
	}
	/* The brief's examples, verbatim. */
	expect_hit("religion: none", REL);
	expect_hit("ethnicity: Han", ETH);
	expect_hit("blood type: AB", BLD);
	expect_hit("blood_type=AB", BLD);
	expect_hit("diagnosis: diabetes", HEA);
	expect_hit("HIV+", HEA);
	expect_hit("hiv-1 positive", HEA);
	expect_hit("宗教：佛教", REL);
	expect_hit("民族:汉", ETH);
	expect_hit("血型AB", BLD);
	expect_hit("既往病史无", HEA);
	expect_hit("右手指纹", BIO);
	expect_hit("基因: BRCA1", GEN);
	expect_hit("政治面貌群众", POL);
	expect_hit("张三 民族：汉 住址：北京", ETH);
}

static void test_boundaries(void **state)
{
	(void)state;
	/* An ASCII marker does not start inside a word... */
	expect_hit("Terrace: 5", CR_PROHIB_NONE);
	expect_hit("Horace: Lee", CR_PROHIB_NONE);
	expect_hit("Eugene: Park", CR_PROHIB_NONE);
	expect_hit("Commonhealth: x", CR_PROHIB_NONE);
	expect_hit("12 Archive Lane", CR_PROHIB_NONE);
	expect_hit("Shiva Rao", CR_PROHIB_NONE);
	/* ... and an unlabelled one does not end inside one. */
	expect_hit("Hive Road 3", CR_PROHIB_NONE);
	expect_hit("HIVE", CR_PROHIB_NONE);
	expect_hit("bloodtypes", CR_PROHIB_NONE);
	/* A digit or a CJK character next to it is a boundary. */
	expect_hit("1HIV", CR_PROHIB_NONE);
	expect_hit("患者HIV阳性", HEA);
	expect_hit("张三race:x", ETH);
	/* At the very end, and split across the end. */
	expect_hit("x hiv", HEA);
	expect_hit("race", CR_PROHIB_NONE);
	expect_hit("race ", CR_PROHIB_NONE);
	expect_hit("race\xef\xbc", CR_PROHIB_NONE);
	expect_hit("血", CR_PROHIB_NONE);
	expect_hit("", CR_PROHIB_NONE);
	expect_hit("h", CR_PROHIB_NONE);
	assert_int_equal(cr_prohibited_text(NULL, 0), CR_PROHIB_NONE);
}

/* Real names, addresses and evidence references that must pass. */
static const char *const must_pass[] = {
	"Zhang San", "张三", "欧阳娜娜", "Faith Wang", "Iris Chen", "Grace Li",
	"Eugene Park", "Gene Kim", "Hope Race", "Dean Health", "Hiva Moradi",
	"Faith Street 3", "3 Race Course Road", "Health Road 5",
	"民族大道1号", "广西壮族自治区南宁市青秀区民族大道100号",
	"云南省昆明市五华区民族路12号", "内蒙古呼和浩特市新城区民族商场",
	"北京市西城区复兴门内大街49号民族文化宫", "贵州省黔东南州雷山县民族乡",
	"广西壮族自治区民族宗教事务委员会", "上海市虹口区健康路8号",
	"杭州市疾病预防控制中心", "北京市残疾人联合会",
	"深圳市盐田区北山工业区华大基因中心", "深圳市大鹏新区国家基因库",
	"信仰路", "党派大楼", "人脸识别核验通过",
	"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"contract C-2024-0001 signed at branch 12",
	"evidence: signed form, ref 88", "Note: race day contract",
	"signed face-to-face at branch 12", "third party: Alipay",
	"Iris: Chen",
};

static void test_realistic_text_passes(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(must_pass); i++)
		if (text(must_pass[i]) != CR_PROHIB_NONE)
			fail_msg("refused: %s", must_pass[i]);
}

static void test_category_names(void **state)
{
	(void)state;
	assert_string_equal(cr_prohibited_category_name(CR_PROHIB_RELIGION), "religion");
	assert_string_equal(cr_prohibited_category_name(CR_PROHIB_POLITICAL),
			    "political affiliation");
	assert_string_equal(cr_prohibited_category_name(0), "?");
	assert_string_equal(cr_prohibited_category_name(99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_list_matches),
		cmocka_unit_test(test_marker_list_matches),
		cmocka_unit_test(test_documented),
		cmocka_unit_test(test_every_key_and_variants),
		cmocka_unit_test(test_keys_that_pass),
		cmocka_unit_test(test_every_marker),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_realistic_text_passes),
		cmocka_unit_test(test_category_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
