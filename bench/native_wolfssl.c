/*
 * The workload written directly against wolfSSL's native API (wolfSSL_*
 * names only: libwolfssl also exports a few OpenSSL names, see
 * backends/wolfssl/NOTES.md), with the method, suites and groups of the
 * plugtls wolfSSL backend (backends/wolfssl/wssl_ctx.c). The client
 * verifies the chain with wolfSSL's own CA store and
 * wolfSSL_check_domain_name, as a wolfSSL application would. The
 * transport is wolfSSL's I/O callbacks over bench_pipe, or the socket.
 */
#include <wolfssl/options.h>

#include "bench.h"

#include <wolfssl/ssl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct w_env {
	const struct bench_variant *v;
	WOLFSSL_CTX *c, *s;
	WOLFSSL_SESSION *session;
};

struct w_end {
	struct bench_pair *pair;
	int end;
};

struct bench_pair {
	struct w_env *env;
	struct bench_pipe *pipe;
	struct w_end ends[2];
	WOLFSSL *ssl[2];
	int done[2];
	int fds[2];
	char err[160];
};

int bench_native_wolfssl_init(void)
{
	return wolfSSL_Init() == WOLFSSL_SUCCESS ? 0 : -1;
}

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct w_end *e = ctx;
	size_t n = 0;
	(void)ssl;
	if (sz <= 0)
		return 0;
	if (bench_pipe_read(e->pair->pipe, e->end, buf, (size_t)sz, &n) != 0)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	return (int)n;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct w_end *e = ctx;
	size_t n = 0;
	int rc;
	(void)ssl;
	if (sz <= 0)
		return 0;
	rc = bench_pipe_write(e->pair->pipe, e->end, buf, (size_t)sz, &n);
	if (rc == 1)
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	return rc == 0 ? (int)n : WOLFSSL_CBIO_ERR_GENERAL;
}

static const char *suites(const struct bench_variant *v)
{
	int aes = v->profile && strcmp(v->profile, "aes128-gcm") == 0;
	int cha = v->profile && strcmp(v->profile, "chacha20") == 0;

	if (v->tls12_only)
		return aes   ? "ECDHE-ECDSA-AES128-GCM-SHA256:"
			       "ECDHE-RSA-AES128-GCM-SHA256"
		       : cha ? "ECDHE-ECDSA-CHACHA20-POLY1305:"
			       "ECDHE-RSA-CHACHA20-POLY1305"
			     : "ECDHE-ECDSA-AES128-GCM-SHA256:"
			       "ECDHE-RSA-AES128-GCM-SHA256:"
			       "ECDHE-ECDSA-AES256-GCM-SHA384:"
			       "ECDHE-RSA-AES256-GCM-SHA384:"
			       "ECDHE-ECDSA-CHACHA20-POLY1305:"
			       "ECDHE-RSA-CHACHA20-POLY1305";
	return aes   ? "TLS13-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:"
		       "ECDHE-RSA-AES128-GCM-SHA256"
	       : cha ? "TLS13-CHACHA20-POLY1305-SHA256:"
		       "ECDHE-ECDSA-CHACHA20-POLY1305:"
		       "ECDHE-RSA-CHACHA20-POLY1305"
		     : "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:"
		       "TLS13-CHACHA20-POLY1305-SHA256:"
		       "ECDHE-ECDSA-AES128-GCM-SHA256:"
		       "ECDHE-RSA-AES128-GCM-SHA256:"
		       "ECDHE-ECDSA-AES256-GCM-SHA384:"
		       "ECDHE-RSA-AES256-GCM-SHA384:"
		       "ECDHE-ECDSA-CHACHA20-POLY1305:"
		       "ECDHE-RSA-CHACHA20-POLY1305";
}

