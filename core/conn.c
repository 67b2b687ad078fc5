/* Connections: the state machine over a provider connection, and the
 * services backends call during a handshake (transport, peer verification,
 * PSK lookup, key log). */
#include "objects.h"

#include <stdio.h>
#include <string.h>

static bool pending(plugtls_err rc)
{
	return rc == PLUGTLS_WANT_READ || rc == PLUGTLS_WANT_WRITE;
}

plugtls_err plugtls_conn_new(plugtls_ctx *ctx, plugtls_conn **out)
{
	if (!ctx || !out)
		return pt_err_set(ctx ? &ctx->err : NULL,
				  PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_new: ctx and out are required");
	plugtls_conn *c = pt_calloc(1, sizeof(*c));
	if (!c) {
		pthread_mutex_lock(&ctx->err_lock);
		pt_err_set(&ctx->err, PLUGTLS_E_NOMEM, 0,
			   "conn_new: out of memory");
		pthread_mutex_unlock(&ctx->err_lock);
		return PLUGTLS_E_NOMEM;
	}
	c->hdr.magic = PT_MAGIC_CONN;
	c->hdr.logger = &ctx->pol.logger;
	c->ctx = ctx;
	c->prov = ctx->prov;
	c->fd = -1;
	pt_ctx_ref(ctx);
	*out = c;
	return PLUGTLS_OK;
}

static void wipe_session(plugtls_conn *c)
{
	pt_free_secret(c->session, c->session_len);
	c->session = NULL;
	c->session_len = 0;
}

void plugtls_conn_free(plugtls_conn *c)
{
	if (!c)
		return;
	if (c->native && c->state == PT_CONN_ESTABLISHED && !c->shutdown_sent) {
		plugtls_error e;
		pt_err_clear(&e);
		/* Best effort, without waiting: a session freed before
		 * close_notify is not resumable on OpenSSL 3.0. */
		(void)pt_p_shutdown(c->prov, c->native, &e);
	}
	pt_p_conn_free(c->prov, c->native);
	if (c->tkind == PT_TR_MEMPAIR)
		pt_mempair_unref(c->mp);
	plugtls_chain_free(c->peer_chain);
	wipe_session(c);
	pt_free(c->host);
	pt_free(c->sni);
	pt_free(c->alpn);
	pt_free(c->servername);
	if (c->psk_identity)
		pt_free_secret(c->psk_identity, strlen(c->psk_identity));
	plugtls_ctx *ctx = c->ctx;
	pt_free(c);
	pt_ctx_unref(ctx);
}

const plugtls_error *plugtls_conn_error(const plugtls_conn *c)
{
	return c ? &c->err : NULL;
}

#define CHECK_CONN(c, fn)                                                      \
	do {                                                                   \
		if (!(c))                                                      \
			return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0, \
					  fn ": connection is NULL");          \
	} while (0)

static plugtls_err before_handshake(plugtls_conn *c, const char *fn)
{
	if (c->state != PT_CONN_NEW || c->native)
		return pt_err_set(&c->err, PLUGTLS_E_STATE, 0,
				  "%s: only before the handshake", fn);
	return PLUGTLS_OK;
}

static bool valid_dns_name(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > 253 + 1)
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch <= 0x20 || ch >= 0x7f || ch == '/' || ch == '\\')
			return false;
	}
	return true;
}

plugtls_err plugtls_conn_set_host(plugtls_conn *c, const char *host)
{
	CHECK_CONN(c, "conn_set_host");
	plugtls_err rc = before_handshake(c, "conn_set_host");
	if (rc)
		return rc;
	if (c->ctx->pol.role != PLUGTLS_CLIENT)
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_set_host: only for clients");
	if (!host || !valid_dns_name(host))
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_set_host: not a host name or IP address");
	char *h = pt_strdup(host);
	if (!h)
		return pt_err_set(&c->err, PLUGTLS_E_NOMEM, 0,
				  "conn_set_host: out of memory");
	pt_free(c->host);
	c->host = h;
	c->ip_len = pt_parse_ip(host, c->ip);
	return PLUGTLS_OK;
}

