/* SPKI pin lists: syntax and matching. */
#include "unit.h"

#define PIN_ZERO "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define PIN_SEQ "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
/* sha256 of the SPKI that ut_fields() reports (30 02 05 00). */
#define PIN_UT "sha256//yJNGE5QvV0MPSLUbATDZkjxL/jbmFmurzdt778ZGjwg="

Test(pins, one_pin)
{
	pt_pins p = {0};
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_pins_parse(PIN_SEQ, &p, &e), PLUGTLS_OK, "%s",
		     e.message);
	cr_assert_eq(p.n, 1);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(p.hash[0][i], i);
	pt_pins_free(&p);
	cr_assert_null(p.hash);
	cr_assert_eq(p.n, 0);
	pt_pins_free(&p); /* twice is fine */
	pt_pins_free(NULL);
}

Test(pins, several_with_spaces)
{
	pt_pins p = {0};
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_pins_parse("  " PIN_ZERO " ;\t" PIN_SEQ "\t; " PIN_UT,
				   &p, &e),
		     PLUGTLS_OK, "%s", e.message);
	cr_assert_eq(p.n, 3);
	cr_assert_eq(p.hash[0][0], 0);
	cr_assert_eq(p.hash[1][31], 31);
	pt_pins_free(&p);
}

Test(pins, sixty_four_and_sixty_five)
{
	char buf[64 * 60 + 64];
	size_t o = 0;
	pt_pins p = {0};
	plugtls_error e;

	for (int i = 0; i < 64; i++)
		o += (size_t)sprintf(buf + o, "%s%s", i ? ";" : "", PIN_ZERO);
	pt_err_clear(&e);
	cr_assert_eq(pt_pins_parse(buf, &p, &e), PLUGTLS_OK, "%s", e.message);
	cr_assert_eq(p.n, 64);
	pt_pins_free(&p);
	sprintf(buf + o, ";%s", PIN_ZERO);
	cr_assert_eq(pt_pins_parse(buf, &p, &e), PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_not_null(strstr(e.message, "more than 64"), "%s", e.message);
	cr_assert_null(p.hash);
}

Test(pins, malformed_rows)
{
	static const struct {
		const char *s;
		const char *msg;
	} rows[] = {
		{"", "entry 1 is empty"},
		{"   ", "entry 1 is empty"},
		{";", "entry 1 is empty"},
		{PIN_ZERO ";", "entry 2 is empty"},
		{PIN_ZERO ";;" PIN_SEQ, "entry 2 is empty"},
		{PIN_ZERO "; ;" PIN_SEQ, "entry 2 is empty"},
		{"sha1//AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "entry 1 does not start"},
		{"SHA256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		 "entry 1 does not start"},
		{"sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		 "entry 1 does not start"},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		 "entry 1 does not start"},
		{PIN_ZERO ";sha512//AAAA", "entry 2 does not start"},
		{"sha256//", "entry 1: 0 base64"},
		{"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		 "entry 1: 43 base64"},
		{"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		 "entry 1: 45 base64"},
		/* 44 characters, but 33 bytes */
		{"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		 "entry 1: bad base64"},
		/* 44 characters, but 31 bytes */
		{"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
		 "entry 1: bad base64"},
		{"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!=",
		 "entry 1: bad base64"},
		{"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_A=",
		 "entry 1: bad base64"},
		/* a space inside the base64 is not trimmed */
		{"sha256//AAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAA=",
		 "entry 1: bad base64"},
		/* non-zero unused bits */
		{"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=",
		 "entry 1: bad base64"},
		{PIN_ZERO "," PIN_SEQ, "entry 1:"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pt_pins p = {0};
		plugtls_error e;
		pt_err_clear(&e);
		cr_assert_eq(pt_pins_parse(rows[i].s, &p, &e),
			     PLUGTLS_E_INVALID_ARGUMENT, "row %zu", i);
		cr_assert_eq(e.code, PLUGTLS_E_INVALID_ARGUMENT);
		cr_assert_not_null(strstr(e.message, rows[i].msg),
				   "row %zu: %s", i, e.message);
		cr_assert_null(p.hash, "row %zu", i);
		cr_assert_eq(p.n, 0, "row %zu", i);
	}
	pt_pins p = {0};
	cr_assert_eq(pt_pins_parse(NULL, &p, NULL), PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_thread_error()->code, PLUGTLS_E_INVALID_ARGUMENT);
}

Test(pins, match_chain)
{
	pt_pins p = {0};
	plugtls_cert *certs[2];
	plugtls_chain ch = {.certs = certs, .n = 2, .cap = 2};
	static const unsigned char other_spki[] = {'s', 'p', 'k', 'i', '-',
						   't', 'w', 'o'};
	plugtls_prov_fields *f;

	/* certs[0]: SPKI "spki-two"; certs[1]: ut_fields' SPKI. */
	f = pt_fields_new(PT_WANT_ALL);
	cr_assert_not_null(f);
	unsigned char der[UT_DER_LEN];
	ut_der(2, der);
	cr_assert_eq(plugtls_prov_fields_der(f, der, sizeof(der)), 0);
	cr_assert_eq(plugtls_prov_fields_spki(f, other_spki,
					      sizeof(other_spki)),
		     0);
	cr_assert_eq(plugtls_prov_fields_serial(f, (const unsigned char *)"\1",
						1),
		     0);
	cr_assert_eq(plugtls_prov_fields_validity(f, 0, 1), 0);
	cr_assert_eq(plugtls_prov_fields_sig_alg(f, "1.3.101.112"), 0);
	certs[0] = ut_cert(f);
	certs[1] = ut_cert(ut_fields());
	cr_assert_str_eq(plugtls_cert_pin(certs[1]), PIN_UT);
	cr_assert_str_eq(plugtls_cert_pin(certs[0]),
			 "sha256//xVu3mAvDcVZIvE51g900APK03s8ZQ2ppyuujJTCQYfI=");

	cr_assert_eq(pt_pins_parse(PIN_ZERO ";" PIN_UT, &p, NULL), 0);
	cr_assert(pt_pins_match(&p, &ch)); /* the second cert */
	ch.n = 1;
	cr_assert_not(pt_pins_match(&p, &ch));
	pt_pins_free(&p);
	cr_assert_eq(pt_pins_parse(
			     "sha256//xVu3mAvDcVZIvE51g900APK03s8ZQ2ppyuujJTCQYfI=",
			     &p, NULL),
		     0);
	cr_assert(pt_pins_match(&p, &ch)); /* the leaf */
	ch.n = 0;
	cr_assert_not(pt_pins_match(&p, &ch));
	cr_assert_not(pt_pins_match(&p, NULL));
	pt_pins_free(&p);
	ch.n = 2;
	cr_assert_not(pt_pins_match(&p, &ch)); /* no pins: no match */
	pt_cert_free(certs[0]);
	pt_cert_free(certs[1]);
}
