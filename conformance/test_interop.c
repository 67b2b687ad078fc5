/*
 * The interop matrix: every compiled-in provider as client against every
 * compiled-in provider as server, in one process (picotls's model: one
 * suite, both directions). A cell is
 *   (client, server, transport, TLS version, server key, mode)
 * with transport the in-memory pair or loopback TCP (127.0.0.1, port 0,
 * both ends non-blocking and driven from this thread with poll()), the
 * version pinned on both sides, the server key ECDSA P-256, RSA-2048 or
 * Ed25519 (chains through int.pem to ca.pem), and the mode one of
 *   full    a full handshake, the client verifying chain and host name;
 *   resume  a full handshake, the session exported by the client after it
 *           read the server's data (a TLS 1.3 ticket has arrived by then),
 *           then a second connection from the same contexts with that
 *           session, which both sides must report as resumed;
 *   mtls    the server requires a client certificate (client.pem, issued
 *           through int.pem) and verifies it against ca.pem;
 *   psk     the external PSK of psk.bin / psk-identity.txt on both sides
 *           (the server keeps its certificate, so the PSK must be chosen
 *           over it); both sides report the identity and no peer chain.
 * Every cell exchanges data both ways (bytes compared), closes with
 * close_notify both ways (each reader sees PLUGTLS_E_CLOSED, the outcome
 * plugtls.h defines for a clean close) and frees everything.
 *
 * One Criterion test per cell (9 pairs x 48 = 432 with three providers),
 * so each cell skips on its own, through pt_require_caps on both
 * providers, naming the missing capability. Measured at --jobs=2 on a
 * loaded 2-core machine: about 9 s (ASan+UBSan: about 30 s). The TCP
 * sockets set TCP_NODELAY: with Nagle, a flight written as several records
 * waits for a delayed ACK (40 ms on loopback), which made the file 4x
 * slower without changing what it tests.
 */
#define _GNU_SOURCE
#include "conn_helpers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DATA_LEN (64u * 1024u)

/* ---- the cells ----------------------------------------------------------- */

enum transport { T_MEM, T_TCP, N_TRANSPORTS };
enum mode { M_FULL, M_RESUME, M_MTLS, M_PSK, N_MODES };

static const char *const transport_names[] = {"mempair", "tcp"};
static const char *const mode_names[] = {"full", "resume", "mtls", "psk"};
static const unsigned versions[] = {PLUGTLS_TLS1_2, PLUGTLS_TLS1_3};
#define N_VERSIONS (sizeof(versions) / sizeof(versions[0]))

static const struct server_key {
	const char *name;
	const char *chain, *key;
	const char *cert_type; /* plugtls_cert_key_type of the leaf */
	uint64_t cap;
} server_keys[] = {
	{"ecdsa-p256", CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), "EC",
	 PLUGTLS_CAP_ECDSA},
	{"rsa-2048", CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), "RSA",
	 PLUGTLS_CAP_RSA},
	{"ed25519", CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"),
	 "ED25519", PLUGTLS_CAP_ED25519},
};
#define N_KEYS (sizeof(server_keys) / sizeof(server_keys[0]))

#define CELLS_PER_PAIR (N_TRANSPORTS * N_VERSIONS * N_KEYS * N_MODES)

struct cell {
	const char *cprov, *sprov;
	enum transport transport;
	unsigned version;
	const struct server_key *key;
	enum mode mode;
	char name[128]; /* "openssl->gnutls tcp TLSv1.3 ed25519 resume" */
};

static void cell_decode(const struct pt_param *param, struct cell *c)
{
	size_t i = param->idx;
	c->cprov = param->prov;
	c->sprov = param->prov2;
	c->mode = (enum mode)(i % N_MODES);
	i /= N_MODES;
	c->key = &server_keys[i % N_KEYS];
	i /= N_KEYS;
	c->version = versions[i % N_VERSIONS];
	i /= N_VERSIONS;
	c->transport = (enum transport)(i % N_TRANSPORTS);
	snprintf(c->name, sizeof(c->name), "%s->%s %s %s %s %s", c->cprov,
		 c->sprov, transport_names[c->transport], ch_vname(c->version),
		 c->key->name, mode_names[c->mode]);
}

/* Every (client, server) pair x every cell of a pair: static storage, so
 * valid in the forked tests. */
