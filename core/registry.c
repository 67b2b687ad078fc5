/* One-time global init and the provider registry: lookup, reference-counted
 * provider init, the version gate, and the capability/slot agreement
 * checks. Providers are built in, or modules (module.c) opened on first
 * reference and closed on the last. The registry lock is recursive, so that
 * a provider's init may get another provider (a wrapping module); no lock
 * is held while calling the log callback, except in such a nested get. */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

extern const struct plugtls_provider *const pt_builtin_providers[];

#define PT_MAX_ACCEPT 64

typedef struct pt_slot {
	char name[PT_MODULE_NAME_MAX];
	char path[PT_MODULE_PATH_MAX]; /* modules: the file; "" built in */
	const plugtls_provider *p;     /* built in, or the module's while open */
	void *handle;                  /* modules: dlopen handle while open */
	unsigned refs;
	uint64_t caps;
	char version[128];
	char gate_status[1024];
} pt_slot;

#define PT_MAX_SLOTS 16
static pt_slot pt_slots[PT_MAX_SLOTS];
/* Slots are only appended (under the lock, filled before the count is
 * published), so listing reads without the lock. */
static _Atomic size_t pt_nslots;
static pthread_mutex_t pt_reg_lock;
static pthread_once_t pt_once = PTHREAD_ONCE_INIT;
static unsigned pt_init_refs;

/* Acceptances made through the API: "provider:cve". */
static char pt_accepts[PT_MAX_ACCEPT][96];
static size_t pt_naccepts;

static pt_slot *slot_by_name(const char *name)
{
	size_t n = atomic_load(&pt_nslots);
	for (size_t i = 0; i < n; i++)
		if (strcmp(pt_slots[i].name, name) == 0)
			return &pt_slots[i];
	return NULL;
}

/* Called with the lock held (or from the one-time init). The first of a
 * name wins: built-ins, then $PLUGTLS_MODULE_PATH in order, then the
 * installed module directory. */
static pt_slot *add_slot(const char *name, const char *path,
			 const plugtls_provider *builtin)
{
	size_t n = atomic_load(&pt_nslots);
	if (n == PT_MAX_SLOTS || slot_by_name(name) ||
	    strlen(name) >= sizeof(pt_slots[n].name) ||
	    strlen(path) >= sizeof(pt_slots[n].path))
		return NULL;
	pt_slot *s = &pt_slots[n];
	pt_snprintf(s->name, sizeof(s->name), "%s", name);
	pt_snprintf(s->path, sizeof(s->path), "%s", path);
	s->p = builtin;
	atomic_store(&pt_nslots, n + 1);
	return s;
}

static void add_module_slot(const char *name, const char *path, void *arg)
{
	(void)arg;
	add_slot(name, path, NULL);
}

static void pt_global_init(void)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&pt_reg_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	/* From the first call on, the allocator may hold memory. */
	pt_alloc_lock();
	for (size_t i = 0; pt_builtin_providers[i] && i < PT_MAX_SLOTS; i++)
		add_slot(pt_builtin_providers[i]->name, "",
			 pt_builtin_providers[i]);
	pt_module_scan(add_module_slot, NULL);
}

plugtls_err pt_ensure_init(void)
{
	pthread_once(&pt_once, pt_global_init);
	return PLUGTLS_OK;
}

plugtls_err plugtls_init(void)
{
	pt_ensure_init();
	pthread_mutex_lock(&pt_reg_lock);
	pt_init_refs++;
	pthread_mutex_unlock(&pt_reg_lock);
	return PLUGTLS_OK;
}

void plugtls_deinit(void)
{
	/* Providers are released by their own references; this only pairs
	 * with plugtls_init. */
	pthread_mutex_lock(&pt_reg_lock);
	if (pt_init_refs)
		pt_init_refs--;
	pthread_mutex_unlock(&pt_reg_lock);
}

size_t plugtls_provider_count(void)
{
	pt_ensure_init();
	return atomic_load(&pt_nslots);
}

const char *plugtls_provider_name_at(size_t i)
{
	pt_ensure_init();
	return i < atomic_load(&pt_nslots) ? pt_slots[i].name : NULL;
}

static pt_slot *slot_of(const plugtls_provider *p)
{
	size_t n = atomic_load(&pt_nslots);
	for (size_t i = 0; i < n; i++)
		if (pt_slots[i].p == p)
			return &pt_slots[i];
	return NULL;
}

