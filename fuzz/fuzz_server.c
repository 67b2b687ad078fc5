/*
 * The server side of a handshake fed fuzzed client bytes: the input is
 * everything the client sends (then it closes); on every provider, once to
 * a certificate server (EC chain, client certificate requested, ALPN) and
 * once to a PSK server. The server's output is discarded; the handshake is
 * driven a bounded number of steps (ptf_drive).
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
		ctx[i][0] = ptf_ctx(ptf_prov[i], PTF_CTX_SERVER_CERT,
				    PLUGTLS_TLS1_3);
		ctx[i][1] = ptf_ctx(ptf_prov[i], PTF_CTX_SERVER_PSK,
				    PLUGTLS_TLS1_3);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < ptf_nprov; i++)
		for (int k = 0; k < 2; k++)
			ptf_drive(ctx[i][k], 0, data, size);
	return 0;
}
