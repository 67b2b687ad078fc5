/*
 * plugtls core internals. Everything here has hidden visibility; only the
 * functions declared in include/plugtls/ are exported.
 */
#ifndef PLUGTLS_CORE_INTERNAL_H
#define PLUGTLS_CORE_INTERNAL_H

#include <plugtls/plugtls.h>
#include <plugtls/provider.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_HIDDEN __attribute__((visibility("hidden")))

/* Limits on untrusted input. */
#define PT_MAX_INPUT (16u * 1024u * 1024u) /* any one file or buffer */
#define PT_MAX_CERTS 1000u                 /* certificates in one bundle */
#define PT_MAX_NAME 4096u                  /* one formatted DN */
#define PT_SESSION_MAX (64u * 1024u)       /* one exported session */
#define PT_ANCHOR_CACHE 8u /* trust anchors kept converted per context */

/* ---- alloc.c ----------------------------------------------------------- */
PT_HIDDEN void *pt_malloc(size_t n);
PT_HIDDEN void *pt_calloc(size_t n, size_t size);
PT_HIDDEN void *pt_realloc(void *p, size_t n);
PT_HIDDEN void pt_free(void *p);
PT_HIDDEN char *pt_strdup(const char *s);
PT_HIDDEN void *pt_memdup(const void *p, size_t n);
PT_HIDDEN void pt_wipe(void *p, size_t n);
/* Wipe n bytes, then free. */
PT_HIDDEN void pt_free_secret(void *p, size_t n);
/* Marks the allocator as in use (plugtls_set_allocator refuses after). */
PT_HIDDEN void pt_alloc_lock(void);

/* ---- module.c ---------------------------------------------------------- */
#define PT_MODULE_NAME_MAX 32
#define PT_MODULE_PATH_MAX 1024
/* Provider names of modules: [a-z0-9_], 1..31 characters. */
PT_HIDDEN bool pt_module_name_ok(const char *name, size_t len);
PT_HIDDEN const char *pt_module_default_dir(void);
/* The provider name of a file name "plugtls-<name>.so" (no directory). */
PT_HIDDEN bool pt_module_name_of_file(const char *file, char *name,
				      size_t cap);
/* Every plugtls-<name>.so in $PLUGTLS_MODULE_PATH, then the installed
 * module directory, in that order (a name may come more than once). */
PT_HIDDEN void pt_module_scan(void (*found)(const char *name,
					    const char *path, void *arg),
			      void *arg);
/* The first path where plugtls-<name>.so exists. */
PT_HIDDEN bool pt_module_find(const char *name, char *path, size_t cap);
/* dlopen path, check that it is a plugtls module of this ABI declaring
 * want_name. Errors (recorded on the thread) name the file and reason. */
PT_HIDDEN plugtls_err pt_module_open(const char *path, const char *want_name,
				     void **handle,
				     const plugtls_provider **table);
PT_HIDDEN void pt_module_close(void *handle);

/* ---- error.c ----------------------------------------------------------- */
PT_HIDDEN void pt_err_clear(plugtls_error *e);
/* First error wins: does nothing when e already holds one. Also records on
 * the calling thread. Returns code. e may be NULL (thread record only). */
PT_HIDDEN plugtls_err pt_err_set(plugtls_error *e, plugtls_err code,
				 unsigned long provider_code, const char *fmt,
				 ...) PLUGTLS_PRINTF(4, 5);
PT_HIDDEN plugtls_err pt_err_setv(plugtls_error *e, plugtls_err code,
				  unsigned long provider_code, const char *fmt,
				  va_list ap) PLUGTLS_PRINTF(4, 0);
/* Copy src into dst with a prefix ("ctx_new: set_key_file: …"), first wins. */
PT_HIDDEN plugtls_err pt_err_wrap(plugtls_error *dst, const plugtls_error *src,
				  const char *prefix);
