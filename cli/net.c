/*
 * plugtls CLI: what `client` and `server` share — TLS settings from the
 * command line, waiting on a non-blocking socket, the handshake loop and
 * error reports.
 *
 * Decision: both commands use plugtls_conn_set_fd() on a non-blocking
 * socket and poll(), so that one thread can watch the socket, standard
 * input and a stop pipe at once, and every wait is bounded by a deadline.
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NET_PSK_MAX 1024 /* read limit; the library refuses > 64 bytes */

void cli_log_stderr(void *arg, plugtls_log_level level, const char *line)
{
	static const char *const names[] = {"error", "warning", "info",
	                                    "debug"};

	(void)arg;
	fprintf(stderr, "plugtls: %s: %s\n",
	        (unsigned)level < 4 ? names[level] : "log", line);
}

static int net_cfg_fail(plugtls_config *cfg, const char *what, const char *arg,
                        plugtls_err rc)
{
	const plugtls_error *e = plugtls_config_error(cfg);

	cli_err("%s%s%s%s: %s", what, arg ? " '" : "", arg ? arg : "",
	        arg ? "'" : "",
	        e && e->message[0] ? e->message : plugtls_err_string(rc));
	return CLI_EXIT_USAGE;
}

static bool net_version(const char *s, unsigned *out)
{
	if (strcmp(s, "1.2") == 0)
		*out = PLUGTLS_TLS1_2;
	else if (strcmp(s, "1.3") == 0)
		*out = PLUGTLS_TLS1_3;
	else
		return false;
	return true;
}

static int net_psk(plugtls_config *cfg, const struct cli_tls_opts *o)
{
	unsigned char *key = NULL;
	size_t len = 0;
	plugtls_err rc;

	if (!o->psk_file)
		return CLI_EXIT_OK;
	if (!cli_read_file("PSK file", o->psk_file, NET_PSK_MAX, &key, &len))
		return CLI_EXIT_USAGE;
	rc = plugtls_config_add_psk(cfg, o->psk_identity,
	                            strlen(o->psk_identity), key, len);
	cli_free_secret(key, len + 1);
	if (rc != PLUGTLS_OK)
		return net_cfg_fail(cfg, "--psk-file", o->psk_file, rc);
	return CLI_EXIT_OK;
}

int cli_tls_config(const plugtls_provider *p, plugtls_config *cfg,
                   const struct cli_tls_opts *o)
{
	unsigned minv = PLUGTLS_TLS1_2, maxv = PLUGTLS_TLS1_3;
	struct cli_secret pw = {0};
	plugtls_err rc;
	int ret;

	if ((o->min_version && !net_version(o->min_version, &minv)) ||
	    (o->max_version && !net_version(o->max_version, &maxv))) {
		cli_err("--min-version / --max-version take 1.2 or 1.3");
		return CLI_EXIT_USAGE;
	}
	if (!o->psk_file != !o->psk_identity) {
		cli_err("--psk-file and --psk-identity go together");
		return CLI_EXIT_USAGE;
	}
	if (!o->cert != !o->key) {
		cli_err("--cert and --key go together");
		return CLI_EXIT_USAGE;
	}
	if (o->key_password_file && !o->key) {
		cli_err("--key-password-file needs --key");
		return CLI_EXIT_USAGE;
	}
	rc = plugtls_config_set_log_callback(cfg, cli_log_stderr, NULL,
	                                     o->verbose ? PLUGTLS_LOG_INFO
	                                                : PLUGTLS_LOG_WARNING);
	if (rc != PLUGTLS_OK)
		return net_cfg_fail(cfg, "log callback", NULL, rc);
	for (size_t i = 0; i < o->n_ca; i++) {
		rc = plugtls_config_add_ca_file(cfg, o->ca[i]);
		if (rc != PLUGTLS_OK)
			return net_cfg_fail(cfg, "--ca", o->ca[i], rc);
	}
	if (o->min_version || o->max_version) {
		rc = plugtls_config_set_protocols(cfg, minv, maxv);
		if (rc != PLUGTLS_OK)
			return net_cfg_fail(cfg, "--min-version/--max-version",
			                    NULL, rc);
	}
	if (o->alpn && (rc = plugtls_config_set_alpn(cfg, o->alpn)))
		return net_cfg_fail(cfg, "--alpn", o->alpn, rc);
	if (o->pins && (rc = plugtls_config_set_pins(cfg, o->pins)))
		return net_cfg_fail(cfg, "--pin", o->pins, rc);
	ret = net_psk(cfg, o);
	if (ret != CLI_EXIT_OK)
		return ret;
	if (o->cert) {
		rc = plugtls_config_set_cert_file(cfg, o->cert);
		if (rc != PLUGTLS_OK)
			return net_cfg_fail(cfg, "--cert", o->cert, rc);
		/* Find out whether the key needs a password (and check the
		 * password) before the config sees it: a config keeps its
		 * first error, so a failed attempt must not reach it. */
		ret = cli_key_load(p, o->key, o->key_password_file, &pw, NULL);
		if (ret != CLI_EXIT_OK)
			return ret;
		rc = plugtls_config_set_key_file(cfg, o->key,
		                                 pw.set ? pw.buf : NULL);
		cli_secret_wipe(&pw);
		if (rc != PLUGTLS_OK)
			return net_cfg_fail(cfg, "--key", o->key, rc);
	}
	return CLI_EXIT_OK;
}

