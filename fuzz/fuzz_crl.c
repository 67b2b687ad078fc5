/*
 * CRL parsing: the input is a CRL (PEM or DER), added to a client config
 * that trusts the fixed CA (plugtls_config_add_crl_mem, CRL mode "chain");
 * when the core accepts it, a context is built on every provider (which
 * parses it) and verifies the fixed chain (material server-ec-chain.pem)
 * at the fixed time, so the CRL is also consulted.
 */
#include "fuzz_common.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static plugtls_chain *chain[PTF_MAX_PROVIDERS];
static unsigned char *ca;
static size_t ca_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t len = 0;
	unsigned char *pem;

	(void)argc;
	(void)argv;
	ptf_init();
	ca = ptf_material("ca.pem", &ca_len);
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
	plugtls_config *cfg = NULL;

	if (plugtls_config_new(PLUGTLS_CLIENT, &cfg) != PLUGTLS_OK ||
	    plugtls_config_add_ca_mem(cfg, ca, ca_len) != PLUGTLS_OK ||
	    plugtls_config_set_verify_time(cfg, ptf_verify_time()) !=
		    PLUGTLS_OK)
		abort();
	if (!size || plugtls_config_add_crl_mem(cfg, data, size) != PLUGTLS_OK)
		goto out;
	if (plugtls_config_set_crl_mode(cfg, PLUGTLS_CRL_CHAIN) != PLUGTLS_OK)
		abort();
	for (size_t i = 0; i < ptf_nprov; i++) {
		plugtls_ctx *ctx = NULL;
		uint32_t reasons = 0;
		if (plugtls_ctx_new(ptf_prov[i], cfg, &ctx) != PLUGTLS_OK)
			continue; /* a CRL the provider refuses */
		(void)plugtls_ctx_verify(ctx, chain[i], "localhost",
					 PLUGTLS_PURPOSE_SERVER, &reasons);
		plugtls_ctx_free(ctx);
	}
out:
	plugtls_config_free(cfg);
	return 0;
}
