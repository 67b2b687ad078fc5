/* Provider modules: finding `plugtls-<name>.so` files in the module path and
 * opening them. The registry (registry.c) decides when; this file only
 * knows files and dlopen. */
#include "internal.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef PLUGTLS_MODULE_DIR
#define PLUGTLS_MODULE_DIR "/usr/local/lib/plugtls"
#endif
/* The providers of this build, in preference order ("openssl,gnutls"). */
#ifndef PLUGTLS_MODULE_PREFERENCE
#define PLUGTLS_MODULE_PREFERENCE ""
#endif

#define PT_MODULE_PREFIX "plugtls-"
#define PT_MODULE_SUFFIX ".so"

const char *pt_module_default_dir(void)
{
	return PLUGTLS_MODULE_DIR;
}

bool pt_module_name_ok(const char *name, size_t len)
{
	if (len == 0 || len >= PT_MODULE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

/* The provider name a file name stands for, or false. */
bool pt_module_name_of_file(const char *file, char *name, size_t cap)
{
	size_t len = strlen(file), pre = strlen(PT_MODULE_PREFIX),
	       suf = strlen(PT_MODULE_SUFFIX);
	if (len <= pre + suf || strncmp(file, PT_MODULE_PREFIX, pre) != 0 ||
	    strcmp(file + len - suf, PT_MODULE_SUFFIX) != 0)
		return false;
	len -= pre + suf;
	if (!pt_module_name_ok(file + pre, len) || len >= cap)
		return false;
	memcpy(name, file + pre, len);
	name[len] = '\0';
	return true;
}

/* Calls fn(dir, arg) for each directory of $PLUGTLS_MODULE_PATH (colon
 * separated, empty entries skipped) and then the installed module
 * directory; stops when fn returns true. */
static bool each_dir(bool (*fn)(const char *dir, void *arg), void *arg)
{
	const char *env = getenv("PLUGTLS_MODULE_PATH");
	char dir[PT_MODULE_PATH_MAX];

	while (env && *env) {
		const char *end = strchr(env, ':');
		size_t len = end ? (size_t)(end - env) : strlen(env);
		if (len > 0 && len < sizeof(dir)) {
			memcpy(dir, env, len);
			dir[len] = '\0';
			if (fn(dir, arg))
				return true;
		}
		env = end ? end + 1 : NULL;
	}
	return fn(PLUGTLS_MODULE_DIR, arg);
}

typedef struct scan_arg {
	void (*found)(const char *name, const char *path, void *arg);
	void *arg;
} scan_arg;

static int only_modules(const struct dirent *e)
{
	char name[PT_MODULE_NAME_MAX];
	return pt_module_name_of_file(e->d_name, name, sizeof(name));
}

/* In name order, so that the provider list (and so the default provider)
 * does not depend on the order of a directory's entries. */
static bool scan_dir(const char *dir, void *arg)
{
	scan_arg *sa = arg;
	struct dirent **list = NULL;
	char name[PT_MODULE_NAME_MAX], path[PT_MODULE_PATH_MAX];
	int n = scandir(dir, &list, only_modules, alphasort);

	for (int i = 0; i < n; i++) {
		if (pt_module_name_of_file(list[i]->d_name, name, sizeof(name)) &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     list[i]->d_name) < sizeof(path))
			sa->found(name, path, sa->arg);
		free(list[i]);
	}
	free(list);
	return false;
}

void pt_module_scan(void (*found)(const char *name, const char *path,
				  void *arg),
		    void *arg)
{
	scan_arg sa = {found, arg};
	char path[PT_MODULE_PATH_MAX];
	const char *pref = PLUGTLS_MODULE_PREFERENCE;

	/* This build's own providers first, in its preference order. */
	while (*pref) {
		const char *end = strchr(pref, ',');
		size_t len = end ? (size_t)(end - pref) : strlen(pref);
		char name[PT_MODULE_NAME_MAX];
		if (len < sizeof(name)) {
			memcpy(name, pref, len);
			name[len] = '\0';
			if (pt_module_find(name, path, sizeof(path)))
				found(name, path, arg);
		}
		pref = end ? end + 1 : "";
	}
	each_dir(scan_dir, &sa);
}

typedef struct find_arg {
	const char *name;
	char *path;
	size_t cap;
} find_arg;

static bool find_in_dir(const char *dir, void *arg)
{
	find_arg *fa = arg;
	struct stat st;

	if ((size_t)snprintf(fa->path, fa->cap, "%s/" PT_MODULE_PREFIX
				 "%s" PT_MODULE_SUFFIX,
			     dir, fa->name) >= fa->cap)
		return false;
	return lstat(fa->path, &st) == 0;
}

bool pt_module_find(const char *name, char *path, size_t cap)
{
	find_arg fa = {name, path, cap};
	if (!pt_module_name_ok(name, strlen(name)))
		return false;
	return each_dir(find_in_dir, &fa);
}

plugtls_err pt_module_open(const char *path, const char *want_name,
			   void **handle, const plugtls_provider **table)
{
	plugtls_provider_module_fn entry;
	const plugtls_provider *p;
	void *h;

	/* RTLD_LOCAL: each module's provider library stays in its own
	 * namespace of symbols (wolfSSL exports OpenSSL-compatible names). */
	dlerror();
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		struct stat st;
		return pt_err_set(NULL,
				  stat(path, &st) != 0 ? PLUGTLS_E_NOT_FOUND
						       : PLUGTLS_E_UNSUPPORTED,
				  0, "provider module %s: cannot be loaded: %s",
				  path, why ? why : "unknown dlopen error");
	}
	*(void **)&entry = dlsym(h, PLUGTLS_PROVIDER_MODULE_SYMBOL);
	if (!entry) {
		dlclose(h);
		return pt_err_set(NULL, PLUGTLS_E_UNSUPPORTED, 0,
				  "provider module %s: not a plugtls provider "
				  "module (no symbol %s)",
				  path, PLUGTLS_PROVIDER_MODULE_SYMBOL);
	}
	p = entry(PLUGTLS_PROVIDER_ABI);
	if (!p) {
		dlclose(h);
		return pt_err_set(NULL, PLUGTLS_E_UNSUPPORTED, 0,
				  "provider module %s: declined plugtls's "
				  "provider ABI %u",
				  path, PLUGTLS_PROVIDER_ABI);
	}
	/* The ABI first: nothing else of the table may be read before. */
	if (p->abi_version != PLUGTLS_PROVIDER_ABI ||
	    p->struct_size < sizeof(struct plugtls_provider)) {
		plugtls_err rc = pt_err_set(
			NULL, PLUGTLS_E_UNSUPPORTED, 0,
			"provider module %s: provider ABI %u (table of %u "
			"bytes), plugtls expects ABI %u (%zu bytes)",
			path, p->abi_version, p->struct_size,
			PLUGTLS_PROVIDER_ABI, sizeof(struct plugtls_provider));
		dlclose(h);
		return rc;
	}
	if (!p->name || strcmp(p->name, want_name) != 0) {
		plugtls_err rc = pt_err_set(
			NULL, PLUGTLS_E_UNSUPPORTED, 0,
			"provider module %s: declares provider \"%.32s\", "
			"its file name says \"%s\"",
			path, p->name ? p->name : "", want_name);
		dlclose(h);
		return rc;
	}
	*handle = h;
	*table = p;
	return PLUGTLS_OK;
}

void pt_module_close(void *handle)
{
	if (handle)
		dlclose(handle);
}
