/*
 * The core flows over real loopback TCP with plugtls_conn_set_fd: blocking
 * client in a thread against a blocking server, a non-blocking pair driven
 * by poll() on WANT_READ / WANT_WRITE, I/O timeouts, a peer that hangs up
 * without close_notify, and a write to a peer that has gone.
 *
 * Every listener binds 127.0.0.1 (or ::1) port 0: the kernel picks a free
 * port, since Criterion runs tests in parallel processes. Only loopback
 * addresses are used. Every wait is bounded: blocking connections carry an
 * io timeout, helper threads are joined with a deadline, and every loop has
 * a step count and a time limit.
 *
 * Decisions fixed here:
 *  - A blocking fd transport with plugtls_config_set_io_timeout(ms) returns
 *    PLUGTLS_E_TIMEOUT after that long without progress, from the
 *    handshake and from read; the error is recorded on the connection.
 *  - End of stream without close_notify is PLUGTLS_E_TRUNCATED, in the
 *    handshake as after it (plugtls.h, plugtls_conn_read).
 *  - Writing to a peer that has gone is PLUGTLS_E_IO, and never raises
 *    SIGPIPE in the application (a library must send with MSG_NOSIGNAL or
 *    equivalent): this file does not ignore SIGPIPE, so a raise kills the
 *    test.
 *  - IPv6 loopback (::1) is required: the build machines have it (checked
 *    with `ip -6 addr`), so its absence fails the test with a clear message
 *    rather than skipping it.
 */
#define _GNU_SOURCE
#include "conn_helpers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DATA_LEN (100u * 1024u)
#define BLOCKING_TIMEOUT_MS 5000u

/* ---- sockets ---------------------------------------------------------------
 */

struct listener {
	int fd;
	int family;
	uint16_t port;
};

/* Shrink both socket buffers (set before listen/connect: accepted sockets
 * inherit the listener's). */
static void small_buffers(int fd, int size)
{
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)),
		     0);
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)),
		     0);
}

/* Listen on the loopback address of family, port 0. bufsize > 0 shrinks
 * the socket buffers of the connections it accepts. */
static void listen_loopback(struct listener *l, int family, int bufsize)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	l->family = family;
	l->fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(l->fd >= 0, "socket(%s): %s",
		  family == AF_INET6 ? "AF_INET6" : "AF_INET", strerror(errno));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		int one = 1;
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*a);
	}
	if (bufsize > 0)
		small_buffers(l->fd, bufsize);
	cr_assert_eq(bind(l->fd, (struct sockaddr *)&ss, sl), 0,
		     "bind %s port 0: %s (is the %s loopback configured?)",
		     family == AF_INET6 ? "::1" : "127.0.0.1", strerror(errno),
		     family == AF_INET6 ? "IPv6" : "IPv4");
	cr_assert_eq(listen(l->fd, 4), 0, "listen: %s", strerror(errno));
	sl = sizeof(ss);
	cr_assert_eq(getsockname(l->fd, (struct sockaddr *)&ss, &sl), 0);
	l->port = ntohs(family == AF_INET6
				? ((struct sockaddr_in6 *)&ss)->sin6_port
				: ((struct sockaddr_in *)&ss)->sin_port);
	cr_assert(l->port != 0);
}

/* Blocking connect to the listener (completes through the backlog, so the
 * caller may accept afterwards in the same thread). */
static int connect_loopback(const struct listener *l, int bufsize)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	int fd = socket(l->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	if (bufsize > 0)
		small_buffers(fd, bufsize);
	if (l->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons(l->port);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons(l->port);
		sl = sizeof(*a);
	}
	cr_assert_eq(connect(fd, (struct sockaddr *)&ss, sl), 0,
		     "connect to port %u: %s", l->port, strerror(errno));
	return fd;
}

static int accept_one(const struct listener *l)
{
	struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
	cr_assert_eq(poll(&pfd, 1, 5000), 1, "no connection within 5 s");
	int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	cr_assert(fd >= 0, "accept: %s", strerror(errno));
	return fd;
}

static void set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	cr_assert(fl >= 0);
	cr_assert_eq(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

static plugtls_conn *conn_on_fd(plugtls_ctx *ctx, int fd, const char *host)
{
	plugtls_conn *c = NULL;
	cr_assert_eq(plugtls_conn_new(ctx, &c), PLUGTLS_OK, "conn_new: %s",
		     plugtls_ctx_error(ctx)->message);
	cr_assert_eq(plugtls_conn_set_fd(c, fd), PLUGTLS_OK, "set_fd: %s",
		     plugtls_conn_error(c)->message);
	if (host)
		cr_assert_eq(plugtls_conn_set_host(c, host), PLUGTLS_OK);
	return c;
}

static void fill(unsigned char *b, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)(i * 131 + seed);
}

