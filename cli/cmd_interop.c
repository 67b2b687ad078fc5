/*
 * plugtls interop --fixtures DIR [--json]: every compiled-in provider as
 * client against every compiled-in provider as server, in this process,
 * over the in-memory pair, with the ECDSA P-256 server certificate of the
 * conformance fixtures, for TLS 1.2 and TLS 1.3, in four modes:
 *
 *   full    full handshake, the client verifying chain and host name
 *   resume  a second handshake from the session the client exported,
 *           reported as resumed by both sides
 *   mtls    the server requires and verifies client.pem
 *   psk     the external PSK of psk.bin / psk-identity.txt on both sides
 *
 * Each cell exchanges data both ways (compared), closes with close_notify
 * both ways and frees everything. The conformance test
 * conformance/test_interop.c runs the same matrix (and more: TCP, every
 * server key type) with asserts; this command is the readable summary.
 *
 * Output: one table per mode, client providers as rows, server providers
 * as columns. A cell reads "pass", "skip (CAPABILITY)" (a provider lacks
 * it), "refused" (a provider's version gate refused to load it) or
 * "FAIL [N]", when both TLS versions agree; otherwise it shows each
 * version ("1.2 pass, 1.3 FAIL [2]"). Error messages are too long for a
 * table: FAIL [N] refers to note N below the tables, one note per
 * distinct message. --json prints one
 * JSON document instead. Exit 1 if any cell failed, 2 for bad usage or
 * missing fixtures, else 0 (skipped and refused cells are not failures).
 */
#include "cli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IOP_MAX_PROV 16
#define IOP_DATA_LEN (16u * 1024u)
#define IOP_PSK_MAX 1024

enum { I_FIXTURES = 1, I_JSON };

static const struct cli_opt interop_opts[] = {
        {"--fixtures", NULL, true, false, I_FIXTURES},
        {"--json", NULL, false, false, I_JSON},
        {NULL, NULL, false, false, 0},
};

enum iop_mode { IOP_FULL, IOP_RESUME, IOP_MTLS, IOP_PSK, IOP_NMODES };

static const char *const iop_mode_names[IOP_NMODES] = {"full", "resume",
                                                       "mtls", "psk"};
static const char *const iop_mode_titles[IOP_NMODES] = {
        "full handshake",
        "resumption (session exported, second handshake resumed)",
        "mutual TLS (server requires and verifies a client certificate)",
        "external PSK (TLS 1.3 external PSK, TLS 1.2 PSK suites)",
};

static const unsigned iop_versions[] = {PLUGTLS_TLS1_2, PLUGTLS_TLS1_3};
#define IOP_NVERSIONS (sizeof(iop_versions) / sizeof(iop_versions[0]))

enum iop_status { IOP_PASS, IOP_SKIP, IOP_REFUSED, IOP_FAIL };

struct iop_result {
	enum iop_status st;
	const char *missing; /* IOP_SKIP: capability name (static) */
	const char *who;     /* IOP_SKIP / IOP_REFUSED: provider name */
	int note;            /* IOP_FAIL: note number */
	char msg[320];       /* IOP_FAIL: what failed */
};

struct iop_prov {
	const char *name;
	const plugtls_provider *p; /* NULL: refused */
	char status[320];          /* "ok", "accepted (override)", reason */
};

struct iop_env {
	char ca[PATH_MAX], chain[PATH_MAX], key[PATH_MAX];
	char client_chain[PATH_MAX], client_key[PATH_MAX];
	unsigned char *psk, *psk_id;
	size_t psk_len, psk_id_len;
};

struct iop_cell {
	const struct iop_prov *cp, *sp;
	unsigned version;
	enum iop_mode mode;
	struct iop_result r;
};

static const char *iop_vname(unsigned v)
{
	return v == PLUGTLS_TLS1_3 ? "1.3" : "1.2";
}

/* Record the first failure of a cell; returns false for `return iop_...`. */
static bool iop_fail(struct iop_result *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static bool iop_fail(struct iop_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->st == IOP_FAIL)
		return false;
	r->st = IOP_FAIL;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return false;
}

