/*
 * Private-key loading: the input as a PEM (PKCS#8, encrypted PKCS#8,
 * traditional) or DER key, loaded by every provider without a password and
 * with the material password (key-password.txt, the password of the
 * encrypted seeds).
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
	password = ptf_material_str("key-password.txt");
	return 0;
}

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < ptf_nprov; i++) {
		for (int pw = 0; pw < 2; pw++) {
			plugtls_key *k = NULL;
			if (plugtls_key_load(ptf_prov[i], data, size,
					     pw ? password : NULL,
					     &k) != PLUGTLS_OK)
				continue;
			sink += plugtls_key_bits(k);
			sink += (unsigned)plugtls_key_type(k)[0];
			plugtls_key_free(k);
		}
	}
	return 0;
}
