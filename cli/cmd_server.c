/*
 * plugtls server: an echo server, one connection after another, until
 * SIGINT or SIGTERM (exit 0) or --max-connections served. It echoes until
 * the client's close_notify, then sends its own and closes. A failed
 * connection is reported on stderr and the server goes on with the next.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NET_BUF 16384

static const struct cli_opt server_opts[] = {
        NET_COMMON_OPTS,
        {"--port", NULL, true, false, N_PORT},
        {"--bind", NULL, true, false, N_BIND},
        {"--verify-client", NULL, false, false, N_VERIFY_CLIENT},
        {"--http", NULL, false, false, N_HTTP},
        {"--max-connections", NULL, true, false, N_MAX_CONNECTIONS},
        {NULL, NULL, false, false, 0},
};

struct srv {
	plugtls_ctx *ctx;
	int stop_rd; /* readable once SIGINT/SIGTERM arrived */
	uint64_t timeout;
	bool http, verbose;
	const char *provider; /* its name, for the --http reply */
	unsigned long id;     /* connection number, for messages */
};

static int srv_stop_wr = -1;

static void srv_on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (srv_stop_wr >= 0)
		(void)!write(srv_stop_wr, "x", 1);
	errno = saved;
}

/* Read with waits until deadline; PLUGTLS_E_TIMEOUT when the wait timed
 * out or the server is stopping. */
static plugtls_err srv_read_by(struct srv *s, plugtls_conn *c, int fd,
                               void *buf, size_t cap, size_t *n,
                               int64_t deadline)
{
	for (;;) {
		plugtls_err rc = plugtls_conn_read(c, buf, cap, n);

		if (rc != PLUGTLS_WANT_READ && rc != PLUGTLS_WANT_WRITE)
			return rc;
		if (cli_wait(fd, rc, s->stop_rd, deadline) != 0)
			return PLUGTLS_E_TIMEOUT;
	}
}

/* One read, waiting at most --timeout. */
static plugtls_err srv_read(struct srv *s, plugtls_conn *c, int fd, void *buf,
                            size_t cap, size_t *n)
{
	return srv_read_by(s, c, fd, buf, cap, n, cli_deadline(s->timeout));
}

static plugtls_err srv_write_all(struct srv *s, plugtls_conn *c, int fd,
                                 const unsigned char *buf, size_t len)
{
	int64_t deadline = cli_deadline(s->timeout);

	while (len > 0) {
		size_t n;
		plugtls_err rc = plugtls_conn_write(c, buf, len, &n);

		if (rc == PLUGTLS_OK) {
			buf += n;
			len -= n;
			continue;
		}
		if (rc != PLUGTLS_WANT_READ && rc != PLUGTLS_WANT_WRITE)
			return rc;
		if (cli_wait(fd, rc, s->stop_rd, deadline) != 0)
			return PLUGTLS_E_TIMEOUT;
	}
	return PLUGTLS_OK;
}

static plugtls_err srv_shutdown(struct srv *s, plugtls_conn *c, int fd)
{
	int64_t deadline = cli_deadline(s->timeout);

	for (;;) {
		plugtls_err rc = plugtls_conn_shutdown(c);

		if (rc != PLUGTLS_WANT_READ && rc != PLUGTLS_WANT_WRITE)
			return rc;
		if (cli_wait(fd, rc, s->stop_rd, deadline) != 0)
			return PLUGTLS_E_TIMEOUT;
	}
}

static bool srv_prefix_of(const unsigned char *b, size_t len, const char *w)
{
	size_t wl = strlen(w);

	return memcmp(b, w, len < wl ? len : wl) == 0;
}

/* The --http body after the request line: who answered and how. */
static int srv_http_info(const struct srv *s, const plugtls_conn *c,
                         char *out, size_t cap)
{
	const char *ver = plugtls_conn_version_name(c);
	const char *cipher = plugtls_conn_cipher(c);
	int n = snprintf(out, cap, "provider: %s\nprotocol: %s\ncipher: %s\n",
	                 s->provider, ver ? ver : "?", cipher ? cipher : "?");

	return n < 0 ? 0 : (size_t)n >= cap ? (int)cap - 1 : n;
}

