/*
 * GnuTLS provider: what a connection negotiated (version, suite, ALPN, SNI,
 * PSK identity, resumption), the peer's certificates, the native handle,
 * and the session for resumption.
 */
#include "gtls_int.h"

#include <string.h>

/* The IANA two-byte value of the session's suite, found in GnuTLS's own
 * table (gnutls_cipher_suite_info()) by what the session negotiated: the
 * AEAD for TLS 1.3 (whose suites name no key exchange), key exchange, AEAD
 * and MAC for TLS 1.2. */
static uint16_t suite_id(gnutls_session_t s, gnutls_protocol_t ver)
{
	gnutls_kx_algorithm_t kx = gnutls_kx_get(s), ekx;
	gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s), ec;
	gnutls_mac_algorithm_t mac = gnutls_mac_get(s), em;
	gnutls_protocol_t minv;
	unsigned char id[2];

	for (size_t i = 0; i < 1024; i++) {
		if (!gnutls_cipher_suite_info(i, id, &ekx, &ec, &em, &minv))
			break;
		if (ec != cipher)
			continue;
		if (ver == GNUTLS_TLS1_3) {
			if (minv == GNUTLS_TLS1_3)
				return (uint16_t)(id[0] << 8 | id[1]);
		} else if (minv != GNUTLS_TLS1_3 && ekx == kx && em == mac) {
			return (uint16_t)(id[0] << 8 | id[1]);
		}
	}
	return 0;
}

plugtls_err gtls_info(void *conn, plugtls_prov_conn_info *out)
{
	struct gtls_conn *c = conn;
	gnutls_protocol_t ver;
	gnutls_datum_t alpn = {NULL, 0};

	if (!c->handshake_done)
		return PLUGTLS_E_STATE;
	memset(out, 0, sizeof(*out));
	ver = gnutls_protocol_get_version(c->s);
	out->version = ver == GNUTLS_TLS1_3   ? PLUGTLS_TLS1_3
		       : ver == GNUTLS_TLS1_2 ? PLUGTLS_TLS1_2
					      : 0;
	out->cipher_id = suite_id(c->s, ver);
	out->resumed = gnutls_session_is_resumed(c->s) != 0;
	if (gnutls_alpn_get_selected_protocol(c->s, &alpn) == 0 && alpn.size) {
		out->alpn = alpn.data;
		out->alpn_len = alpn.size;
	}
	if (c->ctx->role == PLUGTLS_SERVER) {
		size_t size = sizeof(c->servername) - 1;
		unsigned type = 0;
		if (gnutls_server_name_get(c->s, c->servername, &size, &type,
					   0) == 0 &&
		    type == GNUTLS_NAME_DNS && size > 0 &&
		    size < sizeof(c->servername)) {
			c->servername[size] = '\0';
			out->servername = c->servername;
		}
	}
	if (gnutls_auth_get_type(c->s) == GNUTLS_CRD_PSK) {
		if (c->ctx->role == PLUGTLS_SERVER) {
			gnutls_datum_t id = {NULL, 0};
			if (gnutls_psk_server_get_username2(c->s, &id) == 0 &&
			    id.size) {
				out->psk_identity = id.data;
				out->psk_identity_len = id.size;
			}
		} else if (c->psk_identity) {
			out->psk_identity = c->psk_identity;
			out->psk_identity_len = c->psk_identity_len;
		}
	}
	return PLUGTLS_OK;
}

plugtls_err gtls_peer_chain(void *conn, plugtls_prov_chain_sink sink, void *arg)
{
	struct gtls_conn *c = conn;
	const gnutls_datum_t *peers;
	unsigned n = 0;

	peers = gnutls_certificate_get_peers(c->s, &n);
	for (unsigned i = 0; peers && i < n; i++) {
		gnutls_x509_crt_t crt = NULL;
		plugtls_err rc;

		if (gnutls_x509_crt_init(&crt) < 0)
			return PLUGTLS_E_NOMEM;
		if (gnutls_x509_crt_import(crt, &peers[i],
					   GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crt);
			return PLUGTLS_E_MALFORMED;
		}
		rc = sink(arg, crt);
		gnutls_x509_crt_deinit(crt);
		if (rc)
			return rc;
	}
	return PLUGTLS_OK;
}

void *gtls_native_handle(void *conn)
{
	struct gtls_conn *c = conn;
	return c ? c->s : NULL;
}

plugtls_err gtls_session_export(void *conn, unsigned char **out,
				size_t *out_len, plugtls_error *err)
{
	struct gtls_conn *c = conn;
	gnutls_datum_t d = {NULL, 0}, id = {NULL, 0};
	unsigned flags;
	unsigned char *copy;
	int ret;

	if (c->ctx->role != PLUGTLS_CLIENT || !c->handshake_done || c->failed)
		return PLUGTLS_E_NOT_FOUND;
	flags = gnutls_session_get_flags(c->s);
	/* TLS 1.3: resumable only once a NewSessionTicket arrived (after the
	 * handshake, on a read); gnutls_session_get_data2() would otherwise
	 * wait for one and then hand out data that cannot resume. TLS 1.2:
	 * a ticket, or a session ID a server cache may know. */
	if (!(flags & GNUTLS_SFLAGS_SESSION_TICKET)) {
		if (gnutls_protocol_get_version(c->s) == GNUTLS_TLS1_3)
			return PLUGTLS_E_NOT_FOUND;
		if (gnutls_session_get_id2(c->s, &id) < 0 || id.size == 0)
			return PLUGTLS_E_NOT_FOUND;
	}
	ret = gnutls_session_get_data2(c->s, &d);
	if (ret < 0)
		return gtls_error(err, PLUGTLS_E_INTERNAL, ret,
				  "session_export");
	copy = plugtls_prov_malloc(d.size ? d.size : 1);
	if (!copy) {
		plugtls_prov_wipe(d.data, d.size);
		gnutls_free(d.data);
		return plugtls_prov_error(err, PLUGTLS_E_NOMEM, 0,
					  "gnutls: out of memory");
	}
	memcpy(copy, d.data, d.size);
	*out = copy;
	*out_len = d.size;
	/* The session data hold the master secret. */
	plugtls_prov_wipe(d.data, d.size);
	gnutls_free(d.data);
	return PLUGTLS_OK;
}
