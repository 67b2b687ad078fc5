/*
 * The workloads, written once over struct bench_impl: full and resumed
 * handshakes, bulk transfer, idle memory and allocations per handshake.
 * Client and server run in the calling thread, alternately.
 */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ROUNDS 1000     /* handshake flights before giving up */
#define MAX_SPINS 1000000   /* transfer steps without completing */

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(char *err, size_t errlen, const struct bench_impl *im,
		struct bench_pair *p, const char *what)
{
	snprintf(err, errlen, "%s/%s: %s: %s", im->provider, im->kind, what,
		 p ? im->last_error(p) : "could not create the connections");
	return -1;
}

int bench_handshake(const struct bench_impl *im, struct bench_pair *p,
		    char *err, size_t errlen)
{
	int done[2] = {0, 0};
	for (int round = 0; round < MAX_ROUNDS; round++) {
		for (int s = 0; s < 2; s++) {
			if (done[s])
				continue;
			bench_count_side(s + 1);
			int r = im->handshake(p, s + 1);
			bench_count_side(SIDE_NONE);
			if (r == BENCH_ERR)
				return fail(err, errlen, im, p, "handshake");
			done[s] = r == BENCH_DONE;
		}
		if (done[0] && done[1])
			return 0;
	}
	return fail(err, errlen, im, p, "handshake made no progress");
}

/* Move len bytes from side `from` to side `to`; the receiver's read bytes
 * are what counts. */
static int xfer(const struct bench_impl *im, struct bench_pair *p, int from,
		const unsigned char *src, unsigned char *dst, size_t len,
		char *err, size_t errlen)
{
	size_t put = 0, got = 0;
	int to = from == SIDE_CLIENT ? SIDE_SERVER : SIDE_CLIENT;

	for (long spin = 0; got < len; spin++) {
		size_t n = 0;
		int r;
		if (spin > MAX_SPINS)
			return fail(err, errlen, im, p, "transfer stalled");
		if (put < len) {
			bench_count_side(from);
			r = im->write(p, from, src + put, len - put, &n);
			bench_count_side(SIDE_NONE);
			if (r == BENCH_ERR)
				return fail(err, errlen, im, p, "write");
			if (r == BENCH_DONE)
				put += n;
		}
		n = 0;
		bench_count_side(to);
		r = im->read(p, to, dst + got, len - got, &n);
		bench_count_side(SIDE_NONE);
		if (r == BENCH_ERR)
			return fail(err, errlen, im, p, "read");
		if (r == BENCH_DONE)
			got += n;
	}
	return 0;
}

/* One byte each way: the client reads the server's tickets, so the pair is
 * established and idle, with nothing left in flight. */
static int pingpong(const struct bench_impl *im, struct bench_pair *p,
		    char *err, size_t errlen)
{
	unsigned char a = 'x', b = 0;
	if (xfer(im, p, SIDE_CLIENT, &a, &b, 1, err, errlen) ||
	    xfer(im, p, SIDE_SERVER, &a, &b, 1, err, errlen))
		return -1;
	return 0;
}

