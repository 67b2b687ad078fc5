/*
 * Shared helpers of the conformance suite. Every test is parameterised over
 * the providers compiled into this build (plugtls_provider_count()), so a
 * new provider is picked up with no change to any test.
 */
#ifndef PT_CONFORMANCE_COMMON_H
#define PT_CONFORMANCE_COMMON_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <plugtls/plugtls.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixtures generated at build time by conformance/gen-fixtures.sh. */
#ifndef PT_FIXTURE_DIR
#error "PT_FIXTURE_DIR must be defined by the build"
#endif
#define FIXTURE(name) PT_FIXTURE_DIR "/" name

#define PT_MAX_PROVIDERS 8
#define PT_MAX_PARAMS 4096

/* One parameter: a provider name, a second provider name (interop tests:
 * client = prov, server = prov2) and a case index into a test's table. */
struct pt_param {
	char prov[16];
	char prov2[16];
	size_t idx;
};

/* Parameter arrays (static storage, valid in forked tests):
 * one row per provider; per provider × case; per provider pair. */
struct pt_param *pt_params_providers(size_t *count);
struct pt_param *pt_params_cases(size_t ncases, size_t *count);
struct pt_param *pt_params_pairs(size_t *count);

#define PT_PARAMS_PROVIDERS(suite, name)                                       \
	ParameterizedTestParameters(suite, name)                               \
	{                                                                      \
		size_t n;                                                      \
		struct pt_param *p = pt_params_providers(&n);                  \
		return cr_make_param_array(struct pt_param, p, n);             \
	}
#define PT_PARAMS_CASES(suite, name, ncases)                                   \
	ParameterizedTestParameters(suite, name)                               \
	{                                                                      \
		size_t n;                                                      \
		struct pt_param *p = pt_params_cases((ncases), &n);            \
		return cr_make_param_array(struct pt_param, p, n);             \
	}
#define PT_PARAMS_PAIRS(suite, name)                                           \
	ParameterizedTestParameters(suite, name)                               \
	{                                                                      \
		size_t n;                                                      \
		struct pt_param *p = pt_params_pairs(&n);                      \
		return cr_make_param_array(struct pt_param, p, n);             \
	}

/* Table-driven tests run every row unless $PLUGTLS_TEST_SAMPLE=N (N > 1)
 * asks for every Nth row of the tables longer than PT_SAMPLE_SMALL rows,
 * shifted per provider so that the providers together cover more rows: for
 * slow runners such as valgrind's CI run. The default, and ctest, run
 * every row. */
#define PT_SAMPLE_SMALL 8
bool pt_sample_keep(size_t row, size_t nrows, size_t shift);

/* Get the provider (asserts success; released at process exit, which is
 * the end of the forked test). */
const plugtls_provider *pt_provider(const char *name);

/* Skip the test unless p has every bit of caps; prints which one is
 * missing. The only way a conformance test skips. */
void pt_require_caps(const plugtls_provider *p, uint64_t caps);

/* Read a whole fixture file (asserts); free with free(). */
unsigned char *pt_read_fixture(const char *path, size_t *len);
/* The body of the first PEM block in text, base64-decoded by the test
 * itself (so that the input does not depend on the library under test);
 * malloc'd. */
unsigned char *pt_pem_der(const char *text, size_t *der_len);

/* Drive client and server handshakes over a mempair until both finish or
 * one fails; bounded (10,000 steps, 10 s). Returns the client's result and
 * sets *server_rc. */
plugtls_err pt_handshake_pair(plugtls_conn *client, plugtls_conn *server,
			      plugtls_err *server_rc);

/* Client + server contexts and connections over one mempair. */
struct pt_pair {
	plugtls_ctx *cctx, *sctx;
	plugtls_conn *client, *server;
	plugtls_mempair *mp;
};
/* Builds connections from the two contexts (taken: freed by
 * pt_pair_free); host is set on the client. Asserts on failure. */
void pt_pair_make(struct pt_pair *pp, plugtls_ctx *cctx, plugtls_ctx *sctx,
		  const char *host);
void pt_pair_free(struct pt_pair *pp);

/* Send len bytes from a to b and check they arrive intact (bounded). */
void pt_exchange(plugtls_conn *a, plugtls_conn *b, size_t len);

/* Verdict bits as "expired,hostname-mismatch" for messages. */
const char *pt_reasons_str(uint32_t reasons, char *buf, size_t cap);

#endif
