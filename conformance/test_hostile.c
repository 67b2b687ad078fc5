/*
 * Hostile peers on loopback. Each test puts a plugtls endpoint of every
 * provider in front of a peer that breaks the rules and asserts a clear
 * plugtls error (the exact code and a non-empty message), within a bounded
 * time:
 *
 *  - huge_header_handshake: a raw peer (a thread with a plain socket) sends
 *    a record header claiming 65,535 bytes, over the limits of RFC 5246
 *    6.2.3 (2^14 + 2,048) and RFC 8446 5.1/5.2, to a plugtls client after
 *    reading its ClientHello, and to a plugtls server as its first bytes.
 *    The endpoint must refuse on the header (PLUGTLS_E_HANDSHAKE), not wait
 *    for the 64 KiB it announces.
 *  - huge_header_established: a tampering proxy between two real plugtls
 *    endpoints injects an application-data header of the same length into
 *    an established connection, towards either side (PLUGTLS_E_PROTOCOL).
 *  - stall: a raw peer reads the ClientHello and then says nothing (or
 *    sends a server a third of a ClientHello record and then nothing): a
 *    plugtls endpoint on a BLOCKING socket with
 *    plugtls_config_set_io_timeout(1000) gives up with PLUGTLS_E_TIMEOUT
 *    after about that long (asserted between 0.9 s and a generous upper
 *    bound; never a performance assertion).
 *  - replay: the proxy sends the first handshake record of one direction
 *    twice (the ClientHello; the server's first flight, which starts with
 *    the ServerHello). The receiving side fails with PLUGTLS_E_HANDSHAKE,
 *    and the other side never ends up with a usable connection.
 *  - truncation: after the handshake the proxy ends the stream without
 *    close_notify, at a record boundary or in the middle of a record:
 *    PLUGTLS_E_TRUNCATED, never PLUGTLS_E_CLOSED (which means a clean
 *    close_notify); forwarding a real close_notify is the control.
 *  - renegotiate: `openssl s_server` sends a HelloRequest ('r' on its
 *    stdin) to a plugtls client, `openssl s_client` starts a renegotiation
 *    ('R') with a plugtls server, both over TLS 1.2. Policy (DESIGN.md:
 *    "no renegotiation"; plugtls.h: config defaults): plugtls REFUSES and
 *    never renegotiates, and the connection ends with an error:
 *     - a client answers a HelloRequest with a no_renegotiation warning
 *       (RFC 5246 7.2.2); the OpenSSL server then aborts the handshake it
 *       asked for with a fatal handshake_failure alert, which the client
 *       reports as PLUGTLS_E_HANDSHAKE (as any handshake-family alert);
 *     - a server treats a ClientHello on an established connection as a
 *       protocol error, PLUGTLS_E_PROTOCOL: GnuTLS and wolfSSL answer it
 *       with a fatal unexpected_message alert, OpenSSL with the warning,
 *       upon which the OpenSSL client aborts.
 *    Application data sent before the attempt arrives intact, none after.
 *
 * The proxy runs in the test's own thread: both plugtls endpoints are on
 * non-blocking loopback sockets and the test steps them and the proxy in
 * turn, so every step is deterministic and bounded. The raw peers of the
 * huge-header and stall cases are threads that never assert (Criterion's
 * asserts long-jump): they record what happened, the test asserts after
 * joining them. openssl processes are killed on every path (the test's
 * .fini, and PR_SET_PDEATHSIG should the test process die).
 *
 * Only 127.0.0.1, port 0 (the kernel picks a free port).
 */
#define _GNU_SOURCE
#include "conn_helpers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Every blocking endpoint gives up after this long without progress, so
 * no case can hang; the cases that must fail fast assert well under it. */
#define IO_TIMEOUT_MS 5000u
/* The stall cases: the timeout under test. */
#define STALL_TIMEOUT_MS 1000u
/* Upper bound for a stalled endpoint to give up: generous (sanitizers,
 * a loaded 2-core machine); only a hang fails it. */
#define STALL_UPPER_S 8.0
/* Any step of the in-thread proxy loop. */
#define STEP_LIMIT_S 10.0

static const unsigned char huge_hs_header[5] = {0x16, 0x03, 0x03, 0xff, 0xff};
static const unsigned char huge_app_header[5] = {0x17, 0x03, 0x03, 0xff, 0xff};

static void assert_error(plugtls_conn *c, plugtls_err rc, plugtls_err want,
			 const char *prov, const char *what)
{
	cr_assert_eq(rc, want, "[%s] %s: got %s (%s), want %s", prov, what,
		     plugtls_err_string(rc), plugtls_conn_error(c)->message,
		     plugtls_err_string(want));
	cr_assert_eq(plugtls_conn_error(c)->code, want,
		     "[%s] %s: recorded code %s", prov, what,
		     plugtls_err_string(plugtls_conn_error(c)->code));
	cr_assert(plugtls_conn_error(c)->message[0] != 0,
		  "[%s] %s: %s with an empty message", prov, what,
		  plugtls_err_string(rc));
}

/* ---- sockets -------------------------------------------------------------
 */

static int listen_loopback(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0,
		     "bind 127.0.0.1 port 0: %s", strerror(errno));
	cr_assert_eq(listen(fd, 4), 0, "listen: %s", strerror(errno));
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	*port = ntohs(a.sin_port);
	cr_assert(*port != 0);
	return fd;
}