PT_HIDDEN plugtls_error *pt_thread_err(void);
/* Snprintf that always terminates and never fails. */
PT_HIDDEN void pt_snprintf(char *buf, size_t cap, const char *fmt, ...)
	PLUGTLS_PRINTF(3, 4);

/* ---- log.c ------------------------------------------------------------- */
typedef struct pt_logger {
	plugtls_log_fn fn;
	void *arg;
	plugtls_log_level max;
} pt_logger;

/* Every core object that may be a log owner (plugtls_prov_log) begins with
 * this header. */
#define PT_MAGIC_CTX 0x70746378u  /* "ptcx" */
#define PT_MAGIC_CONN 0x7074636eu /* "ptcn" */
typedef struct pt_obj {
	uint32_t magic;
	const pt_logger *logger;
} pt_obj;

PT_HIDDEN void pt_log(const pt_logger *lg, plugtls_log_level level,
		      const char *fmt, ...) PLUGTLS_PRINTF(3, 4);
PT_HIDDEN void pt_logv(const pt_logger *lg, plugtls_log_level level,
		       const char *fmt, va_list ap) PLUGTLS_PRINTF(3, 0);
PT_HIDDEN bool pt_log_enabled(const pt_logger *lg, plugtls_log_level level);
/* The process-wide logger (plugtls_set_log_callback). */
PT_HIDDEN const pt_logger *pt_global_logger(void);

/* ---- init.c / registry.c ------------------------------------------------ */
PT_HIDDEN plugtls_err pt_ensure_init(void);
/* Reference on an initialised provider (objects made from it hold one). */
PT_HIDDEN void pt_provider_ref(const plugtls_provider *p);
PT_HIDDEN void pt_provider_unref(const plugtls_provider *p);
/* Is this a provider the registry has initialised? */
PT_HIDDEN bool pt_provider_live(const plugtls_provider *p);

/* ---- gate.c: the version gate, a pure function ------------------------- */
typedef enum pt_gate_verdict {
	PT_GATE_OK = 0,
	PT_GATE_ACCEPTED = 1,          /* vulnerable, accepted by override */
	PT_GATE_TOO_OLD = 2,           /* below min_version */
	PT_GATE_OLDER_THAN_HEADERS = 3,/* run-time < build-time headers */
	PT_GATE_VULNERABLE = 4         /* in a listed range, not accepted */
} pt_gate_verdict;

typedef struct pt_gate_input {
	uint32_t runtime, headers, minimum;
	const plugtls_vuln_range *ranges;
	size_t n_ranges;
	/* accepted(arg, cve) -> true if the override accepts that CVE. */
	bool (*accepted)(void *arg, const char *cve);
	void *arg;
} pt_gate_input;

/* Decides; writes a human reason ("OpenSSL 3.0.5 is in 3.0.0–3.0.6,
 * CVE-2022-3602: …") into why. */
PT_HIDDEN pt_gate_verdict pt_gate_decide(const pt_gate_input *in,
					 const char *provider_name, char *why,
					 size_t why_cap);
/* "3.0.19" */
PT_HIDDEN void pt_version_format(uint32_t v, char *buf, size_t cap);
/* Parse "openssl:CVE-1,gnutls:*" and answer for one provider and CVE. */
PT_HIDDEN bool pt_accept_list_match(const char *list, const char *provider,
				    const char *cve);

/* ---- cursor.c: bounded parsing ----------------------------------------- */
typedef struct pt_cursor {
	const unsigned char *p;
	size_t len;
	size_t off;
} pt_cursor;

/* ---- session.c --------------------------------------------------------- */
/* Wrap a provider's session bytes in the envelope of this process (*out
 * allocated with pt_malloc; secret). */
PT_HIDDEN plugtls_err pt_session_seal(const char *prov,
				      const unsigned char *payload, size_t len,
				      unsigned char **out, size_t *out_len);
/* Check an envelope for provider prov; *payload points into data.
 * PLUGTLS_E_MALFORMED when it is not one this process sealed for prov. */