/* ---- the blocking client thread ------------------------------------------
 * It never asserts (Criterion asserts long-jump and must stay in the test's
 * thread): it records what happened, and the test asserts after joining. */

enum client_mode {
	CLIENT_FULL, /* handshake, send, receive, close cleanly */
	CLIENT_HOLD, /* handshake, then wait for `release`, then free */
	CLIENT_READ, /* handshake, then one read (truncation) */
};

struct client_job {
	plugtls_ctx *ctx;
	int fd;
	const char *host;
	enum client_mode mode;
	const unsigned char *session; /* to resume, or NULL */
	size_t session_len;
	atomic_int release;
	/* results */
	plugtls_err hs, io, eof;
	size_t sent, got;
	int data_ok, resumed;
	unsigned version;
	char cipher[64];
	char msg[400];
	unsigned char sess[8192];
	size_t sess_len;
	plugtls_err exp;
};

static void job_fail(struct client_job *j, plugtls_conn *c, const char *what)
{
	snprintf(j->msg, sizeof(j->msg), "%s: %s", what,
		 plugtls_conn_error(c)->message);
}

static void *client_main(void *arg)
{
	struct client_job *j = arg;
	plugtls_conn *c = NULL;
	unsigned char *buf = NULL, *want = NULL;
	j->hs = j->io = j->eof = j->exp = PLUGTLS_E_INTERNAL;
	if (plugtls_conn_new(j->ctx, &c) != PLUGTLS_OK ||
	    plugtls_conn_set_fd(c, j->fd) != PLUGTLS_OK ||
	    plugtls_conn_set_host(c, j->host) != PLUGTLS_OK) {
		snprintf(j->msg, sizeof(j->msg), "client setup failed");
		goto out;
	}
	if (j->session &&
	    plugtls_conn_set_session(c, j->session, j->session_len) !=
		    PLUGTLS_OK) {
		job_fail(j, c, "set_session");
		goto out;
	}
	j->hs = plugtls_conn_handshake(c);
	if (j->hs != PLUGTLS_OK) {
		job_fail(j, c, "handshake");
		goto out;
	}
	j->version = plugtls_conn_version(c);
	j->resumed = plugtls_conn_resumed(c);
	snprintf(j->cipher, sizeof(j->cipher), "%s",
		 plugtls_conn_cipher(c) ? plugtls_conn_cipher(c) : "(null)");

	if (j->mode == CLIENT_HOLD) {
		for (int i = 0; i < 500 && !atomic_load(&j->release); i++)
			usleep(10000);
		goto out;
	}
	if (j->mode == CLIENT_READ) {
		unsigned char b[64];
		size_t n = 0;
		j->io = plugtls_conn_read(c, b, sizeof(b), &n);
		if (j->io != PLUGTLS_OK)
			job_fail(j, c, "read");
		goto out;
	}

	buf = malloc(DATA_LEN);
	want = malloc(DATA_LEN);
	if (!buf || !want)
		goto out;
	fill(buf, DATA_LEN, 1);
	fill(want, DATA_LEN, 2);
	j->io = PLUGTLS_OK;
	for (int i = 0; i < 10000 && j->sent < DATA_LEN; i++) {
		size_t n = 0;
		j->io = plugtls_conn_write(c, buf + j->sent, DATA_LEN - j->sent,
					   &n);
		if (j->io != PLUGTLS_OK) {
			job_fail(j, c, "write");
			goto out;
		}
		j->sent += n;
	}
	memset(buf, 0, DATA_LEN);
	for (int i = 0; i < 10000 && j->got < DATA_LEN; i++) {
		size_t n = 0;
		j->io = plugtls_conn_read(c, buf + j->got, DATA_LEN - j->got,
					  &n);
		if (j->io != PLUGTLS_OK) {
			job_fail(j, c, "read");
			goto out;
		}
		j->got += n;
	}
	j->data_ok = j->got == DATA_LEN && memcmp(buf, want, DATA_LEN) == 0;
	/* The session after data: a TLS 1.3 ticket has been read by now. */
	j->exp = plugtls_conn_session_export(c, j->sess, sizeof(j->sess),
					     &j->sess_len);
	if (plugtls_conn_shutdown(c) != PLUGTLS_OK) {
		job_fail(j, c, "shutdown");
		goto out;
	}
	size_t n = 0;
	j->eof = plugtls_conn_read(c, buf, DATA_LEN, &n);
out:
	plugtls_conn_free(c);
	free(buf);
	free(want);
	return NULL;
}

static void join_bounded(pthread_t th, const char *what)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 20;
	int rc = pthread_timedjoin_np(th, NULL, &ts);
	cr_assert_eq(rc, 0, "%s thread did not finish within 20 s", what);
}

