/*
 * Secrets in memory and key-log output, on every provider.
 *
 * wiped_on_free: the test installs its own allocator with
 * plugtls_set_allocator() before any other plugtls call. Each block has a
 * header (size, list links) so that its free can scan the whole block
 * before releasing it; realloc is malloc + copy + free, so a block left
 * behind by a growing buffer is scanned too. The scan looks for every
 * secret the test hands to plugtls: the EC private scalar of the server key
 * (it is inside the encrypted PEM, the plain PEM and the PKCS#12 bundle),
 * the plain key's PEM body lines, the key and PKCS#12 passwords (right and
 * wrong ones), the PSK, and an exported session. The operations: key loads
 * (encrypted with its password, wrong password, plain), PKCS#12 import and
 * export, server configs with a PKCS#12 bundle, an encrypted key file and a
 * PSK, contexts built from them, handshakes (PSK over TLS 1.3 and 1.2,
 * certificate with the encrypted key, a resumption), everything freed.
 * Any freed block holding a secret fails the test, naming the secret and
 * the block; so does a block still live at the end (after every object
 * was freed) that holds one. A self-test first proves the scanner sees a
 * secret put in a block.
 *
 * Only plugtls-owned memory goes through this allocator (the providers'
 * own allocations do not: none of the backends routes them through
 * plugtls), which is exactly the promise of plugtls.h ("key material,
 * passwords and PSKs are wiped before their memory is released").
 *
 * keylog_only_when_asked: with $SSLKEYLOGFILE set in the environment,
 * handshakes without a key-log callback create no file (GnuTLS would write
 * it by itself: backends/gnutls/NOTES.md), and with a callback on one side
 * only that callback gets lines — the file is still not created.
 */
#define _GNU_SOURCE
#include "conn_helpers.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the scanning allocator ----------------------------------------------
 */

#define MAGIC 0x5ec7c0deu
#define MAX_NEEDLES 64
#define MAX_HITS 16

struct blk {
	struct blk *prev, *next;
	size_t size;
	unsigned magic32;
	unsigned provider; /* allocated by the provider through the hook */
};                         /* 32 bytes: malloc's 16-byte alignment is kept */

struct needle {
	unsigned char v[256];
	size_t len;
	char what[64];
};

/* The allocator hooks a backend gave its provider library (wolfSSL:
 * wolfSSL_SetAllocators, when plugtls's allocator is custom). Blocks that
 * the provider allocates through them are the provider's own memory, not
 * plugtls's: a secret left in one is logged (a NOTE), not failed.
 * Found by address: a frame of the allocation's call stack inside one of
 * these functions (Debug builds keep the call frames). */
#define HOOK_SPAN 160
static uintptr_t hooks[3];

static void find_provider_hooks(void)
{
	int (*get)(void **, void **, void **) =
		(int (*)(void **, void **, void **))dlsym(
			RTLD_DEFAULT, "wolfSSL_GetAllocators");
	void *m = NULL, *f = NULL, *r = NULL;
	if (get && get(&m, &f, &r) == 0) {
		hooks[0] = (uintptr_t)m;
		hooks[1] = (uintptr_t)f;
		hooks[2] = (uintptr_t)r;
	}
}

static unsigned from_provider_hook(void)
{
	void *bt[10];
	if (!hooks[0])
		return 0;
	int n = backtrace(bt, 10);
	for (int i = 1; i < n; i++)
		for (int h = 0; h < 3; h++)
			if (hooks[h] && (uintptr_t)bt[i] > hooks[h] &&
			    (uintptr_t)bt[i] < hooks[h] + HOOK_SPAN)
				return 1;
	return 0;
}

