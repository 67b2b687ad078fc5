/*
 * Secrets never reach the log. With a config log callback and the global
 * one both at PLUGTLS_LOG_DEBUG, capturing every line, each scenario runs
 * the operations that handle secrets — PSK handshakes (TLS 1.3 and 1.2,
 * with the right key and a wrong one), PKCS#12 import with a password
 * (through a config and plugtls_ctx_new, and through
 * plugtls_pkcs12_import, with the right and a wrong password), an
 * encrypted private key (plugtls_key_load and a config), and key logging —
 * then searches the captured text for every form of every secret: raw
 * bytes, lower- and upper-case hex, base64, passwords, the private keys'
 * PEM body lines and every 16-byte window of their DER as hex.
 *
 * The log must not be empty: a library that logs nothing would pass the
 * search trivially, so each scenario also asserts that lines were
 * captured. It also checks the level filter and the one-line format.
 */
#include "conn_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the capture ----------------------------------------------------------
 */

struct logcap {
	char *text; /* every line, '\n'-separated */
	size_t len, cap;
	unsigned per_level[4];
	unsigned lines;
	plugtls_log_level max; /* the level the callback was set with */
	int bad_level, bad_format;
};

static void log_cb(void *arg, plugtls_log_level level, const char *line)
{
	struct logcap *lc = arg;
	if ((unsigned)level > PLUGTLS_LOG_DEBUG || level > lc->max)
		lc->bad_level++;
	else
		lc->per_level[level]++;
	if (!line || strchr(line, '\n')) {
		lc->bad_format++;
		if (!line)
			return;
	}
	size_t l = strlen(line);
	if (lc->len + l + 2 > lc->cap) {
		size_t nc = (lc->cap + l + 2) * 2;
		char *t = realloc(lc->text, nc);
		if (!t)
			return; /* the test then sees fewer lines */
		lc->text = t;
		lc->cap = nc;
	}
	memcpy(lc->text + lc->len, line, l);
	lc->len += l;
	lc->text[lc->len++] = '\n';
	lc->text[lc->len] = 0;
	lc->lines++;
}

static void logcap_init(struct logcap *lc, plugtls_log_level max)
{
	memset(lc, 0, sizeof(*lc));
	lc->max = max;
}

static void logcap_fini(struct logcap *lc)
{
	free(lc->text);
	memset(lc, 0, sizeof(*lc));
}

/* ---- the secrets ----------------------------------------------------------
 */

#define MAX_SECRETS 1024

struct secrets {
	unsigned char *v[MAX_SECRETS];
	size_t len[MAX_SECRETS];
	char what[MAX_SECRETS][48];
	int n;
};

static void secret_add(struct secrets *s, const void *v, size_t len,
                       const char *what)
{
	cr_assert(s->n < MAX_SECRETS);
	s->v[s->n] = malloc(len + 1);
	cr_assert_not_null(s->v[s->n]);
	memcpy(s->v[s->n], v, len);
	s->v[s->n][len] = 0;
	s->len[s->n] = len;
	snprintf(s->what[s->n], sizeof(s->what[0]), "%s", what);
	s->n++;
}

