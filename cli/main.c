/*
 * plugtls — command-line tool: dispatch, usage and common option parsing.
 *
 * Decision: options are parsed by the small exact-match parser below, not
 * getopt_long(), because getopt_long accepts unique prefixes ("--ho" for
 * "--host"). External test suites drive `plugtls verify`, so an option
 * means exactly one thing; unknown options, missing values and repeated
 * single-valued options are usage errors (exit 2).
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cli_cmds[] = {
        {"providers", cmd_providers, "list the compiled-in providers"},
        {"cert", cmd_cert, "show a certificate or bundle (cert show FILE)"},
        {"verify", cmd_verify, "verify a certificate chain"},
        {"p12", cmd_p12, "show or create a PKCS#12 bundle"},
        {"client", cmd_client, "connect to a TLS server, relay stdin/stdout"},
        {"server", cmd_server, "run a TLS echo (or minimal HTTP) server"},
        {"interop", cmd_interop,
         "every client provider against every server provider"},
        {NULL, NULL, NULL},
};

static const struct cli_usage_text {
	const char *cmd;
	const char *text;
} cli_usages[] = {
        {"providers",
         "usage: plugtls providers [--provider NAME]\n"
         "\n"
         "One block per compiled-in provider (or only NAME): name, run-time\n"
         "library version, version-gate status (\"ok\", \"accepted: ...\" or\n"
         "\"refused: reason\") and capabilities.\n"},
        {"cert",
         "usage: plugtls cert show [--provider NAME] FILE\n"
         "\n"
         "Print every field of each certificate in FILE (PEM, bundles "
         "allowed,\n"
         "or DER) as \"key: value\" lines. Several certificates are separated\n"
         "by a blank line, each under a \"certificate: N\" header "
         "(1-based).\n"},
        {"verify",
         "usage: plugtls verify [--provider NAME] --ca FILE [--untrusted "
         "FILE]\n"
         "                      [--host NAME | --ip ADDR] [--time "
         "UNIX_SECONDS]\n"
         "                      [--purpose server|client] [--pin PINS]\n"
         "                      [--crl FILE] [--max-depth N] LEAF\n"
         "\n"
         "Verify LEAF (PEM, bundles allowed, or DER; extra certificates in it\n"
         "are untrusted intermediates) against the roots of --ca. --ca,\n"
         "--untrusted and --crl may be repeated. PINS is \"sha256//BASE64\"\n"
         "separated by ';'. --time must be a positive number of seconds.\n"
         "--max-depth counts leaf and root (1..64).\n"
         "\n"
         "The first line of output is \"OK\" or \"FAIL: reason,reason\" "
         "(reason\n"
         "names in bit order). Exit 0 valid, 1 not valid, 2 bad usage or\n"
         "unreadable input.\n"},
        {"p12",
         "usage: plugtls p12 show [--provider NAME] FILE [--password-file F]\n"
         "       plugtls p12 create [--provider NAME] --key KEY\n"
         "                          [--key-password-file F] --cert CHAINFILE\n"
         "                          --out FILE [--password-file F]\n"
         "                          [--name FRIENDLY]\n"
         "\n"
         "Passwords come from the first line of a file or from a prompt on "
         "the\n"
         "terminal, never from the command line.\n"},
        {"client",
         "usage: plugtls client [--provider NAME] HOST:PORT\n"
         "         [--servername NAME] [--ca FILE] [--alpn LIST] [--pin PINS]\n"
         "         [--psk-file F --psk-identity ID] [--min-version 1.2|1.3]\n"
         "         [--max-version 1.2|1.3] [--cert F --key F]\n"
         "         [--key-password-file F] [--timeout SECONDS]\n"
         "         [--insecure-no-verify] [--verbose]\n"
         "\n"
         "HOST is a name, an IPv4 address or [IPv6]. The server is verified\n"
         "against HOST (--servername only changes the SNI sent) and the roots "
         "of\n"
         "--ca (repeatable; default: the system bundle). Standard input is "
         "sent;\n"
         "what comes back goes to standard output. At end of input a\n"
         "close_notify is sent and the tool keeps reading until the server\n"
         "closes. --timeout (default 60, 0: none) bounds connecting, the\n"
         "handshake, and waiting for the server once input has ended.\n"
         "Exit 0 after a clean close.\n"},
        {"server",
         "usage: plugtls server [--provider NAME] --cert FILE --key FILE "
         "--port N\n"
         "         [--bind ADDR] [--ca FILE] [--alpn LIST] [--pin PINS]\n"
         "         [--psk-file F --psk-identity ID] [--min-version 1.2|1.3]\n"
         "         [--max-version 1.2|1.3] [--verify-client]\n"
         "         [--key-password-file F] [--http] [--max-connections N]\n"
         "         [--timeout SECONDS] [--verbose]\n"
         "\n"
         "An echo server on ADDR (default 127.0.0.1) serving one connection\n"
         "after another until SIGINT/SIGTERM or --max-connections. FILE holds\n"
         "the leaf then its intermediates. --port 0 picks a free port; once\n"
         "ready, \"listening on ADDR:PORT\" is printed. --verify-client "
         "requires\n"
         "a client certificate valid under --ca. With --http, a connection "
         "that\n"
         "starts with \"GET \" or \"HEAD \" gets a minimal HTTP/1.1 200 reply\n"
         "whose body is the request line, then the provider, TLS version and cipher. --timeout (default 60, 0: none) bounds "
         "the\n"
         "handshake and each wait for the client.\n"},
        {"interop",
         "usage: plugtls interop --fixtures DIR [--json]\n"
         "\n"
         "Run every compiled-in provider as client against every one as\n"
         "server, in this process, over the in-memory pair, with the ECDSA\n"
         "P-256 server certificate of DIR (the conformance fixtures), for\n"
         "TLS 1.2 and 1.3: full handshake, resumption, mutual TLS and PSK,\n"
         "each with data both ways and close_notify both ways. Prints one\n"
         "table per mode (rows: client, columns: server); a cell is \"pass\",\n"
         "\"skip (CAPABILITY)\", \"refused\" (version gate) or \"FAIL [N]\",\n"
         "note N giving the error. --json prints one JSON document instead.\n"
         "Exit 0 when no cell failed, 1 when one did.\n"},
        {NULL, NULL},
};

static void cli_main_usage(FILE *f)
{
	fprintf(f, "usage: plugtls COMMAND [options]\n"
	           "       plugtls help COMMAND | --help | --version\n\n"
	           "commands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nEvery command takes --provider NAME (default: "
	           "$PLUGTLS_PROVIDER, else the first compiled in).\n"
	           "Exit status: 0 success, 1 failure, 2 bad usage or "
	           "unreadable input.\n");
}

void cli_usage(FILE *f, const char *cmd)
{
	/* "cert show" shares the text of "cert", and so on. */
	char base[32];
	size_t n = strcspn(cmd, " ");

	if (n >= sizeof(base))
		n = sizeof(base) - 1;
	memcpy(base, cmd, n);
	base[n] = '\0';
	for (const struct cli_usage_text *u = cli_usages; u->cmd; u++)
		if (strcmp(u->cmd, base) == 0 && u->text) {
			fputs(u->text, f);
			return;
		}
	cli_main_usage(f);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("plugtls: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "plugtls %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see: plugtls help %.*s)\n", (int)strcspn(cmd, " "),
	        cmd);
	return CLI_EXIT_USAGE;
}

