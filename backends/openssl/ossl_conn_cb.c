/*
 * OpenSSL provider: callbacks OpenSSL makes during a handshake. Each finds
 * its connection through the SSL's ex_data (ossl_conn_of).
 *
 *  - ossl_cert_verify_cb replaces X509_verify_cert for the peer's chain
 *    (SSL_CTX_set_cert_verify_callback): the core verifies, through
 *    plugtls_prov_verify_peer, with its own checks and our cert.verify. On
 *    a refusal the store context gets X509_V_ERR_CERT_REJECTED, which
 *    OpenSSL sends as a bad_certificate alert; the connection remembers the
 *    code for handshake() to return.
 *  - PSK: TLS 1.2 (psk_client/server_callback) and TLS 1.3 external PSK
 *    (use/find_session callbacks, an SSL_SESSION built around the key).
 *  - key-log lines, only when the context asked for them.
 */
#include "ossl_local.h"

#include <openssl/x509_vfy.h>

#include <string.h>

int ossl_cert_verify_cb(X509_STORE_CTX *sctx, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
		sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct ossl_conn *oc = ossl_conn_of(ssl);
	X509 *leaf = X509_STORE_CTX_get0_cert(sctx);
	STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(sctx);
	void **natives = NULL;
	size_t n = 0;
	plugtls_err rc;

	(void)arg;
	if (!oc || !leaf) {
		X509_STORE_CTX_set_error(sctx, X509_V_ERR_UNSPECIFIED);
		return 0;
	}
	/* Nothing asked for verification (a client with chain and host
	 * checks off and no pin): accept without building a chain. */
	if (!oc->ctx->verify_peer) {
		X509_STORE_CTX_set_error(sctx, X509_V_OK);
		return 1;
	}
	/* What the peer sent, leaf first: OpenSSL passes the whole list as
	 * "untrusted", the leaf included. */
	natives = plugtls_prov_calloc((size_t)sk_X509_num(sent) + 1,
				      sizeof(*natives));
	if (!natives) {
		oc->verify_rc = PLUGTLS_E_NOMEM;
		X509_STORE_CTX_set_error(sctx, X509_V_ERR_OUT_OF_MEM);
		return 0;
	}
	natives[n++] = leaf;
	for (int i = 0; i < sk_X509_num(sent); i++) {
		X509 *x = sk_X509_value(sent, i);
		if (x != leaf)
			natives[n++] = x;
	}
	oc->verify_called = 1;
	rc = plugtls_prov_verify_peer(oc->core, (void *const *)natives, n);
	plugtls_prov_free(natives);
	if (rc == PLUGTLS_OK) {
		X509_STORE_CTX_set_error(sctx, X509_V_OK);
		return 1;
	}
	oc->verify_rc = rc;
	X509_STORE_CTX_set_error(sctx, X509_V_ERR_CERT_REJECTED);
	return 0;
}

#if HAVE_KEYLOG
void ossl_keylog_cb(const SSL *ssl, const char *line)
{
	struct ossl_conn *oc = ossl_conn_of(ssl);

	if (oc && oc->ctx->keylog && line)
		plugtls_prov_keylog(oc->core, line);
}
#endif

#if HAVE_PSK
/* TLS 1.2 client: identity as a C string (OpenSSL's interface), so an
 * identity with a NUL byte cannot be sent over TLS 1.2. Returns the key
 * length, 0 for "no PSK" (the handshake then fails). OpenSSL wipes the
 * psk buffer after use. */
unsigned int ossl_psk12_client_cb(SSL *ssl, const char *hint, char *identity,
				  unsigned int max_identity_len,
				  unsigned char *psk, unsigned int max_psk_len)
{
	struct ossl_conn *oc = ossl_conn_of(ssl);
	const unsigned char *id, *key;
	size_t id_len, key_len;

	(void)hint;
	if (!oc || plugtls_prov_psk_client(oc->core, &id, &id_len, &key,
					   &key_len) != PLUGTLS_OK)
		return 0;
	if (id_len == 0 || id_len >= max_identity_len ||
	    memchr(id, 0, id_len) || key_len == 0 || key_len > max_psk_len)
		return 0;
	if (ossl_conn_set_psk_id(oc, id, id_len) != PLUGTLS_OK)
		return 0;
	memcpy(identity, id, id_len);
	identity[id_len] = '\0';
	memcpy(psk, key, key_len);
	oc->psk_offered = 1;
	return (unsigned int)key_len;
}

/* TLS 1.2 server: 0 for an unknown identity, which OpenSSL answers with
 * unknown_psk_identity. */
