/* PEM splitting: pt_pem_each, pt_is_pem, pt_der_is_sequence. */
#include "unit.h"

#include <stdlib.h>

#define MAXB 8

struct seen {
	size_t n;
	char label[MAXB][65];
	unsigned char der[MAXB][64];
	size_t len[MAXB];
	size_t stop_at; /* return an error at this call (1-based), 0: never */
};

static plugtls_err collect(void *arg, const char *label,
			   const unsigned char *der, size_t len)
{
	struct seen *s = arg;
	if (s->stop_at && s->n + 1 == s->stop_at)
		return PLUGTLS_E_NOMEM;
	if (s->n < MAXB) {
		snprintf(s->label[s->n], sizeof(s->label[0]), "%s", label);
		memcpy(s->der[s->n], der, len < 64 ? len : 64);
		s->len[s->n] = len;
	}
	s->n++;
	return PLUGTLS_OK;
}

static plugtls_err run(const char *pem, struct seen *s, size_t *count,
		       plugtls_error *e)
{
	memset(s, 0, sizeof(*s));
	pt_err_clear(e);
	return pt_pem_each(pem, strlen(pem), collect, s, count, e);
}

/* "AQID" = 01 02 03, "BAUG" = 04 05 06, "MAMCAQE=" = 30 03 02 01 01 */
Test(pem, two_blocks_with_text_around)
{
	const char *pem = "subject=CN = one\n"
			  "-----BEGIN CERTIFICATE-----\n"
			  "MAMCAQE=\n"
			  "-----END CERTIFICATE-----\n"
			  "comment between blocks\n\n"
			  "-----BEGIN X509 CRL-----\n"
			  "AQ\n"
			  "ID\n"
			  "-----END X509 CRL-----\n"
			  "trailing text";
	struct seen s;
	size_t count = 0;
	plugtls_error e;
	cr_assert_eq(run(pem, &s, &count, &e), PLUGTLS_OK, "%s", e.message);
	cr_assert_eq(count, 2);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.label[0], "CERTIFICATE");
	cr_assert_eq(s.len[0], 5);
	cr_assert_eq(memcmp(s.der[0], "\x30\x03\x02\x01\x01", 5), 0);
	cr_assert_str_eq(s.label[1], "X509 CRL");
	cr_assert_eq(s.len[1], 3);
	cr_assert_eq(memcmp(s.der[1], "\x01\x02\x03", 3), 0);
}

Test(pem, crlf_and_whitespace)
{
	const char *pem = "\r\n  -----BEGIN CERTIFICATE-----  \r\n"
			  "  AQ ID\t\r\n"
			  "BAUG\r\n"
			  "\t-----END CERTIFICATE----- \r\n";
	struct seen s;
	size_t count = 0;
	plugtls_error e;
	cr_assert_eq(run(pem, &s, &count, &e), PLUGTLS_OK, "%s", e.message);
	cr_assert_eq(count, 1);
	cr_assert_eq(s.len[0], 6);
	cr_assert_eq(memcmp(s.der[0], "\x01\x02\x03\x04\x05\x06", 6), 0);
}

Test(pem, no_final_newline_and_no_blocks)
{
	struct seen s;
	size_t count = 9;
	plugtls_error e;
	cr_assert_eq(run("-----BEGIN A-----\nAQID\n-----END A-----", &s, &count,
			 &e),
		     PLUGTLS_OK);
	cr_assert_eq(count, 1);
	cr_assert_eq(run("just text, no block", &s, &count, &e), PLUGTLS_OK);
	cr_assert_eq(count, 0);
	cr_assert_eq(s.n, 0);
}

Test(pem, rfc1421_headers_are_skipped)
{
	const char *pem = "-----BEGIN RSA PRIVATE KEY-----\n"
			  "Proc-Type: 4,ENCRYPTED\n"
			  "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n"
			  "\n"
			  "AQID\n"
			  "-----END RSA PRIVATE KEY-----\n";
	struct seen s;
	plugtls_error e;
	cr_assert_eq(run(pem, &s, NULL, &e), PLUGTLS_OK, "%s", e.message);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.label[0], "RSA PRIVATE KEY");
	cr_assert_eq(s.len[0], 3);
}