/* ------------------------------------------------------------------------ */
/* Blocking client thread vs blocking server                                */
/* ------------------------------------------------------------------------ */

static const struct sock_row {
	const char *name;
	int family;
	const char *host;
	unsigned version;
	int mtls;
	int resume;
} sock_rows[] = {
	{"v4 localhost TLS 1.3", AF_INET, "localhost", PLUGTLS_TLS1_3, 0, 0},
	{"v4 localhost TLS 1.2", AF_INET, "localhost", PLUGTLS_TLS1_2, 0, 0},
	{"v4 127.0.0.1 TLS 1.3", AF_INET, "127.0.0.1", PLUGTLS_TLS1_3, 0, 0},
	{"v6 ::1 TLS 1.3", AF_INET6, "::1", PLUGTLS_TLS1_3, 0, 0},
	{"v6 ::1 TLS 1.2", AF_INET6, "::1", PLUGTLS_TLS1_2, 0, 0},
	{"v4 mutual TLS 1.3", AF_INET, "localhost", PLUGTLS_TLS1_3, 1, 0},
	{"v4 mutual TLS 1.2", AF_INET, "localhost", PLUGTLS_TLS1_2, 1, 0},
	{"v4 resumption TLS 1.3", AF_INET, "localhost", PLUGTLS_TLS1_3, 0, 1},
	{"v4 resumption TLS 1.2", AF_INET, "localhost", PLUGTLS_TLS1_2, 0, 1},
};
#define N_SOCK_ROWS (sizeof(sock_rows) / sizeof(sock_rows[0]))

/* One connection: client thread (job) against this thread as server. */
static void serve_one(const struct sock_row *r, const struct listener *l,
		      plugtls_ctx *sctx, struct client_job *j)
{
	char name[96];
	snprintf(name, sizeof(name), "[%s] %s",
		 plugtls_provider_name(plugtls_ctx_provider(sctx)), r->name);
	j->fd = connect_loopback(l, 0);
	int sfd = accept_one(l);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, client_main, j), 0);

	plugtls_conn *s = conn_on_fd(sctx, sfd, NULL);
	plugtls_err rc = plugtls_conn_handshake(s);
	unsigned char *buf = malloc(DATA_LEN), *want = malloc(DATA_LEN);
	cr_assert(buf && want);
	size_t got = 0, sent = 0;
	plugtls_err rrc = PLUGTLS_OK, wrc = PLUGTLS_OK, eof = PLUGTLS_OK;
	plugtls_err sdrc = PLUGTLS_OK;
	if (rc == PLUGTLS_OK) {
		for (int i = 0; i < 10000 && got < DATA_LEN; i++) {
			size_t n = 0;
			rrc = plugtls_conn_read(s, buf + got, DATA_LEN - got,
						&n);
			if (rrc != PLUGTLS_OK)
				break;
			got += n;
		}
		fill(want, DATA_LEN, 1);
		int ok = got == DATA_LEN && memcmp(buf, want, DATA_LEN) == 0;
		fill(buf, DATA_LEN, 2);
		for (int i = 0; ok && i < 10000 && sent < DATA_LEN; i++) {
			size_t n = 0;
			wrc = plugtls_conn_write(s, buf + sent, DATA_LEN - sent,
						 &n);
			if (wrc != PLUGTLS_OK)
				break;
			sent += n;
		}
		size_t n = 0;
		eof = plugtls_conn_read(s, buf, DATA_LEN, &n);
		if (eof == PLUGTLS_E_CLOSED)
			sdrc = plugtls_conn_shutdown(s);
		if (!ok)
			rrc = PLUGTLS_E_INTERNAL; /* reported below */
	}
	join_bounded(th, "client");

	cr_assert_eq(rc, PLUGTLS_OK, "%s: server handshake %s (%s)", name,
		     plugtls_err_string(rc), plugtls_conn_error(s)->message);
	cr_assert_eq(j->hs, PLUGTLS_OK, "%s: client handshake %s (%s)", name,
		     plugtls_err_string(j->hs), j->msg);
	cr_assert_eq(plugtls_conn_version(s), r->version, "%s", name);
	cr_assert_eq(j->version, r->version, "%s", name);
	cr_assert_str_eq(j->cipher, plugtls_conn_cipher(s), "%s", name);
	cr_assert_eq(rrc, PLUGTLS_OK, "%s: server read %s, %zu of %u bytes",
		     name, plugtls_err_string(rrc), got, DATA_LEN);
	cr_assert_eq(wrc, PLUGTLS_OK, "%s: server write %s", name,
		     plugtls_err_string(wrc));
	cr_assert_eq(j->io, PLUGTLS_OK, "%s: client I/O %s (%s)", name,
		     plugtls_err_string(j->io), j->msg);
	cr_assert(j->data_ok, "%s: client received %zu of %u bytes, intact %d",
		  name, j->got, DATA_LEN, j->data_ok);
	cr_assert_eq(eof, PLUGTLS_E_CLOSED,
		     "%s: server read after close_notify: %s", name,
		     plugtls_err_string(eof));
	cr_assert_eq(sdrc, PLUGTLS_OK, "%s: server shutdown: %s", name,
		     plugtls_err_string(sdrc));
	cr_assert_eq(j->eof, PLUGTLS_E_CLOSED,
		     "%s: client read after close_notify: %s (%s)", name,
		     plugtls_err_string(j->eof), j->msg);
	if (r->mtls) {
		const plugtls_chain *peer = plugtls_conn_peer_chain(s);
		cr_assert_not_null(peer, "%s: server has no peer chain", name);
		const char *subj =
			plugtls_cert_subject(plugtls_chain_get(peer, 0));
		cr_assert(subj && strncmp(subj, "CN=client.test", 14) == 0,
			  "%s: peer subject %s", name, subj);
	}
	j->resumed = j->resumed && plugtls_conn_resumed(s);
	plugtls_conn_free(s);
	close(sfd);
	close(j->fd);
	free(buf);
	free(want);
}