PT_HIDDEN plugtls_err pt_session_open(const char *prov,
				      const unsigned char *data, size_t len,
				      const unsigned char **payload,
				      size_t *payload_len);

/* ---- sha256.c / base64.c ----------------------------------------------- */
#define PT_SHA256_LEN 32
PT_HIDDEN void pt_sha256(const void *data, size_t len,
			 unsigned char out[PT_SHA256_LEN]);
typedef struct pt_sha256_ctx {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	unsigned char block[64];
} pt_sha256_ctx;
PT_HIDDEN void pt_sha256_init(pt_sha256_ctx *s);
PT_HIDDEN void pt_sha256_update(pt_sha256_ctx *s, const void *data,
				size_t len);
PT_HIDDEN void pt_sha256_final(pt_sha256_ctx *s,
			       unsigned char out[PT_SHA256_LEN]);
/* For tests: force the portable block function (true) or go back to the
 * automatic choice (false); returns whether the CPU's SHA extensions are
 * in use after the call. */
PT_HIDDEN bool pt_sha256_portable(bool force);
/* Standard alphabet with padding. Returns chars written (excluding NUL), or
 * 0 when cap is too small (cap must include the NUL). */
PT_HIDDEN size_t pt_base64_encode(const unsigned char *in, size_t len,
				  char *out, size_t cap);
/* Strict: standard alphabet, padding required, whitespace skipped only when
 * allow_ws. PLUGTLS_E_MALFORMED on any bad character or bad length,
 * PLUGTLS_E_TOO_LARGE when cap is too small. */
PT_HIDDEN plugtls_err pt_base64_decode(const char *in, size_t len,
				       bool allow_ws, unsigned char *out,
				       size_t cap, size_t *out_len);

/* ---- pem.c -------------------------------------------------------------- */
/* true if data looks like PEM ("-----BEGIN " within it). */
PT_HIDDEN bool pt_is_pem(const void *data, size_t len);
/* Calls fn for every PEM block (label such as "CERTIFICATE", DER bytes),
 * in order. Returns PLUGTLS_E_MALFORMED for a block that is not closed or
 * whose base64 is bad; the error from fn stops the walk. The DER passed to
 * fn is freed (wiped) after fn returns. *count receives the block count. */
typedef plugtls_err (*pt_pem_fn)(void *arg, const char *label,
				 const unsigned char *der, size_t len);
PT_HIDDEN plugtls_err pt_pem_each(const void *data, size_t len, pt_pem_fn fn,
				  void *arg, size_t *count,
				  plugtls_error *err);

/* ---- files.c ------------------------------------------------------------ */
/* Read a whole regular file (at most PT_MAX_INPUT bytes) into a NUL
 * terminated buffer (the NUL not counted). */
PT_HIDDEN plugtls_err pt_read_file(const char *path, unsigned char **out,
				   size_t *len, plugtls_error *err);

/* ---- cert.c: certificates and chains ----------------------------------- */
typedef struct pt_san {
	plugtls_san_type type;
	char *value;             /* printed form */
	unsigned char ip[16];    /* raw address for IP */
	size_t ip_len;
} pt_san;

struct plugtls_cert {
	const plugtls_provider *prov;
	void *native; /* owned; NULL for certs copied from a borrowed native */
	unsigned char *der;
	size_t der_len;
	unsigned char *spki;
	size_t spki_len;
	char *subject, *issuer; /* RFC 4514 */
	unsigned char *subject_der_key, *issuer_der_key; /* canonical forms for
							    comparing names */
	size_t subject_key_len, issuer_key_len;
	char *serial;
	int64_t not_before, not_after;
	pt_san *sans;
	size_t n_sans;
	char *cn; /* last CN of the subject, or NULL (host name fallback) */
	/* pin and fingerprint are computed on the first getter call (most
	 * certificates, e.g. those of every verified chain, are never asked):
	 * hashes_state 0 not yet, 1 being computed, 2 ready (atomic). */
	char pin[8 + 44 + 1];
	char fingerprint[32 * 3];
	int hashes_state;
	plugtls_prov_key_type key_type;
	unsigned key_bits;
	char sig_oid[64];
	const char *sig_name; /* static name, or sig_oid */
	bool has_bc, is_ca;
	int path_len;
	bool has_eku;
	unsigned eku; /* PLUGTLS_PURPOSE_* */
	bool self_issued; /* subject == issuer */
	bool has_fields[8];
	/* Made for the core's checks of a peer's chain (pt_cert_for_checks):
	 * no names, no serial, and DER and SPKI only when asked for. Never
	 * handed to an application (pt_chain_push refuses it). */
	bool partial;
};