plugtls_err plugtls_provider_accept_vulnerable(const char *provider,
					       const char *cve)
{
	if (!provider || !*provider || !cve || !*cve ||
	    strlen(provider) + strlen(cve) + 2 > sizeof(pt_accepts[0]) ||
	    strchr(provider, ':') || strchr(provider, ',') || strchr(cve, ','))
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "accept_vulnerable: provider and CVE id required");
	pt_ensure_init();
	pthread_mutex_lock(&pt_reg_lock);
	plugtls_err rc = PLUGTLS_OK;
	if (pt_naccepts == PT_MAX_ACCEPT)
		rc = PLUGTLS_E_TOO_LARGE;
	else
		pt_snprintf(pt_accepts[pt_naccepts++], sizeof(pt_accepts[0]),
			    "%s:%s", provider, cve);
	pthread_mutex_unlock(&pt_reg_lock);
	if (rc)
		return pt_err_set(NULL, rc, 0,
				  "accept_vulnerable: at most %d acceptances",
				  PT_MAX_ACCEPT);
	return PLUGTLS_OK;
}

typedef struct accept_arg {
	const char *provider;
} accept_arg;

/* Called with pt_reg_lock held. */
static bool accepted(void *arg, const char *cve)
{
	const accept_arg *a = arg;
	for (size_t i = 0; i < pt_naccepts; i++)
		if (pt_accept_list_match(pt_accepts[i], a->provider, cve))
			return true;
	const char *env = getenv("PLUGTLS_ACCEPT_VULNERABLE");
	return env && pt_accept_list_match(env, a->provider, cve);
}

/* The table's shape, before anything of it is called. */
static plugtls_err check_table(const plugtls_provider *p, plugtls_error *err)
{
	if (p->abi_version != PLUGTLS_PROVIDER_ABI)
		return pt_err_set(err, PLUGTLS_E_UNSUPPORTED, 0,
				  "provider %s: ABI %u, plugtls expects %u",
				  p->name ? p->name : "?", p->abi_version,
				  PLUGTLS_PROVIDER_ABI);
	if (p->struct_size < sizeof(struct plugtls_provider))
		return pt_err_set(err, PLUGTLS_E_UNSUPPORTED, 0,
				  "provider %s: table of %u bytes, expected %zu",
				  p->name ? p->name : "?", p->struct_size,
				  sizeof(struct plugtls_provider));
	struct {
		const void *slot;
		const char *name;
	} mandatory[] = {
		{(const void *)p->name, "name"},
		{(const void *)p->meta.init, "meta.init"},
		{(const void *)p->meta.deinit, "meta.deinit"},
		{(const void *)p->meta.version_string, "meta.version_string"},
		{(const void *)p->meta.version_number, "meta.version_number"},
		{(const void *)p->meta.capabilities, "meta.capabilities"},
		{(const void *)p->ctx.new_ctx, "ctx.new_ctx"},
		{(const void *)p->ctx.free, "ctx.free"},
		{(const void *)p->conn.new_conn, "conn.new_conn"},
		{(const void *)p->conn.free, "conn.free"},
		{(const void *)p->conn.handshake, "conn.handshake"},
		{(const void *)p->conn.read, "conn.read"},
		{(const void *)p->conn.write, "conn.write"},
		{(const void *)p->conn.shutdown, "conn.shutdown"},
		{(const void *)p->conn.info, "conn.info"},
		{(const void *)p->conn.peer_chain, "conn.peer_chain"},
		{(const void *)p->conn.native_handle, "conn.native_handle"},
		{(const void *)p->cert.from_der, "cert.from_der"},
		{(const void *)p->cert.free, "cert.free"},
		{(const void *)p->cert.fields, "cert.fields"},
		{(const void *)p->cert.trust_new, "cert.trust_new"},
		{(const void *)p->cert.trust_free, "cert.trust_free"},
		{(const void *)p->cert.trust_add_cert, "cert.trust_add_cert"},
		{(const void *)p->cert.verify, "cert.verify"},
		{(const void *)p->key.load, "key.load"},
		{(const void *)p->key.free, "key.free"},
		{(const void *)p->key.info, "key.info"},
	};
	for (size_t i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++)
		if (!mandatory[i].slot)
			return pt_err_set(err, PLUGTLS_E_UNSUPPORTED, 0,
					  "provider %s: mandatory slot %s is NULL",
					  p->name ? p->name : "?",
					  mandatory[i].name);
	return PLUGTLS_OK;
}

