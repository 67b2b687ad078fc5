/*
 * The workload written directly against OpenSSL, with the settings the
 * plugtls OpenSSL backend uses (backends/openssl/ossl_ctx.c): TLS 1.2..1.3,
 * the same suites and groups, no renegotiation or compression, partial
 * writes; the client verifies the chain against the CA and the host name
 * (SSL_set1_host), as an OpenSSL application would. The transport is a
 * custom BIO over bench_pipe (plugtls_mempair's algorithm) or a socket.
 *
 * variant->lean selects SSL_MODE_RELEASE_BUFFERS (plugtls's default);
 * without it this is OpenSSL's own default (buffers kept while idle).
 */
#include "bench.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct o_env {
	const struct bench_variant *v;
	SSL_CTX *c, *s;
	SSL_SESSION *session;
};

struct o_end {
	struct bench_pair *pair;
	int end;
};

struct bench_pair {
	struct o_env *env;
	struct o_end ends[2];
	struct bench_pipe *pipe;
	SSL *ssl[2];
	int fds[2];
	char err[160];
};

static BIO_METHOD *g_method;

static int bio_write(BIO *b, const char *data, size_t len, size_t *written)
{
	struct o_end *e = BIO_get_data(b);
	int rc;

	BIO_clear_retry_flags(b);
	rc = bench_pipe_write(e->pair->pipe, e->end, data, len, written);
	if (rc == 1)
		BIO_set_retry_write(b);
	return rc == 0;
}

