/*
 * gen_people.c - identities for the generator: institutions, resident ID
 * numbers, names, phones and addresses.
 *
 * Resident IDs must be unique without remembering the ones already handed
 * out (a run may make hundreds of millions).  The generator therefore walks a
 * keyed pseudo-random permutation of the whole ID space: counter c maps to
 * x = P(c), a bijection on [0, counties * birth days * 1000), and x decodes
 * into (county, birth day, three-digit sequence).  Distinct counters give
 * distinct IDs by construction.  P is a four-round Feistel network over the
 * next even power of two, cycle-walked back into range.  Ages are skewed
 * towards working age by rejection: a decoded ID whose age band has weight w
 * is kept with probability w, and a rejected counter is simply never used.
 *
 * Everything else is drawn from small weighted tables: the common surnames
 * cover about two thirds of the population in roughly their real shares;
 * given names are one or two characters from pools by sex (odd sequence
 * digits are men, as in GB 11643).
 */
#include "gen_int.h"

#include <stdlib.h>

#include "cr_date.h"
#include "cr_err.h"
#include "cr_id.h"

/* ---- Institutions. ---- */

static const char *const brand_a[16] = {"华", "瑞", "鼎", "嘉", "恒", "安", "兴", "泰",
	"永", "盛", "信", "和", "汇", "富", "宏", "长"};
static const char *const brand_b[16] = {"通", "丰", "源", "诚", "达", "隆", "昌", "益",
	"祥", "融", "鑫", "荣", "邦", "远", "德", "润"};
static const char *const kind_suffix[5] = {"", "银行", "消费金融", "数字科技",
	"小额贷款"};
static const char kind_letter[5] = {'?', 'B', 'C', 'P', 'M'};
_Static_assert(CR_GEN_INSTITUTIONS_MAX <= 16 * 16, "one brand pair per institution");

void cr_gen__inst_name(uint8_t kind, uint32_t index, char *out, size_t cap)
{
	/* Each kind starts at a different brand pair, and 256 pairs exceed
	 * CR_GEN_INSTITUTIONS_MAX, so names are unique within a run. */
	uint32_t k = (index * 37u + 61u * kind) % 256u;
	snprintf(out, cap, "%s%s%s", brand_a[k % 16], brand_b[k / 16],
		 kind_suffix[kind]);
}

/* Institution mix: 30% banks, 20% consumer finance, 30% platforms, the rest
 * microlenders, at least one of each. */
static int make_institutions(struct cr_gen *g)
{
	uint32_t n = g->o->institutions;
	if (n < CR_GEN_INSTITUTIONS_MIN)
		n = CR_GEN_INSTITUTIONS_MIN;
	if (n > CR_GEN_INSTITUTIONS_MAX)
		n = CR_GEN_INSTITUTIONS_MAX;
	uint32_t count[5] = {0, n * 30 / 100, n * 20 / 100, n * 30 / 100, 0};
	for (int k = 1; k <= 3; k++)
		if (count[k] == 0)
			count[k] = 1;
	count[4] = n - count[1] - count[2] - count[3];
	CR_ASSERT(count[4] >= 1);
	g->insts = calloc(n, sizeof *g->insts);
	if (!g->insts)
		return CR_ENOMEM;
	g->n_insts = n;
	uint32_t at = 0;
	for (uint8_t k = 1; k <= 4; k++) {
		g->kind_first[k] = at;
		g->kind_count[k] = count[k];
		for (uint32_t i = 0; i < count[k]; i++, at++) {
			struct cr_institution *r = &g->insts[at].rec;
			snprintf(r->code, sizeof r->code, "%c%04u",
				 kind_letter[k], (unsigned)(i + 1));
			cr_gen__inst_name(k, i, r->name, sizeof r->name);
			r->kind = k;
		}
	}
	CR_ASSERT(at == n);
	return 0;
}

/* ---- The ID permutation. ---- */

static uint64_t feistel_round(uint64_t half, uint64_t key, uint64_t mask)
{
	uint64_t x = half ^ key;
	return cr_gen__splitmix(&x) & mask;
}

static uint64_t permute(const struct cr_gen *g, uint64_t c)
{
	int bits = 1;
	while ((1ULL << (2 * bits)) < g->id_space)
		bits++;
	uint64_t mask = (1ULL << bits) - 1;
	uint64_t x = c;
	/* Cycle walking: a permutation of the power-of-two domain, applied
	 * again until the value falls back inside [0, id_space). */
	do {
		uint64_t left = x >> bits, right = x & mask;
		for (int r = 0; r < 4; r++) {
			uint64_t t = left ^ feistel_round(right, g->id_keys[r], mask);
			left = right;
			right = t;
		}
		x = (left << bits) | right;
	} while (x >= g->id_space);
	return x;
}