const char *cli_thread_msg(void)
{
	const plugtls_error *e = plugtls_thread_error();

	if (!e || !e->message[0])
		return e ? plugtls_err_string(e->code) : "unknown error";
	return e->message;
}

bool cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

enum { CLI_OPT_PROVIDER = -1, CLI_OPT_HELP = -2 };

static const struct cli_opt cli_common_opts[] = {
        {"--provider", NULL, true, false, CLI_OPT_PROVIDER},
        {"--help", "-h", false, false, CLI_OPT_HELP},
        {NULL, NULL, false, false, 0},
};

static const struct cli_opt *cli_find_opt(const struct cli_opt *table,
                                          const char *word, size_t len)
{
	const struct cli_opt *tables[2] = {cli_common_opts, table};

	for (size_t t = 0; t < 2; t++)
		for (const struct cli_opt *o = tables[t]; o && o->name; o++) {
			if (strlen(o->name) == len &&
			    strncmp(o->name, word, len) == 0)
				return o;
			if (o->alias && strlen(o->alias) == len &&
			    strncmp(o->alias, word, len) == 0)
				return o;
		}
	return NULL;
}

void cli_args_free(struct cli_args *a)
{
	free(a->opts);
	free(a->pos);
	memset(a, 0, sizeof(*a));
}