static struct {
	pthread_mutex_t mu;
	struct blk head; /* live blocks */
	struct needle needles[MAX_NEEDLES];
	int n_needles;
	unsigned long scanned_blocks;
	unsigned long long scanned_bytes;
	int hits, provider_hits;
	char hit_text[MAX_HITS][160];
	char provider_hit_text[160];
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* With S.mu held. */
static void scan(const unsigned char *p, size_t size, const char *when,
		 unsigned provider)
{
	S.scanned_blocks++;
	S.scanned_bytes += size;
	for (int i = 0; i < S.n_needles; i++) {
		const unsigned char *hit =
			ch_memmem(p, size, S.needles[i].v, S.needles[i].len);
		if (!hit)
			continue;
		if (provider) {
			if (!S.provider_hits++)
				snprintf(S.provider_hit_text,
					 sizeof(S.provider_hit_text),
					 "%s in a %s provider block of %zu "
					 "bytes at offset %zu",
					 S.needles[i].what, when, size,
					 (size_t)(hit - p));
			continue;
		}
		if (S.hits < MAX_HITS)
			snprintf(S.hit_text[S.hits], sizeof(S.hit_text[0]),
				 "%s in a %s block of %zu bytes at offset %zu",
				 S.needles[i].what, when, size,
				 (size_t)(hit - p));
		S.hits++;
		/* Where it was freed (PT_SECRETS_TRACE=1). */
		if (getenv("PT_SECRETS_TRACE")) {
			void *bt[24];
			int n = backtrace(bt, 24);
			fprintf(stderr, "--- %s in a %s block:\n",
				S.needles[i].what, when);
			backtrace_symbols_fd(bt, n, 2);
		}
	}
}

static void *sec_malloc(size_t n)
{
	/* Zeroed: stale heap bytes from elsewhere (the test's own buffers
	 * hold the secrets) must not count as plugtls's. */
	struct blk *b = calloc(1, sizeof(*b) + n);
	if (!b)
		return NULL;
	b->size = n;
	b->magic32 = MAGIC;
	b->provider = from_provider_hook();
	pthread_mutex_lock(&S.mu);
	if (!S.head.next)
		S.head.next = S.head.prev = &S.head;
	b->next = S.head.next;
	b->prev = &S.head;
	S.head.next->prev = b;
	S.head.next = b;
	pthread_mutex_unlock(&S.mu);
	return b + 1;
}

static void sec_free(void *p)
{
	if (!p)
		return;
	struct blk *b = (struct blk *)p - 1;
	if (b->magic32 != MAGIC)
		abort(); /* not ours: plugtls mixed allocators */
	pthread_mutex_lock(&S.mu);
	scan(p, b->size, "freed", b->provider);
	b->prev->next = b->next;
	b->next->prev = b->prev;
	pthread_mutex_unlock(&S.mu);
	b->magic32 = 0;
	free(b);
}

static void *sec_realloc(void *p, size_t n)
{
	if (!p)
		return sec_malloc(n);
	struct blk *b = (struct blk *)p - 1;
	void *q = sec_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, b->size < n ? b->size : n);
	sec_free(p);
	return q;
}

/* Scan every block still live. */
static void scan_live(void)
{
	pthread_mutex_lock(&S.mu);
	for (struct blk *b = S.head.next; b && b != &S.head; b = b->next)
		scan((const unsigned char *)(b + 1), b->size, "still live",
		     b->provider);
	pthread_mutex_unlock(&S.mu);
}

static void needle_add(const void *v, size_t len, const char *what)
{
	pthread_mutex_lock(&S.mu);
	if (S.n_needles < MAX_NEEDLES && len > 0 && len <= 256) {
		struct needle *nd = &S.needles[S.n_needles++];
		memcpy(nd->v, v, len);
		nd->len = len;
		snprintf(nd->what, sizeof(nd->what), "%s", what);
	}
	pthread_mutex_unlock(&S.mu);
}

static void assert_no_hits(const char *prov, const char *stage)
{
	pthread_mutex_lock(&S.mu);
	int hits = S.hits;
	char first[2][160];
	snprintf(first[0], sizeof(first[0]), "%s",
		 hits > 0 ? S.hit_text[0] : "");
	snprintf(first[1], sizeof(first[1]), "%s",
		 hits > 1 ? S.hit_text[1] : "");
	pthread_mutex_unlock(&S.mu);
	cr_assert_eq(hits, 0,
		     "[%s] %s: %d secret(s) left in plugtls memory: %s; %s "
		     "(PT_SECRETS_TRACE=1 prints where)",
		     prov, stage, hits, first[0], first[1]);
}

/* ---- the secrets -----------------------------------------------------------
 */

static char *read_text(const char *path)
{
	size_t len;
	char *t = (char *)pt_read_fixture(path, &len);
	while (len && (t[len - 1] == '\n' || t[len - 1] == '\r'))
		t[--len] = 0;
	return t;
}

/* The plain EC key: its PEM body lines and its private scalar (RFC 5915
 * ECPrivateKey: INTEGER 1, OCTET STRING privateKey). */
