/* ALPN list syntax -> wire format. */
#include "unit.h"

#include <stdlib.h>

static void ok(const char *s, const void *wire, size_t wire_len)
{
	unsigned char *w = NULL;
	size_t n = 0;
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_alpn_parse(s, &w, &n, &e), PLUGTLS_OK, "%s: %s", s,
		     e.message);
	cr_assert_eq(n, wire_len, "%s", s);
	cr_assert_eq(memcmp(w, wire, n), 0, "%s", s);
	pt_free(w);
}

Test(alpn, valid)
{
	ok("h2", "\x02h2", 3);
	ok("h2,http/1.1", "\x02h2\x08http/1.1", 12);
	ok("http/1.1,h2", "\x08http/1.1\x02h2", 12);
	ok("a,b,c", "\x01" "a\x01" "b\x01" "c", 6);
	ok("~!", "\x02~!", 3);
}

Test(alpn, longest_name_and_most_names)
{
	char name[256], list[32 * 3];
	unsigned char wire[256];
	memset(name, 'x', 255);
	name[255] = '\0';
	wire[0] = 255;
	memset(wire + 1, 'x', 255);
	ok(name, wire, 256);

	size_t o = 0;
	for (int i = 0; i < 32; i++)
		o += (size_t)sprintf(list + o, "%s%c", i ? "," : "", 'a' + i % 26);
	unsigned char w2[64];
	for (int i = 0; i < 32; i++) {
		w2[2 * i] = 1;
		w2[2 * i + 1] = (unsigned char)('a' + i % 26);
	}
	ok(list, w2, 64);
}

Test(alpn, malformed_rows)
{
	char long_name[257], too_many[33 * 2 + 1];
	memset(long_name, 'x', 256);
	long_name[256] = '\0';
	size_t o = 0;
	for (int i = 0; i < 33; i++)
		o += (size_t)sprintf(too_many + o, "%s%c", i ? "," : "", 'a');
	const struct {
		const char *s, *msg;
	} rows[] = {
		{"", "entry 1 is empty"},
		{",", "entry 1 is empty"},
		{",h2", "entry 1 is empty"},
		{"h2,", "entry 2 is empty"},
		{"h2,,http/1.1", "entry 2 is empty"},
		{"h2, http/1.1", "entry 2 holds a space"},
		{" h2", "entry 1 holds a space"},
		{"h 2", "entry 1 holds a space"},
		{"h2\t", "entry 1 holds a space"},
		{"h2\x7f", "entry 1 holds a space"},
		{"caf\xc3\xa9", "entry 1 holds a space"},
		{"h2\n", "entry 1 holds a space"},
		{long_name, "entry 1 is longer than 255"},
		{too_many, "more than 32"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned char *w = (unsigned char *)"untouched";
		size_t n = 77;
		plugtls_error e;
		pt_err_clear(&e);
		cr_assert_eq(pt_alpn_parse(rows[i].s, &w, &n, &e),
			     PLUGTLS_E_INVALID_ARGUMENT, "row %zu", i);
		cr_assert_eq(e.code, PLUGTLS_E_INVALID_ARGUMENT);
		cr_assert_not_null(strstr(e.message, rows[i].msg),
				   "row %zu: %s", i, e.message);
		cr_assert_str_eq((char *)w, "untouched");
		cr_assert_eq(n, 77);
	}
	unsigned char *w;
	size_t n;
	cr_assert_eq(pt_alpn_parse(NULL, &w, &n, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
}
