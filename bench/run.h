/* plugtls-bench: the workloads (run.c). */
#ifndef PLUGTLS_BENCH_RUN_H
#define PLUGTLS_BENCH_RUN_H

#include "bench.h"

/* One repetition lasts `seconds`, or `count` iterations when count > 0. */
struct bench_limit {
	double seconds;
	long count;
};

struct bench_mem {
	double client, server, total; /* live bytes per idle connection pair */
	double mallocs_per_hs;        /* calls per full handshake, both sides */
};

double bench_now(void);
int bench_handshake(const struct bench_impl *im, struct bench_pair *p,
		    char *err, size_t errlen);
int bench_full(const struct bench_impl *im, void *env,
	       const struct bench_limit *lim, double *rate, char *err,
	       size_t errlen);
int bench_resumed(const struct bench_impl *im, void *env,
		  const struct bench_limit *lim, double *rate, char *err,
		  size_t errlen);
int bench_bulk(const struct bench_impl *im, void *env,
	       const struct bench_limit *lim, double *mbps, char *err,
	       size_t errlen);
int bench_memory(const struct bench_impl *im, void *env, long conns,
		 enum bench_count_mode mode, struct bench_mem *out, char *err,
		 size_t errlen);
/* conns established idle pairs (for the RSS child). */
int bench_open_many(const struct bench_impl *im, void *env, long conns,
		    struct bench_pair ***out, char *err, size_t errlen);

#endif
