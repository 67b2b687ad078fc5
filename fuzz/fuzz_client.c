/*
 * The client side of a handshake fed fuzzed server bytes: the input is
 * everything the server sends (then it closes); on every provider, once
 * from a verifying client (CA, host "localhost", ALPN, a client
 * certificate) and once from a PSK client. In TLS 1.2 the server's
 * Certificate message is in the clear, so the client's certificate
 * parsing and verification are reached. Output discarded; bounded steps.
 */
#include "fuzz_common.h"

#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static plugtls_ctx *ctx[PTF_MAX_PROVIDERS][2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ptf_init();
	for (size_t i = 0; i < ptf_nprov; i++) {
		ctx[i][0] = ptf_ctx(ptf_prov[i], PTF_CTX_CLIENT_CERT,
				    PLUGTLS_TLS1_3);
		ctx[i][1] = ptf_ctx(ptf_prov[i], PTF_CTX_CLIENT_PSK,
				    PLUGTLS_TLS1_3);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < ptf_nprov; i++)
		for (int k = 0; k < 2; k++)
			ptf_drive(ctx[i][k], 1, data, size);
	return 0;
}