static struct pt_param interop_params[PT_MAX_PARAMS];

/* Every cell, or with sample a sample of them (pt_sample_keep). */
static struct pt_param *interop_cells(bool sample, size_t *count)
{
	size_t npairs = 0, k = 0;
	struct pt_param *pairs = pt_params_pairs(&npairs);
	for (size_t p = 0; p < npairs; p++)
		for (size_t i = 0; i < CELLS_PER_PAIR && k < PT_MAX_PARAMS;
		     i++) {
			if (sample && !pt_sample_keep(i, CELLS_PER_PAIR, p))
				continue;
			interop_params[k] = pairs[p];
			interop_params[k].idx = i;
			k++;
		}
	*count = k;
	return interop_params;
}

/* What each side needs for the cell. */
static void cell_caps(const struct cell *c, uint64_t *client, uint64_t *server)
{
	uint64_t common = c->version == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
						       : PLUGTLS_CAP_TLS12;
	/* Both sides handle the server's key: one signs, one verifies. */
	common |= c->key->cap;
	*client = *server = common;
	switch (c->mode) {
	case M_FULL: break;
	case M_RESUME:
		*client |= PLUGTLS_CAP_SESSION_EXPORT | PLUGTLS_CAP_TICKETS;
		*server |= PLUGTLS_CAP_TICKETS;
		break;
	case M_MTLS: /* client.key is ECDSA P-256 */
		*client |= PLUGTLS_CAP_MTLS | PLUGTLS_CAP_ECDSA;
		*server |= PLUGTLS_CAP_MTLS | PLUGTLS_CAP_ECDSA;
		break;
	case M_PSK: {
		uint64_t psk = c->version == PLUGTLS_TLS1_3
				       ? PLUGTLS_CAP_PSK_TLS13
				       : PLUGTLS_CAP_PSK_TLS12;
		*client |= psk;
		*server |= psk;
		break;
	}
	default: cr_assert_fail("bad mode %d", c->mode);
	}
}

/* ---- transports: one link = one connected client/server pair ------------ */

struct link {
	plugtls_conn *client, *server;
	plugtls_mempair *mp;
	int cfd, sfd; /* -1 over the mempair */
};

static void set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	cr_assert(fl >= 0);
	cr_assert_eq(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

/* A connected TCP pair over 127.0.0.1 (port 0: the kernel picks a free
 * one); both ends non-blocking. */
static void tcp_pair(int *cfd, int *sfd)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(lfd >= 0, "socket: %s", strerror(errno));
	cr_assert_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0,
		     "bind 127.0.0.1 port 0: %s", strerror(errno));
	cr_assert_eq(listen(lfd, 1), 0, "listen: %s", strerror(errno));
	cr_assert_eq(getsockname(lfd, (struct sockaddr *)&a, &sl), 0);
	*cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(*cfd >= 0, "socket: %s", strerror(errno));
	/* Completes through the backlog: accept afterwards. */
	cr_assert_eq(connect(*cfd, (struct sockaddr *)&a, sizeof(a)), 0,
		     "connect 127.0.0.1:%u: %s", ntohs(a.sin_port),
		     strerror(errno));
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	cr_assert_eq(poll(&pfd, 1, 5000), 1, "no connection within 5 s");
	*sfd = accept(lfd, NULL, NULL);
	cr_assert(*sfd >= 0, "accept: %s", strerror(errno));
	close(lfd);
	/* No Nagle: a flight written as several records must not wait for
	 * a delayed ACK (40 ms on loopback) between them. */
	int one = 1;
	cr_assert_eq(
		setsockopt(*cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)),
		0);
	cr_assert_eq(
		setsockopt(*sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)),
		0);
	set_nonblocking(*cfd);
	set_nonblocking(*sfd);
}

