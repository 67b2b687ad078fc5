/*
 * plugtls verify: verify a chain as an application would, through a
 * client config and plugtls_ctx_verify().
 *
 * The interface is driven by external test suites: keep it exactly as
 * documented in the usage text. The first line of stdout is "OK" or
 * "FAIL: reason,reason" (plugtls_verify_reason_name() of each bit, in bit
 * order). Exit 0 valid, 1 not valid, 2 bad usage or unreadable input (a
 * message on stderr), including a setting the provider refuses (e.g.
 * --crl with a provider without CRL support).
 */
#include "cli.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

enum {
	V_CA = 1,
	V_UNTRUSTED,
	V_HOST,
	V_IP,
	V_TIME,
	V_PURPOSE,
	V_PIN,
	V_CRL,
	V_MAX_DEPTH,
};

static const struct cli_opt verify_opts[] = {
        {"--ca", NULL, true, true, V_CA},
        {"--untrusted", NULL, true, true, V_UNTRUSTED},
        {"--host", NULL, true, false, V_HOST},
        {"--ip", NULL, true, false, V_IP},
        {"--time", NULL, true, false, V_TIME},
        {"--purpose", NULL, true, false, V_PURPOSE},
        {"--pin", NULL, true, false, V_PIN},
        {"--crl", NULL, true, true, V_CRL},
        {"--max-depth", NULL, true, false, V_MAX_DEPTH},
        {NULL, NULL, false, false, 0},
};

static bool verify_is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

/* Check every value before touching a file, so that bad usage is exit 2
 * whatever the files hold. */
static int verify_check_args(const struct cli_args *a, uint64_t *t,
                             uint64_t *depth, unsigned *purpose)
{
	const char *v;

	if (a->n_pos != 1)
		return cli_usage_error("verify", "expected exactly one LEAF "
		                                 "file");
	if (!cli_opt_value(a, V_CA))
		return cli_usage_error("verify", "--ca FILE is required");
	if (cli_opt_value(a, V_HOST) && cli_opt_value(a, V_IP))
		return cli_usage_error("verify", "--host and --ip exclude each "
		                                 "other");
	v = cli_opt_value(a, V_HOST);
	if (v && v[0] == '\0')
		return cli_usage_error("verify", "--host needs a name");
	v = cli_opt_value(a, V_IP);
	if (v && !verify_is_ip(v))
		return cli_usage_error("verify",
		                       "--ip '%s' is not an IPv4 or "
		                       "IPv6 address",
		                       v);
	*t = 0;
	v = cli_opt_value(a, V_TIME);
	/* 0 would mean "now" to the library: refuse it rather than verify
	 * at a time the caller did not ask for. */
	if (v && !cli_parse_u64(v, 1, INT64_MAX, t))
		return cli_usage_error("verify",
		                       "--time '%s' is not a positive "
		                       "number of seconds",
		                       v);
	*depth = 0;
	v = cli_opt_value(a, V_MAX_DEPTH);
	if (v && !cli_parse_u64(v, 1, 64, depth))
		return cli_usage_error("verify",
		                       "--max-depth '%s' is not a "
		                       "number in 1..64",
		                       v);
	*purpose = PLUGTLS_PURPOSE_SERVER;
	v = cli_opt_value(a, V_PURPOSE);
	if (v && strcmp(v, "client") == 0)
		*purpose = PLUGTLS_PURPOSE_CLIENT;
	else if (v && strcmp(v, "server") != 0)
		return cli_usage_error("verify",
		                       "--purpose must be 'server' or "
		                       "'client', not '%s'",
		                       v);
	return CLI_EXIT_OK;
}

