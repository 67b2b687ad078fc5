/*
 * wolfSSL backend: the ONLY file with wolfSSL version and build-option
 * tests. Every other file of the backend tests the WSSL_HAVE_* names below,
 * and only around whole functions.
 *
 * The names carry a WSSL_ prefix because wolfSSL's own options.h already
 * defines HAVE_ALPN, HAVE_SNI, HAVE_CRL, … (as empty macros): reusing those
 * names would make `#if HAVE_ALPN` a syntax error.
 *
 * wolfSSL is configured at build time (./configure writes options.h), so
 * its features are build options of the installed library, not functions of
 * its version; a distribution may turn any of them off. Debian 12's
 * libwolfssl-dev 5.5.4 is the reference build: the comment of each name
 * says what it has there.
 */
#ifndef PLUGTLS_WSSL_FEATURES_H
#define PLUGTLS_WSSL_FEATURES_H

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/version.h>

#include <plugtls/provider.h>

/* 5.0.0 (Nov 2021) is the oldest release plugtls supports: the 4.x series
 * lacks fixes in TLS 1.3 and certificate parsing (e.g. CVE-2021-3336, TLS
 * 1.3 server impersonation, fixed in 4.7.0; CVE-2021-44718, fixed in
 * 5.1.0, is in the run-time gate table). */
#if !defined(LIBWOLFSSL_VERSION_HEX) || LIBWOLFSSL_VERSION_HEX < 0x05000000
#error "plugtls: the wolfSSL provider needs wolfSSL 5.0.0 or later"
#endif

/* wolfSSL packs 5.5.4 as 0x05005004: 8 bits major, 12 minor, 12 patch. */
#define WSSL_HEX_TO_NUM(hex)                                                   \
	PLUGTLS_VERSION_NUM(((hex) >> 24) & 0xffu, ((hex) >> 12) & 0xfffu,     \
			    (hex)&0xfffu)

/* TLS 1.3 (--enable-tls13, default since 4.4.0). Debian: on. */
#if defined(WOLFSSL_TLS13)
#define WSSL_HAVE_TLS13 1
#else
#define WSSL_HAVE_TLS13 0
#endif

/* TLS 1.2 is always built unless WOLFSSL_NO_TLS12. Debian: on. */
#if !defined(WOLFSSL_NO_TLS12) && !defined(NO_TLS)
#define WSSL_HAVE_TLS12 1
#else
#define WSSL_HAVE_TLS12 0
#endif

/* External PSK (--enable-psk). TLS 1.2 PSK suites and the TLS 1.3
 * psk_{client,server}_tls13 callbacks (4.0.0+). Debian: on. */
#if !defined(NO_PSK)
#define WSSL_HAVE_PSK 1
#else
#define WSSL_HAVE_PSK 0
#endif
#if WSSL_HAVE_PSK && WSSL_HAVE_TLS13
#define WSSL_HAVE_PSK_TLS13 1
#else
#define WSSL_HAVE_PSK_TLS13 0
#endif

/* RFC 7919 ffdhe2048 group for DHE-PSK suites (HAVE_FFDHE_2048,
 * wc_Dh_ffdhe2048_Get). Debian: on. */
#if !defined(NO_DH) && defined(HAVE_FFDHE_2048)
#define WSSL_HAVE_FFDHE2048 1
#else
#define WSSL_HAVE_FFDHE2048 0
#endif

/* RFC 5746 renegotiation_info without renegotiation: with
 * HAVE_SERVER_RENEGOTIATION_INFO alone (Debian), wolfSSL_CTX_UseSecure
 * Renegotiation only adds the indication (GnuTLS servers refuse clients
 * without it: "Safe renegotiation failed"); wolfSSL_Rehandshake cannot
 * run. A build with HAVE_SECURE_RENEGOTIATION would renegotiate for real,
 * so there the backend does not ask for it (no renegotiation, ever). */
#if defined(HAVE_SERVER_RENEGOTIATION_INFO) &&                                 \
	!defined(HAVE_SECURE_RENEGOTIATION)
#define WSSL_HAVE_RENEG_INDICATION 1
#else
#define WSSL_HAVE_RENEG_INDICATION 0
#endif