/* Blocking connect; -1 on failure (no assert: raw peer threads use it). */
static int connect_port(uint16_t port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Accept within timeout_ms; -1 on failure (no assert). */
static int accept_within(int lfd, int timeout_ms)
{
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

static void set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	cr_assert(fl >= 0);
	cr_assert_eq(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

/* Wait up to ms for fd to be readable; 1 readable, 0 not. */
static int wait_readable(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	return poll(&pfd, 1, ms) == 1;
}

/* Send all of buf, waiting for room at most 5 s; 0 or -1. */
static int send_all(int fd, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	double deadline = ch_now() + 5.0;
	while (len > 0 && ch_now() < deadline) {
		ssize_t n = send(fd, b, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			b += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			      errno == EINTR)) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			(void)poll(&pfd, 1, 100);
			continue;
		}
		return -1;
	}
	return len == 0 ? 0 : -1;
}

static plugtls_ctx *client_ctx(const plugtls_provider *p, unsigned v,
			       unsigned io_timeout_ms)
{
	plugtls_config *cfg = ch_client_cfg(CH_CA);
	ch_protocols(cfg, v ? v : PLUGTLS_TLS1_2, v ? v : PLUGTLS_TLS1_3);
	if (io_timeout_ms)
		cr_assert_eq(plugtls_config_set_io_timeout(cfg, io_timeout_ms),
			     PLUGTLS_OK);
	return ch_ctx(p, cfg);
}

static plugtls_ctx *server_ctx(const plugtls_provider *p, unsigned v,
			       unsigned io_timeout_ms)
{
	plugtls_config *cfg =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(cfg, v ? v : PLUGTLS_TLS1_2, v ? v : PLUGTLS_TLS1_3);
	if (io_timeout_ms)
		cr_assert_eq(plugtls_config_set_io_timeout(cfg, io_timeout_ms),
			     PLUGTLS_OK);
	return ch_ctx(p, cfg);
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

/* ---- the raw peer thread -------------------------------------------------
 * It never asserts; the test asserts on its record after joining. */

enum peer_mode {
	PEER_SERVER_HUGE, /* accept, read the ClientHello, send a huge header */
	PEER_SERVER_STALL, /* accept, read the ClientHello, send nothing */
	PEER_CLIENT_HUGE,  /* connect, send a huge header */
	PEER_CLIENT_STALL, /* connect, send a third of a ClientHello record */
};

struct peer {
	enum peer_mode mode;
	int lfd;       /* PEER_SERVER_*: the listener */
	uint16_t port; /* PEER_CLIENT_*: where plugtls listens */
	pthread_t tid;
	atomic_int done;
	/* results */
	int hello;  /* a whole handshake record came from plugtls */
	int sent;   /* the hostile bytes went out */
	int eof;    /* plugtls's side closed within the linger time */
	size_t got; /* bytes received from plugtls after the trigger */
	unsigned char alert[2]; /* the first alert plugtls sent, if any */
	char err[160];
};

/* How long the peer waits, after its trick, for plugtls to hang up: the
 * test closes its socket once plugtls has failed, well within this. */
#define PEER_LINGER_S 20.0

/* Read one whole record (header + body, up to cap) within deadline. */
static int peer_read_record(int fd, unsigned char *buf, size_t cap,
			    double deadline)
{
	size_t have = 0, want = 5;
	while (have < want) {
		int ms = (int)((deadline - ch_now()) * 1000);
		if (ms <= 0 || !wait_readable(fd, ms > 100 ? 100 : ms))
			if (ch_now() >= deadline)
				return -1;
		ssize_t n = recv(fd, buf + have, want - have, MSG_DONTWAIT);
		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		have += (size_t)n;
		if (have == 5) {
			want = 5 + (((size_t)buf[3] << 8) | buf[4]);
			if (want > cap)
				return -1;
		}
	}
	return 0;
}

/* After the trick: read what plugtls sends until it hangs up. */
static void peer_linger(struct peer *pr, int fd)
{
	unsigned char b[4096];
	double deadline = ch_now() + PEER_LINGER_S;
	while (ch_now() < deadline) {
		if (!wait_readable(fd, 100))
			continue;
		ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			pr->eof = 1;
			return;
		}
		if (n > 0) {
			/* An alert record as the first thing: keep it. */
			if (pr->got == 0 && n >= 7 && b[0] == 21) {
				pr->alert[0] = b[5];
				pr->alert[1] = b[6];
			}
			pr->got += (size_t)n;
		}
	}
}

static void *peer_main(void *arg)
{
	struct peer *pr = arg;
	static const unsigned char partial_hello[] = {
		0x16, 0x03, 0x01, 0x00, 0x90, /* a 144-byte handshake record */
		0x01, 0x00, 0x00, 0x8c,       /* ClientHello, 140 bytes */
		0x03, 0x03, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22,
		0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
		0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	unsigned char filler[64];
	unsigned char *rec = malloc(1u << 17);
	int fd = -1;

	memset(filler, 0x41, sizeof(filler));
	if (!rec) {
		snprintf(pr->err, sizeof(pr->err), "out of memory");
		goto out;
	}
	if (pr->mode == PEER_SERVER_HUGE || pr->mode == PEER_SERVER_STALL) {
		fd = accept_within(pr->lfd, 5000);
		if (fd < 0) {
			snprintf(pr->err, sizeof(pr->err),
				 "no connection within 5 s");
			goto out;
		}
		if (peer_read_record(fd, rec, 1u << 17, ch_now() + 5.0) ||
		    rec[0] != 0x16 || rec[5] != 0x01) {
			snprintf(pr->err, sizeof(pr->err),
				 "no ClientHello record within 5 s");
			goto out;
		}
		pr->hello = 1;
	} else {
		fd = connect_port(pr->port);
		if (fd < 0) {
			snprintf(pr->err, sizeof(pr->err), "connect: %s",
				 strerror(errno));
			goto out;
		}
	}
	switch (pr->mode) {
	case PEER_SERVER_HUGE:
	case PEER_CLIENT_HUGE:
		pr->sent = send_all(fd, huge_hs_header,
				    sizeof(huge_hs_header)) == 0 &&
			   send_all(fd, filler, sizeof(filler)) == 0;
		break;
	case PEER_CLIENT_STALL:
		pr->sent =
			send_all(fd, partial_hello, sizeof(partial_hello)) == 0;
		break;
	case PEER_SERVER_STALL: pr->sent = 1; break;
	}
	if (!pr->sent) {
		snprintf(pr->err, sizeof(pr->err), "send: %s", strerror(errno));
		goto out;
	}
	peer_linger(pr, fd);
out:
	if (fd >= 0)
		close(fd);
	free(rec);
	atomic_store(&pr->done, 1);
	return NULL;
}

static void peer_start(struct peer *pr)
{
	cr_assert_eq(pthread_create(&pr->tid, NULL, peer_main, pr), 0);
}

/* Join within 25 s (the linger time plus slack). */
static void peer_join(struct peer *pr)
{
	double deadline = ch_now() + PEER_LINGER_S + 5.0;
	while (!atomic_load(&pr->done) && ch_now() < deadline)
		usleep(10000);
	cr_assert(atomic_load(&pr->done), "the raw peer thread did not end");
	pthread_join(pr->tid, NULL);
	cr_assert_str_empty(pr->err, "raw peer: %s", pr->err);
}

/* A raw peer in the given mode and plugtls's side of the connection to
 * it: a client (with a connected fd) or a server (with the accepted fd),
 * with the given I/O timeout. */
static plugtls_ctx *raw_peer_open(const plugtls_provider *p, int plugtls_client,
				  int mode, unsigned timeout_ms,
				  struct peer *pr, int *lfd, int *fd)
{
	uint16_t port;
	plugtls_ctx *ctx;

	*lfd = listen_loopback(&port);
	memset(pr, 0, sizeof(*pr));
	pr->mode = mode;
	pr->lfd = *lfd;
	pr->port = port;
	peer_start(pr);
	if (plugtls_client) {
		ctx = client_ctx(p, 0, timeout_ms);
		*fd = connect_port(port);
		cr_assert(*fd >= 0, "connect: %s", strerror(errno));
	} else {
		ctx = server_ctx(p, 0, timeout_ms);
		*fd = accept_within(*lfd, 5000);
		cr_assert(*fd >= 0, "the raw client did not connect");
	}
	return ctx;
}

/* ------------------------------------------------------------------------ */
/* A record header claiming 65,535 bytes, during the handshake             */
/* ------------------------------------------------------------------------ */

PT_PARAMS_CASES(hostile, huge_header_handshake, 2)
ParameterizedTest(struct pt_param *param, hostile, huge_header_handshake)
{
	int plugtls_client = param->idx == 0;
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA);
	static struct peer pr;
	int lfd, fd;
	plugtls_ctx *ctx = raw_peer_open(
		p, plugtls_client,
		plugtls_client ? PEER_SERVER_HUGE : PEER_CLIENT_HUGE, IO_TIMEOUT_MS,
		&pr, &lfd, &fd);
	plugtls_conn *c = conn_on_fd(ctx, fd, plugtls_client ? CH_HOST : NULL);
	double t0 = ch_now();
	plugtls_err rc = plugtls_conn_handshake(c);
	double el = ch_now() - t0;
	cr_assert(rc != PLUGTLS_E_TIMEOUT,
		  "[%s] %s waited %.1f s for the 64 KiB the header announced "
		  "instead of refusing the header (%s)",
		  param->prov, plugtls_client ? "client" : "server", el,
		  plugtls_conn_error(c)->message);
	assert_error(c, rc, PLUGTLS_E_HANDSHAKE, param->prov,
		     plugtls_client ? "client fed a 64 KiB header"
				    : "server fed a 64 KiB header");
	cr_assert(el < IO_TIMEOUT_MS / 1000.0, "took %.1f s", el);
	plugtls_conn_free(c);
	close(fd);
	peer_join(&pr);
	close(lfd);
	cr_assert(pr.sent, "the huge header was never sent");
	cr_assert(!plugtls_client || pr.hello);
	cr_assert(pr.eof, "plugtls's side never hung up");
	plugtls_ctx_free(ctx);
	cr_log_info("[%s] %s: refused after %.3f s; alert sent %u/%u",
		    param->prov, plugtls_client ? "client" : "server", el,
		    pr.alert[0], pr.alert[1]);
}

/* ------------------------------------------------------------------------ */
/* A peer that stalls mid-handshake; blocking transport with a timeout      */
/* ------------------------------------------------------------------------ */

PT_PARAMS_CASES(hostile, stall, 2)
ParameterizedTest(struct pt_param *param, hostile, stall)
{
	int plugtls_client = param->idx == 0;
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA);
	static struct peer pr;
	int lfd, fd;
	plugtls_ctx *ctx = raw_peer_open(
		p, plugtls_client,
		plugtls_client ? PEER_SERVER_STALL : PEER_CLIENT_STALL, STALL_TIMEOUT_MS,
		&pr, &lfd, &fd);
	/* The fd stays blocking: the timeout is the only way out. */
	cr_assert_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	plugtls_conn *c = conn_on_fd(ctx, fd, plugtls_client ? CH_HOST : NULL);
	double t0 = ch_now();
	plugtls_err rc = plugtls_conn_handshake(c);
	double el = ch_now() - t0;
	assert_error(c, rc, PLUGTLS_E_TIMEOUT, param->prov,
		     plugtls_client ? "client facing a silent server"
				    : "server facing a stalled client");
	cr_assert(el >= STALL_TIMEOUT_MS / 1000.0 * 0.9,
		  "[%s] gave up after %.3f s, before the %u ms timeout",
		  param->prov, el, STALL_TIMEOUT_MS);
	cr_assert(el <= STALL_UPPER_S,
		  "[%s] gave up only after %.3f s (timeout %u ms)", param->prov,
		  el, STALL_TIMEOUT_MS);
	/* A timed-out connection stays failed. */
	cr_assert_eq(plugtls_conn_handshake(c), PLUGTLS_E_TIMEOUT);
	plugtls_conn_free(c);
	close(fd);
	peer_join(&pr);
	close(lfd);
	cr_assert(!plugtls_client || pr.hello,
		  "the silent server never saw a ClientHello");
	cr_assert(pr.eof);
	plugtls_ctx_free(ctx);
	cr_log_info("[%s] %s gave up after %.3f s", param->prov,
		    plugtls_client ? "client" : "server", el);
}

