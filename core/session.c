/* Exported sessions travel in an envelope authenticated with a key of this
 * process (HMAC-SHA-256), so that only bytes this process exported ever
 * reach a provider's session decoder.
 *
 * Why: the providers' decoders trust their input. Fuzzing found wolfSSL
 * 5.5.4's wolfSSL_d2i_SSL_SESSION overflowing fixed arrays, GnuTLS 3.7.9's
 * gnutls_session_set_data leaking and dereferencing NULL, and GnuTLS
 * aborting on an assertion in its extension unpacker (hello_ext.c) — see
 * docs/FUZZING.md. The backends check what they can; the envelope makes the
 * rest unreachable. The price: a session resumes only in the process that
 * exported it (and its forks), and only with the same provider.
 *
 *	"PTS1" | name length (1) | provider name | HMAC (32) | payload
 *
 * The HMAC covers everything before it and the payload.
 */
#include "internal.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#define PT_SESS_MAGIC "PTS1"
#define PT_SESS_MAGIC_LEN 4
#define PT_SHA256_BLOCK 64

static unsigned char pt_sess_key[32];
static bool pt_sess_key_ok;
static pthread_once_t pt_sess_once = PTHREAD_ONCE_INIT;

static void sess_key_init(void)
{
	size_t got = 0;
	while (got < sizeof(pt_sess_key)) {
		ssize_t n = getrandom(pt_sess_key + got,
				      sizeof(pt_sess_key) - got, 0);
		if (n <= 0)
			return;
		got += (size_t)n;
	}
	pt_sess_key_ok = true;
}

/* HMAC-SHA-256(key, head || body). */
static void hmac(const unsigned char *head, size_t head_len,
		 const unsigned char *body, size_t body_len,
		 unsigned char out[PT_SHA256_LEN])
{
	unsigned char pad[PT_SHA256_BLOCK], inner[PT_SHA256_LEN];
	pt_sha256_ctx s;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, pt_sess_key, sizeof(pt_sess_key));
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36;
	pt_sha256_init(&s);
	pt_sha256_update(&s, pad, sizeof(pad));
	pt_sha256_update(&s, head, head_len);
	pt_sha256_update(&s, body, body_len);
	pt_sha256_final(&s, inner);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	pt_sha256_init(&s);
	pt_sha256_update(&s, pad, sizeof(pad));
	pt_sha256_update(&s, inner, sizeof(inner));
	pt_sha256_final(&s, out);
	pt_wipe(pad, sizeof(pad));
	pt_wipe(inner, sizeof(inner));
	pt_wipe(&s, sizeof(s));
}

static size_t head_of(const char *prov, unsigned char *head, size_t cap)
{
	size_t nl = strlen(prov);
	if (nl > 255 || PT_SESS_MAGIC_LEN + 1 + nl > cap)
		return 0;
	memcpy(head, PT_SESS_MAGIC, PT_SESS_MAGIC_LEN);
	head[PT_SESS_MAGIC_LEN] = (unsigned char)nl;
	memcpy(head + PT_SESS_MAGIC_LEN + 1, prov, nl);
	return PT_SESS_MAGIC_LEN + 1 + nl;
}

plugtls_err pt_session_seal(const char *prov, const unsigned char *payload,
			    size_t len, unsigned char **out, size_t *out_len)
{
	unsigned char head[PT_SESS_MAGIC_LEN + 1 + 255], mac[PT_SHA256_LEN];
	size_t hl = head_of(prov, head, sizeof(head));
	unsigned char *buf;

	pthread_once(&pt_sess_once, sess_key_init);
	if (!pt_sess_key_ok || !hl)
		return PLUGTLS_E_INTERNAL;
	if (len > SIZE_MAX - hl - sizeof(mac))
		return PLUGTLS_E_TOO_LARGE;
	hmac(head, hl, payload, len, mac);
	buf = pt_malloc(hl + sizeof(mac) + len);
	if (!buf)
		return PLUGTLS_E_NOMEM;
	memcpy(buf, head, hl);
	memcpy(buf + hl, mac, sizeof(mac));
	memcpy(buf + hl + sizeof(mac), payload, len);
	*out = buf;
	*out_len = hl + sizeof(mac) + len;
	return PLUGTLS_OK;
}

plugtls_err pt_session_open(const char *prov, const unsigned char *data,
			    size_t len, const unsigned char **payload,
			    size_t *payload_len)
{
	unsigned char head[PT_SESS_MAGIC_LEN + 1 + 255], mac[PT_SHA256_LEN];
	size_t hl = head_of(prov, head, sizeof(head));
	unsigned diff = 0;

	pthread_once(&pt_sess_once, sess_key_init);
	if (!pt_sess_key_ok || !hl)
		return PLUGTLS_E_INTERNAL;
	if (len <= hl + sizeof(mac) || memcmp(data, head, hl) != 0)
		return PLUGTLS_E_MALFORMED;
	hmac(head, hl, data + hl + sizeof(mac), len - hl - sizeof(mac), mac);
	for (size_t i = 0; i < sizeof(mac); i++)
		diff |= (unsigned)(mac[i] ^ data[hl + i]);
	pt_wipe(mac, sizeof(mac));
	if (diff)
		return PLUGTLS_E_MALFORMED;
	*payload = data + hl + PT_SHA256_LEN;
	*payload_len = len - hl - PT_SHA256_LEN;
	return PLUGTLS_OK;
}