/* wolfSSL's fixed-point ECC cache (FP_ECC) is per thread with
 * HAVE_THREAD_LS and is released only by wc_ecc_fp_free() on that thread
 * (wolfSSL_Cleanup frees the calling thread's only): every other thread
 * that did an ECC operation leaks it (about 3 MB, measured with
 * LeakSanitizer). Debian: FP_ECC and HAVE_THREAD_LS on. */
#if defined(HAVE_ECC) && defined(FP_ECC) && defined(HAVE_THREAD_LS)
#define WSSL_HAVE_FP_ECC_TLS 1
#else
#define WSSL_HAVE_FP_ECC_TLS 0
#endif

/* Session tickets (--enable-session-ticket). Debian: on. */
#if defined(HAVE_SESSION_TICKET)
#define WSSL_HAVE_TICKETS 1
#else
#define WSSL_HAVE_TICKETS 0
#endif

/* Session serialisation: wolfSSL_i2d_SSL_SESSION / wolfSSL_d2i_SSL_SESSION
 * and wolfSSL_SESSION_has_ticket exist with OPENSSL_EXTRA, and need the
 * session cache or tickets. Debian: on (OPENSSL_ALL). */
#if defined(OPENSSL_EXTRA) &&                                                  \
	(!defined(NO_SESSION_CACHE) || defined(HAVE_SESSION_TICKET))
#define WSSL_HAVE_SESSION_EXPORT 1
#else
#define WSSL_HAVE_SESSION_EXPORT 0
#endif

/* A session id context per WOLFSSL_CTX
 * (wolfSSL_CTX_set_session_id_context, OPENSSL_EXTRA). Debian: on. */
#if defined(OPENSSL_EXTRA)
#define WSSL_HAVE_SESSION_ID_CTX 1
#else
#define WSSL_HAVE_SESSION_ID_CTX 0
#endif

/* ALPN (--enable-alpn) with a server-side selection callback
 * (wolfSSL_CTX_set_alpn_select_cb, present with OPENSSL_EXTRA and friends):
 * wolfSSL's own matching prefers the client's order, the callback lets the
 * server's order win as on the other providers. Debian: on (OPENSSL_ALL). */
#if defined(HAVE_ALPN) && (defined(OPENSSL_ALL) || defined(OPENSSL_EXTRA) ||   \
			   defined(WOLFSSL_NGINX) ||                           \
			   defined(WOLFSSL_HAPROXY) || defined(HAVE_LIGHTY))
#define WSSL_HAVE_ALPN 1
#else
#define WSSL_HAVE_ALPN 0
#endif

/* SNI (--enable-sni). WOLFSSL_ALWAYS_KEEP_SNI (Debian: on) lets a server
 * that set no name of its own still read the client's request. */
#if defined(HAVE_SNI)
#define WSSL_HAVE_SNI 1
#else
#define WSSL_HAVE_SNI 0
#endif

/* CRLs in the certificate manager (--enable-crl). Debian: on. */
#if defined(HAVE_CRL)
#define WSSL_HAVE_CRL 1
#else
#define WSSL_HAVE_CRL 0
#endif

/* Ed25519 certificates and keys (--enable-ed25519). Debian: on. */
#if defined(HAVE_ED25519)
#define WSSL_HAVE_ED25519 1
#else
#define WSSL_HAVE_ED25519 0
#endif

/* X25519 key exchange (--enable-curve25519). Debian: on. */
#if defined(HAVE_CURVE25519)
#define WSSL_HAVE_X25519 1
#else
#define WSSL_HAVE_X25519 0
#endif

/* ECDSA / ECDHE (--enable-ecc). Debian: on. */
#if defined(HAVE_ECC)
#define WSSL_HAVE_ECC 1
#else
#define WSSL_HAVE_ECC 0
#endif

/* RSA (on unless NO_RSA); RSA-PSS signatures (WC_RSA_PSS). Debian: on. */
#if !defined(NO_RSA)
#define WSSL_HAVE_RSA 1
#else
#define WSSL_HAVE_RSA 0
#endif
#if !defined(NO_RSA) && defined(WC_RSA_PSS)
#define WSSL_HAVE_RSA_PSS 1
#else
#define WSSL_HAVE_RSA_PSS 0
#endif