/* ------------------------------------------------------------------------ */
/* A tampering proxy between two real plugtls endpoints                     */
/* ------------------------------------------------------------------------ */

#define HOP_CAP (1u << 17)

/* One direction: bytes from `from` are parsed into records and forwarded
 * to `to`, record by record, with the tampering asked for. */
struct hop {
	int from, to;
	unsigned char buf[HOP_CAP];
	size_t len;
	unsigned records; /* records forwarded */
	int dup_first;    /* send the first record twice */
	int cut_mid_next; /* forward half of the next record, then EOF */
	int eof_in, eof_out;
};

struct proxy {
	struct hop hop[2]; /* 0: client -> server, 1: server -> client */
	int cfd, sfd;      /* the endpoints' own sockets */
	int cside, sside;  /* the proxy's ends of them */
	int lfd;
};

/* End the stream towards hop's receiver (TCP FIN, no close_notify). */
static void hop_cut(struct hop *h)
{
	if (!h->eof_out)
		shutdown(h->to, SHUT_WR);
	h->eof_out = 1;
}

static void hop_send(struct hop *h, const unsigned char *b, size_t len)
{
	if (h->eof_out)
		return;
	if (send_all(h->to, b, len) != 0)
		h->eof_out = 1; /* the receiver has gone */
}

