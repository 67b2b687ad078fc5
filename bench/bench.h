/*
 * plugtls-bench: shared declarations.
 *
 * Every workload is written once (bench_run.c) against a small interface
 * (struct bench_impl) that has two implementations per provider: plugtls
 * (impl_plugtls.c) and the provider's own API (native_*.c). Both run in
 * the same process, with client and server in the same thread.
 */
#ifndef PLUGTLS_BENCH_H
#define PLUGTLS_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_HOST "bench.test"
#define BENCH_RECORD (16u * 1024u)

/* Outcome of one step of an implementation. */
enum { BENCH_DONE = 0, BENCH_AGAIN = 1, BENCH_ERR = -1 };

enum bench_side { SIDE_NONE = 0, SIDE_CLIENT = 1, SIDE_SERVER = 2 };

/* One workload configuration. */
struct bench_variant {
	const char *name;
	int tls12_only;      /* else the default range 1.2..1.3 (1.3 wins) */
	int rsa;             /* RSA-2048 server certificate, else ECDSA P-256 */
	const char *profile; /* plugtls profile name; NULL = "modern" */
	int lean;            /* natives: the provider's lean idle setting */
	int tcp;             /* loopback TCP instead of the in-memory pair */
};

/* A connected loopback TCP pair, both ends non-blocking; 0 on success. */
int bench_tcp_pair(int fds[2]);

/* Keys and certificates generated at run time (certs.c), PEM. */
struct bench_certs {
	char *ca_pem;
	char *ecdsa_cert_pem, *ecdsa_key_pem;
	char *rsa_cert_pem, *rsa_key_pem;
};

int bench_certs_generate(struct bench_certs *out, char *err, size_t errlen);
void bench_certs_free(struct bench_certs *c);

struct bench_pair; /* a client and a server connection over one transport */

struct bench_impl {
	const char *provider; /* "openssl", "gnutls", "wolfssl" */
	const char *kind;     /* "plugtls" or "native" */
	/* Client and server contexts for one variant. */
	int (*env_new)(const struct bench_variant *v,
		       const struct bench_certs *certs, void **env, char *err,
		       size_t errlen);
	void (*env_free)(void *env);
	/* Transport plus both connections, not yet handshaking. A session
	 * from session_get (or NULL) is offered by the client. */
	int (*pair_new)(void *env, const void *session, struct bench_pair **out);
	void (*pair_free)(struct bench_pair *p);
	/* One step of one side: BENCH_DONE, BENCH_AGAIN or BENCH_ERR. */
	int (*handshake)(struct bench_pair *p, int side);
	int (*write)(struct bench_pair *p, int side, const void *buf,
		     size_t len, size_t *n);
	int (*read)(struct bench_pair *p, int side, void *buf, size_t len,
		    size_t *n);
	int (*resumed)(struct bench_pair *p);
	/* A resumable client session (after a read that saw the ticket),
	 * owned by the env afterwards; 0 on success. */
	int (*session_get)(void *env, struct bench_pair *p, const void **out);
	/* A message for the last failure, or "". */
	const char *(*last_error)(struct bench_pair *p);
};

/* ---- allocation counting (alloc_count.c) ---- */

enum bench_count_mode {
	COUNT_OFF = 0,
	COUNT_HOOK = 1, /* provider allocator hooks + plugtls allocator */
	COUNT_ALL = 2   /* every malloc of the process (interposer) */
};

struct bench_counts {
	uint64_t calls[3]; /* malloc/calloc/realloc calls, by side */
	int64_t live[3];   /* bytes allocated minus freed, by side */
};

/* Installs the OpenSSL and wolfSSL allocator hooks and the plugtls
 * allocator; must run first in main. */
void bench_alloc_init(void);
void bench_count_mode(enum bench_count_mode m);
/* The method used for a provider's figures. */
enum bench_count_mode bench_mode_for(const char *provider);
void bench_count_side(int side);
void bench_count_reset(void);
void bench_count_get(struct bench_counts *out);
const char *bench_count_method(enum bench_count_mode m);
/* Counted allocation for the natives' transport. */
void *bench_malloc(size_t n);
void bench_free(void *p);

/* ---- the natives' in-memory transport (mempipe.c) ---- */

/* The same algorithm as plugtls_mempair (core/transport.c): one ring
 * buffer per direction, grown on demand from 4 KiB up to 256 KiB and kept,
 * a mutex per pair; so the plugtls/native ratio measures the API layer,
 * not a different transport. */
struct bench_pipe;
struct bench_pipe *bench_pipe_new(void);
void bench_pipe_free(struct bench_pipe *p);
/* 0 ok (*n set), 1 would block. end is 0 (client) or 1 (server). */
int bench_pipe_read(struct bench_pipe *p, int end, void *buf, size_t len,
		    size_t *n);
int bench_pipe_write(struct bench_pipe *p, int end, const void *buf,
		     size_t len, size_t *n);

/* ---- implementations ---- */

/* The plugtls implementation for provider name (its provider must load). */
int bench_plugtls_impl(const char *provider, struct bench_impl *out,
		       char *err, size_t errlen);
void bench_plugtls_done(void);
const char *bench_plugtls_version(const char *provider);

#ifdef BENCH_HAVE_OPENSSL
extern const struct bench_impl bench_native_openssl;
#endif
#ifdef BENCH_HAVE_GNUTLS
extern const struct bench_impl bench_native_gnutls;
int bench_native_gnutls_init(void);
#endif
#ifdef BENCH_HAVE_WOLFSSL
extern const struct bench_impl bench_native_wolfssl;
int bench_native_wolfssl_init(void);
#endif

#endif