/* ChaCha20-Poly1305 (HAVE_CHACHA + HAVE_POLY1305). Debian: on. */
#if defined(HAVE_CHACHA) && defined(HAVE_POLY1305)
#define WSSL_HAVE_CHACHA 1
#else
#define WSSL_HAVE_CHACHA 0
#endif

/* AES-GCM (HAVE_AESGCM). Debian: on (software only: no AES-NI). */
#if defined(HAVE_AESGCM)
#define WSSL_HAVE_AESGCM 1
#else
#define WSSL_HAVE_AESGCM 0
#endif

/* PKCS#12 parsing (settings.h defines HAVE_PKCS12 unless NO_PKCS12; it
 * needs password-based encryption). Debian: on, but without RC2
 * (WC_RC2 is off), so RC2-40 "legacy" bundles cannot be read. */
#if defined(HAVE_PKCS12) && !defined(NO_PWDBASED) && !defined(NO_ASN)
#define WSSL_HAVE_PKCS12 1
#else
#define WSSL_HAVE_PKCS12 0
#endif
#if WSSL_HAVE_PKCS12 && defined(WC_RC2)
#define WSSL_HAVE_PKCS12_RC2 1
#else
#define WSSL_HAVE_PKCS12_RC2 0
#endif

/* Encrypted PKCS#8 / PEM keys (WOLFSSL_ENCRYPTED_KEYS + PBKDF2).
 * Debian: on. */
#if defined(WOLFSSL_ENCRYPTED_KEYS) && !defined(NO_PWDBASED)
#define WSSL_HAVE_ENCRYPTED_KEYS 1
#else
#define WSSL_HAVE_ENCRYPTED_KEYS 0
#endif

/* Name constraints are checked unless IGNORE_NAME_CONSTRAINTS. Debian: on.
 * wolfSSL checks them against the direct signer only: see wssl_verify.c. */
#if !defined(IGNORE_NAME_CONSTRAINTS)
#define WSSL_HAVE_NAME_CONSTRAINTS 1
#else
#define WSSL_HAVE_NAME_CONSTRAINTS 0
#endif

/* TLS key-log: wolfSSL reports secrets only through
 * wolfSSL_set_tls13_secret_cb / wolfSSL_set_session_secret_cb, built with
 * HAVE_SECRET_CALLBACK (--enable-secret-callback). Debian: OFF, so
 * PLUGTLS_CAP_KEYLOG is off and a key-log config is refused. */
#if defined(HAVE_SECRET_CALLBACK)
#define WSSL_HAVE_KEYLOG 1
#else
#define WSSL_HAVE_KEYLOG 0
#endif

/* The peer chain of a session (wolfSSL_get_peer_chain). Debian: on. */
#if defined(SESSION_CERTS)
#define WSSL_HAVE_SESSION_CERTS 1
#else
#define WSSL_HAVE_SESSION_CERTS 0
#endif

/* The verify callback sees every certificate, also those wolfSSL itself
 * accepted (WOLFSSL_ALWAYS_VERIFY_CB), with the DER of the whole peer
 * chain in the store. Debian: on. Without it the callback is not called
 * for a chain wolfSSL accepts, and the core hook would be skipped: the
 * backend then refuses to verify peers (see wssl_ctx.c). */
#if defined(WOLFSSL_ALWAYS_VERIFY_CB)
#define WSSL_HAVE_ALWAYS_VERIFY_CB 1
#else
#define WSSL_HAVE_ALWAYS_VERIFY_CB 0
#endif

/* wolfSSL_CTX_set_groups (TLS 1.3 builds with supported curves). */
#if defined(WOLFSSL_TLS13) && defined(HAVE_SUPPORTED_CURVES)
#define WSSL_HAVE_SET_GROUPS 1
#else
#define WSSL_HAVE_SET_GROUPS 0
#endif

/* ---- what the names above give ------------------------------------------ */

/* Capability flags: build options of the installed library; none of them
 * depends on the run-time version within 5.x. Mutual TLS needs the verify
 * callback for accepted chains (the core must see every peer chain). */