struct plugtls_chain {
	const plugtls_provider *prov; /* holds a reference */
	plugtls_cert **certs;
	size_t n, cap;
};

/* Make a cert from a native: reads its fields through the provider. When
 * own_native, the cert takes the native (freed with it, also on failure);
 * otherwise the native is only read (borrowed). */
PT_HIDDEN plugtls_err pt_cert_from_native(const plugtls_provider *p,
					  void *native, bool own_native,
					  plugtls_cert **out,
					  plugtls_error *err);
/* A partial cert of a borrowed native, with only what the checks of
 * x509check.c read, plus the fields of want (PLUGTLS_PROV_WANT_*). */
PT_HIDDEN plugtls_err pt_cert_for_checks(const plugtls_provider *p,
					 void *native, unsigned want,
					 plugtls_cert **out,
					 plugtls_error *err);
PT_HIDDEN void pt_cert_free(plugtls_cert *c);
/* The cert's native, parsing the DER through the provider if it has none
 * yet. */
PT_HIDDEN plugtls_err pt_cert_native(plugtls_cert *c, void **native,
				     plugtls_error *err);
PT_HIDDEN plugtls_err pt_chain_new(const plugtls_provider *p,
				   plugtls_chain **out, plugtls_error *err);
/* Takes cert (freed on failure). */
PT_HIDDEN plugtls_err pt_chain_push(plugtls_chain *ch, plugtls_cert *cert,
				    plugtls_error *err);
/* Parse PEM bundle or one DER into ch. */
PT_HIDDEN plugtls_err pt_chain_add_data(plugtls_chain *ch, const void *data,
					size_t len, plugtls_error *err);
/* A sink (plugtls_prov_chain_sink) that appends a copy of each borrowed
 * native to the chain given as arg. */
PT_HIDDEN plugtls_err pt_chain_sink(void *arg, void *native);

/* ---- x509check.c: the core's own checks --------------------------------- */
/* Parse an IP address literal (v4 dotted quad or v6); returns length 4 or
 * 16, or 0 when s is not an IP literal. */
PT_HIDDEN size_t pt_parse_ip(const char *s, unsigned char out[16]);
/* RFC 6125 host check of the leaf: PLUGTLS_VERIFY_HOSTNAME or 0. */
PT_HIDDEN uint32_t pt_check_host(const plugtls_cert *leaf, const char *host);
/* Validity of every cert at t, EKU of the leaf for purpose, weak algorithms
 * of the chain (leaf first, anchor last). */
PT_HIDDEN uint32_t pt_check_policy(const plugtls_chain *chain, int64_t t,
				   unsigned purpose);

/* ---- pins.c -------------------------------------------------------------- */
typedef struct pt_pins {
	unsigned char (*hash)[PT_SHA256_LEN];
	size_t n;
} pt_pins;
/* "sha256//B64;sha256//B64". Empty list is malformed. */
PT_HIDDEN plugtls_err pt_pins_parse(const char *s, pt_pins *out,
				    plugtls_error *err);
PT_HIDDEN void pt_pins_free(pt_pins *pins);
/* true when any cert's SPKI matches a pin. */
PT_HIDDEN bool pt_pins_match(const pt_pins *pins, const plugtls_chain *chain);

