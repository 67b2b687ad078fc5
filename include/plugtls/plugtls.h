/*
 * plugtls — one small, strict TLS API in front of several TLS providers.
 *
 * Conventions (they hold for every function below unless it says otherwise):
 *
 *  - Every function that can fail returns plugtls_err; PLUGTLS_OK (0) is
 *    success. Results come back through out-parameters, which are written
 *    only on success. PLUGTLS_WANT_READ, PLUGTLS_WANT_WRITE and
 *    PLUGTLS_E_CLOSED are outcomes of non-blocking I/O, not failures.
 *  - The object that failed keeps {code, provider code, message}; the first
 *    specific error wins. Constructors report on their parent (a context
 *    reports on the config it was made from, a connection on its context).
 *    Every failure is also recorded for the calling thread
 *    (plugtls_thread_error()), which is where functions without a parent
 *    object (parsers, provider lookup) report.
 *  - Setters copy their input. Getters return memory owned by the object,
 *    valid until the object is freed or the same setter is called again.
 *  - Free functions accept NULL. Key material, passwords and PSKs are wiped
 *    before their memory is released, and never reach the log callback.
 *  - Thread safety: global functions (init, provider lookup, allocator and
 *    global log hooks) are safe from any thread. A config, context,
 *    certificate chain or key may be read from many threads at once once it
 *    is built (a context is shared by many connections); a connection is used
 *    by one thread at a time.
 */
#ifndef PLUGTLS_PLUGTLS_H
#define PLUGTLS_PLUGTLS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PLUGTLS_API __attribute__((visibility("default")))
#define PLUGTLS_WUR __attribute__((warn_unused_result))
#define PLUGTLS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PLUGTLS_API
#define PLUGTLS_WUR
#define PLUGTLS_PRINTF(a, b)
#endif

#define PLUGTLS_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

typedef enum plugtls_err {
	PLUGTLS_OK = 0,
	PLUGTLS_WANT_READ = 1,  /* outcome: call again when readable */
	PLUGTLS_WANT_WRITE = 2, /* outcome: call again when writable */
	PLUGTLS_E_CLOSED = 3,   /* outcome: the peer closed cleanly */
	PLUGTLS_E_INVALID_ARGUMENT = 10,
	PLUGTLS_E_NOMEM = 11,
	PLUGTLS_E_HANDSHAKE = 12,   /* handshake failed (alert, no shared params) */
	PLUGTLS_E_VERIFY = 13,      /* peer or chain verification failed */
	PLUGTLS_E_PROTOCOL = 14,    /* peer broke the protocol after the handshake */
	PLUGTLS_E_IO = 15,          /* the transport failed */
	PLUGTLS_E_UNSUPPORTED = 16, /* this provider cannot do it */
	PLUGTLS_E_VERSION_REFUSED = 17, /* provider's library version refused */
	PLUGTLS_E_BAD_PASSWORD = 18,
	PLUGTLS_E_MALFORMED = 19,   /* input could not be parsed */
	PLUGTLS_E_INTERNAL = 20,
	PLUGTLS_E_NOT_FOUND = 21,   /* no such provider, file, or item */
	PLUGTLS_E_STATE = 22,       /* call not valid in the object's state */
	PLUGTLS_E_TRUNCATED = 23,   /* the peer closed without close_notify */
	PLUGTLS_E_TIMEOUT = 24,     /* a blocking transport timed out */
	PLUGTLS_E_NO_KEY = 25,      /* PKCS#12 bundle holds no private key */
	PLUGTLS_E_TOO_LARGE = 26    /* input or output exceeds a limit */
} plugtls_err;

/* One error record. Read-only for callers; owned by the object it came
 * from. provider_code is the provider's own code (0 when none). */
typedef struct plugtls_error {
	plugtls_err code;
	unsigned long provider_code;
	char message[256];
} plugtls_error;

/* Static English name of a code, e.g. "verification failed". Never NULL. */
PLUGTLS_API const char *plugtls_err_string(plugtls_err code);

/* The last failure recorded on the calling thread (code PLUGTLS_OK and an
 * empty message when none). Valid until the thread's next plugtls call. */
PLUGTLS_API const plugtls_error *plugtls_thread_error(void);

/* ------------------------------------------------------------------ */
/* Global init, allocator, logging                                     */
/* ------------------------------------------------------------------ */