static bool iop_pending(plugtls_err rc)
{
	return rc == PLUGTLS_WANT_READ || rc == PLUGTLS_WANT_WRITE;
}

/* ---- one connected pair over a mempair ---------------------------------- */

struct iop_link {
	plugtls_mempair *mp;
	plugtls_conn *c, *s;
};

static void iop_link_free(struct iop_link *l)
{
	plugtls_conn_free(l->c);
	plugtls_conn_free(l->s);
	plugtls_mempair_free(l->mp);
	memset(l, 0, sizeof(*l));
}

static bool iop_link_open(struct iop_link *l, plugtls_ctx *cctx,
                          plugtls_ctx *sctx, struct iop_result *r)
{
	memset(l, 0, sizeof(*l));
	if (plugtls_mempair_new(&l->mp) != PLUGTLS_OK)
		return iop_fail(r, "mempair: %s", cli_thread_msg());
	if (plugtls_conn_new(cctx, &l->c) != PLUGTLS_OK)
		return iop_fail(r, "client connection: %s",
		                plugtls_ctx_error(cctx)->message);
	if (plugtls_conn_new(sctx, &l->s) != PLUGTLS_OK)
		return iop_fail(r, "server connection: %s",
		                plugtls_ctx_error(sctx)->message);
	if (plugtls_conn_set_mempair(l->c, l->mp, 0) != PLUGTLS_OK ||
	    plugtls_conn_set_mempair(l->s, l->mp, 1) != PLUGTLS_OK ||
	    plugtls_conn_set_host(l->c, "localhost") != PLUGTLS_OK)
		return iop_fail(r, "connection setup: %s", cli_thread_msg());
	return true;
}

/* Both handshakes, stepped in turn (bounded: 10,000 steps). */
static bool iop_handshake(struct iop_link *l, struct iop_result *r)
{
	plugtls_err crc = PLUGTLS_WANT_WRITE, src = PLUGTLS_WANT_READ;

	for (int i = 0; i < 10000; i++) {
		if (iop_pending(crc))
			crc = plugtls_conn_handshake(l->c);
		if (iop_pending(src))
			src = plugtls_conn_handshake(l->s);
		if (!iop_pending(crc) && !iop_pending(src))
			break;
		if ((!iop_pending(crc) && crc != PLUGTLS_OK) ||
		    (!iop_pending(src) && src != PLUGTLS_OK))
			break;
	}
	if (crc != PLUGTLS_OK)
		return iop_fail(r, "client handshake: %s (%s)",
		                plugtls_err_string(crc),
		                plugtls_conn_error(l->c)->message);
	if (src != PLUGTLS_OK)
		return iop_fail(r, "server handshake: %s (%s)",
		                plugtls_err_string(src),
		                plugtls_conn_error(l->s)->message);
	return true;
}

/* IOP_DATA_LEN bytes from a to b, compared. */
static bool iop_send(plugtls_conn *a, plugtls_conn *b, const char *dir,
                     struct iop_result *r)
{
	unsigned char *out = malloc(IOP_DATA_LEN), *in = malloc(IOP_DATA_LEN);
	size_t sent = 0, got = 0;
	bool ok = false;

	if (!out || !in) {
		iop_fail(r, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < IOP_DATA_LEN; i++)
		out[i] = (unsigned char)(i * 131 + dir[0]);
	for (int i = 0; i < 10000 && got < IOP_DATA_LEN; i++) {
		plugtls_err rc;
		size_t n = 0;

		if (sent < IOP_DATA_LEN) {
			rc = plugtls_conn_write(a, out + sent,
			                        IOP_DATA_LEN - sent, &n);
			if (rc == PLUGTLS_OK)
				sent += n;
			else if (!iop_pending(rc)) {
				iop_fail(r, "%s write: %s (%s)", dir,
				         plugtls_err_string(rc),
				         plugtls_conn_error(a)->message);
				goto out;
			}
		}
		n = 0;
		rc = plugtls_conn_read(b, in + got, IOP_DATA_LEN - got, &n);
		if (rc == PLUGTLS_OK)
			got += n;
		else if (!iop_pending(rc)) {
			iop_fail(r, "%s read: %s (%s)", dir,
			         plugtls_err_string(rc),
			         plugtls_conn_error(b)->message);
			goto out;
		}
	}
	if (got != IOP_DATA_LEN || memcmp(in, out, IOP_DATA_LEN) != 0) {
		iop_fail(r, "%s: %zu of %u bytes arrived%s", dir, got,
		         IOP_DATA_LEN, got == IOP_DATA_LEN ? ", corrupted" : "");
		goto out;
	}
	ok = true;
out:
	free(out);
	free(in);
	return ok;
}

/* a sends close_notify; b must read PLUGTLS_E_CLOSED. */
static bool iop_close_notify(plugtls_conn *a, plugtls_conn *b,
                             const char *who, const char *peer,
                             struct iop_result *r)
{
	unsigned char buf[64];
	plugtls_err rc = PLUGTLS_WANT_WRITE;
	size_t n = 0;

