/*
 * wolfSSL provider: the provider table, global init and deinit, the data of
 * the version gate, and the capability flags.
 *
 * wolfSSL_Init/wolfSSL_Cleanup are reference-counted by wolfSSL itself and
 * by the core (meta.init/deinit are serialised and counted there): this
 * provider calls each once per core reference. Another user of wolfSSL in
 * the same process keeps its own count.
 *
 * Logging decision: wolfSSL's log callback (wolfSSL_SetLoggingCb) is NOT
 * routed to plugtls_prov_log. It is process-wide (it would take the hook
 * from any other wolfSSL user in the process), it only fires in builds with
 * DEBUG_WOLFSSL (Debian's has none: wolfSSL_Debugging_ON answers
 * NOT_COMPILED_IN), and debug builds print raw buffers (WOLFSSL_BUFFER
 * dumps of records and handshake data, which include key material in some
 * versions): it cannot be shown never to leak secrets. Errors reach the
 * application through the error records instead (wssl_err.c).
 */
#include <wolfssl/options.h>

#include "wssl_int.h"

#include <wolfssl/wolfcrypt/ecc.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- version gate data ---------------------------------------------------
 *
 * Known-vulnerable ranges of High or Critical severity fixed in a release
 * after 5.0.0 (the minimum), from wolfSSL's ChangeLog.md / README.md
 * "Vulnerabilities" sections (releases 5.0.0 to 5.9.1, as published by
 * wolfSSL) and the CVE records. Inclusive; the fixed release is the one
 * after `last`. Where the first affected release is not stated, the range
 * starts at 5.0.0 (fail closed); where the feature appeared later, at that
 * release. Two Medium-by-wolfSSL issues are listed because NVD rates them
 * High/Critical (CVE-2022-39173, CVE-2022-42905).
 *
 * Left out, and why:
 *  - CVE-2026-5264 (High, 5.9.1): DTLS 1.3 ACK processing. plugtls never
 *    creates a DTLS method (as the OpenSSL provider omits its DTLS-only
 *    CVE); a version range cannot say "built with --enable-dtls13".
 *  - CVE-2025-11936 and other Medium/Low issues (the gate is for High).
 *  - Advisories of releases after 5.9.1 (e.g. the CVE-2026-6xxx/7xxx/55xxx
 *    fixes that Debian backported into 5.5.4-2+deb12u3): their upstream
 *    severity and fixed release could not be confirmed when this table was
 *    written. See DEBIAN-BACKPORTS.md.
 *
 * Debian 12 (5.5.4-2+deb12u3) is inside several ranges; its changelog shows
 * only CVE-2023-3724 and CVE-2026-5194 (of those listed) as backported, so
 * the provider is refused there unless the application accepts the others
 * knowingly (PLUGTLS_ACCEPT_VULNERABLE). DEBIAN-BACKPORTS.md has the
 * evidence and the acceptance string.
 */
#define V PLUGTLS_VERSION_NUM
static const plugtls_vuln_range wssl_vuln_ranges[] = {
	{V(5, 0, 0), V(5, 1, 0), "CVE-2022-23408",
	 "TLS 1.2 AES-CBC/3DES records sent with a non-random IV"},
	{V(5, 0, 0), V(5, 1, 1), "CVE-2022-25638",
	 "TLS 1.3 certificate check bypassed by a CertificateVerify "
	 "signature algorithm mismatch"},
	{V(5, 0, 0), V(5, 1, 1), "CVE-2022-25640",
	 "TLS 1.3 server: required client certificate bypassed by omitting "
	 "CertificateVerify"},
	{V(5, 0, 0), V(5, 3, 0), "CVE-2022-34293",
	 "DTLS return-routability check skipped (amplification DoS)"},
	{V(5, 0, 0), V(5, 5, 0), "CVE-2022-39173",
	 "TLS 1.3 server buffer overflow with session tickets (NVD High)"},
	{V(5, 0, 0), V(5, 5, 1), "CVE-2022-42905",
	 "TLS 1.3 heap over-read with WOLFSSL_CALLBACKS (NVD Critical)"},
	{V(5, 0, 0), V(5, 6, 1), "CVE-2023-3724",
	 "TLS 1.3 client uses a predictable secret when the server sends "
	 "neither PSK nor key share"},
	{V(5, 0, 0), V(5, 6, 6), "CVE-2024-0901",
	 "TLS 1.3 server out-of-bounds read / crash on a malformed record"},
	{V(5, 7, 7), V(5, 8, 1), "CVE-2025-7395",
	 "Apple native trust validation overrides other verification "
	 "errors"},
	{V(5, 0, 0), V(5, 8, 4), "CVE-2026-3547",
	 "out-of-bounds read parsing ALPN"},
	{V(5, 0, 0), V(5, 8, 4), "CVE-2026-3548",
	 "buffer overflows parsing CRL numbers"},
	{V(5, 6, 0), V(5, 8, 4), "CVE-2026-3549",
	 "heap overflow parsing TLS 1.3 ECH"},
	{V(5, 0, 0), V(5, 9, 0), "CVE-2026-5194",
	 "signature digest size and OID not checked: forged certificate "
	 "signatures accepted (Critical)"},
	{V(5, 0, 0), V(5, 9, 0), "CVE-2026-5263",
	 "URI nameConstraints not enforced in chain verification"},
	{V(5, 0, 0), V(5, 9, 0), "CVE-2026-5295",
	 "stack overflow in PKCS#7 ORI OID processing"},
	{V(5, 0, 0), V(5, 9, 0), "CVE-2026-5466",
	 "ECCSI verification accepts forged signatures"},
	{V(5, 6, 4), V(5, 9, 0), "CVE-2026-5477",
	 "AES-EAX / CMAC authentication bypass over 4 GiB"},
	{V(5, 0, 0), V(5, 9, 0), "CVE-2026-5447",
	 "heap overflow in CertFromX509 (AuthorityKeyIdentifier size)"},
	{V(5, 0, 0), V(5, 9, 0), "CVE-2026-5500",
	 "PKCS#7 AuthEnvelopedData accepts truncated GCM tags"},
	{V(5, 0, 0), V(5, 9, 0), "CVE-2026-5501",
	 "wolfSSL_X509_verify_cert accepts an unsigned leaf under a CA:FALSE "
	 "intermediate"},
	{V(5, 6, 0), V(5, 9, 0), "CVE-2026-5503",
	 "heap overflow writing SNI with TLS 1.3 ECH"},
	{V(5, 0, 0), V(5, 9, 0), "CVE-2026-5479",
	 "EVP ChaCha20-Poly1305 decryption does not check the tag"},
};
#undef V

