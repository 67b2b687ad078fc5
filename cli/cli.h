/*
 * The plugtls command-line tool: shared declarations.
 *
 * The tool is a thin user of the public API (plugtls/plugtls.h only): it
 * must never reach into core/ or a provider header, so that it shows what
 * an application can do with the library and nothing more.
 *
 * Exit codes, the same for every command:
 *   0  success (verify: the chain is valid)
 *   1  the operation ran and failed (verify: not valid; wrong password;
 *      handshake or connection failure)
 *   2  bad usage, unreadable or unparsable input, or a setting the
 *      provider refused; a message is on stderr
 */
#ifndef PLUGTLS_CLI_H
#define PLUGTLS_CLI_H

#include <plugtls/plugtls.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* ---- main.c: option parsing and dispatch ------------------------------- */

/* One accepted option. Options are long only ("--ca"), plus the short
 * aliases a table lists; matching is exact (no abbreviations), so that
 * scripts written against this interface keep meaning the same thing. */
struct cli_opt {
	const char *name;  /* "--ca" */
	const char *alias; /* "-v" or NULL */
	bool takes_value;
	bool repeatable;
	int id;
};

struct cli_optval {
	int id;
	const char *value; /* NULL for a flag; points into argv */
};

struct cli_args {
	const char *provider; /* --provider, or NULL for the default */
	struct cli_optval *opts;
	size_t n_opts;
	const char **pos;
	size_t n_pos;
};

/* Parse argv[0..argc) (the words after the command name) against table
 * (terminated by a NULL name). --provider and --help are accepted by every
 * command. Returns -1 when parsed, CLI_EXIT_OK after printing help for
 * --help, or CLI_EXIT_USAGE after printing a message. Free with
 * cli_args_free(). */
int cli_parse(const char *cmd, int argc, char **argv,
              const struct cli_opt *table, struct cli_args *out);
void cli_args_free(struct cli_args *a);
/* The last value of option id, or NULL. */
const char *cli_opt_value(const struct cli_args *a, int id);
bool cli_opt_flag(const struct cli_args *a, int id);

/* Print a command's usage ("cert show", "p12 create", …) to f. */
void cli_usage(FILE *f, const char *cmd);
/* "plugtls CMD: message" on stderr, plus a hint to --help; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* "plugtls: message" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict unsigned decimal: digits only, no sign, no spaces, in
 * [min, max]. */
bool cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* The provider named by --provider, or the library default. Prints the
 * reason and returns CLI_EXIT_USAGE on failure, else CLI_EXIT_OK. Release
 * with plugtls_provider_release(). */
int cli_provider(const struct cli_args *a, const plugtls_provider **out);

/* The message of the calling thread's last plugtls error, never NULL. */
const char *cli_thread_msg(void);

/* ---- util.c: files, secrets, chains ------------------------------------ */

#define CLI_PASS_MAX 1024

/* A secret read from a file or the terminal: NUL terminated, wiped by
 * cli_secret_wipe(). Lives on the caller's stack. */
struct cli_secret {
	char buf[CLI_PASS_MAX + 2];
	size_t len;
	bool set;
};
void cli_secret_wipe(struct cli_secret *s);

/* A password from the first line of file (trailing "\n" / "\r\n"
 * stripped), or, when file is NULL, from /dev/tty with echo off after
 * prompt (asked twice when confirm). Never from argv. Returns CLI_EXIT_OK,
 * or CLI_EXIT_USAGE with a message when the file is unreadable or there is
 * no terminal to ask, or CLI_EXIT_FAIL when the two entries differ. */
int cli_password(const char *file, const char *prompt, bool confirm,
                 struct cli_secret *out);

/* Read a whole regular file of at most max bytes. The buffer is
 * NUL terminated (not counted) and must be freed with cli_free_secret()
 * when it may hold a secret, or free(). Prints the reason on failure and
 * returns false. */
bool cli_read_file(const char *what, const char *path, size_t max,
                   unsigned char **out, size_t *len);
void cli_free_secret(void *p, size_t len);

/* Write data to path atomically (temporary file in the same directory,
 * mode 0600, then rename). Prints the reason on failure. */
bool cli_write_file_private(const char *path, const void *data, size_t len);

/* The certificates of every chain, in order, as one chain made by p. */
plugtls_err cli_chain_concat(const plugtls_provider *p,
                             plugtls_chain *const *chains, size_t n,
                             plugtls_chain **out);

/* Load a private key file, asking for its password (from pwfile, else the
 * terminal) only when the key is encrypted. On success *pw holds the
 * password used (possibly unset) and, when out is not NULL, *out the key.
 * Returns a CLI_EXIT_* code after printing the reason on failure. */