#define WSSL_CAP(have, cap) ((have) ? (cap) : UINT64_C(0))
#define WSSL_CAPS                                                              \
	(WSSL_CAP(WSSL_HAVE_TLS12, PLUGTLS_CAP_TLS12) |                        \
	 WSSL_CAP(WSSL_HAVE_TLS13, PLUGTLS_CAP_TLS13) |                        \
	 WSSL_CAP(WSSL_HAVE_PSK && WSSL_HAVE_TLS12, PLUGTLS_CAP_PSK_TLS12) |   \
	 WSSL_CAP(WSSL_HAVE_PSK_TLS13, PLUGTLS_CAP_PSK_TLS13) |                \
	 WSSL_CAP(WSSL_HAVE_ALPN, PLUGTLS_CAP_ALPN) |                          \
	 WSSL_CAP(WSSL_HAVE_SNI, PLUGTLS_CAP_SNI) |                            \
	 WSSL_CAP(WSSL_HAVE_TICKETS, PLUGTLS_CAP_TICKETS) |                    \
	 WSSL_CAP(WSSL_HAVE_SESSION_EXPORT, PLUGTLS_CAP_SESSION_EXPORT) |      \
	 WSSL_CAP(WSSL_HAVE_KEYLOG, PLUGTLS_CAP_KEYLOG) |                      \
	 WSSL_CAP(WSSL_HAVE_CRL, PLUGTLS_CAP_CRL) |                            \
	 WSSL_CAP(WSSL_HAVE_PKCS12, PLUGTLS_CAP_PKCS12_IMPORT) |               \
	 WSSL_CAP(WSSL_HAVE_PKCS12, PLUGTLS_CAP_PKCS12_EXPORT) |               \
	 WSSL_CAP(WSSL_HAVE_PKCS12_RC2, PLUGTLS_CAP_PKCS12_LEGACY) |           \
	 WSSL_CAP(WSSL_HAVE_ED25519, PLUGTLS_CAP_ED25519) |                    \
	 WSSL_CAP(WSSL_HAVE_RSA_PSS, PLUGTLS_CAP_RSA_PSS) |                    \
	 WSSL_CAP(WSSL_HAVE_NAME_CONSTRAINTS, PLUGTLS_CAP_NAME_CONSTRAINTS) |  \
	 WSSL_CAP(WSSL_HAVE_ENCRYPTED_KEYS, PLUGTLS_CAP_ENCRYPTED_KEYS) |      \
	 WSSL_CAP(WSSL_HAVE_CHACHA, PLUGTLS_CAP_CHACHA20) |                    \
	 WSSL_CAP(WSSL_HAVE_AESGCM, PLUGTLS_CAP_AES_GCM) |                     \
	 WSSL_CAP(WSSL_HAVE_ALWAYS_VERIFY_CB, PLUGTLS_CAP_MTLS) |              \
	 WSSL_CAP(WSSL_HAVE_X25519, PLUGTLS_CAP_X25519) |                      \
	 WSSL_CAP(WSSL_HAVE_ECC, PLUGTLS_CAP_ECDSA) |                          \
	 WSSL_CAP(WSSL_HAVE_RSA, PLUGTLS_CAP_RSA))

/* Optional slots of the provider table: the function, or NULL (with its
 * capability bit cleared above) when the build lacks the feature. The
 * functions themselves are compiled under the same names. */
#if WSSL_HAVE_SESSION_EXPORT
#define WSSL_SLOT_SESSION_EXPORT wssl_conn_session_export
#else
#define WSSL_SLOT_SESSION_EXPORT NULL
#endif
#if WSSL_HAVE_CRL
#define WSSL_SLOT_TRUST_ADD_CRL wssl_trust_add_crl
#else
#define WSSL_SLOT_TRUST_ADD_CRL NULL
#endif
#if WSSL_HAVE_PKCS12
#define WSSL_SLOT_P12_IMPORT wssl_p12_import
#define WSSL_SLOT_P12_EXPORT wssl_p12_export
#else
#define WSSL_SLOT_P12_IMPORT NULL
#define WSSL_SLOT_P12_EXPORT NULL
#endif

#endif
