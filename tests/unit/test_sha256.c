/* SHA-256 against the FIPS 180-4 / NIST CAVP example vectors, plus the
 * padding boundaries (55, 56, 63, 64, 65, 119, 120 bytes); the portable
 * block function against the SHA-extensions one (when the CPU has them),
 * and the streaming calls against the one-shot. */
#include "unit.h"

#include <stdlib.h>

static void check(const void *data, size_t len, const char *expect)
{
	unsigned char h[PT_SHA256_LEN];
	char hex[65];

	pt_sha256(data, len, h);
	cr_assert_str_eq(ut_hex(h, sizeof(h), hex, sizeof(hex)), expect,
			 "length %zu", len);
}

Test(sha256, empty)
{
	check("", 0,
	      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(sha256, abc)
{
	check("abc", 3,
	      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, two_blocks_448_bits)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check(m, strlen(m),
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, msg_896_bits)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check(m, strlen(m),
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, one_million_a)
{
	size_t n = 1000000;
	char *m = malloc(n);
	cr_assert_not_null(m);
	memset(m, 'a', n);
	check(m, n,
	      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

Test(sha256, padding_boundaries)
{
	static const struct {
		size_t n;
		const char *h;
	} rows[] = {
		{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
		{56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
		{63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
		{64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
		{65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
		{119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
		{120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
	};
	char m[128];
	memset(m, 'a', sizeof(m));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(m, rows[i].n, rows[i].h);
}

/* Every length 0..600 of a non-repeating message, hashed with the portable
 * block function and with the automatic choice (the SHA extensions on a
 * CPU that has them), one-shot and fed in pieces of every size 1..65. */
Test(sha256, implementations_and_streaming_agree)
{
	unsigned char m[600], a[PT_SHA256_LEN], b[PT_SHA256_LEN];

	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (unsigned char)(i * 131u + (i >> 8) * 7u + 1u);
	cr_log_info("SHA extensions in use: %s",
		    pt_sha256_portable(false) ? "yes" : "no");
	for (size_t n = 0; n <= sizeof(m); n++) {
		pt_sha256_portable(true);
		pt_sha256(m, n, a);
		pt_sha256_portable(false);
		pt_sha256(m, n, b);
		cr_assert_eq(memcmp(a, b, sizeof(a)), 0, "length %zu", n);
		for (size_t piece = 1; piece <= 65; piece += 8) {
			pt_sha256_ctx s;

			pt_sha256_init(&s);
			for (size_t off = 0; off < n; off += piece)
				pt_sha256_update(&s, m + off,
						 n - off < piece ? n - off
								 : piece);
			pt_sha256_final(&s, b);
			cr_assert_eq(memcmp(a, b, sizeof(a)), 0,
				     "length %zu in pieces of %zu", n, piece);
		}
	}
}
