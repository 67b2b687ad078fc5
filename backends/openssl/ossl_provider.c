/*
 * OpenSSL provider: the provider table, global init and deinit, the data of
 * the version gate, and the capability flags.
 *
 * The core serialises meta.init/deinit and reference-counts them, so init
 * may run again after a deinit: everything it creates is torn down by
 * deinit, except the SSL ex_data index, which OpenSSL cannot release and
 * which is therefore made once for the life of the process.
 */
#include "ossl_local.h"

#include <openssl/crypto.h>
#include <openssl/provider.h>

int ossl_conn_index = -1;
BIO_METHOD *ossl_bio_method;

static OSSL_PROVIDER *ossl_prov_default;
static OSSL_PROVIDER *ossl_prov_legacy;
static uint64_t ossl_caps;

/* ---- version gate data ---------------------------------------------------
 *
 * Known-vulnerable ranges of High (or Critical) severity, from OpenSSL's
 * advisories (openssl-library.org/news/secadv/ and the per-CVE records of
 * openssl/release-metadata), one row per release line so that a version of
 * one line is never caught by another line's range. Inclusive; the fixed
 * release is the one after `last`.
 *
 * What is listed: every High issue of a 3.x line for which OpenSSL published
 * a fixed release of that line. Lines that had reached end of life when an
 * issue was published (3.1 in March 2025, 3.2 in November 2025, 3.3 in April
 * 2026) were not analysed by OpenSSL for it and get no row for it.
 *
 * What is left out, and why:
 *  - CVE-2026-84782 (High, 2026-09-29; DTLS retransmission reads past the
 *    message buffer) on the 3.0 line: OpenSSL 3.0 reached end of public
 *    support on 2026-09-07 and the fix, 3.0.23, is for premium-support
 *    customers only, so a row would refuse every public 3.0 release
 *    (3.0.0-3.0.22), including distribution builds that carry the fix
 *    (Debian 3.0.22-1~deb12u2 does). This backend never creates a DTLS
 *    method (TLS_method() only), so the flaw is not reachable through
 *    plugtls. Rows for the lines with a public fix are listed. To refuse
 *    unpatched 3.0 builds instead, add {3.0.0, 3.0.22} here and let
 *    patched distributions accept it with PLUGTLS_ACCEPT_VULNERABLE.
 *  - Issues of severity Moderate or Low (the gate is for High ones).
 */