static void b64(const unsigned char *in, size_t len, char *out)
{
	static const char t[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = t[(v >> 18) & 63];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = i + 1 < len ? t[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? t[v & 63] : '=';
	}
	out[o] = 0;
}

/* Raw, hex (both cases), base64. */
static void secret_add_bytes(struct secrets *s, const unsigned char *v,
                             size_t len, const char *what)
{
	char *buf = malloc(2 * len + 8);
	char name[48];
	cr_assert_not_null(buf);
	secret_add(s, v, len, what);
	ch_hex(v, len, buf, 0);
	snprintf(name, sizeof(name), "%s (hex)", what);
	secret_add(s, buf, 2 * len, name);
	ch_hex(v, len, buf, 1);
	snprintf(name, sizeof(name), "%s (HEX)", what);
	secret_add(s, buf, 2 * len, name);
	b64(v, len, buf);
	snprintf(name, sizeof(name), "%s (base64)", what);
	secret_add(s, buf, strlen(buf), name);
	free(buf);
}

static void secret_add_text(struct secrets *s, const char *text,
                            const char *what)
{
	secret_add(s, text, strlen(text), what);
}

/* A private key file: each PEM body line (16 characters or more), and every
 * 16-byte window of its DER in hex of both cases. */
static void secret_add_key_file(struct secrets *s, const char *path,
                                const char *what)
{
	size_t len;
	unsigned char *f = pt_read_fixture(path, &len);
	char *text = (char *)f;
	char *b = strstr(text, "-----BEGIN ");
	cr_assert_not_null(b, "%s is not PEM", path);
	b = strchr(b, '\n') + 1;
	char *e = strstr(b, "-----END ");
	cr_assert_not_null(e);
	size_t dl;
	unsigned char *der = pt_pem_der(text, &dl);
	char name[48];
	for (char *line = b; line < e;) {
		char *nl = strchr(line, '\n');
		size_t ll = (size_t)(nl - line);
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (ll >= 16 && !memchr(line, ':', ll)) {
			snprintf(name, sizeof(name), "%s PEM line", what);
			secret_add(s, line, ll, name);
		}
		line = nl + 1;
	}
	cr_assert(dl > 32);
	char hex[33];
	for (size_t off = 0; off + 16 <= dl; off++) {
		ch_hex(der + off, 16, hex, 0);
		snprintf(name, sizeof(name), "%s DER@%zu (hex)", what, off);
		secret_add(s, hex, 32, name);
		ch_hex(der + off, 16, hex, 1);
		snprintf(name, sizeof(name), "%s DER@%zu (HEX)", what, off);
		secret_add(s, hex, 32, name);
	}
	free(der);
	free(f);
}

static void secrets_free(struct secrets *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
}

static void assert_clean(const struct logcap *lc, const char *which,
                         const struct secrets *s)
{
	cr_assert_eq(lc->bad_level, 0,
	             "%s log: %d lines above the level it was set to", which,
	             lc->bad_level);
	cr_assert_eq(lc->bad_format, 0,
	             "%s log: %d lines NULL or with a newline", which,
	             lc->bad_format);
	if (!lc->len)
		return;
	for (int i = 0; i < s->n; i++) {
		const char *hit =
		        ch_memmem(lc->text, lc->len, s->v[i], s->len[i]);
		if (!hit)
			continue;
		const char *ls = hit;
		while (ls > lc->text && ls[-1] != '\n')
			ls--;
		const char *le = strchr(hit, '\n');
		cr_assert_fail("%s log contains %s in the line: '%.*s'", which,
		               s->what[i], (int)(le ? le - ls : 80), ls);
	}
}

/* ---- one scenario run
 * -------------------------------------------------------- */

struct run {
	const plugtls_provider *p;
	struct logcap cfg_log, global_log;
	struct secrets sec;
};

static struct run R; /* large: static storage (forked test) */

static void run_begin(const char *prov)
{
	memset(&R, 0, sizeof(R));
	logcap_init(&R.cfg_log, PLUGTLS_LOG_DEBUG);
	logcap_init(&R.global_log, PLUGTLS_LOG_DEBUG);
	/* Before the provider is first got: its init logs globally. */
	plugtls_set_log_callback(log_cb, &R.global_log, PLUGTLS_LOG_DEBUG);
	R.p = pt_provider(prov);
}

static void run_end(int want_cfg_lines)
{
	plugtls_set_log_callback(NULL, NULL, PLUGTLS_LOG_ERROR);
	/* PT_LOG_DUMP=1 shows what was captured (for diagnosing a failure). */
	if (getenv("PT_LOG_DUMP"))
		fprintf(stderr,
		        "--- config log (%u lines):\n%s--- global log "
		        "(%u lines):\n%s---\n",
		        R.cfg_log.lines, R.cfg_log.text ? R.cfg_log.text : "",
		        R.global_log.lines,
		        R.global_log.text ? R.global_log.text : "");
	assert_clean(&R.cfg_log, "config", &R.sec);
	assert_clean(&R.global_log, "global", &R.sec);
	unsigned total = R.cfg_log.lines + R.global_log.lines;
	cr_assert(total > 0,
	          "nothing was logged at debug level: the secret search "
	          "proves nothing");
	if (want_cfg_lines)
		cr_assert(R.cfg_log.lines > 0,
		          "the config's log callback got no line (global "
		          "got %u)",
		          R.global_log.lines);
	secrets_free(&R.sec);
	logcap_fini(&R.cfg_log);
	logcap_fini(&R.global_log);
}

static plugtls_config *logged(plugtls_config *cfg)
{
	cr_assert_eq(plugtls_config_set_log_callback(cfg, log_cb, &R.cfg_log,
	                                             PLUGTLS_LOG_DEBUG),
	             PLUGTLS_OK);
	return cfg;
}

static char *read_text(const char *path)
{
	size_t len;
	return (char *)pt_read_fixture(path, &len); /* NUL-terminated */
}

/* A handshake between two contexts; returns the client's code. */
static plugtls_err handshake(plugtls_ctx *cctx, plugtls_ctx *sctx,
                             plugtls_err *src)
{
	struct pt_pair pp;
	pt_pair_make(&pp, cctx, sctx, CH_HOST);
	plugtls_err crc = pt_handshake_pair(pp.client, pp.server, src);
	if (crc == PLUGTLS_OK && *src == PLUGTLS_OK) {
		pt_exchange(pp.client, pp.server, 1000);
		ch_close_clean(pp.client, pp.server);
	}
	pt_pair_free(&pp);
	return crc;
}

/* ------------------------------------------------------------------------ */
/* PSK                                                                      */
/* ------------------------------------------------------------------------ */

PT_PARAMS_CASES(logging, psk, 2)
ParameterizedTest(struct pt_param *param, logging, psk)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	run_begin(param->prov);
	pt_require_caps(R.p,
	                v == PLUGTLS_TLS1_3
	                        ? PLUGTLS_CAP_PSK_TLS13 | PLUGTLS_CAP_TLS13
	                        : PLUGTLS_CAP_PSK_TLS12 | PLUGTLS_CAP_TLS12);
	size_t klen, idlen;
	unsigned char *key = pt_read_fixture(FIXTURE("psk.bin"), &klen);
	unsigned char *id =
	        pt_read_fixture(FIXTURE("psk-identity.txt"), &idlen);
	unsigned char wrong[32];
	for (size_t i = 0; i < sizeof(wrong); i++)
		wrong[i] = (unsigned char)(key[i] ^ 0xa5);
	secret_add_bytes(&R.sec, key, klen, "the PSK");
	secret_add_bytes(&R.sec, wrong, sizeof(wrong), "the wrong PSK");

	for (int round = 0; round < 2; round++) {
		plugtls_config *cc = logged(ch_client_cfg(CH_CA));
		ch_protocols(cc, v, v);
		ch_add_psk(cc, id, idlen, key, klen);
		plugtls_config *sc = logged(ch_server_cfg(NULL, NULL));
		ch_protocols(sc, v, v);
		if (round == 0)
			ch_add_psk(sc, id, idlen, key, klen);
		else
			ch_add_psk(sc, id, idlen, wrong, sizeof(wrong));
		plugtls_err src,
		        crc = handshake(ch_ctx(R.p, cc), ch_ctx(R.p, sc), &src);
		plugtls_err want = round ? PLUGTLS_E_HANDSHAKE : PLUGTLS_OK;
		cr_assert_eq(crc, want, "round %d: client %s", round,
		             plugtls_err_string(crc));
		cr_assert_eq(src, want, "round %d: server %s", round,
		             plugtls_err_string(src));
	}
	free(key);
	free(id);
	run_end(1);
}