/* Each optional slot agrees with its capability bit. */
static plugtls_err check_caps(const plugtls_provider *p, uint64_t caps,
			      plugtls_error *err)
{
	struct {
		uint64_t cap;
		bool slot;
	} opt[] = {
		{PLUGTLS_CAP_SESSION_EXPORT, p->conn.session_export != NULL},
		{PLUGTLS_CAP_CRL, p->cert.trust_add_crl != NULL},
		{PLUGTLS_CAP_PKCS12_IMPORT, p->pkcs12.import != NULL},
		{PLUGTLS_CAP_PKCS12_EXPORT, p->pkcs12.export_ != NULL},
	};
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (((caps & opt[i].cap) != 0) != opt[i].slot)
			return pt_err_set(err, PLUGTLS_E_INTERNAL, 0,
					  "provider %s: capability %s disagrees "
					  "with its slot",
					  p->name, plugtls_cap_name(opt[i].cap));
	return PLUGTLS_OK;
}

/* First reference: init the provider's library and run its gate. Called
 * with pt_reg_lock held; log lines are returned in warn to be logged after
 * the lock is released. */
static plugtls_err slot_init(pt_slot *s, char *warn, size_t warn_cap)
{
	const plugtls_provider *p = s->p;
	plugtls_error perr;
	char why[sizeof(s->gate_status)];
	plugtls_err rc;

	pt_err_clear(&perr);
	warn[0] = '\0';
	rc = check_table(p, NULL);
	if (rc)
		return rc;
	rc = p->meta.init(&perr);
	if (rc) {
		if (perr.code == PLUGTLS_OK)
			pt_snprintf(perr.message, sizeof(perr.message),
				    "init failed");
		return pt_err_set(NULL, rc, perr.provider_code,
				  "provider %s: %s", p->name, perr.message);
	}
	accept_arg aa = {p->name};
	pt_gate_input in = {
		.runtime = p->meta.version_number(),
		.headers = p->meta.header_version,
		.minimum = p->meta.min_version,
		.ranges = p->meta.vuln_ranges,
		.n_ranges = p->meta.n_vuln_ranges,
		.accepted = accepted,
		.arg = &aa,
	};
	pt_gate_verdict v = pt_gate_decide(&in, p->name, why, sizeof(why));
	if (v != PT_GATE_OK && v != PT_GATE_ACCEPTED) {
		p->meta.deinit();
		return pt_err_set(NULL, PLUGTLS_E_VERSION_REFUSED, 0,
				  "provider %s refused: %s", p->name, why);
	}
	uint64_t caps = p->meta.capabilities();
	rc = check_caps(p, caps, NULL);
	if (rc) {
		p->meta.deinit();
		return rc;
	}
	s->caps = caps;
	const char *vs = p->meta.version_string();
	pt_snprintf(s->version, sizeof(s->version), "%s", vs ? vs : "?");
	if (v == PT_GATE_ACCEPTED) {
		pt_snprintf(s->gate_status, sizeof(s->gate_status),
			    "%s (override)", why);
		pt_snprintf(warn, warn_cap,
			    "provider %s: version %s is in a known-vulnerable "
			    "range, %s by override",
			    p->name, s->version, why);
	} else {
		pt_snprintf(s->gate_status, sizeof(s->gate_status), "ok");
	}
	return PLUGTLS_OK;
}

/* A module is opened here and closed again when anything after fails; its
 * errors name the file. */
static plugtls_err slot_first_ref(pt_slot *s, char *warn, size_t warn_cap)
{
	bool module = s->path[0] != '\0';
	plugtls_err rc;

	if (module) {
		const plugtls_provider *p;
		rc = pt_module_open(s->path, s->name, &s->handle, &p);
		if (rc)
			return rc;
		s->p = p;
	}
	rc = slot_init(s, warn, warn_cap);
	if (rc && module) {
		plugtls_error e = *pt_thread_err();
		pt_err_set(NULL, rc, e.provider_code, "provider module %s: %s",
			   s->path, e.message);
		pt_module_close(s->handle);
		s->handle = NULL;
		s->p = NULL;
	}
	return rc;
}

/* The slot of name, adding one for a module file that appeared after the
 * first scan. Called with the lock held. */
static pt_slot *find_slot(const char *name)
{
	char path[PT_MODULE_PATH_MAX];
	pt_slot *s = slot_by_name(name);

	if (!s && pt_module_find(name, path, sizeof(path)))
		s = add_slot(name, path, NULL);
	return s;
}

