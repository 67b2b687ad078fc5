/*
 * Provider modules: the example out-of-tree module (plugtls-traced.so) is
 * found by name in $PLUGTLS_MODULE_PATH, loaded on first use, used beside
 * another provider, kept while a context uses it and unloaded after; and
 * every way a module can be wrong gives an error naming the file and the
 * reason while the other providers go on working.
 *
 * Criterion runs each test in its own process, so each test sets the
 * module path before its first plugtls call.
 */
#include "conn_helpers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Prepend dirs to $PLUGTLS_MODULE_PATH (a modules build already sets it to
 * its own provider modules). */
static void use_path(const char *dirs)
{
	const char *old = getenv("PLUGTLS_MODULE_PATH");
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s%s%s", dirs, old && *old ? ":" : "",
		 old && *old ? old : "");
	cr_assert_eq(setenv("PLUGTLS_MODULE_PATH", buf, 1), 0);
}

/* Is a file whose name contains needle mapped into this process? */
static bool mapped(const char *needle)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	bool found = false;

	cr_assert_not_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static bool is_test_module(const char *name)
{
	return strncmp(name, "bad", 3) == 0 || strcmp(name, "traced") == 0 ||
	       strcmp(name, "gated") == 0;
}

/* The first real provider of this build (built in or module) that loads. */
static const plugtls_provider *real_provider(void)
{
	const plugtls_provider *p = NULL;
	for (size_t i = 0; i < plugtls_provider_count() && !p; i++) {
		const char *name = plugtls_provider_name_at(i);
		if (!is_test_module(name) &&
		    plugtls_provider_get(name, &p) != PLUGTLS_OK)
			p = NULL;
	}
	cr_assert_not_null(p, "no real provider loads");
	return p;
}

static bool listed(const char *name)
{
	for (size_t i = 0; i < plugtls_provider_count(); i++)
		if (strcmp(plugtls_provider_name_at(i), name) == 0)
			return true;
	return false;
}

/* ---- the example module ---------------------------------------------------- */

Test(modules, listing_does_not_load)
{
	use_path(TRACED_DIR ":" TEST_MODULE_DIR);
	cr_assert(listed("traced"));
	cr_assert(listed("gated"));
	cr_assert(listed("badabi"));
	cr_assert_not(mapped("plugtls-traced.so"),
		      "listing must not load a module");
	cr_assert_not(mapped("plugtls-badabi.so"));
}

static char logged[4096];

static void capture(void *arg, plugtls_log_level level, const char *line)
{
	(void)arg;
	if (level == PLUGTLS_LOG_INFO && strstr(line, "traced: released"))
		snprintf(logged, sizeof(logged), "%s", line);
}

/* A server of the example module and a client of a real provider over the
 * in-memory pair; the module stays loaded while its context lives, though
 * the provider reference was released, and is unloaded after. */
Test(modules, traced_side_by_side_then_unloaded)
{
	const plugtls_provider *traced = NULL, *real;
	struct pt_pair pp;
	plugtls_err src;

	use_path(TRACED_DIR);
	plugtls_set_log_callback(capture, NULL, PLUGTLS_LOG_INFO);
	cr_assert_eq(plugtls_provider_get("traced", &traced), PLUGTLS_OK,
		     "%s", plugtls_thread_error()->message);
	cr_assert(mapped("plugtls-traced.so"));
	cr_assert_eq(strcmp(plugtls_provider_name(traced), "traced"), 0);
	cr_assert_not_null(strstr(plugtls_provider_version(traced), " over "),
			   "%s", plugtls_provider_version(traced));
	cr_assert_str_eq(plugtls_provider_gate_status(traced), "ok");
	real = real_provider();

	plugtls_ctx *sctx = ch_ctx(traced, ch_server_cfg(CH_SERVER_CHAIN("ec"),
						 CH_SERVER_KEY("ec")));
	plugtls_ctx *cctx = ch_ctx(real, ch_client_cfg(CH_CA));
	/* The context holds its own reference: releasing ours must not
	 * unload the module under it. */
	plugtls_provider_release(traced);
	cr_assert(mapped("plugtls-traced.so"));

	pt_pair_make(&pp, cctx, sctx, CH_HOST);
	cr_assert_eq(pt_handshake_pair(pp.client, pp.server, &src), PLUGTLS_OK,
		     "client: %s", plugtls_conn_error(pp.client)->message);
	cr_assert_eq(src, PLUGTLS_OK, "server: %s",
		     plugtls_conn_error(pp.server)->message);
	pt_exchange(pp.client, pp.server, 3000);
	pt_exchange(pp.server, pp.client, 3000);
	ch_close_clean(pp.client, pp.server);
	pt_pair_free(&pp);
	cr_assert_not(mapped("plugtls-traced.so"),
		      "the module must be unloaded with its last user");
	cr_assert_not_null(strstr(logged, "1 contexts, 1 connections"), "%s",
			   logged);
	plugtls_provider_release(real);
}