/* ------------------------------------------------------------------------ */
/* PKCS#12 with a password                                                  */
/* ------------------------------------------------------------------------ */

PT_PARAMS_PROVIDERS(logging, pkcs12_config)
ParameterizedTest(struct pt_param *param, logging, pkcs12_config)
{
	run_begin(param->prov);
	pt_require_caps(R.p, PLUGTLS_CAP_PKCS12_IMPORT | PLUGTLS_CAP_ECDSA);
	char *pw = read_text(FIXTURE("p12-password.txt"));
	size_t len;
	unsigned char *p12 = pt_read_fixture(FIXTURE("server-ec.p12"), &len);
	secret_add_text(&R.sec, pw, "the PKCS#12 password");
	secret_add_text(&R.sec, "Wr0ng-p12-Passw0rd", "the wrong password");
	secret_add_key_file(&R.sec, FIXTURE("server-ec.key"), "server key");

	/* The right password: the bundle serves a handshake. */
	plugtls_config *sc = logged(ch_server_cfg(NULL, NULL));
	cr_assert_eq(plugtls_config_set_pkcs12_mem(sc, p12, len, pw),
	             PLUGTLS_OK);
	plugtls_err src,
	        crc = handshake(ch_ctx(R.p, logged(ch_client_cfg(CH_CA))),
	                        ch_ctx(R.p, sc), &src);
	cr_assert_eq(crc, PLUGTLS_OK);
	cr_assert_eq(src, PLUGTLS_OK);

	/* A wrong password: refused, and not logged either. */
	sc = logged(ch_server_cfg(NULL, NULL));
	plugtls_err rc = plugtls_config_set_pkcs12_mem(sc, p12, len,
	                                               "Wr0ng-p12-Passw0rd");
	plugtls_ctx *ctx = NULL;
	if (rc == PLUGTLS_OK)
		rc = plugtls_ctx_new(R.p, sc, &ctx);
	cr_assert_eq(rc, PLUGTLS_E_BAD_PASSWORD, "%s", plugtls_err_string(rc));
	cr_assert_null(ctx);
	/* Nor in the error message. */
	cr_assert_null(strstr(plugtls_config_error(sc)->message, "Wr0ng"),
	               "'%s'", plugtls_config_error(sc)->message);
	plugtls_config_free(sc);
	free(p12);
	free(pw);
	run_end(1);
}

