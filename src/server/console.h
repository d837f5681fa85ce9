/*
 * console.h - the web console's files, compiled into the server.
 *
 * The console (web/, docs/console.md) is a page and its scripts and
 * stylesheet, with the chart library from Debian's libjs-chart.js; the
 * Makefile turns them into one table (scripts/embed.py --assets) so that
 * `creditref serve` needs no other web server and fetches nothing at run
 * time.  GET / answers index.html, GET /console/NAME the file NAME; both
 * are public (the page holds no data: every figure it shows comes from the
 * /v1 API with the key its user enters).
 */
#ifndef CR_CONSOLE_H
#define CR_CONSOLE_H

#include <stddef.h>

struct cr_asset {
	const char *name;   /* "index.html", "console.js", ... */
	const char *ctype;  /* Content-Type, from the name's extension */
	const char *data;   /* NUL-terminated, len bytes before the NUL */
	size_t len;
};

extern const struct cr_asset cr_console_assets[];
extern const size_t cr_console_assets_n;

/* The asset called name, or NULL. */
const struct cr_asset *cr_console_asset(const char *name);

#endif