/* One-time global init; reference counted, safe from many threads. Every
 * other function calls it implicitly, so an explicit call is only needed to
 * pair with plugtls_deinit(). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_init(void);
PLUGTLS_API void plugtls_deinit(void);

/* Replace plugtls's own allocator. Must be called before any other plugtls
 * call; returns PLUGTLS_E_STATE afterwards. All three must be set.
 *
 * Process-wide effect on the providers' libraries: when a provider is first
 * initialised, the OpenSSL provider routes all of libcrypto's allocations
 * through these functions (CRYPTO_set_mem_functions) and the wolfSSL
 * provider all of wolfSSL's (wolfSSL_SetAllocators), for the whole process
 * and for good: also allocations made for other users of that library in
 * the process, and frees at exit (OpenSSL's atexit cleanup). So the
 * functions must stay valid until the process exits and must accept any
 * size and thread. OpenSSL accepts the hook only before its first
 * allocation and wolfSSL only when no other allocator is set: otherwise the
 * provider logs a warning and the library keeps its own allocator. GnuTLS
 * has no working hook (gnutls_global_set_mem_functions does nothing since
 * GnuTLS 3.3) and always uses malloc. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_set_allocator(
	void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
	void (*free_fn)(void *));

/* Frees memory that plugtls allocated and handed to the caller (marked
 * "free with plugtls_free" below). */
PLUGTLS_API void plugtls_free(void *p);

typedef enum plugtls_log_level {
	PLUGTLS_LOG_ERROR = 0,
	PLUGTLS_LOG_WARNING = 1,
	PLUGTLS_LOG_INFO = 2,
	PLUGTLS_LOG_DEBUG = 3
} plugtls_log_level;

/* A log callback receives one line (no trailing newline). It must not call
 * back into the object that logged. Messages never contain key bytes,
 * passwords or PSKs. */
typedef void (*plugtls_log_fn)(void *arg, plugtls_log_level level,
			       const char *line);

/* The process-wide log callback, for messages not tied to a config
 * (provider init, version gates). NULL turns it off (the default). */
PLUGTLS_API void plugtls_set_log_callback(plugtls_log_fn fn, void *arg,
					  plugtls_log_level max_level);

/* ------------------------------------------------------------------ */
/* Providers                                                           */
/* ------------------------------------------------------------------ */

typedef struct plugtls_provider plugtls_provider;

/* Capability flags (plugtls_provider_caps). A provider without a flag
 * returns PLUGTLS_E_UNSUPPORTED, naming the capability, for any option
 * that needs it. */
#define PLUGTLS_CAP_TLS12 (UINT64_C(1) << 0)
#define PLUGTLS_CAP_TLS13 (UINT64_C(1) << 1)
#define PLUGTLS_CAP_PSK_TLS12 (UINT64_C(1) << 2)
#define PLUGTLS_CAP_PSK_TLS13 (UINT64_C(1) << 3)
#define PLUGTLS_CAP_ALPN (UINT64_C(1) << 4)
#define PLUGTLS_CAP_SNI (UINT64_C(1) << 5)
#define PLUGTLS_CAP_TICKETS (UINT64_C(1) << 6)
#define PLUGTLS_CAP_SESSION_EXPORT (UINT64_C(1) << 7)
#define PLUGTLS_CAP_KEYLOG (UINT64_C(1) << 8)
#define PLUGTLS_CAP_CRL (UINT64_C(1) << 9)
#define PLUGTLS_CAP_PKCS12_IMPORT (UINT64_C(1) << 10)
#define PLUGTLS_CAP_PKCS12_EXPORT (UINT64_C(1) << 11)
#define PLUGTLS_CAP_ED25519 (UINT64_C(1) << 12)
#define PLUGTLS_CAP_RSA_PSS (UINT64_C(1) << 13)
#define PLUGTLS_CAP_NAME_CONSTRAINTS (UINT64_C(1) << 14)
#define PLUGTLS_CAP_ENCRYPTED_KEYS (UINT64_C(1) << 15)
#define PLUGTLS_CAP_CHACHA20 (UINT64_C(1) << 16)
#define PLUGTLS_CAP_AES_GCM (UINT64_C(1) << 17)
#define PLUGTLS_CAP_MTLS (UINT64_C(1) << 18)
#define PLUGTLS_CAP_PKCS12_LEGACY (UINT64_C(1) << 19) /* RC2/3DES bundles */
#define PLUGTLS_CAP_X25519 (UINT64_C(1) << 20)
#define PLUGTLS_CAP_ECDSA (UINT64_C(1) << 21)
#define PLUGTLS_CAP_RSA (UINT64_C(1) << 22)

