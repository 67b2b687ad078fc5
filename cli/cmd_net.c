/*
 * plugtls client: connect, verify the server against HOST, relay stdin to
 * the server and the server's data to stdout.
 *
 * Half-close: at end of input it sends close_notify and keeps reading
 * until the server closes; exit 0 after the server's close_notify, 1 on
 * any failure (reason on stderr; verification failures name the reasons),
 * 2 on bad usage.
 */
#include "cli.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NET_BUF 16384

static const struct cli_opt client_opts[] = {
        NET_COMMON_OPTS,
        {"--servername", NULL, true, false, N_SERVERNAME},
        {"--insecure-no-verify", NULL, false, false, N_INSECURE},
        {NULL, NULL, false, false, 0},
};

/* "name:port", "1.2.3.4:port", "[v6]:port". */
static int client_target(const char *s, char *host, size_t hcap, char *port,
                         size_t pcap)
{
	const char *colon, *h = s;
	size_t hlen;
	uint64_t pn;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return cli_usage_error("client",
			                       "expected [IPv6]:PORT, "
			                       "not '%s'",
			                       s);
		h = s + 1;
		hlen = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return cli_usage_error("client",
			                       "expected HOST:PORT, not "
			                       "'%s'",
			                       s);
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen))
			return cli_usage_error("client",
			                       "put an IPv6 address in "
			                       "brackets: "
			                       "[ADDR]:PORT");
	}
	if (hlen == 0 || hlen >= hcap)
		return cli_usage_error("client", "bad host in '%s'", s);
	if (!cli_parse_u64(colon + 1, 1, 65535, &pn))
		return cli_usage_error("client", "bad port in '%s'", s);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	snprintf(port, pcap, "%u", (unsigned)pn);
	return CLI_EXIT_OK;
}