int cr_gen__people_init(struct cr_gen *g)
{
	int y, m, d;
	cr_civil_from_days(g->asof_days, &y, &m, &d);
	if (d > 28)
		d = 28;
	/* Ages 18..75 at the as-of date. */
	g->birth_lo = cr_days_from_civil(y - 76, m, d) + 1;
	int32_t birth_hi = cr_days_from_civil(y - 18, m, d);
	g->n_birth_days = (uint32_t)(birth_hi - g->birth_lo + 1);
	g->id_space = (uint64_t)cr_region_n_counties * g->n_birth_days * 1000u;
	uint64_t x = g->o->seed ^ 0x69642d7370616365ULL;
	for (int i = 0; i < 4; i++)
		g->id_keys[i] = cr_gen__splitmix(&x);
	return make_institutions(g);
}

/* Keep-probability in percent by age: working ages dominate borrowing. */
static uint32_t age_weight(int32_t age_years)
{
	if (age_years < 22)
		return 50;
	if (age_years < 40)
		return 100;
	if (age_years < 50)
		return 75;
	if (age_years < 60)
		return 45;
	return 20;
}

/* Picks the next unused ID; returns the sequence number (its parity is the
 * subject's sex). */
static uint32_t next_id(struct cr_gen *g, struct cr_gen_subject *s,
			uint32_t *county /* OUT */)
{
	uint64_t x;
	uint32_t seq, day;
	for (;;) {
		CR_ASSERT(g->id_counter < g->id_space);
		x = permute(g, g->id_counter++);
		seq = (uint32_t)(x % 1000);
		x /= 1000;
		day = (uint32_t)(x % g->n_birth_days);
		*county = (uint32_t)(x / g->n_birth_days);
		int32_t age = (int32_t)((int64_t)(g->asof_days - g->birth_lo -
						  (int32_t)day) * 10000 / 3652425);
		if (cr_gen__below(&g->rng, 100) < age_weight(age))
			break;
	}
	s->birth_days = g->birth_lo + (int32_t)day;
	int by, bm, bd;
	cr_civil_from_days(s->birth_days, &by, &bm, &bd);
	struct cr_gen_line l;
	l.len = 0;
	cr_gen__put_digits(&l, cr_region_counties[*county].code, 6);
	cr_gen__put_digits(&l, (uint64_t)by, 4);
	cr_gen__put_digits(&l, (uint64_t)bm, 2);
	cr_gen__put_digits(&l, (uint64_t)bd, 2);
	cr_gen__put_digits(&l, seq, 3);
	memcpy(s->id, l.buf, 17);
	s->id[17] = cr_id_check_char(s->id);
	s->id[18] = '\0';
	return seq;
}

/* ---- Names, phones, addresses. ---- */

struct weighted {
	const char *s;
	uint16_t w; /* per ten thousand people */
};

static const struct weighted surnames[] = {
	{"王", 710}, {"李", 700}, {"张", 640}, {"刘", 540}, {"陈", 450},
	{"杨", 310}, {"赵", 200}, {"黄", 190}, {"周", 190}, {"吴", 180},
	{"徐", 130}, {"孙", 120}, {"胡", 110}, {"朱", 110}, {"高", 100},
	{"林", 100}, {"何", 100}, {"郭", 100}, {"马", 90}, {"罗", 80},
	{"梁", 70}, {"宋", 60}, {"郑", 60}, {"谢", 60}, {"韩", 50},
	{"唐", 50}, {"冯", 50}, {"于", 50}, {"董", 50}, {"萧", 40},
	{"程", 40}, {"曹", 40}, {"袁", 40}, {"邓", 40}, {"许", 40},
	{"傅", 40}, {"沈", 40}, {"曾", 40}, {"彭", 40}, {"吕", 40},
	{"苏", 35}, {"卢", 35}, {"蒋", 35}, {"蔡", 35}, {"贾", 30},
	{"丁", 30}, {"魏", 30}, {"薛", 30}, {"叶", 30}, {"阎", 30},
	{"欧阳", 5}, {"司马", 2}, {"诸葛", 1},
};

static const char *const given_male[] = {"伟", "强", "磊", "军", "洋", "勇", "杰",
	"涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "斌", "宇",
	"浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "峰", "建", "国",
	"志", "文", "博", "晨", "轩", "子", "天"};
