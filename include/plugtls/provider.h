/*
 * plugtls provider interface.
 *
 * A provider is one `const struct plugtls_provider`, filled with designated
 * initializers only. The core checks abi_version and struct_size, that every
 * mandatory slot is set, and that capability bits agree with optional slots;
 * a NULL optional slot makes the core answer PLUGTLS_E_UNSUPPORTED.
 *
 * Division of labour: the core owns policy (argument validation, defaults,
 * PEM splitting, host-name/IP matching, validity at the chosen time, EKU,
 * weak-algorithm rules, pins, PSK length rules, ALPN list syntax, formatting
 * of certificate fields, error records, logging with redaction). A backend
 * owns mechanics: it translates each operation into its provider's calls and
 * the results back into plugtls codes.
 *
 * Objects: every operation works on opaque backend objects ("natives"),
 * passed as void *. The core never looks inside them.
 *
 * Errors: an operation returns plugtls_err and, on failure, fills `err`
 * through plugtls_prov_error() (first specific error wins) with a message
 * naming what failed and the provider's own message and code. It must never
 * put key bytes, passwords or PSKs in a message. On failure it leaves no
 * object half built and nothing leaked; out-parameters are untouched.
 *
 * Threads: ops may run concurrently on different objects; ops on natives
 * created from one context (ctx_*) may run concurrently for different
 * connections. meta.init/deinit are serialised by the core.
 */
#ifndef PLUGTLS_PROVIDER_H
#define PLUGTLS_PROVIDER_H

#include <stdarg.h>
#include <plugtls/plugtls.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLUGTLS_PROVIDER_ABI 1

/* Packed library version used by the gates: 3.0.19 -> 0x030013. */
#define PLUGTLS_VERSION_NUM(maj, min, pat)                                     \
	((((uint32_t)(maj)&0xffu) << 16) | (((uint32_t)(min)&0xffu) << 8) |    \
	 ((uint32_t)(pat)&0xffu))

/* A known-vulnerable range of a provider's library, inclusive. */
typedef struct plugtls_vuln_range {
	uint32_t first;      /* PLUGTLS_VERSION_NUM */
	uint32_t last;
	const char *cve;     /* "CVE-2022-3602" */
	const char *summary; /* "X.509 email address buffer overflow" */
} plugtls_vuln_range;

/* ---- services the core offers to backends ---------------------------- */

/* Allocation through plugtls's allocator (which the application may set). */
PLUGTLS_API void *plugtls_prov_malloc(size_t n);
PLUGTLS_API void *plugtls_prov_calloc(size_t n, size_t size);
PLUGTLS_API void *plugtls_prov_realloc(void *p, size_t n);
PLUGTLS_API void plugtls_prov_free(void *p);
/* 1 when the application replaced plugtls's allocator
 * (plugtls_set_allocator), 0 when plugtls uses malloc/realloc/free. A
 * backend whose library has a process-wide allocator hook (OpenSSL's
 * CRYPTO_set_mem_functions, wolfSSL_SetAllocators) then routes the
 * library's allocations through plugtls_prov_malloc/_realloc/_free in its
 * meta.init, before the library's first allocation where the library
 * requires it; when the hook cannot be set (the library already allocated,
 * or another user set its own) it logs that at warning level and goes on
 * with the library's own allocator. A backend whose library has no working
 * hook (GnuTLS) leaves it alone. The hook is never undone: memory the
 * library allocated through it must be freed through it. */
PLUGTLS_API int plugtls_prov_allocator_custom(void);
/* Wipe with a call the compiler may not remove. */
PLUGTLS_API void plugtls_prov_wipe(void *p, size_t n);

/* Record an error (first one wins: a later call on a record that already
 * holds an error changes nothing). Returns code, so that
 * `return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, code, "…");` reads
 * well. err may be NULL. */
PLUGTLS_API plugtls_err plugtls_prov_error(plugtls_error *err,
					   plugtls_err code,
					   unsigned long provider_code,
					   const char *fmt, ...)
	PLUGTLS_PRINTF(4, 5);

/* Log through the owner's log callback. owner is the core object the
 * operation was called for (the `core` argument of ctx_new / conn_new), or
 * NULL for the process-wide log. */