/* Loaded, released, loaded again: a fresh module each time. */
Test(modules, reload)
{
	use_path(TRACED_DIR);
	for (int i = 0; i < 3; i++) {
		const plugtls_provider *p = NULL;
		cr_assert_eq(plugtls_provider_get("traced", &p), PLUGTLS_OK,
			     "round %d: %s", i,
			     plugtls_thread_error()->message);
		plugtls_chain *chain = NULL;
		cr_assert_eq(plugtls_chain_load_file(p, CH_CA, &chain),
			     PLUGTLS_OK);
		plugtls_provider_release(p);
		cr_assert(mapped("plugtls-traced.so"), "the chain holds it");
		plugtls_chain_free(chain);
		cr_assert_not(mapped("plugtls-traced.so"));
	}
}

/* ---- broken modules ---------------------------------------------------- */

struct bad_case {
	const char *name;
	plugtls_err code;
	const char *why;
};

static const struct bad_case bad_cases[] = {
	{"badabi", PLUGTLS_E_UNSUPPORTED, "provider ABI 99"},
	{"badname", PLUGTLS_E_UNSUPPORTED, "declares provider \"someoneelse\""},
	{"badslots", PLUGTLS_E_UNSUPPORTED, "mandatory slot meta.init is NULL"},
	{"baddeclines", PLUGTLS_E_UNSUPPORTED, "declined plugtls's provider ABI"},
	{"badnosym", PLUGTLS_E_UNSUPPORTED, "not a plugtls provider module"},
	{"garbage", PLUGTLS_E_UNSUPPORTED, "cannot be loaded"},
	{"dir", PLUGTLS_E_UNSUPPORTED, "cannot be loaded"},
};

Test(modules, broken_modules_named_and_others_go_on)
{
	char tmp[] = "/tmp/plugtls-modules-XXXXXX", path[4200], dirs[4300];
	cr_assert_not_null(mkdtemp(tmp));
	/* Not a shared object at all, and a directory with a module's name. */
	snprintf(path, sizeof(path), "%s/plugtls-garbage.so", tmp);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("this is not an ELF file\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/plugtls-dir.so", tmp);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(dirs, sizeof(dirs), "%s:%s", TEST_MODULE_DIR, tmp);
	use_path(dirs);

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		const plugtls_provider *p = NULL;
		char file[64];

		cr_assert_neq(plugtls_provider_get(c->name, &p), PLUGTLS_OK,
			      "%s loaded", c->name);
		cr_assert_null(p);
		const plugtls_error *e = plugtls_thread_error();
		cr_assert_eq(e->code, c->code, "%s: code %d: %s", c->name,
			     e->code, e->message);
		snprintf(file, sizeof(file), "/plugtls-%s.so", c->name);
		cr_assert_not_null(strstr(e->message, file),
				   "%s: the file is not named: %s", c->name,
				   e->message);
		cr_assert_not_null(strstr(e->message, c->why),
				   "%s: expected \"%s\" in: %s", c->name,
				   c->why, e->message);
		cr_assert_not(mapped(file), "%s stayed mapped", c->name);
	}
	/* A name with no module anywhere. */
	const plugtls_provider *p = NULL;
	cr_assert_eq(plugtls_provider_get("nosuch", &p), PLUGTLS_E_NOT_FOUND);
	cr_assert_not_null(strstr(plugtls_thread_error()->message,
				  "plugtls-nosuch.so"));
	/* Names that cannot be module names are never looked up as files. */
	cr_assert_eq(plugtls_provider_get("../etc/passwd", &p),
		     PLUGTLS_E_NOT_FOUND);

	/* The process goes on with the real providers. */
	plugtls_provider_release(real_provider());

	snprintf(path, sizeof(path), "%s/plugtls-garbage.so", tmp);
	unlink(path);
	snprintf(path, sizeof(path), "%s/plugtls-dir.so", tmp);
	rmdir(path);
	rmdir(tmp);
}