int cli_key_load(const plugtls_provider *p, const char *path,
                 const char *pwfile, struct cli_secret *pw, plugtls_key **out);

/* Reason bits as "expired,hostname-mismatch" (bit order) into buf. */
const char *cli_reasons(uint32_t reasons, char *buf, size_t cap);

/* ---- cmd_cert.c -------------------------------------------------------- */
/* Every field of one certificate as "key: value" lines. */
void cli_print_cert(FILE *f, const plugtls_cert *c);
/* One certificate, or each with a "certificate: N" header (1-based) and a
 * blank line between them when there are several. */
void cli_print_chain(FILE *f, const plugtls_chain *ch);

/* ---- commands ---------------------------------------------------------- */
int cmd_providers(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_p12(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_server(int argc, char **argv);
int cmd_interop(int argc, char **argv);

/* ---- net.c: shared by client and server -------------------------------- */

/* TLS settings both roles take. */
struct cli_tls_opts {
	const char **ca;
	size_t n_ca;
	const char *alpn, *pins;
	const char *psk_file, *psk_identity;
	const char *min_version, *max_version;
	const char *cert, *key, *key_password_file;
	bool verbose;
};

/* Option ids of client and server, and the options both take. */
enum {
	N_SERVERNAME = 1,
	N_CA,
	N_ALPN,
	N_PIN,
	N_PSK_FILE,
	N_PSK_IDENTITY,
	N_MIN_VERSION,
	N_MAX_VERSION,
	N_CERT,
	N_KEY,
	N_KEY_PASSWORD_FILE,
	N_INSECURE,
	N_TIMEOUT,
	N_VERBOSE,
	N_PORT,
	N_BIND,
	N_VERIFY_CLIENT,
	N_HTTP,
	N_MAX_CONNECTIONS,
};

#define NET_COMMON_OPTS                                                        \
	{"--ca", NULL, true, true, N_CA},                                      \
	        {"--alpn", NULL, true, false, N_ALPN},                         \
	        {"--pin", NULL, true, false, N_PIN},                           \
	        {"--psk-file", NULL, true, false, N_PSK_FILE},                 \
	        {"--psk-identity", NULL, true, false, N_PSK_IDENTITY},         \
	        {"--min-version", NULL, true, false, N_MIN_VERSION},           \
	        {"--max-version", NULL, true, false, N_MAX_VERSION},           \
	        {"--cert", NULL, true, false, N_CERT},                         \
	        {"--key", NULL, true, false, N_KEY},                           \
	        {"--key-password-file", NULL, true, false,                     \
	         N_KEY_PASSWORD_FILE},                                         \
	        {"--timeout", NULL, true, false, N_TIMEOUT},                   \
	{                                                                      \
		"--verbose", "-v", false, false, N_VERBOSE                     \
	}

#define CLI_NET_DEFAULT_TIMEOUT 60 /* seconds */

/* Fill o from the parsed options (o->ca is allocated: free() it, also on
 * failure) and *timeout from --timeout. Returns CLI_EXIT_*. */
int cli_net_opts(const char *cmd, const struct cli_args *a,
                 struct cli_tls_opts *o, uint64_t *timeout);
/* cli_now_ms() + timeout, or 0 (no deadline) for a timeout of 0. */
int64_t cli_deadline(uint64_t timeout_s);

/* Apply opts to cfg (made for role by the caller). Returns CLI_EXIT_*. */
int cli_tls_config(const plugtls_provider *p, plugtls_config *cfg,
                   const struct cli_tls_opts *o);

/* Log callback writing "plugtls: level: line" to stderr. */
void cli_log_stderr(void *arg, plugtls_log_level level, const char *line);

/* Milliseconds on a monotonic clock. */
int64_t cli_now_ms(void);
/* Wait until fd is ready for what rc asks (PLUGTLS_WANT_READ /
 * PLUGTLS_WANT_WRITE). stop_fd (-1: none) readable ends the wait.
 * deadline_ms (0: none) is on cli_now_ms()'s clock. Returns 0 when ready,
 * 1 on timeout, 2 when stopped, -1 on a poll error. */
int cli_wait(int fd, plugtls_err rc, int stop_fd, int64_t deadline_ms);
/* Drive the handshake on a non-blocking fd to completion. */
plugtls_err cli_handshake(plugtls_conn *c, int fd, int stop_fd,
                          int64_t deadline_ms, int *wait_rc);
/* Report a failed handshake on stderr (prefix, then reason; verification
 * failures list the reason names). */
void cli_report_conn_error(const char *prefix, plugtls_conn *c, plugtls_err rc);
/* Print the negotiated parameters on stderr. */
void cli_print_session(plugtls_conn *c);

#endif