plugtls_err plugtls_conn_set_servername(plugtls_conn *c, const char *sni)
{
	CHECK_CONN(c, "conn_set_servername");
	plugtls_err rc = before_handshake(c, "conn_set_servername");
	if (rc)
		return rc;
	unsigned char ip[16];
	if (c->ctx->pol.role != PLUGTLS_CLIENT || !sni ||
	    !valid_dns_name(sni) || pt_parse_ip(sni, ip))
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_set_servername: a client's DNS name is "
				  "required (SNI never carries an address)");
	char *s = pt_strdup(sni);
	if (!s)
		return pt_err_set(&c->err, PLUGTLS_E_NOMEM, 0,
				  "conn_set_servername: out of memory");
	pt_free(c->sni);
	c->sni = s;
	return PLUGTLS_OK;
}

static plugtls_err set_transport_kind(plugtls_conn *c, const char *fn)
{
	plugtls_err rc = before_handshake(c, fn);
	if (rc)
		return rc;
	if (c->tkind != PT_TR_NONE)
		return pt_err_set(&c->err, PLUGTLS_E_STATE, 0,
				  "%s: the connection already has a transport",
				  fn);
	return PLUGTLS_OK;
}

plugtls_err plugtls_conn_set_transport(plugtls_conn *c, plugtls_read_fn rd,
				       plugtls_write_fn wr, void *user)
{
	CHECK_CONN(c, "conn_set_transport");
	if (!rd || !wr)
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_set_transport: read and write callbacks "
				  "are required");
	plugtls_err rc = set_transport_kind(c, "conn_set_transport");
	if (rc)
		return rc;
	c->tkind = PT_TR_CALLBACK;
	c->rd = rd;
	c->wr = wr;
	c->user = user;
	return PLUGTLS_OK;
}

plugtls_err plugtls_conn_set_fd(plugtls_conn *c, int fd)
{
	CHECK_CONN(c, "conn_set_fd");
	if (fd < 0)
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_set_fd: negative file descriptor");
	plugtls_err rc = set_transport_kind(c, "conn_set_fd");
	if (rc)
		return rc;
	c->tkind = PT_TR_FD;
	c->fd = fd;
	return PLUGTLS_OK;
}

plugtls_err plugtls_conn_set_mempair(plugtls_conn *c, plugtls_mempair *mp,
				     int end)
{
	CHECK_CONN(c, "conn_set_mempair");
	if (!mp || (end != 0 && end != 1))
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_set_mempair: a pair and end 0 or 1 are "
				  "required");
	plugtls_err rc = set_transport_kind(c, "conn_set_mempair");
	if (rc)
		return rc;
	c->tkind = PT_TR_MEMPAIR;
	c->mp = mp;
	c->mp_end = end;
	pt_mempair_ref(mp);
	return PLUGTLS_OK;
}

plugtls_err plugtls_conn_set_session(plugtls_conn *c, const void *data,
				     size_t len)
{
	CHECK_CONN(c, "conn_set_session");
	plugtls_err rc = before_handshake(c, "conn_set_session");
	if (rc)
		return rc;
	if (c->ctx->pol.role != PLUGTLS_CLIENT)
		return pt_err_set(&c->err, PLUGTLS_E_STATE, 0,
				  "conn_set_session: only clients resume");
	if (!data || !len || len > PT_SESSION_MAX)
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_set_session: 1..%u bytes required",
				  PT_SESSION_MAX);
	if (!(plugtls_provider_caps(c->prov) & PLUGTLS_CAP_SESSION_EXPORT))
		return pt_err_set(&c->err, PLUGTLS_E_UNSUPPORTED, 0,
				  "conn_set_session: provider %s lacks "
				  "capability %s",
				  c->prov->name,
				  plugtls_cap_name(PLUGTLS_CAP_SESSION_EXPORT));
	const unsigned char *payload;
	size_t plen;
	rc = pt_session_open(c->prov->name, data, len, &payload, &plen);
	if (rc == PLUGTLS_E_MALFORMED)
		return pt_err_set(&c->err, rc, 0,
				  "conn_set_session: not a session this process "
				  "exported with provider %s (a session resumes "
				  "only in the process, and with the provider, "
				  "that exported it)",
				  c->prov->name);
	if (rc)
		return pt_err_set(&c->err, rc, 0,
				  "conn_set_session: cannot check the session: "
				  "%s",
				  plugtls_err_string(rc));
	unsigned char *s = pt_memdup(payload, plen);
	if (!s)
		return pt_err_set(&c->err, PLUGTLS_E_NOMEM, 0,
				  "conn_set_session: out of memory");
	wipe_session(c);
	c->session = s;
	c->session_len = plen;
	return PLUGTLS_OK;
}