PT_PARAMS_CASES(socket, blocking, N_SOCK_ROWS)
ParameterizedTest(struct pt_param *param, socket, blocking)
{
	const struct sock_row *r = &sock_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	uint64_t caps = PLUGTLS_CAP_ECDSA |
			(r->version == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
						      : PLUGTLS_CAP_TLS12);
	if (r->mtls)
		caps |= PLUGTLS_CAP_MTLS;
	if (r->resume)
		caps |= PLUGTLS_CAP_SESSION_EXPORT | PLUGTLS_CAP_TICKETS;
	pt_require_caps(p, caps);

	plugtls_config *cc = ch_client_cfg(CH_CA);
	cr_assert_eq(plugtls_config_set_io_timeout(cc, BLOCKING_TIMEOUT_MS),
		     PLUGTLS_OK);
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	cr_assert_eq(plugtls_config_set_io_timeout(sc, BLOCKING_TIMEOUT_MS),
		     PLUGTLS_OK);
	ch_protocols(sc, r->version, r->version);
	if (r->mtls) {
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
	plugtls_ctx *cctx = ch_ctx(p, cc), *sctx = ch_ctx(p, sc);
	struct listener l;
	listen_loopback(&l, r->family, 0);

	static struct client_job j1, j2;
	memset(&j1, 0, sizeof(j1));
	j1.ctx = cctx;
	j1.host = r->host;
	j1.mode = CLIENT_FULL;
	serve_one(r, &l, sctx, &j1);
	cr_assert_eq(j1.resumed, 0, "%s: first connection resumed", r->name);

	if (r->resume) {
		cr_assert_eq(j1.exp, PLUGTLS_OK, "%s: session export: %s",
			     r->name, plugtls_err_string(j1.exp));
		memset(&j2, 0, sizeof(j2));
		j2.ctx = cctx;
		j2.host = r->host;
		j2.mode = CLIENT_FULL;
		j2.session = j1.sess;
		j2.session_len = j1.sess_len;
		serve_one(r, &l, sctx, &j2);
		cr_assert_eq(j2.resumed, 1,
			     "%s: second connection not resumed on both "
			     "sides",
			     r->name);
	}
	close(l.fd);
	plugtls_ctx_free(cctx);
	plugtls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* Non-blocking pair driven by poll()                                       */
/* ------------------------------------------------------------------------ */

struct nb_side {
	plugtls_conn *c;
	int fd;
	unsigned want_read, want_write;
};

static void nb_count(struct nb_side *s, plugtls_err rc)
{
	if (rc == PLUGTLS_WANT_READ)
		s->want_read++;
	else if (rc == PLUGTLS_WANT_WRITE)
		s->want_write++;
}

/* Wait (at most 100 ms) until a side that reported want can go on. */
static void nb_poll(struct nb_side *a, plugtls_err arc, struct nb_side *b,
		    plugtls_err brc)
{
	struct pollfd pfd[2];
	int n = 0;
	if (ch_pending(arc))
		pfd[n++] = (struct pollfd){
			.fd = a->fd,
			.events = arc == PLUGTLS_WANT_READ ? POLLIN : POLLOUT};
	if (ch_pending(brc))
		pfd[n++] = (struct pollfd){
			.fd = b->fd,
			.events = brc == PLUGTLS_WANT_READ ? POLLIN : POLLOUT};
	if (n)
		(void)poll(pfd, (nfds_t)n, 100);
}

static void nb_handshake(struct nb_side *cl, struct nb_side *sv,
			 plugtls_err *crc, plugtls_err *src)
{
	*crc = PLUGTLS_WANT_WRITE;
	*src = PLUGTLS_WANT_READ;
	double deadline = ch_now() + 10.0;
	for (int i = 0; i < 2000 && ch_now() < deadline; i++) {
		if (ch_pending(*crc)) {
			*crc = plugtls_conn_handshake(cl->c);
			nb_count(cl, *crc);
		}
		if (ch_pending(*src)) {
			*src = plugtls_conn_handshake(sv->c);
			nb_count(sv, *src);
		}
		if (!ch_pending(*crc) && !ch_pending(*src))
			return;
		if ((!ch_pending(*crc) && *crc != PLUGTLS_OK) ||
		    (!ch_pending(*src) && *src != PLUGTLS_OK))
			return;
		nb_poll(cl, *crc, sv, *src);
	}
}

/* Move len bytes from w to r over non-blocking sockets; after WANT_WRITE
 * the write is repeated with the same buffer and length. */
static void nb_transfer(struct nb_side *w, struct nb_side *r, size_t len)
{
	unsigned char *out = malloc(len), *in = malloc(len);
	cr_assert(out && in);
	fill(out, len, 7);
	size_t sent = 0, got = 0;
	double deadline = ch_now() + 10.0;
	for (int i = 0; i < 100000 && got < len && ch_now() < deadline; i++) {
		plugtls_err wrc = PLUGTLS_OK, rrc;
		size_t n = 0;
		if (sent < len) {
			wrc = plugtls_conn_write(w->c, out + sent, len - sent,
						 &n);
			nb_count(w, wrc);
			cr_assert(wrc == PLUGTLS_OK || ch_pending(wrc),
				  "write: %s (%s)", plugtls_err_string(wrc),
				  plugtls_conn_error(w->c)->message);
			if (wrc == PLUGTLS_OK)
				sent += n;
		}
		n = 0;
		rrc = plugtls_conn_read(r->c, in + got, len - got, &n);
		nb_count(r, rrc);
		cr_assert(rrc == PLUGTLS_OK || ch_pending(rrc), "read: %s (%s)",
			  plugtls_err_string(rrc),
			  plugtls_conn_error(r->c)->message);
		if (rrc == PLUGTLS_OK)
			got += n;
		if (ch_pending(rrc) && (sent == len || ch_pending(wrc)))
			nb_poll(w, sent < len ? wrc : PLUGTLS_OK, r, rrc);
	}
	cr_assert_eq(got, len, "received %zu of %zu bytes", got, len);
	cr_assert_eq(memcmp(in, out, len), 0, "data corrupted");
	free(out);
	free(in);
}

/* Read until the result is not WANT_*, polling (bounded). */
static plugtls_err nb_read_result(struct nb_side *s)
{
	unsigned char b[256];
	plugtls_err rc = PLUGTLS_WANT_READ;
	double deadline = ch_now() + 5.0;
	for (int i = 0; i < 500 && ch_pending(rc) && ch_now() < deadline; i++) {
		size_t n = 0;
		rc = plugtls_conn_read(s->c, b, sizeof(b), &n);
		if (ch_pending(rc))
			nb_poll(s, rc, s, PLUGTLS_OK);
	}
	return rc;
}

static void nb_shutdown(struct nb_side *s)
{
	plugtls_err rc = PLUGTLS_WANT_WRITE;
	for (int i = 0; i < 500 && ch_pending(rc); i++) {
		rc = plugtls_conn_shutdown(s->c);
		if (ch_pending(rc))
			nb_poll(s, rc, s, PLUGTLS_OK);
	}
	cr_assert_eq(rc, PLUGTLS_OK, "shutdown: %s", plugtls_err_string(rc));
}

/* A connected non-blocking pair with small socket buffers, so that 100 KB
 * cannot pass without WANT_WRITE. */
static void nb_pair(const plugtls_provider *p, unsigned version,
		    struct listener *l, struct nb_side *cl, struct nb_side *sv,
		    plugtls_ctx **cctx, plugtls_ctx **sctx)
{
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, version, version);
	*cctx = ch_ctx(p, ch_client_cfg(CH_CA));
	*sctx = ch_ctx(p, sc);
	listen_loopback(l, AF_INET, 4096);
	memset(cl, 0, sizeof(*cl));
	memset(sv, 0, sizeof(*sv));
	cl->fd = connect_loopback(l, 4096);
	sv->fd = accept_one(l);
	set_nonblocking(cl->fd);
	set_nonblocking(sv->fd);
	cl->c = conn_on_fd(*cctx, cl->fd, CH_HOST);
	sv->c = conn_on_fd(*sctx, sv->fd, NULL);
}

PT_PARAMS_CASES(socket, nonblocking, 2)
ParameterizedTest(struct pt_param *param, socket, nonblocking)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	struct listener l;
	struct nb_side cl, sv;
	plugtls_ctx *cctx, *sctx;
	nb_pair(p, v, &l, &cl, &sv, &cctx, &sctx);

	plugtls_err crc, src;
	nb_handshake(&cl, &sv, &crc, &src);
	cr_assert_eq(crc, PLUGTLS_OK, "client handshake %s (%s)",
		     plugtls_err_string(crc),
		     plugtls_conn_error(cl.c)->message);
	cr_assert_eq(src, PLUGTLS_OK, "server handshake %s (%s)",
		     plugtls_err_string(src),
		     plugtls_conn_error(sv.c)->message);
	cr_assert(cl.want_read >= 1, "client never reported WANT_READ");
	cr_assert(sv.want_read >= 1, "server never reported WANT_READ");
	cr_assert_eq(plugtls_conn_version(cl.c), v);

	unsigned ww = cl.want_write;
	nb_transfer(&cl, &sv, DATA_LEN);
	cr_assert(cl.want_write > ww,
		  "100 KB through a 4 KiB socket buffer without WANT_WRITE");
	ww = sv.want_write;
	nb_transfer(&sv, &cl, DATA_LEN);
	cr_assert(sv.want_write > ww,
		  "100 KB through a 4 KiB socket buffer without WANT_WRITE");

	nb_shutdown(&cl);
	plugtls_err rc = nb_read_result(&sv);
	cr_assert_eq(rc, PLUGTLS_E_CLOSED, "server after close_notify: %s",
		     plugtls_err_string(rc));
	nb_shutdown(&sv);
	rc = nb_read_result(&cl);
	cr_assert_eq(rc, PLUGTLS_E_CLOSED, "client after close_notify: %s",
		     plugtls_err_string(rc));

	plugtls_conn_free(cl.c);
	plugtls_conn_free(sv.c);
	close(cl.fd);
	close(sv.fd);
	close(l.fd);
	plugtls_ctx_free(cctx);
	plugtls_ctx_free(sctx);
}

