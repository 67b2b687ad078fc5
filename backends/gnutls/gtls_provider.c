/*
 * GnuTLS provider: the provider table, global init and deinit, the data of
 * the version gate, and capabilities.
 *
 * Init. gnutls_global_init() is reference counted by GnuTLS itself (and
 * GnuTLS >= 3.3 also initialises from a library constructor); the core
 * reference-counts meta.init/deinit on top and serialises them, so each
 * init here is paired with exactly one gnutls_global_deinit().
 *
 * Environment variables GnuTLS reads by itself, and what plugtls does:
 *  - SSLKEYLOGFILE: GnuTLS's default key-log hook appends every session's
 *    secrets to that file. plugtls writes a key log only when the
 *    application asks (DESIGN.md), so gtls_conn.c installs its own hook
 *    (gnutls_session_set_keylog_function, GnuTLS 3.6.13) on every session,
 *    which replaces GnuTLS's writer: the file is then never opened by a
 *    plugtls session. The variable is left alone (unsetenv() from a library
 *    is not thread-safe and would change what the rest of the process
 *    sees); init logs a warning that it is ignored.
 *  - GNUTLS_DEBUG_LEVEL: from level 9 GnuTLS's "hard" log prints premaster
 *    and master secrets and traffic keys to its log function (stderr by
 *    default). init caps the process-wide level at 8 and logs a warning.
 *    GnuTLS's log function itself is not replaced: it is process-wide and
 *    may belong to the application.
 */
#include "gtls_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V(a, b, c) PLUGTLS_VERSION_NUM(a, b, c)

/*
 * Known-vulnerable GnuTLS releases (high and medium severity advisories of
 * the library that touch 3.7.x-3.8.x; gnutls.org/security-new.html,
 * GNUTLS-SA-*, and the CVE records). "last" is the release before the fix.
 * Where 3.7.x has a later fixed release, the range still runs from 3.7.0 to
 * the last vulnerable 3.8.x (fail closed): 3.7.10 predates every fix below
 * 3.7.9's, and a build that carries a fix without a new version number
 * (Debian 12's 3.7.9-2+debNuN) is what plugtls_provider_accept_vulnerable()
 * and $PLUGTLS_ACCEPT_VULNERABLE are for; backends/gnutls/DEBIAN-BACKPORTS.md
 * lists what Debian fixed, with the changelog evidence.
 * Not listed: CVE-2025-32990 (certtool's template parser, not the library),
 * CVE-2026-5419 (low: PKCS#7 padding timing), CVE-2026-95210 and
 * CVE-2026-88647 (records without a GnuTLS advisory or a fixed release).
 */
