/*
 * The workload through plugtls: the default strict client config (chain
 * and host name verified against the CA), over plugtls_mempair (or a
 * loopback socket with plugtls_conn_set_fd).
 */
#include "bench.h"

#include <plugtls/plugtls.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pt_env {
	const struct bench_variant *v;
	const plugtls_provider *prov;
	plugtls_ctx *cctx, *sctx;
	unsigned char *session;
	size_t session_len;
};

struct bench_pair {
	struct pt_env *env;
	plugtls_mempair *mp;
	plugtls_conn *c[2]; /* client, server */
	int fds[2];
	plugtls_err last;
};

/* The provider each env binds to; set by bench_plugtls_impl before use. */
static const plugtls_provider *g_prov[3];
static const char *const g_names[3] = {"openssl", "gnutls", "wolfssl"};

static int prov_index(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(g_names[i], name) == 0)
			return i;
	return -1;
}

static int make_ctx(const plugtls_provider *p, const struct bench_variant *v,
		    const struct bench_certs *certs, int server,
		    plugtls_ctx **out, char *err, size_t errlen)
{
	plugtls_config *cfg = NULL;
	plugtls_err rc;
	const char *cert = v->rsa ? certs->rsa_cert_pem : certs->ecdsa_cert_pem;
	const char *key = v->rsa ? certs->rsa_key_pem : certs->ecdsa_key_pem;

	rc = plugtls_config_new(server ? PLUGTLS_SERVER : PLUGTLS_CLIENT, &cfg);
	if (rc)
		goto out;
	if (server) {
		rc = plugtls_config_set_cert_mem(cfg, cert, strlen(cert));
		if (!rc)
			rc = plugtls_config_set_key_mem(cfg, key, strlen(key),
							NULL);
	} else {
		rc = plugtls_config_add_ca_mem(cfg, certs->ca_pem,
					       strlen(certs->ca_pem));
	}
	if (!rc && v->tls12_only)
		rc = plugtls_config_set_protocols(cfg, PLUGTLS_TLS1_2,
						  PLUGTLS_TLS1_2);
	if (!rc && v->profile)
		rc = plugtls_config_set_profile(cfg, v->profile);
	if (!rc)
		rc = plugtls_ctx_new(p, cfg, out);
out:
	if (rc)
		snprintf(err, errlen, "plugtls %s config: %s",
			 server ? "server" : "client",
			 cfg ? plugtls_config_error(cfg)->message
			     : plugtls_thread_error()->message);
	plugtls_config_free(cfg);
	return rc ? -1 : 0;
}

static void env_free(void *e)
{
	struct pt_env *env = e;
	if (!env)
		return;
	plugtls_ctx_free(env->cctx);
	plugtls_ctx_free(env->sctx);
	if (env->session) {
		memset(env->session, 0, env->session_len);
		free(env->session);
	}
	free(env);
}

static int env_new_for(int idx, const struct bench_variant *v,
		       const struct bench_certs *certs, void **out, char *err,
		       size_t errlen)
{
	struct pt_env *env = calloc(1, sizeof(*env));
	if (!env)
		return -1;
	env->v = v;
	env->prov = g_prov[idx];
	if (make_ctx(env->prov, v, certs, 0, &env->cctx, err, errlen) ||
	    make_ctx(env->prov, v, certs, 1, &env->sctx, err, errlen)) {
		env_free(env);
		return -1;
	}
	*out = env;
	return 0;
}

#define ENV_NEW(i)                                                             \
	static int env_new_##i(const struct bench_variant *v,                  \
			       const struct bench_certs *certs, void **out,    \
			       char *err, size_t errlen)                       \
	{                                                                      \
		return env_new_for(i, v, certs, out, err, errlen);             \
	}
ENV_NEW(0)
ENV_NEW(1)
ENV_NEW(2)