plugtls_err plugtls_provider_get(const char *name,
				 const plugtls_provider **out)
{
	char warn[1280];
	pt_slot *s = NULL;
	plugtls_err rc;

	if (!name || !*name || !out)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "provider_get: name and out are required");
	pt_ensure_init();
	warn[0] = '\0';
	pthread_mutex_lock(&pt_reg_lock);
	s = find_slot(name);
	if (!s)
		rc = pt_err_set(NULL, PLUGTLS_E_NOT_FOUND, 0,
				"no provider named \"%.64s\": not built in, and "
				"no plugtls-%.64s.so in $PLUGTLS_MODULE_PATH "
				"or %s",
				name, name, pt_module_default_dir());
	else if (s->refs == 0)
		rc = slot_first_ref(s, warn, sizeof(warn));
	else
		rc = PLUGTLS_OK;
	if (rc == PLUGTLS_OK)
		s->refs++;
	pthread_mutex_unlock(&pt_reg_lock);
	if (rc) {
		pt_log(pt_global_logger(), PLUGTLS_LOG_ERROR, "%s",
		       pt_thread_err()->message);
		return rc;
	}
	if (warn[0])
		pt_log(pt_global_logger(), PLUGTLS_LOG_WARNING, "%s", warn);
	*out = s->p;
	return PLUGTLS_OK;
}

plugtls_err plugtls_provider_load_module(const char *path,
					 const plugtls_provider **out)
{
	char name[PT_MODULE_NAME_MAX];
	const char *base;
	pt_slot *s;

	if (!path || !*path || !out)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "load_module: path and out are required");
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!pt_module_name_of_file(base, name, sizeof(name)) ||
	    strlen(path) >= PT_MODULE_PATH_MAX)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "load_module: %.200s: a module file is named "
				  "plugtls-<name>.so, name of [a-z0-9_]",
				  path);
	pt_ensure_init();
	pthread_mutex_lock(&pt_reg_lock);
	s = slot_by_name(name);
	if (!s)
		s = add_slot(name, path, NULL);
	plugtls_err rc = PLUGTLS_OK;
	if (!s)
		rc = pt_err_set(NULL, PLUGTLS_E_TOO_LARGE, 0,
				"load_module: %.200s: at most %d providers",
				path, PT_MAX_SLOTS);
	else if (strcmp(s->path, path) != 0)
		rc = pt_err_set(NULL, PLUGTLS_E_STATE, 0,
				"load_module: %.200s: a provider named \"%s\" "
				"is already known (%s)",
				path, name, s->path[0] ? s->path : "built in");
	pthread_mutex_unlock(&pt_reg_lock);
	if (rc)
		return rc;
	return plugtls_provider_get(name, out);
}

plugtls_err plugtls_provider_get_default(const plugtls_provider **out)
{
	if (!out)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "provider_get_default: out is required");
	pt_ensure_init();
	const char *env = getenv("PLUGTLS_PROVIDER");
	if (env && *env)
		return plugtls_provider_get(env, out);
	if (!atomic_load(&pt_nslots))
		return pt_err_set(NULL, PLUGTLS_E_NOT_FOUND, 0,
				  "no provider in this build or module path");
	return plugtls_provider_get(pt_slots[0].name, out);
}

void pt_provider_ref(const plugtls_provider *p)
{
	pthread_mutex_lock(&pt_reg_lock);
	pt_slot *s = slot_of(p);
	if (s && s->refs)
		s->refs++;
	pthread_mutex_unlock(&pt_reg_lock);
}

void pt_provider_unref(const plugtls_provider *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&pt_reg_lock);
	pt_slot *s = slot_of(p);
	if (s && s->refs && --s->refs == 0) {
		p->meta.deinit();
		if (s->handle) {
			pt_module_close(s->handle);
			s->handle = NULL;
			s->p = NULL;
		}
	}
	pthread_mutex_unlock(&pt_reg_lock);
}

void plugtls_provider_release(const plugtls_provider *p)
{
	pt_provider_unref(p);
}

bool pt_provider_live(const plugtls_provider *p)
{
	if (!p)
		return false;
	pt_ensure_init();
	pthread_mutex_lock(&pt_reg_lock);
	pt_slot *s = slot_of(p);
	bool live = s && s->refs;
	pthread_mutex_unlock(&pt_reg_lock);
	return live;
}

const char *plugtls_provider_name(const plugtls_provider *p)
{
	return p ? p->name : NULL;
}

/* The getters read without the lock: the fields are written once, under the
 * lock, before the first reference is handed out, and a caller holds a
 * reference. */
const char *plugtls_provider_version(const plugtls_provider *p)
{
	pt_slot *s = p ? slot_of(p) : NULL;
	return s ? s->version : NULL;
}

uint64_t plugtls_provider_caps(const plugtls_provider *p)
{
	pt_slot *s = p ? slot_of(p) : NULL;
	return s ? s->caps : 0;
}

const char *plugtls_provider_gate_status(const plugtls_provider *p)
{
	pt_slot *s = p ? slot_of(p) : NULL;
	return s ? s->gate_status : NULL;
}