/* --http: the first bytes decide. A request gets one minimal HTTP/1.1
 * reply whose body is the request line, then "provider: NAME",
 * "protocol: TLSv1.x" and "cipher: NAME" lines; then the connection
 * closes. Other bytes are left in buf for the echo. The request head is
 * read up to an empty line, at most cap bytes, all within --timeout.
 * Returns the read result; *handled when the reply was sent. */
static plugtls_err srv_http(struct srv *s, plugtls_conn *c, int fd,
                            unsigned char *buf, size_t cap, size_t *len,
                            bool *handled)
{
	int64_t deadline = cli_deadline(s->timeout);
	char head[256], info[256];
	size_t line, n;
	bool is_head;
	plugtls_err rc = PLUGTLS_OK;
	int hl, il;

	*handled = false;
	*len = 0;
	/* Until 5 bytes or a mismatch: "GET " and "HEAD " are the only
	 * methods answered. */
	while (*len < 5 && (srv_prefix_of(buf, *len, "GET ") ||
	                    srv_prefix_of(buf, *len, "HEAD "))) {
		rc = srv_read_by(s, c, fd, buf + *len, cap - *len, &n,
		                 deadline);
		if (rc != PLUGTLS_OK)
			break;
		*len += n;
	}
	if (*len < 4 || (memcmp(buf, "GET ", 4) != 0 &&
	                 (*len < 5 || memcmp(buf, "HEAD ", 5) != 0)))
		return rc;
	is_head = buf[0] == 'H';
	/* The whole header block (bounded by cap), so the client is not
	 * cut off in the middle of sending it. */
	while (rc == PLUGTLS_OK && *len < cap &&
	       !memmem(buf, *len, "\r\n\r\n", 4) &&
	       !memmem(buf, *len, "\n\n", 2)) {
		rc = srv_read_by(s, c, fd, buf + *len, cap - *len, &n,
		                 deadline);
		if (rc == PLUGTLS_OK)
			*len += n;
	}
	if (rc != PLUGTLS_OK && rc != PLUGTLS_E_CLOSED)
		return rc;
	for (line = 0; line < *len && buf[line] != '\n'; line++)
		;
	if (line >= cap)
		line = cap - 1; /* no end of line in cap bytes: cut */
	if (line > 0 && buf[line - 1] == '\r')
		line--;
	il = srv_http_info(s, c, info, sizeof(info));
	hl = snprintf(head, sizeof(head),
	              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	              "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	              line + 1 + (size_t)il);
	buf[line] = '\n';
	rc = srv_write_all(s, c, fd, (unsigned char *)head, (size_t)hl);
	if (rc == PLUGTLS_OK && !is_head)
		rc = srv_write_all(s, c, fd, buf, line + 1);
	if (rc == PLUGTLS_OK && !is_head)
		rc = srv_write_all(s, c, fd, (unsigned char *)info,
		                   (size_t)il);
	*handled = true;
	return rc;
}

static bool srv_stopping(const struct srv *s)
{
	struct pollfd pfd = {.fd = s->stop_rd, .events = POLLIN};

	return s->stop_rd >= 0 && poll(&pfd, 1, 0) > 0;
}

static void srv_conn_error(struct srv *s, const char *what, plugtls_conn *c,
                           plugtls_err rc)
{
	char prefix[64];

	if (rc == PLUGTLS_E_TIMEOUT) {
		cli_err("connection %lu: %s: %s", s->id, what,
		        srv_stopping(s) ? "server stopping" : "timed out");
		return;
	}
	snprintf(prefix, sizeof(prefix), "connection %lu: %s", s->id, what);
	cli_report_conn_error(prefix, c, rc);
}

/* After the HTTP reply the client may still be sending (the rest of its
 * request, its close_notify). Closing a socket with unread data makes the
 * kernel send a reset, which can destroy the reply before the client reads
 * it; so read and drop until the client closes, for a short while. */
static void srv_linger(struct srv *s, plugtls_conn *c, int fd,
                       unsigned char *buf, size_t cap)
{
	int64_t deadline = cli_now_ms() + 2000;
	size_t n;

	for (;;) {
		plugtls_err rc = plugtls_conn_read(c, buf, cap, &n);

		if (rc == PLUGTLS_OK)
			continue;
		if (rc != PLUGTLS_WANT_READ && rc != PLUGTLS_WANT_WRITE)
			return;
		if (cli_wait(fd, rc, s->stop_rd, deadline) != 0)
			return;
	}
}

static void srv_serve(struct srv *s, int fd)
{
	unsigned char buf[NET_BUF];
	plugtls_conn *c = NULL;
	bool handled = false;
	size_t n = 0;
	plugtls_err rc;
	int w;

	if (plugtls_conn_new(s->ctx, &c) != PLUGTLS_OK) {
		cli_err("connection %lu: %s", s->id,
		        plugtls_ctx_error(s->ctx)->message);
		goto out;
	}
	if ((rc = plugtls_conn_set_fd(c, fd)) != PLUGTLS_OK) {
		srv_conn_error(s, "setup", c, rc);
		goto out;
	}
	rc = cli_handshake(c, fd, s->stop_rd, cli_deadline(s->timeout), &w);
	if (w != 0)
		rc = PLUGTLS_E_TIMEOUT;
	if (rc != PLUGTLS_OK) {
		srv_conn_error(s, "handshake", c, rc);
		goto out;
	}
	if (s->verbose) {
		fprintf(stderr, "plugtls: connection %lu:\n", s->id);
		cli_print_session(c);
	}
	rc = PLUGTLS_OK;
	if (s->http)
		rc = srv_http(s, c, fd, buf, sizeof(buf), &n, &handled);
	/* Echo: the bytes already read first, then until close_notify. */
	while (!handled) {
		plugtls_err wrc;

		if (n &&
		    (wrc = srv_write_all(s, c, fd, buf, n)) != PLUGTLS_OK) {
			rc = wrc;
			break;
		}
		n = 0;
		if (rc != PLUGTLS_OK)
			break;
		rc = srv_read(s, c, fd, buf, sizeof(buf), &n);
	}
	if (rc != PLUGTLS_OK && rc != PLUGTLS_E_CLOSED) {
		srv_conn_error(s, handled ? "http" : "echo", c, rc);
		goto out;
	}
	rc = srv_shutdown(s, c, fd);
	if (rc != PLUGTLS_OK) {
		srv_conn_error(s, "close_notify", c, rc);
		goto out;
	}
	if (handled)
		srv_linger(s, c, fd, buf, sizeof(buf));
out:
	plugtls_conn_free(c);
}

static int srv_listen(const char *bind_addr, const char *port, int *out)
{
	struct addrinfo hints = {0}, *res = NULL;
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, one = 1, r, err = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	r = getaddrinfo(bind_addr, port, &hints, &res);
	if (r != 0) {
		cli_err("cannot resolve --bind '%s': %s", bind_addr,
		        gai_strerror(r));
		return CLI_EXIT_USAGE;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		            ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 16) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		cli_err("cannot listen on %s port %s: %s", bind_addr, port,
		        strerror(err));
		return CLI_EXIT_FAIL;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv,
	                sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		cli_err("cannot read the listening address: %s",
		        strerror(errno));
		close(fd);
		return CLI_EXIT_FAIL;
	}
	/* Tests read this line for the port chosen by --port 0. */
	if (ss.ss_family == AF_INET6)
		printf("listening on [%s]:%s\n", host, serv);
	else
		printf("listening on %s:%s\n", host, serv);
	fflush(stdout);
	*out = fd;
	return CLI_EXIT_OK;
}

