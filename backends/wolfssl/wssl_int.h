/*
 * wolfSSL backend internals, shared by the files of backends/wolfssl/.
 * Include "wssl_features.h" (which includes <wolfssl/options.h>) before
 * any other wolfSSL header; never include an OpenSSL header here.
 *
 * Every symbol here has hidden visibility (the build uses
 * -fvisibility=hidden); the backend exports only plugtls_provider_wolfssl.
 */
#ifndef PLUGTLS_WSSL_INT_H
#define PLUGTLS_WSSL_INT_H

#include "wssl_features.h"

#include <wolfssl/ssl.h>

#include <plugtls/provider.h>

#include "ptb_der.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- wssl_err.c --------------------------------------------------------- */

/* The one error helper: records code on err with a message "what: wolfSSL's
 * message (wolfSSL code)" and the negated wolfSSL code as provider_code
 * (wolfSSL's codes are negative ints: ASN_NO_SIGNER_E -188 is stored as
 * 188). wolf_code 0 means "no wolfSSL code". Returns code. */
plugtls_err wssl_error(plugtls_error *err, plugtls_err code, int wolf_code,
		       const char *fmt, ...) PLUGTLS_PRINTF(4, 5);
/* wolfSSL's own text for a code (wolfSSL or wolfCrypt), into buf. */
void wssl_err_text(int wolf_code, char *buf, size_t cap);
/* Map a wolfSSL handshake error (wolfSSL_get_error after the call failed)
 * to a plugtls code, for errors not caused by the transport or by the core
 * verification hook. */
plugtls_err wssl_map_tls_error(int wolf_code);

/* ---- wssl_provider.c ---------------------------------------------------- */

/* Call on a thread before it may do an ECC operation: arranges for
 * wolfSSL's per-thread ECC cache to be freed when the thread exits. */
void wssl_thread_note(void);

/* ---- wssl_der.c: CRLs, read with the shared DER reader ----------------- */

/* A CRL's issuer Name and its revoked serial numbers. */
struct wssl_crl {
	struct ptb_tlv issuer;
	bool has_revoked;
	struct ptb_tlv revoked; /* SEQUENCE OF revoked entries */
};
int wssl_crl_split(const unsigned char *der, size_t len, struct wssl_crl *c);
/* 1 when serial (INTEGER contents) is listed, 0 when not, -1 malformed. */
int wssl_crl_lists(const struct wssl_crl *c, const struct ptb_tlv *serial);

/* ---- wssl_cert.c -------------------------------------------------------- */

/* A certificate native: the DER, owned (from_der, trust store) or borrowed
 * (wrappers handed to the core's sinks for the duration of a call). */
struct wssl_cert {
	unsigned char *der;
	size_t len;
	bool borrowed;
};

plugtls_err wssl_cert_from_der(const unsigned char *der, size_t len, void **out,
			       plugtls_error *err);
void wssl_cert_free(void *cert);
plugtls_err wssl_cert_fields(void *cert, plugtls_prov_fields *f,
			     plugtls_error *err);
/* A borrowed native over der (no copy, no parse). */
void wssl_cert_borrow(struct wssl_cert *c, const unsigned char *der,
		      size_t len);
/* The public key type and size of a SubjectPublicKeyInfo. */
plugtls_err wssl_spki_info(const unsigned char *spki, size_t len,
			   plugtls_prov_key_type *type, unsigned *bits);

/* ---- wssl_verify.c ------------------------------------------------------ */

plugtls_err wssl_trust_new(void **out, plugtls_error *err);
void wssl_trust_free(void *trust);
plugtls_err wssl_trust_add_cert(void *trust, void *cert, plugtls_error *err);
plugtls_err wssl_trust_add_crl(void *trust, const unsigned char *der,
			       size_t len, plugtls_error *err);
plugtls_err wssl_verify(void *trust, void *const *natives, size_t n,
			const plugtls_prov_verify_params *vp, uint32_t *reasons,
			plugtls_prov_chain_sink sink, void *arg,
			plugtls_error *err);
/* The handshake's verify callback (wolfSSL_CTX_set_verify); its user
 * pointer (wolfSSL_SetCertCbCtx) is the struct wssl_conn. */
int wssl_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store);

/* ---- wssl_key.c --------------------------------------------------------- */

/* A private key, decrypted, as DER (PKCS#8 or the algorithm's own form);
 * wiped on free. */
struct wssl_key {
	unsigned char *der;
	size_t len;
	plugtls_prov_key_type type;
	unsigned bits;
	unsigned char *spki; /* the public half, as SubjectPublicKeyInfo */
	size_t spki_len;
};

plugtls_err wssl_key_load(const unsigned char *data, size_t len, int is_pem,
			  const char *password, void **out, plugtls_error *err);
void wssl_key_free(void *key);
plugtls_err wssl_key_info(void *key, plugtls_prov_key_type *type,
			  unsigned *bits);
/* Takes der (wiped and freed on failure): checks that it is a private key
 * wolfSSL can use and makes the native. A key that cannot be decoded is
 * PLUGTLS_E_BAD_PASSWORD when it came out of a decryption, else
 * PLUGTLS_E_MALFORMED. */