unsigned int ossl_psk12_server_cb(SSL *ssl, const char *identity,
				  unsigned char *psk, unsigned int max_psk_len)
{
	struct ossl_conn *oc = ossl_conn_of(ssl);
	const unsigned char *key;
	size_t id_len, key_len;

	if (!oc || !identity)
		return 0;
	id_len = strlen(identity);
	if (plugtls_prov_psk_find(oc->core, identity, id_len, &key,
				  &key_len) != PLUGTLS_OK ||
	    key_len == 0 || key_len > max_psk_len)
		return 0;
	if (ossl_conn_set_psk_id(oc, identity, id_len) != PLUGTLS_OK)
		return 0;
	memcpy(psk, key, key_len);
	oc->psk_offered = 1;
	return (unsigned int)key_len;
}

/* A TLS 1.3 session around an external PSK: the key as the resumption
 * secret, the context's PSK suite (its hash is the PSK's hash). OpenSSL
 * takes the session; SSL_SESSION_free wipes the key. */
static SSL_SESSION *psk_session(SSL *ssl, const struct ossl_ctx *octx,
				const unsigned char *key, size_t key_len)
{
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, octx->psk13_suite);
	SSL_SESSION *s;

	if (!cipher)
		return NULL;
	s = SSL_SESSION_new();
	if (!s)
		return NULL;
	if (!SSL_SESSION_set1_master_key(s, key, key_len) ||
	    !SSL_SESSION_set_cipher(s, cipher) ||
	    !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
		SSL_SESSION_free(s);
		return NULL;
	}
	return s;
}

static int same_md(const EVP_MD *a, const EVP_MD *b)
{
	/* md comes fetched, the cipher's from the legacy table: compare the
	 * algorithm, not the pointer. */
	return a && b && EVP_MD_get_type(a) == EVP_MD_get_type(b);
}

/* TLS 1.3 client. md is NULL on the first ClientHello, the negotiated
 * hash after a HelloRetryRequest: the PSK is offered only with a
 * matching hash. Return 1 with *sess NULL for "no PSK", 0 to abort. */
int ossl_psk13_use_cb(SSL *ssl, const EVP_MD *md, const unsigned char **id,
		      size_t *idlen, SSL_SESSION **sess)
{
	struct ossl_conn *oc = ossl_conn_of(ssl);
	const unsigned char *pid, *key;
	size_t pid_len, key_len;
	const SSL_CIPHER *cipher;
	SSL_SESSION *s;
	plugtls_err rc;

	*sess = NULL;
	*id = NULL;
	*idlen = 0;
	if (!oc)
		return 0;
	rc = plugtls_prov_psk_client(oc->core, &pid, &pid_len, &key, &key_len);
	if (rc == PLUGTLS_E_NOT_FOUND)
		return 1;
	if (rc != PLUGTLS_OK || pid_len == 0 || key_len == 0)
		return 0;
	cipher = SSL_CIPHER_find(ssl, oc->ctx->psk13_suite);
	if (md && (!cipher ||
		   !same_md(md, SSL_CIPHER_get_handshake_digest(cipher))))
		return 1;
	s = psk_session(ssl, oc->ctx, key, key_len);
	if (!s || ossl_conn_set_psk_id(oc, pid, pid_len) != PLUGTLS_OK) {
		SSL_SESSION_free(s);
		return 0;
	}
	/* pid is the core's, valid for the connection's life. */
	*id = pid;
	*idlen = pid_len;
	*sess = s;
	oc->psk_offered = 1;
	return 1;
}

/* TLS 1.3 server: an unknown identity is "no PSK" (return 1, *sess NULL):
 * the handshake goes on with a certificate if we have one. */
int ossl_psk13_find_cb(SSL *ssl, const unsigned char *identity,
		       size_t identity_len, SSL_SESSION **sess)
{
	struct ossl_conn *oc = ossl_conn_of(ssl);
	const unsigned char *key;
	size_t key_len;
	SSL_SESSION *s;
	plugtls_err rc;

	*sess = NULL;
	if (!oc)
		return 0;
	rc = plugtls_prov_psk_find(oc->core, identity, identity_len, &key,
				   &key_len);
	if (rc == PLUGTLS_E_NOT_FOUND)
		return 1;
	if (rc != PLUGTLS_OK || key_len == 0)
		return 0;
	s = psk_session(ssl, oc->ctx, key, key_len);
	if (!s || ossl_conn_set_psk_id(oc, identity, identity_len) !=
			  PLUGTLS_OK) {
		SSL_SESSION_free(s);
		return 0;
	}
	*sess = s;
	oc->psk_offered = 1;
	return 1;
}
#endif