PLUGTLS_API void plugtls_prov_log(const void *owner, plugtls_log_level level,
				  const char *fmt, ...) PLUGTLS_PRINTF(3, 4);
/* Cheap test, to skip building a message nobody reads. */
PLUGTLS_API int plugtls_prov_log_enabled(const void *owner,
					 plugtls_log_level level);

/* Transport of a connection (core = the plugtls_conn given to conn_new).
 * Semantics as plugtls_read_fn / plugtls_write_fn: PLUGTLS_OK with *n > 0,
 * PLUGTLS_WANT_READ / PLUGTLS_WANT_WRITE, PLUGTLS_E_CLOSED (end of stream),
 * PLUGTLS_E_IO, PLUGTLS_E_TIMEOUT. The bytes go straight between the
 * provider's buffer and the transport: no copy in the core. */
PLUGTLS_API plugtls_err plugtls_prov_io_read(plugtls_conn *core, void *buf,
					     size_t len, size_t *n);
PLUGTLS_API plugtls_err plugtls_prov_io_write(plugtls_conn *core,
					      const void *buf, size_t len,
					      size_t *n);
/* A gathered write of iov[0..iovcnt-1] in order, as plugtls_prov_io_write:
 * *n counts the bytes written from the start, and may stop anywhere (the
 * rest is not written). On a file descriptor it is one system call
 * (sendmsg or writev) for at most PLUGTLS_PROV_IOV_MAX buffers, so that a
 * record's header and body, or a flight of records, leave together. */
typedef struct plugtls_prov_iovec {
	const void *base;
	size_t len;
} plugtls_prov_iovec;
#define PLUGTLS_PROV_IOV_MAX 16
PLUGTLS_API plugtls_err plugtls_prov_io_writev(plugtls_conn *core,
					       const plugtls_prov_iovec *iov,
					       size_t iovcnt, size_t *n);

/* Called by the backend during the handshake, when the peer's certificates
 * have arrived: natives[0] is the peer's leaf, the rest what it sent after
 * it, all borrowed for the duration of the call (n may be 0 when the peer
 * sent none). The core verifies them (through cert.verify and its own
 * checks), records the verdict and the peer chain, and returns PLUGTLS_OK
 * to continue or PLUGTLS_E_VERIFY to abort: the backend must then fail the
 * handshake with a fatal alert (bad_certificate, or
 * certificate_required when n == 0) and report PLUGTLS_E_VERIFY from
 * conn.handshake. The backend must not accept a peer by its own verdict:
 * its own verification of the peer chain is turned off in favour of this
 * hook (but never skipped: the hook is called on every handshake in which
 * the peer sends or must send a certificate, also when resuming is not
 * possible). On resumption without certificates it is not called. */
PLUGTLS_API plugtls_err plugtls_prov_verify_peer(plugtls_conn *core,
						 void *const *natives,
						 size_t n);

/* Servers: look up a PSK by the identity the client offered. On success
 * *key / *key_len point to core-owned memory valid for the connection's
 * life. PLUGTLS_E_NOT_FOUND when unknown. Constant time in the identity. */
PLUGTLS_API plugtls_err plugtls_prov_psk_find(plugtls_conn *core,
					      const void *identity,
					      size_t identity_len,
					      const unsigned char **key,
					      size_t *key_len);
/* Clients: the PSK to offer (PLUGTLS_E_NOT_FOUND when none is set). */
PLUGTLS_API plugtls_err plugtls_prov_psk_client(
	plugtls_conn *core, const unsigned char **identity,
	size_t *identity_len, const unsigned char **key, size_t *key_len);

/* Key-log: one NSS key-log line without newline, e.g.
 * "CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random hex> <secret hex>".
 * Call only when conn_params.keylog is set. */
PLUGTLS_API void plugtls_prov_keylog(plugtls_conn *core, const char *line);
/* Builds the line from its parts and calls plugtls_prov_keylog. */
PLUGTLS_API void plugtls_prov_keylog_parts(plugtls_conn *core,
					   const char *label,
					   const unsigned char *client_random,
					   size_t cr_len,
					   const unsigned char *secret,
					   size_t secret_len);