static void link_open(struct link *l, const struct cell *c, plugtls_ctx *cctx,
		      plugtls_ctx *sctx)
{
	memset(l, 0, sizeof(*l));
	l->cfd = l->sfd = -1;
	cr_assert_eq(plugtls_conn_new(cctx, &l->client), PLUGTLS_OK, "%s: %s",
		     c->name, plugtls_ctx_error(cctx)->message);
	cr_assert_eq(plugtls_conn_new(sctx, &l->server), PLUGTLS_OK, "%s: %s",
		     c->name, plugtls_ctx_error(sctx)->message);
	if (c->transport == T_TCP) {
		tcp_pair(&l->cfd, &l->sfd);
		cr_assert_eq(plugtls_conn_set_fd(l->client, l->cfd),
			     PLUGTLS_OK);
		cr_assert_eq(plugtls_conn_set_fd(l->server, l->sfd),
			     PLUGTLS_OK);
	} else {
		cr_assert_eq(plugtls_mempair_new(&l->mp), PLUGTLS_OK);
		cr_assert_eq(plugtls_conn_set_mempair(l->client, l->mp, 0),
			     PLUGTLS_OK);
		cr_assert_eq(plugtls_conn_set_mempair(l->server, l->mp, 1),
			     PLUGTLS_OK);
	}
	cr_assert_eq(plugtls_conn_set_host(l->client, CH_HOST), PLUGTLS_OK);
}

static void link_close(struct link *l)
{
	plugtls_conn_free(l->client);
	plugtls_conn_free(l->server);
	plugtls_mempair_free(l->mp);
	if (l->cfd >= 0)
		close(l->cfd);
	if (l->sfd >= 0)
		close(l->sfd);
	memset(l, 0, sizeof(*l));
	l->cfd = l->sfd = -1;
}

static int conn_fd(const struct link *l, const plugtls_conn *c)
{
	return c == l->client ? l->cfd : l->sfd;
}

/* After a step in which neither side progressed: over TCP, wait (at most
 * 20 ms) until one that reported WANT_* can go on; the mempair needs no
 * wait, the peer's step in the same loop is what unblocks it. */
static void link_wait(const struct link *l, const plugtls_conn *a,
		      plugtls_err arc, const plugtls_conn *b, plugtls_err brc)
{
	struct pollfd pfd[2];
	nfds_t n = 0;
	if (l->cfd < 0)
		return;
	if (a && ch_pending(arc))
		pfd[n++] = (struct pollfd){
			.fd = conn_fd(l, a),
			.events = arc == PLUGTLS_WANT_READ ? POLLIN : POLLOUT};
	if (b && ch_pending(brc))
		pfd[n++] = (struct pollfd){
			.fd = conn_fd(l, b),
			.events = brc == PLUGTLS_WANT_READ ? POLLIN : POLLOUT};
	if (n)
		(void)poll(pfd, n, 20);
}

/* ---- driving a link (bounded in steps and time) ---------------------------
 */

static void link_handshake(struct link *l, plugtls_err *crc, plugtls_err *src)
{
	*crc = PLUGTLS_WANT_WRITE;
	*src = PLUGTLS_WANT_READ;
	double deadline = ch_now() + 10.0;
	for (int i = 0; i < 5000 && ch_now() < deadline; i++) {
		if (ch_pending(*crc))
			*crc = plugtls_conn_handshake(l->client);
		if (ch_pending(*src))
			*src = plugtls_conn_handshake(l->server);
		if (!ch_pending(*crc) && !ch_pending(*src))
			return;
		if ((!ch_pending(*crc) && *crc != PLUGTLS_OK) ||
		    (!ch_pending(*src) && *src != PLUGTLS_OK)) {
			/* One side failed: let the other see the alert. */
			for (int k = 0; k < 8; k++) {
				link_wait(l, l->client, *crc, l->server, *src);
				if (ch_pending(*crc))
					*crc = plugtls_conn_handshake(
						l->client);
				if (ch_pending(*src))
					*src = plugtls_conn_handshake(
						l->server);
			}
			return;
		}
		link_wait(l, l->client, *crc, l->server, *src);
	}
}

static void fill(unsigned char *b, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)(i * 131 + seed);
}

