/*
 * Base64 (RFC 4648 section 4, standard alphabet, with padding) for pins and
 * PEM bodies.
 *
 * The decoder is strict: only the standard alphabet, length a multiple of
 * four, '=' only as the last one or two characters, and the unused bits of
 * the last group must be zero (RFC 4648 section 3.5 lets a decoder refuse
 * them; refusing means every accepted string has exactly one encoding).
 * Whitespace (space, tab, CR, LF) is skipped only where the caller allows
 * it (PEM bodies), never inside a pin.
 */
#include "internal.h"

#include <string.h>

static const char pt_b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t pt_base64_encode(const unsigned char *in, size_t len, char *out,
			size_t cap)
{
	size_t groups, need, o = 0;

	if (!out || !cap)
		return 0;
	groups = len / 3 + (len % 3 != 0);
	if (groups > (SIZE_MAX - 1) / 4)
		return 0;
	need = groups * 4 + 1;
	if (cap < need) {
		out[0] = '\0';
		return 0;
	}
	for (size_t i = 0; i < len; i += 3) {
		size_t rest = len - i;
		uint32_t v = (uint32_t)in[i] << 16;
		if (rest > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (rest > 2)
			v |= in[i + 2];
		out[o++] = pt_b64_alphabet[(v >> 18) & 63];
		out[o++] = pt_b64_alphabet[(v >> 12) & 63];
		out[o++] = rest > 1 ? pt_b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = rest > 2 ? pt_b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

/* 0..63, or -1 for anything outside the standard alphabet. */
static int pt_b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static bool pt_b64_ws(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

plugtls_err pt_base64_decode(const char *in, size_t len, bool allow_ws,
			     unsigned char *out, size_t cap, size_t *out_len)
{
	uint32_t acc = 0;
	unsigned nq = 0;   /* characters in the current group */
	unsigned npad = 0; /* '=' seen in the current group */
	bool done = false; /* a padded group ended the data */
	bool too_large = false;
	size_t o = 0;
	plugtls_err rc = PLUGTLS_E_MALFORMED;

	if (!in && len)
		goto out;
	if (!out)
		cap = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		int v;

		if (allow_ws && pt_b64_ws(ch))
			continue;
		if (done)
			goto out; /* data after the padding */
		if (ch == '=') {
			/* Only in the third or fourth place of a group. */
			if (nq < 2)
				goto out;
			npad++;
			nq++;
			acc <<= 6;
		} else {
			v = pt_b64_value(ch);
			if (v < 0 || npad)
				goto out;
			acc = acc << 6 | (uint32_t)v;
			nq++;
		}
		if (nq < 4)
			continue;
		/* A full group: 3 bytes less one per '='. The bits the
		 * padding leaves unused must be zero. */
		unsigned char b[3] = {(unsigned char)(acc >> 16),
				      (unsigned char)(acc >> 8),
				      (unsigned char)acc};
		size_t nb = 3 - npad;
		if ((npad == 1 && b[2] != 0) || (npad == 2 && (b[1] || b[2])))
			goto out;
		for (size_t k = 0; k < nb; k++) {
			if (o < cap)
				out[o] = b[k];
			else
				too_large = true;
			o++;
		}
		if (npad)
			done = true;
		acc = 0;
		nq = 0;
		npad = 0;
	}
	if (nq != 0)
		goto out; /* length not a multiple of four */
	if (too_large) {
		rc = PLUGTLS_E_TOO_LARGE;
		goto out;
	}
	rc = PLUGTLS_OK;
	if (out_len)
		*out_len = o;
out:
	if (rc != PLUGTLS_OK && out)
		pt_wipe(out, o < cap ? o : cap);
	return rc;
}
