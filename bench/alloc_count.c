/*
 * Allocation counting.
 *
 * Two methods, picked per provider (bench_count_mode):
 *  - COUNT_HOOK: the provider's allocator hook, where it has one: OpenSSL's
 *    CRYPTO_set_mem_functions, wolfSSL's wolfSSL_SetAllocators; plus
 *    plugtls's own plugtls_set_allocator and the natives' transport
 *    (bench_malloc). All are installed here, before anything allocates.
 *  - COUNT_ALL: every malloc of the process, for GnuTLS, whose
 *    gnutls_global_set_mem_functions has been a no-op since 3.3: malloc and
 *    friends are interposed by this executable (they forward to glibc's
 *    __libc_* entry points). Under AddressSanitizer, which owns malloc,
 *    the sanitizer's malloc/free hooks count instead.
 *
 * Sizes are malloc_usable_size() of each block, on allocation and on
 * free, so "live" bytes are exact heap bytes held. Each call is charged to
 * the side (client/server) whose TLS call is running (bench_count_side);
 * frees are charged the same way. Single-threaded by design.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <plugtls/plugtls.h>

#ifdef BENCH_HAVE_WOLFSSL
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/memory.h>
#endif

static enum bench_count_mode g_mode = COUNT_OFF;
static int g_side = SIDE_NONE;
static struct bench_counts g_counts;
static int g_crypto_hooked;

#if defined(__SANITIZE_ADDRESS__)
#define BENCH_ASAN 1
size_t __sanitizer_get_allocated_size(const volatile void *p);
int __sanitizer_install_malloc_and_free_hooks(
	void (*malloc_hook)(const volatile void *, size_t),
	void (*free_hook)(const volatile void *));
/* Not const: GCC would take a const pointer as a read of the new block. */
static size_t usable(void *p)
{
	return __sanitizer_get_allocated_size(p);
}
#else
#define BENCH_ASAN 0
static size_t usable(void *p)
{
	return malloc_usable_size(p);
}
#endif

static inline void note_alloc(size_t sz)
{
	g_counts.calls[g_side]++;
	g_counts.live[g_side] += (int64_t)sz;
}

static inline void note_free(size_t sz)
{
	g_counts.live[g_side] -= (int64_t)sz;
}

/* ---- COUNT_HOOK: functions handed to the hooks ---- */

static void *hook_malloc(size_t n)
{
	void *p = malloc(n);
	if (p && g_mode == COUNT_HOOK)
		note_alloc(usable(p));
	return p;
}

static void *hook_realloc(void *old, size_t n)
{
	size_t before = old ? usable(old) : 0;
	void *p = realloc(old, n);
	if (p && g_mode == COUNT_HOOK) {
		note_free(before);
		note_alloc(usable(p));
	}
	return p;
}

static void hook_free(void *p)
{
	if (p && g_mode == COUNT_HOOK)
		note_free(usable(p));
	free(p);
}

static void *crypto_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return hook_malloc(n);
}

static void *crypto_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return hook_realloc(p, n);
}

static void crypto_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	hook_free(p);
}

void *bench_malloc(size_t n)
{
	return hook_malloc(n);
}

void bench_free(void *p)
{
	hook_free(p);
}

/* ---- COUNT_ALL ---- */

#if BENCH_ASAN
static void asan_malloc_hook(const volatile void *p, size_t n)
{
	(void)n;
	if (p && g_mode == COUNT_ALL)
		note_alloc(usable((void *)p));
}

static void asan_free_hook(const volatile void *p)
{
	if (p && g_mode == COUNT_ALL)
		note_free(usable((void *)p));
}
#else
/* The interposer: this executable's malloc family wins over libc's for
 * every library of the process. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t n);
void *__libc_valloc(size_t n);
void *__libc_pvalloc(size_t n);

/* The project builds with hidden visibility; the interposer must be seen
 * by the shared libraries. */
#define EXPORT __attribute__((visibility("default")))

static inline void *all_note(void *p)
{
	if (p && g_mode == COUNT_ALL)
		note_alloc(malloc_usable_size(p));
	return p;
}

EXPORT void *malloc(size_t n)
{
	return all_note(__libc_malloc(n));
}

EXPORT void *calloc(size_t n, size_t size)
{
	return all_note(__libc_calloc(n, size));
}

EXPORT void *realloc(void *old, size_t n)
{
	if (old && g_mode == COUNT_ALL)
		note_free(malloc_usable_size(old));
	void *p = __libc_realloc(old, n);
	if (!p && old && n && g_mode == COUNT_ALL)
		g_counts.live[g_side] += (int64_t)malloc_usable_size(old);
	return all_note(p);
}

EXPORT void free(void *p)
{
	if (p && g_mode == COUNT_ALL)
		note_free(malloc_usable_size(p));
	__libc_free(p);
}

EXPORT void *memalign(size_t align, size_t n)
{
	return all_note(__libc_memalign(align, n));
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	return all_note(__libc_memalign(align, n));
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = __libc_memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = all_note(p);
	return 0;
}

EXPORT void *valloc(size_t n)
{
	return all_note(__libc_valloc(n));
}

EXPORT void *pvalloc(size_t n)
{
	return all_note(__libc_pvalloc(n));
}
#endif

/* ---- control ---- */

void bench_alloc_init(void)
{
	/* First thing in main: OpenSSL accepts hooks only before its first
	 * allocation. If it refuses, OpenSSL is counted by COUNT_ALL. */
	g_crypto_hooked = CRYPTO_set_mem_functions(crypto_malloc,
						   crypto_realloc, crypto_free);
#ifdef BENCH_HAVE_WOLFSSL
	(void)wolfSSL_SetAllocators(hook_malloc, hook_free, hook_realloc);
#endif
	if (plugtls_set_allocator(hook_malloc, hook_realloc, hook_free))
		abort(); /* only fails when plugtls is already in use */
#if BENCH_ASAN
	(void)__sanitizer_install_malloc_and_free_hooks(asan_malloc_hook,
							asan_free_hook);
#endif
}

enum bench_count_mode bench_mode_for(const char *provider)
{
	if (strcmp(provider, "openssl") == 0 && g_crypto_hooked)
		return COUNT_HOOK;
	if (strcmp(provider, "wolfssl") == 0)
		return COUNT_HOOK;
	return COUNT_ALL;
}

void bench_count_mode(enum bench_count_mode m)
{
	g_mode = m;
}

void bench_count_side(int side)
{
	g_side = side;
}

void bench_count_reset(void)
{
	memset(&g_counts, 0, sizeof(g_counts));
}

void bench_count_get(struct bench_counts *out)
{
	*out = g_counts;
}

const char *bench_count_method(enum bench_count_mode m)
{
	if (m == COUNT_HOOK)
		return "allocator hooks (CRYPTO_set_mem_functions / "
		       "wolfSSL_SetAllocators / plugtls_set_allocator)";
	return BENCH_ASAN ? "AddressSanitizer malloc/free hooks"
			  : "malloc interposer in plugtls-bench";
}
