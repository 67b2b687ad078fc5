/*
 * SPKI pins: "sha256//BASE64" entries separated by ';' (the syntax curl
 * uses for --pinnedpubkey), each the SHA-256 of a certificate's DER
 * SubjectPublicKeyInfo.
 *
 * Strict on purpose, since a pin that silently fails to parse would turn
 * pinning off: spaces and tabs around an entry are allowed; an empty entry
 * (also a trailing ';'), another hash prefix, base64 that is not exactly 44
 * characters of strict base64 decoding to 32 bytes, or more than
 * PT_MAX_PINS entries give PLUGTLS_E_INVALID_ARGUMENT naming the entry
 * (1-based). Pins are public values, so messages may quote the index.
 */
#include "internal.h"

#include <string.h>

#define PT_MAX_PINS 64u
#define PT_PIN_PREFIX "sha256//"
#define PT_PIN_B64_LEN 44u

static bool pt_pin_space(char c)
{
	return c == ' ' || c == '\t';
}

plugtls_err pt_pins_parse(const char *s, pt_pins *out, plugtls_error *err)
{
	unsigned char hashes[PT_MAX_PINS][PT_SHA256_LEN];
	size_t n = 0;
	const char *p = s;
	const size_t plen = strlen(PT_PIN_PREFIX);

	if (!s || !out)
		return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "pins: no pin list");
	for (;;) {
		const char *end = strchr(p, ';');
		const char *a = p, *b = end ? end : p + strlen(p);
		size_t got = 0;
		plugtls_err rc;

		/* Trim the entry [a, b). */
		while (a < b && pt_pin_space(*a))
			a++;
		while (b > a && pt_pin_space(b[-1]))
			b--;
		if (n == PT_MAX_PINS)
			return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "pins: more than %u pins",
					  PT_MAX_PINS);
		if (a == b)
			return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "pins: entry %zu is empty", n + 1);
		if ((size_t)(b - a) < plen || memcmp(a, PT_PIN_PREFIX, plen))
			return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "pins: entry %zu does not start with \"sha256//\" (the only supported hash)",
					  n + 1);
		a += plen;
		if ((size_t)(b - a) != PT_PIN_B64_LEN)
			return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "pins: entry %zu: %zu base64 characters, a SHA-256 pin has %u",
					  n + 1, (size_t)(b - a),
					  PT_PIN_B64_LEN);
		rc = pt_base64_decode(a, (size_t)(b - a), false, hashes[n],
				      PT_SHA256_LEN, &got);
		if (rc != PLUGTLS_OK || got != PT_SHA256_LEN)
			return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
					  "pins: entry %zu: bad base64", n + 1);
		n++;
		if (!end)
			break;
		p = end + 1;
	}
	unsigned char(*copy)[PT_SHA256_LEN] =
		pt_memdup(hashes, n * sizeof(hashes[0]));
	if (!copy)
		return pt_err_set(err, PLUGTLS_E_NOMEM, 0,
				  "pins: out of memory");
	out->hash = copy;
	out->n = n;
	return PLUGTLS_OK;
}

void pt_pins_free(pt_pins *pins)
{
	if (!pins)
		return;
	pt_free(pins->hash);
	pins->hash = NULL;
	pins->n = 0;
}

bool pt_pins_match(const pt_pins *pins, const plugtls_chain *chain)
{
	unsigned char h[PT_SHA256_LEN];

	if (!pins || !pins->n || !chain)
		return false;
	for (size_t i = 0; i < chain->n; i++) {
		const plugtls_cert *c = chain->certs[i];
		if (!c || !c->spki)
			continue;
		pt_sha256(c->spki, c->spki_len, h);
		for (size_t k = 0; k < pins->n; k++)
			if (memcmp(h, pins->hash[k], PT_SHA256_LEN) == 0)
				return true;
	}
	return false;
}