static const char *const given_female[] = {"芳", "娜", "敏", "静", "丽", "艳", "娟",
	"霞", "秀", "玲", "桂", "英", "燕", "萍", "红", "雪", "琳", "婷", "慧", "颖",
	"佳", "欣", "怡", "悦", "梦", "雨", "璐", "倩", "洁", "晶", "薇", "蕾", "丹",
	"莉", "月", "兰", "凤", "嘉", "思", "涵"};

static const char *const streets[] = {"人民路", "解放路", "中山路", "建设路",
	"和平路", "新华路", "文化路", "长江路", "黄河路", "光明街", "朝阳路",
	"胜利路", "幸福路", "青年路", "府前街", "东风路", "友谊路", "工业路",
	"学府路", "滨江路"};

static const char *const phone_prefixes[] = {"130", "131", "132", "133", "134",
	"135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
	"156", "157", "158", "159", "166", "170", "176", "177", "178", "180",
	"181", "182", "183", "184", "185", "186", "187", "188", "189", "198",
	"199"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *pick_surname(struct cr_gen_rng *r)
{
	uint32_t total = 0;
	for (size_t i = 0; i < COUNT(surnames); i++)
		total += surnames[i].w;
	uint32_t u = cr_gen__below(r, total);
	for (size_t i = 0; i < COUNT(surnames); i++) {
		if (u < surnames[i].w)
			return surnames[i].s;
		u -= surnames[i].w;
	}
	return surnames[0].s;
}

static void make_name(struct cr_gen_rng *r, int male, char *out, size_t cap)
{
	const char *const *pool = male ? given_male : given_female;
	uint32_t n = male ? COUNT(given_male) : COUNT(given_female);
	const char *a = pool[cr_gen__below(r, n)];
	const char *b = cr_gen__chance(r, 0.7) ? pool[cr_gen__below(r, n)] : "";
	snprintf(out, cap, "%s%s%s", pick_surname(r), a, b);
}

static void make_phone(struct cr_gen_rng *r, char *out)
{
	struct cr_gen_line l;
	l.len = 0;
	cr_gen__puts(&l, phone_prefixes[cr_gen__below(r, COUNT(phone_prefixes))]);
	cr_gen__put_digits(&l, cr_gen__below(r, 100000000), 8);
	memcpy(out, l.buf, l.len);
	out[l.len] = '\0';
}

static void make_address(struct cr_gen_rng *r, uint32_t county, char *out,
			 size_t cap)
{
	const struct cr_region_county *c = &cr_region_counties[county];
	const struct cr_region_prefecture *pref = &cr_region_prefectures[c->prefecture];
	const char *prov = cr_region_provinces[pref->province].name;
	/* A placeholder prefecture ("市辖区") is no part of a postal address. */
	const char *city = pref->placeholder ? "" : pref->name;
	snprintf(out, cap, "%s%s%s%s%u号%u栋%u单元%u室", prov, city, c->name,
		 streets[cr_gen__below(r, COUNT(streets))],
		 (unsigned)cr_gen__range(r, 1, 399), (unsigned)cr_gen__range(r, 1, 30),
		 (unsigned)cr_gen__range(r, 1, 6),
		 (unsigned)(cr_gen__range(r, 1, 30) * 100 + cr_gen__range(r, 1, 4)));
}

void cr_gen__subject(struct cr_gen *g, struct cr_gen_subject *s)
{
	static const uint16_t grade_cum[4] = {7000, 9000, 9800, 10000};
	uint32_t county;
	uint32_t seq = next_id(g, s, &county);
	uint32_t u = cr_gen__below(&g->rng, 10000);
	s->grade = 0;
	while (u >= grade_cum[s->grade])
		s->grade++;
	/* Always drawn, so the consent rate changes nothing else. */
	s->consents = (uint8_t)cr_gen__chance(&g->rng, g->o->consent_rate);
	make_name(&g->rng, seq & 1, s->name, sizeof s->name);
	make_phone(&g->rng, s->phone);
	make_address(&g->rng, county, s->address, sizeof s->address);
}

void cr_gen__evidence(struct cr_gen_rng *r, char out[72])
{
	static const char hex[] = "0123456789abcdef";
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 4; i++) {
		uint64_t v = cr_gen__next(r);
		for (int j = 0; j < 16; j++, v >>= 4)
			out[7 + i * 16 + j] = hex[v & 15];
	}
	out[71] = '\0';
}
