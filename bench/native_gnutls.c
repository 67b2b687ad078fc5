/*
 * The workload written directly against GnuTLS, with the priority string
 * and session flags the plugtls GnuTLS backend uses
 * (backends/gnutls/gtls_ctx.c, gtls_conn.c); the client verifies the chain
 * and host name the GnuTLS way (trust in the credentials,
 * gnutls_session_set_verify_cert). The transport is push/pull callbacks
 * over bench_pipe, or the socket with GnuTLS's own send/recv.
 */
#include "bench.h"

#include <gnutls/gnutls.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct g_env {
	const struct bench_variant *v;
	gnutls_certificate_credentials_t ccred, scred;
	gnutls_priority_t cprio, sprio;
	gnutls_datum_t ticket_key;
	gnutls_datum_t session;
};

struct g_end {
	struct bench_pair *pair;
	int end;
};

struct bench_pair {
	struct g_env *env;
	struct bench_pipe *pipe;
	struct g_end ends[2];
	gnutls_session_t s[2];
	int done[2];
	int fds[2];
	char err[160];
};

int bench_native_gnutls_init(void)
{
	return gnutls_global_init() < 0 ? -1 : 0;
}

static ssize_t push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	struct g_end *e = ptr;
	size_t n = 0;
	int rc = bench_pipe_write(e->pair->pipe, e->end, data, len, &n);
	if (rc == 0)
		return (ssize_t)n;
	gnutls_transport_set_errno(e->pair->s[e->end], rc == 1 ? EAGAIN : EIO);
	return -1;
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct g_end *e = ptr;
	size_t n = 0;
	int rc = bench_pipe_read(e->pair->pipe, e->end, data, len, &n);
	if (rc == 0)
		return (ssize_t)n;
	gnutls_transport_set_errno(e->pair->s[e->end], EAGAIN);
	return -1;
}

static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	(void)ptr;
	(void)ms;
	return 1;
}

static int priority(const struct bench_variant *v, int server,
		    gnutls_priority_t *out)
{
	const char *ciphers = "+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305";
	char buf[512];

	if (v->profile && strcmp(v->profile, "aes128-gcm") == 0)
		ciphers = "+AES-128-GCM";
	else if (v->profile && strcmp(v->profile, "chacha20") == 0)
		ciphers = "+CHACHA20-POLY1305";
	snprintf(buf, sizeof(buf),
		 "NORMAL:-VERS-ALL%s:+VERS-TLS1.2:-CIPHER-ALL:%s:-MAC-ALL:+AEAD:"
		 "-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-GROUP-ALL:"
		 "+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:"
		 "%%SAFE_RENEGOTIATION%s",
		 v->tls12_only ? "" : ":+VERS-TLS1.3", ciphers,
		 server ? ":%SERVER_PRECEDENCE" : "");
	return gnutls_priority_init(out, buf, NULL);
}

static void env_free(void *e)
{
	struct g_env *env = e;
	if (!env)
		return;
	if (env->ccred)
		gnutls_certificate_free_credentials(env->ccred);
	if (env->scred)
		gnutls_certificate_free_credentials(env->scred);
	if (env->cprio)
		gnutls_priority_deinit(env->cprio);
	if (env->sprio)
		gnutls_priority_deinit(env->sprio);
	if (env->ticket_key.data) {
		gnutls_memset(env->ticket_key.data, 0, env->ticket_key.size);
		gnutls_free(env->ticket_key.data);
	}
	if (env->session.data) {
		gnutls_memset(env->session.data, 0, env->session.size);
		gnutls_free(env->session.data);
	}
	free(env);
}