static const plugtls_vuln_range gtls_vulns[] = {
	{V(3, 7, 0), V(3, 7, 0), "CVE-2021-20231",
	 "use after free in the client's key_share extension "
	 "(GNUTLS-SA-2021-03-10, fixed in 3.7.1)"},
	{V(3, 7, 0), V(3, 7, 0), "CVE-2021-20232",
	 "use after free in the client's pre_shared_key extension "
	 "(GNUTLS-SA-2021-03-10, fixed in 3.7.1)"},
	{V(3, 7, 0), V(3, 7, 2), "CVE-2021-4209",
	 "NULL dereference in MD_UPDATE (fixed in 3.7.3)"},
	{V(3, 7, 0), V(3, 7, 6), "CVE-2022-2509",
	 "double free verifying PKCS#7 signatures "
	 "(GNUTLS-SA-2022-07-07, fixed in 3.7.7)"},
	{V(3, 7, 0), V(3, 7, 8), "CVE-2023-0361",
	 "timing side channel in RSA ClientKeyExchange decryption, "
	 "Bleichenbacher-style (fixed in 3.7.9)"},
	{V(3, 7, 0), V(3, 8, 1), "CVE-2023-5981",
	 "timing side channel in the RSA-PSK key exchange "
	 "(GNUTLS-SA-2023-10-23, fixed in 3.8.2)"},
	{V(3, 7, 0), V(3, 8, 2), "CVE-2024-0553",
	 "timing side channel in the RSA-PSK key exchange, incomplete fix "
	 "of CVE-2023-5981 (GNUTLS-SA-2024-01-14, fixed in 3.8.3)"},
	{V(3, 7, 0), V(3, 8, 2), "CVE-2024-0567",
	 "assertion failure verifying a chain with a cycle of cross "
	 "signatures (GNUTLS-SA-2024-01-09, fixed in 3.8.3)"},
	{V(3, 7, 0), V(3, 8, 3), "CVE-2024-28834",
	 "Minerva side channel in deterministic ECDSA "
	 "(GNUTLS-SA-2023-12-04, fixed in 3.8.4)"},
	{V(3, 7, 0), V(3, 8, 3), "CVE-2024-28835",
	 "crash in gnutls_x509_trust_list_verify_crt2() on chains of more "
	 "than 16 certificates (GNUTLS-SA-2024-01-23, fixed in 3.8.4)"},
	{V(3, 7, 0), V(3, 8, 8), "CVE-2024-12243",
	 "denial of service from certificates with many name constraints "
	 "(GNUTLS-SA-2025-02-07, fixed in 3.8.9)"},
	{V(3, 7, 0), V(3, 8, 9), "CVE-2025-32989",
	 "heap over-read parsing an X.509 SCT extension "
	 "(GNUTLS-SA-2025-07-07-1, fixed in 3.8.10)"},
	{V(3, 7, 0), V(3, 8, 9), "CVE-2025-32988",
	 "double free exporting an otherName subjectAltName "
	 "(GNUTLS-SA-2025-07-07-2, fixed in 3.8.10)"},
	{V(3, 7, 0), V(3, 8, 9), "CVE-2025-6395",
	 "NULL dereference when a second ClientHello omits the PSK "
	 "(GNUTLS-SA-2025-07-07-4, fixed in 3.8.10)"},
	{V(3, 7, 0), V(3, 8, 10), "CVE-2025-9820",
	 "stack overflow in gnutls_pkcs11_token_init() with a long label "
	 "(GNUTLS-SA-2025-11-18, fixed in 3.8.11)"},
	{V(3, 7, 0), V(3, 8, 11), "CVE-2025-14831",
	 "denial of service verifying certificates with many name "
	 "constraints and SANs (GNUTLS-SA-2026-02-09-2, fixed in 3.8.12)"},
	{V(3, 8, 11), V(3, 8, 11), "CVE-2026-1584",
	 "NULL dereference on a ClientHello with an invalid PSK binder "
	 "(fixed in 3.8.12)"},
	{V(3, 8, 9), V(3, 8, 12), "CVE-2026-3832",
	 "revoked server certificate accepted through a crafted OCSP "
	 "response (fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-3833",
	 "case-sensitive comparison of nameConstraints: policy bypass "
	 "(fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-5260",
	 "heap over-read in the RSA key exchange with PKCS#11 keys "
	 "(fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-33845",
	 "DTLS: out-of-bounds read on a zero-length fragment "
	 "(fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-33846",
	 "DTLS: heap overflow in handshake fragment reassembly "
	 "(fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-42009",
	 "DTLS: denial of service through reordered packets with equal "
	 "sequence numbers (fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-42010",
	 "RSA-PSK: a user name with a NUL matched its truncation, "
	 "authentication bypass (fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-42011",
	 "permitted name constraints ignored after CAs with excluded "
	 "subtrees only (fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-42012",
	 "URI/SRV subjectAltNames let host name checks fall back to the CN "
	 "(fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-42013",
	 "an oversized subjectAltName lets host name checks fall back to "
	 "the CN (fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-42014",
	 "use after free in gnutls_pkcs11_token_set_pin() "
	 "(fixed in 3.8.13)"},
	{V(3, 7, 0), V(3, 8, 12), "CVE-2026-42015",
	 "off-by-one in the PKCS#12 bag bounds check, memory corruption "
	 "(fixed in 3.8.13)"},
};

static uint64_t gtls_caps;

/* "3.7.9" (possibly with a suffix) -> packed. 0 when unreadable. */
static uint32_t parse_version(const char *s)
{
	unsigned v[3] = {0, 0, 0};

	if (!s)
		return 0;
	for (int i = 0; i < 3; i++) {
		unsigned x = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			x = x * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || x > 255)
			return 0;
		v[i] = x;
		if (i < 2) {
			if (*s != '.')
				return i == 1 ? V(v[0], v[1], 0) : 0;
			s++;
		}
	}
	return V(v[0], v[1], v[2]);
}

static const char *gtls_version_string(void)
{
	static char buf[64];
	const char *v = gnutls_check_version(NULL);

	/* Written once at first call; identical on every call. */
	if (!buf[0])
		snprintf(buf, sizeof(buf), "GnuTLS %s", v ? v : "?");
	return buf;
}

static uint32_t gtls_version_number(void)
{
	return parse_version(gnutls_check_version(NULL));
}

static bool in_list_int(const int *list, int want)
{
	for (size_t i = 0; list && list[i] && i < 256; i++)
		if (list[i] == want)
			return true;
	return false;
}