/* ---- certificate fields: backend -> core ----------------------------- */

/* The backend reports a certificate's raw fields through these calls; the
 * core formats them (RFC 4514 strings, hex serial, IP addresses, names of
 * algorithms), so that every provider prints the same. */
typedef struct plugtls_prov_fields plugtls_prov_fields;

#define PLUGTLS_PROV_SUBJECT 0
#define PLUGTLS_PROV_ISSUER 1

typedef enum plugtls_prov_key_type {
	PLUGTLS_PROV_KEY_UNKNOWN = 0,
	PLUGTLS_PROV_KEY_RSA = 1,
	PLUGTLS_PROV_KEY_EC = 2,
	PLUGTLS_PROV_KEY_ED25519 = 3,
	PLUGTLS_PROV_KEY_ED448 = 4,
	PLUGTLS_PROV_KEY_DSA = 5,
	PLUGTLS_PROV_KEY_RSA_PSS = 6
} plugtls_prov_key_type;

/* The whole certificate DER (required). */
PLUGTLS_API plugtls_err plugtls_prov_fields_der(plugtls_prov_fields *f,
						const unsigned char *der,
						size_t len);
/* One attribute of a distinguished name, in the order of the DER
 * (RDNSequence order, the first RDN first); rdn is the 0-based index of the
 * RDN the attribute belongs to (several attributes may share one). oid is
 * dotted ("2.5.4.3"); value is the attribute's string converted to UTF-8
 * (no escaping). */
PLUGTLS_API plugtls_err plugtls_prov_fields_dn(plugtls_prov_fields *f,
					       int which, unsigned rdn,
					       const char *oid,
					       const unsigned char *value,
					       size_t len);
/* A subjectAltName entry, in certificate order: DNS, EMAIL, URI as their
 * IA5 bytes; IP as 4 or 16 raw bytes. Other types are not reported. */
PLUGTLS_API plugtls_err plugtls_prov_fields_san(plugtls_prov_fields *f,
						plugtls_san_type type,
						const unsigned char *value,
						size_t len);
/* One extendedKeyUsage OID (dotted); report none when the extension is
 * absent. */
PLUGTLS_API plugtls_err plugtls_prov_fields_eku(plugtls_prov_fields *f,
						const char *oid);
/* DER SubjectPublicKeyInfo (required). */
PLUGTLS_API plugtls_err plugtls_prov_fields_spki(plugtls_prov_fields *f,
						 const unsigned char *der,
						 size_t len);
/* Serial number as big-endian magnitude bytes (required). */
PLUGTLS_API plugtls_err plugtls_prov_fields_serial(plugtls_prov_fields *f,
						   const unsigned char *be,
						   size_t len);
/* Validity as seconds since the epoch, UTC (required). */
PLUGTLS_API plugtls_err plugtls_prov_fields_validity(plugtls_prov_fields *f,
						     int64_t not_before,
						     int64_t not_after);
/* Public key type and size in bits (RSA modulus bits; EC curve bits;
 * 256 for Ed25519, 456 for Ed448). */
PLUGTLS_API plugtls_err plugtls_prov_fields_key(plugtls_prov_fields *f,
						plugtls_prov_key_type type,
						unsigned bits);
/* Signature algorithm OID, dotted (required). */
PLUGTLS_API plugtls_err plugtls_prov_fields_sig_alg(plugtls_prov_fields *f,
						    const char *oid);
/* basicConstraints: is_ca 0/1, path_len -1 when absent. Report it only when
 * the extension is present. */
PLUGTLS_API plugtls_err plugtls_prov_fields_basic_constraints(
	plugtls_prov_fields *f, int is_ca, int path_len);

/* What the core will read of the certificate being reported: some fields
 * cost a backend real work (names above all), and the core does not always
 * need them. While it checks a peer's chain in a handshake, the core asks
 * for neither the names, nor the DER, nor the serial number, and for the
 * SPKI only when pins are set: the validity, signature algorithm, key,
 * basicConstraints, EKU and SANs are all it checks. A backend may skip
 * each field it is not asked for, or report it anyway (the core then
 * ignores it); a backend that never asks reports everything, as before. */