/* A peer that has gone: writes give PLUGTLS_E_IO, and no SIGPIPE. */
PT_PARAMS_PROVIDERS(socket, write_to_gone_peer)
ParameterizedTest(struct pt_param *param, socket, write_to_gone_peer)
{
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA | PLUGTLS_CAP_TLS13);
	struct listener l;
	struct nb_side cl, sv;
	plugtls_ctx *cctx, *sctx;
	nb_pair(p, PLUGTLS_TLS1_3, &l, &cl, &sv, &cctx, &sctx);
	plugtls_err crc, src;
	nb_handshake(&cl, &sv, &crc, &src);
	cr_assert_eq(crc, PLUGTLS_OK);
	cr_assert_eq(src, PLUGTLS_OK);

	/* The client's process "dies": its socket closes, no close_notify. */
	close(cl.fd);
	static unsigned char chunk[16384];
	plugtls_err rc = PLUGTLS_OK;
	double deadline = ch_now() + 5.0;
	for (int i = 0; i < 200 && ch_now() < deadline; i++) {
		size_t n = 0;
		rc = plugtls_conn_write(sv.c, chunk, sizeof(chunk), &n);
		if (rc == PLUGTLS_WANT_WRITE)
			nb_poll(&sv, rc, &sv, PLUGTLS_OK);
		else if (rc != PLUGTLS_OK)
			break;
		else
			usleep(1000);
	}
	cr_assert_eq(rc, PLUGTLS_E_IO, "write to a gone peer: %s (%s)",
		     plugtls_err_string(rc), plugtls_conn_error(sv.c)->message);
	cr_assert_eq(plugtls_conn_error(sv.c)->code, PLUGTLS_E_IO);
	/* The client's descriptor number is still free (nothing opened
	 * since): its close_notify attempt fails with EBADF. */
	plugtls_conn_free(cl.c);
	/* Freeing tries close_notify on the broken socket: no SIGPIPE. */
	plugtls_conn_free(sv.c);
	close(sv.fd);
	close(l.fd);
	plugtls_ctx_free(cctx);
	plugtls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* I/O timeouts                                                             */
