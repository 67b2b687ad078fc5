/*
 * The core's ALPN-list parser (plugtls_config_set_alpn). The input is the
 * list (up to its first NUL). When it parses, a client context with that
 * list is built on every provider, so each backend takes the wire form.
 * (A peer's ALPN bytes reach the backends through fuzz_server.)
 */
#include "fuzz_common.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ptf_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = ptf_cstr(data, size);
	plugtls_config *cfg = NULL;

	if (plugtls_config_new(PLUGTLS_CLIENT, &cfg) != PLUGTLS_OK)
		abort();
	if (plugtls_config_set_alpn(cfg, s) != PLUGTLS_OK)
		goto out;
	if (plugtls_config_insecure_no_verify_chain(cfg) != PLUGTLS_OK)
		abort();
	for (size_t i = 0; i < ptf_nprov; i++) {
		plugtls_ctx *ctx = NULL;
		if (plugtls_ctx_new(ptf_prov[i], cfg, &ctx) != PLUGTLS_OK)
			abort();
		plugtls_ctx_free(ctx);
	}
out:
	plugtls_config_free(cfg);
	free(s);
	return 0;
}
