/*
 * test_region.c - the GB/T 2260 region table and its lookups
 * (src/region/region.h).
 *
 * Known codes give their names, unknown ones NULL; and the table holds
 * together: every row is found by its own code (sorted, unique), every
 * prefecture lies in the province its code begins with, every county in
 * the prefecture its code begins with, and a placeholder prefecture is
 * named after its province.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "region.h"

static void known_provinces_have_their_names(void **state)
{
	(void)state;
	assert_string_equal(cr_region_province_name(11), "北京市");
	assert_string_equal(cr_region_province_name(44), "广东省");
	assert_string_equal(cr_region_province_name(65), "新疆维吾尔自治区");
}

static void known_prefectures_have_their_names(void **state)
{
	(void)state;
	assert_string_equal(cr_region_prefecture_name(4403), "深圳市");
	assert_string_equal(cr_region_prefecture_name(3301), "杭州市");
	assert_string_equal(cr_region_prefecture_name(6543), "阿勒泰地区");
	/* Placeholder rows are named after their province. */
	assert_string_equal(cr_region_prefecture_name(1101), "北京市市辖区");
	assert_string_equal(cr_region_prefecture_name(5002), "重庆市县");
	assert_string_equal(cr_region_prefecture_name(4190), "河南省省直辖县级行政区划");
}

static void unknown_codes_are_null(void **state)
{
	(void)state;
	static const int provinces[] = {0, 1, 10, 16, 20, 99, 100, 1101, -11};
	static const int prefectures[] = {0, 11, 1100, 1102, 4400, 4499, 9999, 10000,
					  110101, -4403};
	for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
		assert_null(cr_region_province_name(provinces[i]));
	for (size_t i = 0; i < sizeof prefectures / sizeof prefectures[0]; i++)
		assert_null(cr_region_prefecture_name(prefectures[i]));
}

static void every_row_is_found_by_its_code(void **state)
{
	(void)state;
	assert_int_equal(cr_region_n_provinces, 31);
	for (uint32_t i = 0; i < cr_region_n_provinces; i++) {
		const struct cr_region_province *p = &cr_region_provinces[i];
		assert_ptr_equal(cr_region_province_name(p->code), p->name);
		if (i)
			assert_true(cr_region_provinces[i - 1].code < p->code);
	}
	for (uint32_t i = 0; i < cr_region_n_prefectures; i++) {
		const struct cr_region_prefecture *p = &cr_region_prefectures[i];
		assert_ptr_equal(cr_region_prefecture_name(p->code), p->name);
		if (i)
			assert_true(cr_region_prefectures[i - 1].code < p->code);
	}
}

static void rows_nest_by_their_codes(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < cr_region_n_prefectures; i++) {
		const struct cr_region_prefecture *p = &cr_region_prefectures[i];
		assert_true(p->province < cr_region_n_provinces);
		const struct cr_region_province *prov = &cr_region_provinces[p->province];
		assert_int_equal(prov->code, p->code / 100);
		assert_true(p->name[0] != '\0');
		if (p->placeholder)
			assert_int_equal(strncmp(p->name, prov->name, strlen(prov->name)), 0);
	}
	for (uint32_t i = 0; i < cr_region_n_counties; i++) {
		const struct cr_region_county *c = &cr_region_counties[i];
		assert_true(c->prefecture < cr_region_n_prefectures);
		assert_int_equal(cr_region_prefectures[c->prefecture].code, c->code / 100);
		if (i)
			assert_true(cr_region_counties[i - 1].code < c->code);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_provinces_have_their_names),
		cmocka_unit_test(known_prefectures_have_their_names),
		cmocka_unit_test(unknown_codes_are_null),
		cmocka_unit_test(every_row_is_found_by_its_code),
		cmocka_unit_test(rows_nest_by_their_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