static int client_connect(const char *host, const char *port, int64_t deadline,
                          int *out)
{
	struct addrinfo hints = {0}, *res = NULL;
	int err = 0, fd = -1, r;
	const char *why = NULL;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		cli_err("cannot resolve '%s': %s", host, gai_strerror(r));
		return CLI_EXIT_FAIL;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		socklen_t elen = sizeof(err);
		int one = 1, w;

		fd = socket(ai->ai_family,
		            ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			goto connected;
		err = errno;
		if (err == EINPROGRESS) {
			w = cli_wait(fd, PLUGTLS_WANT_WRITE, -1, deadline);
			if (w == 1) {
				why = "timed out";
			} else if (w == 0 &&
			           getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			                      &elen) == 0 &&
			           err == 0) {
				goto connected;
			}
		}
		close(fd);
		fd = -1;
		continue;
	connected:
		/* Interactive use: no Nagle delay on typed lines. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		cli_err("cannot connect to %s port %s: %s", host, port,
		        why ? why : strerror(err));
		return CLI_EXIT_FAIL;
	}
	*out = fd;
	return CLI_EXIT_OK;
}

static bool net_write_fd(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};

			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return false;
			continue;
		}
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

/* Relay stdin -> TLS and TLS -> stdout until the server's close_notify.
 * Every TLS call is retried only after poll() says the socket is ready
 * for what it asked; reads are drained until WANT_* before each poll, so
 * no decrypted data waits inside the library. */
static int client_relay(plugtls_conn *c, int fd, uint64_t timeout_s)
{
	unsigned char in[NET_BUF], out[NET_BUF];
	size_t out_len = 0, out_off = 0, n;
	bool in_eof = false, sent_close = false;
	plugtls_err rd_want = PLUGTLS_WANT_READ, wr_want;
	plugtls_err rc;

	for (;;) {
		struct pollfd pfd[2];
		nfds_t np = 1;
		int r;

		for (;;) {
			rc = plugtls_conn_read(c, in, sizeof(in), &n);
			if (rc != PLUGTLS_OK)
				break;
			if (!net_write_fd(STDOUT_FILENO, in, n)) {
				cli_err("writing standard output failed: %s",
				        strerror(errno));
				return CLI_EXIT_FAIL;
			}
		}
		if (rc == PLUGTLS_E_CLOSED)
			return CLI_EXIT_OK;
		if (rc != PLUGTLS_WANT_READ && rc != PLUGTLS_WANT_WRITE) {
			cli_report_conn_error("receiving", c, rc);
			return CLI_EXIT_FAIL;
		}
		rd_want = rc;
		wr_want = PLUGTLS_OK;
		while (out_off < out_len) {
			/* After WANT_*, the same buffer and length again. */
			rc = plugtls_conn_write(c, out + out_off,
			                        out_len - out_off, &n);
			if (rc == PLUGTLS_OK) {
				out_off += n;
				continue;
			}
			if (rc != PLUGTLS_WANT_READ &&
			    rc != PLUGTLS_WANT_WRITE) {
				cli_report_conn_error("sending", c, rc);
				return CLI_EXIT_FAIL;
			}
			wr_want = rc;
			break;
		}
		if (out_off == out_len)
			out_off = out_len = 0;
		if (in_eof && out_len == 0 && !sent_close) {
			rc = plugtls_conn_shutdown(c);
			if (rc == PLUGTLS_OK) {
				sent_close = true;
			} else if (rc == PLUGTLS_WANT_READ ||
			           rc == PLUGTLS_WANT_WRITE) {
				wr_want = rc;
			} else {
				cli_report_conn_error("sending close_notify", c,
				                      rc);
				return CLI_EXIT_FAIL;
			}
		}
		pfd[0].fd = fd;
		pfd[0].events = 0;
		if (rd_want == PLUGTLS_WANT_READ ||
		    wr_want == PLUGTLS_WANT_READ)
			pfd[0].events |= POLLIN;
		if (rd_want == PLUGTLS_WANT_WRITE ||
		    wr_want == PLUGTLS_WANT_WRITE)
			pfd[0].events |= POLLOUT;
		if (!in_eof && out_len == 0) {
			pfd[1].fd = STDIN_FILENO;
			pfd[1].events = POLLIN;
			np = 2;
		}
		/* Waiting for the user is unbounded; waiting for the server
		 * after the end of input is bounded by --timeout. */
		r = poll(pfd, np,
		         np == 1 && timeout_s ? (int)timeout_s * 1000 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cli_err("poll: %s", strerror(errno));
			return CLI_EXIT_FAIL;
		}
		if (r == 0) {
			cli_err("timed out waiting for the server");
			return CLI_EXIT_FAIL;
		}
		if (np == 2 && pfd[1].revents) {
			ssize_t got = read(STDIN_FILENO, out, sizeof(out));

			if (got > 0) {
				out_len = (size_t)got;
			} else if (got == 0 || pfd[1].revents & POLLNVAL) {
				in_eof = true;
			} else if (errno != EINTR && errno != EAGAIN) {
				cli_err("reading standard input failed: %s",
				        strerror(errno));
				return CLI_EXIT_FAIL;
			}
		}
	}
}

int cmd_client(int argc, char **argv)
{
	const plugtls_provider *p = NULL;
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;
	plugtls_conn *c = NULL;
	struct cli_tls_opts o = {0};
	struct cli_args a;
	char host[256], port[8];
	const char *sni;
	uint64_t timeout;
	int64_t deadline;
	plugtls_err rc;
	int ret, fd = -1, w;

	ret = cli_parse("client", argc, argv, client_opts, &a);
	if (ret >= 0)
		return ret;
	ret = cli_net_opts("client", &a, &o, &timeout);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (a.n_pos != 1) {
		cli_usage_error("client", "expected exactly one HOST:PORT");
		goto out;
	}
	ret = client_target(a.pos[0], host, sizeof(host), port, sizeof(port));
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = cli_provider(&a, &p);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (plugtls_config_new(PLUGTLS_CLIENT, &cfg) != PLUGTLS_OK) {
		cli_err("config: %s", cli_thread_msg());
		goto out;
	}
	ret = cli_tls_config(p, cfg, &o);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (cli_opt_flag(&a, N_INSECURE)) {
		fprintf(stderr, "plugtls: WARNING: --insecure-no-verify: the "
		                "server's certificate and name are NOT "
		                "verified\n");
		if (plugtls_config_insecure_no_verify_chain(cfg) !=
		            PLUGTLS_OK ||
		    plugtls_config_insecure_no_verify_hostname(cfg) !=
		            PLUGTLS_OK) {
			cli_err("--insecure-no-verify: %s",
			        plugtls_config_error(cfg)->message);
			goto out;
		}
	} else if (o.n_ca == 0 && !o.psk_file &&
	           plugtls_config_add_ca_system(cfg) != PLUGTLS_OK) {
		cli_err("no --ca given and no system CA bundle: %s",
		        plugtls_config_error(cfg)->message);
		goto out;
	}
	if (plugtls_ctx_new(p, cfg, &ctx) != PLUGTLS_OK) {
		cli_err("%s", plugtls_config_error(cfg)->message);
		goto out;
	}
	deadline = cli_deadline(timeout);
	ret = client_connect(host, port, deadline, &fd);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_FAIL;
	sni = cli_opt_value(&a, N_SERVERNAME);
	if (plugtls_conn_new(ctx, &c) != PLUGTLS_OK) {
		cli_err("connection: %s", plugtls_ctx_error(ctx)->message);
		goto out;
	}
	if ((rc = plugtls_conn_set_host(c, host)) != PLUGTLS_OK ||
	    (sni && (rc = plugtls_conn_set_servername(c, sni)) != PLUGTLS_OK) ||
	    (rc = plugtls_conn_set_fd(c, fd)) != PLUGTLS_OK) {
		cli_report_conn_error("connection setup", c, rc);
		ret = CLI_EXIT_USAGE;
		goto out;
	}
	rc = cli_handshake(c, fd, -1, deadline, &w);
	if (w == 1) {
		cli_err("handshake with %s: timed out", host);
		goto out;
	}
	if (rc != PLUGTLS_OK) {
		cli_report_conn_error("handshake", c, rc);
		goto out;
	}
	if (o.verbose)
		cli_print_session(c);
	ret = client_relay(c, fd, timeout);
out:
	/* conn_free sends close_notify when it was not sent yet. */
	plugtls_conn_free(c);
	if (fd >= 0)
		close(fd);
	plugtls_ctx_free(ctx);
	plugtls_config_free(cfg);
	if (p)
		plugtls_provider_release(p);
	free(o.ca);
	cli_args_free(&a);
	return ret;
}