#define PLUGTLS_PROV_WANT_NAMES 0x1u  /* plugtls_prov_fields_dn */
#define PLUGTLS_PROV_WANT_DER 0x2u    /* plugtls_prov_fields_der */
#define PLUGTLS_PROV_WANT_SERIAL 0x4u /* plugtls_prov_fields_serial */
#define PLUGTLS_PROV_WANT_SPKI 0x8u   /* plugtls_prov_fields_spki */
/* Nonzero when the core wants the field(s) of what (PLUGTLS_PROV_WANT_*);
 * 1 for every field the list above does not name. */
PLUGTLS_API int plugtls_prov_fields_wants(const plugtls_prov_fields *f,
					  unsigned what);

/* ---- parameters the core hands to backends ---------------------------- */

typedef struct plugtls_prov_verify_params {
	/* The backend checks: chain building from leaf, untrusted certs and
	 * the trust store (any certificate in the trust store is an anchor,
	 * self-signed or not: "partial chain"), signatures, basic
	 * constraints and path length, name constraints, key usage of
	 * issuers, revocation per crl_mode, depth. It must NOT reject for
	 * time (validity of certificates or CRLs), extended key usage, host
	 * name, or weak algorithms / short keys: the core checks those. */
	plugtls_crl_mode crl_mode;
	int max_depth;   /* max certs in the chain, leaf and anchor included */
	int64_t time;    /* informational: the time the core will check */
	unsigned purpose; /* informational: PLUGTLS_PURPOSE_SERVER/_CLIENT */
} plugtls_prov_verify_params;

/* The built chain is reported one certificate at a time, leaf first, anchor
 * last, through this sink; each native is borrowed for the call. The core
 * reads its fields with cert.fields. When the chain cannot be completed,
 * report what was built (at least the leaf). A certificate of the chain
 * is reported as the very native it came from: one of the natives given
 * to cert.verify, or the trust store's own native, which must live, with
 * the same contents, as long as the trust store (the core keeps what it
 * read from a store's native for the store's lifetime, keyed by its
 * address). Never a temporary copy. */
typedef plugtls_err (*plugtls_prov_chain_sink)(void *arg, void *native);

typedef struct plugtls_prov_ctx_params {
	plugtls_role role;
	unsigned min_version, max_version; /* PLUGTLS_TLS1_2 / _TLS1_3 */
	const char *profile; /* "modern", "aes128-gcm", "aes256-gcm", "chacha20" */
	void *trust;         /* trust store (cert.trust_new), borrowed; may be
			        NULL when nothing verifies */
	/* Own chain and key: natives borrowed for the call (the backend takes
	 * its own references); chain[0] is the leaf. n_chain 0: none. */
	void *const *chain;
	size_t n_chain;
	void *key;
	/* Peer verification through plugtls_prov_verify_peer: clients always
	 * (verify_peer = 1) unless chain and host name checks are both off
	 * and no pin is set; servers per client_cert. */
	int verify_peer;
	plugtls_client_cert client_cert; /* servers */
	/* ALPN, wire format (length-prefixed names), NULL/0 when none. */
	const unsigned char *alpn;
	size_t alpn_len;
	int psk;             /* a PSK is configured (plugtls_prov_psk_*) */
	int session_tickets; /* 0/1 */
	int keylog;          /* call plugtls_prov_keylog* */
} plugtls_prov_ctx_params;

typedef struct plugtls_prov_conn_params {
	/* Clients: SNI to send (NULL for none, e.g. an IP address peer). */
	const char *sni;
	/* Clients: a session to resume (from conn.session_export), or NULL. */
	const unsigned char *session;
	size_t session_len;
} plugtls_prov_conn_params;

typedef struct plugtls_prov_conn_info {
	unsigned version;     /* PLUGTLS_TLS1_2 / PLUGTLS_TLS1_3 */
	uint16_t cipher_id;   /* IANA two-byte cipher suite value */
	int resumed;
	const unsigned char *alpn; /* borrowed from the native, or NULL */
	size_t alpn_len;
	const char *servername;    /* servers: SNI received; borrowed, or NULL */
	const unsigned char *psk_identity; /* borrowed, or NULL */
	size_t psk_identity_len;
} plugtls_prov_conn_info;