/* Static name of one capability bit, e.g. "psk-tls13"; "unknown" else. */
PLUGTLS_API const char *plugtls_cap_name(uint64_t cap);

/* Providers of this build, in preference order: those compiled in, then
 * the provider modules (plugtls-<name>.so, see <plugtls/provider.h>) found
 * in $PLUGTLS_MODULE_PATH (colon separated) and the installed module
 * directory when first listed or got. The names live as long as the
 * process. Listing neither initialises a provider nor loads a module. */
PLUGTLS_API size_t plugtls_provider_count(void);
PLUGTLS_API const char *plugtls_provider_name_at(size_t i);

/* Get a provider by name (case-sensitive: "openssl", "gnutls", "wolfssl"),
 * initialising it on first use (and loading its module, when it is one; a
 * module that cannot be loaded or is not a plugtls module of this ABI gives
 * an error naming the file and the reason): its run-time library version is checked
 * against its gate (PLUGTLS_E_VERSION_REFUSED, message naming the version
 * and the reason). Each successful get takes a reference; release it with
 * plugtls_provider_release(). Objects made from a provider hold their own
 * reference. Errors: PLUGTLS_E_NOT_FOUND, PLUGTLS_E_VERSION_REFUSED,
 * PLUGTLS_E_INVALID_ARGUMENT. Thread-safe. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_provider_get(
	const char *name, const plugtls_provider **out);

/* Load the provider module at path (a file named plugtls-<name>.so) and
 * get its provider, as plugtls_provider_get(<name>) would. Errors as
 * plugtls_provider_get, and PLUGTLS_E_STATE when another provider of that
 * name is already known. The module is unloaded with the last release. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_provider_load_module(
	const char *path, const plugtls_provider **out);

/* The default provider: $PLUGTLS_PROVIDER if set, else the first one
 * compiled in. Takes a reference like plugtls_provider_get(). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_provider_get_default(
	const plugtls_provider **out);

PLUGTLS_API void plugtls_provider_release(const plugtls_provider *p);

/* Facts about an initialised provider. Strings are static or live as long
 * as the provider is referenced. */
PLUGTLS_API const char *plugtls_provider_name(const plugtls_provider *p);
PLUGTLS_API const char *plugtls_provider_version(const plugtls_provider *p);
PLUGTLS_API uint64_t plugtls_provider_caps(const plugtls_provider *p);
/* "ok", or "accepted: CVE-…[,CVE-…] (override)" when an override let a
 * listed vulnerable version load. */
PLUGTLS_API const char *plugtls_provider_gate_status(const plugtls_provider *p);

/* Accept a listed known-vulnerable version range of one provider, because a
 * distribution backported the fix without raising the version number.
 * cve is one CVE id from the provider's gate table, or "*" for every listed
 * range of that provider. Must be called before the provider is first got;
 * every acceptance that takes effect is logged at warning level. The same is
 * read from $PLUGTLS_ACCEPT_VULNERABLE, e.g.
 * "gnutls:CVE-2024-0553,wolfssl:*". */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_provider_accept_vulnerable(
	const char *provider, const char *cve);

/* ------------------------------------------------------------------ */
/* Certificates                                                        */
/* ------------------------------------------------------------------ */

typedef struct plugtls_cert plugtls_cert;
typedef struct plugtls_chain plugtls_chain;

typedef enum plugtls_san_type {
	PLUGTLS_SAN_DNS = 1,
	PLUGTLS_SAN_IP = 2,    /* value is the printed address: "127.0.0.1", "::1" */
	PLUGTLS_SAN_EMAIL = 3,
	PLUGTLS_SAN_URI = 4
} plugtls_san_type;

/* Parse PEM (one or many CERTIFICATE blocks; other blocks are skipped) or
 * one DER certificate. At least one certificate is required. Errors:
 * PLUGTLS_E_MALFORMED (nothing parsable, truncated or garbage),
 * PLUGTLS_E_TOO_LARGE (over 16 MiB or over 1,000 certificates). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_chain_parse(
	const plugtls_provider *p, const void *data, size_t len,
	plugtls_chain **out);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_chain_load_file(
	const plugtls_provider *p, const char *path, plugtls_chain **out);
PLUGTLS_API void plugtls_chain_free(plugtls_chain *c);
PLUGTLS_API size_t plugtls_chain_count(const plugtls_chain *c);
/* Borrowed; valid as long as the chain. NULL when i is out of range. */
PLUGTLS_API const plugtls_cert *plugtls_chain_get(const plugtls_chain *c,
						  size_t i);

