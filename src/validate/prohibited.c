/*
 * prohibited.c - the lists of prohibited keys and free-text markers, and the
 * matchers for them (see prohibited.h).
 *
 * Keys are compared one listed name at a time: the check runs only for a
 * key that is not a field of its record, which is already a rejected line,
 * so a short linear scan is the clearest choice.
 *
 * Free text is scanned once.  Two tables are built on first use: a bitmap of
 * the byte pairs that start a marker (lower case), and the markers indexed by
 * their first byte.  At each position of the text one bitmap test decides
 * whether any marker can start there, which is almost never, and only then
 * are the few markers with that first byte tried.  That keeps the check to
 * about one table lookup per character of a name or address (some 70 ns for
 * a 25-character Chinese address); indexing by first byte alone cost twice
 * as much, because nearly every CJK character begins with one of the lead
 * bytes that CJK markers begin with.
 *
 * The free-text markers are chosen for false positives as much as for hits:
 * a bare 民族 or 宗教 is part of real addresses (民族路, 民族大道, the
 * 民族宗教事务局 offices), and 基因 of real workplaces (华大基因, the national
 * gene bank 国家基因库), so those count only as labels ("民族:").  Words that
 * no name or postal address contains (血型, 病史, 指纹, 政治面貌, "HIV",
 * "blood type") count anywhere.  docs/FORMAT.md gives the full reasoning.
 */
#include "prohibited.h"

#include <pthread.h>
#include <stdint.h>

#define TERM(text, cat) {text, CR_PROHIB_##cat, 0}
#define LABEL(text, cat) {text, CR_PROHIB_##cat, 1}

/* Keys, in snake_case; "blood_type" also stands for "bloodtype",
 * "BloodType" and "blood-type".  Keep docs/FORMAT.md in step. */
static const struct cr_prohibited_term keys[] = {
	TERM("religion", RELIGION),
	TERM("religious_belief", RELIGION),
	TERM("religious_affiliation", RELIGION),
	TERM("faith", RELIGION),
	TERM("zongjiao", RELIGION),
	TERM("zongjiao_xinyang", RELIGION),
	TERM("宗教", RELIGION),
	TERM("宗教信仰", RELIGION),
	TERM("信仰", RELIGION),

	TERM("ethnicity", ETHNICITY),
	TERM("ethnic", ETHNICITY),
	TERM("ethnic_group", ETHNICITY),
	TERM("ethnic_origin", ETHNICITY),
	TERM("nationality_ethnic", ETHNICITY),
	TERM("race", ETHNICITY),
	TERM("racial_origin", ETHNICITY),
	TERM("minzu", ETHNICITY),
	TERM("民族", ETHNICITY),
	TERM("种族", ETHNICITY),

	TERM("health", HEALTH),
	TERM("health_status", HEALTH),
	TERM("health_condition", HEALTH),
	TERM("mental_health", HEALTH),
	TERM("medical", HEALTH),
	TERM("medical_history", HEALTH),
	TERM("medical_record", HEALTH),
	TERM("medical_records", HEALTH),
	TERM("medical_condition", HEALTH),
	TERM("diagnosis", HEALTH),
	TERM("disease", HEALTH),
	TERM("illness", HEALTH),
	TERM("disability", HEALTH),
	TERM("pregnancy", HEALTH),
	TERM("hiv_status", HEALTH),
	TERM("jiankang", HEALTH),
	TERM("bingshi", HEALTH),
	TERM("健康", HEALTH),
	TERM("健康状况", HEALTH),
	TERM("病史", HEALTH),
	TERM("既往病史", HEALTH),
	TERM("病历", HEALTH),
	TERM("医疗记录", HEALTH),
	TERM("诊断", HEALTH),
	TERM("疾病", HEALTH),
	TERM("残疾", HEALTH),

	TERM("genes", GENETIC),
	TERM("gene", GENETIC),
	TERM("genetic", GENETIC),
	TERM("genetics", GENETIC),
	TERM("genetic_data", GENETIC),
	TERM("genetic_test", GENETIC),
	TERM("dna", GENETIC),
	TERM("genome", GENETIC),
	TERM("genotype", GENETIC),
	TERM("jiyin", GENETIC),
	TERM("基因", GENETIC),
	TERM("遗传", GENETIC),

	TERM("fingerprint", BIOMETRIC),
	TERM("fingerprints", BIOMETRIC),
	TERM("biometric", BIOMETRIC),
	TERM("biometrics", BIOMETRIC),
	TERM("biometric_data", BIOMETRIC),
	TERM("face", BIOMETRIC),
	TERM("face_image", BIOMETRIC),
	TERM("facial_image", BIOMETRIC),
	TERM("face_template", BIOMETRIC),
	TERM("iris", BIOMETRIC),
	TERM("iris_scan", BIOMETRIC),
	TERM("retina", BIOMETRIC),
	TERM("voiceprint", BIOMETRIC),
	TERM("palm_print", BIOMETRIC),
	TERM("palm_vein", BIOMETRIC),
	TERM("finger_vein", BIOMETRIC),
	TERM("zhiwen", BIOMETRIC),
	TERM("指纹", BIOMETRIC),
	TERM("人脸", BIOMETRIC),
	TERM("人脸图像", BIOMETRIC),
	TERM("虹膜", BIOMETRIC),
	TERM("声纹", BIOMETRIC),
	TERM("掌纹", BIOMETRIC),
	TERM("生物特征", BIOMETRIC),

	TERM("blood_type", BLOOD_TYPE),
	TERM("blood_group", BLOOD_TYPE),
	TERM("xuexing", BLOOD_TYPE),
	TERM("血型", BLOOD_TYPE),

	TERM("political_affiliation", POLITICAL),
	TERM("political_party", POLITICAL),
	TERM("political_status", POLITICAL),
	TERM("political_views", POLITICAL),
	TERM("party", POLITICAL),
	TERM("party_membership", POLITICAL),
	TERM("party_member", POLITICAL),
	TERM("zhengzhi_mianmao", POLITICAL),
	TERM("政治面貌", POLITICAL),
	TERM("党派", POLITICAL),
};