static uint64_t compute_caps(void)
{
	uint64_t caps =
		PLUGTLS_CAP_TLS12 | PLUGTLS_CAP_TLS13 | PLUGTLS_CAP_PSK_TLS12 |
		PLUGTLS_CAP_PSK_TLS13 | PLUGTLS_CAP_ALPN | PLUGTLS_CAP_SNI |
		PLUGTLS_CAP_TICKETS | PLUGTLS_CAP_SESSION_EXPORT |
		PLUGTLS_CAP_CRL | PLUGTLS_CAP_PKCS12_IMPORT |
		PLUGTLS_CAP_PKCS12_EXPORT | PLUGTLS_CAP_RSA_PSS |
		PLUGTLS_CAP_NAME_CONSTRAINTS | PLUGTLS_CAP_ENCRYPTED_KEYS |
		PLUGTLS_CAP_MTLS | PLUGTLS_CAP_ECDSA | PLUGTLS_CAP_RSA;
	bool fips = gnutls_fips140_mode_enabled() != 0;

	caps |= PLUGTLS_CAP_KEYLOG; /* HAVE_KEYLOG_FUNCTION, 3.6.13 */
	/* What this build of the library has (a distribution may configure
	 * algorithms out; FIPS mode leaves only approved ones). */
	if (in_list_int((const int *)gnutls_cipher_list(),
			GNUTLS_CIPHER_AES_128_GCM) &&
	    in_list_int((const int *)gnutls_cipher_list(),
			GNUTLS_CIPHER_AES_256_GCM))
		caps |= PLUGTLS_CAP_AES_GCM;
	if (!fips && in_list_int((const int *)gnutls_cipher_list(),
				 GNUTLS_CIPHER_CHACHA20_POLY1305))
		caps |= PLUGTLS_CAP_CHACHA20;
	if (!fips &&
	    in_list_int((const int *)gnutls_group_list(), GNUTLS_GROUP_X25519))
		caps |= PLUGTLS_CAP_X25519;
	if (in_list_int((const int *)gnutls_pk_list(), GNUTLS_PK_EDDSA_ED25519))
		caps |= PLUGTLS_CAP_ED25519;
	if (!fips && gtls_pkcs12_legacy_probe())
		caps |= PLUGTLS_CAP_PKCS12_LEGACY;
	return caps;
}

static plugtls_err gtls_init(plugtls_error *err)
{
	const char *env;
	int ret;

	/* The core checks this too (header_version); refusing here keeps a
	 * library older than our headers from being initialised at all. */
	if (!gnutls_check_version(GNUTLS_VERSION))
		return plugtls_prov_error(err, PLUGTLS_E_VERSION_REFUSED, 0,
					  "gnutls: run-time GnuTLS %s is older "
					  "than the headers plugtls was built "
					  "with (%s)",
					  gnutls_check_version(NULL)
						  ? gnutls_check_version(NULL)
						  : "?",
					  GNUTLS_VERSION);
	ret = gnutls_global_init();
	if (ret < 0)
		return gtls_error(err, PLUGTLS_E_INTERNAL, ret,
				  "gnutls_global_init");
	env = getenv("SSLKEYLOGFILE");
	if (env && *env)
		plugtls_prov_log(NULL, PLUGTLS_LOG_WARNING,
				 "gnutls: $SSLKEYLOGFILE is set and ignored: "
				 "plugtls writes a key log only through "
				 "plugtls_config_set_keylog_callback()");
	env = getenv("GNUTLS_DEBUG_LEVEL");
	if (env && atoi(env) > 8) {
		gnutls_global_set_log_level(8);
		plugtls_prov_log(NULL, PLUGTLS_LOG_WARNING,
				 "gnutls: GNUTLS_DEBUG_LEVEL %d would log "
				 "secrets; capped at 8",
				 atoi(env));
	}
	gtls_caps = compute_caps();
	return PLUGTLS_OK;
}

static void gtls_deinit(void)
{
	gnutls_global_deinit();
}

uint64_t gtls_capabilities(void)
{
	return gtls_caps;
}

/* The table: designated initializers only, grouped by family. */
/* clang-format off */
const struct plugtls_provider plugtls_provider_gnutls = {
	.abi_version = PLUGTLS_PROVIDER_ABI,
	.struct_size = sizeof(struct plugtls_provider),
	.name = "gnutls",
	.meta = {
		.init = gtls_init,
		.deinit = gtls_deinit,
		.version_string = gtls_version_string,
		.version_number = gtls_version_number,
		.header_version = GNUTLS_VERSION_NUMBER,
		.min_version = PLUGTLS_VERSION_NUM(GTLS_MIN_VERSION_MAJOR,
						   GTLS_MIN_VERSION_MINOR,
						   GTLS_MIN_VERSION_PATCH),
		.vuln_ranges = gtls_vulns,
		.n_vuln_ranges = sizeof(gtls_vulns) / sizeof(gtls_vulns[0]),
		.capabilities = gtls_capabilities,
	},
	.ctx = {
		.new_ctx = gtls_ctx_new,
		.free = gtls_ctx_free,
	},
	.conn = {
		.new_conn = gtls_conn_new,
		.free = gtls_conn_free,
		.handshake = gtls_handshake,
		.read = gtls_read,
		.write = gtls_write,
		.shutdown = gtls_shutdown,
		.info = gtls_info,
		.peer_chain = gtls_peer_chain,
		.native_handle = gtls_native_handle,
		.session_export = gtls_session_export,
	},
	.cert = {
		.from_der = gtls_cert_from_der,
		.free = gtls_cert_free,
		.fields = gtls_cert_fields,
		.trust_new = gtls_trust_new,
		.trust_free = gtls_trust_free,
		.trust_add_cert = gtls_trust_add_cert,
		.trust_add_crl = gtls_trust_add_crl,
		.verify = gtls_verify,
	},
	.key = {
		.load = gtls_key_load,
		.free = gtls_key_free,
		.info = gtls_key_info,
	},
	.pkcs12 = {
		.import = gtls_pkcs12_import,
		.export_ = gtls_pkcs12_export,
	},
};
/* clang-format on */