#define V PLUGTLS_VERSION_NUM
static const plugtls_vuln_range ossl_vuln_ranges[] = {
	/* 3.0 line */
	{V(3, 0, 0), V(3, 0, 1), "CVE-2022-0778",
	 "infinite loop in BN_mod_sqrt() reachable by parsing certificates"},
	{V(3, 0, 4), V(3, 0, 4), "CVE-2022-2274",
	 "RSA-2048 private key operations corrupt the heap on AVX512IFMA CPUs"},
	{V(3, 0, 0), V(3, 0, 6), "CVE-2022-3602",
	 "X.509 email address (punycode) 4-byte stack buffer overflow"},
	{V(3, 0, 0), V(3, 0, 6), "CVE-2022-3786",
	 "X.509 email address (punycode) variable-length stack buffer "
	 "overflow"},
	{V(3, 0, 0), V(3, 0, 7), "CVE-2023-0286",
	 "X.400 address type confusion in X.509 GeneralName"},
	{V(3, 0, 0), V(3, 0, 18), "CVE-2025-15467",
	 "stack buffer overflow parsing CMS (Auth)EnvelopedData AEAD "
	 "parameters"},
	{V(3, 0, 0), V(3, 0, 20), "CVE-2026-45447",
	 "use-after-free in PKCS7_verify() with empty digestAlgorithms"},
	/* 3.1 line: no High issue with a 3.1 fix. */
	/* 3.2 line */
	{V(3, 2, 0), V(3, 2, 3), "CVE-2024-12797",
	 "RFC 7250 raw public key clients do not abort on an "
	 "unauthenticated server"},
	/* 3.3 line */
	{V(3, 3, 0), V(3, 3, 2), "CVE-2024-12797",
	 "RFC 7250 raw public key clients do not abort on an "
	 "unauthenticated server"},
	{V(3, 3, 0), V(3, 3, 5), "CVE-2025-15467",
	 "stack buffer overflow parsing CMS (Auth)EnvelopedData AEAD "
	 "parameters"},
	/* 3.4 line */
	{V(3, 4, 0), V(3, 4, 0), "CVE-2024-12797",
	 "RFC 7250 raw public key clients do not abort on an "
	 "unauthenticated server"},
	{V(3, 4, 0), V(3, 4, 3), "CVE-2025-15467",
	 "stack buffer overflow parsing CMS (Auth)EnvelopedData AEAD "
	 "parameters"},
	{V(3, 4, 0), V(3, 4, 5), "CVE-2026-45447",
	 "use-after-free in PKCS7_verify() with empty digestAlgorithms"},
	{V(3, 4, 0), V(3, 4, 7), "CVE-2026-84782",
	 "DTLS retransmission reads past the handshake message buffer"},
	/* 3.5 line */
	{V(3, 5, 0), V(3, 5, 4), "CVE-2025-15467",
	 "stack buffer overflow parsing CMS (Auth)EnvelopedData AEAD "
	 "parameters"},
	{V(3, 5, 0), V(3, 5, 6), "CVE-2026-45447",
	 "use-after-free in PKCS7_verify() with empty digestAlgorithms"},
	{V(3, 5, 0), V(3, 5, 8), "CVE-2026-84782",
	 "DTLS retransmission reads past the handshake message buffer"},
	/* 3.6 line */
	{V(3, 6, 0), V(3, 6, 0), "CVE-2025-15467",
	 "stack buffer overflow parsing CMS (Auth)EnvelopedData AEAD "
	 "parameters"},
	{V(3, 6, 0), V(3, 6, 2), "CVE-2026-45447",
	 "use-after-free in PKCS7_verify() with empty digestAlgorithms"},
	{V(3, 6, 0), V(3, 6, 4), "CVE-2026-84782",
	 "DTLS retransmission reads past the handshake message buffer"},
	/* 4.0 line */
	{V(4, 0, 0), V(4, 0, 0), "CVE-2026-45447",
	 "use-after-free in PKCS7_verify() with empty digestAlgorithms"},
	{V(4, 0, 0), V(4, 0, 2), "CVE-2026-84782",
	 "DTLS retransmission reads past the handshake message buffer"},
};
#undef V

static const char *ossl_version_string(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

/* The loaded library's version, not the headers' (OpenSSL 3.0 has these
 * three functions; OpenSSL_version_num() packs the same fields as
 * 0xMNN00PP0). */
static uint32_t ossl_version_number(void)
{
	return PLUGTLS_VERSION_NUM(OPENSSL_version_major(),
				   OPENSSL_version_minor(),
				   OPENSSL_version_patch());
}

/* ---- capabilities -------------------------------------------------------- */

/* A cipher or key type the library may lack at run time (a FIPS-only
 * configuration has no ChaCha20, for one). */
static int have_cipher(const char *name)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
	int ok = c != NULL;

	EVP_CIPHER_free(c);
	ERR_clear_error();
	return ok;
}

static int have_keymgmt(const char *name)
{
	EVP_KEYMGMT *k = EVP_KEYMGMT_fetch(NULL, name, NULL);
	int ok = k != NULL;

	EVP_KEYMGMT_free(k);
	ERR_clear_error();
	return ok;
}