/* ---- the state machine ---- */

static plugtls_err fail(plugtls_conn *c, plugtls_err rc)
{
	c->state = PT_CONN_FAILED;
	c->fail_code = rc;
	pt_log(c->hdr.logger, PLUGTLS_LOG_INFO, "connection failed: %s",
	       c->err.message);
	return rc;
}

/* Longest ALPN protocol, SNI and PSK identity kept (the limits of the
 * fixed buffers these replace: longer values are not reported). */
#define PT_ALPN_MAX 255
#define PT_SERVERNAME_MAX 255

/* A NUL-terminated copy of len bytes into *dst (NULL when absent or over
 * max). */
static plugtls_err copy_str(char **dst, const void *src, size_t len,
			    size_t max)
{
	if (!src || !len || len > max)
		return PLUGTLS_OK;
	char *s = pt_malloc(len + 1);
	if (!s)
		return PLUGTLS_E_NOMEM;
	memcpy(s, src, len);
	s[len] = '\0';
	*dst = s;
	return PLUGTLS_OK;
}

static plugtls_err cache_info(plugtls_conn *c)
{
	plugtls_prov_conn_info info;
	memset(&info, 0, sizeof(info));
	if (pt_p_conn_info(c->prov, c->native, &info) != PLUGTLS_OK)
		return PLUGTLS_OK;
	c->version = info.version;
	c->cipher = pt_cipher_name(info.cipher_id);
	c->resumed = info.resumed != 0;
	if (copy_str(&c->alpn, info.alpn, info.alpn_len, PT_ALPN_MAX) ||
	    copy_str(&c->servername, info.servername,
		     info.servername ? strlen(info.servername) : 0,
		     PT_SERVERNAME_MAX) ||
	    copy_str(&c->psk_identity, info.psk_identity,
		     info.psk_identity_len, PT_PSK_ID_MAX))
		return pt_err_set(&c->err, PLUGTLS_E_NOMEM, 0,
				  "handshake: out of memory");
	return PLUGTLS_OK;
}

static plugtls_err start(plugtls_conn *c)
{
	const pt_policy *pol = &c->ctx->pol;
	if (c->tkind == PT_TR_NONE)
		return pt_err_set(&c->err, PLUGTLS_E_STATE, 0,
				  "handshake: no transport set");
	if (pol->role == PLUGTLS_CLIENT && !c->host && !pol->no_verify_host)
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "handshake: a client that verifies host "
				  "names needs plugtls_conn_set_host");
	const char *sni = c->sni ? c->sni : (c->ip_len ? NULL : c->host);
	plugtls_prov_conn_params params = {
		.sni = pol->role == PLUGTLS_CLIENT ? sni : NULL,
		.session = c->session,
		.session_len = c->session_len,
	};
	plugtls_err rc = pt_p_conn_new(c->prov, c->ctx->native, c, &params,
				       &c->native, &c->err);
	wipe_session(c);
	if (rc)
		return rc;
	c->state = PT_CONN_HANDSHAKING;
	return PLUGTLS_OK;
}