PT_PARAMS_PROVIDERS(logging, pkcs12_import)
ParameterizedTest(struct pt_param *param, logging, pkcs12_import)
{
	run_begin(param->prov);
	pt_require_caps(R.p, PLUGTLS_CAP_PKCS12_IMPORT);
	char *pw = read_text(FIXTURE("p12-password.txt"));
	size_t len;
	unsigned char *p12 = pt_read_fixture(FIXTURE("server-ec.p12"), &len);
	secret_add_text(&R.sec, pw, "the PKCS#12 password");
	secret_add_text(&R.sec, "Wr0ng-p12-Passw0rd", "the wrong password");
	secret_add_key_file(&R.sec, FIXTURE("server-ec.key"), "server key");

	plugtls_key *key = NULL;
	plugtls_chain *chain = NULL;
	cr_assert_eq(plugtls_pkcs12_import(R.p, p12, len, pw, &key, &chain),
	             PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	cr_assert_eq(plugtls_chain_count(chain), 2);
	plugtls_key_free(key);
	plugtls_chain_free(chain);
	key = NULL;
	chain = NULL;
	plugtls_err rc = plugtls_pkcs12_import(
	        R.p, p12, len, "Wr0ng-p12-Passw0rd", &key, &chain);
	cr_assert_eq(rc, PLUGTLS_E_BAD_PASSWORD, "%s", plugtls_err_string(rc));
	cr_assert_null(strstr(plugtls_thread_error()->message, "Wr0ng"), "'%s'",
	               plugtls_thread_error()->message);

	/* No config here: the global log is the only one, and the import
	 * must show up in it for the search to mean something. A context
	 * built on top makes sure something was logged. */
	plugtls_config *sc = logged(ch_server_cfg(NULL, NULL));
	cr_assert_eq(plugtls_config_set_pkcs12_mem(sc, p12, len, pw),
	             PLUGTLS_OK);
	plugtls_ctx_free(ch_ctx(R.p, sc));
	free(p12);
	free(pw);
	run_end(0);
}

/* ------------------------------------------------------------------------ */
/* Encrypted private key                                                    */
/* ------------------------------------------------------------------------ */

PT_PARAMS_PROVIDERS(logging, encrypted_key)
ParameterizedTest(struct pt_param *param, logging, encrypted_key)
{
	run_begin(param->prov);
	pt_require_caps(R.p, PLUGTLS_CAP_ENCRYPTED_KEYS | PLUGTLS_CAP_ECDSA);
	char *pw = read_text(FIXTURE("key-password.txt"));
	size_t len;
	unsigned char *enc =
	        pt_read_fixture(FIXTURE("server-ec-enc.key"), &len);
	secret_add_text(&R.sec, pw, "the key password");
	secret_add_text(&R.sec, "Wr0ng-key-Passw0rd", "the wrong password");
	secret_add_key_file(&R.sec, FIXTURE("server-ec.key"), "plain key");
	secret_add_key_file(&R.sec, FIXTURE("server-ec-enc.key"),
	                    "encrypted key");

	plugtls_key *key = NULL;
	cr_assert_eq(plugtls_key_load(R.p, enc, len, pw, &key), PLUGTLS_OK,
	             "%s", plugtls_thread_error()->message);
	plugtls_key_free(key);
	key = NULL;
	cr_assert_eq(
	        plugtls_key_load(R.p, enc, len, "Wr0ng-key-Passw0rd", &key),
	        PLUGTLS_E_BAD_PASSWORD);
	cr_assert_eq(plugtls_key_load_file(R.p, FIXTURE("server-ec-enc.key"),
	                                   pw, &key),
	             PLUGTLS_OK);
	plugtls_key_free(key);

	plugtls_config *sc = logged(ch_server_cfg(CH_SERVER_CHAIN("ec"), NULL));
	cr_assert_eq(plugtls_config_set_key_mem(sc, enc, len, pw), PLUGTLS_OK);
	plugtls_err src,
	        crc = handshake(ch_ctx(R.p, logged(ch_client_cfg(CH_CA))),
	                        ch_ctx(R.p, sc), &src);
	cr_assert_eq(crc, PLUGTLS_OK);
	cr_assert_eq(src, PLUGTLS_OK);

	sc = logged(ch_server_cfg(CH_SERVER_CHAIN("ec"), NULL));
	plugtls_err rc = plugtls_config_set_key_file(
	        sc, FIXTURE("server-ec-enc.key"), "Wr0ng-key-Passw0rd");
	plugtls_ctx *ctx = NULL;
	if (rc == PLUGTLS_OK)
		rc = plugtls_ctx_new(R.p, sc, &ctx);
	cr_assert_eq(rc, PLUGTLS_E_BAD_PASSWORD, "%s", plugtls_err_string(rc));
	cr_assert_null(strstr(plugtls_config_error(sc)->message, "Wr0ng"));
	plugtls_config_free(sc);
	free(enc);
	free(pw);
	run_end(1);
}

/* ------------------------------------------------------------------------ */
/* Key-log secrets go to the key-log callback only                          */
/* ------------------------------------------------------------------------ */

static void keylog_cb(void *arg, const char *line)
{
	struct secrets *s = arg;
	/* "LABEL <client random> <secret>": the secret is the last field. */
	const char *sp = strrchr(line, ' ');
	if (!sp || strlen(sp + 1) < 32)
		return;
	char name[48];
	snprintf(name, sizeof(name), "key-log secret %.30s", line);
	secret_add(s, sp + 1, strlen(sp + 1), name);
	/* Upper-case too. */
	char up[257];
	size_t l = strlen(sp + 1);
	if (l < sizeof(up)) {
		for (size_t i = 0; i <= l; i++)
			up[i] = (char)((sp[1 + i] >= 'a' && sp[1 + i] <= 'f')
			                       ? sp[1 + i] - 'a' + 'A'
			                       : sp[1 + i]);
		secret_add(s, up, l, name);
	}
}

PT_PARAMS_CASES(logging, keylog, 2)
ParameterizedTest(struct pt_param *param, logging, keylog)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	run_begin(param->prov);
	pt_require_caps(R.p, PLUGTLS_CAP_KEYLOG | PLUGTLS_CAP_ECDSA |
	                             (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
	                                                  : PLUGTLS_CAP_TLS12));
	plugtls_config *cc = logged(ch_client_cfg(CH_CA));
	cr_assert_eq(plugtls_config_set_keylog_callback(cc, keylog_cb, &R.sec),
	             PLUGTLS_OK);
	plugtls_config *sc = logged(
	        ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec")));
	ch_protocols(sc, v, v);
	cr_assert_eq(plugtls_config_set_keylog_callback(sc, keylog_cb, &R.sec),
	             PLUGTLS_OK);
	secret_add_key_file(&R.sec, FIXTURE("server-ec.key"), "server key");
	int before = R.sec.n;
	plugtls_err src,
	        crc = handshake(ch_ctx(R.p, cc), ch_ctx(R.p, sc), &src);
	cr_assert_eq(crc, PLUGTLS_OK);
	cr_assert_eq(src, PLUGTLS_OK);
	cr_assert(R.sec.n > before, "the key-log callback was never called");
	run_end(1);
}

/* ------------------------------------------------------------------------ */
/* Levels                                                                   */
/* ------------------------------------------------------------------------ */

/* A callback set at a level gets nothing above it; at DEBUG it gets
 * something during a handshake. */
PT_PARAMS_PROVIDERS(logging, levels)
ParameterizedTest(struct pt_param *param, logging, levels)
{
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA);
	static struct logcap lc_err, lc_dbg;
	logcap_init(&lc_err, PLUGTLS_LOG_ERROR);
	logcap_init(&lc_dbg, PLUGTLS_LOG_DEBUG);
	plugtls_config *cc = ch_client_cfg(CH_CA);
	cr_assert_eq(plugtls_config_set_log_callback(cc, log_cb, &lc_err,
	                                             PLUGTLS_LOG_ERROR),
	             PLUGTLS_OK);
	plugtls_config *sc =
	        ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	cr_assert_eq(plugtls_config_set_log_callback(sc, log_cb, &lc_dbg,
	                                             PLUGTLS_LOG_DEBUG),
	             PLUGTLS_OK);
	plugtls_err src, crc = handshake(ch_ctx(p, cc), ch_ctx(p, sc), &src);
	cr_assert_eq(crc, PLUGTLS_OK);
	cr_assert_eq(src, PLUGTLS_OK);
	cr_assert_eq(lc_err.bad_level, 0,
	             "%d lines above ERROR reached an ERROR-level callback",
	             lc_err.bad_level);
	cr_assert_eq(lc_dbg.bad_format, 0);
	cr_assert(lc_dbg.lines > 0,
	          "a DEBUG-level callback got nothing from a whole handshake");
	logcap_fini(&lc_err);
	logcap_fini(&lc_dbg);
}