static int open_idle(const struct bench_impl *im, void *env,
		     struct bench_pair **out, char *err, size_t errlen)
{
	struct bench_pair *p = NULL;
	if (im->pair_new(env, NULL, &p))
		return fail(err, errlen, im, NULL, "pair");
	if (bench_handshake(im, p, err, errlen) ||
	    pingpong(im, p, err, errlen)) {
		im->pair_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static int more(const struct bench_limit *lim, long done, double t0)
{
	if (lim->count > 0)
		return done < lim->count;
	/* Check the clock every iteration: a handshake is long. */
	return bench_now() - t0 < lim->seconds;
}

int bench_full(const struct bench_impl *im, void *env,
	       const struct bench_limit *lim, double *rate, char *err,
	       size_t errlen)
{
	long n = 0;
	double t0 = bench_now();
	while (more(lim, n, t0)) {
		struct bench_pair *p = NULL;
		if (im->pair_new(env, NULL, &p))
			return fail(err, errlen, im, NULL, "pair");
		int rc = bench_handshake(im, p, err, errlen);
		im->pair_free(p);
		if (rc)
			return -1;
		n++;
	}
	*rate = (double)n / (bench_now() - t0);
	return 0;
}

int bench_resumed(const struct bench_impl *im, void *env,
		  const struct bench_limit *lim, double *rate, char *err,
		  size_t errlen)
{
	struct bench_pair *p = NULL;
	const void *sess = NULL;
	long n = 0;

	if (open_idle(im, env, &p, err, errlen))
		return -1;
	int rc = im->session_get(env, p, &sess);
	im->pair_free(p);
	if (rc)
		return fail(err, errlen, im, NULL, "no resumable session");
	double t0 = bench_now();
	while (more(lim, n, t0)) {
		if (im->pair_new(env, sess, &p))
			return fail(err, errlen, im, NULL, "pair");
		rc = bench_handshake(im, p, err, errlen);
		if (!rc && !im->resumed(p)) {
			snprintf(err, errlen, "%s/%s: the session did not resume",
				 im->provider, im->kind);
			rc = -1;
		}
		im->pair_free(p);
		if (rc)
			return -1;
		n++;
	}
	*rate = (double)n / (bench_now() - t0);
	return 0;
}

int bench_bulk(const struct bench_impl *im, void *env,
	       const struct bench_limit *lim, double *mbps, char *err,
	       size_t errlen)
{
	static unsigned char src[BENCH_RECORD], dst[BENCH_RECORD];
	struct bench_pair *p = NULL;
	long n = 0;
	double bytes = 0;

	memset(src, 0xa5, sizeof(src));
	if (open_idle(im, env, &p, err, errlen))
		return -1;
	double t0 = bench_now();
	while (more(lim, n, t0)) {
		if (xfer(im, p, SIDE_CLIENT, src, dst, BENCH_RECORD, err,
			 errlen)) {
			im->pair_free(p);
			return -1;
		}
		bytes += BENCH_RECORD;
		n++;
	}
	double dt = bench_now() - t0;
	im->pair_free(p);
	*mbps = bytes / dt / 1e6;
	return 0;
}

int bench_memory(const struct bench_impl *im, void *env, long conns,
		 enum bench_count_mode mode, struct bench_mem *out, char *err,
		 size_t errlen)
{
	struct bench_pair **pairs = calloc((size_t)conns, sizeof(*pairs));
	struct bench_counts c;
	long opened = 0, hs = conns < 50 ? conns : 50;
	int rc = 0;

	if (!pairs)
		return -1;
	/* Allocations per handshake: new pair, handshake, free; both sides
	 * and the transport. */
	bench_count_reset();
	bench_count_mode(mode);
	for (long i = 0; i < hs && rc == 0; i++) {
		struct bench_pair *p = NULL;
		if (im->pair_new(env, NULL, &p)) {
			rc = fail(err, errlen, im, NULL, "pair");
			break;
		}
		rc = bench_handshake(im, p, err, errlen);
		im->pair_free(p);
	}
	bench_count_mode(COUNT_OFF);
	bench_count_get(&c);
	out->mallocs_per_hs =
		(double)(c.calls[0] + c.calls[1] + c.calls[2]) / (double)hs;

	/* Bytes held by established idle connections. */
	bench_count_reset();
	bench_count_mode(mode);
	for (; opened < conns && rc == 0; opened++)
		rc = open_idle(im, env, &pairs[opened], err, errlen);
	bench_count_mode(COUNT_OFF);
	bench_count_get(&c);
	if (rc == 0) {
		out->client = (double)c.live[SIDE_CLIENT] / (double)conns;
		out->server = (double)c.live[SIDE_SERVER] / (double)conns;
		out->total = (double)(c.live[0] + c.live[1] + c.live[2]) /
			     (double)conns;
	}
	for (long i = 0; i < opened; i++)
		if (pairs[i])
			im->pair_free(pairs[i]);
	free(pairs);
	return rc;
}

int bench_open_many(const struct bench_impl *im, void *env, long conns,
		    struct bench_pair ***out, char *err, size_t errlen)
{
	struct bench_pair **pairs = calloc((size_t)conns, sizeof(*pairs));
	if (!pairs)
		return -1;
	for (long i = 0; i < conns; i++)
		if (open_idle(im, env, &pairs[i], err, errlen)) {
			for (long j = 0; j < i; j++)
				im->pair_free(pairs[j]);
			free(pairs);
			return -1;
		}
	*out = pairs;
	return 0;
}
