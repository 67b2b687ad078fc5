/*
 * OpenSSL provider: every version and build-option gate of this backend.
 *
 * This is the only file of backends/openssl/ with a version or OPENSSL_NO_*
 * test. It turns them into HAVE_<FEATURE> names set to 0 or 1; the other
 * files test only those names, and only around whole functions.
 *
 * The minimum is OpenSSL 3.0.0: the provider architecture (OSSL_PROVIDER,
 * OSSL_DECODER, the legacy provider for RC2 PKCS#12 bundles),
 * SSL_get0_peer_certificate() and PKCS12_create_ex() all came with 3.0.
 * The run-time library is checked again at provider init (ossl_provider.c:
 * the version gate data for the core).
 */
#ifndef PLUGTLS_OSSL_FEATURES_H
#define PLUGTLS_OSSL_FEATURES_H

#include <openssl/opensslconf.h>
#include <openssl/opensslv.h>

#if defined(LIBRESSL_VERSION_NUMBER) || defined(OPENSSL_IS_BORINGSSL)
#error "the plugtls OpenSSL provider needs OpenSSL itself, not a fork"
#endif
#if !defined(OPENSSL_VERSION_MAJOR) || OPENSSL_VERSION_MAJOR < 3
#error "the plugtls OpenSSL provider needs OpenSSL 3.0.0 or later"
#endif

/* The headers' version, packed as PLUGTLS_VERSION_NUM does. */
#define OSSL_HEADER_MAJOR OPENSSL_VERSION_MAJOR
#define OSSL_HEADER_MINOR OPENSSL_VERSION_MINOR
#define OSSL_HEADER_PATCH OPENSSL_VERSION_PATCH

/* TLS 1.3 (OpenSSL 1.1.1); a build may leave it out with no-tls1_3. */
#ifdef OPENSSL_NO_TLS1_3
#define HAVE_TLS13 0
#else
#define HAVE_TLS13 1
#endif

/* TLS 1.2 PSK cipher suites and callbacks (OpenSSL 1.0.0); no-psk drops
 * them. TLS 1.3 external PSK through SSL_CTX_set_psk_use_session_callback /
 * _find_session_callback came with 1.1.1 and shares the no-psk switch. */
#ifdef OPENSSL_NO_PSK
#define HAVE_PSK 0
#else
#define HAVE_PSK 1
#endif
#if HAVE_PSK && HAVE_TLS13
#define HAVE_PSK_TLS13 1
#else
#define HAVE_PSK_TLS13 0
#endif

/* ChaCha20-Poly1305 (OpenSSL 1.1.0); no-chacha or no-poly1305 drop it. */
#if defined(OPENSSL_NO_CHACHA) || defined(OPENSSL_NO_POLY1305)
#define HAVE_CHACHA20 0
#else
#define HAVE_CHACHA20 1
#endif

/* Elliptic curves: ECDSA and ECDHE, X25519 (1.1.0) and Ed25519 (1.1.1) all
 * sit behind no-ec in the 3.x lines this backend supports. */
#ifdef OPENSSL_NO_EC
#define HAVE_EC 0
#else
#define HAVE_EC 1
#endif

/* The NSS key-log callback SSL_CTX_set_keylog_callback (OpenSSL 1.1.1). */
#define HAVE_KEYLOG 1

/* Certificate revocation lists in X509_STORE (always built). */
#define HAVE_CRL 1

/* OSSL_PROVIDER_load of the "legacy" provider, needed for RC2-40 and 3DES
 * PKCS#12 bundles (OpenSSL 3.0). Whether it loads is known only at run
 * time; PLUGTLS_CAP_PKCS12_LEGACY follows that. */
#define HAVE_LEGACY_PROVIDER 1

/* PKCS12_create_ex with AES-256-CBC/PBKDF2 (OpenSSL 3.0; PBES2 itself since
 * 0.9.8) and PKCS12_set_mac with a chosen digest (1.0.0). */
#define HAVE_PKCS12_EXPORT 1

#endif
