/*
 * Shared read-only objects from many threads (plugtls.h: "a config,
 * context, certificate chain or key may be read from many threads at once
 * once it is built"). Per provider, TH_VERIFY_THREADS threads start
 * together and each, TH_VERIFY_ROUNDS times, verifies one shared chain
 * against one shared client context (a name that matches: valid; one that
 * does not: exactly hostname-mismatch) and reads every certificate getter,
 * comparing with the values read once before the threads started.
 *
 * Three kinds of chain:
 *  - parsed from a file (each certificate has its provider object);
 *  - the peer chain of an established connection, and the chain of a
 *    PKCS#12 import: their certificates were made from objects the provider
 *    owns, so the core builds each provider object on first use, which
 *    here is by many threads at once.
 */
#include "threads.h"

#define TH_VERIFY_THREADS 8
#define TH_VERIFY_ROUNDS 15
#define TH_PEER_ROUNDS 4
#define TH_MAX_CERTS 4

/* Everything a getter returns, copied. */
struct cert_facts {
	char subject[256], issuer[256], serial[80], pin[80], fpr[100];
	char key_type[16], sig_alg[64];
	unsigned key_bits, eku;
	int is_ca, path_len;
	int64_t nb, na;
	size_t nsans, der_len, spki_len;
	char san0[128];
};

static void facts_of(const plugtls_cert *c, struct cert_facts *f)
{
	const unsigned char *d;
	plugtls_san_type t;
	const char *v = NULL;

	memset(f, 0, sizeof(*f));
	snprintf(f->subject, sizeof(f->subject), "%s", plugtls_cert_subject(c));
	snprintf(f->issuer, sizeof(f->issuer), "%s", plugtls_cert_issuer(c));
	snprintf(f->serial, sizeof(f->serial), "%s", plugtls_cert_serial(c));
	snprintf(f->pin, sizeof(f->pin), "%s", plugtls_cert_pin(c));
	snprintf(f->fpr, sizeof(f->fpr), "%s",
		 plugtls_cert_fingerprint_sha256(c));
	snprintf(f->key_type, sizeof(f->key_type), "%s",
		 plugtls_cert_key_type(c));
	snprintf(f->sig_alg, sizeof(f->sig_alg), "%s", plugtls_cert_sig_alg(c));
	f->key_bits = plugtls_cert_key_bits(c);
	f->eku = plugtls_cert_eku(c);
	f->is_ca = plugtls_cert_is_ca(c);
	f->path_len = plugtls_cert_path_len(c);
	f->nb = plugtls_cert_not_before(c);
	f->na = plugtls_cert_not_after(c);
	f->nsans = plugtls_cert_san_count(c);
	plugtls_cert_der(c, &d, &f->der_len);
	plugtls_cert_spki_der(c, &d, &f->spki_len);
	if (f->nsans && plugtls_cert_san(c, 0, &t, &v) == PLUGTLS_OK)
		snprintf(f->san0, sizeof(f->san0), "%d:%s", (int)t, v);
}

struct verify_arg {
	size_t id;
	pthread_barrier_t *start;
	plugtls_ctx *cctx;
	const plugtls_chain *chain;
	const struct cert_facts *want; /* one per certificate */
	const char *what;
	unsigned rounds;
};

static bool check_getters(struct verify_arg *a)
{
	size_t n = plugtls_chain_count(a->chain);
	struct cert_facts got;

	for (size_t i = 0; i < n; i++) {
		facts_of(plugtls_chain_get(a->chain, i), &got);
		if (!TH_CHECK(memcmp(&got, &a->want[i], sizeof(got)) == 0,
			      "%s: certificate %zu: fields differ (subject "
			      "%s, serial %s)",
			      a->what, i, got.subject, got.serial))
			return false;
	}
	return true;
}

static bool check_verify(struct verify_arg *a, const char *host,
			 uint32_t want)
{
	uint32_t reasons = ~0u;
	plugtls_err rc = plugtls_ctx_verify(a->cctx, a->chain, host,
					    PLUGTLS_PURPOSE_SERVER, &reasons);

	return TH_CHECK(rc == (want ? PLUGTLS_E_VERIFY : PLUGTLS_OK) &&
				reasons == want,
			"%s: thread %zu: verify(%s): %s, reasons %#x, want "
			"%#x (%s)",
			a->what, a->id, host, plugtls_err_string(rc), reasons,
			want, plugtls_thread_error()->message);
}

static void *verify_worker(void *varg)
{
	struct verify_arg *a = varg;

	pthread_barrier_wait(a->start);
	for (unsigned r = 0; r < a->rounds; r++) {
		/* Half the threads verify first, half read fields first. */
		bool ok = (a->id + r) % 2
				  ? check_verify(a, TH_HOST, 0) &&
					    check_getters(a)
				  : check_getters(a) &&
					    check_verify(a, TH_HOST, 0);
		ok = ok && check_verify(a, "wrong.example",
					PLUGTLS_VERIFY_HOSTNAME);
		if (!ok)
			break;
	}
	return NULL;
}

