/*
 * plugtls providers: one block per compiled-in provider.
 *
 *   provider: openssl
 *   version: OpenSSL 3.0.19 ...
 *   status: ok
 *   capabilities: tls12,tls13,...
 *
 * A provider whose version gate refuses it is listed with
 * "status: refused: <reason>" and no version or capabilities; listing
 * still succeeds (exit 0). Blocks are separated by a blank line.
 */
#include "cli.h"

#include <string.h>

static const struct cli_opt providers_opts[] = {
        {NULL, NULL, false, false, 0},
};

static void providers_caps(uint64_t caps)
{
	bool first = true;

	printf("capabilities: ");
	for (unsigned i = 0; i < 64; i++) {
		uint64_t bit = UINT64_C(1) << i;

		if (!(caps & bit))
			continue;
		printf("%s%s", first ? "" : ",", plugtls_cap_name(bit));
		first = false;
	}
	printf("\n");
}

int cmd_providers(int argc, char **argv)
{
	struct cli_args a;
	size_t n = plugtls_provider_count(), shown = 0;
	int ret;

	ret = cli_parse("providers", argc, argv, providers_opts, &a);
	if (ret >= 0)
		return ret;
	ret = CLI_EXIT_USAGE;
	if (a.n_pos) {
		cli_usage_error("providers", "unexpected argument '%s'",
		                a.pos[0]);
		goto out;
	}
	/* The gate verdicts are this command's output ("status:"); the
	 * library's log of the same would only repeat them on stderr. */
	plugtls_set_log_callback(NULL, NULL, PLUGTLS_LOG_ERROR);
	for (size_t i = 0; i < n; i++) {
		const char *name = plugtls_provider_name_at(i);
		const plugtls_provider *p = NULL;

		if (a.provider && strcmp(a.provider, name) != 0)
			continue;
		printf("%sprovider: %s\n", shown++ ? "\n" : "", name);
		if (plugtls_provider_get(name, &p) != PLUGTLS_OK) {
			printf("status: refused: %s\n", cli_thread_msg());
			continue;
		}
		printf("version: %s\n", plugtls_provider_version(p));
		printf("status: %s\n", plugtls_provider_gate_status(p));
		providers_caps(plugtls_provider_caps(p));
		plugtls_provider_release(p);
	}
	if (a.provider && !shown) {
		cli_err("provider '%s' is not compiled in", a.provider);
		goto out;
	}
	ret = CLI_EXIT_OK;
out:
	cli_args_free(&a);
	return ret;
}