static int env_new(const struct bench_variant *v,
		   const struct bench_certs *certs, void **out, char *err,
		   size_t errlen)
{
	struct g_env *env = calloc(1, sizeof(*env));
	const char *cert = v->rsa ? certs->rsa_cert_pem : certs->ecdsa_cert_pem;
	const char *key = v->rsa ? certs->rsa_key_pem : certs->ecdsa_key_pem;
	gnutls_datum_t ca = {(unsigned char *)certs->ca_pem,
			     (unsigned)strlen(certs->ca_pem)};
	gnutls_datum_t cd = {(unsigned char *)cert, (unsigned)strlen(cert)};
	gnutls_datum_t kd = {(unsigned char *)key, (unsigned)strlen(key)};
	int ret;

	if (!env)
		return -1;
	env->v = v;
	ret = gnutls_certificate_allocate_credentials(&env->ccred);
	if (ret >= 0)
		ret = gnutls_certificate_allocate_credentials(&env->scred);
	if (ret >= 0)
		ret = gnutls_certificate_set_x509_trust_mem(env->ccred, &ca,
							    GNUTLS_X509_FMT_PEM);
	if (ret >= 0)
		ret = gnutls_certificate_set_x509_key_mem2(
			env->scred, &cd, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (ret >= 0)
		ret = priority(v, 0, &env->cprio);
	if (ret >= 0)
		ret = priority(v, 1, &env->sprio);
	if (ret >= 0)
		ret = gnutls_session_ticket_key_generate(&env->ticket_key);
	if (ret < 0) {
		snprintf(err, errlen, "gnutls: context: %s",
			 gnutls_strerror(ret));
		env_free(env);
		return -1;
	}
	*out = env;
	return 0;
}

static void pair_free(struct bench_pair *p)
{
	if (!p)
		return;
	for (int i = 0; i < 2; i++) {
		bench_count_side(i ? SIDE_SERVER : SIDE_CLIENT);
		if (p->s[i] && p->done[i])
			(void)gnutls_bye(p->s[i], GNUTLS_SHUT_WR);
		if (p->s[i])
			gnutls_deinit(p->s[i]);
	}
	bench_count_side(SIDE_NONE);
	bench_pipe_free(p->pipe);
	for (int i = 0; i < 2; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	free(p);
}

static int session_new(struct bench_pair *p, int i)
{
	struct g_env *env = p->env;
	unsigned flags = i ? GNUTLS_SERVER
			   : GNUTLS_CLIENT | GNUTLS_FORCE_CLIENT_CERT;
	gnutls_session_t s;
	int ret = gnutls_init(&p->s[i], flags);

	if (ret < 0)
		return ret;
	s = p->s[i];
	ret = gnutls_priority_set(s, i ? env->sprio : env->cprio);
	if (ret >= 0)
		ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
					     i ? env->scred : env->ccred);
	if (ret < 0)
		return ret;
	if (env->v->tcp) {
		/* Non-blocking: never let GnuTLS wait in select(). */
		gnutls_transport_set_int(s, p->fds[i]);
		gnutls_transport_set_pull_timeout_function(s, pull_timeout);
	} else {
		p->ends[i].pair = p;
		p->ends[i].end = i;
		gnutls_transport_set_ptr(s, &p->ends[i]);
		gnutls_transport_set_push_function(s, push);
		gnutls_transport_set_pull_function(s, pull);
		gnutls_transport_set_pull_timeout_function(s, pull_timeout);
	}
	gnutls_handshake_set_timeout(s, 0);
	if (i)
		return gnutls_session_ticket_enable_server(s, &env->ticket_key);
	ret = gnutls_server_name_set(s, GNUTLS_NAME_DNS, BENCH_HOST,
				     strlen(BENCH_HOST));
	if (ret >= 0)
		gnutls_session_set_verify_cert(s, BENCH_HOST, 0);
	return ret;
}

static int pair_new(void *e, const void *session, struct bench_pair **out)
{
	struct g_env *env = e;
	struct bench_pair *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -1;
	p->env = env;
	p->fds[0] = p->fds[1] = -1;
	if (env->v->tcp ? bench_tcp_pair(p->fds) != 0
			: !(p->pipe = bench_pipe_new())) {
		pair_free(p);
		return -1;
	}
	bench_count_side(SIDE_CLIENT);
	ret = session_new(p, 0);
	if (ret >= 0 && session)
		ret = gnutls_session_set_data(p->s[0], env->session.data,
					      env->session.size);
	bench_count_side(SIDE_SERVER);
	if (ret >= 0)
		ret = session_new(p, 1);
	bench_count_side(SIDE_NONE);
	if (ret < 0) {
		pair_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static int result(struct bench_pair *p, int ret)
{
	if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
		return BENCH_AGAIN;
	snprintf(p->err, sizeof(p->err), "gnutls: %s", gnutls_strerror(ret));
	return BENCH_ERR;
}

static int handshake(struct bench_pair *p, int side)
{
	int ret = gnutls_handshake(p->s[side - 1]);
	if (ret == 0) {
		p->done[side - 1] = 1;
		return BENCH_DONE;
	}
	return result(p, ret);
}

static int bwrite(struct bench_pair *p, int side, const void *buf,
		  size_t len, size_t *n)
{
	ssize_t r = gnutls_record_send(p->s[side - 1], buf, len);
	if (r > 0) {
		*n = (size_t)r;
		return BENCH_DONE;
	}
	return result(p, (int)r);
}

static int bread(struct bench_pair *p, int side, void *buf, size_t len,
		 size_t *n)
{
	ssize_t r = gnutls_record_recv(p->s[side - 1], buf, len);
	if (r > 0) {
		*n = (size_t)r;
		return BENCH_DONE;
	}
	if (r == 0) {
		snprintf(p->err, sizeof(p->err), "gnutls: peer closed");
		return BENCH_ERR;
	}
	return result(p, (int)r);
}

static int resumed(struct bench_pair *p)
{
	return gnutls_session_is_resumed(p->s[0]);
}

static int session_get(void *e, struct bench_pair *p, const void **out)
{
	struct g_env *env = e;
	if (!env->session.data &&
	    gnutls_session_get_data2(p->s[0], &env->session) < 0)
		return -1;
	*out = &env->session;
	return 0;
}

static const char *last_error(struct bench_pair *p)
{
	return p ? p->err : "";
}

const struct bench_impl bench_native_gnutls = {
	.provider = "gnutls",
	.kind = "native",
	.env_new = env_new,
	.env_free = env_free,
	.pair_new = pair_new,
	.pair_free = pair_free,
	.handshake = handshake,
	.write = bwrite,
	.read = bread,
	.resumed = resumed,
	.session_get = session_get,
	.last_error = last_error,
};