/* ------------------------------------------------------------------------ */

enum timeout_case {
	TO_CLIENT_HANDSHAKE, /* server accepts, never answers */
	TO_SERVER_HANDSHAKE, /* client connects, never speaks */
	TO_SERVER_READ,	     /* handshake done, the client sends nothing */
};

PT_PARAMS_CASES(socket, io_timeout, 3)
ParameterizedTest(struct pt_param *param, socket, io_timeout)
{
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA | PLUGTLS_CAP_TLS13);
	enum timeout_case tc = (enum timeout_case)param->idx;
	plugtls_config *cc = ch_client_cfg(CH_CA);
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	unsigned cms = tc == TO_CLIENT_HANDSHAKE ? 200 : BLOCKING_TIMEOUT_MS;
	unsigned sms = tc == TO_CLIENT_HANDSHAKE ? BLOCKING_TIMEOUT_MS : 200;
	cr_assert_eq(plugtls_config_set_io_timeout(cc, cms), PLUGTLS_OK);
	cr_assert_eq(plugtls_config_set_io_timeout(sc, sms), PLUGTLS_OK);
	plugtls_ctx *cctx = ch_ctx(p, cc), *sctx = ch_ctx(p, sc);
	struct listener l;
	listen_loopback(&l, AF_INET, 0);
	int cfd = connect_loopback(&l, 0);
	int sfd = accept_one(&l);
	plugtls_conn *c = NULL, *s = NULL;
	plugtls_err rc;
	double t0, dt;
	static struct client_job j;
	pthread_t th;

	switch (tc) {
	case TO_CLIENT_HANDSHAKE:
		c = conn_on_fd(cctx, cfd, CH_HOST);
		t0 = ch_now();
		rc = plugtls_conn_handshake(c);
		dt = ch_now() - t0;
		cr_assert_eq(rc, PLUGTLS_E_TIMEOUT,
			     "client handshake against a silent server: %s "
			     "after %.2f s (%s)",
			     plugtls_err_string(rc), dt,
			     plugtls_conn_error(c)->message);
		cr_assert_eq(plugtls_conn_error(c)->code, PLUGTLS_E_TIMEOUT);
		break;
	case TO_SERVER_HANDSHAKE:
		s = conn_on_fd(sctx, sfd, NULL);
		t0 = ch_now();
		rc = plugtls_conn_handshake(s);
		dt = ch_now() - t0;
		cr_assert_eq(rc, PLUGTLS_E_TIMEOUT,
			     "server handshake against a silent client: %s "
			     "after %.2f s (%s)",
			     plugtls_err_string(rc), dt,
			     plugtls_conn_error(s)->message);
		break;
	case TO_SERVER_READ:
	default:
		memset(&j, 0, sizeof(j));
		j.ctx = cctx;
		j.fd = cfd;
		j.host = CH_HOST;
		j.mode = CLIENT_HOLD;
		cr_assert_eq(pthread_create(&th, NULL, client_main, &j), 0);
		s = conn_on_fd(sctx, sfd, NULL);
		rc = plugtls_conn_handshake(s);
		if (rc == PLUGTLS_OK) {
			unsigned char b[16];
			size_t n = 0;
			t0 = ch_now();
			rc = plugtls_conn_read(s, b, sizeof(b), &n);
			dt = ch_now() - t0;
		} else {
			dt = 0;
		}
		atomic_store(&j.release, 1);
		join_bounded(th, "client");
		cr_assert_eq(j.hs, PLUGTLS_OK, "client handshake: %s (%s)",
			     plugtls_err_string(j.hs), j.msg);
		cr_assert_eq(rc, PLUGTLS_E_TIMEOUT,
			     "server read with nothing sent: %s after %.2f s "
			     "(%s)",
			     plugtls_err_string(rc), dt,
			     plugtls_conn_error(s)->message);
		break;
	}
	cr_assert(dt >= 0.15 && dt <= 1.0,
		  "timeout of 200 ms took %.3f s (want 0.15..1.0)", dt);
	plugtls_conn_free(c);
	plugtls_conn_free(s);
	close(cfd);
	close(sfd);
	close(l.fd);
	plugtls_ctx_free(cctx);
	plugtls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* The peer hangs up without close_notify                                   */