/* Free-text markers.  LABEL: only before ':' or '='.  TERM: anywhere. */
static const struct cr_prohibited_term markers[] = {
	LABEL("religion", RELIGION),
	LABEL("religious belief", RELIGION),
	LABEL("faith", RELIGION),
	LABEL("zongjiao", RELIGION),
	LABEL("宗教", RELIGION),
	LABEL("信仰", RELIGION),
	TERM("宗教信仰", RELIGION),

	LABEL("ethnicity", ETHNICITY),
	LABEL("ethnic group", ETHNICITY),
	LABEL("race", ETHNICITY),
	LABEL("minzu", ETHNICITY),
	LABEL("民族", ETHNICITY),
	LABEL("种族", ETHNICITY),

	LABEL("health", HEALTH),
	LABEL("health status", HEALTH),
	LABEL("medical record", HEALTH),
	LABEL("diagnosis", HEALTH),
	LABEL("disease", HEALTH),
	LABEL("illness", HEALTH),
	LABEL("disability", HEALTH),
	LABEL("健康", HEALTH),
	LABEL("健康状况", HEALTH),
	LABEL("诊断", HEALTH),
	LABEL("疾病", HEALTH),
	LABEL("残疾", HEALTH),
	TERM("medical history", HEALTH),
	TERM("hiv", HEALTH),
	TERM("病史", HEALTH),
	TERM("艾滋病", HEALTH),

	LABEL("gene", GENETIC),
	LABEL("genes", GENETIC),
	LABEL("genetic", GENETIC),
	LABEL("genome", GENETIC),
	LABEL("dna", GENETIC),
	LABEL("基因", GENETIC),

	LABEL("fingerprint", BIOMETRIC),
	LABEL("biometric", BIOMETRIC),
	LABEL("biometrics", BIOMETRIC),
	LABEL("face image", BIOMETRIC),
	LABEL("voiceprint", BIOMETRIC),
	LABEL("人脸", BIOMETRIC),
	LABEL("虹膜", BIOMETRIC),
	LABEL("声纹", BIOMETRIC),
	LABEL("掌纹", BIOMETRIC),
	LABEL("生物特征", BIOMETRIC),
	TERM("指纹", BIOMETRIC),

	TERM("blood type", BLOOD_TYPE),
	TERM("blood group", BLOOD_TYPE),
	LABEL("xuexing", BLOOD_TYPE),
	TERM("血型", BLOOD_TYPE),

	LABEL("political affiliation", POLITICAL),
	LABEL("political party", POLITICAL),
	LABEL("political status", POLITICAL),
	LABEL("party membership", POLITICAL),
	LABEL("党派", POLITICAL),
	TERM("政治面貌", POLITICAL),
};

#define N_KEYS (sizeof keys / sizeof keys[0])
#define N_MARKERS (sizeof markers / sizeof markers[0])
_Static_assert(N_MARKERS < 256, "the marker index holds uint8_t positions");

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

static int is_sep(unsigned char c)
{
	return c == ' ' || c == '_' || c == '-';
}

static int is_alnum(unsigned char c)
{
	const unsigned char l = lower(c);
	return (l >= 'a' && l <= 'z') || (c >= '0' && c <= '9');
}

/* Equal when k[0..n) and term are the same ignoring ASCII case and
 * separators on both sides. */