/* len bytes from a to b; asserts they arrive intact. */
static void link_send(const struct cell *c, struct link *l, plugtls_conn *a,
		      plugtls_conn *b, size_t len, unsigned seed)
{
	const char *dir = a == l->client ? "client->server" : "server->client";
	unsigned char *out = malloc(len), *in = malloc(len);
	cr_assert(out && in);
	fill(out, len, seed);
	memset(in, 0, len);
	size_t sent = 0, got = 0;
	double deadline = ch_now() + 10.0;
	for (int i = 0; i < 20000 && got < len && ch_now() < deadline; i++) {
		plugtls_err wrc = PLUGTLS_OK, rrc;
		size_t n = 0;
		if (sent < len) {
			wrc = plugtls_conn_write(a, out + sent, len - sent, &n);
			cr_assert(wrc == PLUGTLS_OK || ch_pending(wrc),
				  "%s: %s write: %s (%s)", c->name, dir,
				  plugtls_err_string(wrc),
				  plugtls_conn_error(a)->message);
			if (wrc == PLUGTLS_OK)
				sent += n;
		}
		n = 0;
		rrc = plugtls_conn_read(b, in + got, len - got, &n);
		cr_assert(rrc == PLUGTLS_OK || ch_pending(rrc),
			  "%s: %s read: %s (%s)", c->name, dir,
			  plugtls_err_string(rrc),
			  plugtls_conn_error(b)->message);
		if (rrc == PLUGTLS_OK)
			got += n;
		else
			link_wait(l, a, sent < len ? wrc : PLUGTLS_OK, b, rrc);
	}
	cr_assert_eq(got, len, "%s: %s: received %zu of %zu bytes", c->name,
		     dir, got, len);
	cr_assert_eq(memcmp(in, out, len), 0, "%s: %s: data corrupted", c->name,
		     dir);
	free(out);
	free(in);
}

/* a sends close_notify; b must then read PLUGTLS_E_CLOSED. */
static void link_close_notify(const struct cell *c, struct link *l,
			      plugtls_conn *a, plugtls_conn *b)
{
	const char *who = a == l->client ? "client" : "server";
	const char *peer = a == l->client ? "server" : "client";
	plugtls_err rc = PLUGTLS_WANT_WRITE;
	double deadline = ch_now() + 5.0;
	for (int i = 0; i < 1000 && ch_pending(rc) && ch_now() < deadline;
	     i++) {
		rc = plugtls_conn_shutdown(a);
		link_wait(l, a, rc, NULL, PLUGTLS_OK);
	}
	cr_assert_eq(rc, PLUGTLS_OK, "%s: %s shutdown: %s (%s)", c->name, who,
		     plugtls_err_string(rc), plugtls_conn_error(a)->message);
	unsigned char buf[64];
	size_t n = 0;
	rc = PLUGTLS_WANT_READ;
	deadline = ch_now() + 5.0;
	for (int i = 0; i < 1000 && ch_pending(rc) && ch_now() < deadline;
	     i++) {
		rc = plugtls_conn_read(b, buf, sizeof(buf), &n);
		link_wait(l, b, rc, NULL, PLUGTLS_OK);
	}
	cr_assert_eq(rc, PLUGTLS_E_CLOSED,
		     "%s: %s read after the %s's close_notify: %s (%s), want "
		     "closed",
		     c->name, peer, who, plugtls_err_string(rc),
		     plugtls_conn_error(b)->message);
}

/* ---- one cell --------------------------------------------------------------
 */

struct psk {
	unsigned char *key, *id;
	size_t klen, idlen;
	char id_str[129];
};

static void contexts(const struct cell *c, const struct psk *psk,
		     plugtls_ctx **cctx, plugtls_ctx **sctx)
{
	const plugtls_provider *cp = pt_provider(c->cprov);
	const plugtls_provider *sp = pt_provider(c->sprov);
	plugtls_config *cc = ch_client_cfg(CH_CA);
	plugtls_config *sc = ch_server_cfg(c->key->chain, c->key->key);
	ch_protocols(cc, c->version, c->version);
	ch_protocols(sc, c->version, c->version);
	if (c->mode == M_MTLS) {
		cr_assert_eq(plugtls_config_set_cert_file(
				     cc, FIXTURE("client-chain.pem")),
			     PLUGTLS_OK);
		cr_assert_eq(plugtls_config_set_key_file(
				     cc, FIXTURE("client.key"), NULL),
			     PLUGTLS_OK);
		cr_assert_eq(plugtls_config_add_ca_file(sc, CH_CA), PLUGTLS_OK);
		cr_assert_eq(plugtls_config_set_client_cert(
				     sc, PLUGTLS_CLIENT_CERT_REQUIRE),
			     PLUGTLS_OK);
	}
	if (c->mode == M_PSK) {
		ch_add_psk(cc, psk->id, psk->idlen, psk->key, psk->klen);
		ch_add_psk(sc, psk->id, psk->idlen, psk->key, psk->klen);
	}
	*cctx = ch_ctx(cp, cc);
	*sctx = ch_ctx(sp, sc);
}

