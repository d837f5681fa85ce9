/*
 * route.c - libFuzzer target for the server's route table
 * (cr_route_find, http.h).
 *
 * The input is "METHOD PATH" (the first space splits them; a NUL ends the
 * path, as the HTTP library hands it over).  A route found must have that
 * method and a pattern that gives the path back when its one parameter is
 * put in; the parameter is never longer than its buffer and never empty;
 * when no route has the method, the allowed methods listed are routes'
 * methods.  Nothing is read past the path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cr_assert.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	char *sp = memchr(in, ' ', size);
	const char *method = sp ? in : "GET";
	const char *path = sp ? sp + 1 : in;
	if (sp)
		*sp = '\0';
	char param[64], allow[256], back[4096];
	unsigned idx = 12345;
	const struct cr_route *r = cr_route_find(method, path, param, sizeof param, allow,
						 sizeof allow, &idx);
	if (r) {
		CR_ASSERT(idx < cr_n_routes && r == &cr_routes[idx]);
		CR_ASSERT(strcmp(r->method, method) == 0);
		const char *open = strchr(r->pattern, '{');
		if (open) {
			const char *close = strchr(open, '}');
			CR_ASSERT(close && strlen(param) > 0 && strlen(param) < sizeof param);
			snprintf(back, sizeof back, "%.*s%s%s", (int)(open - r->pattern),
				 r->pattern, param, close + 1);
		} else {
			snprintf(back, sizeof back, "%s", r->pattern);
		}
		CR_ASSERT(strcmp(back, path) == 0);
	} else {
		CR_ASSERT(idx == cr_n_routes);
		CR_ASSERT(strlen(allow) < sizeof allow);
	}
	free(in);
	return 0;
}
