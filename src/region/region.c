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

const char *cr_region_province_name(int code)
{
	if (code < 10 || code > 99)
		return NULL;
	uint32_t lo = 0, hi = cr_region_n_provinces;
	while (lo < hi) {
		const uint32_t mid = lo + (hi - lo) / 2;
		if (cr_region_provinces[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == cr_region_n_provinces || cr_region_provinces[lo].code != code)
		return NULL;
	return cr_region_provinces[lo].name;
}

const char *cr_region_prefecture_name(int code)
{
	if (code < 1000 || code > 9999)
		return NULL;
	uint32_t lo = 0, hi = cr_region_n_prefectures;
	while (lo < hi) {
		const uint32_t mid = lo + (hi - lo) / 2;
		if (cr_region_prefectures[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == cr_region_n_prefectures || cr_region_prefectures[lo].code != code)
		return NULL;
	const struct cr_region_prefecture *p = &cr_region_prefectures[lo];
	CR_DEBUG_ASSERT(cr_region_provinces[p->province].code == code / 100);
	return p->name;
}
