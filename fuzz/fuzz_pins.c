/*
 * The core's pin-string parser (plugtls_config_set_pins). The input is the
 * pin string (up to its first NUL). When it parses, a client context with
 * those pins and chain verification off is built on every provider and
 * verifies the fixed chain (material server-ec-chain.pem), so the parsed
 * pins are also matched.
 */
#include "fuzz_common.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static plugtls_chain *chain[PTF_MAX_PROVIDERS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t len = 0;
	unsigned char *pem;

	(void)argc;
	(void)argv;
	ptf_init();
	pem = ptf_material("server-ec-chain.pem", &len);
	for (size_t i = 0; i < ptf_nprov; i++)
		if (plugtls_chain_parse(ptf_prov[i], pem, len, &chain[i]) !=
		    PLUGTLS_OK)
			abort();
	free(pem);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = ptf_cstr(data, size);
	plugtls_config *cfg = NULL;

	if (plugtls_config_new(PLUGTLS_CLIENT, &cfg) != PLUGTLS_OK)
		abort();
	if (plugtls_config_set_pins(cfg, s) != PLUGTLS_OK)
		goto out;
	if (plugtls_config_insecure_no_verify_chain(cfg) != PLUGTLS_OK)
		abort();
	for (size_t i = 0; i < ptf_nprov; i++) {
		plugtls_ctx *ctx = NULL;
		uint32_t reasons = 0;
		if (plugtls_ctx_new(ptf_prov[i], cfg, &ctx) != PLUGTLS_OK)
			abort();
		(void)plugtls_ctx_verify(ctx, chain[i], NULL,
					 PLUGTLS_PURPOSE_SERVER, &reasons);
		plugtls_ctx_free(ctx);
	}
out:
	plugtls_config_free(cfg);
	free(s);
	return 0;
}
