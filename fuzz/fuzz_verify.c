/*
 * Chain verification with fuzzed intermediates: the fixed leaf
 * (material server-ec.pem) followed by the input, parsed as an untrusted
 * PEM bundle or one DER certificate, verified by plugtls_ctx_verify()
 * against the fixed CA (material ca.pem) at the fixed time, for the server
 * purpose and host "localhost", on every provider.
 */
#include "fuzz_common.h"

#include "internal.h" /* pt_chain_add_data: append to the leaf's chain */

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static plugtls_ctx *ctx[PTF_MAX_PROVIDERS];
static unsigned char *leaf;
static size_t leaf_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ptf_init();
	leaf = ptf_material("server-ec.pem", &leaf_len);
	for (size_t i = 0; i < ptf_nprov; i++)
		ctx[i] = ptf_ctx(ptf_prov[i], PTF_CTX_CLIENT_CERT,
				 PLUGTLS_TLS1_3);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < ptf_nprov; i++) {
		plugtls_chain *ch = NULL;
		plugtls_error e = {0};
		uint32_t reasons = 0;

		if (plugtls_chain_parse(ptf_prov[i], leaf, leaf_len, &ch) !=
		    PLUGTLS_OK)
			abort(); /* the fixed leaf must parse */
		if (size &&
		    pt_chain_add_data(ch, data, size, &e) == PLUGTLS_OK) {
			ptf_touch_chain(ch);
			(void)plugtls_ctx_verify(ctx[i], ch, "localhost",
						 PLUGTLS_PURPOSE_SERVER,
						 &reasons);
		}
		plugtls_chain_free(ch);
	}
	return 0;
}