plugtls_err wssl_key_from_der(unsigned char *der, size_t len, bool decrypted,
			      void **out, plugtls_error *err);

/* ---- wssl_pkcs12.c ------------------------------------------------------ */

plugtls_err wssl_p12_import(const unsigned char *der, size_t len,
			    const char *password, void **key,
			    plugtls_prov_chain_sink sink, void *arg,
			    plugtls_error *err);
plugtls_err wssl_p12_export(void *key, void *const *chain, size_t n,
			    const char *password, const char *friendly_name,
			    unsigned char **out, size_t *out_len,
			    plugtls_error *err);

/* ---- wssl_ctx.c --------------------------------------------------------- */

struct wssl_ctx {
	WOLFSSL_CTX *ctx;
	void *core;
	plugtls_role role;
	unsigned min_version, max_version;
	int verify_peer;
	plugtls_client_cert client_cert;
	int psk;
	int tickets;
	/* The TLS 1.3 suite an external PSK is used with (its hash). */
	const char *psk13_suite;
	/* ALPN as wolfSSL_UseALPN wants it: names separated by ','
	 * (clients), and the wire format (servers' selection). */
	char *alpn_list;
	size_t alpn_list_len;
	unsigned char *alpn_wire;
	size_t alpn_wire_len;
};

plugtls_err wssl_ctx_new(const plugtls_prov_ctx_params *params, void *core,
			 void **out, plugtls_error *err);
void wssl_ctx_free(void *ctx);

/* ---- wssl_conn.c -------------------------------------------------------- */

struct wssl_conn {
	struct wssl_ctx *ctx;
	plugtls_conn *core;
	WOLFSSL *ssl;
	/* What the transport said during the current operation: end of
	 * stream on reading, and the first transport failure. Kept apart
	 * because wolfSSL writes (an alert) after a read hit end of stream. */
	bool rx_eof;
	plugtls_err io_err;
	/* Core verification hook: called once per handshake. */
	bool hook_called;
	plugtls_err hook_rc;
	/* A PSK callback ran and handed a key to wolfSSL. */
	bool psk_offered;
	unsigned char *psk_identity; /* NUL-terminated copy */
	size_t psk_identity_len;
	char *servername; /* servers: the SNI received */
	bool handshake_done;
	bool close_sent;
	bool alert_sent; /* send_missing_alert ran */
};

plugtls_err wssl_conn_new(void *ctx, plugtls_conn *core,
			  const plugtls_prov_conn_params *params, void **out,
			  plugtls_error *err);
void wssl_conn_free(void *conn);
plugtls_err wssl_conn_handshake(void *conn, plugtls_error *err);
plugtls_err wssl_conn_read(void *conn, void *buf, size_t len, size_t *n,
			   plugtls_error *err);
plugtls_err wssl_conn_write(void *conn, const void *buf, size_t len, size_t *n,
			    plugtls_error *err);
plugtls_err wssl_conn_shutdown(void *conn, plugtls_error *err);
plugtls_err wssl_conn_info(void *conn, plugtls_prov_conn_info *out);
plugtls_err wssl_conn_peer_chain(void *conn, plugtls_prov_chain_sink sink,
				 void *arg);
void *wssl_conn_native(void *conn);
plugtls_err wssl_conn_session_export(void *conn, unsigned char **out,
				     size_t *out_len, plugtls_error *err);

/* ---- wssl_session.c ------------------------------------------------------ */

/* true when der is a well-formed wolfSSL session serialisation whose
 * lengths all fit wolfSSL's fixed arrays: call before
 * wolfSSL_d2i_SSL_SESSION, which does not check them. */
bool wssl_session_blob_ok(const unsigned char *der, size_t len);

/* PSK callbacks (wssl_conn.c), installed by wssl_ctx.c. */
unsigned int wssl_psk_client_cb(WOLFSSL *ssl, const char *hint, char *identity,
				unsigned int id_max, unsigned char *key,
				unsigned int key_max);
unsigned int wssl_psk_server_cb(WOLFSSL *ssl, const char *identity,
				unsigned char *key, unsigned int key_max);
unsigned int wssl_psk_client_tls13_cb(WOLFSSL *ssl, const char *hint,
				      char *identity, unsigned int id_max,
				      unsigned char *key, unsigned int key_max,
				      const char **cipher_name);
unsigned int wssl_psk_server_tls13_cb(WOLFSSL *ssl, const char *identity,
				      unsigned char *key, unsigned int key_max,
				      const char **cipher_name);
/* ALPN selection for servers (wssl_conn.c), installed by wssl_ctx.c. */
int wssl_alpn_select_cb(WOLFSSL *ssl, const unsigned char **out,
			unsigned char *outlen, const unsigned char *in,
			unsigned int inlen, void *arg);
/* I/O callbacks (wssl_conn.c). */
int wssl_io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg);
int wssl_io_send(WOLFSSL *ssl, char *buf, int sz, void *arg);

#endif