static int key_equal(const char *k, size_t n, const char *term)
{
	size_t i = 0;
	for (;;) {
		while (i < n && is_sep((unsigned char)k[i]))
			i++;
		while (*term && is_sep((unsigned char)*term))
			term++;
		if (i == n || !*term)
			return i == n && !*term;
		if (lower((unsigned char)k[i]) != (unsigned char)*term)
			return 0;
		i++;
		term++;
	}
}

unsigned cr_prohibited_key(const char *k, size_t n)
{
	if (!k || n == 0)
		return CR_PROHIB_NONE;
	for (size_t i = 0; i < N_KEYS; i++)
		if (key_equal(k, n, keys[i].text))
			return keys[i].category;
	return CR_PROHIB_NONE;
}

/* Bit (b0 << 8 | b1) is set when some marker starts with bytes b0 b1. */
static uint64_t pair_bits[65536 / 64];
/* markers[order[start[b]] .. order[start[b + 1] - 1]] start with byte b. */
static uint8_t index_start[257];
static uint8_t index_order[N_MARKERS];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
	unsigned count[256] = {0};
	for (size_t i = 0; i < N_MARKERS; i++)
		count[(unsigned char)markers[i].text[0]]++;
	unsigned at = 0;
	for (unsigned b = 0; b < 256; b++) {
		index_start[b] = (uint8_t)at;
		at += count[b];
	}
	index_start[256] = (uint8_t)at;
	unsigned fill[256];
	for (unsigned b = 0; b < 256; b++)
		fill[b] = index_start[b];
	for (size_t i = 0; i < N_MARKERS; i++) {
		const unsigned char *t = (const unsigned char *)markers[i].text;
		const unsigned pair = (unsigned)t[0] << 8 | t[1];
		index_order[fill[t[0]]++] = (uint8_t)i;
		pair_bits[pair / 64] |= 1ULL << (pair % 64);
	}
}

/* Matches pat at s[i..n) (see prohibited.h for ' '); returns the end of the
 * match, or 0 when there is none (a match never ends at 0). */
static size_t match_at(const char *s, size_t n, size_t i, const char *pat)
{
	for (; *pat; pat++) {
		if (*pat == ' ') {
			while (i < n && is_sep((unsigned char)s[i]))
				i++;
			continue;
		}
		if (i == n || lower((unsigned char)s[i]) != (unsigned char)*pat)
			return 0;
		i++;
	}
	return i;
}

/* Whether a label delimiter follows s[i..n): spaces or tabs, then ':', '='
 * or the full-width U+FF1A '：' or U+FF1D '＝'. */
static int label_follows(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n)
		return 0;
	if (s[i] == ':' || s[i] == '=')
		return 1;
	return n - i >= 3 && s[i] == '\xef' && s[i + 1] == '\xbc' &&
	       (s[i + 2] == '\x9a' || s[i + 2] == '\x9d');
}

/* Whether marker m occurs at s[i..n), its boundary rules included. */
static int marker_at(const struct cr_prohibited_term *m, const char *s,
		     size_t n, size_t i)
{
	const unsigned char first = (unsigned char)m->text[0];
	const int ascii_word = first < 0x80;
	if (ascii_word && i > 0 && is_alnum((unsigned char)s[i - 1]))
		return 0;
	const size_t end = match_at(s, n, i, m->text);
	if (end == 0)
		return 0;
	if (m->labelled)
		return label_follows(s, n, end);
	return !ascii_word || end == n || !is_alnum((unsigned char)s[end]);
}

unsigned cr_prohibited_text(const char *s, size_t n)
{
	if (!s)
		return CR_PROHIB_NONE;
	pthread_once(&index_once, build_index);
	/* Every marker is at least two bytes long and its second byte is not a
	 * ' ' pattern (tests/unit/validate/test_prohibited.c checks both). */
	size_t step;
	for (size_t i = 0; i + 1 < n; i += step) {
		const unsigned b = lower((unsigned char)s[i]);
		/* Markers start at a character: step over whole UTF-8 sequences. */
		step = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
		const unsigned pair = b << 8 | lower((unsigned char)s[i + 1]);
		if (!(pair_bits[pair / 64] & (1ULL << (pair % 64))))
			continue;
		for (unsigned k = index_start[b]; k < index_start[b + 1]; k++) {
			const struct cr_prohibited_term *m = &markers[index_order[k]];
			if (marker_at(m, s, n, i))
				return m->category;
		}
	}
	return CR_PROHIB_NONE;
}

const struct cr_prohibited_term *cr_prohibited_keys(size_t *n)
{
	*n = N_KEYS;
	return keys;
}

const struct cr_prohibited_term *cr_prohibited_markers(size_t *n)
{
	*n = N_MARKERS;
	return markers;
}

const char *cr_prohibited_category_name(unsigned category)
{
	static const char *const names[] = {
		"?", "religion", "ethnicity", "health", "genetic",
		"biometric", "blood type", "political affiliation",
	};
	return category < sizeof names / sizeof names[0] ? names[category] : "?";
}