/* ---- per-thread cleanup
 * ------------------------------------------------------ */

#if WSSL_HAVE_FP_ECC_TLS
/* A thread-specific key whose destructor frees the exiting thread's ECC
 * cache (wssl_features.h). Made once per process and never deleted: a
 * thread may exit after the provider's deinit. */
static pthread_key_t wssl_thread_key;
static pthread_once_t wssl_thread_once = PTHREAD_ONCE_INIT;
static int wssl_thread_key_ok;

static void thread_exit(void *v)
{
	(void)v;
	wc_ecc_fp_free();
}

static void thread_key_init(void)
{
	wssl_thread_key_ok =
		pthread_key_create(&wssl_thread_key, thread_exit) == 0;
}

void wssl_thread_note(void)
{
	pthread_once(&wssl_thread_once, thread_key_init);
	if (wssl_thread_key_ok && pthread_getspecific(wssl_thread_key) == NULL)
		(void)pthread_setspecific(wssl_thread_key, &wssl_thread_key);
}
#else
void wssl_thread_note(void)
{
}
#endif

/* ---- meta ------------------------------------------------------------------
 */

/* ---- allocator ------------------------------------------------------------
 *
 * When the application set plugtls's allocator, wolfSSL's allocations go
 * through it too (process-wide, for good: see plugtls_set_allocator), set
 * before wolfSSL_Init so that its own state is allocated through it. Only
 * when no other allocator is set (another wolfSSL user in the process may
 * have set its own); builds with static memory or memory debugging have
 * other callback signatures and keep their allocator. */
#if defined(USE_WOLFSSL_MEMORY) && !defined(WOLFSSL_STATIC_MEMORY) &&         \
	!defined(WOLFSSL_DEBUG_MEMORY)
/* Each block carries its size in a header so that it is wiped when freed:
 * wolfSSL 5.5.4 leaves key material in blocks it frees (e.g.
 * wc_KeyPemToDer leaves half of a decrypted EC key), and once its
 * allocations go through plugtls's allocator they are plugtls's to wipe.
 * The header keeps max_align_t alignment. */
typedef union wssl_mem_hdr {
	size_t size;
	max_align_t align;
} wssl_mem_hdr;

static void *wssl_mem_malloc(size_t size)
{
	wssl_mem_hdr *h;

	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = plugtls_prov_malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	return h + 1;
}

static void wssl_mem_free(void *ptr)
{
	wssl_mem_hdr *h;

	if (!ptr)
		return;
	h = (wssl_mem_hdr *)ptr - 1;
	plugtls_prov_wipe(ptr, h->size);
	plugtls_prov_free(h);
}

/* A new block, the old one copied, wiped and freed: never a realloc that
 * could leave the old bytes behind. */