/* ---- alpn.c -------------------------------------------------------------- */
/* "h2,http/1.1" -> wire format (length-prefixed). */
PT_HIDDEN plugtls_err pt_alpn_parse(const char *s, unsigned char **wire,
				    size_t *wire_len, plugtls_error *err);

/* ---- dispatch.c: the only file that calls through provider tables ----- */
/* Each wrapper checks the slot; a NULL optional slot gives
 * PLUGTLS_E_UNSUPPORTED naming the capability. */
PT_HIDDEN plugtls_err pt_p_cert_from_der(const plugtls_provider *p,
					 const unsigned char *der, size_t len,
					 void **out, plugtls_error *err);
PT_HIDDEN void pt_p_cert_free(const plugtls_provider *p, void *cert);
PT_HIDDEN plugtls_err pt_p_cert_fields(const plugtls_provider *p, void *cert,
				       plugtls_prov_fields *f,
				       plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_trust_new(const plugtls_provider *p, void **out,
				     plugtls_error *err);
PT_HIDDEN void pt_p_trust_free(const plugtls_provider *p, void *trust);
PT_HIDDEN plugtls_err pt_p_trust_add_cert(const plugtls_provider *p,
					  void *trust, void *cert,
					  plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_trust_add_crl(const plugtls_provider *p,
					 void *trust, const unsigned char *der,
					 size_t len, plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_verify(const plugtls_provider *p, void *trust,
				  void *const *natives, size_t n,
				  const plugtls_prov_verify_params *vp,
				  uint32_t *reasons, plugtls_prov_chain_sink sink,
				  void *arg, plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_key_load(const plugtls_provider *p,
				    const unsigned char *data, size_t len,
				    int is_pem, const char *password,
				    void **out, plugtls_error *err);
PT_HIDDEN void pt_p_key_free(const plugtls_provider *p, void *key);
PT_HIDDEN plugtls_err pt_p_key_info(const plugtls_provider *p, void *key,
				    plugtls_prov_key_type *type,
				    unsigned *bits);
PT_HIDDEN plugtls_err pt_p_pkcs12_import(const plugtls_provider *p,
					 const unsigned char *der, size_t len,
					 const char *password, void **key,
					 plugtls_prov_chain_sink sink,
					 void *arg, plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_pkcs12_export(const plugtls_provider *p, void *key,
					 void *const *chain, size_t n,
					 const char *password,
					 const char *friendly_name,
					 unsigned char **out, size_t *out_len,
					 plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_ctx_new(const plugtls_provider *p,
				   const plugtls_prov_ctx_params *params,
				   void *core, void **out, plugtls_error *err);
PT_HIDDEN void pt_p_ctx_free(const plugtls_provider *p, void *ctx);
PT_HIDDEN plugtls_err pt_p_conn_new(const plugtls_provider *p, void *ctx,
				    plugtls_conn *core,
				    const plugtls_prov_conn_params *params,
				    void **out, plugtls_error *err);
PT_HIDDEN void pt_p_conn_free(const plugtls_provider *p, void *conn);
PT_HIDDEN plugtls_err pt_p_handshake(const plugtls_provider *p, void *conn,
				     plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_read(const plugtls_provider *p, void *conn,
				void *buf, size_t len, size_t *n,
				plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_write(const plugtls_provider *p, void *conn,
				 const void *buf, size_t len, size_t *n,
				 plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_shutdown(const plugtls_provider *p, void *conn,
				    plugtls_error *err);
PT_HIDDEN plugtls_err pt_p_conn_info(const plugtls_provider *p, void *conn,
				     plugtls_prov_conn_info *out);
PT_HIDDEN plugtls_err pt_p_peer_chain(const plugtls_provider *p, void *conn,
				      plugtls_prov_chain_sink sink, void *arg);
PT_HIDDEN void *pt_p_native_handle(const plugtls_provider *p, void *conn);
PT_HIDDEN plugtls_err pt_p_session_export(const plugtls_provider *p,
					  void *conn, unsigned char **out,
					  size_t *out_len, plugtls_error *err);

#endif