Test(pem, malformed_rows)
{
	static const struct {
		const char *pem;
		const char *msg; /* part of the message */
	} rows[] = {
		{"-----BEGIN CERTIFICATE-----\nAQID\n", "not closed"},
		{"-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE--",
		 "END label does not match"},
		{"-----BEGIN CERTIFICATE-----\nAQID\n-----END X509 CRL-----\n",
		 "END label does not match"},
		{"-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATES-----\n",
		 "END label does not match"},
		{"-----BEGIN CERTIFICATE-----\nAQID\n"
		 "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n",
		 "not closed"},
		{"-----BEGIN CERTIFICATE-----\nAQI\n-----END CERTIFICATE-----\n",
		 "bad base64"},
		{"-----BEGIN CERTIFICATE-----\nAQ!D\n-----END CERTIFICATE-----\n",
		 "bad base64"},
		{"-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
		 "bad base64"},
		{"-----BEGIN CERTIFICATE\nAQID\n-----END CERTIFICATE-----\n",
		 "bad BEGIN line"},
		{"-----BEGIN CERTIFICATE----- x\nAQID\n-----END CERTIFICATE-----\n",
		 "bad BEGIN line"},
		{"-----BEGIN CERT\x01-----\nAQID\n-----END CERT\x01-----\n",
		 "bad BEGIN line"},
		{"-----BEGIN K-----\nProc-Type: 4,ENCRYPTED\nAQID\n-----END K-----\n",
		 "bad headers"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct seen s;
		size_t count = 99;
		plugtls_error e;
		cr_assert_eq(run(rows[i].pem, &s, &count, &e),
			     PLUGTLS_E_MALFORMED, "row %zu", i);
		cr_assert_eq(e.code, PLUGTLS_E_MALFORMED, "row %zu", i);
		cr_assert_not_null(strstr(e.message, rows[i].msg),
				   "row %zu: %s", i, e.message);
		cr_assert_eq(count, 99, "row %zu: count set on failure", i);
		cr_assert_eq(s.n, 0, "row %zu", i);
	}
}

Test(pem, label_length_limit)
{
	char pem[512], label[80];
	struct seen s;
	plugtls_error e;

	memset(label, 'A', 64);
	label[64] = '\0';
	snprintf(pem, sizeof(pem), "-----BEGIN %s-----\nAQID\n-----END %s-----\n",
		 label, label);
	cr_assert_eq(run(pem, &s, NULL, &e), PLUGTLS_OK);
	cr_assert_str_eq(s.label[0], label);
	memset(label, 'A', 65);
	label[65] = '\0';
	snprintf(pem, sizeof(pem), "-----BEGIN %s-----\nAQID\n-----END %s-----\n",
		 label, label);
	cr_assert_eq(run(pem, &s, NULL, &e), PLUGTLS_E_MALFORMED);
}

Test(pem, good_block_before_bad_is_delivered)
{
	const char *pem = "-----BEGIN A-----\nAQID\n-----END A-----\n"
			  "-----BEGIN B-----\nAQID\n";
	struct seen s;
	plugtls_error e;
	cr_assert_eq(run(pem, &s, NULL, &e), PLUGTLS_E_MALFORMED);
	cr_assert_eq(s.n, 1);
	cr_assert_not_null(strstr(e.message, "PEM block 2"), "%s", e.message);
}

Test(pem, callback_error_stops_the_walk)
{
	const char *pem = "-----BEGIN A-----\nAQID\n-----END A-----\n"
			  "-----BEGIN B-----\nAQID\n-----END B-----\n"
			  "-----BEGIN C-----\nAQID\n-----END C-----\n";
	struct seen s;
	size_t count = 99;
	plugtls_error e;
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	pt_err_clear(&e);
	cr_assert_eq(pt_pem_each(pem, strlen(pem), collect, &s, &count, &e),
		     PLUGTLS_E_NOMEM);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(count, 99);
}

Test(pem, too_many_blocks)
{
	const char *blk = "-----BEGIN A-----\nAQID\n-----END A-----\n";
	size_t bl = strlen(blk);
	char *buf = malloc(bl * (PT_MAX_CERTS + 1) + 1);
	struct seen s;
	size_t count = 0;
	plugtls_error e;

	cr_assert_not_null(buf);
	for (size_t i = 0; i < PT_MAX_CERTS; i++)
		memcpy(buf + i * bl, blk, bl);
	buf[bl * PT_MAX_CERTS] = '\0';
	memset(&s, 0, sizeof(s));
	pt_err_clear(&e);
	cr_assert_eq(pt_pem_each(buf, bl * PT_MAX_CERTS, collect, &s, &count,
				 &e),
		     PLUGTLS_OK);
	cr_assert_eq(count, PT_MAX_CERTS);
	memcpy(buf + PT_MAX_CERTS * bl, blk, bl);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(pt_pem_each(buf, bl * (PT_MAX_CERTS + 1), collect, &s,
				 &count, &e),
		     PLUGTLS_E_TOO_LARGE);
	cr_assert_eq(e.code, PLUGTLS_E_TOO_LARGE);
	free(buf);
}

Test(pem, input_too_large)
{
	size_t len = (size_t)PT_MAX_INPUT + 1;
	char *buf = calloc(1, len);
	struct seen s;
	plugtls_error e;

	cr_assert_not_null(buf);
	memset(&s, 0, sizeof(s));
	pt_err_clear(&e);
	cr_assert_eq(pt_pem_each(buf, len, collect, &s, NULL, &e),
		     PLUGTLS_E_TOO_LARGE);
	cr_assert_eq(s.n, 0);
	free(buf);
}

Test(pem, is_pem)
{
	const char *pem = "xx -----BEGIN A-----";
	cr_assert(pt_is_pem(pem, strlen(pem)));
	cr_assert_not(pt_is_pem("-----BEGIN", 10));
	cr_assert_not(pt_is_pem("-----BEGIN A-----", 5));
	cr_assert_not(pt_is_pem(NULL, 0));
	/* A DER SEQUENCE that happens to hold the marker is DER. */
	unsigned char der[2 + 17];
	der[0] = 0x30;
	der[1] = 17;
	memcpy(der + 2, "-----BEGIN A-----", 17);
	cr_assert_not(pt_is_pem(der, sizeof(der)));
	/* ...but not when its length does not cover the buffer. */
	der[1] = 16;
	cr_assert(pt_is_pem(der, sizeof(der)));
}

Test(pem, der_is_sequence)
{
	unsigned char b[300];
	memset(b, 0, sizeof(b));
	b[0] = 0x30;
	b[1] = 3;
	cr_assert(pt_der_is_sequence(b, 5));
	cr_assert_not(pt_der_is_sequence(b, 4)); /* truncated */
	cr_assert_not(pt_der_is_sequence(b, 6)); /* trailing byte */
	b[0] = 0x31;
	cr_assert_not(pt_der_is_sequence(b, 5)); /* not a SEQUENCE */
	b[0] = 0x30;
	b[1] = 0x80; /* indefinite length */
	cr_assert_not(pt_der_is_sequence(b, 5));
	b[1] = 0x81; /* long form, 200 bytes */
	b[2] = 200;
	cr_assert(pt_der_is_sequence(b, 203));
	cr_assert_not(pt_der_is_sequence(b, 202));
	b[2] = 100; /* long form for a short length: not DER */
	cr_assert_not(pt_der_is_sequence(b, 103));
	b[1] = 0x82; /* two bytes, leading zero: not minimal */
	b[2] = 0;
	b[3] = 200;
	cr_assert_not(pt_der_is_sequence(b, 204));
	b[2] = 1;
	b[3] = 0;
	cr_assert_not(pt_der_is_sequence(b, 300)); /* 256 + 4 != 300 */
	cr_assert_not(pt_der_is_sequence(b, 1));
	cr_assert_not(pt_der_is_sequence(NULL, 5));
	b[1] = 0x85; /* five length bytes: refused */
	cr_assert_not(pt_der_is_sequence(b, 300));
}

/* ---- robustness: random input built from PEM fragments ---- */

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static plugtls_err check_block(void *arg, const char *label,
			       const unsigned char *der, size_t len)
{
	size_t *n = arg;
	cr_assert_leq(strlen(label), 64);
	cr_assert_gt(len, 0);
	cr_assert_not_null(der);
	(*n)++;
	return PLUGTLS_OK;
}

Test(pem, random_fragments_never_crash)
{
	static const char *frag[] = {
		"-----BEGIN ", "-----END ", "CERTIFICATE", "X509 CRL", "-----",
		"\n", "\r\n", "\r", "AQID", "MAMCAQE=", "=", "==", ":", " ",
		"\t", "Proc-Type: 4", "\n\n", "-", "A", "#",
	};
	char buf[512];
	for (int iter = 0; iter < 4000; iter++) {
		size_t o = 0, parts = rnd() % 24;
		for (size_t k = 0; k < parts; k++) {
			if (rnd() % 8 == 0) {
				buf[o++] = (char)(rnd() & 0xff);
				continue;
			}
			const char *f = frag[rnd() % (sizeof(frag) / sizeof(frag[0]))];
			size_t fl = strlen(f);
			if (o + fl >= sizeof(buf))
				break;
			memcpy(buf + o, f, fl);
			o += fl;
		}
		size_t n = 0, count = 0;
		plugtls_error e;
		pt_err_clear(&e);
		plugtls_err rc = pt_pem_each(buf, o, check_block, &n, &count, &e);
		cr_assert(rc == PLUGTLS_OK || rc == PLUGTLS_E_MALFORMED,
			  "iteration %d: %d", iter, rc);
		if (rc == PLUGTLS_OK)
			cr_assert_eq(count, n);
		else
			cr_assert_eq(e.code, PLUGTLS_E_MALFORMED);
		(void)pt_is_pem(buf, o);
	}
}