/* Certificate fields, formatted by plugtls so that every provider prints
 * the same strings. All strings are owned by the certificate. */
/* RFC 4514, e.g. "CN=leaf.example,O=plugtls test,C=GB". */
PLUGTLS_API const char *plugtls_cert_subject(const plugtls_cert *c);
PLUGTLS_API const char *plugtls_cert_issuer(const plugtls_cert *c);
/* Lower-case hex, no separators, no leading zero bytes ("0" for zero). */
PLUGTLS_API const char *plugtls_cert_serial(const plugtls_cert *c);
/* Seconds since the epoch, UTC. */
PLUGTLS_API int64_t plugtls_cert_not_before(const plugtls_cert *c);
PLUGTLS_API int64_t plugtls_cert_not_after(const plugtls_cert *c);
/* Subject alternative names in certificate order. */
PLUGTLS_API size_t plugtls_cert_san_count(const plugtls_cert *c);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_cert_san(
	const plugtls_cert *c, size_t i, plugtls_san_type *type,
	const char **value);
/* DER of the whole certificate and of its SubjectPublicKeyInfo. */
PLUGTLS_API void plugtls_cert_der(const plugtls_cert *c,
				  const unsigned char **der, size_t *len);
PLUGTLS_API void plugtls_cert_spki_der(const plugtls_cert *c,
				       const unsigned char **der, size_t *len);
/* "sha256//BASE64" of the SPKI DER: the pin that matches this cert. */
PLUGTLS_API const char *plugtls_cert_pin(const plugtls_cert *c);
/* SHA-256 of the certificate DER, lower-case hex with ':' between bytes. */
PLUGTLS_API const char *plugtls_cert_fingerprint_sha256(const plugtls_cert *c);
/* "RSA", "EC", "ED25519", "ED448", "DSA" or "unknown"; bits as the
 * provider reports them (curve size for EC, 256 for Ed25519). */
PLUGTLS_API const char *plugtls_cert_key_type(const plugtls_cert *c);
PLUGTLS_API unsigned plugtls_cert_key_bits(const plugtls_cert *c);
/* e.g. "sha256WithRSAEncryption", "ecdsa-with-SHA256", "ED25519",
 * "rsassaPss", "sha1WithRSAEncryption"; the dotted OID when unknown. */
PLUGTLS_API const char *plugtls_cert_sig_alg(const plugtls_cert *c);
PLUGTLS_API int plugtls_cert_is_ca(const plugtls_cert *c);
/* Path length constraint; -1 when absent. */
PLUGTLS_API int plugtls_cert_path_len(const plugtls_cert *c);
/* Extended key usages as PLUGTLS_PURPOSE_* bits; 0 when the extension is
 * absent (any purpose). */
PLUGTLS_API unsigned plugtls_cert_eku(const plugtls_cert *c);

/* ------------------------------------------------------------------ */
/* Private keys and PKCS#12                                            */
/* ------------------------------------------------------------------ */

typedef struct plugtls_key plugtls_key;

/* Load a private key: PEM (PKCS#8, encrypted PKCS#8, or traditional) or DER
 * (PKCS#8). password may be NULL for an unencrypted key. Errors:
 * PLUGTLS_E_BAD_PASSWORD (wrong or missing password),
 * PLUGTLS_E_MALFORMED, PLUGTLS_E_UNSUPPORTED (key type). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_key_load(
	const plugtls_provider *p, const void *data, size_t len,
	const char *password, plugtls_key **out);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_key_load_file(
	const plugtls_provider *p, const char *path, const char *password,
	plugtls_key **out);
PLUGTLS_API void plugtls_key_free(plugtls_key *k);
PLUGTLS_API const char *plugtls_key_type(const plugtls_key *k);
PLUGTLS_API unsigned plugtls_key_bits(const plugtls_key *k);

/* Import a PKCS#12 bundle (DER). On success *key is the private key and
 * *chain the certificates, the one matching the key first. Errors:
 * PLUGTLS_E_BAD_PASSWORD, PLUGTLS_E_MALFORMED (corrupt or truncated),
 * PLUGTLS_E_NO_KEY (no private key in the bundle),
 * PLUGTLS_E_UNSUPPORTED (an encryption the provider cannot read). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_pkcs12_import(
	const plugtls_provider *p, const void *der, size_t len,
	const char *password, plugtls_key **key, plugtls_chain **chain);

/* Export key + chain (leaf first) as a PKCS#12 bundle encrypted with
 * password (AES-256-CBC/PBKDF2 where the provider can, else its strongest).
 * *out is allocated; free with plugtls_free(). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_pkcs12_export(
	const plugtls_provider *p, const plugtls_key *key,
	const plugtls_chain *chain, const char *password,
	const char *friendly_name, unsigned char **out, size_t *out_len);

/* ------------------------------------------------------------------ */
/* Verification                                                        */
/* ------------------------------------------------------------------ */

