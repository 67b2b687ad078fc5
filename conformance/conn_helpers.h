/*
 * Helpers of the connection-side conformance tests (test_handshake.c,
 * test_socket.c, test_errors.c, test_logging.c). Static inline so that each
 * test executable takes only what it uses; everything goes through the
 * public API of plugtls.h, never through core internals.
 *
 * Every helper asserts (Criterion) on an unexpected failure of a step that
 * is not the subject of the test, so a test reads as its contract.
 * Criterion's asserts long-jump out of the test: call these only from the
 * test's own thread, never from a helper thread (test_socket.c collects
 * results in its threads and asserts after joining).
 */
#ifndef PT_CONN_HELPERS_H
#define PT_CONN_HELPERS_H

#include "common.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The host name every server certificate is issued for. */
#define CH_HOST "localhost"
/* The PKI fixtures used everywhere below. */
#define CH_CA FIXTURE("ca.pem")
#define CH_SERVER_CHAIN(k) FIXTURE("server-" k "-chain.pem")
#define CH_SERVER_KEY(k) FIXTURE("server-" k ".key")

static inline double ch_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int ch_pending(plugtls_err rc)
{
	return rc == PLUGTLS_WANT_READ || rc == PLUGTLS_WANT_WRITE;
}

static inline const char *ch_vname(unsigned v)
{
	return v == PLUGTLS_TLS1_3   ? "TLSv1.3"
	       : v == PLUGTLS_TLS1_2 ? "TLSv1.2"
	                             : "?";
}

/* ---- configs and contexts ----------------------------------------------- */

/* A client config trusting ca (NULL: no trust store). */
static inline plugtls_config *ch_client_cfg(const char *ca)
{
	plugtls_config *cfg = NULL;
	cr_assert_eq(plugtls_config_new(PLUGTLS_CLIENT, &cfg), PLUGTLS_OK);
	if (ca)
		cr_assert_eq(plugtls_config_add_ca_file(cfg, ca), PLUGTLS_OK,
		             "add_ca_file(%s): %s", ca,
		             plugtls_config_error(cfg)->message);
	return cfg;
}

/* A server config with chain and key files (both NULL: no certificate). */
static inline plugtls_config *ch_server_cfg(const char *chain, const char *key)
{
	plugtls_config *cfg = NULL;
	cr_assert_eq(plugtls_config_new(PLUGTLS_SERVER, &cfg), PLUGTLS_OK);
	if (chain)
		cr_assert_eq(plugtls_config_set_cert_file(cfg, chain),
		             PLUGTLS_OK, "set_cert_file(%s): %s", chain,
		             plugtls_config_error(cfg)->message);
	if (key)
		cr_assert_eq(plugtls_config_set_key_file(cfg, key, NULL),
		             PLUGTLS_OK, "set_key_file(%s): %s", key,
		             plugtls_config_error(cfg)->message);
	return cfg;
}

static inline void ch_protocols(plugtls_config *cfg, unsigned min, unsigned max)
{
	cr_assert_eq(plugtls_config_set_protocols(cfg, min, max), PLUGTLS_OK,
	             "set_protocols(%#x, %#x): %s", min, max,
	             plugtls_config_error(cfg)->message);
}

static inline void ch_add_psk(plugtls_config *cfg, const void *id,
                              size_t id_len, const void *key, size_t key_len)
{
	cr_assert_eq(plugtls_config_add_psk(cfg, id, id_len, key, key_len),
	             PLUGTLS_OK, "add_psk: %s",
	             plugtls_config_error(cfg)->message);
}

/* Build a context from cfg (asserting success), then free cfg. */
static inline plugtls_ctx *ch_ctx(const plugtls_provider *p,
                                  plugtls_config *cfg)
{
	plugtls_ctx *ctx = NULL;
	plugtls_err rc = plugtls_ctx_new(p, cfg, &ctx);
	cr_assert_eq(rc, PLUGTLS_OK, "%s: ctx_new: %s: %s",
	             plugtls_provider_name(p), plugtls_err_string(rc),
	             plugtls_config_error(cfg)->message);
	cr_assert_not_null(ctx);
	plugtls_config_free(cfg);
	return ctx;
}

/* ---- connections over a mempair ------------------------------------------ */

/* Free the connections and the mempair of a pair but keep its contexts (for
 * a second connection from the same contexts, e.g. resumption). */
static inline void ch_pair_free_conns(struct pt_pair *pp)
{
	plugtls_conn_free(pp->client);
	plugtls_conn_free(pp->server);
	plugtls_mempair_free(pp->mp);
	pp->client = NULL;
	pp->server = NULL;
	pp->mp = NULL;
}

/* Read once, retrying WANT_* (bounded: 1,000 tries, 5 s); the peer's bytes
 * must already be in flight (mempair). Returns the first other result. */
static inline plugtls_err ch_read_once(plugtls_conn *c, void *buf, size_t len,
                                       size_t *n)
{
	plugtls_err rc = PLUGTLS_WANT_READ;
	double deadline = ch_now() + 5.0;
	for (int i = 0; i < 1000 && ch_pending(rc) && ch_now() < deadline; i++)
		rc = plugtls_conn_read(c, buf, len, n);
	return rc;
}

/* Shutdown (bounded retry on WANT_*); asserts it is sent. */
static inline void ch_shutdown(plugtls_conn *c)
{
	plugtls_err rc = PLUGTLS_WANT_WRITE;
	for (int i = 0; i < 1000 && ch_pending(rc); i++)
		rc = plugtls_conn_shutdown(c);
	cr_assert_eq(rc, PLUGTLS_OK, "shutdown: %s (%s)",
	             plugtls_err_string(rc), plugtls_conn_error(c)->message);
}

