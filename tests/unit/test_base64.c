/* Base64: RFC 4648 section 10 vectors, round trips, and every way the
 * strict decoder refuses input. */
#include "unit.h"

static const struct {
	const char *plain, *enc;
} rfc4648[] = {
	{"", ""},
	{"f", "Zg=="},
	{"fo", "Zm8="},
	{"foo", "Zm9v"},
	{"foob", "Zm9vYg=="},
	{"fooba", "Zm9vYmE="},
	{"foobar", "Zm9vYmFy"},
};

Test(base64, encode_rfc4648_vectors)
{
	char out[16];
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t n = pt_base64_encode(
			(const unsigned char *)rfc4648[i].plain,
			strlen(rfc4648[i].plain), out, sizeof(out));
		cr_assert_eq(n, strlen(rfc4648[i].enc));
		cr_assert_str_eq(out, rfc4648[i].enc);
	}
}

Test(base64, decode_rfc4648_vectors)
{
	unsigned char out[16];
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t n = 99;
		cr_assert_eq(pt_base64_decode(rfc4648[i].enc,
					      strlen(rfc4648[i].enc), false,
					      out, sizeof(out), &n),
			     PLUGTLS_OK, "%s", rfc4648[i].enc);
		cr_assert_eq(n, strlen(rfc4648[i].plain));
		cr_assert_eq(memcmp(out, rfc4648[i].plain, n), 0);
	}
}

Test(base64, encode_cap_exact_and_too_small)
{
	char out[9];
	/* "foobar" needs 8 characters and the NUL. */
	cr_assert_eq(pt_base64_encode((const unsigned char *)"foobar", 6, out,
				      9),
		     8);
	cr_assert_str_eq(out, "Zm9vYmFy");
	cr_assert_eq(pt_base64_encode((const unsigned char *)"foobar", 6, out,
				      8),
		     0);
	cr_assert_eq(pt_base64_encode((const unsigned char *)"f", 1, NULL, 0),
		     0);
}

Test(base64, round_trip_all_lengths_and_bytes)
{
	unsigned char in[300], back[300];
	char enc[405];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 151 + 7);
	for (size_t len = 0; len <= sizeof(in); len++) {
		size_t n = pt_base64_encode(in, len, enc, sizeof(enc)), got = 0;
		cr_assert_eq(n, (len + 2) / 3 * 4);
		cr_assert_eq(pt_base64_decode(enc, n, false, back, sizeof(back),
					      &got),
			     PLUGTLS_OK);
		cr_assert_eq(got, len);
		cr_assert_eq(memcmp(in, back, len), 0);
	}
}

Test(base64, every_byte_value)
{
	unsigned char in[256], back[256];
	char enc[400];
	size_t got;
	for (int i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	size_t n = pt_base64_encode(in, 256, enc, sizeof(enc));
	cr_assert_eq(n, 344);
	cr_assert_eq(pt_base64_decode(enc, n, false, back, 256, &got),
		     PLUGTLS_OK);
	cr_assert_eq(got, 256);
	cr_assert_eq(memcmp(in, back, 256), 0);
}

Test(base64, decode_whitespace_only_when_allowed)
{
	unsigned char out[16];
	size_t n = 0;
	const char *s = " Zm9v\r\nYmFy\t\n";
	cr_assert_eq(pt_base64_decode(s, strlen(s), true, out, sizeof(out), &n),
		     PLUGTLS_OK);
	cr_assert_eq(n, 6);
	cr_assert_eq(memcmp(out, "foobar", 6), 0);
	cr_assert_eq(pt_base64_decode(s, strlen(s), false, out, sizeof(out),
				      &n),
		     PLUGTLS_E_MALFORMED);
	/* Whitespace inside a padded group, and after the padding. */
	s = "Zm8\n=\n";
	cr_assert_eq(pt_base64_decode(s, strlen(s), true, out, sizeof(out), &n),
		     PLUGTLS_OK);
	cr_assert_eq(n, 2);
}

Test(base64, decode_malformed)
{
	static const char *bad[] = {
		"Zm9",       /* length not a multiple of 4 */
		"Z",         /* one character */
		"Zm9vY",     /* five */
		"Zm9v!mFy",  /* character outside the alphabet */
		"Zm9v-_Fy",  /* URL-safe alphabet */
		"Zm9v YmFy", /* space when not allowed */
		"=Zm9",      /* padding first */
		"Z===",      /* padding in the second place */
		"Zm=v",      /* data after '=' in a group */
		"Zg==Zm9v",  /* data after the padded group */
		"Zg==Zg==",  /* two padded groups */
		"Zh==",      /* non-zero unused bits (one byte) */
		"Zm9=",      /* non-zero unused bits (two bytes) */
		"Zg=",       /* padding cut short */
		"====",      /* only padding */
		"Zm9v\x80mFy", /* high byte */
		"Zm9v\0mFy", /* NUL inside (length 8) */
	};
	unsigned char out[16];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = 77;
		size_t len = i == sizeof(bad) / sizeof(bad[0]) - 1 ? 8
								  : strlen(bad[i]);
		cr_assert_eq(pt_base64_decode(bad[i], len, false, out,
					      sizeof(out), &n),
			     PLUGTLS_E_MALFORMED, "row %zu (%s)", i, bad[i]);
		cr_assert_eq(n, 77, "out_len written on failure");
	}
}

Test(base64, decode_too_large)
{
	unsigned char out[6];
	size_t n = 77;
	cr_assert_eq(pt_base64_decode("Zm9vYmFy", 8, false, out, 5, &n),
		     PLUGTLS_E_TOO_LARGE);
	cr_assert_eq(n, 77);
	cr_assert_eq(pt_base64_decode("Zm9vYmFy", 8, false, out, 6, &n),
		     PLUGTLS_OK);
	cr_assert_eq(n, 6);
	/* Malformed wins over too large. */
	cr_assert_eq(pt_base64_decode("Zm9vYmF", 7, false, out, 1, &n),
		     PLUGTLS_E_MALFORMED);
}

Test(base64, decode_empty)
{
	unsigned char out[1];
	size_t n = 77;
	cr_assert_eq(pt_base64_decode("", 0, false, out, sizeof(out), &n),
		     PLUGTLS_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(pt_base64_decode("  \n", 3, true, out, sizeof(out), &n),
		     PLUGTLS_OK);
	cr_assert_eq(n, 0);
}

/* The strict decoder accepts exactly the canonical encodings: whatever it
 * accepts re-encodes to the same text. */
Test(base64, accepted_input_is_canonical)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	uint32_t s = 99;
	size_t accepted = 0;
	for (int iter = 0; iter < 20000; iter++) {
		char in[16], re[24];
		unsigned char out[16];
		size_t len, n = 0;
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		len = 4 * (1 + s % 3);
		for (size_t i = 0; i < len; i++) {
			s ^= s << 13;
			s ^= s >> 17;
			s ^= s << 5;
			/* bias towards '=' near the end */
			in[i] = (i + 2 >= len && s % 3 == 0) ? '='
							     : alpha[s % 65];
		}
		if (pt_base64_decode(in, len, false, out, sizeof(out), &n) !=
		    PLUGTLS_OK)
			continue;
		accepted++;
		cr_assert_eq(pt_base64_encode(out, n, re, sizeof(re)), len);
		cr_assert_eq(memcmp(re, in, len), 0, "%.*s -> %s", (int)len,
			     in, re);
	}
	cr_assert_gt(accepted, 1000);
}