static int verify_config(const struct cli_args *a, plugtls_config *cfg,
                         uint64_t t, uint64_t depth)
{
	const char *what = NULL, *arg = NULL;
	plugtls_err rc = PLUGTLS_OK;

	for (size_t i = 0; i < a->n_opts && rc == PLUGTLS_OK; i++) {
		arg = a->opts[i].value;
		if (a->opts[i].id == V_CA) {
			what = "--ca";
			rc = plugtls_config_add_ca_file(cfg, arg);
		} else if (a->opts[i].id == V_CRL) {
			what = "--crl";
			rc = plugtls_config_add_crl_file(cfg, arg);
		} else if (a->opts[i].id == V_PIN) {
			what = "--pin";
			rc = plugtls_config_set_pins(cfg, arg);
		}
	}
	if (rc == PLUGTLS_OK && t) {
		what = "--time";
		arg = cli_opt_value(a, V_TIME);
		rc = plugtls_config_set_verify_time(cfg, (int64_t)t);
	}
	if (rc == PLUGTLS_OK && depth) {
		what = "--max-depth";
		arg = cli_opt_value(a, V_MAX_DEPTH);
		rc = plugtls_config_set_verify_depth(cfg, (int)depth);
	}
	if (rc != PLUGTLS_OK) {
		const plugtls_error *e = plugtls_config_error(cfg);

		cli_err("%s '%s': %s", what, arg ? arg : "",
		        e && e->message[0] ? e->message
		                           : plugtls_err_string(rc));
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/* The leaf file (whose extra certificates are intermediates), then every
 * --untrusted file, as one chain. */
static int verify_chain(const plugtls_provider *p, const struct cli_args *a,
                        plugtls_chain **out)
{
	plugtls_chain **parts = NULL;
	size_t n = 0;
	int ret = CLI_EXIT_USAGE;

	parts = calloc(a->n_opts + 1, sizeof(*parts));
	if (!parts) {
		cli_err("out of memory");
		goto out;
	}
	if (plugtls_chain_load_file(p, a->pos[0], &parts[n]) != PLUGTLS_OK) {
		cli_err("cannot load LEAF '%s': %s", a->pos[0],
		        cli_thread_msg());
		goto out;
	}
	n++;
	for (size_t i = 0; i < a->n_opts; i++) {
		if (a->opts[i].id != V_UNTRUSTED)
			continue;
		if (plugtls_chain_load_file(p, a->opts[i].value, &parts[n]) !=
		    PLUGTLS_OK) {
			cli_err("cannot load --untrusted '%s': %s",
			        a->opts[i].value, cli_thread_msg());
			goto out;
		}
		n++;
	}
	if (n == 1) {
		*out = parts[0];
		parts[0] = NULL;
	} else if (cli_chain_concat(p, parts, n, out) != PLUGTLS_OK) {
		cli_err("cannot join the certificates: %s", cli_thread_msg());
		goto out;
	}
	ret = CLI_EXIT_OK;
out:
	for (size_t i = 0; parts && i < n; i++)
		plugtls_chain_free(parts[i]);
	free(parts);
	return ret;
}

int cmd_verify(int argc, char **argv)
{
	const plugtls_provider *p = NULL;
	plugtls_config *cfg = NULL;
	plugtls_chain *chain = NULL;
	plugtls_ctx *ctx = NULL;
	struct cli_args a;
	uint64_t t, depth;
	unsigned purpose;
	uint32_t reasons = 0;
	const char *host;
	plugtls_err rc;
	char names[512];
	int ret;

	ret = cli_parse("verify", argc, argv, verify_opts, &a);
	if (ret >= 0)
		return ret;
	ret = verify_check_args(&a, &t, &depth, &purpose);
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
	ret = verify_config(&a, cfg, t, depth);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (plugtls_ctx_new(p, cfg, &ctx) != PLUGTLS_OK) {
		const plugtls_error *e = plugtls_config_error(cfg);

		cli_err("cannot build the verification context: %s",
		        e && e->message[0] ? e->message : cli_thread_msg());
		goto out;
	}
	ret = verify_chain(p, &a, &chain);
	if (ret != CLI_EXIT_OK)
		goto out;
	host = cli_opt_value(&a, V_HOST);
	if (!host)
		host = cli_opt_value(&a, V_IP);
	rc = plugtls_ctx_verify(ctx, chain, host, purpose, &reasons);
	if (rc == PLUGTLS_OK) {
		printf("OK\n");
		ret = CLI_EXIT_OK;
	} else if (rc == PLUGTLS_E_VERIFY) {
		/* A verdict with no bit would be a library bug; still say
		 * FAIL, never OK. */
		printf("FAIL: %s\n",
		       cli_reasons(reasons ? reasons : PLUGTLS_VERIFY_OTHER,
		                   names, sizeof(names)));
		ret = CLI_EXIT_FAIL;
	} else {
		const plugtls_error *e = plugtls_ctx_error(ctx);

		cli_err("verification could not run: %s",
		        e && e->message[0] ? e->message : cli_thread_msg());
		ret = CLI_EXIT_USAGE;
	}
out:
	plugtls_chain_free(chain);
	plugtls_ctx_free(ctx);
	plugtls_config_free(cfg);
	if (p)
		plugtls_provider_release(p);
	cli_args_free(&a);
	return ret;
}