/* TH_VERIFY_THREADS threads on one chain, started together. */
static void run_chain(plugtls_ctx *cctx, const plugtls_chain *chain,
		      const char *what, unsigned rounds)
{
	static struct verify_arg args[TH_VERIFY_THREADS];
	struct cert_facts want[TH_MAX_CERTS];
	size_t n = plugtls_chain_count(chain);
	pthread_barrier_t start;

	if (!TH_CHECK(n >= 2 && n <= TH_MAX_CERTS, "%s: %zu certificates",
		      what, n))
		return;
	/* Fields only: reading them builds no provider object. */
	for (size_t i = 0; i < n; i++)
		facts_of(plugtls_chain_get(chain, i), &want[i]);
	if (!TH_CHECK(strcmp(want[0].subject, want[1].issuer) != 0 &&
			      strcmp(want[0].issuer, want[1].subject) == 0,
		      "%s: leaf then its issuer", what))
		return;
	pthread_barrier_init(&start, NULL, TH_VERIFY_THREADS);
	for (size_t t = 0; t < TH_VERIFY_THREADS; t++)
		args[t] = (struct verify_arg){
			.id = t,
			.start = &start,
			.cctx = cctx,
			.chain = chain,
			.want = want,
			.what = what,
			.rounds = rounds,
		};
	th_run(TH_VERIFY_THREADS, verify_worker, args, sizeof(args[0]));
	pthread_barrier_destroy(&start);
}

/* Peer chains: a new connection per round, so that each round starts from
 * certificates without provider objects. */
static void run_peer_chains(plugtls_ctx *cctx, plugtls_ctx *sctx,
			    const char *name)
{
	char what[64];

	snprintf(what, sizeof(what), "%s peer chain", name);
	for (unsigned r = 0; r < TH_PEER_ROUNDS; r++) {
		struct th_pair tp;
		if (!th_pair_new(&tp, cctx, sctx))
			return;
		bool ok = th_handshake(&tp);
		if (ok)
			run_chain(cctx, plugtls_conn_peer_chain(tp.client),
				  what, 2);
		th_pair_free(&tp);
		if (!ok)
			return;
	}
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long sz;

	if (!TH_CHECK(f != NULL, "open %s", path))
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)sz + 1)) &&
	    fread(buf, 1, (size_t)sz, f) == (size_t)sz) {
		buf[sz] = 0;
		*len = (size_t)sz;
	} else {
		TH_CHECK(false, "read %s", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void run_pkcs12(const plugtls_provider *p, plugtls_ctx *cctx)
{
	size_t len = 0, plen = 0;
	unsigned char *der = read_file(TH_FIXTURE("server-ec.p12"), &len);
	unsigned char *pw = read_file(TH_FIXTURE("p12-password.txt"), &plen);
	plugtls_key *key = NULL;
	plugtls_chain *chain = NULL;
	char what[64];

	snprintf(what, sizeof(what), "%s PKCS#12 chain",
		 plugtls_provider_name(p));
	if (der && pw &&
	    TH_CHECK(plugtls_pkcs12_import(p, der, len, (const char *)pw, &key,
					   &chain) == PLUGTLS_OK,
		     "%s: %s", what, plugtls_thread_error()->message))
		run_chain(cctx, chain, what, 2);
	plugtls_chain_free(chain);
	plugtls_key_free(key);
	free(der);
	free(pw);
}

static void run_provider(const plugtls_provider *p)
{
	const char *name = plugtls_provider_name(p);
	plugtls_ctx *cctx = th_client_ctx(p, PLUGTLS_TLS1_2, PLUGTLS_TLS1_3);
	plugtls_ctx *sctx = th_server_ctx(p);
	plugtls_chain *chain = NULL;
	char what[64];
	double t0 = th_now();

	if (!cctx || !sctx)
		goto out;
	snprintf(what, sizeof(what), "%s parsed chain", name);
	if (TH_CHECK(plugtls_chain_load_file(p, TH_FIXTURE("server-ec-chain.pem"),
					     &chain) == PLUGTLS_OK,
		     "%s: %s", name, plugtls_thread_error()->message))
		run_chain(cctx, chain, what, TH_VERIFY_ROUNDS);
	run_peer_chains(cctx, sctx, name);
	if (plugtls_provider_caps(p) & PLUGTLS_CAP_PKCS12_IMPORT)
		run_pkcs12(p, cctx);
	else
		printf("%s: PKCS#12 chain skipped: no pkcs12-import\n", name);
	printf("%s: shared verification done in %.2f s\n", name,
	       th_now() - t0);
out:
	plugtls_chain_free(chain);
	plugtls_ctx_free(cctx);
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
	return th_exit_code("threads.verify");
}