/* Reasons a certificate or chain failed, the same bits on every provider. */
#define PLUGTLS_VERIFY_EXPIRED (1u << 0)
#define PLUGTLS_VERIFY_NOT_YET_VALID (1u << 1)
#define PLUGTLS_VERIFY_UNKNOWN_ISSUER (1u << 2)
#define PLUGTLS_VERIFY_SELF_SIGNED (1u << 3)   /* untrusted self-signed leaf */
#define PLUGTLS_VERIFY_HOSTNAME (1u << 4)      /* name or IP mismatch */
#define PLUGTLS_VERIFY_PIN (1u << 5)           /* no pin matched */
#define PLUGTLS_VERIFY_BAD_SIGNATURE (1u << 6)
#define PLUGTLS_VERIFY_REVOKED (1u << 7)
#define PLUGTLS_VERIFY_NOT_CA (1u << 8)        /* issuer not a CA, or path length */
#define PLUGTLS_VERIFY_PURPOSE (1u << 9)       /* extended key usage */
#define PLUGTLS_VERIFY_WEAK_ALGORITHM (1u << 10)
#define PLUGTLS_VERIFY_NAME_CONSTRAINTS (1u << 11)
#define PLUGTLS_VERIFY_CHAIN_TOO_LONG (1u << 12)
#define PLUGTLS_VERIFY_NO_CERTIFICATE (1u << 13) /* peer sent none */
#define PLUGTLS_VERIFY_CRL_UNAVAILABLE (1u << 14)
#define PLUGTLS_VERIFY_OTHER (1u << 31)

/* Static short name of one reason bit: "expired", "not-yet-valid",
 * "unknown-issuer", "self-signed", "hostname-mismatch", "pin-mismatch",
 * "bad-signature", "revoked", "not-ca", "wrong-purpose", "weak-algorithm",
 * "name-constraints", "chain-too-long", "no-certificate",
 * "crl-unavailable", "other". */
PLUGTLS_API const char *plugtls_verify_reason_name(uint32_t bit);

/* Extended key usage purposes. */
#define PLUGTLS_PURPOSE_SERVER (1u << 0)
#define PLUGTLS_PURPOSE_CLIENT (1u << 1)
#define PLUGTLS_PURPOSE_CODE_SIGNING (1u << 2)
#define PLUGTLS_PURPOSE_EMAIL (1u << 3)
#define PLUGTLS_PURPOSE_OTHER (1u << 4)
#define PLUGTLS_PURPOSE_ANY (1u << 5) /* anyExtendedKeyUsage */

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

typedef struct plugtls_config plugtls_config;

typedef enum plugtls_role {
	PLUGTLS_CLIENT = 1,
	PLUGTLS_SERVER = 2
} plugtls_role;

#define PLUGTLS_TLS1_2 0x0303
#define PLUGTLS_TLS1_3 0x0304

typedef enum plugtls_client_cert {
	PLUGTLS_CLIENT_CERT_NONE = 0,
	PLUGTLS_CLIENT_CERT_REQUEST = 1, /* ask; verify if sent */
	PLUGTLS_CLIENT_CERT_REQUIRE = 2  /* ask; fail without a valid one */
} plugtls_client_cert;

typedef enum plugtls_crl_mode {
	PLUGTLS_CRL_NONE = 0,  /* default when no CRL is set */
	PLUGTLS_CRL_LEAF = 1,  /* default once a CRL is set */
	PLUGTLS_CRL_CHAIN = 2  /* every certificate but the root */
} plugtls_crl_mode;