static int bio_read(BIO *b, char *data, size_t len, size_t *readbytes)
{
	struct o_end *e = BIO_get_data(b);
	int rc;

	BIO_clear_retry_flags(b);
	rc = bench_pipe_read(e->pair->pipe, e->end, data, len, readbytes);
	if (rc == 1)
		BIO_set_retry_read(b);
	return rc == 0;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static const char *suites13(const char *profile)
{
	if (profile && strcmp(profile, "aes128-gcm") == 0)
		return "TLS_AES_128_GCM_SHA256";
	if (profile && strcmp(profile, "chacha20") == 0)
		return "TLS_CHACHA20_POLY1305_SHA256";
	return "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
	       "TLS_CHACHA20_POLY1305_SHA256";
}

static const char *suites12(const char *profile)
{
	if (profile && strcmp(profile, "aes128-gcm") == 0)
		return "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
	if (profile && strcmp(profile, "chacha20") == 0)
		return "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
	return "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	       "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	       "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
}

static int load_identity(SSL_CTX *sc, const char *cert, const char *key)
{
	BIO *cb = BIO_new_mem_buf(cert, -1), *kb = BIO_new_mem_buf(key, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	int ok = x && k && SSL_CTX_use_certificate(sc, x) &&
		 SSL_CTX_use_PrivateKey(sc, k) && SSL_CTX_check_private_key(sc);
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	BIO_free(kb);
	return ok;
}

static int load_ca(SSL_CTX *sc, const char *ca)
{
	BIO *b = BIO_new_mem_buf(ca, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	int ok = x && X509_STORE_add_cert(SSL_CTX_get_cert_store(sc), x);
	X509_free(x);
	BIO_free(b);
	return ok;
}

static SSL_CTX *make_ctx(const struct bench_variant *v,
			 const struct bench_certs *certs, int server)
{
	SSL_CTX *sc = SSL_CTX_new(TLS_method());
	uint64_t opts = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
	long mode = SSL_MODE_ENABLE_PARTIAL_WRITE |
		    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
	int ok = sc != NULL;

	if (!ok)
		return NULL;
	if (server)
		opts |= SSL_OP_CIPHER_SERVER_PREFERENCE;
	if (v->lean)
		mode |= SSL_MODE_RELEASE_BUFFERS;
	SSL_CTX_set_options(sc, opts);
	SSL_CTX_set_mode(sc, mode);
	ok = ok && SSL_CTX_set_min_proto_version(sc, TLS1_2_VERSION);
	ok = ok && SSL_CTX_set_max_proto_version(
			   sc, v->tls12_only ? TLS1_2_VERSION : TLS1_3_VERSION);
	ok = ok && SSL_CTX_set_ciphersuites(sc, suites13(v->profile));
	ok = ok && SSL_CTX_set_cipher_list(sc, suites12(v->profile));
	ok = ok && SSL_CTX_set1_groups_list(sc, "X25519:P-256:P-384");
	if (server) {
		ok = ok && load_identity(sc,
					 v->rsa ? certs->rsa_cert_pem
						: certs->ecdsa_cert_pem,
					 v->rsa ? certs->rsa_key_pem
						: certs->ecdsa_key_pem);
		ok = ok && SSL_CTX_set_session_id_context(
				   sc, (const unsigned char *)"bench", 5);
	} else {
		ok = ok && load_ca(sc, certs->ca_pem);
		SSL_CTX_set_verify(sc, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_session_cache_mode(
			sc, SSL_SESS_CACHE_CLIENT |
				    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	}
	if (!ok) {
		SSL_CTX_free(sc);
		return NULL;
	}
	return sc;
}

static void env_free(void *e)
{
	struct o_env *env = e;
	if (!env)
		return;
	SSL_CTX_free(env->c);
	SSL_CTX_free(env->s);
	SSL_SESSION_free(env->session);
	free(env);
}

static int env_new(const struct bench_variant *v,
		   const struct bench_certs *certs, void **out, char *err,
		   size_t errlen)
{
	struct o_env *env = calloc(1, sizeof(*env));

	if (!g_method) {
		g_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
					"bench pipe");
		if (!g_method || !BIO_meth_set_write_ex(g_method, bio_write) ||
		    !BIO_meth_set_read_ex(g_method, bio_read) ||
		    !BIO_meth_set_ctrl(g_method, bio_ctrl) ||
		    !BIO_meth_set_create(g_method, bio_create)) {
			free(env);
			snprintf(err, errlen, "openssl: BIO method");
			return -1;
		}
	}
	if (!env)
		return -1;
	env->v = v;
	env->c = make_ctx(v, certs, 0);
	env->s = make_ctx(v, certs, 1);
	if (!env->c || !env->s) {
		snprintf(err, errlen, "openssl: context: %s",
			 ERR_reason_error_string(ERR_get_error()));
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
	bench_count_side(SIDE_CLIENT);
	if (p->ssl[0] && SSL_is_init_finished(p->ssl[0]))
		(void)SSL_shutdown(p->ssl[0]);
	SSL_free(p->ssl[0]);
	bench_count_side(SIDE_SERVER);
	if (p->ssl[1] && SSL_is_init_finished(p->ssl[1]))
		(void)SSL_shutdown(p->ssl[1]);
	SSL_free(p->ssl[1]);
	bench_count_side(SIDE_NONE);
	bench_pipe_free(p->pipe);
	for (int i = 0; i < 2; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	free(p);
}

static int attach(struct bench_pair *p, int i)
{
	if (p->env->v->tcp)
		return SSL_set_fd(p->ssl[i], p->fds[i]);
	BIO *b = BIO_new(g_method);
	if (!b)
		return 0;
	p->ends[i].pair = p;
	p->ends[i].end = i;
	BIO_set_data(b, &p->ends[i]);
	SSL_set_bio(p->ssl[i], b, b);
	return 1;
}

static int pair_new(void *e, const void *session, struct bench_pair **out)
{
	struct o_env *env = e;
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
	p->ssl[0] = SSL_new(env->c);
	ok = p->ssl[0] && attach(p, 0);
	if (ok) {
		SSL_set_connect_state(p->ssl[0]);
		ok = SSL_set_tlsext_host_name(p->ssl[0], BENCH_HOST) &&
		     SSL_set1_host(p->ssl[0], BENCH_HOST);
	}
	if (ok && session) {
		/* A TLS 1.3 SSL_SESSION is for one resumption (OpenSSL marks
		 * it used); a copy per connection, as plugtls's import. */
		SSL_SESSION *copy = SSL_SESSION_dup((SSL_SESSION *)session);
		ok = copy && SSL_set_session(p->ssl[0], copy);
		SSL_SESSION_free(copy);
	}
	bench_count_side(SIDE_SERVER);
	if (ok) {
		p->ssl[1] = SSL_new(env->s);
		ok = p->ssl[1] && attach(p, 1);
		if (ok)
			SSL_set_accept_state(p->ssl[1]);
	}
	bench_count_side(SIDE_NONE);
	if (!ok) {
		pair_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static int result(struct bench_pair *p, SSL *ssl, int ret)
{
	int e = SSL_get_error(ssl, ret);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return BENCH_AGAIN;
	snprintf(p->err, sizeof(p->err), "openssl: SSL error %d: %s", e,
		 ERR_reason_error_string(ERR_peek_error()));
	ERR_clear_error();
	return BENCH_ERR;
}

static int handshake(struct bench_pair *p, int side)
{
	SSL *ssl = p->ssl[side - 1];
	int ret = SSL_do_handshake(ssl);
	return ret == 1 ? BENCH_DONE : result(p, ssl, ret);
}

static int bwrite(struct bench_pair *p, int side, const void *buf,
		  size_t len, size_t *n)
{
	SSL *ssl = p->ssl[side - 1];
	int ret = SSL_write_ex(ssl, buf, len, n);
	return ret == 1 ? BENCH_DONE : result(p, ssl, ret);
}

static int bread(struct bench_pair *p, int side, void *buf, size_t len,
		 size_t *n)
{
	SSL *ssl = p->ssl[side - 1];
	int ret = SSL_read_ex(ssl, buf, len, n);
	return ret == 1 ? BENCH_DONE : result(p, ssl, ret);
}

static int resumed(struct bench_pair *p)
{
	return SSL_session_reused(p->ssl[0]);
}

static int session_get(void *e, struct bench_pair *p, const void **out)
{
	struct o_env *env = e;
	if (!env->session) {
		env->session = SSL_get1_session(p->ssl[0]);
		if (!env->session || !SSL_SESSION_is_resumable(env->session))
			return -1;
	}
	*out = env->session;
	return 0;
}

static const char *last_error(struct bench_pair *p)
{
	return p ? p->err : "";
}

const struct bench_impl bench_native_openssl = {
	.provider = "openssl",
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
