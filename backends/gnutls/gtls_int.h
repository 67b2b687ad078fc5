/*
 * GnuTLS provider: internals shared by the backend's files. Nothing here is
 * exported (the build hides every symbol but plugtls_provider_gnutls).
 *
 * Natives handed to the core:
 *   certificate  gnutls_x509_crt_t
 *   key          gnutls_x509_privkey_t
 *   trust store  struct gtls_trust *
 *   context      struct gtls_ctx *
 *   connection   struct gtls_conn *
 */
#ifndef PLUGTLS_GTLS_INT_H
#define PLUGTLS_GTLS_INT_H

#include "gtls_features.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs12.h>

#include <plugtls/provider.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GTLS_HIDDEN __attribute__((visibility("hidden")))

/* ---- gtls_err.c ------------------------------------------------------- */

/* The backend's one error helper: records code (PLUGTLS_E_NOMEM instead
 * when gret is GNUTLS_E_MEMORY_ERROR) with "<what>: <gnutls_strerror>" and
 * the provider code -gret (GnuTLS codes are negative ints; the record keeps
 * their magnitude). Returns the recorded code. */
GTLS_HIDDEN plugtls_err gtls_error(plugtls_error *err, plugtls_err code,
				   int gret, const char *fmt, ...)
	PLUGTLS_PRINTF(4, 5);

/* ---- gtls_provider.c -------------------------------------------------- */
GTLS_HIDDEN uint64_t gtls_capabilities(void);

/* ---- gtls_cert.c ------------------------------------------------------ */
GTLS_HIDDEN plugtls_err gtls_cert_from_der(const unsigned char *der, size_t len,
					   void **out, plugtls_error *err);
GTLS_HIDDEN void gtls_cert_free(void *cert);
GTLS_HIDDEN plugtls_err gtls_cert_fields(void *cert, plugtls_prov_fields *f,
					 plugtls_error *err);
/* A new copy of crt (through its DER). */
GTLS_HIDDEN int gtls_crt_dup(gnutls_x509_crt_t crt, gnutls_x509_crt_t *out);

/* ---- gtls_verify.c ---------------------------------------------------- */
struct gtls_trust;
GTLS_HIDDEN plugtls_err gtls_trust_new(void **out, plugtls_error *err);
GTLS_HIDDEN void gtls_trust_free(void *trust);
GTLS_HIDDEN plugtls_err gtls_trust_add_cert(void *trust, void *cert,
					    plugtls_error *err);
GTLS_HIDDEN plugtls_err gtls_trust_add_crl(void *trust,
					   const unsigned char *der, size_t len,
					   plugtls_error *err);
GTLS_HIDDEN plugtls_err gtls_verify(void *trust, void *const *natives, size_t n,
				    const plugtls_prov_verify_params *vp,
				    uint32_t *reasons,
				    plugtls_prov_chain_sink sink, void *arg,
				    plugtls_error *err);

/* ---- gtls_key.c ------------------------------------------------------- */
GTLS_HIDDEN plugtls_err gtls_key_load(const unsigned char *data, size_t len,
				      int is_pem, const char *password,
				      void **out, plugtls_error *err);
GTLS_HIDDEN void gtls_key_free(void *key);
GTLS_HIDDEN plugtls_err gtls_key_info(void *key, plugtls_prov_key_type *type,
				      unsigned *bits);
/* plugtls key type and bits of a GnuTLS public-key algorithm. */
GTLS_HIDDEN plugtls_prov_key_type gtls_pk_type(int pk, unsigned *bits);

/* ---- gtls_pkcs12.c ---------------------------------------------------- */
GTLS_HIDDEN plugtls_err gtls_pkcs12_import(const unsigned char *der, size_t len,
					   const char *password, void **key,
					   plugtls_prov_chain_sink sink,
					   void *arg, plugtls_error *err);
GTLS_HIDDEN plugtls_err gtls_pkcs12_export(void *key, void *const *chain,
					   size_t n, const char *password,
					   const char *friendly_name,
					   unsigned char **out, size_t *out_len,
					   plugtls_error *err);
/* Can this library read RC2-40 / 3DES PKCS#12 bundles (probed once at
 * init)? */