/* a sends close_notify; b must read PLUGTLS_E_CLOSED (no data pending). */
static inline void ch_close_clean(plugtls_conn *a, plugtls_conn *b)
{
	unsigned char buf[64];
	size_t n = 0;
	ch_shutdown(a);
	plugtls_err rc = ch_read_once(b, buf, sizeof(buf), &n);
	cr_assert_eq(rc, PLUGTLS_E_CLOSED,
	             "read after peer's close_notify: got %s (%s), want closed",
	             plugtls_err_string(rc), plugtls_conn_error(b)->message);
}

/* Write all of buf (bounded; mempair: the peer need not read meanwhile when
 * len is well under the 256 KiB buffer). */
static inline void ch_write_all(plugtls_conn *c, const void *buf, size_t len)
{
	size_t off = 0;
	for (int i = 0; i < 10000 && off < len; i++) {
		size_t n = 0;
		plugtls_err rc = plugtls_conn_write(
		        c, (const unsigned char *)buf + off, len - off, &n);
		if (ch_pending(rc))
			continue;
		cr_assert_eq(rc, PLUGTLS_OK, "write: %s (%s)",
		             plugtls_err_string(rc),
		             plugtls_conn_error(c)->message);
		cr_assert(n > 0 && n <= len - off, "write moved %zu bytes", n);
		off += n;
	}
	cr_assert_eq(off, len, "wrote %zu of %zu bytes", off, len);
}

/* ---- a scripted in-memory transport (plugtls_conn_set_transport) --------
 *
 * Two directions, dir[0] client->server and dir[1] server->client. Each
 * direction may be cut after `limit` bytes: once the reader has consumed
 * that many, it reads end of stream (PLUGTLS_E_CLOSED), which is how a
 * peer that hangs up mid-flight looks from the wire. */
#define CH_PIPE_CAP (1u << 20)

struct ch_dir {
	unsigned char *buf;
	size_t len, off;
	size_t limit; /* SIZE_MAX: never cut */
	int eof;      /* end of stream once the buffered bytes are read */
};

struct ch_pipe {
	struct ch_dir dir[2];
	struct ch_end {
		struct ch_pipe *pipe;
		int end; /* 0 client, 1 server */
	} ends[2];
	size_t written[2]; /* bytes written by end 0 / end 1 */
};

static inline void ch_pipe_init(struct ch_pipe *p)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 2; i++) {
		p->dir[i].buf = malloc(CH_PIPE_CAP);
		cr_assert_not_null(p->dir[i].buf);
		p->dir[i].limit = SIZE_MAX;
		p->ends[i].pipe = p;
		p->ends[i].end = i;
	}
}

static inline void ch_pipe_fini(struct ch_pipe *p)
{
	free(p->dir[0].buf);
	free(p->dir[1].buf);
	memset(p, 0, sizeof(*p));
}

static inline plugtls_err ch_pipe_read(void *user, void *buf, size_t len,
                                       size_t *n)
{
	struct ch_end *e = user;
	struct ch_dir *d = &e->pipe->dir[1 - e->end];
	size_t avail = d->len - d->off;
	if (d->off >= d->limit)
		return PLUGTLS_E_CLOSED;
	if (avail > d->limit - d->off)
		avail = d->limit - d->off;
	if (avail == 0)
		return d->eof ? PLUGTLS_E_CLOSED : PLUGTLS_WANT_READ;
	if (len > avail)
		len = avail;
	memcpy(buf, d->buf + d->off, len);
	d->off += len;
	*n = len;
	return PLUGTLS_OK;
}

static inline plugtls_err ch_pipe_write(void *user, const void *buf, size_t len,
                                        size_t *n)
{
	struct ch_end *e = user;
	struct ch_dir *d = &e->pipe->dir[e->end];
	if (d->eof)
		return PLUGTLS_E_IO;
	if (d->len == CH_PIPE_CAP)
		return PLUGTLS_WANT_WRITE;
	if (len > CH_PIPE_CAP - d->len)
		len = CH_PIPE_CAP - d->len;
	memcpy(d->buf + d->len, buf, len);
	d->len += len;
	e->pipe->written[e->end] += len;
	*n = len;
	return PLUGTLS_OK;
}

static inline void ch_pipe_attach(struct ch_pipe *p, plugtls_conn *c, int end)
{
	cr_assert_eq(plugtls_conn_set_transport(c, ch_pipe_read, ch_pipe_write,
	                                        &p->ends[end]),
	             PLUGTLS_OK, "set_transport: %s",
	             plugtls_conn_error(c)->message);
}

/* ---- small utilities ------------------------------------------------------
 */

static inline void ch_hex(const unsigned char *in, size_t len, char *out,
                          int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = 0;
}

/* memmem that does not need _GNU_SOURCE ordering tricks. */
static inline const void *ch_memmem(const void *hay, size_t hay_len,
                                    const void *needle, size_t needle_len)
{
	const unsigned char *h = hay;
	if (needle_len == 0 || needle_len > hay_len)
		return NULL;
	for (size_t i = 0; i + needle_len <= hay_len; i++)
		if (h[i] == *(const unsigned char *)needle &&
		    memcmp(h + i, needle, needle_len) == 0)
			return h + i;
	return NULL;
}

#endif