static void add_key_needles(const char *path)
{
	size_t len, dl;
	char *text = (char *)pt_read_fixture(path, &len);
	char *b = strstr(text, "-----BEGIN PRIVATE KEY-----");
	cr_assert_not_null(b, "%s is not a PKCS#8 PEM key", path);
	unsigned char *der = pt_pem_der(b, &dl);
	b = strchr(b, '\n') + 1;
	char *e = strstr(b, "-----END ");
	cr_assert_not_null(e);
	for (char *line = b; line < e;) {
		char *nl = strchr(line, '\n');
		size_t ll = (size_t)(nl - line);
		if (ll >= 32)
			needle_add(line, ll, "the plain key's PEM line");
		line = nl + 1;
	}
	static const unsigned char pfx[] = {0x02, 0x01, 0x01, 0x04};
	const unsigned char *at = ch_memmem(der, dl, pfx, sizeof(pfx));
	cr_assert_not_null(at, "no ECPrivateKey in %s", path);
	size_t sl = at[4];
	cr_assert(sl >= 28 && sl <= 66 && at + 5 + sl <= der + dl);
	needle_add(at + 5, sl, "the EC private scalar");
	/* Half of it is enough to count as a copy. */
	needle_add(at + 5, sl / 2, "the first half of the EC scalar");
	needle_add(at + 5 + sl / 2, sl - sl / 2,
		   "the second half of the EC scalar");
	free(der);
	free(text);
}

/* ---- helpers ---------------------------------------------------------------
 */

static void handshake_and_talk(plugtls_ctx *cctx, plugtls_ctx *sctx,
			       unsigned char *session, size_t *session_len)
{
	struct pt_pair pp;
	plugtls_err src, crc;
	pt_pair_make(&pp, cctx, sctx, CH_HOST);
	if (session && *session_len)
		cr_assert_eq(plugtls_conn_set_session(pp.client, session,
						      *session_len),
			     PLUGTLS_OK);
	crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_OK, "client: %s (%s); server: %s (%s)",
		     plugtls_err_string(crc),
		     plugtls_conn_error(pp.client)->message,
		     plugtls_err_string(src),
		     plugtls_conn_error(pp.server)->message);
	cr_assert_eq(src, PLUGTLS_OK, "server: %s (%s)",
		     plugtls_err_string(src),
		     plugtls_conn_error(pp.server)->message);
	pt_exchange(pp.server, pp.client, 300);
	pt_exchange(pp.client, pp.server, 300);
	if (session && !*session_len) {
		size_t need = 0;
		plugtls_err rc = plugtls_conn_session_export(pp.client, session,
							     8192, &need);
		cr_assert_eq(rc, PLUGTLS_OK, "session_export: %s (%s)",
			     plugtls_err_string(rc),
			     plugtls_conn_error(pp.client)->message);
		*session_len = need;
	} else if (session) {
		cr_assert(plugtls_conn_resumed(pp.client), "not resumed");
	}
	ch_close_clean(pp.client, pp.server);
	ch_pair_free_conns(&pp); /* the contexts stay the caller's */
}

/* ------------------------------------------------------------------------ */