/* Handshake on a fresh link and check what both sides negotiated. */
static void handshake_checked(const struct cell *c, struct link *l,
			      const struct psk *psk, int want_resumed)
{
	plugtls_err crc, src;
	link_handshake(l, &crc, &src);
	cr_assert_eq(crc, PLUGTLS_OK,
		     "%s: client handshake: %s (%s); server %s", c->name,
		     plugtls_err_string(crc),
		     plugtls_conn_error(l->client)->message,
		     plugtls_err_string(src));
	cr_assert_eq(src, PLUGTLS_OK, "%s: server handshake: %s (%s)", c->name,
		     plugtls_err_string(src),
		     plugtls_conn_error(l->server)->message);
	for (int i = 0; i < 2; i++) {
		plugtls_conn *x = i ? l->server : l->client;
		const char *who = i ? "server" : "client";
		cr_assert_eq(plugtls_conn_version(x), c->version,
			     "%s: %s version %#x", c->name, who,
			     plugtls_conn_version(x));
		cr_assert_eq(plugtls_conn_resumed(x), want_resumed,
			     "%s: %s resumed %d, want %d", c->name, who,
			     plugtls_conn_resumed(x), want_resumed);
		cr_assert_eq(plugtls_conn_verify_result(x), 0, "%s: %s verdict",
			     c->name, who);
	}
	const char *ccipher = plugtls_conn_cipher(l->client);
	const char *scipher = plugtls_conn_cipher(l->server);
	cr_assert(ccipher && scipher, "%s: no cipher", c->name);
	cr_assert_str_eq(ccipher, scipher, "%s: ciphers differ", c->name);

	if (c->mode == M_PSK) {
		for (int i = 0; i < 2; i++) {
			plugtls_conn *x = i ? l->server : l->client;
			const char *who = i ? "server" : "client";
			const char *id = plugtls_conn_psk_identity(x);
			cr_assert_not_null(id, "%s: %s: no PSK identity",
					   c->name, who);
			cr_assert_str_eq(id, psk->id_str, "%s: %s", c->name,
					 who);
			cr_assert_null(plugtls_conn_peer_chain(x),
				       "%s: %s: certificates in a PSK "
				       "handshake",
				       c->name, who);
		}
		if (c->version == PLUGTLS_TLS1_2)
			cr_assert_not_null(strstr(ccipher, "_PSK_"),
					   "%s: TLS 1.2 PSK suite expected, "
					   "got %s",
					   c->name, ccipher);
		return;
	}
	cr_assert_null(plugtls_conn_psk_identity(l->client), "%s", c->name);
	/* A resumed session need not carry the peer chain; a full one must,
	 * with the leaf of the key type the server was given. */
	const plugtls_chain *sch = plugtls_conn_peer_chain(l->client);
	if (!want_resumed) {
		cr_assert_not_null(sch, "%s: client has no peer chain",
				   c->name);
		const char *kt =
			plugtls_cert_key_type(plugtls_chain_get(sch, 0));
		cr_assert_str_eq(kt, c->key->cert_type,
				 "%s: server leaf key %s", c->name, kt);
	}
	if (c->mode == M_MTLS && !want_resumed) {
		const plugtls_chain *cch = plugtls_conn_peer_chain(l->server);
		cr_assert_not_null(cch, "%s: server has no peer chain",
				   c->name);
		const char *subj =
			plugtls_cert_subject(plugtls_chain_get(cch, 0));
		cr_assert(subj && strncmp(subj, "CN=client.test", 14) == 0,
			  "%s: client leaf subject %s", c->name, subj);
	}
	if (c->mode != M_MTLS)
		cr_assert_null(plugtls_conn_peer_chain(l->server),
			       "%s: server has a peer chain without mTLS",
			       c->name);
}

/* Data both ways, then close_notify both ways. */
static void traffic_and_close(const struct cell *c, struct link *l)
{
	link_send(c, l, l->client, l->server, DATA_LEN, 1);
	link_send(c, l, l->server, l->client, DATA_LEN, 2);
	link_close_notify(c, l, l->client, l->server);
	link_close_notify(c, l, l->server, l->client);
}

