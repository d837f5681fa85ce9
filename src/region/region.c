/*
 * region.c - lookups in the region table (region.h) by code.
 *
 * The arrays are sorted by code (scripts/gen_regions.py refuses a list
 * that is not), so a lookup is a binary search: five steps over the 31
 * provinces, nine over the 342 prefectures, no index to build and nothing
 * to free.
 */
#include "region.h"

#include <stddef.h>

#include "cr_assert.h"

/* The index of code in a table of n rows sorted by code, where code_at(i)
 * reads row i's; n when it is not there. */
static uint32_t find(int code, uint32_t n, int (*code_at)(uint32_t i))
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		const uint32_t mid = lo + (hi - lo) / 2;
		if (code_at(mid) < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && code_at(lo) == code ? lo : n;
}

static int province_code(uint32_t i)
{
	return cr_region_provinces[i].code;
}

static int prefecture_code(uint32_t i)
{
	return cr_region_prefectures[i].code;
}

const char *cr_region_province_name(int code)
{
	if (code < 10 || code > 99)
		return NULL;
	const uint32_t i = find(code, cr_region_n_provinces, province_code);
	return i < cr_region_n_provinces ? cr_region_provinces[i].name : NULL;
}

const char *cr_region_prefecture_name(int code)
{
	if (code < 1000 || code > 9999)
		return NULL;
	const uint32_t i = find(code, cr_region_n_prefectures, prefecture_code);
	if (i == cr_region_n_prefectures)
		return NULL;
	const struct cr_region_prefecture *p = &cr_region_prefectures[i];
	CR_DEBUG_ASSERT(cr_region_provinces[p->province].code == code / 100);
	return p->name;
}