/* A config is provider-independent data: file contents are read and
 * syntax-checked when set; provider-specific checks happen at
 * plugtls_ctx_new(), whose error names the setting that failed. Defaults:
 * TLS 1.2 minimum and TLS 1.3 maximum, profile "modern", chain and host
 * name verified (clients), no client certificate requested (servers), no
 * renegotiation, no compression, session tickets on. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_new(plugtls_role role,
						       plugtls_config **out);
PLUGTLS_API void plugtls_config_free(plugtls_config *cfg);
PLUGTLS_API const plugtls_error *plugtls_config_error(const plugtls_config *cfg);

/* Trust store; each call adds. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_add_ca_file(
	plugtls_config *cfg, const char *path);
/* Every regular file of the directory that parses as PEM certificates. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_add_ca_dir(
	plugtls_config *cfg, const char *path);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_add_ca_mem(
	plugtls_config *cfg, const void *pem_or_der, size_t len);
/* $SSL_CERT_FILE, else the first that exists of the usual bundle paths
 * (/etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt,
 * …). PLUGTLS_E_NOT_FOUND when none exists. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_add_ca_system(
	plugtls_config *cfg);

/* Own certificate chain (leaf first, then intermediates) and key. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_cert_file(
	plugtls_config *cfg, const char *path);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_cert_mem(
	plugtls_config *cfg, const void *data, size_t len);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_key_file(
	plugtls_config *cfg, const char *path, const char *password);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_key_mem(
	plugtls_config *cfg, const void *data, size_t len,
	const char *password);
/* Certificate chain and key from one PKCS#12 bundle (replaces both). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_pkcs12_file(
	plugtls_config *cfg, const char *path, const char *password);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_pkcs12_mem(
	plugtls_config *cfg, const void *der, size_t len, const char *password);

/* Servers: request or require a client certificate (mutual TLS), verified
 * against the trust store for the client purpose. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_client_cert(
	plugtls_config *cfg, plugtls_client_cert mode);

/* Turning verification off takes these loudly named calls. Pins stay
 * enforced even with the chain unverified (fail closed). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_insecure_no_verify_chain(
	plugtls_config *cfg);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_insecure_no_verify_hostname(
	plugtls_config *cfg);

/* Verify certificates at this time (seconds since the epoch) instead of
 * now; 0 restores "now". */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_verify_time(
	plugtls_config *cfg, int64_t unix_seconds);
/* Longest accepted chain, counting leaf and root (default 10, 1..64). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_verify_depth(
	plugtls_config *cfg, int depth);

/* min, max: PLUGTLS_TLS1_2 or PLUGTLS_TLS1_3, min <= max. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_protocols(
	plugtls_config *cfg, unsigned min_version, unsigned max_version);
/* Cipher policy by name: "modern" (default: TLS 1.3 suites, and ECDHE with
 * AES-GCM or ChaCha20-Poly1305 for TLS 1.2), "aes128-gcm", "aes256-gcm",
 * "chacha20" (only that AEAD). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_profile(
	plugtls_config *cfg, const char *name);

/* ALPN protocols, comma-separated, in preference order ("h2,http/1.1").
 * Each name 1..255 bytes, at most 32 names. A server with ALPN set refuses
 * a client that offers ALPN with no common protocol
 * (no_application_protocol alert); a client without ALPN is accepted. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_alpn(
	plugtls_config *cfg, const char *protocols);

/* SPKI SHA-256 pins, "sha256//BASE64" separated by ';'. The peer is
 * accepted only if one pin matches a certificate of the verified chain
 * (or of the chain the peer sent, when chain verification is off).
 * PLUGTLS_E_INVALID_ARGUMENT for any malformed pin. NULL clears. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_pins(
	plugtls_config *cfg, const char *pins);

/* Certificate revocation lists (PEM or DER; each call adds). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_add_crl_file(
	plugtls_config *cfg, const char *path);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_add_crl_mem(
	plugtls_config *cfg, const void *data, size_t len);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_crl_mode(
	plugtls_config *cfg, plugtls_crl_mode mode);

/* External PSK. A client uses the first PSK added; a server accepts any
 * added identity (compared in constant time). Keys shorter than 16 bytes
 * (128 bits) are refused with PLUGTLS_E_INVALID_ARGUMENT; identities are
 * 1..128 bytes; keys at most 64 bytes. Used with TLS 1.3 (external PSK)
 * and TLS 1.2 (PSK cipher suites), as the provider supports. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_add_psk(
	plugtls_config *cfg, const void *identity, size_t identity_len,
	const void *key, size_t key_len);

PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_session_tickets(
	plugtls_config *cfg, int enabled);

/* Log callback for contexts and connections made from this config. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_log_callback(
	plugtls_config *cfg, plugtls_log_fn fn, void *arg,
	plugtls_log_level max_level);

/* Key-log callback: one NSS key-log line ("CLIENT_RANDOM …",
 * "CLIENT_HANDSHAKE_TRAFFIC_SECRET …") per secret. Off unless set; it
 * exists for debugging with a packet analyser and exposes the session. */
