/*
 * Session import: the input is an exported session
 * (plugtls_conn_set_session, e.g. read back from an application's cache
 * file). On every provider that can resume, a verifying client takes it
 * and starts a handshake (the provider decodes the session when it builds
 * its ClientHello); the peer sends nothing and closes. Since sessions
 * carry a MAC under a per-process key (core/session.c), fuzzed bytes stop
 * at the core's envelope check; the seeds recorded before the envelope
 * (raw provider sessions) and the regression inputs replay as such.
 */
#include "fuzz_common.h"

#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static plugtls_ctx *ctx[PTF_MAX_PROVIDERS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ptf_init();
	for (size_t i = 0; i < ptf_nprov; i++)
		if (plugtls_provider_caps(ptf_prov[i]) &
		    PLUGTLS_CAP_SESSION_EXPORT)
			ctx[i] = ptf_ctx(ptf_prov[i], PTF_CTX_CLIENT_CERT,
					 PLUGTLS_TLS1_3);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < ptf_nprov; i++)
		if (ctx[i])
			ptf_drive_session(ctx[i], data, size);
	return 0;
}
