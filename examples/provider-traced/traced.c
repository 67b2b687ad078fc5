/*
 * plugtls-traced.so: an example out-of-tree provider module.
 *
 * It uses nothing but the installed headers <plugtls/plugtls.h> and
 * <plugtls/provider.h> and links against libplugtls. It wraps another
 * provider (the first one that loads, or $PLUGTLS_TRACED_INNER): every slot
 * forwards to the inner provider's slot and counts the call, and the counts
 * are logged at info level when the module is released. A real provider
 * would talk to its own TLS library in the same slots; the comments say
 * what each slot owes the core.
 *
 * Build it like any shared object that links libplugtls:
 *	cc -shared -fPIC -fvisibility=hidden traced.c -o plugtls-traced.so \
 *		$(pkg-config --cflags --libs plugtls)
 * and load it with PLUGTLS_MODULE_PATH=<its directory> and
 * plugtls_provider_get("traced").
 */
#include <plugtls/provider.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TRACED_NAME
#define TRACED_NAME "traced"
#endif

/* The provider this module wraps, got in init and released in deinit. */
static const struct plugtls_provider *inner;
static char version[160];
static atomic_ulong n_ctx, n_conn, n_handshake, n_read, n_write, n_verify;

/* ---- meta ---------------------------------------------------------------- */

/* The module's own version, which the core's gate checks. */
#define TRACED_VERSION PLUGTLS_VERSION_NUM(1, 0, 0)

#ifdef TRACED_TEST_GATED
/* Test build only: a known-vulnerable range that covers this very version,
 * so the core's gate refuses the module unless it is accepted. */
static const plugtls_vuln_range traced_ranges[] = {
	{TRACED_VERSION, TRACED_VERSION, "CVE-0000-0001",
	 "example range that covers this test module"},
};
#define TRACED_RANGES traced_ranges
#define TRACED_N_RANGES 1
#else
#define TRACED_RANGES NULL
#define TRACED_N_RANGES 0
#endif

static struct plugtls_provider traced;
static plugtls_err tr_session_export(void *conn, unsigned char **out,
				     size_t *out_len, plugtls_error *err);
static plugtls_err tr_trust_add_crl(void *trust, const unsigned char *der,
				    size_t len, plugtls_error *err);
static plugtls_err tr_p12_import(const unsigned char *der, size_t len,
				 const char *password, void **key,
				 plugtls_prov_chain_sink sink, void *arg,
				 plugtls_error *err);
static plugtls_err tr_p12_export(void *key, void *const *chain, size_t n,
				 const char *password,
				 const char *friendly_name, unsigned char **out,
				 size_t *out_len, plugtls_error *err);

static plugtls_err tr_init(plugtls_error *err)
{
	const char *want = getenv("PLUGTLS_TRACED_INNER");
	size_t n = plugtls_provider_count();
	plugtls_err rc = PLUGTLS_E_NOT_FOUND;

	/* The core serialises init and deinit and allows getting another
	 * provider from here. */
	for (size_t i = 0; i < n && !inner; i++) {
		const char *name = plugtls_provider_name_at(i);
		if (!name || strcmp(name, traced.name) == 0 ||
		    (want && *want && strcmp(name, want) != 0))
			continue;
		rc = plugtls_provider_get(name, &inner);
	}
	if (!inner)
		return plugtls_prov_error(err, rc ? rc : PLUGTLS_E_NOT_FOUND, 0,
					  "%s: no inner provider could be "
					  "loaded (%s)",
					  traced.name,
					  plugtls_thread_error()->message);
	snprintf(version, sizeof(version), "%s 1.0.0 over %s %s", traced.name,
		 plugtls_provider_name(inner), plugtls_provider_version(inner));
	/* An optional slot is set exactly when the inner provider has it,
	 * so that the capability bits agree (the core checks). */
	traced.conn.session_export =
		inner->conn.session_export ? tr_session_export : NULL;
	traced.cert.trust_add_crl =
		inner->cert.trust_add_crl ? tr_trust_add_crl : NULL;
	traced.pkcs12.import = inner->pkcs12.import ? tr_p12_import : NULL;
	traced.pkcs12.export_ = inner->pkcs12.export_ ? tr_p12_export : NULL;
	return PLUGTLS_OK;
}