static int srv_check_args(const struct cli_args *a,
                          const struct cli_tls_opts *o, char *port,
                          uint64_t *max_conns)
{
	const char *v;
	uint64_t pn;

	if (a->n_pos)
		return cli_usage_error("server", "unexpected argument '%s'",
		                       a->pos[0]);
	v = cli_opt_value(a, N_PORT);
	if (!v)
		return cli_usage_error("server", "--port N is required");
	if (!cli_parse_u64(v, 0, 65535, &pn))
		return cli_usage_error("server",
		                       "--port '%s' is not a port "
		                       "number",
		                       v);
	snprintf(port, 8, "%u", (unsigned)pn);
	if (!o->cert && !o->psk_file)
		return cli_usage_error("server",
		                       "--cert and --key are required "
		                       "(or a PSK)");
	if (cli_opt_flag(a, N_VERIFY_CLIENT) && o->n_ca == 0)
		return cli_usage_error("server", "--verify-client needs --ca");
	*max_conns = 0;
	v = cli_opt_value(a, N_MAX_CONNECTIONS);
	if (v && !cli_parse_u64(v, 1, UINT32_MAX, max_conns))
		return cli_usage_error("server",
		                       "--max-connections '%s' is not "
		                       "a positive number",
		                       v);
	return CLI_EXIT_OK;
}