/* ------------------------------------------------------------------------ */

/* During the handshake: the "server" reads the ClientHello and half-closes
 * (FIN, no RST: everything sent was read). */
PT_PARAMS_CASES(socket, truncated_handshake, 2)
ParameterizedTest(struct pt_param *param, socket, truncated_handshake)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
					       : PLUGTLS_CAP_TLS12);
	plugtls_config *cc = ch_client_cfg(CH_CA);
	ch_protocols(cc, v, v);
	plugtls_ctx *cctx = ch_ctx(p, cc);
	struct listener l;
	listen_loopback(&l, AF_INET, 0);
	int cfd = connect_loopback(&l, 0);
	int sfd = accept_one(&l);
	set_nonblocking(cfd);
	plugtls_conn *c = conn_on_fd(cctx, cfd, CH_HOST);
	plugtls_err rc = plugtls_conn_handshake(c);
	cr_assert_eq(rc, PLUGTLS_WANT_READ, "client: %s",
		     plugtls_err_string(rc));
	unsigned char hello[16384];
	struct pollfd pfd = {.fd = sfd, .events = POLLIN};
	cr_assert_eq(poll(&pfd, 1, 5000), 1, "no ClientHello");
	ssize_t got = read(sfd, hello, sizeof(hello));
	cr_assert(got > 5 && hello[0] == 0x16, "not a TLS handshake record");
	cr_assert_eq(shutdown(sfd, SHUT_WR), 0);

	rc = PLUGTLS_WANT_READ;
	for (int i = 0; i < 100 && ch_pending(rc); i++) {
		rc = plugtls_conn_handshake(c);
		if (ch_pending(rc)) {
			pfd = (struct pollfd){.fd = cfd, .events = POLLIN};
			(void)poll(&pfd, 1, 100);
		}
	}
	cr_assert_eq(rc, PLUGTLS_E_TRUNCATED,
		     "%s client, server hung up after the ClientHello: %s "
		     "(%s)",
		     ch_vname(v), plugtls_err_string(rc),
		     plugtls_conn_error(c)->message);
	plugtls_conn_free(c);
	close(cfd);
	close(sfd);
	close(l.fd);
	plugtls_ctx_free(cctx);
}