typedef void (*plugtls_keylog_fn)(void *arg, const char *line);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_keylog_callback(
	plugtls_config *cfg, plugtls_keylog_fn fn, void *arg);

/* Blocking fd transports give up after this many milliseconds without
 * progress (0: wait forever, the default). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_config_set_io_timeout(
	plugtls_config *cfg, unsigned milliseconds);

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

typedef struct plugtls_ctx plugtls_ctx;

/* Build a context bound to provider p from cfg (which may be freed
 * afterwards). Either fully built or not returned: on failure the error is
 * recorded on cfg and names the setting that failed. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_ctx_new(const plugtls_provider *p,
						    plugtls_config *cfg,
						    plugtls_ctx **out);
PLUGTLS_API void plugtls_ctx_free(plugtls_ctx *ctx);
PLUGTLS_API const plugtls_error *plugtls_ctx_error(const plugtls_ctx *ctx);
PLUGTLS_API const plugtls_provider *plugtls_ctx_provider(const plugtls_ctx *ctx);

/* Verify chain (leaf first, then untrusted intermediates, all made by the
 * context's provider) against the context's trust store, CRLs, pins, verify
 * time and depth, for purpose (PLUGTLS_PURPOSE_SERVER or _CLIENT) and host
 * (a DNS name or an IP address; NULL skips the name check). Returns
 * PLUGTLS_OK with *reasons 0, or PLUGTLS_E_VERIFY with the reason bits. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_ctx_verify(
	plugtls_ctx *ctx, const plugtls_chain *chain, const char *host,
	unsigned purpose, uint32_t *reasons);

/* ------------------------------------------------------------------ */
/* Transports                                                          */
/* ------------------------------------------------------------------ */

/* A transport moves bytes: return PLUGTLS_OK with *n > 0 bytes moved,
 * PLUGTLS_WANT_READ / PLUGTLS_WANT_WRITE when it would block,
 * PLUGTLS_E_CLOSED on end of stream (read), or PLUGTLS_E_IO. */
typedef plugtls_err (*plugtls_read_fn)(void *user, void *buf, size_t len,
				       size_t *n);
typedef plugtls_err (*plugtls_write_fn)(void *user, const void *buf,
					size_t len, size_t *n);

/* An in-memory connected pair: two ends, each the transport of one
 * connection. Non-blocking: a read of an empty direction gives WANT_READ,
 * a write to a full one (256 KiB buffered) gives WANT_WRITE. Freed when
 * plugtls_mempair_free() was called and no connection uses it any more. */
typedef struct plugtls_mempair plugtls_mempair;
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_mempair_new(plugtls_mempair **out);
PLUGTLS_API void plugtls_mempair_free(plugtls_mempair *mp);
/* Close one end's writing direction: the other end then reads
 * PLUGTLS_E_CLOSED once the buffered bytes are consumed. */
PLUGTLS_API void plugtls_mempair_shutdown(plugtls_mempair *mp, int end);

/* ------------------------------------------------------------------ */
/* Connections                                                         */
/* ------------------------------------------------------------------ */

typedef struct plugtls_conn plugtls_conn;

PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_new(plugtls_ctx *ctx,
						     plugtls_conn **out);
/* Sends close_notify if the handshake completed and not yet sent, without
 * waiting; then frees. */
PLUGTLS_API void plugtls_conn_free(plugtls_conn *c);
PLUGTLS_API const plugtls_error *plugtls_conn_error(const plugtls_conn *c);

/* Clients: the peer's name (DNS name or IP address). Sent as SNI when a DNS
 * name, and verified against the certificate unless hostname verification
 * was turned off. A client with hostname verification on and no host fails
 * its handshake with PLUGTLS_E_INVALID_ARGUMENT. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_set_host(plugtls_conn *c,
							  const char *host);
/* Clients: the SNI to send instead of the host's name (verification
 * still uses the host). */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_set_servername(
	plugtls_conn *c, const char *sni);

