/*
 * Certificate parsing and field extraction: the input is a PEM bundle or
 * one DER certificate (plugtls_chain_parse), parsed by every provider;
 * every field of every certificate is then read.
 */
#include "fuzz_common.h"

#include <stdint.h>

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
	for (size_t i = 0; i < ptf_nprov; i++) {
		plugtls_chain *ch = NULL;
		if (plugtls_chain_parse(ptf_prov[i], data, size, &ch) !=
		    PLUGTLS_OK)
			continue;
		ptf_touch_chain(ch);
		plugtls_chain_free(ch);
	}
	return 0;
}