	for (int i = 0; i < 1000 && iop_pending(rc); i++)
		rc = plugtls_conn_shutdown(a);
	if (rc != PLUGTLS_OK)
		return iop_fail(r, "%s shutdown: %s (%s)", who,
		                plugtls_err_string(rc),
		                plugtls_conn_error(a)->message);
	rc = PLUGTLS_WANT_READ;
	for (int i = 0; i < 1000 && iop_pending(rc); i++)
		rc = plugtls_conn_read(b, buf, sizeof(buf), &n);
	if (rc != PLUGTLS_E_CLOSED)
		return iop_fail(r,
		                "%s read after the %s's close_notify: %s (%s), "
		                "want a clean close",
		                peer, who, plugtls_err_string(rc),
		                plugtls_conn_error(b)->message);
	return true;
}

/* What both sides negotiated matches the cell. */
static bool iop_check(const struct iop_cell *x, const struct iop_env *env,
                      struct iop_link *l, int want_resumed,
                      struct iop_result *r)
{
	const char *cid = plugtls_conn_psk_identity(l->c);
	const char *sid = plugtls_conn_psk_identity(l->s);

	if (plugtls_conn_version(l->c) != x->version ||
	    plugtls_conn_version(l->s) != x->version)
		return iop_fail(r, "negotiated version %#x/%#x, want %#x",
		                plugtls_conn_version(l->c),
		                plugtls_conn_version(l->s), x->version);
	if (plugtls_conn_resumed(l->c) != want_resumed ||
	    plugtls_conn_resumed(l->s) != want_resumed)
		return iop_fail(r,
		                "resumed: client %d, server %d, want %d",
		                plugtls_conn_resumed(l->c),
		                plugtls_conn_resumed(l->s), want_resumed);
	if (x->mode == IOP_PSK) {
		if (!cid || !sid || strlen(cid) != env->psk_id_len ||
		    memcmp(cid, env->psk_id, env->psk_id_len) != 0 ||
		    strcmp(cid, sid) != 0)
			return iop_fail(r, "PSK identity: client %s, server %s",
			                cid ? cid : "none", sid ? sid : "none");
		return true;
	}
	if (cid || sid)
		return iop_fail(r, "a PSK was used in a certificate handshake");
	if (x->mode == IOP_MTLS && !want_resumed &&
	    !plugtls_conn_peer_chain(l->s))
		return iop_fail(r, "the server received no client certificate");
	return true;
}

/* ---- one cell ------------------------------------------------------------ */

static plugtls_config *iop_config(const struct iop_cell *x,
                                  const struct iop_env *env, plugtls_role role,
                                  struct iop_result *r)
{
	const char *who = role == PLUGTLS_CLIENT ? "client" : "server";
	plugtls_config *cfg = NULL;
	bool client = role == PLUGTLS_CLIENT;
	plugtls_err rc;