static plugtls_err finish(plugtls_conn *c)
{
	const pt_policy *pol = &c->ctx->pol;
	plugtls_err rc = cache_info(c);
	if (rc)
		return rc;
	/* Fail closed if a backend completed a handshake that needed the
	 * peer verified without asking the core: only resumption and PSK
	 * legitimately skip it. */
	bool must_verify =
		pol->role == PLUGTLS_CLIENT
			? !(pol->no_verify_chain && pol->no_verify_host &&
			    !pol->pins.n)
			: pol->client_cert == PLUGTLS_CLIENT_CERT_REQUIRE;
	if (must_verify && !c->verify_called && !c->resumed &&
	    !c->psk_identity && !c->psk_used) {
		c->verdict |= PLUGTLS_VERIFY_OTHER;
		return pt_err_set(&c->err, PLUGTLS_E_VERIFY, 0,
				  "handshake: provider %s finished without "
				  "verifying the peer",
				  c->prov->name);
	}
	c->state = PT_CONN_ESTABLISHED;
	pt_log(c->hdr.logger, PLUGTLS_LOG_INFO,
	       "handshake done: %s %s%s%s%s", c->version == PLUGTLS_TLS1_3 ? "TLSv1.3" : "TLSv1.2",
	       c->cipher ? c->cipher : "?", c->resumed ? ", resumed" : "",
	       c->alpn ? ", ALPN " : "", c->alpn ? c->alpn : "");
	return PLUGTLS_OK;
}

plugtls_err plugtls_conn_handshake(plugtls_conn *c)
{
	CHECK_CONN(c, "conn_handshake");
	switch (c->state) {
	case PT_CONN_ESTABLISHED:
	case PT_CONN_CLOSED:
		return PLUGTLS_OK;
	case PT_CONN_FAILED:
		return c->fail_code;
	case PT_CONN_NEW: {
		plugtls_err rc = start(c);
		if (rc)
			return fail(c, rc);
		break;
	}
	case PT_CONN_HANDSHAKING:
		break;
	}
	plugtls_err rc = pt_p_handshake(c->prov, c->native, &c->err);
	if (pending(rc))
		return rc;
	if (rc == PLUGTLS_OK)
		rc = finish(c);
	else if (rc == PLUGTLS_E_VERIFY && !c->verdict)
		/* The provider aborted before asking the core (e.g. a
		 * required client certificate was not sent). */
		c->verdict = c->ctx->pol.role == PLUGTLS_SERVER
				     ? PLUGTLS_VERIFY_NO_CERTIFICATE
				     : PLUGTLS_VERIFY_OTHER;
	else if (rc == PLUGTLS_E_CLOSED)
		/* End of stream inside a handshake is never a clean close. */
		rc = pt_err_set(&c->err, PLUGTLS_E_TRUNCATED, 0,
				"handshake: the peer closed the connection");
	if (rc)
		return fail(c, rc);
	return PLUGTLS_OK;
}

plugtls_err plugtls_conn_read(plugtls_conn *c, void *buf, size_t len,
			      size_t *n)
{
	CHECK_CONN(c, "conn_read");
	if (!buf || !len || !n)
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_read: buffer, length and n required");
	if (c->state == PT_CONN_CLOSED)
		return PLUGTLS_E_CLOSED;
	if (c->state != PT_CONN_ESTABLISHED) {
		plugtls_err rc = plugtls_conn_handshake(c);
		if (rc)
			return rc;
	}
	plugtls_err rc = pt_p_read(c->prov, c->native, buf, len, n, &c->err);
	if (rc == PLUGTLS_E_CLOSED)
		c->state = PT_CONN_CLOSED;
	else if (rc && !pending(rc))
		return fail(c, rc);
	return rc;
}

