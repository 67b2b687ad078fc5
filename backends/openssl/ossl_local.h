/*
 * OpenSSL provider: declarations shared by the files of this backend.
 *
 * Natives (the opaque objects the core sees):
 *   cert  X509 *           trust  X509_STORE *      key  EVP_PKEY *
 *   ctx   struct ossl_ctx * conn  struct ossl_conn * (native handle: SSL *)
 *
 * Everything here has hidden visibility (the build's default); only
 * plugtls_provider_openssl is exported.
 */
#ifndef PLUGTLS_OSSL_LOCAL_H
#define PLUGTLS_OSSL_LOCAL_H

#include "ossl_features.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <plugtls/provider.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- ossl_err.c --------------------------------------------------------- */

/* Drains OpenSSL's error queue (thread-local) into err: the message is
 * "<what>: <OpenSSL's library: reason (data)>", the provider code the packed
 * ERR code of the first (innermost) error. An allocation failure anywhere in
 * the queue turns code into PLUGTLS_E_NOMEM. Returns the code recorded. The
 * queue is empty afterwards, also when err already held an error (first one
 * wins). */
plugtls_err ossl_err(plugtls_error *err, plugtls_err code, const char *fmt,
		     ...) PLUGTLS_PRINTF(3, 4);

/* The same, with a table that maps queue entries to codes: the first row
 * (in table order) that matches any entry of the queue decides the code.
 * lib OSSL_ERR_ANY matches every library; reason OSSL_ERR_UNSUPPORTED
 * matches every "algorithm not available" reason. The table ends with a row
 * whose code is PLUGTLS_OK. */
#define OSSL_ERR_ANY (-1)
#define OSSL_ERR_UNSUPPORTED (-1)
struct ossl_err_map {
	int lib;
	int reason;
	plugtls_err code;
};
plugtls_err ossl_err_map(plugtls_error *err, plugtls_err code,
			 const struct ossl_err_map *map, const char *fmt, ...)
	PLUGTLS_PRINTF(4, 5);

/* ---- ossl_provider.c ---------------------------------------------------- */

/* SSL ex_data index holding the struct ossl_conn of an SSL (set at init). */
extern int ossl_conn_index;
/* The BIO_METHOD over plugtls_prov_io_read/write (created at init). */
extern BIO_METHOD *ossl_bio_method;

/* ---- ossl_cert.c -------------------------------------------------------- */

plugtls_err ossl_cert_from_der(const unsigned char *der, size_t len,
			       void **out, plugtls_error *err);
void ossl_cert_free(void *cert);
/* 1 when OpenSSL parsed x but lost its public key for lack of memory (it
 * would pass for an unknown key type); see ossl_cert.c. */
int ossl_cert_pubkey_lost(X509 *x);
plugtls_err ossl_cert_fields(void *cert, plugtls_prov_fields *f,
			     plugtls_error *err);
/* Key type and size of a public or private key, as the fields report it. */
void ossl_pkey_type(const EVP_PKEY *pkey, plugtls_prov_key_type *type,
		    unsigned *bits);

/* ---- ossl_verify.c ------------------------------------------------------ */

plugtls_err ossl_trust_new(void **out, plugtls_error *err);
void ossl_trust_free(void *trust);
plugtls_err ossl_trust_add_cert(void *trust, void *cert, plugtls_error *err);
plugtls_err ossl_trust_add_crl(void *trust, const unsigned char *der,
			       size_t len, plugtls_error *err);
plugtls_err ossl_verify(void *trust, void *const *natives, size_t n,
			const plugtls_prov_verify_params *vp, uint32_t *reasons,
			plugtls_prov_chain_sink sink, void *arg,
			plugtls_error *err);
/* The PLUGTLS_VERIFY_* bits of one X509_V_ERR_* code (0: not a verdict). */
uint32_t ossl_verify_reason(int x509_error);

/* ---- ossl_key.c --------------------------------------------------------- */

plugtls_err ossl_key_load(const unsigned char *data, size_t len, int is_pem,
			  const char *password, void **out,
			  plugtls_error *err);
void ossl_key_free(void *key);
plugtls_err ossl_key_info(void *key, plugtls_prov_key_type *type,
			  unsigned *bits);

/* ---- ossl_pkcs12.c ------------------------------------------------------ */

plugtls_err ossl_pkcs12_import(const unsigned char *der, size_t len,
			       const char *password, void **key,
			       plugtls_prov_chain_sink sink, void *arg,
			       plugtls_error *err);
plugtls_err ossl_pkcs12_export(void *key, void *const *chain, size_t n,
			       const char *password,
			       const char *friendly_name, unsigned char **out,
			       size_t *out_len, plugtls_error *err);

