/*
 * Helpers of the thread tests (tests/threads/). These are plain programs,
 * not Criterion tests: Criterion's asserts long-jump out of the test's own
 * thread only, and its forked workers would put the runner itself under
 * ThreadSanitizer. A failed check prints where and why from any thread and
 * counts; main() exits non-zero when the count is not zero. Everything goes
 * through the public API of plugtls.h.
 *
 * Every loop is bounded in steps and in time (TH_DEADLINE_S per loop).
 */
#ifndef PT_THREADS_H
#define PT_THREADS_H

#include <plugtls/plugtls.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef PT_FIXTURE_DIR
#error "PT_FIXTURE_DIR must be defined by the build"
#endif
#define TH_FIXTURE(name) PT_FIXTURE_DIR "/" name
#define TH_HOST "localhost"
#define TH_DEADLINE_S 60.0
#define TH_MAX_THREADS 32

static atomic_uint th_failures;

/* Record a failure unless cond holds; returns cond. The message arguments
 * are evaluated either way. */
#define TH_CHECK(cond, ...)                                                    \
	th_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

static inline bool th_check(bool ok, const char *file, int line,
			    const char *what, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static inline bool th_check(bool ok, const char *file, int line,
			    const char *what, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (ok)
		return true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s:%d: FAILED %s: %s\n", file, line, what, msg);
	atomic_fetch_add(&th_failures, 1);
	return false;
}

static inline int th_exit_code(const char *prog)
{
	unsigned n = atomic_load(&th_failures);

	if (n)
		fprintf(stderr, "%s: %u check(s) failed\n", prog, n);
	else
		printf("%s: all checks passed\n", prog);
	return n ? 1 : 0;
}

static inline double th_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline bool th_pending(plugtls_err rc)
{
	return rc == PLUGTLS_WANT_READ || rc == PLUGTLS_WANT_WRITE;
}

/* Start n threads on fn(args + i * size); join them all. */
static inline bool th_run(size_t n, void *(*fn)(void *), void *args,
			  size_t size)
{
	pthread_t tid[TH_MAX_THREADS];
	size_t started = 0;
	bool ok = true;

	if (!TH_CHECK(n <= TH_MAX_THREADS, "%zu threads", n))
		return false;
	for (; started < n; started++)
		if (!TH_CHECK(pthread_create(&tid[started], NULL, fn,
					     (char *)args + started * size) ==
				      0,
			      "thread %zu", started)) {
			ok = false;
			break;
		}
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return ok;
}

/* Every compiled-in provider, got once (the caller releases each). */
static inline size_t th_providers(const plugtls_provider **out, size_t cap)
{
	size_t n = plugtls_provider_count(), got = 0;

	for (size_t i = 0; i < n && got < cap; i++) {
		const char *name = plugtls_provider_name_at(i);
		plugtls_err rc = plugtls_provider_get(name, &out[got]);
		if (TH_CHECK(rc == PLUGTLS_OK, "provider %s: %s "
			     "(set PLUGTLS_ACCEPT_VULNERABLE as README says)",
			     name, plugtls_thread_error()->message))
			got++;
	}
	return got;
}

/* ---- contexts ------------------------------------------------------------ */

/* A client context trusting the fixture CA, TLS min..max. */
static inline plugtls_ctx *th_client_ctx(const plugtls_provider *p,
					 unsigned min, unsigned max)
{
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;

	if (!TH_CHECK(plugtls_config_new(PLUGTLS_CLIENT, &cfg) == PLUGTLS_OK,
		      "config_new"))
		return NULL;
	if (TH_CHECK(plugtls_config_add_ca_file(cfg, TH_FIXTURE("ca.pem")) ==
			     PLUGTLS_OK,
		     "%s", plugtls_config_error(cfg)->message) &&
	    TH_CHECK(plugtls_config_set_protocols(cfg, min, max) == PLUGTLS_OK,
		     "%s", plugtls_config_error(cfg)->message))
		TH_CHECK(plugtls_ctx_new(p, cfg, &ctx) == PLUGTLS_OK,
			 "%s: client ctx_new: %s", plugtls_provider_name(p),
			 plugtls_config_error(cfg)->message);
	plugtls_config_free(cfg);
	return ctx;
}

/* A server context with the ECDSA leaf + intermediate of the fixtures. */
static inline plugtls_ctx *th_server_ctx(const plugtls_provider *p)
{
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;

	if (!TH_CHECK(plugtls_config_new(PLUGTLS_SERVER, &cfg) == PLUGTLS_OK,
		      "config_new"))
		return NULL;
	if (TH_CHECK(plugtls_config_set_cert_file(
			     cfg, TH_FIXTURE("server-ec-chain.pem")) ==
			     PLUGTLS_OK,
		     "%s", plugtls_config_error(cfg)->message) &&
	    TH_CHECK(plugtls_config_set_key_file(
			     cfg, TH_FIXTURE("server-ec.key"), NULL) ==
			     PLUGTLS_OK,
		     "%s", plugtls_config_error(cfg)->message))
		TH_CHECK(plugtls_ctx_new(p, cfg, &ctx) == PLUGTLS_OK,
			 "%s: server ctx_new: %s", plugtls_provider_name(p),
			 plugtls_config_error(cfg)->message);
	plugtls_config_free(cfg);
	return ctx;
}

/* ---- one connection pair over a mempair ----------------------------------- */

struct th_pair {
	plugtls_mempair *mp;
	plugtls_conn *client, *server;
};

static inline void th_pair_free(struct th_pair *tp)
{
	plugtls_conn_free(tp->client);
	plugtls_conn_free(tp->server);
	plugtls_mempair_free(tp->mp);
	memset(tp, 0, sizeof(*tp));
}

/* Connections from cctx and sctx over a new mempair, client host set. */
static inline bool th_pair_new(struct th_pair *tp, plugtls_ctx *cctx,
			       plugtls_ctx *sctx)
{
	memset(tp, 0, sizeof(*tp));
	if (TH_CHECK(plugtls_mempair_new(&tp->mp) == PLUGTLS_OK, "mempair") &&
	    TH_CHECK(plugtls_conn_new(cctx, &tp->client) == PLUGTLS_OK, "%s",
		     plugtls_ctx_error(cctx)->message) &&
	    TH_CHECK(plugtls_conn_new(sctx, &tp->server) == PLUGTLS_OK, "%s",
		     plugtls_ctx_error(sctx)->message) &&
	    TH_CHECK(plugtls_conn_set_mempair(tp->client, tp->mp, 0) ==
			     PLUGTLS_OK,
		     "set_mempair") &&
	    TH_CHECK(plugtls_conn_set_mempair(tp->server, tp->mp, 1) ==
			     PLUGTLS_OK,
		     "set_mempair") &&
	    TH_CHECK(plugtls_conn_set_host(tp->client, TH_HOST) == PLUGTLS_OK,
		     "set_host"))
		return true;
	th_pair_free(tp);
	return false;
}

/* Drive both handshakes to completion; both must succeed. */
static inline bool th_handshake(struct th_pair *tp)
{
	plugtls_err crc = PLUGTLS_WANT_WRITE, src = PLUGTLS_WANT_READ;
	double deadline = th_now() + TH_DEADLINE_S;

	for (int step = 0; step < 10000 && th_now() < deadline; step++) {
		if (th_pending(crc))
			crc = plugtls_conn_handshake(tp->client);
		if (th_pending(src))
			src = plugtls_conn_handshake(tp->server);
		if (!th_pending(crc) && !th_pending(src))
			break;
		if ((!th_pending(crc) && crc != PLUGTLS_OK) ||
		    (!th_pending(src) && src != PLUGTLS_OK))
			break;
	}
	return TH_CHECK(crc == PLUGTLS_OK && src == PLUGTLS_OK,
			"handshake: client %s (%s), server %s (%s)",
			plugtls_err_string(crc),
			plugtls_conn_error(tp->client)->message,
			plugtls_err_string(src),
			plugtls_conn_error(tp->server)->message);
}

/* Send len bytes (a pattern seeded by seed) from a to b; they must arrive
 * intact. */
static inline bool th_exchange(plugtls_conn *a, plugtls_conn *b, size_t len,
			       unsigned seed)
{
	unsigned char *out = malloc(len), *in = malloc(len);
	size_t sent = 0, got = 0;
	double deadline = th_now() + TH_DEADLINE_S;
	bool ok = false;

	if (!TH_CHECK(out && in, "out of memory"))
		goto out;
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)(i * 31 + seed);
	for (int step = 0; step < 100000 && got < len && th_now() < deadline;
	     step++) {
		size_t n = 0;
		plugtls_err rc;
		if (sent < len) {
			rc = plugtls_conn_write(a, out + sent, len - sent, &n);
			if (!TH_CHECK(rc == PLUGTLS_OK || th_pending(rc),
				      "write: %s (%s)", plugtls_err_string(rc),
				      plugtls_conn_error(a)->message))
				goto out;
			if (rc == PLUGTLS_OK)
				sent += n;
		}
		n = 0;
		rc = plugtls_conn_read(b, in + got, len - got, &n);
		if (!TH_CHECK(rc == PLUGTLS_OK || th_pending(rc),
			      "read: %s (%s)", plugtls_err_string(rc),
			      plugtls_conn_error(b)->message))
			goto out;
		if (rc == PLUGTLS_OK)
			got += n;
	}
	ok = TH_CHECK(got == len, "received %zu of %zu bytes", got, len) &&
	     TH_CHECK(memcmp(in, out, len) == 0, "data corrupted in transit");
out:
	free(out);
	free(in);
	return ok;
}

/* a sends close_notify; b must then read PLUGTLS_E_CLOSED. */
static inline bool th_close(plugtls_conn *a, plugtls_conn *b)
{
	plugtls_err rc = PLUGTLS_WANT_WRITE, rrc = PLUGTLS_WANT_READ;
	unsigned char buf[64];
	double deadline = th_now() + TH_DEADLINE_S;

	for (int step = 0; step < 1000 && th_pending(rc) && th_now() < deadline;
	     step++)
		rc = plugtls_conn_shutdown(a);
	if (!TH_CHECK(rc == PLUGTLS_OK, "shutdown: %s (%s)",
		      plugtls_err_string(rc), plugtls_conn_error(a)->message))
		return false;
	for (int step = 0;
	     step < 1000 && th_pending(rrc) && th_now() < deadline; step++) {
		size_t n = 0;
		rrc = plugtls_conn_read(b, buf, sizeof(buf), &n);
		/* Late TLS 1.3 tickets are consumed as no data. */
	}
	return TH_CHECK(rrc == PLUGTLS_E_CLOSED,
			"read after close_notify: %s (%s)",
			plugtls_err_string(rrc),
			plugtls_conn_error(b)->message);
}

#endif