static int set_groups(WOLFSSL_CTX *x, const struct bench_variant *v)
{
	int groups[3] = {WOLFSSL_ECC_X25519, WOLFSSL_ECC_SECP256R1,
			 WOLFSSL_ECC_SECP384R1};
	if (!v->tls12_only)
		return wolfSSL_CTX_set_groups(x, groups, 3) == WOLFSSL_SUCCESS;
	for (int i = 0; i < 3; i++)
		if (wolfSSL_CTX_UseSupportedCurve(x, (word16)groups[i]) !=
		    WOLFSSL_SUCCESS)
			return 0;
	return 1;
}

static WOLFSSL_CTX *make_ctx(const struct bench_variant *v,
			     const struct bench_certs *certs, int server)
{
	WOLFSSL_METHOD *m;
	WOLFSSL_CTX *x;
	int ok;

	if (v->tls12_only)
		m = server ? wolfTLSv1_2_server_method()
			   : wolfTLSv1_2_client_method();
	else
		m = server ? wolfSSLv23_server_method()
			   : wolfSSLv23_client_method();
	x = m ? wolfSSL_CTX_new(m) : NULL;
	if (!x)
		return NULL;
	ok = v->tls12_only ||
	     wolfSSL_CTX_SetMinVersion(x, WOLFSSL_TLSV1_2) == WOLFSSL_SUCCESS;
	ok = ok && wolfSSL_CTX_set_cipher_list(x, suites(v)) == WOLFSSL_SUCCESS;
	ok = ok && set_groups(x, v);
	if (server) {
		const char *cert = v->rsa ? certs->rsa_cert_pem
					  : certs->ecdsa_cert_pem;
		const char *key = v->rsa ? certs->rsa_key_pem
					 : certs->ecdsa_key_pem;
		ok = ok && wolfSSL_CTX_use_certificate_chain_buffer(
				   x, (const unsigned char *)cert,
				   (long)strlen(cert)) == WOLFSSL_SUCCESS;
		ok = ok && wolfSSL_CTX_use_PrivateKey_buffer(
				   x, (const unsigned char *)key,
				   (long)strlen(key),
				   WOLFSSL_FILETYPE_PEM) == WOLFSSL_SUCCESS;
		wolfSSL_CTX_set_verify(x, WOLFSSL_VERIFY_NONE, NULL);
	} else {
		ok = ok && wolfSSL_CTX_load_verify_buffer(
				   x, (const unsigned char *)certs->ca_pem,
				   (long)strlen(certs->ca_pem),
				   WOLFSSL_FILETYPE_PEM) == WOLFSSL_SUCCESS;
		wolfSSL_CTX_set_verify(x, WOLFSSL_VERIFY_PEER, NULL);
		ok = ok && wolfSSL_CTX_UseSessionTicket(x) == WOLFSSL_SUCCESS;
	}
	if (!v->tcp) {
		wolfSSL_CTX_SetIORecv(x, io_recv);
		wolfSSL_CTX_SetIOSend(x, io_send);
	}
	if (!ok) {
		wolfSSL_CTX_free(x);
		return NULL;
	}
	return x;
}

static void env_free(void *e)
{
	struct w_env *env = e;
	if (!env)
		return;
	wolfSSL_CTX_free(env->c);
	wolfSSL_CTX_free(env->s);
	if (env->session)
		wolfSSL_SESSION_free(env->session);
	free(env);
}