/* Move what is there; returns whether anything moved. */
static int hop_pump(struct hop *h)
{
	int moved = 0;
	if (!h->eof_in && h->len < HOP_CAP) {
		ssize_t n = recv(h->from, h->buf + h->len, HOP_CAP - h->len,
				 MSG_DONTWAIT);
		if (n > 0) {
			h->len += (size_t)n;
			moved = 1;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			h->eof_in = 1;
			moved = 1;
		}
	}
	while (h->len >= 5 && !h->eof_out) {
		size_t rl = 5 + (((size_t)h->buf[3] << 8) | h->buf[4]);
		if (h->len < rl && rl <= HOP_CAP)
			break;
		if (rl > h->len)
			rl = h->len;
		if (h->cut_mid_next) {
			hop_send(h, h->buf, rl / 2);
			hop_cut(h);
		} else {
			hop_send(h, h->buf, rl);
			if (h->dup_first && h->records == 0)
				hop_send(h, h->buf, rl);
		}
		h->records++;
		memmove(h->buf, h->buf + rl, h->len - rl);
		h->len -= rl;
		moved = 1;
	}
	if (h->eof_in && !h->eof_out) {
		/* A partial record is passed on as it is, then the end. */
		hop_send(h, h->buf, h->len);
		h->len = 0;
		hop_cut(h);
		moved = 1;
	}
	return moved;
}

static int proxy_pump(struct proxy *px)
{
	int a = hop_pump(&px->hop[0]);
	int b = hop_pump(&px->hop[1]);
	return a || b;
}

static void proxy_wait(struct proxy *px, int ms)
{
	struct pollfd pfd[2] = {{.fd = px->cside, .events = POLLIN},
				{.fd = px->sside, .events = POLLIN}};
	(void)poll(pfd, 2, ms);
}