int cli_net_opts(const char *cmd, const struct cli_args *a,
                 struct cli_tls_opts *o, uint64_t *timeout)
{
	const char *t;

	memset(o, 0, sizeof(*o));
	o->ca = calloc(a->n_opts + 1, sizeof(*o->ca));
	if (!o->ca) {
		cli_err("out of memory");
		return CLI_EXIT_USAGE;
	}
	for (size_t i = 0; i < a->n_opts; i++)
		if (a->opts[i].id == N_CA)
			o->ca[o->n_ca++] = a->opts[i].value;
	o->alpn = cli_opt_value(a, N_ALPN);
	o->pins = cli_opt_value(a, N_PIN);
	o->psk_file = cli_opt_value(a, N_PSK_FILE);
	o->psk_identity = cli_opt_value(a, N_PSK_IDENTITY);
	o->min_version = cli_opt_value(a, N_MIN_VERSION);
	o->max_version = cli_opt_value(a, N_MAX_VERSION);
	o->cert = cli_opt_value(a, N_CERT);
	o->key = cli_opt_value(a, N_KEY);
	o->key_password_file = cli_opt_value(a, N_KEY_PASSWORD_FILE);
	o->verbose = cli_opt_flag(a, N_VERBOSE);
	*timeout = CLI_NET_DEFAULT_TIMEOUT;
	t = cli_opt_value(a, N_TIMEOUT);
	if (t && !cli_parse_u64(t, 0, 86400, timeout))
		return cli_usage_error(cmd,
		                       "--timeout '%s' is not a number of "
		                       "seconds in 0..86400",
		                       t);
	return CLI_EXIT_OK;
}

int64_t cli_deadline(uint64_t timeout_s)
{
	return timeout_s ? cli_now_ms() + (int64_t)timeout_s * 1000 : 0;
}

int64_t cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cli_wait(int fd, plugtls_err rc, int stop_fd, int64_t deadline_ms)
{
	struct pollfd pfd[2];
	nfds_t n = 1;

	pfd[0].fd = fd;
	pfd[0].events = rc == PLUGTLS_WANT_WRITE ? POLLOUT : POLLIN;
	if (stop_fd >= 0) {
		pfd[1].fd = stop_fd;
		pfd[1].events = POLLIN;
		n = 2;
	}
	for (;;) {
		int timeout = -1, r;

		if (deadline_ms) {
			int64_t left = deadline_ms - cli_now_ms();

			if (left <= 0)
				return 1;
			timeout = left > 60000 ? 60000 : (int)left;
		}
		pfd[0].revents = 0;
		if (n == 2)
			pfd[1].revents = 0;
		r = poll(pfd, n, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (n == 2 && pfd[1].revents)
			return 2;
		/* POLLHUP / POLLERR: let the library's next call see it. */
		if (pfd[0].revents)
			return 0;
	}
}

plugtls_err cli_handshake(plugtls_conn *c, int fd, int stop_fd,
                          int64_t deadline_ms, int *wait_rc)
{
	*wait_rc = 0;
	for (;;) {
		plugtls_err rc = plugtls_conn_handshake(c);

		if (rc != PLUGTLS_WANT_READ && rc != PLUGTLS_WANT_WRITE)
			return rc;
		*wait_rc = cli_wait(fd, rc, stop_fd, deadline_ms);
		if (*wait_rc != 0)
			return rc;
	}
}

void cli_report_conn_error(const char *prefix, plugtls_conn *c, plugtls_err rc)
{
	const plugtls_error *e = plugtls_conn_error(c);
	const char *msg =
	        e && e->message[0] ? e->message : plugtls_err_string(rc);
	char names[512];

	if (rc == PLUGTLS_E_VERIFY) {
		uint32_t r = plugtls_conn_verify_result(c);

		cli_err("%s: certificate verification failed: %s (%s)", prefix,
		        cli_reasons(r ? r : PLUGTLS_VERIFY_OTHER, names,
		                    sizeof(names)),
		        msg);
		return;
	}
	cli_err("%s: %s", prefix, msg);
}

void cli_print_session(plugtls_conn *c)
{
	const plugtls_chain *peer = plugtls_conn_peer_chain(c);
	const char *s;
	const char *ver = plugtls_conn_version_name(c);
	const char *cipher = plugtls_conn_cipher(c);

	fprintf(stderr, "plugtls: protocol: %s, cipher: %s\n", ver ? ver : "?",
	        cipher ? cipher : "?");
	if ((s = plugtls_conn_alpn(c)))
		fprintf(stderr, "plugtls: alpn: %s\n", s);
	if ((s = plugtls_conn_servername(c)))
		fprintf(stderr, "plugtls: servername: %s\n", s);
	if ((s = plugtls_conn_psk_identity(c)))
		fprintf(stderr, "plugtls: psk identity: %s\n", s);
	if (plugtls_conn_resumed(c))
		fprintf(stderr, "plugtls: resumed session\n");
	if (peer && plugtls_chain_count(peer) > 0)
		fprintf(stderr, "plugtls: peer: %s\n",
		        plugtls_cert_subject(plugtls_chain_get(peer, 0)));
}
