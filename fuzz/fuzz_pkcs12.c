/*
 * PKCS#12 import: the input as a DER bundle imported by every provider
 * with the material password (p12-password.txt, the password of the
 * seeds); on success the key and every certificate field are read.
 */
#include "fuzz_common.h"

#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *password;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ptf_init();
	password = ptf_material_str("p12-password.txt");
	return 0;
}

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < ptf_nprov; i++) {
		plugtls_key *k = NULL;
		plugtls_chain *ch = NULL;
		if (plugtls_pkcs12_import(ptf_prov[i], data, size, password, &k,
					  &ch) != PLUGTLS_OK)
			continue;
		sink += plugtls_key_bits(k);
		sink += (unsigned)plugtls_key_type(k)[0];
		ptf_touch_chain(ch);
		plugtls_chain_free(ch);
		plugtls_key_free(k);
	}
	return 0;
}