/* client fd <-> cside ... proxy ... sside <-> server fd. Static storage:
 * the hop buffers are large. */
static struct proxy PX;

static void proxy_open(struct proxy *px)
{
	uint16_t port;
	memset(px, 0, sizeof(*px));
	px->lfd = listen_loopback(&port);
	px->cfd = connect_port(port);
	cr_assert(px->cfd >= 0, "connect: %s", strerror(errno));
	px->cside = accept_within(px->lfd, 5000);
	cr_assert(px->cside >= 0);
	px->sside = connect_port(port);
	cr_assert(px->sside >= 0, "connect: %s", strerror(errno));
	px->sfd = accept_within(px->lfd, 5000);
	cr_assert(px->sfd >= 0);
	set_nonblocking(px->cfd);
	set_nonblocking(px->sfd);
	set_nonblocking(px->cside);
	set_nonblocking(px->sside);
	px->hop[0].from = px->cside;
	px->hop[0].to = px->sside;
	px->hop[1].from = px->sside;
	px->hop[1].to = px->cside;
}

static void proxy_close(struct proxy *px)
{
	close(px->cfd);
	close(px->sfd);
	close(px->cside);
	close(px->sside);
	close(px->lfd);
}

struct ends {
	plugtls_ctx *cctx, *sctx;
	plugtls_conn *client, *server;
};

static void ends_open(struct ends *e, struct proxy *px,
		      const plugtls_provider *p, unsigned v)
{
	e->cctx = client_ctx(p, v, 0);
	e->sctx = server_ctx(p, v, 0);
	e->client = conn_on_fd(e->cctx, px->cfd, CH_HOST);
	e->server = conn_on_fd(e->sctx, px->sfd, NULL);
}

static void ends_free(struct ends *e)
{
	plugtls_conn_free(e->client);
	plugtls_conn_free(e->server);
	plugtls_ctx_free(e->cctx);
	plugtls_ctx_free(e->sctx);
}

/* Step both handshakes and the proxy until neither is pending (bounded).
 * A side that fails hangs up (as a real application would), so that its
 * peer is not left waiting for bytes that never come. */
static void drive_handshakes(struct proxy *px, struct ends *e, plugtls_err *crc,
			     plugtls_err *src)
{
	double deadline = ch_now() + STEP_LIMIT_S;
	*crc = *src = PLUGTLS_WANT_READ;
	for (int i = 0; i < 100000 && (ch_pending(*crc) || ch_pending(*src)) &&
			ch_now() < deadline;
	     i++) {
		if (ch_pending(*crc)) {
			*crc = plugtls_conn_handshake(e->client);
			if (!ch_pending(*crc) && *crc != PLUGTLS_OK)
				shutdown(px->cfd, SHUT_WR);
		}
		if (ch_pending(*src)) {
			*src = plugtls_conn_handshake(e->server);
			if (!ch_pending(*src) && *src != PLUGTLS_OK)
				shutdown(px->sfd, SHUT_WR);
		}
		if (!proxy_pump(px))
			proxy_wait(px, 5);
	}
}

/* Read once through the proxy, retrying WANT_* (bounded). */
static plugtls_err read_via(struct proxy *px, plugtls_conn *c, void *buf,
			    size_t len, size_t *n)
{
	plugtls_err rc = PLUGTLS_WANT_READ;
	double deadline = ch_now() + STEP_LIMIT_S;
	for (int i = 0; i < 100000 && ch_pending(rc) && ch_now() < deadline;
	     i++) {
		rc = plugtls_conn_read(c, buf, len, n);
		if (ch_pending(rc) && !proxy_pump(px))
			proxy_wait(px, 5);
	}
	return rc;
}

/* Write all of msg, pump, and read it on the other side. */
static void send_through(struct proxy *px, plugtls_conn *from, plugtls_conn *to,
			 const char *msg)
{
	char buf[256];
	size_t n = 0, got = 0, len = strlen(msg);
	ch_write_all(from, msg, len);
	while (got < len) {
		plugtls_err rc =
			read_via(px, to, buf + got, sizeof(buf) - got, &n);
		cr_assert_eq(rc, PLUGTLS_OK, "read '%s': %s (%s)", msg,
			     plugtls_err_string(rc),
			     plugtls_conn_error(to)->message);
		got += n;
	}
	cr_assert(got == len && memcmp(buf, msg, len) == 0,
		  "'%.*s' arrived as '%.*s'", (int)len, msg, (int)got, buf);
}

/* A handshake through the proxy, then one message each way (which also
 * moves TLS 1.3 tickets out of the way). */
static void established(struct proxy *px, struct ends *e,
			const plugtls_provider *p, unsigned v)
{
	plugtls_err crc, src;
	proxy_open(px);
	ends_open(e, px, p, v);
	drive_handshakes(px, e, &crc, &src);
	cr_assert_eq(crc, PLUGTLS_OK, "client handshake: %s (%s)",
		     plugtls_err_string(crc),
		     plugtls_conn_error(e->client)->message);
	cr_assert_eq(src, PLUGTLS_OK, "server handshake: %s (%s)",
		     plugtls_err_string(src),
		     plugtls_conn_error(e->server)->message);
	cr_assert_eq(plugtls_conn_version(e->client), v);
	send_through(px, e->server, e->client, "from the server");
	send_through(px, e->client, e->server, "from the client");
}