/* ---- the provider table ----------------------------------------------- */

struct plugtls_provider {
	uint32_t abi_version; /* PLUGTLS_PROVIDER_ABI */
	uint32_t struct_size; /* sizeof(struct plugtls_provider) */
	const char *name;     /* "openssl" */

	struct {
		/* Global init and deinit of the provider's library; the core
		 * reference-counts them and runs the version gate after init.
		 * (mandatory) */
		plugtls_err (*init)(plugtls_error *err);
		void (*deinit)(void);
		/* Run-time library version, as a string ("OpenSSL 3.0.19 …")
		 * and packed; the packed version the headers had at build
		 * time; the minimum supported. (mandatory) */
		const char *(*version_string)(void);
		uint32_t (*version_number)(void);
		uint32_t header_version;
		uint32_t min_version;
		const plugtls_vuln_range *vuln_ranges;
		size_t n_vuln_ranges;
		/* Capability flags; may depend on the run-time library,
		 * valid after init. (mandatory) */
		uint64_t (*capabilities)(void);
	} meta;

	struct {
		/* (mandatory) core is the plugtls_ctx, for logging. */
		plugtls_err (*new_ctx)(const plugtls_prov_ctx_params *params,
				       void *core, void **out,
				       plugtls_error *err);
		void (*free)(void *ctx);
	} ctx;

	struct {
		/* (mandatory) core is the plugtls_conn: pass it to the
		 * plugtls_prov_* services. */
		plugtls_err (*new_conn)(void *ctx, plugtls_conn *core,
					const plugtls_prov_conn_params *params,
					void **out, plugtls_error *err);
		void (*free)(void *conn);
		/* These return PLUGTLS_OK, PLUGTLS_WANT_READ/_WRITE,
		 * PLUGTLS_E_CLOSED (clean close_notify), PLUGTLS_E_TRUNCATED
		 * (end of stream without close_notify), or an error with err
		 * filled. read/write move at most len bytes and report *n. */
		plugtls_err (*handshake)(void *conn, plugtls_error *err);
		plugtls_err (*read)(void *conn, void *buf, size_t len,
				    size_t *n, plugtls_error *err);
		plugtls_err (*write)(void *conn, const void *buf, size_t len,
				     size_t *n, plugtls_error *err);
		plugtls_err (*shutdown)(void *conn, plugtls_error *err);
		plugtls_err (*info)(void *conn, plugtls_prov_conn_info *out);
		/* Certificates the peer sent, leaf first, through the sink
		 * (borrowed natives). */
		plugtls_err (*peer_chain)(void *conn,
					  plugtls_prov_chain_sink sink,
					  void *arg);
		void *(*native_handle)(void *conn);
		/* (optional: PLUGTLS_CAP_SESSION_EXPORT) Serialised session
		 * for resumption: *out allocated with plugtls_prov_malloc;
		 * PLUGTLS_E_NOT_FOUND when none is resumable yet. */
		plugtls_err (*session_export)(void *conn, unsigned char **out,
					      size_t *out_len,
					      plugtls_error *err);
	} conn;

	struct {
		/* (mandatory) Parse one DER certificate. */
		plugtls_err (*from_der)(const unsigned char *der, size_t len,
					void **out, plugtls_error *err);
		void (*free)(void *cert);
		/* Report the fields of a native through plugtls_prov_fields_*:
		 * every one, or only those plugtls_prov_fields_wants asks
		 * for. */
		plugtls_err (*fields)(void *cert, plugtls_prov_fields *f,
				      plugtls_error *err);
		/* Trust store: anchors, plus CRLs (DER). */
		plugtls_err (*trust_new)(void **out, plugtls_error *err);
		void (*trust_free)(void *trust);
		plugtls_err (*trust_add_cert)(void *trust, void *cert,
					      plugtls_error *err);
		/* (optional: PLUGTLS_CAP_CRL) */
		plugtls_err (*trust_add_crl)(void *trust,
					     const unsigned char *der,
					     size_t len, plugtls_error *err);
		/* Build and check the chain of leaf (natives[0]) with the
		 * untrusted natives[1..n-1]; set *reasons to the
		 * PLUGTLS_VERIFY_* bits of the checks listed in
		 * plugtls_prov_verify_params (0 when the chain is good), and
		 * report the built chain through sink. Returns PLUGTLS_OK
		 * whenever verification ran, whatever the verdict. */
		plugtls_err (*verify)(void *trust, void *const *natives,
				      size_t n,
				      const plugtls_prov_verify_params *vp,
				      uint32_t *reasons,
				      plugtls_prov_chain_sink sink, void *arg,
				      plugtls_error *err);
	} cert;