PT_PARAMS_PROVIDERS(secrets, wiped_on_free)
ParameterizedTest(struct pt_param *param, secrets, wiped_on_free)
{
	plugtls_err rc =
		plugtls_set_allocator(sec_malloc, sec_realloc, sec_free);
	cr_assert_eq(rc, PLUGTLS_OK,
		     "set_allocator before any other call: %s (%s)",
		     plugtls_err_string(rc), plugtls_thread_error()->message);

	/* The secrets, read with libc (not through plugtls). */
	size_t psk_len, id_len, p12_len, enc_len;
	unsigned char *psk = pt_read_fixture(FIXTURE("psk.bin"), &psk_len);
	unsigned char *id =
		pt_read_fixture(FIXTURE("psk-identity.txt"), &id_len);
	unsigned char *p12 =
		pt_read_fixture(FIXTURE("server-ec.p12"), &p12_len);
	unsigned char *enc =
		pt_read_fixture(FIXTURE("server-ec-enc.key"), &enc_len);
	char *key_pw = read_text(FIXTURE("key-password.txt"));
	char *p12_pw = read_text(FIXTURE("p12-password.txt"));
	static const char wrong_pw[] = "Wr0ng-secret-Passw0rd";
	static const char export_pw[] = "Exp0rt-secret-Passw0rd";
	needle_add(psk, psk_len, "the PSK");
	needle_add(psk, psk_len / 2, "the first half of the PSK");
	needle_add(psk + psk_len / 2, psk_len - psk_len / 2,
		   "the second half of the PSK");
	needle_add(key_pw, strlen(key_pw), "the key password");
	needle_add(p12_pw, strlen(p12_pw), "the PKCS#12 password");
	needle_add(wrong_pw, strlen(wrong_pw), "a wrong password");
	needle_add(export_pw, strlen(export_pw), "the export password");
	add_key_needles(FIXTURE("server-ec.key"));

	/* The scanner works: a block holding the PSK is caught. */
	unsigned char *probe = sec_malloc(100);
	cr_assert_not_null(probe);
	memset(probe, 0, 100);
	memcpy(probe + 7, psk, psk_len);
	sec_free(probe);
	cr_assert(S.hits >= 1, "the scanner missed a planted PSK");
	S.hits = 0;

	const plugtls_provider *p = pt_provider(param->prov);
	find_provider_hooks();
	pt_require_caps(p, PLUGTLS_CAP_ECDSA | PLUGTLS_CAP_ENCRYPTED_KEYS |
				   PLUGTLS_CAP_PKCS12_IMPORT |
				   PLUGTLS_CAP_PSK_TLS13 | PLUGTLS_CAP_TLS13 |
				   PLUGTLS_CAP_TLS12);

	/* Keys. */
	plugtls_key *key = NULL;
	plugtls_chain *chain = NULL;
	cr_assert_eq(plugtls_key_load_file(p, FIXTURE("server-ec-enc.key"),
					   key_pw, &key),
		     PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	plugtls_key_free(key);
	key = NULL;
	cr_assert_eq(plugtls_key_load(p, enc, enc_len, wrong_pw, &key),
		     PLUGTLS_E_BAD_PASSWORD);
	cr_assert_eq(plugtls_key_load(p, enc, enc_len, key_pw, &key),
		     PLUGTLS_OK);
	plugtls_key_free(key);
	key = NULL;
	cr_assert_eq(
		plugtls_key_load_file(p, FIXTURE("server-ec.key"), NULL, &key),
		PLUGTLS_OK);
	plugtls_key_free(key);
	key = NULL;
	assert_no_hits(param->prov, "key loading");

	/* PKCS#12 import and export. */
	cr_assert_eq(
		plugtls_pkcs12_import(p, p12, p12_len, wrong_pw, &key, &chain),
		PLUGTLS_E_BAD_PASSWORD);
	cr_assert_eq(
		plugtls_pkcs12_import(p, p12, p12_len, p12_pw, &key, &chain),
		PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	if (plugtls_provider_caps(p) & PLUGTLS_CAP_PKCS12_EXPORT) {
		unsigned char *out = NULL;
		size_t out_len = 0;
		cr_assert_eq(plugtls_pkcs12_export(p, key, chain, export_pw,
						   "secret test", &out,
						   &out_len),
			     PLUGTLS_OK, "%s", plugtls_thread_error()->message);
		plugtls_free(out);
	}
	plugtls_key_free(key);
	plugtls_chain_free(chain);
	assert_no_hits(param->prov, "PKCS#12 import/export");

	/* Configs and contexts: PKCS#12 + PSK; encrypted key file + PSK. */
	for (int round = 0; round < 2; round++) {
		unsigned v = round ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
		if (v == PLUGTLS_TLS1_2 &&
		    !(plugtls_provider_caps(p) & PLUGTLS_CAP_PSK_TLS12))
			continue;
		plugtls_config *sc = ch_server_cfg(NULL, NULL);
		if (round == 0) {
			cr_assert_eq(plugtls_config_set_pkcs12_mem(
					     sc, p12, p12_len, p12_pw),
				     PLUGTLS_OK);
		} else {
			cr_assert_eq(plugtls_config_set_cert_file(
					     sc, CH_SERVER_CHAIN("ec")),
				     PLUGTLS_OK);
			/* A wrong password first: replaced, and wiped. */
			cr_assert_eq(plugtls_config_set_key_mem(
					     sc, enc, enc_len, wrong_pw),
				     PLUGTLS_OK);
			cr_assert_eq(plugtls_config_set_key_file(
					     sc, FIXTURE("server-ec-enc.key"),
					     key_pw),
				     PLUGTLS_OK);
		}
		ch_add_psk(sc, id, id_len, psk, psk_len);
		ch_protocols(sc, v, v);
		plugtls_config *cc = ch_client_cfg(CH_CA);
		ch_add_psk(cc, id, id_len, psk, psk_len);
		ch_protocols(cc, v, v);
		plugtls_ctx *sctx = ch_ctx(p, sc);
		plugtls_ctx *cctx = ch_ctx(p, cc);
		handshake_and_talk(cctx, sctx, NULL, NULL);
		plugtls_ctx_free(cctx);
		plugtls_ctx_free(sctx);
	}
	assert_no_hits(param->prov, "PSK handshakes");

	/* A certificate handshake with the encrypted key, and a resumption
	 * from an exported session (whose bytes are secret too). */
	if (plugtls_provider_caps(p) & PLUGTLS_CAP_SESSION_EXPORT) {
		static unsigned char session[8192];
		size_t session_len = 0;
		plugtls_config *sc = ch_server_cfg(CH_SERVER_CHAIN("ec"), NULL);
		cr_assert_eq(plugtls_config_set_key_file(
				     sc, FIXTURE("server-ec-enc.key"), key_pw),
			     PLUGTLS_OK);
		ch_protocols(sc, PLUGTLS_TLS1_2, PLUGTLS_TLS1_2);
		plugtls_ctx *sctx = ch_ctx(p, sc);
		plugtls_ctx *cctx = ch_ctx(p, ch_client_cfg(CH_CA));
		handshake_and_talk(cctx, sctx, session, &session_len);
		cr_assert(session_len > 32);
		needle_add(session, session_len, "the exported session");
		handshake_and_talk(cctx, sctx, session, &session_len);
		plugtls_ctx_free(cctx);
		plugtls_ctx_free(sctx);
	}
	assert_no_hits(param->prov, "certificate handshake and resumption");

	/* Nothing plugtls still holds keeps a secret either. */
	scan_live();
	assert_no_hits(param->prov, "blocks still live after every free");
	cr_assert(S.scanned_blocks > 100,
		  "only %lu blocks went through the allocator: the test "
		  "proves nothing",
		  S.scanned_blocks);
	cr_log_info("[%s] %lu blocks, %llu bytes scanned", param->prov,
		    S.scanned_blocks, S.scanned_bytes);
	if (S.provider_hits)
		/* Info, not warn: Criterion exits 1 on any warning. */
		cr_log_info("[%s] NOTE: the provider's own memory (allocated "
			    "through "
			    "plugtls's allocator) kept %d secret(s) at free, "
			    "e.g. %s",
			    param->prov, S.provider_hits, S.provider_hit_text);
	free(psk);
	free(id);
	free(p12);
	free(enc);
	free(key_pw);
	free(p12_pw);
}

/* ------------------------------------------------------------------------ */
/* Key-log output only when the application asks for it                     */
/* ------------------------------------------------------------------------ */

static void count_cb(void *arg, const char *line)
{
	(void)line;
	(*(unsigned *)arg)++;
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

PT_PARAMS_CASES(secrets, keylog_only_when_asked, 2)
ParameterizedTest(struct pt_param *param, secrets, keylog_only_when_asked)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	char dir[] = "/tmp/plugtls-keylog.XXXXXX";
	char path[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keys.log", dir);
	/* Before any provider is initialised. */
	cr_assert_eq(setenv("SSLKEYLOGFILE", path, 1), 0);

	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, v, v);
	plugtls_ctx *sctx = ch_ctx(p, sc);
	plugtls_ctx *cctx = ch_ctx(p, ch_client_cfg(CH_CA));
	handshake_and_talk(cctx, sctx, NULL, NULL);
	plugtls_ctx_free(cctx);
	int created = file_exists(path);

	/* A callback on the client only: it gets the lines, nothing else
	 * does (the file stays absent). */
	unsigned lines = 0;
	if (plugtls_provider_caps(p) & PLUGTLS_CAP_KEYLOG) {
		plugtls_config *cc = ch_client_cfg(CH_CA);
		cr_assert_eq(plugtls_config_set_keylog_callback(cc, count_cb,
								&lines),
			     PLUGTLS_OK);
		cctx = ch_ctx(p, cc);
		handshake_and_talk(cctx, sctx, NULL, NULL);
		plugtls_ctx_free(cctx);
		cr_assert(lines > 0, "[%s] the key-log callback got nothing",
			  param->prov);
	}
	plugtls_ctx_free(sctx);
	int created_later = file_exists(path);
	unlink(path);
	rmdir(dir);
	cr_assert(!created,
		  "[%s] %s: $SSLKEYLOGFILE was written with no key-log "
		  "callback set",
		  param->prov, ch_vname(v));
	cr_assert(!created_later,
		  "[%s] %s: $SSLKEYLOGFILE was written next to the key-log "
		  "callback",
		  param->prov, ch_vname(v));
	cr_log_info("[%s] %s: no $SSLKEYLOGFILE; callback lines: %u",
		    param->prov, ch_vname(v), lines);
}