/* ---- ossl_ctx.c ---------------------------------------------------------- */

struct ossl_ctx {
	SSL_CTX *ssl_ctx;
	void *core; /* the plugtls_ctx, for logging */
	plugtls_role role;
	int verify_peer;
	plugtls_client_cert client_cert;
	int psk;
	int keylog;
	/* Servers: our ALPN list, wire format (for the select callback). */
	unsigned char *alpn;
	size_t alpn_len;
	/* TLS 1.3 cipher suite of an external PSK's session: its hash must
	 * match the suite the handshake negotiates (RFC 8446 4.2.11). */
	unsigned char psk13_suite[2];
	/* Clients: the session last imported by conn.new, parsed once and
	 * keyed by its exact encoding (secret: wiped when freed); guarded by
	 * a lock in ossl_conn.c. */
	unsigned char *sess_der;
	size_t sess_len;
	SSL_SESSION *sess;
};

plugtls_err ossl_ctx_new(const plugtls_prov_ctx_params *params, void *core,
			 void **out, plugtls_error *err);
void ossl_ctx_free(void *ctx);
/* Frees the context's parsed-session cache (ossl_conn.c). */
void ossl_ctx_session_cache_free(struct ossl_ctx *octx);

/* ---- ossl_conn.c --------------------------------------------------------- */

struct ossl_conn {
	SSL *ssl;
	plugtls_conn *core;
	struct ossl_ctx *ctx;
	/* What the transport said during the current SSL call. */
	plugtls_err io_rc; /* PLUGTLS_E_IO / _TIMEOUT / _CLOSED, else OK */
	int eof;           /* the transport reported end of stream */
	/* Peer verification through the core (plugtls_prov_verify_peer). */
	int verify_called;
	plugtls_err verify_rc;
	int close_sent;
	/* PSK in use: identity offered (clients) or found (servers). */
	int psk_offered;
	unsigned char *psk_id;
	size_t psk_id_len;
};

plugtls_err ossl_conn_new(void *ctx, plugtls_conn *core,
			  const plugtls_prov_conn_params *params, void **out,
			  plugtls_error *err);
void ossl_conn_free(void *conn);
plugtls_err ossl_conn_handshake(void *conn, plugtls_error *err);
plugtls_err ossl_conn_read(void *conn, void *buf, size_t len, size_t *n,
			   plugtls_error *err);
plugtls_err ossl_conn_write(void *conn, const void *buf, size_t len,
			    size_t *n, plugtls_error *err);
plugtls_err ossl_conn_shutdown(void *conn, plugtls_error *err);
plugtls_err ossl_conn_info(void *conn, plugtls_prov_conn_info *out);
plugtls_err ossl_conn_peer_chain(void *conn, plugtls_prov_chain_sink sink,
				 void *arg);
void *ossl_conn_native_handle(void *conn);
plugtls_err ossl_conn_session_export(void *conn, unsigned char **out,
				     size_t *out_len, plugtls_error *err);
/* The struct ossl_conn of an SSL, or NULL. */
struct ossl_conn *ossl_conn_of(const SSL *ssl);
/* Remember the PSK identity in use (copied). */
plugtls_err ossl_conn_set_psk_id(struct ossl_conn *oc, const void *id,
				 size_t len);
/* Callbacks installed on the SSL_CTX by ossl_ctx.c; they find their
 * connection through the SSL's ex_data. */
int ossl_cert_verify_cb(X509_STORE_CTX *sctx, void *arg);
unsigned int ossl_psk12_client_cb(SSL *ssl, const char *hint, char *identity,
				  unsigned int max_identity_len,
				  unsigned char *psk, unsigned int max_psk_len);
unsigned int ossl_psk12_server_cb(SSL *ssl, const char *identity,
				  unsigned char *psk, unsigned int max_psk_len);
int ossl_psk13_use_cb(SSL *ssl, const EVP_MD *md, const unsigned char **id,
		      size_t *idlen, SSL_SESSION **sess);
int ossl_psk13_find_cb(SSL *ssl, const unsigned char *identity,
		       size_t identity_len, SSL_SESSION **sess);
void ossl_keylog_cb(const SSL *ssl, const char *line);
/* The BIO_METHOD's callbacks (installed by ossl_provider.c at init). */
int ossl_bio_write(BIO *b, const char *data, size_t len, size_t *written);
int ossl_bio_read(BIO *b, char *data, size_t len, size_t *readbytes);
long ossl_bio_ctrl(BIO *b, int cmd, long num, void *ptr);
int ossl_bio_create(BIO *b);
int ossl_bio_destroy(BIO *b);

#endif