static uint64_t compute_caps(void)
{
	uint64_t caps = PLUGTLS_CAP_TLS12 | PLUGTLS_CAP_ALPN |
			PLUGTLS_CAP_SNI | PLUGTLS_CAP_TICKETS |
			PLUGTLS_CAP_SESSION_EXPORT | PLUGTLS_CAP_MTLS |
			PLUGTLS_CAP_NAME_CONSTRAINTS |
			PLUGTLS_CAP_ENCRYPTED_KEYS | PLUGTLS_CAP_PKCS12_IMPORT |
			PLUGTLS_CAP_RSA_PSS;

	if (HAVE_TLS13)
		caps |= PLUGTLS_CAP_TLS13;
	if (HAVE_PSK)
		caps |= PLUGTLS_CAP_PSK_TLS12;
	if (HAVE_PSK_TLS13)
		caps |= PLUGTLS_CAP_PSK_TLS13;
	if (HAVE_KEYLOG)
		caps |= PLUGTLS_CAP_KEYLOG;
	if (HAVE_CRL)
		caps |= PLUGTLS_CAP_CRL;
	if (HAVE_PKCS12_EXPORT)
		caps |= PLUGTLS_CAP_PKCS12_EXPORT;
	if (have_cipher("AES-128-GCM") && have_cipher("AES-256-GCM"))
		caps |= PLUGTLS_CAP_AES_GCM;
	if (HAVE_CHACHA20 && have_cipher("ChaCha20-Poly1305"))
		caps |= PLUGTLS_CAP_CHACHA20;
	if (have_keymgmt("RSA"))
		caps |= PLUGTLS_CAP_RSA;
	if (HAVE_EC && have_keymgmt("EC"))
		caps |= PLUGTLS_CAP_ECDSA;
	if (HAVE_EC && have_keymgmt("X25519"))
		caps |= PLUGTLS_CAP_X25519;
	if (HAVE_EC && have_keymgmt("ED25519"))
		caps |= PLUGTLS_CAP_ED25519;
	/* RC2-40 / 3DES bundles decrypt only with the legacy provider, which
	 * init loaded or failed to load. */
	if (ossl_prov_legacy && have_cipher("RC2-40-CBC"))
		caps |= PLUGTLS_CAP_PKCS12_LEGACY;
	return caps;
}

static uint64_t ossl_capabilities(void)
{
	return ossl_caps;
}

/* ---- allocator ------------------------------------------------------------
 *
 * When the application set plugtls's allocator, libcrypto's allocations go
 * through it too (process-wide, for good: see plugtls_set_allocator). The
 * wrappers keep OpenSSL's contract: realloc to 0 frees and returns NULL. */

static void *ossl_mem_malloc(size_t num, const char *file, int line)
{
	(void)file;
	(void)line;
	return plugtls_prov_malloc(num);
}

static void *ossl_mem_realloc(void *addr, size_t num, const char *file,
			      int line)
{
	(void)file;
	(void)line;
	if (addr && num == 0) {
		plugtls_prov_free(addr);
		return NULL;
	}
	return plugtls_prov_realloc(addr, num);
}

static void ossl_mem_free(void *addr, const char *file, int line)
{
	(void)file;
	(void)line;
	plugtls_prov_free(addr);
}

/* CRYPTO_set_mem_functions succeeds only before libcrypto's first
 * allocation: when something in the process used OpenSSL first, libcrypto
 * keeps malloc, which is logged (not an error). */
static void ossl_route_allocator(void)
{
	CRYPTO_malloc_fn m = NULL;
	CRYPTO_realloc_fn r = NULL;
	CRYPTO_free_fn f = NULL;

	if (!plugtls_prov_allocator_custom())
		return;
	CRYPTO_get_mem_functions(&m, &r, &f);
	if (m == ossl_mem_malloc)
		return;
	if (!CRYPTO_set_mem_functions(ossl_mem_malloc, ossl_mem_realloc,
				      ossl_mem_free))
		plugtls_prov_log(NULL, PLUGTLS_LOG_WARNING,
				 "openssl: libcrypto allocated memory before "
				 "plugtls was initialised; its allocations "
				 "do not use the allocator set with "
				 "plugtls_set_allocator");
}

/* ---- init / deinit -------------------------------------------------------- */