static void *wssl_mem_realloc(void *ptr, size_t size)
{
	void *n;

	if (!ptr)
		return wssl_mem_malloc(size);
	if (size == 0) {
		wssl_mem_free(ptr);
		return NULL;
	}
	n = wssl_mem_malloc(size);
	if (!n)
		return NULL;
	size_t old = ((wssl_mem_hdr *)ptr - 1)->size;
	memcpy(n, ptr, old < size ? old : size);
	wssl_mem_free(ptr);
	return n;
}

static void wssl_route_allocator(void)
{
	wolfSSL_Malloc_cb m = NULL;
	wolfSSL_Free_cb f = NULL;
	wolfSSL_Realloc_cb r = NULL;

	if (!plugtls_prov_allocator_custom())
		return;
	if (wolfSSL_GetAllocators(&m, &f, &r) == 0 && m == wssl_mem_malloc)
		return;
	if (m || f || r ||
	    wolfSSL_SetAllocators(wssl_mem_malloc, wssl_mem_free,
				  wssl_mem_realloc) != 0)
		plugtls_prov_log(NULL, PLUGTLS_LOG_WARNING,
				 "wolfssl: another allocator is set; wolfSSL's "
				 "allocations do not use the allocator set "
				 "with plugtls_set_allocator");
}
#else
static void wssl_route_allocator(void)
{
	if (plugtls_prov_allocator_custom())
		plugtls_prov_log(NULL, PLUGTLS_LOG_WARNING,
				 "wolfssl: this build of wolfSSL cannot take "
				 "the allocator set with "
				 "plugtls_set_allocator");
}
#endif

static plugtls_err wssl_init(plugtls_error *err)
{
	int ret;

	wssl_route_allocator();
	ret = wolfSSL_Init();

	if (ret != WOLFSSL_SUCCESS)
		return wssl_error(err, PLUGTLS_E_INTERNAL, ret,
				  "wolfSSL_Init failed");
	return PLUGTLS_OK;
}

static void wssl_deinit(void)
{
	(void)wolfSSL_Cleanup();
}

static char wssl_version_buf[48];
static pthread_once_t wssl_version_once = PTHREAD_ONCE_INIT;

static void version_init(void)
{
	const char *v = wolfSSL_lib_version();

	snprintf(wssl_version_buf, sizeof(wssl_version_buf), "wolfSSL %s",
		 v ? v : "?");
}

static const char *wssl_version_string(void)
{
	pthread_once(&wssl_version_once, version_init);
	return wssl_version_buf;
}

static uint32_t wssl_version_number(void)
{
	return WSSL_HEX_TO_NUM(wolfSSL_lib_version_hex());
}

/* Build options of the installed library (WSSL_CAPS, wssl_features.h). */
static uint64_t wssl_capabilities(void)
{
	return WSSL_CAPS;
}

/* ---- the table -------------------------------------------------------------
 */

const struct plugtls_provider plugtls_provider_wolfssl = {
	.abi_version = PLUGTLS_PROVIDER_ABI,
	.struct_size = sizeof(struct plugtls_provider),
	.name = "wolfssl",
	.meta =
		{
			.init = wssl_init,
			.deinit = wssl_deinit,
			.version_string = wssl_version_string,
			.version_number = wssl_version_number,
			.header_version =
				WSSL_HEX_TO_NUM(LIBWOLFSSL_VERSION_HEX),
			.min_version = PLUGTLS_VERSION_NUM(5, 0, 0),
			.vuln_ranges = wssl_vuln_ranges,
			.n_vuln_ranges = sizeof(wssl_vuln_ranges) /
					 sizeof(wssl_vuln_ranges[0]),
			.capabilities = wssl_capabilities,
		},
	.ctx =
		{
			.new_ctx = wssl_ctx_new,
			.free = wssl_ctx_free,
		},
	.conn =
		{
			.new_conn = wssl_conn_new,
			.free = wssl_conn_free,
			.handshake = wssl_conn_handshake,
			.read = wssl_conn_read,
			.write = wssl_conn_write,
			.shutdown = wssl_conn_shutdown,
			.info = wssl_conn_info,
			.peer_chain = wssl_conn_peer_chain,
			.native_handle = wssl_conn_native,
			.session_export = WSSL_SLOT_SESSION_EXPORT,
		},
	.cert =
		{
			.from_der = wssl_cert_from_der,
			.free = wssl_cert_free,
			.fields = wssl_cert_fields,
			.trust_new = wssl_trust_new,
			.trust_free = wssl_trust_free,
			.trust_add_cert = wssl_trust_add_cert,
			.trust_add_crl = WSSL_SLOT_TRUST_ADD_CRL,
			.verify = wssl_verify,
		},
	.key =
		{
			.load = wssl_key_load,
			.free = wssl_key_free,
			.info = wssl_key_info,
		},
	.pkcs12 =
		{
			.import = WSSL_SLOT_P12_IMPORT,
			.export_ = WSSL_SLOT_P12_EXPORT,
		},
};
