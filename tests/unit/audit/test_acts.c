/*
 * test_acts.c - the audited acts: one list in audit.h, the same names in
 * docs/audit.md's table, and no entry outside the list is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "audit.h"

#define DOC "docs/audit.md"

/* The backticked [a-z_]+ names of the table under "## What is recorded",
 * in its "action" column (the second), appended to names (n of them). */
static size_t doc_actions(char names[][CR_AUDIT_ACTION_MAX + 1], size_t cap)
{
	FILE *f = fopen(DOC, "r");
	char line[1024];
	size_t n = 0;
	int in = 0;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "## ", 3) == 0)
			in = strncmp(line, "## What is recorded", 19) == 0;
		if (!in || line[0] != '|')
			continue;
		char *col = strchr(line + 1, '|'); /* the action column */
		char *end = col ? strchr(col + 1, '|') : NULL;
		for (char *p = col; p && p < end; p++) {
			if (*p != '`')
				continue;
			size_t len = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
			if (p[1 + len] == '`' && len > 0 && len <= CR_AUDIT_ACTION_MAX && n < cap) {
				memcpy(names[n], p + 1, len);
				names[n++][len] = '\0';
			}
			p += len + 1;
		}
	}
	fclose(f);
	return n;
}

static int listed(char names[][CR_AUDIT_ACTION_MAX + 1], size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return 1;
	return 0;
}

static void docs_name_exactly_the_acts(void **state)
{
	(void)state;
	static char names[128][CR_AUDIT_ACTION_MAX + 1];
	const size_t n = doc_actions(names, 128);
	/* "self" and the outcomes are backticked in the same column: skip
	 * what is not an act only if it is one of those words. */
	for (size_t i = 0; i < n; i++) {
		const int known = cr_audit_act_parse(names[i]) != CR_ACT_NONE;
		const int word = !strcmp(names[i], "self") || !strcmp(names[i], "granted") ||
				 !strcmp(names[i], "failed");
		if (!known && !word)
			fail_msg("%s names action %s, which is not in CR_AUDIT_ACTS", DOC, names[i]);
	}
	for (int a = CR_ACT_NONE + 1; a < CR_ACT_COUNT; a++)
		if (!listed(names, n, cr_audit_act_name((enum cr_audit_act)a)))
			fail_msg("act %s is missing from %s", cr_audit_act_name((enum cr_audit_act)a), DOC);
}

static void names_round_trip(void **state)
{
	(void)state;
	for (int a = CR_ACT_NONE + 1; a < CR_ACT_COUNT; a++) {
		const char *s = cr_audit_act_name((enum cr_audit_act)a);
		assert_true(s[0] != '\0' && strlen(s) <= CR_AUDIT_ACTION_MAX);
		assert_int_equal(cr_audit_act_parse(s), a);
		assert_true(cr_audit_act_what((enum cr_audit_act)a)[0] != '\0');
	}
	assert_int_equal(cr_audit_act_parse("probe"), CR_ACT_NONE);
	assert_int_equal(cr_audit_act_parse(""), CR_ACT_NONE);
	assert_string_equal(cr_audit_act_name(CR_ACT_COUNT), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docs_name_exactly_the_acts),
		cmocka_unit_test(names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