plugtls_err plugtls_conn_write(plugtls_conn *c, const void *buf, size_t len,
			       size_t *n)
{
	CHECK_CONN(c, "conn_write");
	if (!buf || !len || !n)
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_write: buffer, length and n required");
	if (c->state != PT_CONN_ESTABLISHED) {
		if (c->state == PT_CONN_CLOSED)
			return PLUGTLS_E_CLOSED;
		plugtls_err rc = plugtls_conn_handshake(c);
		if (rc)
			return rc;
	}
	if (c->shutdown_sent)
		return pt_err_set(&c->err, PLUGTLS_E_STATE, 0,
				  "conn_write: after shutdown");
	plugtls_err rc = pt_p_write(c->prov, c->native, buf, len, n, &c->err);
	if (rc && !pending(rc) && rc != PLUGTLS_E_CLOSED)
		return fail(c, rc);
	return rc;
}

plugtls_err plugtls_conn_shutdown(plugtls_conn *c)
{
	CHECK_CONN(c, "conn_shutdown");
	if (c->state != PT_CONN_ESTABLISHED && c->state != PT_CONN_CLOSED)
		return pt_err_set(&c->err, PLUGTLS_E_STATE, 0,
				  "conn_shutdown: no established connection");
	if (c->shutdown_sent)
		return PLUGTLS_OK;
	plugtls_err rc = pt_p_shutdown(c->prov, c->native, &c->err);
	if (rc == PLUGTLS_OK || rc == PLUGTLS_E_CLOSED) {
		c->shutdown_sent = true;
		return PLUGTLS_OK;
	}
	return rc;
}

/* ---- after the handshake ---- */

static bool done(const plugtls_conn *c)
{
	return c && (c->state == PT_CONN_ESTABLISHED ||
		     c->state == PT_CONN_CLOSED);
}

unsigned plugtls_conn_version(const plugtls_conn *c)
{
	return done(c) ? c->version : 0;
}

const char *plugtls_conn_version_name(const plugtls_conn *c)
{
	if (!done(c))
		return NULL;
	return c->version == PLUGTLS_TLS1_3   ? "TLSv1.3"
	       : c->version == PLUGTLS_TLS1_2 ? "TLSv1.2"
					      : NULL;
}

const char *plugtls_conn_cipher(const plugtls_conn *c)
{
	return done(c) ? c->cipher : NULL;
}

const char *plugtls_conn_alpn(const plugtls_conn *c)
{
	return done(c) ? c->alpn : NULL;
}

int plugtls_conn_resumed(const plugtls_conn *c)
{
	return done(c) && c->resumed;
}

const char *plugtls_conn_servername(const plugtls_conn *c)
{
	if (!c)
		return NULL;
	if (c->ctx->pol.role == PLUGTLS_CLIENT)
		return c->sni ? c->sni : (c->ip_len ? NULL : c->host);
	return done(c) ? c->servername : NULL;
}

const char *plugtls_conn_psk_identity(const plugtls_conn *c)
{
	return done(c) ? c->psk_identity : NULL;
}

/* The chain the peer sent, read from the provider on first use after a
 * successful verification (peer_n certificates). Getters may run on
 * several threads: the result is published with one atomic exchange, the
 * loser of a race frees its copy. */
