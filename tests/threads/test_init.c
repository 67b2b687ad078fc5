/*
 * Global functions from many threads at once (plugtls.h: "global functions
 * (init, provider lookup, allocator and global log hooks) are safe from any
 * thread"): plugtls_init/plugtls_deinit, plugtls_provider_count/name_at,
 * plugtls_provider_get/release of every provider, the provider getters, and
 * the per-thread error record.
 *
 * Two phases: first no other reference is held, so the providers' libraries
 * are initialised and deinitialised over and over while other threads get
 * them; then the main thread holds a reference to each provider, so the
 * threads only take and drop references of a live provider. After both, a
 * context is built on every provider: the registry is still consistent.
 */
#include "threads.h"

#define TH_INIT_THREADS 16
#define TH_INIT_ROUNDS 40

struct init_arg {
	size_t id;
	pthread_barrier_t *start;
	size_t nprov;
	char names[8][16];
};

static bool one_provider(const char *name, size_t id)
{
	const plugtls_provider *p = NULL;
	plugtls_err rc = plugtls_provider_get(name, &p);

	if (!TH_CHECK(rc == PLUGTLS_OK, "thread %zu: get %s: %s", id, name,
		      plugtls_thread_error()->message))
		return false;
	bool ok = TH_CHECK(strcmp(plugtls_provider_name(p), name) == 0,
			   "name %s", plugtls_provider_name(p)) &&
		  TH_CHECK(plugtls_provider_version(p) &&
				   *plugtls_provider_version(p),
			   "%s: no version", name) &&
		  TH_CHECK(plugtls_provider_caps(p) & PLUGTLS_CAP_TLS13,
			   "%s: caps %#llx", name,
			   (unsigned long long)plugtls_provider_caps(p)) &&
		  TH_CHECK(plugtls_provider_gate_status(p) != NULL,
			   "%s: no gate status", name);
	plugtls_provider_release(p);
	return ok;
}

/* A failed lookup lands on this thread's error record, and only there:
 * the message names the name this thread asked for. */
static bool thread_error(size_t id, unsigned round)
{
	char bogus[48];
	const plugtls_provider *p = NULL;

	snprintf(bogus, sizeof(bogus), "no-such-%zu-%u", id, round);
	plugtls_err rc = plugtls_provider_get(bogus, &p);
	return TH_CHECK(rc == PLUGTLS_E_NOT_FOUND && p == NULL, "get %s: %s",
			bogus, plugtls_err_string(rc)) &&
	       TH_CHECK(plugtls_thread_error()->code == PLUGTLS_E_NOT_FOUND &&
				strstr(plugtls_thread_error()->message, bogus),
			"thread %zu: error record \"%s\" is not its own", id,
			plugtls_thread_error()->message);
}

static void *init_worker(void *varg)
{
	struct init_arg *a = varg;

	pthread_barrier_wait(a->start);
	for (unsigned r = 0; r < TH_INIT_ROUNDS; r++) {
		if (!TH_CHECK(plugtls_init() == PLUGTLS_OK, "init"))
			break;
		bool ok = TH_CHECK(plugtls_provider_count() == a->nprov,
				   "count %zu", plugtls_provider_count());
		/* Threads start at different providers so that gets and
		 * releases of different providers interleave. */
		for (size_t k = 0; ok && k < a->nprov; k++) {
			size_t i = (k + a->id) % a->nprov;
			const char *name = plugtls_provider_name_at(i);
			ok = TH_CHECK(name && strcmp(name, a->names[i]) == 0,
				      "name_at(%zu)", i) &&
			     one_provider(name, a->id);
		}
		ok = ok && TH_CHECK(plugtls_provider_name_at(a->nprov) == NULL,
				    "name_at past the end");
		ok = ok && thread_error(a->id, r);
		plugtls_deinit();
		if (!ok)
			break;
	}
	return NULL;
}

static void run_phase(struct init_arg *args, size_t nprov,
		      char (*names)[16])
{
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, TH_INIT_THREADS);
	for (size_t t = 0; t < TH_INIT_THREADS; t++) {
		args[t].id = t;
		args[t].start = &start;
		args[t].nprov = nprov;
		memcpy(args[t].names, names, sizeof(args[t].names));
	}
	th_run(TH_INIT_THREADS, init_worker, args, sizeof(args[0]));
	pthread_barrier_destroy(&start);
}

/* The registry still works: every provider builds a context. */
static void check_after(size_t nprov)
{
	for (size_t i = 0; i < nprov; i++) {
		const plugtls_provider *p = NULL;
		const char *name = plugtls_provider_name_at(i);
		if (!TH_CHECK(plugtls_provider_get(name, &p) == PLUGTLS_OK,
			      "%s: %s", name, plugtls_thread_error()->message))
			continue;
		plugtls_ctx_free(th_client_ctx(p, PLUGTLS_TLS1_2,
					       PLUGTLS_TLS1_3));
		plugtls_provider_release(p);
	}
}

int main(void)
{
	static struct init_arg args[TH_INIT_THREADS];
	const plugtls_provider *held[8];
	char names[8][16] = {{0}};
	size_t nprov = plugtls_provider_count();

	if (!TH_CHECK(nprov > 0 && nprov <= 8, "%zu providers", nprov))
		return th_exit_code("threads.init");
	for (size_t i = 0; i < nprov; i++)
		snprintf(names[i], sizeof(names[i]), "%s",
			 plugtls_provider_name_at(i));

	/* Phase 1: nobody else holds a provider. */
	run_phase(args, nprov, names);
	check_after(nprov);

	/* Phase 2: the providers stay initialised throughout. */
	size_t nheld = th_providers(held, 8);
	run_phase(args, nprov, names);
	for (size_t i = 0; i < nheld; i++)
		plugtls_provider_release(held[i]);
	check_after(nprov);
	return th_exit_code("threads.init");
}