static void tr_deinit(void)
{
	plugtls_prov_log(NULL, PLUGTLS_LOG_INFO,
			 "%s: released; over %s: %lu contexts, %lu "
			 "connections, %lu handshake calls, %lu reads, %lu "
			 "writes, %lu chain verifications",
			 traced.name, plugtls_provider_name(inner),
			 atomic_load(&n_ctx), atomic_load(&n_conn),
			 atomic_load(&n_handshake), atomic_load(&n_read),
			 atomic_load(&n_write), atomic_load(&n_verify));
	plugtls_provider_release(inner);
	inner = NULL;
}

static const char *tr_version_string(void)
{
	return version;
}

static uint32_t tr_version_number(void)
{
	return TRACED_VERSION;
}

static uint64_t tr_capabilities(void)
{
	return plugtls_provider_caps(inner);
}

/* ---- contexts and connections --------------------------------------------- */

static plugtls_err tr_new_ctx(const plugtls_prov_ctx_params *params,
			      void *core, void **out, plugtls_error *err)
{
	atomic_fetch_add(&n_ctx, 1);
	return inner->ctx.new_ctx(params, core, out, err);
}

static void tr_free_ctx(void *ctx)
{
	inner->ctx.free(ctx);
}

static plugtls_err tr_new_conn(void *ctx, plugtls_conn *core,
			       const plugtls_prov_conn_params *params,
			       void **out, plugtls_error *err)
{
	atomic_fetch_add(&n_conn, 1);
	return inner->conn.new_conn(ctx, core, params, out, err);
}

static void tr_free_conn(void *conn)
{
	inner->conn.free(conn);
}

static plugtls_err tr_handshake(void *conn, plugtls_error *err)
{
	atomic_fetch_add(&n_handshake, 1);
	return inner->conn.handshake(conn, err);
}

static plugtls_err tr_read(void *conn, void *buf, size_t len, size_t *n,
			   plugtls_error *err)
{
	atomic_fetch_add(&n_read, 1);
	return inner->conn.read(conn, buf, len, n, err);
}

static plugtls_err tr_write(void *conn, const void *buf, size_t len,
			    size_t *n, plugtls_error *err)
{
	atomic_fetch_add(&n_write, 1);
	return inner->conn.write(conn, buf, len, n, err);
}

static plugtls_err tr_shutdown(void *conn, plugtls_error *err)
{
	return inner->conn.shutdown(conn, err);
}

static plugtls_err tr_info(void *conn, plugtls_prov_conn_info *out)
{
	return inner->conn.info(conn, out);
}

static plugtls_err tr_peer_chain(void *conn, plugtls_prov_chain_sink sink,
				 void *arg)
{
	return inner->conn.peer_chain(conn, sink, arg);
}

static void *tr_native_handle(void *conn)
{
	return inner->conn.native_handle(conn);
}

static plugtls_err tr_session_export(void *conn, unsigned char **out,
				     size_t *out_len, plugtls_error *err)
{
	return inner->conn.session_export(conn, out, out_len, err);
}

/* ---- certificates, keys, PKCS#12 --------------------------------------- */

static plugtls_err tr_cert_from_der(const unsigned char *der, size_t len,
				    void **out, plugtls_error *err)
{
	return inner->cert.from_der(der, len, out, err);
}

static void tr_cert_free(void *cert)
{
	inner->cert.free(cert);
}

static plugtls_err tr_cert_fields(void *cert, plugtls_prov_fields *f,
				  plugtls_error *err)
{
	return inner->cert.fields(cert, f, err);
}

