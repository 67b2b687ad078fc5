/*
 * Shared by the libFuzzer targets (fuzz_*.c) and the flight recorder.
 *
 * Every target runs each input against every compiled-in provider (in
 * plugtls_provider_count() order), so one corpus serves all providers and a
 * crash reproduces with the input alone. GnuTLS and wolfSSL are accepted
 * past their version gates ("gnutls:*", "wolfssl:*"): the fuzzers test
 * plugtls's mechanics and the libraries' parsers, not the gate.
 *
 * Fixed material (CA, leaf, keys, passwords, PSK, the verification time) is
 * read once from the material directory: $PLUGTLS_FUZZ_MATERIAL, else the
 * fuzz/material directory of the source tree compiled in as
 * PT_FUZZ_MATERIAL. fuzz/make-corpus.sh fills it from a fixture directory.
 */
#ifndef PT_FUZZ_COMMON_H
#define PT_FUZZ_COMMON_H

#include <plugtls/plugtls.h>

#include <stddef.h>
#include <stdint.h>

#define PTF_MAX_PROVIDERS 8

/* The providers that loaded, in compiled-in order; filled by ptf_init(). */
extern const plugtls_provider *ptf_prov[PTF_MAX_PROVIDERS];
extern size_t ptf_nprov;

/* Global init and provider lookup; aborts when no provider loads. */
void ptf_init(void);

/* A material file, NUL-terminated (NUL not counted in *len); aborts when
 * missing. ptf_material_str() also strips one trailing newline. Owned by
 * the caller (free()). */
unsigned char *ptf_material(const char *name, size_t *len);
char *ptf_material_str(const char *name);
/* The verification time (material "verify-time", seconds since the epoch):
 * a moment inside every material certificate's validity, so verdicts do
 * not change as the material ages. */
int64_t ptf_verify_time(void);

/* Contexts built from the material, aborting on failure (a fixed
 * configuration that fails to build is a bug in the target, not a
 * finding). kind: see PTF_CTX_*. */
enum {
	PTF_CTX_SERVER_CERT = 0, /* EC chain + key, CA, client cert requested,
				    ALPN h2,http/1.1, TLS 1.2-1.3 */
	PTF_CTX_SERVER_PSK = 1,  /* PSK only, ALPN, TLS 1.2-1.3 */
	PTF_CTX_CLIENT_CERT = 2, /* CA, verify at the fixed time, ALPN,
				    client certificate, TLS 1.2-1.3 */
	PTF_CTX_CLIENT_PSK = 3,  /* PSK, TLS 1.2-1.3 */
	PTF_CTX_KINDS = 4
};
/* max_version: PLUGTLS_TLS1_2 or PLUGTLS_TLS1_3 (the targets' choice). */
plugtls_ctx *ptf_ctx(const plugtls_provider *p, int kind, unsigned max_version);

/* Read every field of every certificate of ch. */
void ptf_touch_chain(const plugtls_chain *ch);

/* A NUL-terminated copy of data (malloc; free()). */
char *ptf_cstr(const uint8_t *data, size_t size);

/* Run one connection of ctx (client: host "localhost") whose peer sends
 * exactly `data` and then closes; what it writes is discarded. The
 * handshake is driven at most a bounded number of steps, then, if it
 * completed, a few reads and one write. */
void ptf_drive(plugtls_ctx *ctx, int client, const uint8_t *data, size_t size);

/* A client connection of ctx resuming `session` (plugtls_conn_set_session)
 * whose peer sends nothing and closes. */
void ptf_drive_session(plugtls_ctx *ctx, const uint8_t *session, size_t len);

#endif
