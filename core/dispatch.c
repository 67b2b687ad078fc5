/* The only core file that calls through provider tables. Optional slots
 * that are NULL become PLUGTLS_E_UNSUPPORTED naming the capability; every
 * failure without a message from the backend gets one naming the op. */
#include "internal.h"

static plugtls_err unsupported(const plugtls_provider *p, uint64_t cap,
			       plugtls_error *err)
{
	return pt_err_set(err, PLUGTLS_E_UNSUPPORTED, 0,
			  "provider %s lacks capability %s", p->name,
			  plugtls_cap_name(cap));
}

/* A backend failure that left no message still gets one. */
static plugtls_err done(plugtls_err rc, const plugtls_provider *p,
			const char *op, plugtls_error *err)
{
	if (rc != PLUGTLS_OK && rc != PLUGTLS_WANT_READ &&
	    rc != PLUGTLS_WANT_WRITE && rc != PLUGTLS_E_CLOSED && err &&
	    err->code == PLUGTLS_OK)
		pt_err_set(err, rc, 0, "%s: %s: %s", p->name, op,
			   plugtls_err_string(rc));
	return rc;
}

plugtls_err pt_p_cert_from_der(const plugtls_provider *p,
			       const unsigned char *der, size_t len,
			       void **out, plugtls_error *err)
{
	return done(p->cert.from_der(der, len, out, err), p, "parse", err);
}

void pt_p_cert_free(const plugtls_provider *p, void *cert)
{
	if (cert)
		p->cert.free(cert);
}

plugtls_err pt_p_cert_fields(const plugtls_provider *p, void *cert,
			     plugtls_prov_fields *f, plugtls_error *err)
{
	return done(p->cert.fields(cert, f, err), p, "fields", err);
}

plugtls_err pt_p_trust_new(const plugtls_provider *p, void **out,
			   plugtls_error *err)
{
	return done(p->cert.trust_new(out, err), p, "trust store", err);
}

void pt_p_trust_free(const plugtls_provider *p, void *trust)
{
	if (trust)
		p->cert.trust_free(trust);
}

plugtls_err pt_p_trust_add_cert(const plugtls_provider *p, void *trust,
				void *cert, plugtls_error *err)
{
	return done(p->cert.trust_add_cert(trust, cert, err), p, "add CA",
		    err);
}

plugtls_err pt_p_trust_add_crl(const plugtls_provider *p, void *trust,
			       const unsigned char *der, size_t len,
			       plugtls_error *err)
{
	if (!p->cert.trust_add_crl)
		return unsupported(p, PLUGTLS_CAP_CRL, err);
	return done(p->cert.trust_add_crl(trust, der, len, err), p, "add CRL",
		    err);
}

plugtls_err pt_p_verify(const plugtls_provider *p, void *trust,
			void *const *natives, size_t n,
			const plugtls_prov_verify_params *vp, uint32_t *reasons,
			plugtls_prov_chain_sink sink, void *arg,
			plugtls_error *err)
{
	return done(p->cert.verify(trust, natives, n, vp, reasons, sink, arg,
				   err),
		    p, "verify", err);
}

plugtls_err pt_p_key_load(const plugtls_provider *p, const unsigned char *data,
			  size_t len, int is_pem, const char *password,
			  void **out, plugtls_error *err)
{
	return done(p->key.load(data, len, is_pem, password, out, err), p,
		    "load key", err);
}

void pt_p_key_free(const plugtls_provider *p, void *key)
{
	if (key)
		p->key.free(key);
}

plugtls_err pt_p_key_info(const plugtls_provider *p, void *key,
			  plugtls_prov_key_type *type, unsigned *bits)
{
	return p->key.info(key, type, bits);
}

plugtls_err pt_p_pkcs12_import(const plugtls_provider *p,
			       const unsigned char *der, size_t len,
			       const char *password, void **key,
			       plugtls_prov_chain_sink sink, void *arg,
			       plugtls_error *err)
{
	if (!p->pkcs12.import)
		return unsupported(p, PLUGTLS_CAP_PKCS12_IMPORT, err);
	return done(p->pkcs12.import(der, len, password, key, sink, arg, err),
		    p, "PKCS#12 import", err);
}

plugtls_err pt_p_pkcs12_export(const plugtls_provider *p, void *key,
			       void *const *chain, size_t n,
			       const char *password, const char *friendly_name,
			       unsigned char **out, size_t *out_len,
			       plugtls_error *err)
{
	if (!p->pkcs12.export_)
		return unsupported(p, PLUGTLS_CAP_PKCS12_EXPORT, err);
	return done(p->pkcs12.export_(key, chain, n, password, friendly_name,
				      out, out_len, err),
		    p, "PKCS#12 export", err);
}

plugtls_err pt_p_ctx_new(const plugtls_provider *p,
			 const plugtls_prov_ctx_params *params, void *core,
			 void **out, plugtls_error *err)
{
	return done(p->ctx.new_ctx(params, core, out, err), p, "context",
		    err);
}

void pt_p_ctx_free(const plugtls_provider *p, void *ctx)
{
	if (ctx)
		p->ctx.free(ctx);
}

plugtls_err pt_p_conn_new(const plugtls_provider *p, void *ctx,
			  plugtls_conn *core,
			  const plugtls_prov_conn_params *params, void **out,
			  plugtls_error *err)
{
	return done(p->conn.new_conn(ctx, core, params, out, err), p,
		    "connection", err);
}

void pt_p_conn_free(const plugtls_provider *p, void *conn)
{
	if (conn)
		p->conn.free(conn);
}

plugtls_err pt_p_handshake(const plugtls_provider *p, void *conn,
			   plugtls_error *err)
{
	return done(p->conn.handshake(conn, err), p, "handshake", err);
}

plugtls_err pt_p_read(const plugtls_provider *p, void *conn, void *buf,
		      size_t len, size_t *n, plugtls_error *err)
{
	return done(p->conn.read(conn, buf, len, n, err), p, "read", err);
}

plugtls_err pt_p_write(const plugtls_provider *p, void *conn, const void *buf,
		       size_t len, size_t *n, plugtls_error *err)
{
	return done(p->conn.write(conn, buf, len, n, err), p, "write", err);
}

plugtls_err pt_p_shutdown(const plugtls_provider *p, void *conn,
			  plugtls_error *err)
{
	return done(p->conn.shutdown(conn, err), p, "shutdown", err);
}

plugtls_err pt_p_conn_info(const plugtls_provider *p, void *conn,
			   plugtls_prov_conn_info *out)
{
	return p->conn.info(conn, out);
}

plugtls_err pt_p_peer_chain(const plugtls_provider *p, void *conn,
			    plugtls_prov_chain_sink sink, void *arg)
{
	return p->conn.peer_chain(conn, sink, arg);
}

void *pt_p_native_handle(const plugtls_provider *p, void *conn)
{
	return p->conn.native_handle(conn);
}

plugtls_err pt_p_session_export(const plugtls_provider *p, void *conn,
				unsigned char **out, size_t *out_len,
				plugtls_error *err)
{
	if (!p->conn.session_export)
		return unsupported(p, PLUGTLS_CAP_SESSION_EXPORT, err);
	return p->conn.session_export(conn, out, out_len, err);
}