static void run_cell(const struct cell *c)
{
	struct psk psk;
	memset(&psk, 0, sizeof(psk));
	if (c->mode == M_PSK) {
		psk.key = pt_read_fixture(FIXTURE("psk.bin"), &psk.klen);
		psk.id = pt_read_fixture(FIXTURE("psk-identity.txt"),
					 &psk.idlen);
		cr_assert(psk.idlen > 0 && psk.idlen < sizeof(psk.id_str));
		memcpy(psk.id_str, psk.id, psk.idlen);
	}
	plugtls_ctx *cctx, *sctx;
	contexts(c, &psk, &cctx, &sctx);

	struct link l;
	link_open(&l, c, cctx, sctx);
	handshake_checked(c, &l, &psk, 0);
	unsigned char *sess = NULL;
	size_t sess_len = 0;
	if (c->mode == M_RESUME) {
		/* The client has read server data by the end of the
		 * exchange, so a TLS 1.3 ticket has been processed. */
		link_send(c, &l, l.client, l.server, DATA_LEN, 1);
		link_send(c, &l, l.server, l.client, DATA_LEN, 2);
		plugtls_err rc = plugtls_conn_session_export(l.client, NULL, 0,
							     &sess_len);
		cr_assert_eq(rc, PLUGTLS_OK, "%s: session export: %s (%s)",
			     c->name, plugtls_err_string(rc),
			     plugtls_conn_error(l.client)->message);
		sess = malloc(sess_len);
		cr_assert_not_null(sess);
		size_t got = 0;
		cr_assert_eq(plugtls_conn_session_export(l.client, sess,
							 sess_len, &got),
			     PLUGTLS_OK, "%s", c->name);
		cr_assert_eq(got, sess_len, "%s", c->name);
		link_close_notify(c, &l, l.client, l.server);
		link_close_notify(c, &l, l.server, l.client);
		link_close(&l);

		link_open(&l, c, cctx, sctx);
		rc = plugtls_conn_set_session(l.client, sess, sess_len);
		cr_assert_eq(rc, PLUGTLS_OK, "%s: set_session: %s (%s)",
			     c->name, plugtls_err_string(rc),
			     plugtls_conn_error(l.client)->message);
		handshake_checked(c, &l, &psk, 1);
	}
	traffic_and_close(c, &l);
	link_close(&l);
	if (sess) {
		explicit_bzero(sess, sess_len);
		free(sess);
	}
	plugtls_ctx_free(cctx);
	plugtls_ctx_free(sctx);
	free(psk.key);
	free(psk.id);
}

ParameterizedTestParameters(interop, matrix)
{
	size_t n;
	struct pt_param *p = interop_cells(true, &n);
	return cr_make_param_array(struct pt_param, p, n);
}

ParameterizedTest(struct pt_param *param, interop, matrix)
{
	struct cell c;
	uint64_t ccaps, scaps;
	cell_decode(param, &c);
	cell_caps(&c, &ccaps, &scaps);
	pt_require_caps(pt_provider(c.cprov), ccaps);
	pt_require_caps(pt_provider(c.sprov), scaps);
	run_cell(&c);
}

/* The matrix covers what the brief says: every pair, both transports,
 * both versions, every key, every mode (guards the index arithmetic). */
Test(interop, cell_table)
{
	size_t n, npairs;
	(void)pt_params_pairs(&npairs);
	struct pt_param *p = interop_cells(false, &n);
	cr_assert_eq(n, npairs * CELLS_PER_PAIR);
	cr_assert_eq(CELLS_PER_PAIR, 48u);
	unsigned seen[N_TRANSPORTS][N_VERSIONS][N_KEYS][N_MODES];
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < CELLS_PER_PAIR; i++) {
		struct cell c;
		cell_decode(&p[i], &c);
		size_t v = c.version == PLUGTLS_TLS1_3;
		size_t k = (size_t)(c.key - server_keys);
		seen[c.transport][v][k][c.mode]++;
	}
	for (size_t t = 0; t < N_TRANSPORTS; t++)
		for (size_t v = 0; v < N_VERSIONS; v++)
			for (size_t k = 0; k < N_KEYS; k++)
				for (size_t m = 0; m < N_MODES; m++)
					cr_assert_eq(seen[t][v][k][m], 1u);
}