	struct {
		/* (mandatory) data is PEM or DER as given (is_pem tells);
		 * password NULL for none. PLUGTLS_E_BAD_PASSWORD when the key
		 * is encrypted and the password is missing or wrong. */
		plugtls_err (*load)(const unsigned char *data, size_t len,
				    int is_pem, const char *password,
				    void **out, plugtls_error *err);
		void (*free)(void *key);
		plugtls_err (*info)(void *key, plugtls_prov_key_type *type,
				    unsigned *bits);
	} key;

	struct {
		/* (optional: PLUGTLS_CAP_PKCS12_IMPORT) Certificates through
		 * the sink (borrowed natives; the one matching the key
		 * first). PLUGTLS_E_NO_KEY when the bundle has no key. */
		plugtls_err (*import)(const unsigned char *der, size_t len,
				      const char *password, void **key,
				      plugtls_prov_chain_sink sink, void *arg,
				      plugtls_error *err);
		/* (optional: PLUGTLS_CAP_PKCS12_EXPORT) *out allocated with
		 * plugtls_prov_malloc. */
		plugtls_err (*export_)(void *key, void *const *chain, size_t n,
				       const char *password,
				       const char *friendly_name,
				       unsigned char **out, size_t *out_len,
				       plugtls_error *err);
	} pkcs12;
};

/* ---- loadable modules ------------------------------------------------- */

/* A provider can live in its own shared object, loaded by name on first
 * use: plugtls_provider_get("foo") looks for `plugtls-foo.so` in each
 * directory of $PLUGTLS_MODULE_PATH (colon separated), then in the
 * installed module directory (<libdir>/plugtls). The name is 1 to 31 of
 * [a-z0-9_] and must equal the table's `name`.
 *
 * The module exports one function, PLUGTLS_PROVIDER_MODULE_SYMBOL, that is
 * given the core's PLUGTLS_PROVIDER_ABI and returns the module's table (or
 * NULL when it cannot serve that ABI). The core then checks abi_version and
 * struct_size before reading anything else, the name, the mandatory slots,
 * init, the version gate (the module's own meta.vuln_ranges) and the
 * capability/slot agreement, exactly as for a built-in provider. Any
 * failure is an error naming the file and the reason; the module is closed
 * and the other providers are unaffected.
 *
 * The module is dlopen'ed with RTLD_LOCAL when the provider is first got,
 * and dlclose'd when the last reference is released (every context,
 * connection, certificate chain and key made from the provider holds one).
 * It links against libplugtls for the plugtls_prov_* services and may call
 * the public API, including plugtls_provider_get() of another provider
 * from its meta.init (see examples/provider-traced/).
 *
 *	static const struct plugtls_provider my_provider = {
 *		.abi_version = PLUGTLS_PROVIDER_ABI,
 *		.struct_size = sizeof(struct plugtls_provider),
 *		.name = "foo",
 *		...
 *	};
 *	PLUGTLS_PROVIDER_MODULE(my_provider)
 */
#define PLUGTLS_PROVIDER_MODULE_SYMBOL "plugtls_provider_module"
typedef const struct plugtls_provider *(*plugtls_provider_module_fn)(
	uint32_t core_abi);

#define PLUGTLS_PROVIDER_MODULE(table)                                         \
	__attribute__((visibility("default"))) const struct plugtls_provider * \
	plugtls_provider_module(uint32_t core_abi);                            \
	__attribute__((visibility("default"))) const struct plugtls_provider * \
	plugtls_provider_module(uint32_t core_abi)                             \
	{                                                                      \
		return core_abi == PLUGTLS_PROVIDER_ABI ? &(table) : NULL;      \
	}

#ifdef __cplusplus
}
#endif
#endif