static plugtls_chain *lazy_peer_chain(plugtls_conn *c)
{
	plugtls_chain *ch = NULL, *expected = NULL;
	plugtls_error e;

	pt_err_clear(&e);
	if (!c->native || pt_chain_new(c->prov, &ch, &e))
		return NULL;
	/* A provider that no longer has the chain, or a different one than
	 * was verified, gives none rather than a wrong one. */
	if (pt_p_peer_chain(c->prov, c->native, pt_chain_sink, ch) ||
	    ch->n != c->peer_n) {
		plugtls_chain_free(ch);
		return NULL;
	}
	if (!__atomic_compare_exchange_n(&c->peer_chain, &expected, ch, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		plugtls_chain_free(ch);
		ch = expected;
	}
	return ch;
}

const plugtls_chain *plugtls_conn_peer_chain(const plugtls_conn *c)
{
	if (!c)
		return NULL;
	plugtls_chain *ch = __atomic_load_n(&c->peer_chain, __ATOMIC_ACQUIRE);
	/* The connection is logically const: the chain is a cache of what
	 * the provider holds. */
	if (!ch && c->peer_n)
		ch = lazy_peer_chain((plugtls_conn *)(uintptr_t)c);
	return ch && ch->n ? ch : NULL;
}

uint32_t plugtls_conn_verify_result(const plugtls_conn *c)
{
	return c ? c->verdict : 0;
}

void *plugtls_conn_native_handle(plugtls_conn *c)
{
	if (!c || !c->native)
		return NULL;
	return pt_p_native_handle(c->prov, c->native);
}

plugtls_err plugtls_conn_session_export(plugtls_conn *c, void *buf,
					size_t cap, size_t *needed)
{
	unsigned char *data = NULL;
	size_t len = 0;
	CHECK_CONN(c, "conn_session_export");
	if (!needed || (buf && !cap))
		return pt_err_set(&c->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "conn_session_export: needed is required");
	if (!done(c))
		return pt_err_set(&c->err, PLUGTLS_E_STATE, 0,
				  "conn_session_export: no handshake yet");
	if (c->ctx->pol.role != PLUGTLS_CLIENT)
		return pt_err_set(&c->err, PLUGTLS_E_STATE, 0,
				  "conn_session_export: only clients export");
	plugtls_error e;
	pt_err_clear(&e);
	plugtls_err rc = pt_p_session_export(c->prov, c->native, &data, &len,
					     &e);
	if (rc) {
		/* NOT_FOUND is an answer, not a failure of the conn. */
		if (rc != PLUGTLS_E_NOT_FOUND)
			pt_err_wrap(&c->err, &e, "conn_session_export");
		else
			pt_err_set(NULL, rc, 0,
				   "conn_session_export: no resumable session "
				   "yet");
		return rc;
	}
	unsigned char *sealed = NULL;
	size_t slen = 0;
	rc = pt_session_seal(c->prov->name, data, len, &sealed, &slen);
	pt_free_secret(data, len);
	if (rc == PLUGTLS_OK && slen > PT_SESSION_MAX)
		rc = PLUGTLS_E_TOO_LARGE;
	if (rc) {
		pt_free_secret(sealed, slen);
		return pt_err_set(&c->err, rc, 0,
				  "conn_session_export: cannot seal the "
				  "session: %s",
				  plugtls_err_string(rc));
	}
	*needed = slen;
	if (buf) {
		if (cap < slen)
			rc = pt_err_set(NULL, PLUGTLS_E_TOO_LARGE, 0,
					"conn_session_export: %zu bytes needed",
					slen);
		else
			memcpy(buf, sealed, slen);
	}
	pt_free_secret(sealed, slen);
	return rc;
}

/* ---- services for backends ---- */

plugtls_err plugtls_prov_io_read(plugtls_conn *c, void *buf, size_t len,
				 size_t *n)
{
	switch (c->tkind) {
	case PT_TR_MEMPAIR:
		return pt_mempair_read(c->mp, c->mp_end, buf, len, n);
	case PT_TR_FD:
		return pt_fd_read(c, buf, len, n);
	case PT_TR_CALLBACK: {
		size_t got = 0;
		plugtls_err rc = c->rd(c->user, buf, len, &got);
		if (rc == PLUGTLS_OK && (got == 0 || got > len))
			return PLUGTLS_E_IO;
		if (rc == PLUGTLS_OK)
			*n = got;
		return rc;
	}
	case PT_TR_NONE:
		break;
	}
	return PLUGTLS_E_IO;
}

plugtls_err plugtls_prov_io_write(plugtls_conn *c, const void *buf, size_t len,
				  size_t *n)
{
	switch (c->tkind) {
	case PT_TR_MEMPAIR:
		return pt_mempair_write(c->mp, c->mp_end, buf, len, n);
	case PT_TR_FD:
		return pt_fd_write(c, buf, len, n);
	case PT_TR_CALLBACK: {
		size_t put = 0;
		plugtls_err rc = c->wr(c->user, buf, len, &put);
		if (rc == PLUGTLS_OK && (put == 0 || put > len))
			return PLUGTLS_E_IO;
		if (rc == PLUGTLS_OK)
			*n = put;
		return rc;
	}
	case PT_TR_NONE:
		break;
	}
	return PLUGTLS_E_IO;
}

plugtls_err plugtls_prov_io_writev(plugtls_conn *c,
				   const plugtls_prov_iovec *iov, size_t iovcnt,
				   size_t *n)
{
	size_t done = 0;

	if (c->tkind == PT_TR_FD)
		return pt_fd_writev(c, iov, iovcnt, n);
	/* In memory and through callbacks: one write per buffer, stopping at
	 * the first short one; an error or WANT_* after some bytes reports
	 * those bytes (the caller comes back for the rest). */
	for (size_t i = 0; i < iovcnt; i++) {
		size_t put = 0;
		plugtls_err rc;

		if (!iov[i].len)
			continue;
		rc = plugtls_prov_io_write(c, iov[i].base, iov[i].len, &put);
		if (rc && !done)
			return rc;
		if (rc)
			break;
		done += put;
		if (put < iov[i].len)
			break;
	}
	*n = done;
	return PLUGTLS_OK;
}

/* The peer's chain as sent, eagerly (when verification could not run). */
static plugtls_chain *peer_chain_now(plugtls_conn *c, void *const *natives,
				     size_t n)
{
	plugtls_chain *ch = NULL;
	plugtls_error e;
	plugtls_err rc;

	pt_err_clear(&e);
	rc = pt_chain_new(c->prov, &ch, &e);
	for (size_t i = 0; rc == PLUGTLS_OK && i < n; i++) {
		plugtls_cert *cert = NULL;
		rc = pt_cert_from_native(c->prov, natives[i], false, &cert, &e);
		if (rc == PLUGTLS_OK)
			rc = pt_chain_push(ch, cert, &e);
	}
	if (rc) {
		plugtls_chain_free(ch);
		return NULL;
	}
	return ch;
}

plugtls_err plugtls_prov_verify_peer(plugtls_conn *c, void *const *natives,
				     size_t n)
{
	const pt_policy *pol = &c->ctx->pol;
	plugtls_chain *refused = NULL;
	uint32_t verdict = 0;
	plugtls_err rc;

	c->verify_called = true;
	plugtls_chain_free(c->peer_chain);
	c->peer_chain = NULL;
	c->peer_n = 0;

	if (pol->role == PLUGTLS_SERVER && n == 0) {
		if (pol->client_cert == PLUGTLS_CLIENT_CERT_REQUIRE) {
			c->verdict = PLUGTLS_VERIFY_NO_CERTIFICATE;
			pt_err_set(&c->err, PLUGTLS_E_VERIFY, 0,
				   "client sent no certificate");
			return PLUGTLS_E_VERIFY;
		}
		return PLUGTLS_OK;
	}
	/* The peer's certificates become plugtls certificates only as far
	 * as the checks need them; the chain for plugtls_conn_peer_chain
	 * is built now only for a refused peer (the provider may not keep
	 * it), else on first use (lazy_peer_chain). */
	rc = pt_verify_natives(c->ctx, natives, n,
			       pol->role == PLUGTLS_SERVER ? NULL : c->host,
			       pol->role == PLUGTLS_SERVER
				       ? PLUGTLS_PURPOSE_CLIENT
				       : PLUGTLS_PURPOSE_SERVER,
			       &verdict, &refused, &c->err);
	if (rc) {
		c->peer_chain = peer_chain_now(c, natives, n);
		c->verdict |= PLUGTLS_VERIFY_OTHER;
		return PLUGTLS_E_VERIFY;
	}
	if (verdict)
		c->peer_chain = refused;
	else
		c->peer_n = n;
	c->verdict = verdict;
	if (verdict) {
		char names[256];
		size_t off = 0;
		names[0] = '\0';
		for (int b = 0; b < 32; b++) {
			uint32_t bit = UINT32_C(1) << b;
			if (!(verdict & bit))
				continue;
			int w = snprintf(names + off, sizeof(names) - off,
					 "%s%s", off ? "," : "",
					 plugtls_verify_reason_name(bit));
			if (w < 0 || (size_t)w >= sizeof(names) - off)
				break;
			off += (size_t)w;
		}
		pt_err_set(&c->err, PLUGTLS_E_VERIFY, 0,
			   "peer verification failed: %s", names);
		return PLUGTLS_E_VERIFY;
	}
	return PLUGTLS_OK;
}

plugtls_err plugtls_prov_psk_find(plugtls_conn *c, const void *identity,
				  size_t identity_len,
				  const unsigned char **key, size_t *key_len)
{
	const pt_policy *pol = &c->ctx->pol;
	const pt_psk *found = NULL;
	const unsigned char *id = identity;

	if (!identity || !identity_len || identity_len > PT_PSK_ID_MAX)
		return PLUGTLS_E_NOT_FOUND;
	/* Constant time in the identity: every entry is compared over its
	 * whole length, whatever matches. */
	for (size_t i = 0; i < pol->n_psks; i++) {
		const pt_psk *p = &pol->psks[i];
		unsigned diff = (unsigned)(p->id_len ^ identity_len);
		for (size_t k = 0; k < PT_PSK_ID_MAX; k++) {
			unsigned char a = k < p->id_len ? p->id[k] : 0;
			unsigned char b = k < identity_len ? id[k] : 0;
			diff |= (unsigned)(a ^ b);
		}
		if (diff == 0 && !found)
			found = p;
	}
	if (!found) {
		pt_log(c->hdr.logger, PLUGTLS_LOG_INFO,
		       "PSK: unknown identity offered");
		return PLUGTLS_E_NOT_FOUND;
	}
	c->psk_used = found;
	*key = found->key;
	*key_len = found->key_len;
	return PLUGTLS_OK;
}

plugtls_err plugtls_prov_psk_client(plugtls_conn *c,
				    const unsigned char **identity,
				    size_t *identity_len,
				    const unsigned char **key, size_t *key_len)
{
	const pt_policy *pol = &c->ctx->pol;
	if (!pol->n_psks)
		return PLUGTLS_E_NOT_FOUND;
	c->psk_used = &pol->psks[0];
	*identity = pol->psks[0].id;
	*identity_len = pol->psks[0].id_len;
	*key = pol->psks[0].key;
	*key_len = pol->psks[0].key_len;
	return PLUGTLS_OK;
}

void plugtls_prov_keylog(plugtls_conn *c, const char *line)
{
	const pt_policy *pol = &c->ctx->pol;
	if (pol->keylog && line)
		pol->keylog(pol->keylog_arg, line);
}

void plugtls_prov_keylog_parts(plugtls_conn *c, const char *label,
			       const unsigned char *client_random,
			       size_t cr_len, const unsigned char *secret,
			       size_t secret_len)
{
	static const char hex[] = "0123456789abcdef";
	char line[64 + 1 + 64 + 1 + 2 * 64 + 1];
	size_t off = 0;
	if (!c->ctx->pol.keylog || !label || cr_len > 32 || secret_len > 64)
		return;
	size_t ll = strlen(label);
	if (ll > 63)
		return;
	memcpy(line, label, ll);
	off = ll;
	line[off++] = ' ';
	for (size_t i = 0; i < cr_len; i++) {
		line[off++] = hex[client_random[i] >> 4];
		line[off++] = hex[client_random[i] & 15];
	}
	line[off++] = ' ';
	for (size_t i = 0; i < secret_len; i++) {
		line[off++] = hex[secret[i] >> 4];
		line[off++] = hex[secret[i] & 15];
	}
	line[off] = '\0';
	plugtls_prov_keylog(c, line);
	pt_wipe(line, sizeof(line));
}