static void pair_free(struct bench_pair *p)
{
	if (!p)
		return;
	bench_count_side(SIDE_CLIENT);
	plugtls_conn_free(p->c[0]);
	bench_count_side(SIDE_SERVER);
	plugtls_conn_free(p->c[1]);
	bench_count_side(SIDE_NONE);
	plugtls_mempair_free(p->mp);
	for (int i = 0; i < 2; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	free(p);
}

static int pair_new(void *e, const void *session, struct bench_pair **out)
{
	struct pt_env *env = e;
	struct bench_pair *p = calloc(1, sizeof(*p));
	plugtls_err rc;

	if (!p)
		return -1;
	p->env = env;
	p->fds[0] = p->fds[1] = -1;
	if (env->v->tcp) {
		if (bench_tcp_pair(p->fds) != 0)
			goto fail;
	} else if (plugtls_mempair_new(&p->mp)) {
		goto fail;
	}
	bench_count_side(SIDE_CLIENT);
	rc = plugtls_conn_new(env->cctx, &p->c[0]);
	if (!rc)
		rc = plugtls_conn_set_host(p->c[0], BENCH_HOST);
	if (!rc)
		rc = env->v->tcp ? plugtls_conn_set_fd(p->c[0], p->fds[0])
				 : plugtls_conn_set_mempair(p->c[0], p->mp, 0);
	if (!rc && session)
		rc = plugtls_conn_set_session(p->c[0], env->session,
					      env->session_len);
	bench_count_side(SIDE_SERVER);
	if (!rc)
		rc = plugtls_conn_new(env->sctx, &p->c[1]);
	if (!rc)
		rc = env->v->tcp ? plugtls_conn_set_fd(p->c[1], p->fds[1])
				 : plugtls_conn_set_mempair(p->c[1], p->mp, 1);
	bench_count_side(SIDE_NONE);
	if (rc)
		goto fail;
	*out = p;
	return 0;
fail:
	pair_free(p);
	return -1;
}

static int map(struct bench_pair *p, plugtls_err rc)
{
	p->last = rc;
	if (rc == PLUGTLS_OK)
		return BENCH_DONE;
	if (rc == PLUGTLS_WANT_READ || rc == PLUGTLS_WANT_WRITE)
		return BENCH_AGAIN;
	return BENCH_ERR;
}

static int handshake(struct bench_pair *p, int side)
{
	return map(p, plugtls_conn_handshake(p->c[side - 1]));
}

static int bwrite(struct bench_pair *p, int side, const void *buf,
		  size_t len, size_t *n)
{
	return map(p, plugtls_conn_write(p->c[side - 1], buf, len, n));
}

static int bread(struct bench_pair *p, int side, void *buf, size_t len,
		 size_t *n)
{
	return map(p, plugtls_conn_read(p->c[side - 1], buf, len, n));
}

static int resumed(struct bench_pair *p)
{
	return plugtls_conn_resumed(p->c[0]);
}

static int session_get(void *e, struct bench_pair *p, const void **out)
{
	struct pt_env *env = e;
	size_t need = 0;

	if (!env->session) {
		if (plugtls_conn_session_export(p->c[0], NULL, 0, &need))
			return -1;
		env->session = malloc(need);
		if (!env->session)
			return -1;
		if (plugtls_conn_session_export(p->c[0], env->session, need,
						&need)) {
			free(env->session);
			env->session = NULL;
			return -1;
		}
		env->session_len = need;
	}
	*out = env->session;
	return 0;
}

static const char *last_error(struct bench_pair *p)
{
	for (int i = 0; i < 2; i++)
		if (p && p->c[i] && plugtls_conn_error(p->c[i])->code)
			return plugtls_conn_error(p->c[i])->message;
	return plugtls_thread_error()->message;
}

int bench_plugtls_impl(const char *provider, struct bench_impl *out,
		       char *err, size_t errlen)
{
	static int (*const env_news[3])(const struct bench_variant *,
					const struct bench_certs *, void **,
					char *, size_t) = {env_new_0, env_new_1,
							   env_new_2};
	int i = prov_index(provider);

	if (i < 0) {
		snprintf(err, errlen, "unknown provider %s", provider);
		return -1;
	}
	if (!g_prov[i] && plugtls_provider_get(provider, &g_prov[i])) {
		snprintf(err, errlen, "%s", plugtls_thread_error()->message);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->provider = g_names[i];
	out->kind = "plugtls";
	out->env_new = env_news[i];
	out->env_free = env_free;
	out->pair_new = pair_new;
	out->pair_free = pair_free;
	out->handshake = handshake;
	out->write = bwrite;
	out->read = bread;
	out->resumed = resumed;
	out->session_get = session_get;
	out->last_error = last_error;
	return 0;
}

const char *bench_plugtls_version(const char *provider)
{
	int i = prov_index(provider);
	return i >= 0 && g_prov[i] ? plugtls_provider_version(g_prov[i]) : "";
}

void bench_plugtls_done(void)
{
	for (int i = 0; i < 3; i++) {
		plugtls_provider_release(g_prov[i]);
		g_prov[i] = NULL;
	}
}