/* Exactly one transport per connection, set before the handshake. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_set_transport(
	plugtls_conn *c, plugtls_read_fn rd, plugtls_write_fn wr, void *user);
/* A connected socket; blocking or non-blocking as the fd is. Not closed
 * by plugtls. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_set_fd(plugtls_conn *c,
							int fd);
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_set_mempair(
	plugtls_conn *c, plugtls_mempair *mp, int end /* 0 or 1 */);

/* Resume from a session exported by plugtls_conn_session_export() in this
 * process, with the same provider (clients, before the handshake).
 * PLUGTLS_E_MALFORMED for any other bytes: exported sessions carry a MAC
 * under a key of this process, so that no other bytes ever reach a
 * provider's session decoder. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_set_session(
	plugtls_conn *c, const void *data, size_t len);

/* Drive the handshake: PLUGTLS_OK when done, WANT_READ / WANT_WRITE on a
 * non-blocking transport, else an error (PLUGTLS_E_VERIFY with the verdict
 * in plugtls_conn_verify_result(), PLUGTLS_E_HANDSHAKE, PLUGTLS_E_IO,
 * PLUGTLS_E_CLOSED, …). read and write run it implicitly. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_handshake(plugtls_conn *c);

/* Read up to len bytes: PLUGTLS_OK with *n > 0, WANT_READ/WANT_WRITE,
 * PLUGTLS_E_CLOSED after the peer's close_notify, PLUGTLS_E_TRUNCATED if the
 * transport ended without one, or an error. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_read(plugtls_conn *c,
						      void *buf, size_t len,
						      size_t *n);
/* Write up to len bytes: PLUGTLS_OK with *n > 0 bytes accepted. After
 * WANT_WRITE, call again with the same buffer and length. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_write(plugtls_conn *c,
						       const void *buf,
						       size_t len, size_t *n);
/* Send close_notify: PLUGTLS_OK once sent, or WANT_*. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_shutdown(plugtls_conn *c);

/* After the handshake. */
PLUGTLS_API unsigned plugtls_conn_version(const plugtls_conn *c);
/* IANA name, e.g. "TLS_AES_128_GCM_SHA256"; NULL before the handshake. */
PLUGTLS_API const char *plugtls_conn_cipher(const plugtls_conn *c);
/* Negotiated ALPN protocol or NULL. */
PLUGTLS_API const char *plugtls_conn_alpn(const plugtls_conn *c);
PLUGTLS_API int plugtls_conn_resumed(const plugtls_conn *c);
/* "TLSv1.2" / "TLSv1.3" / NULL. */
PLUGTLS_API const char *plugtls_conn_version_name(const plugtls_conn *c);
/* The name the client asked for (servers: SNI received), or NULL. */
PLUGTLS_API const char *plugtls_conn_servername(const plugtls_conn *c);
/* The PSK identity used, or NULL. */
PLUGTLS_API const char *plugtls_conn_psk_identity(const plugtls_conn *c);
/* Certificates the peer sent (leaf first); NULL when none. Owned by the
 * connection. */
PLUGTLS_API const plugtls_chain *plugtls_conn_peer_chain(const plugtls_conn *c);
/* The verdict of the peer's verification (0 when valid or not verified). */
PLUGTLS_API uint32_t plugtls_conn_verify_result(const plugtls_conn *c);
/* The provider's own connection object (SSL *, gnutls_session_t,
 * WOLFSSL *). Using it can break plugtls's guarantees. */
PLUGTLS_API void *plugtls_conn_native_handle(plugtls_conn *c);

/* Export the session for resumption (clients, after a handshake and, for
 * TLS 1.3, after the first read that received a ticket). Copies into buf
 * (cap bytes) and sets *needed; with buf NULL only *needed is set.
 * PLUGTLS_E_TOO_LARGE when cap is too small, PLUGTLS_E_NOT_FOUND when no
 * resumable session exists yet. The bytes are secret, and valid only in
 * this process (and its forks) with this provider. */
PLUGTLS_API PLUGTLS_WUR plugtls_err plugtls_conn_session_export(
	plugtls_conn *c, void *buf, size_t cap, size_t *needed);

#ifdef __cplusplus
}
#endif
#endif