/* After the handshake: the server's socket half-closes with no
 * close_notify; the client's read sees PLUGTLS_E_TRUNCATED. */
PT_PARAMS_CASES(socket, truncated_stream, 2)
ParameterizedTest(struct pt_param *param, socket, truncated_stream)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	plugtls_config *cc = ch_client_cfg(CH_CA);
	cr_assert_eq(plugtls_config_set_io_timeout(cc, BLOCKING_TIMEOUT_MS),
		     PLUGTLS_OK);
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	cr_assert_eq(plugtls_config_set_io_timeout(sc, BLOCKING_TIMEOUT_MS),
		     PLUGTLS_OK);
	ch_protocols(sc, v, v);
	plugtls_ctx *cctx = ch_ctx(p, cc), *sctx = ch_ctx(p, sc);
	struct listener l;
	listen_loopback(&l, AF_INET, 0);
	static struct client_job j;
	memset(&j, 0, sizeof(j));
	j.ctx = cctx;
	j.host = CH_HOST;
	j.mode = CLIENT_READ;
	j.fd = connect_loopback(&l, 0);
	int sfd = accept_one(&l);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, client_main, &j), 0);
	plugtls_conn *s = conn_on_fd(sctx, sfd, NULL);
	plugtls_err rc = plugtls_conn_handshake(s);
	/* TLS 1.3: the server's tickets are read by the client's read,
	 * which must then see the end of stream. */
	shutdown(sfd, SHUT_WR);
	join_bounded(th, "client");
	cr_assert_eq(rc, PLUGTLS_OK, "server handshake: %s (%s)",
		     plugtls_err_string(rc), plugtls_conn_error(s)->message);
	cr_assert_eq(j.hs, PLUGTLS_OK, "client handshake: %s (%s)",
		     plugtls_err_string(j.hs), j.msg);
	cr_assert_eq(j.io, PLUGTLS_E_TRUNCATED,
		     "%s: client read at end of stream without close_notify: "
		     "%s (%s)",
		     ch_vname(v), plugtls_err_string(j.io), j.msg);
	/* Close before freeing: the server's close_notify attempt then goes
	 * to a closed descriptor (the SIGPIPE case has its own test). */
	close(sfd);
	plugtls_conn_free(s);
	close(j.fd);
	close(l.fd);
	plugtls_ctx_free(cctx);
	plugtls_ctx_free(sctx);
}

/* The io timeout is for blocking descriptors: a non-blocking one reports
 * WANT_READ at once even when a timeout is configured. */
PT_PARAMS_PROVIDERS(socket, nonblocking_ignores_timeout)
ParameterizedTest(struct pt_param *param, socket, nonblocking_ignores_timeout)
{
	const plugtls_provider *p = pt_provider(param->prov);
	plugtls_config *cc = ch_client_cfg(CH_CA);
	cr_assert_eq(plugtls_config_set_io_timeout(cc, 2000), PLUGTLS_OK);
	plugtls_ctx *cctx = ch_ctx(p, cc);
	struct listener l;
	listen_loopback(&l, AF_INET, 0);
	int cfd = connect_loopback(&l, 0);
	int sfd = accept_one(&l);
	set_nonblocking(cfd);
	plugtls_conn *c = conn_on_fd(cctx, cfd, CH_HOST);
	double t0 = ch_now();
	plugtls_err rc = plugtls_conn_handshake(c);
	double dt = ch_now() - t0;
	cr_assert_eq(rc, PLUGTLS_WANT_READ,
		     "non-blocking fd with an io timeout: %s after %.2f s (%s)",
		     plugtls_err_string(rc), dt,
		     plugtls_conn_error(c)->message);
	cr_assert(dt < 0.5, "a non-blocking handshake step took %.2f s", dt);
	plugtls_conn_free(c);
	close(cfd);
	close(sfd);
	close(l.fd);
	plugtls_ctx_free(cctx);
}