static int env_new(const struct bench_variant *v,
		   const struct bench_certs *certs, void **out, char *err,
		   size_t errlen)
{
	struct w_env *env = calloc(1, sizeof(*env));
	if (!env)
		return -1;
	env->v = v;
	env->c = make_ctx(v, certs, 0);
	env->s = make_ctx(v, certs, 1);
	if (!env->c || !env->s) {
		snprintf(err, errlen, "wolfssl: context setup failed");
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
		if (p->ssl[i] && p->done[i])
			(void)wolfSSL_shutdown(p->ssl[i]);
		if (p->ssl[i])
			wolfSSL_free(p->ssl[i]);
	}
	bench_count_side(SIDE_NONE);
	bench_pipe_free(p->pipe);
	for (int i = 0; i < 2; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	free(p);
}

static int ssl_new(struct bench_pair *p, int i)
{
	WOLFSSL *ssl = wolfSSL_new(i ? p->env->s : p->env->c);

	if (!ssl)
		return 0;
	p->ssl[i] = ssl;
	if (p->env->v->tcp) {
		if (wolfSSL_set_fd(ssl, p->fds[i]) != WOLFSSL_SUCCESS)
			return 0;
	} else {
		p->ends[i].pair = p;
		p->ends[i].end = i;
		wolfSSL_SetIOReadCtx(ssl, &p->ends[i]);
		wolfSSL_SetIOWriteCtx(ssl, &p->ends[i]);
	}
	if (i)
		return 1;
	return wolfSSL_UseSecureRenegotiation(ssl) == WOLFSSL_SUCCESS &&
	       wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, BENCH_HOST,
			      (word16)strlen(BENCH_HOST)) == WOLFSSL_SUCCESS &&
	       wolfSSL_check_domain_name(ssl, BENCH_HOST) == WOLFSSL_SUCCESS;
}

static int pair_new(void *e, const void *session, struct bench_pair **out)
{
	struct w_env *env = e;
	struct bench_pair *p = calloc(1, sizeof(*p));
	int ok;

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
	ok = ssl_new(p, 0);
	if (ok && session)
		ok = wolfSSL_set_session(p->ssl[0], (WOLFSSL_SESSION *)session) ==
		     WOLFSSL_SUCCESS;
	bench_count_side(SIDE_SERVER);
	ok = ok && ssl_new(p, 1);
	bench_count_side(SIDE_NONE);
	if (!ok) {
		pair_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static int result(struct bench_pair *p, WOLFSSL *ssl, int ret)
{
	int e = wolfSSL_get_error(ssl, ret);
	char buf[WOLFSSL_MAX_ERROR_SZ];
	if (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE)
		return BENCH_AGAIN;
	snprintf(p->err, sizeof(p->err), "wolfssl: %d %s", e,
		 wolfSSL_ERR_error_string((unsigned long)e, buf));
	return BENCH_ERR;
}

static int handshake(struct bench_pair *p, int side)
{
	WOLFSSL *ssl = p->ssl[side - 1];
	int ret = side == SIDE_CLIENT ? wolfSSL_connect(ssl)
				      : wolfSSL_accept(ssl);
	if (ret == WOLFSSL_SUCCESS) {
		p->done[side - 1] = 1;
		return BENCH_DONE;
	}
	return result(p, ssl, ret);
}

static int bwrite(struct bench_pair *p, int side, const void *buf,
		  size_t len, size_t *n)
{
	WOLFSSL *ssl = p->ssl[side - 1];
	int ret = wolfSSL_write(ssl, buf, len > 1u << 30 ? 1 << 30 : (int)len);
	if (ret > 0) {
		*n = (size_t)ret;
		return BENCH_DONE;
	}
	return result(p, ssl, ret);
}

static int bread(struct bench_pair *p, int side, void *buf, size_t len,
		 size_t *n)
{
	WOLFSSL *ssl = p->ssl[side - 1];
	int ret = wolfSSL_read(ssl, buf, len > 1u << 30 ? 1 << 30 : (int)len);
	if (ret > 0) {
		*n = (size_t)ret;
		return BENCH_DONE;
	}
	return result(p, ssl, ret);
}

static int resumed(struct bench_pair *p)
{
	return wolfSSL_session_reused(p->ssl[0]);
}

static int session_get(void *e, struct bench_pair *p, const void **out)
{
	struct w_env *env = e;
	if (!env->session) {
		env->session = wolfSSL_get1_session(p->ssl[0]);
		if (!env->session)
			return -1;
	}
	*out = env->session;
	return 0;
}

static const char *last_error(struct bench_pair *p)
{
	return p ? p->err : "";
}

const struct bench_impl bench_native_wolfssl = {
	.provider = "wolfssl",
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