int cli_parse(const char *cmd, int argc, char **argv,
              const struct cli_opt *table, struct cli_args *out)
{
	struct cli_args a = {0};
	bool only_pos = false, help = false;
	int ret = CLI_EXIT_USAGE;

	a.opts = calloc((size_t)argc + 1, sizeof(*a.opts));
	a.pos = calloc((size_t)argc + 1, sizeof(*a.pos));
	if (!a.opts || !a.pos) {
		cli_err("out of memory");
		goto out;
	}
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *eq, *val = NULL;
		const struct cli_opt *o;
		size_t len;

		if (only_pos || w[0] != '-' || strcmp(w, "-") == 0) {
			a.pos[a.n_pos++] = w;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			only_pos = true;
			continue;
		}
		eq = strncmp(w, "--", 2) == 0 ? strchr(w, '=') : NULL;
		len = eq ? (size_t)(eq - w) : strlen(w);
		o = cli_find_opt(table, w, len);
		if (!o) {
			cli_usage_error(cmd, "unknown option '%.*s'", (int)len,
			                w);
			goto out;
		}
		if (o->takes_value) {
			if (eq) {
				val = eq + 1;
			} else if (i + 1 < argc &&
			           strncmp(argv[i + 1], "--", 2) != 0) {
				/* A value that starts with "--" is taken as a
				 * forgotten value; --opt=--x passes one. */
				val = argv[++i];
			} else {
				cli_usage_error(cmd,
				                "option '%s' needs a value",
				                o->name);
				goto out;
			}
		} else if (eq) {
			cli_usage_error(cmd, "option '%s' takes no value",
			                o->name);
			goto out;
		}
		if (o->id == CLI_OPT_HELP) {
			help = true;
			continue;
		}
		if (o->id == CLI_OPT_PROVIDER) {
			if (a.provider) {
				cli_usage_error(cmd,
				                "option '--provider' given "
				                "twice");
				goto out;
			}
			a.provider = val;
			continue;
		}
		if (!o->repeatable && cli_opt_value(&a, o->id) != NULL) {
			cli_usage_error(cmd, "option '%s' given twice",
			                o->name);
			goto out;
		}
		if (!o->repeatable && !o->takes_value &&
		    cli_opt_flag(&a, o->id)) {
			cli_usage_error(cmd, "option '%s' given twice",
			                o->name);
			goto out;
		}
		a.opts[a.n_opts].id = o->id;
		a.opts[a.n_opts].value = val;
		a.n_opts++;
	}
	if (help) {
		cli_usage(stdout, cmd);
		ret = CLI_EXIT_OK;
		goto out;
	}
	*out = a;
	memset(&a, 0, sizeof(a));
	ret = -1;
out:
	cli_args_free(&a);
	return ret;
}

const char *cli_opt_value(const struct cli_args *a, int id)
{
	const char *v = NULL;

	for (size_t i = 0; i < a->n_opts; i++)
		if (a->opts[i].id == id && a->opts[i].value)
			v = a->opts[i].value;
	return v;
}

bool cli_opt_flag(const struct cli_args *a, int id)
{
	for (size_t i = 0; i < a->n_opts; i++)
		if (a->opts[i].id == id)
			return true;
	return false;
}

int cli_provider(const struct cli_args *a, const plugtls_provider **out)
{
	plugtls_err rc;

	if (a->provider)
		rc = plugtls_provider_get(a->provider, out);
	else
		rc = plugtls_provider_get_default(out);
	if (rc != PLUGTLS_OK) {
		cli_err("provider %s: %s",
		        a->provider ? a->provider : "(default)",
		        cli_thread_msg());
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

static void cli_print_version(void)
{
	size_t n = plugtls_provider_count();

	printf("plugtls %s\nproviders:", PLUGTLS_VERSION_STRING);
	for (size_t i = 0; i < n; i++)
		printf("%s %s", i ? "," : "", plugtls_provider_name_at(i));
	printf("\n");
}

static const struct cli_cmd *cli_find_cmd(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;
	int ret;

	/* Warnings of the library (an accepted vulnerable version, an
	 * insecure option) go to stderr; the commands add more with
	 * --verbose. */
	plugtls_set_log_callback(cli_log_stderr, NULL, PLUGTLS_LOG_WARNING);
	/* A peer or a reader that went away is an error to report, not a
	 * reason to die silently. */
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2) {
		cli_main_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_main_usage(stdout);
		return argc == 2 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		if (argc != 2)
			return cli_usage_error("--version", "takes no "
			                                    "arguments");
		cli_print_version();
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			cli_main_usage(stdout);
			return CLI_EXIT_OK;
		}
		if (argc != 3 || !cli_find_cmd(argv[2])) {
			cli_err("help: unknown command '%s'", argv[2]);
			return CLI_EXIT_USAGE;
		}
		cli_usage(stdout, argv[2]);
		return CLI_EXIT_OK;
	}
	c = cli_find_cmd(argv[1]);
	if (!c) {
		cli_err("unknown command '%s' (see: plugtls --help)", argv[1]);
		return CLI_EXIT_USAGE;
	}
	ret = c->fn(argc - 2, argv + 2);
	if (fflush(stdout) != 0 && ret == CLI_EXIT_OK) {
		cli_err("writing standard output failed");
		ret = CLI_EXIT_FAIL;
	}
	plugtls_set_log_callback(NULL, NULL, PLUGTLS_LOG_ERROR);
	return ret;
}