/* A module's own version gate: refused by default, accepted explicitly. */
Test(modules, module_gate_refuses)
{
	const plugtls_provider *p = NULL;
	use_path(TEST_MODULE_DIR);
	cr_assert_eq(plugtls_provider_get("gated", &p),
		     PLUGTLS_E_VERSION_REFUSED);
	cr_assert_not_null(strstr(plugtls_thread_error()->message,
				  "CVE-0000-0001"),
			   "%s", plugtls_thread_error()->message);
	cr_assert_not_null(strstr(plugtls_thread_error()->message,
				  "/plugtls-gated.so"));
	cr_assert_not(mapped("plugtls-gated.so"));
}

Test(modules, module_gate_accepted)
{
	const plugtls_provider *p = NULL;
	use_path(TEST_MODULE_DIR);
	cr_assert_eq(plugtls_provider_accept_vulnerable("gated",
							"CVE-0000-0001"),
		     PLUGTLS_OK);
	cr_assert_eq(plugtls_provider_get("gated", &p), PLUGTLS_OK, "%s",
		     plugtls_thread_error()->message);
	cr_assert_not_null(strstr(plugtls_provider_gate_status(p),
				  "CVE-0000-0001"));
	plugtls_provider_release(p);
	cr_assert_not(mapped("plugtls-gated.so"));
}

/* Loading a module from a given file, outside the module path. */
Test(modules, load_module_by_path)
{
	const plugtls_provider *p = NULL, *again = NULL;

	cr_assert_eq(plugtls_provider_load_module(
			     TRACED_DIR "/plugtls-traced.so", &p),
		     PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	cr_assert_str_eq(plugtls_provider_name(p), "traced");
	cr_assert(listed("traced"));
	/* Now known by name, and the same file again is the same provider. */
	cr_assert_eq(plugtls_provider_get("traced", &again), PLUGTLS_OK);
	cr_assert_eq(again, p);
	plugtls_provider_release(again);
	cr_assert_eq(plugtls_provider_load_module(
			     TRACED_DIR "/plugtls-traced.so", &again),
		     PLUGTLS_OK);
	plugtls_provider_release(again);
	plugtls_provider_release(p);
	cr_assert_not(mapped("plugtls-traced.so"));

	/* Another file claiming a known name, a file not named like a
	 * module, a missing file, and bad arguments. */
	cr_assert_eq(plugtls_provider_load_module("/nonexistent/plugtls-traced.so",
						  &p),
		     PLUGTLS_E_STATE);
	cr_assert_eq(plugtls_provider_load_module(TRACED_DIR "/traced.so", &p),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_provider_load_module("/nonexistent/plugtls-gone.so",
						  &p),
		     PLUGTLS_E_NOT_FOUND);
	cr_assert_not_null(strstr(plugtls_thread_error()->message,
				  "/nonexistent/plugtls-gone.so"));
	cr_assert_eq(plugtls_provider_load_module(NULL, &p),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_provider_load_module(TRACED_DIR "/plugtls-traced.so",
						  NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_provider_load_module("", &p),
		     PLUGTLS_E_INVALID_ARGUMENT);
}