	if (plugtls_config_new(role, &cfg) != PLUGTLS_OK) {
		iop_fail(r, "%s config: %s", who, cli_thread_msg());
		return NULL;
	}
	rc = plugtls_config_set_protocols(cfg, x->version, x->version);
	if (rc == PLUGTLS_OK && (client || x->mode == IOP_MTLS))
		rc = plugtls_config_add_ca_file(cfg, env->ca);
	if (rc == PLUGTLS_OK && !client)
		rc = plugtls_config_set_cert_file(cfg, env->chain);
	if (rc == PLUGTLS_OK && !client)
		rc = plugtls_config_set_key_file(cfg, env->key, NULL);
	if (rc == PLUGTLS_OK && client && x->mode == IOP_MTLS)
		rc = plugtls_config_set_cert_file(cfg, env->client_chain);
	if (rc == PLUGTLS_OK && client && x->mode == IOP_MTLS)
		rc = plugtls_config_set_key_file(cfg, env->client_key, NULL);
	if (rc == PLUGTLS_OK && !client && x->mode == IOP_MTLS)
		rc = plugtls_config_set_client_cert(
		        cfg, PLUGTLS_CLIENT_CERT_REQUIRE);
	if (rc == PLUGTLS_OK && x->mode == IOP_PSK)
		rc = plugtls_config_add_psk(cfg, env->psk_id, env->psk_id_len,
		                            env->psk, env->psk_len);
	if (rc != PLUGTLS_OK) {
		iop_fail(r, "%s config: %s", who,
		         plugtls_config_error(cfg)->message);
		plugtls_config_free(cfg);
		return NULL;
	}
	return cfg;
}

static plugtls_ctx *iop_ctx(const struct iop_cell *x, const struct iop_env *env,
                            plugtls_role role, struct iop_result *r)
{
	const struct iop_prov *p = role == PLUGTLS_CLIENT ? x->cp : x->sp;
	plugtls_config *cfg = iop_config(x, env, role, r);
	plugtls_ctx *ctx = NULL;

	if (!cfg)
		return NULL;
	if (plugtls_ctx_new(p->p, cfg, &ctx) != PLUGTLS_OK) {
		iop_fail(r, "%s context: %s",
		         role == PLUGTLS_CLIENT ? "client" : "server",
		         plugtls_config_error(cfg)->message);
		ctx = NULL;
	}
	plugtls_config_free(cfg);
	return ctx;
}

/* The capability bits each side needs for the cell. */
static void iop_caps(const struct iop_cell *x, uint64_t *client,
                     uint64_t *server)
{
	uint64_t c = PLUGTLS_CAP_ECDSA | (x->version == PLUGTLS_TLS1_3
	                                          ? PLUGTLS_CAP_TLS13
	                                          : PLUGTLS_CAP_TLS12);
	uint64_t s = c;

	if (x->mode == IOP_RESUME) {
		c |= PLUGTLS_CAP_SESSION_EXPORT | PLUGTLS_CAP_TICKETS;
		s |= PLUGTLS_CAP_TICKETS;
	} else if (x->mode == IOP_MTLS) {
		c |= PLUGTLS_CAP_MTLS;
		s |= PLUGTLS_CAP_MTLS;
	} else if (x->mode == IOP_PSK) {
		uint64_t psk = x->version == PLUGTLS_TLS1_3
		                       ? PLUGTLS_CAP_PSK_TLS13
		                       : PLUGTLS_CAP_PSK_TLS12;
		c |= psk;
		s |= psk;
	}
	*client = c;
	*server = s;
}

/* Skip (naming the capability) when p lacks one of need. */
static bool iop_has_caps(const struct iop_prov *p, uint64_t need,
                         struct iop_result *r)
{
	uint64_t missing = need & ~plugtls_provider_caps(p->p);

