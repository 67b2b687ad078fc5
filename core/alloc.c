/* Allocator hooks and secret wiping. */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static void *(*pt_malloc_fn)(size_t) = malloc;
static void *(*pt_realloc_fn)(void *, size_t) = realloc;
static void (*pt_free_fn)(void *) = free;
static atomic_bool pt_alloc_used;
/* Set once plugtls_set_allocator() succeeded (read by providers' init). */
static atomic_bool pt_alloc_custom;

void pt_alloc_lock(void)
{
	atomic_store(&pt_alloc_used, true);
}

plugtls_err plugtls_set_allocator(void *(*malloc_fn)(size_t),
				  void *(*realloc_fn)(void *, size_t),
				  void (*free_fn)(void *))
{
	if (!malloc_fn || !realloc_fn || !free_fn)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_allocator: all three functions are required");
	if (atomic_load(&pt_alloc_used))
		return pt_err_set(NULL, PLUGTLS_E_STATE, 0,
				  "set_allocator: plugtls is already in use");
	pt_malloc_fn = malloc_fn;
	pt_realloc_fn = realloc_fn;
	pt_free_fn = free_fn;
	atomic_store(&pt_alloc_custom, true);
	return PLUGTLS_OK;
}

void *pt_malloc(size_t n)
{
	pt_alloc_lock();
	return pt_malloc_fn(n ? n : 1);
}

void *pt_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	size_t total = n * size;
	void *p = pt_malloc(total);
	if (p)
		memset(p, 0, total > 0 ? total : 1);
	return p;
}

void *pt_realloc(void *p, size_t n)
{
	pt_alloc_lock();
	return pt_realloc_fn(p, n ? n : 1);
}

void pt_free(void *p)
{
	if (p)
		pt_free_fn(p);
}

char *pt_strdup(const char *s)
{
	return s ? pt_memdup(s, strlen(s) + 1) : NULL;
}

void *pt_memdup(const void *p, size_t n)
{
	void *q = pt_malloc(n);
	if (q && n)
		memcpy(q, p, n);
	return q;
}

void pt_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void pt_free_secret(void *p, size_t n)
{
	pt_wipe(p, n);
	pt_free(p);
}

void plugtls_free(void *p)
{
	pt_free(p);
}

/* ---- services for backends ---- */
void *plugtls_prov_malloc(size_t n)
{
	return pt_malloc(n);
}

void *plugtls_prov_calloc(size_t n, size_t size)
{
	return pt_calloc(n, size);
}

void *plugtls_prov_realloc(void *p, size_t n)
{
	return pt_realloc(p, n);
}

void plugtls_prov_free(void *p)
{
	pt_free(p);
}

int plugtls_prov_allocator_custom(void)
{
	return atomic_load(&pt_alloc_custom) ? 1 : 0;
}

void plugtls_prov_wipe(void *p, size_t n)
{
	pt_wipe(p, n);
}
