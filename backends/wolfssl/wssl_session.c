/*
 * A bounds check of a serialised wolfSSL session before it reaches
 * wolfSSL_d2i_SSL_SESSION.
 *
 * wolfSSL 5.5.4 (Debian 12) decodes a session without checking the lengths
 * it copies into fixed arrays of WOLFSSL_SESSION: the session id length
 * (into sessionID[ID_LEN], 32), the certificate count and each
 * certificate's length (into chain.certs[MAX_CHAIN_DEPTH, 9] of
 * MAX_X509_SIZE, 2048, bytes), the server id length (serverID[20]) and the
 * session context length (sessionCtx[ID_LEN]). A session blob read back
 * from a file with one of them out of range overflowed the heap object and
 * crashed in wolfSSL_X509_free (found by fuzz/fuzz_session; regression
 * input fuzz/corpus/session/regress-wolfssl-d2i-overflow).
 *
 * So the backend walks the exact layout wolfSSL_i2d_SSL_SESSION writes in
 * that build (ssl.c; options.h: SESSION_CERTS, OPENSSL_EXTRA with the
 * session context, WOLFSSL_TLS13, HAVE_SESSION_TICKET; no
 * WOLFSSL_EARLY_DATA; 64-bit ticketSeen) and refuses a blob with any length
 * out of range or that is not consumed exactly. A wolfSSL built with a
 * different layout fails the session round trip of the conformance suite
 * (test_handshake.c, resumption) rather than passing unchecked bytes on.
 */
#include "wssl_int.h"

#define WSSL_SESS_ID_LEN 32u
#define WSSL_SESS_SECRET_LEN 48u
#define WSSL_SESS_MAX_CHAIN 9u
#define WSSL_SESS_MAX_X509 2048u
#define WSSL_SESS_SERVER_ID_LEN 20u

struct wssl_sess_cur {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

/* Take n bytes; returns them, or NULL (and marks the cursor bad). */
static const unsigned char *take(struct wssl_sess_cur *c, size_t n)
{
	const unsigned char *r;
	if (c->bad || c->len - c->off < n) {
		c->bad = true;
		return NULL;
	}
	r = c->p + c->off;
	c->off += n;
	return r;
}

static size_t u8(struct wssl_sess_cur *c)
{
	const unsigned char *b = take(c, 1);
	return b ? b[0] : 0;
}

static size_t u16(struct wssl_sess_cur *c)
{
	const unsigned char *b = take(c, 2);
	return b ? (size_t)b[0] << 8 | b[1] : 0;
}

/* A length byte/word bounded by max, then that many bytes. */
static void bounded(struct wssl_sess_cur *c, size_t n, size_t max)
{
	if (n > max)
		c->bad = true;
	else
		(void)take(c, n);
}

bool wssl_session_blob_ok(const unsigned char *der, size_t len)
{
	struct wssl_sess_cur c = {.p = der, .len = len};
	size_t n, alt;

	(void)take(&c, 1 + 4 + 4); /* side, bornOn, timeout */
	n = u8(&c);
	bounded(&c, n, WSSL_SESS_ID_LEN);         /* sessionID */
	(void)take(&c, WSSL_SESS_SECRET_LEN + 1); /* masterSecret, haveEMS */
	alt = u8(&c);
	if (alt != 0 && alt != WSSL_SESS_ID_LEN)
		c.bad = true;
	(void)take(&c, alt); /* altSessionID */
	n = u8(&c);          /* chain.count */
	if (n > WSSL_SESS_MAX_CHAIN)
		c.bad = true;
	for (size_t i = 0; i < n && !c.bad; i++)
		bounded(&c, u16(&c), WSSL_SESS_MAX_X509);
	(void)take(&c, 2 + 2); /* version, cipher suite */
	bounded(&c, u16(&c), WSSL_SESS_SERVER_ID_LEN); /* serverID */
	bounded(&c, u8(&c), WSSL_SESS_ID_LEN);         /* sessionCtx */
	/* peerVerifyRet, namedGroup, ticketSeen (64 bits), ticketAdd */
	(void)take(&c, 1 + 2 + 8 + 4);
	bounded(&c, u8(&c), 255);     /* ticketNonce */
	bounded(&c, u16(&c), 0xffff); /* ticket (allocated by wolfSSL) */
	return !c.bad && c.off == c.len;
}