GTLS_HIDDEN bool gtls_pkcs12_legacy_probe(void);

/* ---- gtls_ctx.c ------------------------------------------------------- */
struct gtls_ctx {
	void *core; /* the plugtls_ctx, for logging */
	plugtls_role role;
	gnutls_certificate_credentials_t cert;
	gnutls_psk_server_credentials_t psk_srv;
	gnutls_psk_client_credentials_t psk_cli;
	gnutls_priority_t prio;
	gnutls_datum_t ticket_key; /* servers with tickets; secret */
	unsigned char *alpn_wire;  /* copy of the wire list */
	gnutls_datum_t *alpn;	   /* points into alpn_wire */
	unsigned n_alpn;
	int verify_peer;
	plugtls_client_cert client_cert;
	int tickets;
	int keylog;
	int psk;
};

GTLS_HIDDEN plugtls_err gtls_ctx_new(const plugtls_prov_ctx_params *params,
				     void *core, void **out,
				     plugtls_error *err);
GTLS_HIDDEN void gtls_ctx_free(void *ctx);

/* ---- gtls_conn.c, gtls_conn_info.c, gtls_hooks.c ---------------------- */
struct gtls_conn {
	struct gtls_ctx *ctx;
	plugtls_conn *core;
	gnutls_session_t s;
	/* Transport outcome of the last push/pull that did not move bytes:
	 * PLUGTLS_WANT_READ/_WRITE, PLUGTLS_E_IO, PLUGTLS_E_TIMEOUT, or OK. */
	plugtls_err io_rc;
	bool io_eof;	     /* the transport reported end of stream */
	bool hook_called;    /* plugtls_prov_verify_peer ran this handshake */
	plugtls_err hook_rc; /* its result when not OK */
	size_t hook_n;	     /* certificates the peer sent */
	bool hook_parse_failed;
	bool handshake_done;
	bool closed;	/* close_notify received */
	bool truncated; /* end of stream without close_notify */
	bool failed;	/* a fatal error: the session is unusable */
	/* The first bytes the peer sent (gtls_conn.c: first_message_check). */
	unsigned char rx_head[6];
	unsigned rx_head_len;
	bool bad_first_message;
	/* Clients: the identity offered (core-owned, valid for the
	 * connection's life). */
	const unsigned char *psk_identity;
	size_t psk_identity_len;
	char servername[256]; /* servers: SNI received */
};

GTLS_HIDDEN plugtls_err gtls_conn_new(void *ctx, plugtls_conn *core,
				      const plugtls_prov_conn_params *params,
				      void **out, plugtls_error *err);
GTLS_HIDDEN void gtls_conn_free(void *conn);
GTLS_HIDDEN plugtls_err gtls_handshake(void *conn, plugtls_error *err);
GTLS_HIDDEN plugtls_err gtls_read(void *conn, void *buf, size_t len, size_t *n,
				  plugtls_error *err);
GTLS_HIDDEN plugtls_err gtls_write(void *conn, const void *buf, size_t len,
				   size_t *n, plugtls_error *err);
GTLS_HIDDEN plugtls_err gtls_shutdown(void *conn, plugtls_error *err);
/* gtls_conn_info.c */
GTLS_HIDDEN plugtls_err gtls_info(void *conn, plugtls_prov_conn_info *out);
GTLS_HIDDEN plugtls_err gtls_peer_chain(void *conn,
					plugtls_prov_chain_sink sink,
					void *arg);
GTLS_HIDDEN void *gtls_native_handle(void *conn);
GTLS_HIDDEN plugtls_err gtls_session_export(void *conn, unsigned char **out,
					    size_t *out_len,
					    plugtls_error *err);
/* gtls_hooks.c. The certificate verify callback installed on the credentials
 * (gnutls_certificate_set_verify_function): hands the peer's chain to
 * plugtls_prov_verify_peer. */
GTLS_HIDDEN int gtls_verify_peer_cb(gnutls_session_t s);
/* Key-log hook installed on every session (also when no key log was asked
 * for: it replaces GnuTLS's own $SSLKEYLOGFILE writer). */
GTLS_HIDDEN int gtls_keylog_cb(gnutls_session_t s, const char *label,
			       const gnutls_datum_t *secret);

#endif