	if (!missing)
		return true;
	r->st = IOP_SKIP;
	r->who = p->name;
	r->missing = plugtls_cap_name(missing & (~missing + 1));
	return false;
}

/* The first connection of a resume cell: handshake, data, export. */
static bool iop_session(struct iop_cell *x, const struct iop_env *env,
                        plugtls_ctx *cctx, plugtls_ctx *sctx,
                        unsigned char **sess, size_t *sess_len)
{
	struct iop_link l;
	size_t got = 0;
	bool ok = false;

	if (!iop_link_open(&l, cctx, sctx, &x->r) ||
	    !iop_handshake(&l, &x->r) || !iop_check(x, env, &l, 0, &x->r) ||
	    !iop_send(l.c, l.s, "client->server", &x->r) ||
	    !iop_send(l.s, l.c, "server->client", &x->r))
		goto out;
	/* The client has read server data: a TLS 1.3 ticket is in. */
	if (plugtls_conn_session_export(l.c, NULL, 0, sess_len) != PLUGTLS_OK) {
		iop_fail(&x->r, "session export: %s",
		         plugtls_conn_error(l.c)->message);
		goto out;
	}
	*sess = malloc(*sess_len);
	if (!*sess) {
		iop_fail(&x->r, "out of memory");
		goto out;
	}
	if (plugtls_conn_session_export(l.c, *sess, *sess_len, &got) !=
	            PLUGTLS_OK ||
	    got != *sess_len) {
		iop_fail(&x->r, "session export: %s",
		         plugtls_conn_error(l.c)->message);
		goto out;
	}
	if (!iop_close_notify(l.c, l.s, "client", "server", &x->r) ||
	    !iop_close_notify(l.s, l.c, "server", "client", &x->r))
		goto out;
	ok = true;
out:
	iop_link_free(&l);
	return ok;
}

static void iop_run_cell(struct iop_cell *x, const struct iop_env *env)
{
	plugtls_ctx *cctx = NULL, *sctx = NULL;
	unsigned char *sess = NULL;
	size_t sess_len = 0;
	struct iop_link l = {0};
	uint64_t ccaps, scaps;

	memset(&x->r, 0, sizeof(x->r));
	if (!x->cp->p || !x->sp->p) {
		x->r.st = IOP_REFUSED;
		x->r.who = !x->cp->p ? x->cp->name : x->sp->name;
		return;
	}
	iop_caps(x, &ccaps, &scaps);
	if (!iop_has_caps(x->cp, ccaps, &x->r) ||
	    !iop_has_caps(x->sp, scaps, &x->r))
		return;
	cctx = iop_ctx(x, env, PLUGTLS_CLIENT, &x->r);
	sctx = cctx ? iop_ctx(x, env, PLUGTLS_SERVER, &x->r) : NULL;
	if (!sctx)
		goto out;
	if (x->mode == IOP_RESUME &&
	    !iop_session(x, env, cctx, sctx, &sess, &sess_len))
		goto out;
	if (!iop_link_open(&l, cctx, sctx, &x->r))
		goto out;
	if (sess && plugtls_conn_set_session(l.c, sess, sess_len) !=
	                    PLUGTLS_OK) {
		iop_fail(&x->r, "set session: %s",
		         plugtls_conn_error(l.c)->message);
		goto out;
	}
	if (!iop_handshake(&l, &x->r) ||
	    !iop_check(x, env, &l, sess != NULL, &x->r) ||
	    !iop_send(l.c, l.s, "client->server", &x->r) ||
	    !iop_send(l.s, l.c, "server->client", &x->r) ||
	    !iop_close_notify(l.c, l.s, "client", "server", &x->r) ||
	    !iop_close_notify(l.s, l.c, "server", "client", &x->r))
		goto out;
out:
	iop_link_free(&l);
	cli_free_secret(sess, sess_len);
	plugtls_ctx_free(cctx);
	plugtls_ctx_free(sctx);
}

/* ---- output -------------------------------------------------------------- */

/* One version's result, e.g. "pass", "skip (psk-tls12)", "FAIL [3]". */
static void iop_token(const struct iop_result *r, char *buf, size_t cap)
{
	switch (r->st) {
	case IOP_PASS: snprintf(buf, cap, "pass"); break;
	case IOP_SKIP: snprintf(buf, cap, "skip (%s)", r->missing); break;
	case IOP_REFUSED: snprintf(buf, cap, "refused"); break;
	case IOP_FAIL: snprintf(buf, cap, "FAIL [%d]", r->note); break;
	}
}

/* The cell of (client, server, mode) over both versions. */
static void iop_cell_text(const struct iop_cell *v[IOP_NVERSIONS], char *buf,
                          size_t cap)
{
	char t[IOP_NVERSIONS][64];
	bool same = true;
	size_t off = 0;

	for (size_t i = 0; i < IOP_NVERSIONS; i++) {
		iop_token(&v[i]->r, t[i], sizeof(t[i]));
		if (i && strcmp(t[i], t[0]) != 0)
			same = false;
	}
	if (same) {
		snprintf(buf, cap, "%s", t[0]);
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < IOP_NVERSIONS && off < cap; i++) {
		int w = snprintf(buf + off, cap - off, "%s%s %s", i ? ", " : "",
		                 iop_vname(v[i]->version), t[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

struct iop_matrix {
	struct iop_prov prov[IOP_MAX_PROV];
	size_t np;
	/* [client][server][mode][version] */
	struct iop_cell *cells;
};

static struct iop_cell *iop_at(const struct iop_matrix *m, size_t c, size_t s,
                               size_t mode, size_t v)
{
	return &m->cells[((c * m->np + s) * IOP_NMODES + mode) * IOP_NVERSIONS +
	                 v];
}

static void iop_print_table(const struct iop_matrix *m, size_t mode)
{
	char text[IOP_MAX_PROV][IOP_MAX_PROV][160];
	int width[IOP_MAX_PROV + 1];
	const char *corner = "client \\ server";

	width[0] = (int)strlen(corner);
	for (size_t c = 0; c < m->np; c++)
		if ((int)strlen(m->prov[c].name) > width[0])
			width[0] = (int)strlen(m->prov[c].name);
	for (size_t s = 0; s < m->np; s++) {
		width[s + 1] = (int)strlen(m->prov[s].name);
		for (size_t c = 0; c < m->np; c++) {
			const struct iop_cell *v[IOP_NVERSIONS];

			for (size_t i = 0; i < IOP_NVERSIONS; i++)
				v[i] = iop_at(m, c, s, mode, i);
			iop_cell_text(v, text[c][s], sizeof(text[c][s]));
			if ((int)strlen(text[c][s]) > width[s + 1])
				width[s + 1] = (int)strlen(text[c][s]);
		}
	}
	printf("%s\n", iop_mode_titles[mode]);
	printf("  %-*s", width[0], corner);
	for (size_t s = 0; s < m->np; s++)
		printf("  %-*s", s + 1 < m->np ? width[s + 1] : 0,
		       m->prov[s].name);
	printf("\n");
	for (size_t c = 0; c < m->np; c++) {
		printf("  %-*s", width[0], m->prov[c].name);
		for (size_t s = 0; s < m->np; s++)
			printf("  %-*s", s + 1 < m->np ? width[s + 1] : 0,
			       text[c][s]);
		printf("\n");
	}
	printf("\n");
}

/* "  NAME       text", the text wrapped at 79 columns under itself. */
static void iop_print_wrapped(const char *name, const char *text)
{
	const int indent = 13, width = 79 - 13;

	printf("  %-10s", name);
	while (*text) {
		int len = (int)strlen(text), cut = len;

		if (len > width) {
			cut = width;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		printf(" %.*s\n", cut, text);
		text += cut;
		while (*text == ' ')
			text++;
		if (*text)
			printf("%*s", indent - 1, "");
	}
}

static void iop_print_text(const struct iop_matrix *m, const size_t count[4])
{
	size_t total = m->np * m->np * IOP_NMODES * IOP_NVERSIONS;

	printf("plugtls interop: each client provider against each server "
	       "provider\n"
	       "in-memory pair, ECDSA P-256 server certificate, TLS 1.2 and "
	       "TLS 1.3;\n"
	       "each cell: handshake, data both ways, close_notify both "
	       "ways.\n"
	       "One result when both versions agree, else one per version.\n\n");
	for (size_t i = 0; i < m->np; i++)
		iop_print_wrapped(m->prov[i].name, m->prov[i].status);
	printf("\n");
	for (size_t mode = 0; mode < IOP_NMODES; mode++)
		iop_print_table(m, mode);
	for (size_t k = 0, shown = 0; k < total; k++) {
		const struct iop_cell *x = &m->cells[k];

		if (x->r.st == IOP_FAIL && (size_t)x->r.note > shown) {
			shown = (size_t)x->r.note;
			printf("[%d] %s\n", x->r.note, x->r.msg);
		}
	}
	printf("%zu cells: %zu pass, %zu skipped, %zu refused, %zu FAIL\n",
	       total, count[IOP_PASS], count[IOP_SKIP], count[IOP_REFUSED],
	       count[IOP_FAIL]);
}

static void iop_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void iop_print_json(const struct iop_matrix *m, const size_t count[4])
{
	static const char *const st[] = {"pass", "skip", "refused", "fail"};
	size_t total = m->np * m->np * IOP_NMODES * IOP_NVERSIONS;

	printf("{\"transport\":\"mempair\",\"server_key\":\"ecdsa-p256\","
	       "\"providers\":[");
	for (size_t i = 0; i < m->np; i++) {
		printf("%s{\"name\":", i ? "," : "");
		iop_json_str(m->prov[i].name);
		printf(",\"loaded\":%s,\"status\":",
		       m->prov[i].p ? "true" : "false");
		iop_json_str(m->prov[i].status);
		printf("}");
	}
	printf("],\n\"cells\":[\n");
	for (size_t k = 0; k < total; k++) {
		const struct iop_cell *x = &m->cells[k];

		printf("{\"client\":");
		iop_json_str(x->cp->name);
		printf(",\"server\":");
		iop_json_str(x->sp->name);
		printf(",\"version\":\"%s\",\"mode\":\"%s\",\"result\":\"%s\"",
		       iop_vname(x->version), iop_mode_names[x->mode],
		       st[x->r.st]);
		if (x->r.st == IOP_SKIP) {
			printf(",\"provider\":");
			iop_json_str(x->r.who);
			printf(",\"missing\":");
			iop_json_str(x->r.missing);
		} else if (x->r.st == IOP_REFUSED) {
			printf(",\"provider\":");
			iop_json_str(x->r.who);
		} else if (x->r.st == IOP_FAIL) {
			printf(",\"error\":");
			iop_json_str(x->r.msg);
		}
		printf("}%s\n", k + 1 < total ? "," : "");
	}
	printf("],\n\"summary\":{\"cells\":%zu,\"pass\":%zu,\"skip\":%zu,"
	       "\"refused\":%zu,\"fail\":%zu}}\n",
	       total, count[IOP_PASS], count[IOP_SKIP], count[IOP_REFUSED],
	       count[IOP_FAIL]);
}

/* One note per distinct failure message, numbered in cell order. */
static void iop_number_notes(struct iop_matrix *m, size_t total)
{
	int note = 0;

	for (size_t k = 0; k < total; k++) {
		struct iop_cell *x = &m->cells[k];

		if (x->r.st != IOP_FAIL)
			continue;
		for (size_t j = 0; j < k && !x->r.note; j++)
			if (m->cells[j].r.st == IOP_FAIL &&
			    strcmp(m->cells[j].r.msg, x->r.msg) == 0)
				x->r.note = m->cells[j].r.note;
		if (!x->r.note)
			x->r.note = ++note;
	}
}

/* ---- setup --------------------------------------------------------------- */

static bool iop_path(char *out, const char *dir, const char *name)
{
	int w = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	if (w < 0 || w >= PATH_MAX) {
		cli_err("interop: fixture path too long: %s/%s", dir, name);
		return false;
	}
	if (access(out, R_OK) != 0) {
		cli_err("interop: fixture '%s' is missing or unreadable "
		        "(build the plugtls_fixtures target)",
		        out);
		return false;
	}
	return true;
}

static int iop_env_load(struct iop_env *env, const char *dir)
{
	char psk[PATH_MAX], id[PATH_MAX];

	if (!iop_path(env->ca, dir, "ca.pem") ||
	    !iop_path(env->chain, dir, "server-ec-chain.pem") ||
	    !iop_path(env->key, dir, "server-ec.key") ||
	    !iop_path(env->client_chain, dir, "client-chain.pem") ||
	    !iop_path(env->client_key, dir, "client.key") ||
	    !iop_path(psk, dir, "psk.bin") ||
	    !iop_path(id, dir, "psk-identity.txt"))
		return CLI_EXIT_USAGE;
	if (!cli_read_file("PSK file", psk, IOP_PSK_MAX, &env->psk,
	                   &env->psk_len) ||
	    !cli_read_file("PSK identity file", id, IOP_PSK_MAX, &env->psk_id,
	                   &env->psk_id_len))
		return CLI_EXIT_USAGE;
	return CLI_EXIT_OK;
}

static void iop_env_free(struct iop_env *env)
{
	if (env->psk)
		cli_free_secret(env->psk, env->psk_len + 1);
	free(env->psk_id);
	memset(env, 0, sizeof(*env));
}

/* "refused by its version gate: REASON", without the message's own
 * "provider NAME refused: " prefix when it has one. */
static void iop_refusal(struct iop_prov *p)
{
	const char *msg = cli_thread_msg();
	char prefix[64];
	int w = snprintf(prefix, sizeof(prefix), "provider %s refused: ",
	                 p->name);

	if (w > 0 && (size_t)w < sizeof(prefix) &&
	    strncmp(msg, prefix, (size_t)w) == 0)
		msg += w;
	snprintf(p->status, sizeof(p->status),
	         "refused by its version gate: %s", msg);
}

/* Every compiled-in provider, loaded or refused by its gate. */
static void iop_providers(struct iop_matrix *m)
{
	size_t n = plugtls_provider_count();

	m->np = n < IOP_MAX_PROV ? n : IOP_MAX_PROV;
	for (size_t i = 0; i < m->np; i++) {
		struct iop_prov *p = &m->prov[i];

		p->name = plugtls_provider_name_at(i);
		if (plugtls_provider_get(p->name, &p->p) != PLUGTLS_OK) {
			p->p = NULL;
			iop_refusal(p);
		} else if (strcmp(plugtls_provider_gate_status(p->p), "ok") ==
		           0) {
			snprintf(p->status, sizeof(p->status), "%s: ok",
			         plugtls_provider_version(p->p));
		} else {
			snprintf(p->status, sizeof(p->status),
			         "%s: accepted by override (known-vulnerable "
			         "range)",
			         plugtls_provider_version(p->p));
		}
	}
}

int cmd_interop(int argc, char **argv)
{
	struct iop_matrix m = {0};
	struct iop_env env = {0};
	size_t count[4] = {0}, total;
	const char *dir;
	struct cli_args a;
	int ret;

	ret = cli_parse("interop", argc, argv, interop_opts, &a);
	if (ret >= 0)
		return ret;
	ret = CLI_EXIT_USAGE;
	if (a.n_pos) {
		cli_usage_error("interop", "unexpected argument '%s'",
		                a.pos[0]);
		goto out;
	}
	if (a.provider) {
		cli_usage_error("interop", "--provider does not apply: every "
		                           "compiled-in provider takes part");
		goto out;
	}
	dir = cli_opt_value(&a, I_FIXTURES);
	if (!dir) {
		cli_usage_error("interop", "--fixtures DIR is required");
		goto out;
	}
	if (iop_env_load(&env, dir) != CLI_EXIT_OK)
		goto out;
	/* Gate verdicts are part of the output; the library's log of the
	 * same would only repeat them on stderr. */
	plugtls_set_log_callback(NULL, NULL, PLUGTLS_LOG_ERROR);
	iop_providers(&m);
	total = m.np * m.np * IOP_NMODES * IOP_NVERSIONS;
	m.cells = calloc(total ? total : 1, sizeof(*m.cells));
	if (!m.cells) {
		cli_err("out of memory");
		goto out;
	}
	for (size_t c = 0; c < m.np; c++)
		for (size_t s = 0; s < m.np; s++)
			for (size_t mo = 0; mo < IOP_NMODES; mo++)
				for (size_t v = 0; v < IOP_NVERSIONS; v++) {
					struct iop_cell *x =
					        iop_at(&m, c, s, mo, v);

					x->cp = &m.prov[c];
					x->sp = &m.prov[s];
					x->version = iop_versions[v];
					x->mode = (enum iop_mode)mo;
					iop_run_cell(x, &env);
					count[x->r.st]++;
				}
	iop_number_notes(&m, total);
	if (cli_opt_flag(&a, I_JSON))
		iop_print_json(&m, count);
	else
		iop_print_text(&m, count);
	ret = count[IOP_FAIL] ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	for (size_t i = 0; i < m.np; i++)
		plugtls_provider_release(m.prov[i].p);
	free(m.cells);
	iop_env_free(&env);
	cli_args_free(&a);
	return ret;
}