static plugtls_err ossl_init(plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	BIO_METHOD *meth = NULL;
	int type;

	ossl_route_allocator();
	ERR_clear_error();
	if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS |
				      OPENSSL_INIT_LOAD_CRYPTO_STRINGS,
			      NULL)) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL, "OPENSSL_init_ssl");
		goto out;
	}
	/* Made once per process: OpenSSL has no way to give an index back,
	 * and a fresh one at each init would grow its table. */
	if (ossl_conn_index < 0) {
		ossl_conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL,
						       NULL);
		if (ossl_conn_index < 0) {
			rc = ossl_err(err, PLUGTLS_E_INTERNAL,
				      "SSL_get_ex_new_index");
			goto out;
		}
	}
	type = BIO_get_new_index();
	if (type == -1) {
		rc = ossl_err(err, PLUGTLS_E_INTERNAL, "BIO_get_new_index");
		goto out;
	}
	meth = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK, "plugtls transport");
	if (!meth || !BIO_meth_set_write_ex(meth, ossl_bio_write) ||
	    !BIO_meth_set_read_ex(meth, ossl_bio_read) ||
	    !BIO_meth_set_ctrl(meth, ossl_bio_ctrl) ||
	    !BIO_meth_set_create(meth, ossl_bio_create) ||
	    !BIO_meth_set_destroy(meth, ossl_bio_destroy)) {
		rc = ossl_err(err, PLUGTLS_E_NOMEM, "BIO_meth_new");
		goto out;
	}
	/* Loading any provider explicitly turns off the automatic loading of
	 * "default" in the default library context, so load it too; then
	 * "legacy" for RC2/3DES PKCS#12 bundles. A missing legacy provider
	 * only clears PLUGTLS_CAP_PKCS12_LEGACY. */
	ossl_prov_default = OSSL_PROVIDER_load(NULL, "default");
	if (!ossl_prov_default) {
		rc = ossl_err(err, PLUGTLS_E_UNSUPPORTED,
			      "OSSL_PROVIDER_load(\"default\")");
		goto out;
	}
	ossl_prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	if (!ossl_prov_legacy) {
		ERR_clear_error();
		plugtls_prov_log(NULL, PLUGTLS_LOG_INFO,
				 "openssl: the legacy provider is not "
				 "available; RC2/3DES PKCS#12 bundles cannot "
				 "be read");
	}
	ossl_bio_method = meth;
	meth = NULL;
	ossl_caps = compute_caps();
	rc = PLUGTLS_OK;
out:
	BIO_meth_free(meth);
	if (rc != PLUGTLS_OK && ossl_prov_default) {
		OSSL_PROVIDER_unload(ossl_prov_default);
		ossl_prov_default = NULL;
	}
	return rc;
}

static void ossl_deinit(void)
{
	BIO_meth_free(ossl_bio_method);
	ossl_bio_method = NULL;
	if (ossl_prov_legacy)
		OSSL_PROVIDER_unload(ossl_prov_legacy);
	ossl_prov_legacy = NULL;
	if (ossl_prov_default)
		OSSL_PROVIDER_unload(ossl_prov_default);
	ossl_prov_default = NULL;
	ossl_caps = 0;
}

/* ---- the table ------------------------------------------------------------ */

const struct plugtls_provider plugtls_provider_openssl = {
	.abi_version = PLUGTLS_PROVIDER_ABI,
	.struct_size = sizeof(struct plugtls_provider),
	.name = "openssl",
	.meta = {
		.init = ossl_init,
		.deinit = ossl_deinit,
		.version_string = ossl_version_string,
		.version_number = ossl_version_number,
		.header_version = PLUGTLS_VERSION_NUM(OSSL_HEADER_MAJOR,
						      OSSL_HEADER_MINOR,
						      OSSL_HEADER_PATCH),
		.min_version = PLUGTLS_VERSION_NUM(3, 0, 0),
		.vuln_ranges = ossl_vuln_ranges,
		.n_vuln_ranges = sizeof(ossl_vuln_ranges) /
				 sizeof(ossl_vuln_ranges[0]),
		.capabilities = ossl_capabilities,
	},
	.ctx = {
		.new_ctx = ossl_ctx_new,
		.free = ossl_ctx_free,
	},
	.conn = {
		.new_conn = ossl_conn_new,
		.free = ossl_conn_free,
		.handshake = ossl_conn_handshake,
		.read = ossl_conn_read,
		.write = ossl_conn_write,
		.shutdown = ossl_conn_shutdown,
		.info = ossl_conn_info,
		.peer_chain = ossl_conn_peer_chain,
		.native_handle = ossl_conn_native_handle,
		.session_export = ossl_conn_session_export,
	},
	.cert = {
		.from_der = ossl_cert_from_der,
		.free = ossl_cert_free,
		.fields = ossl_cert_fields,
		.trust_new = ossl_trust_new,
		.trust_free = ossl_trust_free,
		.trust_add_cert = ossl_trust_add_cert,
		.trust_add_crl = ossl_trust_add_crl,
		.verify = ossl_verify,
	},
	.key = {
		.load = ossl_key_load,
		.free = ossl_key_free,
		.info = ossl_key_info,
	},
	.pkcs12 = {
		.import = ossl_pkcs12_import,
		.export_ = ossl_pkcs12_export,
	},
};
