/*
 * GnuTLS provider: every version gate of the backend, and only here.
 *
 * The compile-time minimum is GnuTLS 3.7.0. Each feature the backend uses
 * that is younger than the oldest GnuTLS 3.x is named HAVE_<FEATURE> with
 * the release that brought it; other files test only these names, and only
 * around whole functions. With the 3.7.0 minimum they are all 1 today; the
 * names stay so that raising or lowering the floor is a one-file change and
 * so that a reader sees which call depends on which release.
 *
 * The run-time gate (library older than these headers, below the minimum,
 * or in a known-vulnerable range) is in gtls_provider.c and is decided by
 * the core from the data the provider reports.
 */
#ifndef PLUGTLS_GTLS_FEATURES_H
#define PLUGTLS_GTLS_FEATURES_H

#include <gnutls/gnutls.h>

#if !defined(GNUTLS_VERSION_NUMBER) || GNUTLS_VERSION_NUMBER < 0x030700
#error "plugtls: the GnuTLS provider needs GnuTLS 3.7.0 or later"
#endif

/* The minimum the provider reports to the core's gate. */
#define GTLS_MIN_VERSION_MAJOR 3
#define GTLS_MIN_VERSION_MINOR 7
#define GTLS_MIN_VERSION_PATCH 0

#define GTLS_AT_LEAST(v) (GNUTLS_VERSION_NUMBER >= (v))

/* gnutls_session_set_keylog_function(): GnuTLS 3.6.13. Lets the backend
 * replace GnuTLS's own $SSLKEYLOGFILE writer on every session. */
#define HAVE_KEYLOG_FUNCTION GTLS_AT_LEAST(0x03060d)

/* gnutls_psk_set_{server,client}_credentials_function2() (binary
 * identities as gnutls_datum_t): GnuTLS 3.6.13. */
#define HAVE_PSK_FUNCTION2 GTLS_AT_LEAST(0x03060d)

/* gnutls_psk_server_get_username2(): GnuTLS 3.6.13. */
#define HAVE_PSK_USERNAME2 GTLS_AT_LEAST(0x03060d)

/* GNUTLS_SFLAGS_SESSION_TICKET in gnutls_session_get_flags(): GnuTLS
 * 3.6.13 (needed to know when a TLS 1.3 session became resumable). */
#define HAVE_SFLAGS_SESSION_TICKET GTLS_AT_LEAST(0x03060d)

/* GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1: GnuTLS 3.6.0. */
#define HAVE_VERIFY_ALLOW_SHA1 GTLS_AT_LEAST(0x030600)

/* gnutls_pkcs12_generate_mac2() with a chosen MAC (SHA-256): GnuTLS
 * 3.6.5. */
#define HAVE_PKCS12_MAC2 GTLS_AT_LEAST(0x030605)

/* GNUTLS_CERT_REQUIRED alert and GNUTLS_E_CERTIFICATE_REQUIRED for TLS 1.3
 * servers: GnuTLS 3.6.5 (TLS 1.3 final). */
#define HAVE_TLS13 GTLS_AT_LEAST(0x030605)

/* gnutls_ciphersuite_get() (the IANA name of the session's suite):
 * GnuTLS 3.7.3. The backend finds the two-byte id through
 * gnutls_cipher_suite_info() instead, which every 3.x has, so this is
 * informational. */
#define HAVE_CIPHERSUITE_GET GTLS_AT_LEAST(0x030703)

/* Compression of certificates (RFC 8879) and KTLS appeared in 3.7.4 and
 * 3.7.3; plugtls uses neither (no compression is a plugtls default). */

/* The backend has no fallback for these: it needs every one of them. */
#if !(HAVE_KEYLOG_FUNCTION && HAVE_PSK_FUNCTION2 && HAVE_PSK_USERNAME2 &&      \
      HAVE_SFLAGS_SESSION_TICKET && HAVE_VERIFY_ALLOW_SHA1 &&                  \
      HAVE_PKCS12_MAC2 && HAVE_TLS13)
#error "plugtls: this GnuTLS lacks a feature the GnuTLS provider needs"
#endif

#endif