static int srv_loop(struct srv *s, int lfd, uint64_t max_conns)
{
	uint64_t served = 0;

	while (!max_conns || served < max_conns) {
		struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN},
		                        {.fd = s->stop_rd, .events = POLLIN}};
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			cli_err("poll: %s", strerror(errno));
			return CLI_EXIT_FAIL;
		}
		if (pfd[1].revents)
			break;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED || errno == EPROTO)
				continue;
			cli_err("accept: %s", strerror(errno));
			return CLI_EXIT_FAIL;
		}
		s->id = (unsigned long)++served;
		srv_serve(s, fd);
		close(fd);
	}
	if (s->verbose)
		fprintf(stderr,
		        "plugtls: server stopped after %llu "
		        "connection(s)\n",
		        (unsigned long long)served);
	return CLI_EXIT_OK;
}

int cmd_server(int argc, char **argv)
{
	const plugtls_provider *p = NULL;
	struct sigaction sa, old_int, old_term;
	struct srv s = {.stop_rd = -1};
	struct cli_tls_opts o = {0};
	plugtls_config *cfg = NULL;
	uint64_t max_conns = 0;
	bool signals_set = false;
	struct cli_args a;
	const char *bind_addr;
	char port[8];
	int ret, lfd = -1, pipefd[2] = {-1, -1};

	ret = cli_parse("server", argc, argv, server_opts, &a);
	if (ret >= 0)
		return ret;
	ret = cli_net_opts("server", &a, &o, &s.timeout);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = srv_check_args(&a, &o, port, &max_conns);
	if (ret != CLI_EXIT_OK)
		goto out;
	s.http = cli_opt_flag(&a, N_HTTP);
	s.verbose = o.verbose;
	bind_addr = cli_opt_value(&a, N_BIND);
	if (!bind_addr)
		bind_addr = "127.0.0.1";
	ret = cli_provider(&a, &p);
	if (ret != CLI_EXIT_OK)
		goto out;
	s.provider = plugtls_provider_name(p);
	ret = CLI_EXIT_USAGE;
	if (plugtls_config_new(PLUGTLS_SERVER, &cfg) != PLUGTLS_OK) {
		cli_err("config: %s", cli_thread_msg());
		goto out;
	}
	ret = cli_tls_config(p, cfg, &o);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (cli_opt_flag(&a, N_VERIFY_CLIENT) &&
	    plugtls_config_set_client_cert(cfg, PLUGTLS_CLIENT_CERT_REQUIRE) !=
	            PLUGTLS_OK) {
		cli_err("--verify-client: %s",
		        plugtls_config_error(cfg)->message);
		goto out;
	}
	if (plugtls_ctx_new(p, cfg, &s.ctx) != PLUGTLS_OK) {
		cli_err("%s", plugtls_config_error(cfg)->message);
		goto out;
	}
	/* Self-pipe: the handler only writes a byte; every wait polls the
	 * read end, so a signal stops the server at its next wait. */
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0) {
		cli_err("pipe: %s", strerror(errno));
		goto out;
	}
	s.stop_rd = pipefd[0];
	srv_stop_wr = pipefd[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = srv_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signals_set = true;
	ret = srv_listen(bind_addr, port, &lfd);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = srv_loop(&s, lfd, max_conns);
out:
	if (signals_set) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	srv_stop_wr = -1;
	if (lfd >= 0)
		close(lfd);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	plugtls_ctx_free(s.ctx);
	plugtls_config_free(cfg);
	if (p)
		plugtls_provider_release(p);
	free(o.ca);
	cli_args_free(&a);
	return ret;
}
