/*
 * SHA-256 (FIPS 180-4), for pins, fingerprints and the session envelope's
 * HMAC (session.c). The core has its own so that a pin or a fingerprint is
 * computed by one implementation whatever the provider. Neither block
 * function branches or indexes memory on the data, so the HMAC key does
 * not leak through timing.
 */
#include "internal.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t pt_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void pt_sha256_block(uint32_t st[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;

	for (unsigned i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (unsigned i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^
			      (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = st[0];
	b = st[1];
	c = st[2];
	d = st[3];
	e = st[4];
	f = st[5];
	g = st[6];
	h = st[7];
	for (unsigned i = 0; i < 64; i++) {
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
			      ((e & f) ^ (~e & g)) + pt_k[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
			      ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
	st[4] += e;
	st[5] += f;
	st[6] += g;
	st[7] += h;
}

static void pt_sha256_blocks_c(uint32_t st[8], const unsigned char *p,
			       size_t n)
{
	for (; n; n--, p += 64)
		pt_sha256_block(st, p);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same with the SHA extensions (Intel since Goldmont and Ice Lake, AMD
 * since Zen): about ten times fewer instructions a block. Four rounds a
 * step; state kept as ABEF/CDGH, the order sha256rnds2 wants. */
__attribute__((target("sha,ssse3,sse4.1"))) static void
pt_sha256_blocks_ni(uint32_t st[8], const unsigned char *p, size_t n)
{
	const __m128i bswap =
		_mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i s0, s1, t, m[4], w, abef, cdgh;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[0]), 0xB1);
	s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[4]), 0x1B);
	s0 = _mm_alignr_epi8(t, s1, 8);    /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0); /* CDGH */
	for (; n; n--, p += 64) {
		abef = s0;
		cdgh = s1;
		for (unsigned i = 0; i < 16; i++) {
			if (i < 4)
				m[i] = _mm_shuffle_epi8(
					_mm_loadu_si128(
						(const __m128i *)(p + 16 * i)),
					bswap);
			else
				m[i & 3] = _mm_sha256msg2_epu32(
					_mm_add_epi32(
						_mm_sha256msg1_epu32(
							m[i & 3],
							m[(i + 1) & 3]),
						_mm_alignr_epi8(m[(i + 3) & 3],
								m[(i + 2) & 3],
								4)),
					m[(i + 3) & 3]);
			w = _mm_add_epi32(
				m[i & 3],
				_mm_loadu_si128((const __m128i *)&pt_k[4 * i]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, w);
			s0 = _mm_sha256rnds2_epu32(s0, s1,
						   _mm_shuffle_epi32(w, 0x0E));
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	t = _mm_shuffle_epi32(s0, 0x1B);  /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1); /* DCHG */
	_mm_storeu_si128((__m128i *)&st[0], _mm_blend_epi16(t, s1, 0xF0));
	_mm_storeu_si128((__m128i *)&st[4], _mm_alignr_epi8(s1, t, 8));
}

static bool pt_cpu_has_sha(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) ||
	    !(c & bit_SSE4_1))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}

typedef void (*pt_blocks_fn)(uint32_t *, const unsigned char *, size_t);

/* Chosen on first use; a race only makes two threads choose alike. */
static pt_blocks_fn pt_blocks;

static void pt_sha256_blocks(uint32_t st[8], const unsigned char *p, size_t n)
{
	pt_blocks_fn f = __atomic_load_n(&pt_blocks, __ATOMIC_RELAXED);

	if (!f) {
		f = pt_cpu_has_sha() ? pt_sha256_blocks_ni
				     : pt_sha256_blocks_c;
		__atomic_store_n(&pt_blocks, f, __ATOMIC_RELAXED);
	}
	f(st, p, n);
}

bool pt_sha256_portable(bool force)
{
	pt_blocks_fn f = !force && pt_cpu_has_sha() ? pt_sha256_blocks_ni
						    : pt_sha256_blocks_c;

	__atomic_store_n(&pt_blocks, f, __ATOMIC_RELAXED);
	return f == pt_sha256_blocks_ni;
}
#else
#define pt_sha256_blocks pt_sha256_blocks_c

bool pt_sha256_portable(bool force)
{
	(void)force;
	return false;
}
#endif

void pt_sha256_init(pt_sha256_ctx *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
}

void pt_sha256_update(pt_sha256_ctx *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t have = (size_t)(s->total % 64);

	s->total += len;
	if (have) {
		size_t take = 64 - have < len ? 64 - have : len;

		memcpy(s->block + have, p, take);
		p += take;
		len -= take;
		if (have + take < 64)
			return;
		pt_sha256_blocks(s->h, s->block, 1);
	}
	if (len >= 64) {
		pt_sha256_blocks(s->h, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len)
		memcpy(s->block, p, len);
}

void pt_sha256_final(pt_sha256_ctx *s, unsigned char out[PT_SHA256_LEN])
{
	size_t len = (size_t)(s->total % 64);
	uint64_t bits = s->total * 8u;

	/* Padding: 0x80, zeros, then the length in bits as a 64-bit
	 * big-endian number, in one or two final blocks. */
	s->block[len++] = 0x80;
	if (len > 56) {
		memset(s->block + len, 0, 64 - len);
		pt_sha256_blocks(s->h, s->block, 1);
		len = 0;
	}
	memset(s->block + len, 0, 56 - len);
	for (unsigned i = 0; i < 8; i++)
		s->block[63 - i] = (unsigned char)(bits >> (8 * i));
	pt_sha256_blocks(s->h, s->block, 1);

	for (unsigned i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void pt_sha256(const void *data, size_t len, unsigned char out[PT_SHA256_LEN])
{
	pt_sha256_ctx s;

	pt_sha256_init(&s);
	pt_sha256_update(&s, data, len);
	pt_sha256_final(&s, out);
}