static void require_version(const plugtls_provider *p, unsigned v)
{
	pt_require_caps(p, PLUGTLS_CAP_ECDSA |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
}

/* ------------------------------------------------------------------------ */
/* A handshake record sent twice                                            */
/* ------------------------------------------------------------------------ */

/* Cases: (TLS 1.3, TLS 1.2) x (ClientHello twice, the server's first
 * record twice). */
PT_PARAMS_CASES(hostile, replay, 4)
ParameterizedTest(struct pt_param *param, hostile, replay)
{
	unsigned v = param->idx & 1 ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	int dir = param->idx < 2 ? 0 : 1;
	const plugtls_provider *p = pt_provider(param->prov);
	require_version(p, v);
	struct ends e;
	plugtls_err crc, src;

	proxy_open(&PX);
	ends_open(&e, &PX, p, v);
	PX.hop[dir].dup_first = 1;
	drive_handshakes(&PX, &e, &crc, &src);
	cr_assert(PX.hop[dir].records >= 1, "nothing was replayed");
	plugtls_conn *victim = dir == 0 ? e.server : e.client;
	plugtls_conn *other = dir == 0 ? e.client : e.server;
	plugtls_err vrc = dir == 0 ? src : crc, orc = dir == 0 ? crc : src;
	char what[96];
	snprintf(what, sizeof(what),
		 "%s %s given its peer's first record twice", ch_vname(v),
		 dir == 0 ? "server" : "client");
	assert_error(victim, vrc, PLUGTLS_E_HANDSHAKE, param->prov, what);
	/* The other side may have finished its half (a TLS 1.3 client is done
	 * once its Finished is out), but it never gets a working connection:
	 * its next read fails. */
	if (orc == PLUGTLS_OK) {
		unsigned char b[64];
		size_t n = 0;
		orc = read_via(&PX, other, b, sizeof(b), &n);
	}
	cr_assert(orc != PLUGTLS_OK && !ch_pending(orc),
		  "[%s] %s: the other side got %s", param->prov, what,
		  plugtls_err_string(orc));
	cr_assert(plugtls_conn_error(other)->message[0] != 0);
	cr_log_info(
		"[%s] %s: %s (%s); other side %s (%s)", param->prov, what,
		plugtls_err_string(vrc), plugtls_conn_error(victim)->message,
		plugtls_err_string(orc), plugtls_conn_error(other)->message);
	ends_free(&e);
	proxy_close(&PX);
}

/* ------------------------------------------------------------------------ */
/* A huge application-data header in an established connection             */
/* ------------------------------------------------------------------------ */

/* Cases: (TLS 1.3, TLS 1.2) x (towards the client, towards the server). */
PT_PARAMS_CASES(hostile, huge_header_established, 4)
ParameterizedTest(struct pt_param *param, hostile, huge_header_established)
{
	unsigned v = param->idx & 1 ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	int to_client = param->idx < 2;
	const plugtls_provider *p = pt_provider(param->prov);
	require_version(p, v);
	struct ends e;
	unsigned char filler[64], b[64];
	size_t n = 0;

	established(&PX, &e, p, v);
	memset(filler, 0x41, sizeof(filler));
	struct hop *h = &PX.hop[to_client ? 1 : 0];
	hop_send(h, huge_app_header, sizeof(huge_app_header));
	hop_send(h, filler, sizeof(filler));
	plugtls_conn *victim = to_client ? e.client : e.server;
	double t0 = ch_now();
	plugtls_err rc = read_via(&PX, victim, b, sizeof(b), &n);
	double el = ch_now() - t0;
	char what[96];
	snprintf(what, sizeof(what), "%s %s read after a 64 KiB header",
		 ch_vname(v), to_client ? "client" : "server");
	assert_error(victim, rc, PLUGTLS_E_PROTOCOL, param->prov, what);
	cr_assert(el < STEP_LIMIT_S / 2, "took %.1f s", el);
	/* Stays failed. */
	cr_assert_eq(plugtls_conn_read(victim, b, sizeof(b), &n),
		     PLUGTLS_E_PROTOCOL);
	ends_free(&e);
	proxy_close(&PX);
}

/* ------------------------------------------------------------------------ */
/* The end of the stream without close_notify                               */
/* ------------------------------------------------------------------------ */

enum trunc_kind {
	TR_TO_CLIENT,  /* FIN to the client at a record boundary */
	TR_TO_SERVER,  /* FIN to the server at a record boundary */
	TR_MID_RECORD, /* half a record to the client, then FIN */
	TR_CLEAN,      /* control: the server's close_notify, then FIN */
	N_TRUNC
};

static const char *const trunc_names[] = {
	"FIN to the client", "FIN to the server",
	"half a record then FIN to the client", "close_notify then FIN"};

PT_PARAMS_CASES(hostile, truncation, 2 * N_TRUNC)
ParameterizedTest(struct pt_param *param, hostile, truncation)
{
	unsigned v = param->idx % 2 ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	enum trunc_kind k = (enum trunc_kind)(param->idx / 2);
	const plugtls_provider *p = pt_provider(param->prov);
	require_version(p, v);
	struct ends e;
	unsigned char b[64];
	size_t n = 0;
	plugtls_conn *victim;
	plugtls_err want =
		k == TR_CLEAN ? PLUGTLS_E_CLOSED : PLUGTLS_E_TRUNCATED;

	established(&PX, &e, p, v);
	victim = k == TR_TO_SERVER ? e.server : e.client;
	switch (k) {
	case TR_TO_CLIENT: hop_cut(&PX.hop[1]); break;
	case TR_TO_SERVER: hop_cut(&PX.hop[0]); break;
	case TR_MID_RECORD:
		PX.hop[1].cut_mid_next = 1;
		ch_write_all(e.server, "cut in half", 11);
		break;
	case TR_CLEAN:
	default:
		ch_shutdown(e.server);
		for (int i = 0; i < 100; i++)
			(void)proxy_pump(&PX);
		hop_cut(&PX.hop[1]);
		break;
	}
	plugtls_err rc = read_via(&PX, victim, b, sizeof(b), &n);
	char what[96];
	snprintf(what, sizeof(what), "%s %s: read after %s", ch_vname(v),
		 victim == e.client ? "client" : "server", trunc_names[k]);
	if (k == TR_CLEAN) {
		cr_assert_eq(rc, PLUGTLS_E_CLOSED, "[%s] %s: %s (%s)",
			     param->prov, what, plugtls_err_string(rc),
			     plugtls_conn_error(victim)->message);
	} else {
		cr_assert_neq(rc, PLUGTLS_E_CLOSED,
			      "[%s] %s: reported as a clean close", param->prov,
			      what);
		assert_error(victim, rc, want, param->prov, what);
	}
	/* The answer does not change. */
	cr_assert_eq(plugtls_conn_read(victim, b, sizeof(b), &n), want);
	ends_free(&e);
	proxy_close(&PX);
}

/* ------------------------------------------------------------------------ */
/* Renegotiation, with openssl s_server / s_client as the peer              */
/* ------------------------------------------------------------------------ */

struct proc {
	pid_t pid;
	int in, out; /* its stdin (we write), its stdout+stderr (we read) */
	char text[16384];
	size_t len;
};

static struct proc PROC = {.pid = -1, .in = -1, .out = -1};

static const char *openssl_path(void)
{
	static const char *const paths[] = {
		"/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

static void proc_spawn(struct proc *pc, char *const argv[])
{
	int in[2], out[2];
	const char *path = openssl_path();
	cr_assert_not_null(path,
			   "the openssl command (Debian package openssl) is "
			   "required as a renegotiating peer");
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	pid_t parent = getpid();
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* Dies with the test process, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execv(path, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	pc->pid = pid;
	pc->in = in[1];
	pc->out = out[0];
	pc->len = 0;
	pc->text[0] = 0;
	set_nonblocking(pc->out);
}

/* Collect its output for up to ms; returns whether needle has appeared. */
static int proc_expect(struct proc *pc, const char *needle, int ms)
{
	double deadline = ch_now() + ms / 1000.0;
	for (;;) {
		if (needle && strstr(pc->text, needle))
			return 1;
		if (ch_now() >= deadline)
			return 0;
		if (!wait_readable(pc->out, 50))
			continue;
		ssize_t n = read(pc->out, pc->text + pc->len,
				 sizeof(pc->text) - 1 - pc->len);
		if (n > 0) {
			pc->len += (size_t)n;
			pc->text[pc->len] = 0;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			/* It exited; nothing more will come. */
			return needle && strstr(pc->text, needle);
		}
		if (pc->len + 1 >= sizeof(pc->text))
			return needle && strstr(pc->text, needle);
	}
}

static void proc_say(struct proc *pc, const char *line)
{
	size_t len = strlen(line);
	cr_assert_eq(write(pc->in, line, len), (ssize_t)len,
		     "writing to openssl: %s", strerror(errno));
}

/* The test's .fini: kill the openssl process on every path. */
static void proc_kill(void)
{
	if (PROC.pid > 0) {
		kill(PROC.pid, SIGKILL);
		waitpid(PROC.pid, NULL, 0);
	}
	if (PROC.in >= 0)
		close(PROC.in);
	if (PROC.out >= 0)
		close(PROC.out);
	PROC.pid = -1;
	PROC.in = PROC.out = -1;
}

/* Blocking read of exactly len bytes (each wait bounded by the
 * connection's I/O timeout). */
static void read_exact(plugtls_conn *c, void *buf, size_t len)
{
	size_t got = 0, n = 0;
	for (int i = 0; i < 100 && got < len; i++) {
		plugtls_err rc = plugtls_conn_read(
			c, (unsigned char *)buf + got, len - got, &n);
		cr_assert_eq(rc, PLUGTLS_OK, "read: %s (%s); openssl said:\n%s",
			     plugtls_err_string(rc),
			     plugtls_conn_error(c)->message, PROC.text);
		got += n;
	}
	cr_assert_eq(got, len);
}

/* Read until something other than data happens (bounded). */
static plugtls_err read_until_error(plugtls_conn *c, size_t *data)
{
	unsigned char b[256];
	size_t n = 0;
	plugtls_err rc = PLUGTLS_OK;
	*data = 0;
	for (int i = 0; i < 100 && rc == PLUGTLS_OK; i++) {
		rc = plugtls_conn_read(c, b, sizeof(b), &n);
		if (rc == PLUGTLS_OK)
			*data += n;
	}
	return rc;
}

#define RENEG_KEY FIXTURE("server-ec.key")

/* Case 0: openssl s_server sends a HelloRequest to a plugtls client.
 * Case 1: openssl s_client sends a new ClientHello to a plugtls server. */
PT_PARAMS_CASES(hostile, renegotiate, 2)
ParameterizedTest(struct pt_param *param, hostile, renegotiate,
		  .fini = proc_kill)
{
	int plugtls_client = param->idx == 0;
	const plugtls_provider *p = pt_provider(param->prov);
	require_version(p, PLUGTLS_TLS1_2);
	plugtls_ctx *ctx;
	plugtls_conn *c;
	int fd, lfd = -1;
	char portarg[32], hello[] = "hello over TLS 1.2\n";
	unsigned char buf[sizeof(hello)];

	if (plugtls_client) {
		/* No -quiet: it would turn the command letters off. */
		char *const argv[] = {"openssl",
				      "s_server",
				      "-accept",
				      "127.0.0.1:0",
				      "-naccept",
				      "1",
				      "-tls1_2",
				      "-cert",
				      FIXTURE("server-ec.pem"),
				      "-cert_chain",
				      FIXTURE("int.pem"),
				      "-key",
				      RENEG_KEY,
				      NULL};
		proc_spawn(&PROC, argv);
		cr_assert(proc_expect(&PROC, "ACCEPT 127.0.0.1:", 10000),
			  "s_server did not start:\n%s", PROC.text);
		const char *at = strstr(PROC.text, "ACCEPT 127.0.0.1:") + 17;
		unsigned port = (unsigned)strtoul(at, NULL, 10);
		cr_assert(port > 0 && port < 65536);
		ctx = client_ctx(p, PLUGTLS_TLS1_2, IO_TIMEOUT_MS);
		fd = connect_port((uint16_t)port);
		cr_assert(fd >= 0, "connect to s_server: %s", strerror(errno));
		c = conn_on_fd(ctx, fd, CH_HOST);
	} else {
		uint16_t port;
		lfd = listen_loopback(&port);
		snprintf(portarg, sizeof(portarg), "127.0.0.1:%u", port);
		/* No -quiet / -ign_eof: they turn the command letters off. */
		char *const argv[] = {"openssl", "s_client", "-connect",
				      portarg,   "-tls1_2",  "-noservername",
				      NULL};
		proc_spawn(&PROC, argv);
		ctx = server_ctx(p, PLUGTLS_TLS1_2, IO_TIMEOUT_MS);
		fd = accept_within(lfd, 10000);
		cr_assert(fd >= 0, "s_client did not connect:\n%s", PROC.text);
		c = conn_on_fd(ctx, fd, NULL);
	}
	plugtls_err rc = plugtls_conn_handshake(c);
	cr_assert_eq(rc, PLUGTLS_OK, "[%s] handshake with openssl: %s (%s)",
		     param->prov, plugtls_err_string(rc),
		     plugtls_conn_error(c)->message);
	cr_assert_eq(plugtls_conn_version(c), PLUGTLS_TLS1_2);
	/* Data first: the connection works. */
	proc_say(&PROC, hello);
	read_exact(c, buf, sizeof(hello) - 1);
	cr_assert(memcmp(buf, hello, sizeof(hello) - 1) == 0);
	/* s_server: 'r' sends a HelloRequest. s_client: 'R' renegotiates. */
	proc_say(&PROC, plugtls_client ? "r\n" : "R\n");
	size_t data = 0;
	rc = read_until_error(c, &data);
	(void)proc_expect(&PROC, NULL, 200);
	char what[96];
	snprintf(what, sizeof(what), "%s: openssl %s",
		 plugtls_client ? "client" : "server",
		 plugtls_client ? "s_server sent a HelloRequest"
				: "s_client sent a new ClientHello");
	cr_assert_eq(data, 0, "[%s] %s: %zu bytes of data arrived", param->prov,
		     what, data);
	cr_assert_neq(rc, PLUGTLS_E_TIMEOUT,
		      "[%s] %s: plugtls waited %u ms for the peer: the "
		      "refusal did not end the connection; openssl said:\n%s",
		      param->prov, what, IO_TIMEOUT_MS, PROC.text);
	cr_log_info("[%s] %s: %s (%s)", param->prov, what,
		    plugtls_err_string(rc), plugtls_conn_error(c)->message);
	assert_error(c, rc,
		     plugtls_client ? PLUGTLS_E_HANDSHAKE : PLUGTLS_E_PROTOCOL,
		     param->prov, what);
	/* And openssl's side failed too: the renegotiation never happened
	 * ("no renegotiation" after the warning, or the fatal alert). */
	cr_assert(strstr(PROC.text, "RENEGOTIATING") || plugtls_client,
		  "s_client never tried:\n%s", PROC.text);
	cr_assert(strstr(PROC.text, ":error:"),
		  "[%s] %s: openssl reported no failure:\n%s", param->prov,
		  what, PROC.text);
	plugtls_conn_free(c);
	close(fd);
	if (lfd >= 0)
		close(lfd);
	plugtls_ctx_free(ctx);
}
