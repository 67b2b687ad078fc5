/*
 * Many threads, each running full connections on its own mempair, with
 * shared contexts (plugtls.h: a context may be shared by many connections
 * on many threads). Per provider: one server context and two client
 * contexts (TLS 1.2..1.3 and TLS 1.2 only); TH_CONN_THREADS threads each run
 * TH_CONN_ROUNDS connections: handshake (the client verifies the server's
 * chain and name), the negotiated version and the peer's leaf, data both
 * ways, close_notify both ways. Meanwhile one more thread verifies a chain
 * against the shared client context over and over.
 */
#include "threads.h"

#define TH_CONN_THREADS 8
#define TH_CONN_ROUNDS 6
#define TH_CONN_BYTES (48 * 1024)
#define TH_VERIFY_ROUNDS 40

struct conn_arg {
	size_t id;
	pthread_barrier_t *start;
	plugtls_ctx *cctx13, *cctx12, *sctx;
	const char *leaf_subject;
	const char *prov;
};

static bool one_connection(struct conn_arg *a, unsigned round)
{
	bool tls12 = (a->id + round) % 2;
	struct th_pair tp;
	bool ok;

	if (!th_pair_new(&tp, tls12 ? a->cctx12 : a->cctx13, a->sctx))
		return false;
	ok = th_handshake(&tp);
	if (ok) {
		unsigned want = tls12 ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
		const plugtls_chain *pc = plugtls_conn_peer_chain(tp.client);
		const plugtls_cert *leaf = plugtls_chain_get(pc, 0);
		ok = TH_CHECK(plugtls_conn_version(tp.client) == want &&
				      plugtls_conn_version(tp.server) == want,
			      "%s: version %#x/%#x, want %#x", a->prov,
			      plugtls_conn_version(tp.client),
			      plugtls_conn_version(tp.server), want) &&
		     TH_CHECK(plugtls_conn_verify_result(tp.client) == 0,
			      "%s: verdict %#x", a->prov,
			      plugtls_conn_verify_result(tp.client)) &&
		     TH_CHECK(leaf && strcmp(plugtls_cert_subject(leaf),
					     a->leaf_subject) == 0,
			      "%s: peer leaf %s", a->prov,
			      leaf ? plugtls_cert_subject(leaf) : "(none)");
	}
	unsigned seed = (unsigned)(a->id * 16 + round);
	ok = ok && th_exchange(tp.client, tp.server, TH_CONN_BYTES, seed) &&
	     th_exchange(tp.server, tp.client, TH_CONN_BYTES, seed + 1) &&
	     th_close(tp.client, tp.server) && th_close(tp.server, tp.client);
	th_pair_free(&tp);
	return ok;
}

static void *conn_worker(void *varg)
{
	struct conn_arg *a = varg;

	pthread_barrier_wait(a->start);
	for (unsigned r = 0; r < TH_CONN_ROUNDS; r++)
		if (!one_connection(a, r))
			break;
	return NULL;
}

struct verify_arg {
	pthread_barrier_t *start;
	plugtls_ctx *cctx;
	plugtls_chain *chain;
	const char *prov;
};

static void *verify_worker(void *varg)
{
	struct verify_arg *a = varg;

	pthread_barrier_wait(a->start);
	for (unsigned r = 0; r < TH_VERIFY_ROUNDS; r++) {
		uint32_t reasons = ~0u;
		plugtls_err rc = plugtls_ctx_verify(a->cctx, a->chain, TH_HOST,
						    PLUGTLS_PURPOSE_SERVER,
						    &reasons);
		if (!TH_CHECK(rc == PLUGTLS_OK && reasons == 0,
			      "%s: ctx_verify: %s, reasons %#x (%s)", a->prov,
			      plugtls_err_string(rc), reasons,
			      plugtls_thread_error()->message))
			break;
	}
	return NULL;
}

static void run_provider(const plugtls_provider *p)
{
	static struct conn_arg args[TH_CONN_THREADS];
	const char *name = plugtls_provider_name(p);
	plugtls_ctx *cctx13 = th_client_ctx(p, PLUGTLS_TLS1_2, PLUGTLS_TLS1_3);
	plugtls_ctx *cctx12 = th_client_ctx(p, PLUGTLS_TLS1_2, PLUGTLS_TLS1_2);
	plugtls_ctx *sctx = th_server_ctx(p);
	plugtls_chain *chain = NULL;
	pthread_barrier_t start;
	pthread_t vt;
	double t0 = th_now();

	if (!cctx13 || !cctx12 || !sctx)
		goto out;
	if (!TH_CHECK(plugtls_chain_load_file(p, TH_FIXTURE("server-ec-chain.pem"),
					      &chain) == PLUGTLS_OK,
		      "%s: %s", name, plugtls_thread_error()->message))
		goto out;
	pthread_barrier_init(&start, NULL, TH_CONN_THREADS + 1);
	struct verify_arg va = {&start, cctx13, chain, name};
	bool vstarted = TH_CHECK(
		pthread_create(&vt, NULL, verify_worker, &va) == 0, "thread");
	if (!vstarted) {
		/* Keep the barrier count right: this thread takes its place. */
		pthread_barrier_destroy(&start);
		pthread_barrier_init(&start, NULL, TH_CONN_THREADS);
	}
	for (size_t t = 0; t < TH_CONN_THREADS; t++)
		args[t] = (struct conn_arg){
			.id = t,
			.start = &start,
			.cctx13 = cctx13,
			.cctx12 = cctx12,
			.sctx = sctx,
			.leaf_subject = plugtls_cert_subject(
				plugtls_chain_get(chain, 0)),
			.prov = name,
		};
	th_run(TH_CONN_THREADS, conn_worker, args, sizeof(args[0]));
	if (vstarted)
		pthread_join(vt, NULL);
	pthread_barrier_destroy(&start);
	printf("%s: %d connections on %d threads in %.2f s\n", name,
	       TH_CONN_THREADS * TH_CONN_ROUNDS, TH_CONN_THREADS,
	       th_now() - t0);
out:
	plugtls_chain_free(chain);
	plugtls_ctx_free(cctx13);
	plugtls_ctx_free(cctx12);
	plugtls_ctx_free(sctx);
}

int main(void)
{
	const plugtls_provider *prov[8];
	size_t n = th_providers(prov, 8);

	for (size_t i = 0; i < n; i++) {
		run_provider(prov[i]);
		plugtls_provider_release(prov[i]);
	}
	TH_CHECK(n == plugtls_provider_count(), "providers tested");
	return th_exit_code("threads.conn");
}