static plugtls_err tr_trust_new(void **out, plugtls_error *err)
{
	return inner->cert.trust_new(out, err);
}

static void tr_trust_free(void *trust)
{
	inner->cert.trust_free(trust);
}

static plugtls_err tr_trust_add_cert(void *trust, void *cert,
				     plugtls_error *err)
{
	return inner->cert.trust_add_cert(trust, cert, err);
}

static plugtls_err tr_trust_add_crl(void *trust, const unsigned char *der,
				    size_t len, plugtls_error *err)
{
	return inner->cert.trust_add_crl(trust, der, len, err);
}

static plugtls_err tr_verify(void *trust, void *const *natives, size_t n,
			     const plugtls_prov_verify_params *vp,
			     uint32_t *reasons, plugtls_prov_chain_sink sink,
			     void *arg, plugtls_error *err)
{
	atomic_fetch_add(&n_verify, 1);
	return inner->cert.verify(trust, natives, n, vp, reasons, sink, arg,
				  err);
}

static plugtls_err tr_key_load(const unsigned char *data, size_t len,
			       int is_pem, const char *password, void **out,
			       plugtls_error *err)
{
	return inner->key.load(data, len, is_pem, password, out, err);
}

static void tr_key_free(void *key)
{
	inner->key.free(key);
}

static plugtls_err tr_key_info(void *key, plugtls_prov_key_type *type,
			       unsigned *bits)
{
	return inner->key.info(key, type, bits);
}

static plugtls_err tr_p12_import(const unsigned char *der, size_t len,
				 const char *password, void **key,
				 plugtls_prov_chain_sink sink, void *arg,
				 plugtls_error *err)
{
	return inner->pkcs12.import(der, len, password, key, sink, arg, err);
}

static plugtls_err tr_p12_export(void *key, void *const *chain, size_t n,
				 const char *password,
				 const char *friendly_name, unsigned char **out,
				 size_t *out_len, plugtls_error *err)
{
	return inner->pkcs12.export_(key, chain, n, password, friendly_name,
				     out, out_len, err);
}

/* ---- the table ---------------------------------------------------------- */

/* Not const: init clears the optional slots the inner provider lacks. */
static struct plugtls_provider traced = {
	.abi_version = PLUGTLS_PROVIDER_ABI,
	.struct_size = sizeof(struct plugtls_provider),
	.name = TRACED_NAME,
	.meta =
		{
			.init = tr_init,
			.deinit = tr_deinit,
			.version_string = tr_version_string,
			.version_number = tr_version_number,
			.header_version = TRACED_VERSION,
			.min_version = TRACED_VERSION,
			.vuln_ranges = TRACED_RANGES,
			.n_vuln_ranges = TRACED_N_RANGES,
			.capabilities = tr_capabilities,
		},
	.ctx = {.new_ctx = tr_new_ctx, .free = tr_free_ctx},
	.conn =
		{
			.new_conn = tr_new_conn,
			.free = tr_free_conn,
			.handshake = tr_handshake,
			.read = tr_read,
			.write = tr_write,
			.shutdown = tr_shutdown,
			.info = tr_info,
			.peer_chain = tr_peer_chain,
			.native_handle = tr_native_handle,
			.session_export = tr_session_export,
		},
	.cert =
		{
			.from_der = tr_cert_from_der,
			.free = tr_cert_free,
			.fields = tr_cert_fields,
			.trust_new = tr_trust_new,
			.trust_free = tr_trust_free,
			.trust_add_cert = tr_trust_add_cert,
			.trust_add_crl = tr_trust_add_crl,
			.verify = tr_verify,
		},
	.key = {.load = tr_key_load, .free = tr_key_free, .info = tr_key_info},
	.pkcs12 = {.import = tr_p12_import, .export_ = tr_p12_export},
};

PLUGTLS_PROVIDER_MODULE(traced)
