/*
 * Error paths: NULL and empty arguments to every public function that takes
 * a pointer, malformed / truncated / oversized input to config setters,
 * wrong passwords, PSK limits, peers that hang up mid-handshake or send
 * garbage, non-blocking progress, state errors, and which object records
 * an error.
 *
 * Decisions this file fixes (one answer on every provider):
 *  - Argument checks come before state checks, and an empty string or a
 *    zero length where data is required is PLUGTLS_E_INVALID_ARGUMENT, like
 *    NULL.
 *  - A failure with a non-NULL object argument is recorded on that object
 *    (on the parent for constructors: plugtls_conn_new on its context,
 *    plugtls_ctx_new on its config) and always on the calling thread.
 *  - A config setter may check its input when called or leave the check to
 *    plugtls_ctx_new (provider-specific parsing): the code must be the same
 *    either way, recorded on the config, and the message names the setter.
 *  - End of stream inside the handshake is PLUGTLS_E_TRUNCATED (plugtls.h:
 *    end of stream without close_notify), never PLUGTLS_E_CLOSED.
 *  - Bytes that are not TLS from the peer fail the handshake with
 *    PLUGTLS_E_HANDSHAKE right away (RFC 8446 5.1: unexpected record type
 *    or version), not after waiting for more input.
 *  - Connection calls that only a client may make (set_session,
 *    session_export) return PLUGTLS_E_STATE on a server; calls after the
 *    handshake that are only valid before it return PLUGTLS_E_STATE.
 *  - NULL getters return NULL or 0; where the header gives no value
 *    (key type names, path length) the test only checks they do not crash.
 */
#include "conn_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define E_INVAL PLUGTLS_E_INVALID_ARGUMENT
#define OK PLUGTLS_OK

/* ------------------------------------------------------------------------ */
/* NULL and empty arguments                                                 */
/* ------------------------------------------------------------------------ */

/* Valid objects for the rows to point at, made fresh in each (forked)
 * test. */
struct objs {
	const plugtls_provider *p;
	const char *pname;
	plugtls_config *ccfg, *scfg;
	plugtls_ctx *cctx;
	plugtls_conn *conn, *sconn; /* client, server; no transport */
	plugtls_chain *chain;
	const plugtls_cert *cert;
	plugtls_key *key;
	plugtls_mempair *mp;
	unsigned char *pem, *keypem, *p12, *psk;
	size_t pem_len, keypem_len, p12_len, psk_len;
	/* out-parameters the rows may write */
	const plugtls_provider *pout;
	plugtls_config *cfg_out;
	plugtls_ctx *ctx_out;
	plugtls_conn *conn_out;
	plugtls_chain *chain_out;
	plugtls_key *key_out;
	plugtls_mempair *mp_out;
	unsigned char *bytes_out;
	size_t n;
	uint32_t reasons;
	plugtls_san_type st;
	const char *sv;
	const unsigned char *der;
	unsigned char buf[64];
};

static plugtls_err rd_nop(void *u, void *b, size_t l, size_t *n)
{
	return PLUGTLS_WANT_READ;
}
static plugtls_err wr_nop(void *u, const void *b, size_t l, size_t *n)
{
	*n = l;
	return PLUGTLS_OK;
}

static void objs_make(struct objs *o, const char *prov)
{
	memset(o, 0, sizeof(*o));
	o->p = pt_provider(prov);
	o->pname = plugtls_provider_name(o->p);
	o->pem = pt_read_fixture(FIXTURE("server-ec.pem"), &o->pem_len);
	o->keypem = pt_read_fixture(FIXTURE("server-ec.key"), &o->keypem_len);
	o->p12 = pt_read_fixture(FIXTURE("server-ec.p12"), &o->p12_len);
	o->psk = pt_read_fixture(FIXTURE("psk.bin"), &o->psk_len);
	o->ccfg = ch_client_cfg(CH_CA);
	o->scfg = ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	o->cctx = ch_ctx(o->p, ch_client_cfg(CH_CA));
	plugtls_ctx *sctx = ch_ctx(o->p, ch_server_cfg(CH_SERVER_CHAIN("ec"),
						       CH_SERVER_KEY("ec")));
	cr_assert_eq(plugtls_conn_new(o->cctx, &o->conn), OK);
	cr_assert_eq(plugtls_conn_new(sctx, &o->sconn), OK);
	plugtls_ctx_free(sctx); /* the connection keeps its context */
	cr_assert_eq(plugtls_chain_parse(o->p, o->pem, o->pem_len, &o->chain),
		     OK);
	o->cert = plugtls_chain_get(o->chain, 0);
	cr_assert_not_null(o->cert);
	cr_assert_eq(
		plugtls_key_load(o->p, o->keypem, o->keypem_len, NULL, &o->key),
		OK);
	cr_assert_eq(plugtls_mempair_new(&o->mp), OK);
}

static void objs_free(struct objs *o)
{
	plugtls_conn_free(o->conn);
	plugtls_conn_free(o->sconn);
	plugtls_conn_free(o->conn_out);
	plugtls_ctx_free(o->cctx);
	plugtls_ctx_free(o->ctx_out);
	plugtls_config_free(o->ccfg);
	plugtls_config_free(o->scfg);
	plugtls_config_free(o->cfg_out);
	plugtls_chain_free(o->chain);
	plugtls_chain_free(o->chain_out);
	plugtls_key_free(o->key);
	plugtls_key_free(o->key_out);
	plugtls_mempair_free(o->mp);
	plugtls_mempair_free(o->mp_out);
	plugtls_free(o->bytes_out);
	if (o->pout)
		plugtls_provider_release(o->pout);
	free(o->pem);
	free(o->keypem);
	free(o->p12);
	free(o->psk);
}

/* Who must hold the error afterwards (besides the thread). */
enum owner { O_NONE, O_CCFG, O_SCFG, O_CCTX, O_CONN, O_SCONN };

/* Turn void calls and getters into a code: OK when they behave. */
#define VOIDCALL(e) ((e), OK)
#define ISNULL(e) ((e) == NULL ? OK : PLUGTLS_E_INTERNAL)
#define ISZERO(e) ((e) == 0 ? OK : PLUGTLS_E_INTERNAL)
#define NOTNULL(e) ((e) != NULL ? OK : PLUGTLS_E_INTERNAL)
#define NOCRASH(e) ((void)(e), OK)

#define PEM o->pem, o->pem_len
#define KEYPEM o->keypem, o->keypem_len
#define P12 o->p12, o->p12_len
#define PSK o->psk, 32
#define PW "password"
#define CA_PATH CH_CA
#define DIR_PATH PT_FIXTURE_DIR
#define V12 PLUGTLS_TLS1_2
#define V13 PLUGTLS_TLS1_3

/* X(owner, expected code, call) — every public function of plugtls.h that
 * takes a pointer, with each pointer NULL (and empty where it is a string
 * or a length), plus a few out-of-range values. */
#define NULL_ARG_CASES(X)                                                      \
	/* errors, global hooks */                                             \
	X(O_NONE, OK, NOTNULL(plugtls_err_string((plugtls_err)999)))           \
	X(O_NONE, OK, NOTNULL(plugtls_thread_error()))                         \
	X(O_NONE, OK, VOIDCALL(plugtls_free(NULL)))                            \
	X(O_NONE, OK,                                                          \
	  VOIDCALL(plugtls_set_log_callback(NULL, NULL, PLUGTLS_LOG_DEBUG)))   \
	X(O_NONE, OK,                                                          \
	  (strcmp(plugtls_cap_name(0), "unknown") == 0 ? OK                    \
						       : PLUGTLS_E_INTERNAL))  \
	X(O_NONE, OK,                                                          \
	  (strcmp(plugtls_cap_name(PLUGTLS_CAP_TLS12 | PLUGTLS_CAP_TLS13),     \
		  "unknown") == 0                                              \
		   ? OK                                                        \
		   : PLUGTLS_E_INTERNAL))                                      \
	X(O_NONE, OK, NOTNULL(plugtls_verify_reason_name(0)))                  \
	X(O_NONE, OK, NOTNULL(plugtls_verify_reason_name(3)))                  \
	/* providers */                                                        \
	X(O_NONE, OK,                                                          \
	  ISNULL(plugtls_provider_name_at(plugtls_provider_count())))          \
	X(O_NONE, OK, ISNULL(plugtls_provider_name_at((size_t)-1)))            \
	X(O_NONE, E_INVAL, plugtls_provider_get(NULL, &o->pout))               \
	X(O_NONE, E_INVAL, plugtls_provider_get("", &o->pout))                 \
	X(O_NONE, E_INVAL, plugtls_provider_get(o->pname, NULL))               \
	X(O_NONE, E_INVAL, plugtls_provider_get_default(NULL))                 \
	X(O_NONE, OK, VOIDCALL(plugtls_provider_release(NULL)))                \
	X(O_NONE, OK, ISNULL(plugtls_provider_name(NULL)))                     \
	X(O_NONE, OK, ISNULL(plugtls_provider_version(NULL)))                  \
	X(O_NONE, OK, ISZERO(plugtls_provider_caps(NULL)))                     \
	X(O_NONE, OK, ISNULL(plugtls_provider_gate_status(NULL)))              \
	X(O_NONE, E_INVAL, plugtls_provider_accept_vulnerable(NULL, "*"))      \
	X(O_NONE, E_INVAL, plugtls_provider_accept_vulnerable(o->pname, NULL)) \
	X(O_NONE, E_INVAL, plugtls_provider_accept_vulnerable("", "*"))        \
	X(O_NONE, E_INVAL, plugtls_provider_accept_vulnerable(o->pname, ""))   \
	/* certificates */                                                     \
	X(O_NONE, E_INVAL, plugtls_chain_parse(NULL, PEM, &o->chain_out))      \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_chain_parse(o->p, NULL, o->pem_len, &o->chain_out))          \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_chain_parse(o->p, o->pem, 0, &o->chain_out))                 \
	X(O_NONE, E_INVAL, plugtls_chain_parse(o->p, PEM, NULL))               \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_chain_load_file(NULL, CA_PATH, &o->chain_out))               \
	X(O_NONE, E_INVAL, plugtls_chain_load_file(o->p, NULL, &o->chain_out)) \
	X(O_NONE, E_INVAL, plugtls_chain_load_file(o->p, "", &o->chain_out))   \
	X(O_NONE, E_INVAL, plugtls_chain_load_file(o->p, CA_PATH, NULL))       \
	X(O_NONE, OK, VOIDCALL(plugtls_chain_free(NULL)))                      \
	X(O_NONE, OK, ISZERO(plugtls_chain_count(NULL)))                       \
	X(O_NONE, OK, ISNULL(plugtls_chain_get(NULL, 0)))                      \
	X(O_NONE, OK, ISNULL(plugtls_chain_get(o->chain, 1)))                  \
	X(O_NONE, OK, ISNULL(plugtls_chain_get(o->chain, (size_t)-1)))         \
	X(O_NONE, OK, ISNULL(plugtls_cert_subject(NULL)))                      \
	X(O_NONE, OK, ISNULL(plugtls_cert_issuer(NULL)))                       \
	X(O_NONE, OK, ISNULL(plugtls_cert_serial(NULL)))                       \
	X(O_NONE, OK, ISZERO(plugtls_cert_not_before(NULL)))                   \
	X(O_NONE, OK, ISZERO(plugtls_cert_not_after(NULL)))                    \
	X(O_NONE, OK, ISZERO(plugtls_cert_san_count(NULL)))                    \
	X(O_NONE, E_INVAL, plugtls_cert_san(NULL, 0, &o->st, &o->sv))          \
	X(O_NONE, E_INVAL, plugtls_cert_san(o->cert, 0, NULL, &o->sv))         \
	X(O_NONE, E_INVAL, plugtls_cert_san(o->cert, 0, &o->st, NULL))         \
	X(O_NONE, PLUGTLS_E_NOT_FOUND,                                         \
	  plugtls_cert_san(o->cert, 99, &o->st, &o->sv))                       \
	X(O_NONE, OK, VOIDCALL(plugtls_cert_der(NULL, &o->der, &o->n)))        \
	X(O_NONE, OK, VOIDCALL(plugtls_cert_der(o->cert, NULL, NULL)))         \
	X(O_NONE, OK, VOIDCALL(plugtls_cert_spki_der(NULL, &o->der, &o->n)))   \
	X(O_NONE, OK, VOIDCALL(plugtls_cert_spki_der(o->cert, NULL, NULL)))    \
	X(O_NONE, OK, ISNULL(plugtls_cert_pin(NULL)))                          \
	X(O_NONE, OK, ISNULL(plugtls_cert_fingerprint_sha256(NULL)))           \
	X(O_NONE, OK, NOCRASH(plugtls_cert_key_type(NULL)))                    \
	X(O_NONE, OK, ISZERO(plugtls_cert_key_bits(NULL)))                     \
	X(O_NONE, OK, NOCRASH(plugtls_cert_sig_alg(NULL)))                     \
	X(O_NONE, OK, ISZERO(plugtls_cert_is_ca(NULL)))                        \
	X(O_NONE, OK, NOCRASH(plugtls_cert_path_len(NULL)))                    \
	X(O_NONE, OK, ISZERO(plugtls_cert_eku(NULL)))                          \
	/* keys and PKCS#12 */                                                 \
	X(O_NONE, E_INVAL, plugtls_key_load(NULL, KEYPEM, NULL, &o->key_out))  \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_key_load(o->p, NULL, o->keypem_len, NULL, &o->key_out))      \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_key_load(o->p, o->keypem, 0, NULL, &o->key_out))             \
	X(O_NONE, E_INVAL, plugtls_key_load(o->p, KEYPEM, NULL, NULL))         \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_key_load_file(NULL, CH_SERVER_KEY("ec"), NULL, &o->key_out)) \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_key_load_file(o->p, NULL, NULL, &o->key_out))                \
	X(O_NONE, E_INVAL, plugtls_key_load_file(o->p, "", NULL, &o->key_out)) \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_key_load_file(o->p, CH_SERVER_KEY("ec"), NULL, NULL))        \
	X(O_NONE, OK, VOIDCALL(plugtls_key_free(NULL)))                        \
	X(O_NONE, OK, NOCRASH(plugtls_key_type(NULL)))                         \
	X(O_NONE, OK, ISZERO(plugtls_key_bits(NULL)))                          \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_import(NULL, P12, PW, &o->key_out, &o->chain_out))    \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_import(o->p, NULL, o->p12_len, PW, &o->key_out,       \
				&o->chain_out))                                \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_import(o->p, o->p12, 0, PW, &o->key_out,              \
				&o->chain_out))                                \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_import(o->p, P12, PW, NULL, &o->chain_out))           \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_import(o->p, P12, PW, &o->key_out, NULL))             \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_export(NULL, o->key, o->chain, PW, "x",               \
				&o->bytes_out, &o->n))                         \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_export(o->p, NULL, o->chain, PW, "x", &o->bytes_out,  \
				&o->n))                                        \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_export(o->p, o->key, NULL, PW, "x", &o->bytes_out,    \
				&o->n))                                        \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_export(o->p, o->key, o->chain, NULL, "x",             \
				&o->bytes_out, &o->n))                         \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_export(o->p, o->key, o->chain, "", "x",               \
				&o->bytes_out, &o->n))                         \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_export(o->p, o->key, o->chain, PW, "x", NULL, &o->n)) \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_pkcs12_export(o->p, o->key, o->chain, PW, "x",               \
				&o->bytes_out, NULL))                          \
	/* configs: NULL config */                                             \
	X(O_NONE, E_INVAL, plugtls_config_new(PLUGTLS_CLIENT, NULL))           \
	X(O_NONE, E_INVAL, plugtls_config_new((plugtls_role)0, &o->cfg_out))   \
	X(O_NONE, E_INVAL, plugtls_config_new((plugtls_role)3, &o->cfg_out))   \
	X(O_NONE, OK, VOIDCALL(plugtls_config_free(NULL)))                     \
	X(O_NONE, OK, ISNULL(plugtls_config_error(NULL)))                      \
	X(O_NONE, E_INVAL, plugtls_config_add_ca_file(NULL, CA_PATH))          \
	X(O_NONE, E_INVAL, plugtls_config_add_ca_dir(NULL, DIR_PATH))          \
	X(O_NONE, E_INVAL, plugtls_config_add_ca_mem(NULL, PEM))               \
	X(O_NONE, E_INVAL, plugtls_config_add_ca_system(NULL))                 \
	X(O_NONE, E_INVAL, plugtls_config_set_cert_file(NULL, CA_PATH))        \
	X(O_NONE, E_INVAL, plugtls_config_set_cert_mem(NULL, PEM))             \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_config_set_key_file(NULL, CH_SERVER_KEY("ec"), NULL))        \
	X(O_NONE, E_INVAL, plugtls_config_set_key_mem(NULL, KEYPEM, NULL))     \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_config_set_pkcs12_file(NULL, FIXTURE("server-ec.p12"), PW))  \
	X(O_NONE, E_INVAL, plugtls_config_set_pkcs12_mem(NULL, P12, PW))       \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_config_set_client_cert(NULL, PLUGTLS_CLIENT_CERT_REQUIRE))   \
	X(O_NONE, E_INVAL, plugtls_config_insecure_no_verify_chain(NULL))      \
	X(O_NONE, E_INVAL, plugtls_config_insecure_no_verify_hostname(NULL))   \
	X(O_NONE, E_INVAL, plugtls_config_set_verify_time(NULL, 0))            \
	X(O_NONE, E_INVAL, plugtls_config_set_verify_depth(NULL, 5))           \
	X(O_NONE, E_INVAL, plugtls_config_set_protocols(NULL, V12, V13))       \
	X(O_NONE, E_INVAL, plugtls_config_set_profile(NULL, "modern"))         \
	X(O_NONE, E_INVAL, plugtls_config_set_alpn(NULL, "h2"))                \
	X(O_NONE, E_INVAL, plugtls_config_set_pins(NULL, NULL))                \
	X(O_NONE, E_INVAL, plugtls_config_add_crl_file(NULL, CA_PATH))         \
	X(O_NONE, E_INVAL, plugtls_config_add_crl_mem(NULL, PEM))              \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_config_set_crl_mode(NULL, PLUGTLS_CRL_LEAF))                 \
	X(O_NONE, E_INVAL, plugtls_config_add_psk(NULL, "id", 2, PSK))         \
	X(O_NONE, E_INVAL, plugtls_config_set_session_tickets(NULL, 1))        \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_config_set_log_callback(NULL, NULL, NULL,                    \
					  PLUGTLS_LOG_DEBUG))                  \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_config_set_keylog_callback(NULL, NULL, NULL))                \
	X(O_NONE, E_INVAL, plugtls_config_set_io_timeout(NULL, 100))           \
	/* configs: NULL / empty data, out-of-range values */                  \
	X(O_CCFG, E_INVAL, plugtls_config_add_ca_file(o->ccfg, NULL))          \
	X(O_CCFG, E_INVAL, plugtls_config_add_ca_file(o->ccfg, ""))            \
	X(O_CCFG, E_INVAL, plugtls_config_add_ca_dir(o->ccfg, NULL))           \
	X(O_CCFG, E_INVAL, plugtls_config_add_ca_dir(o->ccfg, ""))             \
	X(O_CCFG, E_INVAL, plugtls_config_add_ca_mem(o->ccfg, NULL, 10))       \
	X(O_CCFG, E_INVAL, plugtls_config_add_ca_mem(o->ccfg, o->pem, 0))      \
	X(O_CCFG, E_INVAL, plugtls_config_set_cert_file(o->ccfg, NULL))        \
	X(O_CCFG, E_INVAL, plugtls_config_set_cert_file(o->ccfg, ""))          \
	X(O_CCFG, E_INVAL, plugtls_config_set_cert_mem(o->ccfg, NULL, 10))     \
	X(O_CCFG, E_INVAL, plugtls_config_set_cert_mem(o->ccfg, o->pem, 0))    \
	X(O_CCFG, E_INVAL, plugtls_config_set_key_file(o->ccfg, NULL, NULL))   \
	X(O_CCFG, E_INVAL, plugtls_config_set_key_file(o->ccfg, "", NULL))     \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_set_key_mem(o->ccfg, NULL, 10, NULL))                 \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_set_key_mem(o->ccfg, o->keypem, 0, NULL))             \
	X(O_CCFG, E_INVAL, plugtls_config_set_pkcs12_file(o->ccfg, NULL, PW))  \
	X(O_CCFG, E_INVAL, plugtls_config_set_pkcs12_file(o->ccfg, "", PW))    \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_set_pkcs12_mem(o->ccfg, NULL, 10, PW))                \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_set_pkcs12_mem(o->ccfg, o->p12, 0, PW))               \
	X(O_SCFG, E_INVAL,                                                     \
	  plugtls_config_set_client_cert(o->scfg, (plugtls_client_cert)3))     \
	X(O_CCFG, E_INVAL, plugtls_config_set_verify_depth(o->ccfg, 0))        \
	X(O_CCFG, E_INVAL, plugtls_config_set_verify_depth(o->ccfg, 65))       \
	X(O_CCFG, E_INVAL, plugtls_config_set_protocols(o->ccfg, 0x0301, V13)) \
	X(O_CCFG, E_INVAL, plugtls_config_set_protocols(o->ccfg, V13, V12))    \
	X(O_CCFG, E_INVAL, plugtls_config_set_protocols(o->ccfg, V12, 0x0305)) \
	X(O_CCFG, E_INVAL, plugtls_config_set_profile(o->ccfg, NULL))          \
	X(O_CCFG, E_INVAL, plugtls_config_set_profile(o->ccfg, ""))            \
	X(O_CCFG, E_INVAL, plugtls_config_set_profile(o->ccfg, "nope"))        \
	X(O_CCFG, E_INVAL, plugtls_config_set_profile(o->ccfg, "MODERN"))      \
	X(O_CCFG, E_INVAL, plugtls_config_set_alpn(o->ccfg, ""))               \
	X(O_CCFG, E_INVAL, plugtls_config_set_alpn(o->ccfg, "h2,,http/1.1"))   \
	X(O_CCFG, E_INVAL, plugtls_config_set_alpn(o->ccfg, "h2,"))            \
	X(O_CCFG, E_INVAL, plugtls_config_set_alpn(o->ccfg, alpn_long_name())) \
	X(O_CCFG, E_INVAL, plugtls_config_set_alpn(o->ccfg, alpn_33_names()))  \
	X(O_CCFG, OK, plugtls_config_set_alpn(o->ccfg, alpn_32_names()))       \
	X(O_CCFG, OK, plugtls_config_set_pins(o->ccfg, NULL))                  \
	X(O_CCFG, E_INVAL, plugtls_config_set_pins(o->ccfg, ""))               \
	X(O_CCFG, E_INVAL, plugtls_config_set_pins(o->ccfg, "sha256//"))       \
	X(O_CCFG, E_INVAL, plugtls_config_set_pins(o->ccfg, "sha256//abc"))    \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_set_pins(                                             \
		  o->ccfg,                                                     \
		  "md5//RxK4oEMtS5ODWOwUzApo/XDclUajvW3QuPOBN74uPs8="))        \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_set_pins(                                             \
		  o->ccfg,                                                     \
		  "sha256//RxK4oEMtS5ODWOwUzApo/XDclUajvW3QuPOBN74uPs8=;"))    \
	X(O_CCFG, E_INVAL, plugtls_config_add_crl_file(o->ccfg, NULL))         \
	X(O_CCFG, E_INVAL, plugtls_config_add_crl_file(o->ccfg, ""))           \
	X(O_CCFG, E_INVAL, plugtls_config_add_crl_mem(o->ccfg, NULL, 10))      \
	X(O_CCFG, E_INVAL, plugtls_config_add_crl_mem(o->ccfg, o->pem, 0))     \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_set_crl_mode(o->ccfg, (plugtls_crl_mode)3))           \
	X(O_CCFG, E_INVAL, plugtls_config_add_psk(o->ccfg, NULL, 2, PSK))      \
	X(O_CCFG, E_INVAL, plugtls_config_add_psk(o->ccfg, "id", 0, PSK))      \
	X(O_CCFG, E_INVAL, plugtls_config_add_psk(o->ccfg, "id", 2, NULL, 32)) \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_add_psk(o->ccfg, "id", 2, o->psk, 0))                 \
	X(O_CCFG, E_INVAL,                                                     \
	  plugtls_config_set_log_callback(o->ccfg, NULL, NULL,                 \
					  (plugtls_log_level)4))               \
	/* contexts */                                                         \
	X(O_NONE, E_INVAL, plugtls_ctx_new(o->p, NULL, &o->ctx_out))           \
	X(O_CCFG, E_INVAL, plugtls_ctx_new(NULL, o->ccfg, &o->ctx_out))        \
	X(O_CCFG, E_INVAL, plugtls_ctx_new(o->p, o->ccfg, NULL))               \
	X(O_NONE, OK, VOIDCALL(plugtls_ctx_free(NULL)))                        \
	X(O_NONE, OK, ISNULL(plugtls_ctx_error(NULL)))                         \
	X(O_NONE, OK, ISNULL(plugtls_ctx_provider(NULL)))                      \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_ctx_verify(NULL, o->chain, CH_HOST, PLUGTLS_PURPOSE_SERVER,  \
			     &o->reasons))                                     \
	X(O_CCTX, E_INVAL,                                                     \
	  plugtls_ctx_verify(o->cctx, NULL, CH_HOST, PLUGTLS_PURPOSE_SERVER,   \
			     &o->reasons))                                     \
	X(O_CCTX, E_INVAL,                                                     \
	  plugtls_ctx_verify(o->cctx, o->chain, CH_HOST,                       \
			     PLUGTLS_PURPOSE_SERVER, NULL))                    \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_ctx_verify(o->cctx, o->chain, "", PLUGTLS_PURPOSE_SERVER,    \
			     &o->reasons))                                     \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_ctx_verify(o->cctx, o->chain, CH_HOST, 0, &o->reasons))      \
	/* mempairs */                                                         \
	X(O_NONE, E_INVAL, plugtls_mempair_new(NULL))                          \
	X(O_NONE, OK, VOIDCALL(plugtls_mempair_free(NULL)))                    \
	X(O_NONE, OK, VOIDCALL(plugtls_mempair_shutdown(NULL, 0)))             \
	X(O_NONE, OK, VOIDCALL(plugtls_mempair_shutdown(o->mp, 2)))            \
	X(O_NONE, OK, VOIDCALL(plugtls_mempair_shutdown(o->mp, -1)))           \
	/* connections: NULL connection */                                     \
	X(O_NONE, E_INVAL, plugtls_conn_new(NULL, &o->conn_out))               \
	X(O_CCTX, E_INVAL, plugtls_conn_new(o->cctx, NULL))                    \
	X(O_NONE, OK, VOIDCALL(plugtls_conn_free(NULL)))                       \
	X(O_NONE, OK, ISNULL(plugtls_conn_error(NULL)))                        \
	X(O_NONE, E_INVAL, plugtls_conn_set_host(NULL, CH_HOST))               \
	X(O_NONE, E_INVAL, plugtls_conn_set_servername(NULL, CH_HOST))         \
	X(O_NONE, E_INVAL,                                                     \
	  plugtls_conn_set_transport(NULL, rd_nop, wr_nop, o))                 \
	X(O_NONE, E_INVAL, plugtls_conn_set_fd(NULL, 0))                       \
	X(O_NONE, E_INVAL, plugtls_conn_set_mempair(NULL, o->mp, 0))           \
	X(O_NONE, E_INVAL, plugtls_conn_set_session(NULL, o->buf, 10))         \
	X(O_NONE, E_INVAL, plugtls_conn_handshake(NULL))                       \
	X(O_NONE, E_INVAL, plugtls_conn_read(NULL, o->buf, 10, &o->n))         \
	X(O_NONE, E_INVAL, plugtls_conn_write(NULL, o->buf, 10, &o->n))        \
	X(O_NONE, E_INVAL, plugtls_conn_shutdown(NULL))                        \
	X(O_NONE, E_INVAL, plugtls_conn_session_export(NULL, NULL, 0, &o->n))  \
	X(O_NONE, OK, ISZERO(plugtls_conn_version(NULL)))                      \
	X(O_NONE, OK, ISNULL(plugtls_conn_cipher(NULL)))                       \
	X(O_NONE, OK, ISNULL(plugtls_conn_alpn(NULL)))                         \
	X(O_NONE, OK, ISZERO(plugtls_conn_resumed(NULL)))                      \
	X(O_NONE, OK, ISNULL(plugtls_conn_version_name(NULL)))                 \
	X(O_NONE, OK, ISNULL(plugtls_conn_servername(NULL)))                   \
	X(O_NONE, OK, ISNULL(plugtls_conn_psk_identity(NULL)))                 \
	X(O_NONE, OK, ISNULL(plugtls_conn_peer_chain(NULL)))                   \
	X(O_NONE, OK, ISZERO(plugtls_conn_verify_result(NULL)))                \
	X(O_NONE, OK, ISNULL(plugtls_conn_native_handle(NULL)))                \
	/* connections: NULL / empty arguments */                              \
	X(O_CONN, E_INVAL, plugtls_conn_set_host(o->conn, NULL))               \
	X(O_CONN, E_INVAL, plugtls_conn_set_host(o->conn, ""))                 \
	X(O_CONN, E_INVAL, plugtls_conn_set_servername(o->conn, NULL))         \
	X(O_CONN, E_INVAL, plugtls_conn_set_servername(o->conn, ""))           \
	X(O_CONN, E_INVAL,                                                     \
	  plugtls_conn_set_transport(o->conn, NULL, wr_nop, o))                \
	X(O_CONN, E_INVAL,                                                     \
	  plugtls_conn_set_transport(o->conn, rd_nop, NULL, o))                \
	X(O_CONN, E_INVAL, plugtls_conn_set_fd(o->conn, -1))                   \
	X(O_CONN, E_INVAL, plugtls_conn_set_mempair(o->conn, NULL, 0))         \
	X(O_CONN, E_INVAL, plugtls_conn_set_mempair(o->conn, o->mp, 2))        \
	X(O_CONN, E_INVAL, plugtls_conn_set_mempair(o->conn, o->mp, -1))       \
	X(O_CONN, E_INVAL, plugtls_conn_set_session(o->conn, NULL, 10))        \
	X(O_CONN, E_INVAL, plugtls_conn_set_session(o->conn, o->buf, 0))       \
	X(O_CONN, E_INVAL, plugtls_conn_read(o->conn, NULL, 10, &o->n))        \
	X(O_CONN, E_INVAL, plugtls_conn_read(o->conn, o->buf, 0, &o->n))       \
	X(O_CONN, E_INVAL, plugtls_conn_read(o->conn, o->buf, 10, NULL))       \
	X(O_CONN, E_INVAL, plugtls_conn_write(o->conn, NULL, 10, &o->n))       \
	X(O_CONN, E_INVAL, plugtls_conn_write(o->conn, o->buf, 0, &o->n))      \
	X(O_CONN, E_INVAL, plugtls_conn_write(o->conn, o->buf, 10, NULL))      \
	X(O_CONN, E_INVAL,                                                     \
	  plugtls_conn_session_export(o->conn, o->buf, 10, NULL))              \
	/* connections: state */                                               \
	X(O_CONN, PLUGTLS_E_STATE, plugtls_conn_handshake(o->conn))            \
	X(O_CONN, PLUGTLS_E_STATE, plugtls_conn_shutdown(o->conn))             \
	X(O_CONN, PLUGTLS_E_STATE,                                             \
	  plugtls_conn_session_export(o->conn, NULL, 0, &o->n))                \
	X(O_SCONN, PLUGTLS_E_STATE,                                            \
	  plugtls_conn_set_session(o->sconn, o->buf, 10))                      \
	/* connections: getters before the handshake */                        \
	X(O_NONE, OK, ISZERO(plugtls_conn_version(o->conn)))                   \
	X(O_NONE, OK, ISNULL(plugtls_conn_version_name(o->conn)))              \
	X(O_NONE, OK, ISNULL(plugtls_conn_cipher(o->conn)))                    \
	X(O_NONE, OK, ISNULL(plugtls_conn_alpn(o->conn)))                      \
	X(O_NONE, OK, ISZERO(plugtls_conn_resumed(o->conn)))                   \
	X(O_NONE, OK, ISNULL(plugtls_conn_psk_identity(o->conn)))              \
	X(O_NONE, OK, ISNULL(plugtls_conn_peer_chain(o->conn)))                \
	X(O_NONE, OK, ISZERO(plugtls_conn_verify_result(o->conn)))             \
	X(O_NONE, OK, ISNULL(plugtls_conn_servername(o->sconn)))

/* ALPN lists at and past the limits (1..255 bytes a name, 32 names). */
static const char *alpn_long_name(void)
{
	static char s[257];
	memset(s, 'a', 256);
	s[256] = 0;
	return s;
}

static const char *alpn_names(int n)
{
	static char s[33 * 4 + 1];
	size_t off = 0;
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, sizeof(s) - off, "%sp%02d",
					i ? "," : "", i);
	return s;
}

static const char *alpn_32_names(void)
{
	return alpn_names(32);
}

static const char *alpn_33_names(void)
{
	return alpn_names(33);
}

static size_t null_arg_count(void)
{
	size_t n = 0;
#define X(owner, expect, call) n++;
	NULL_ARG_CASES(X)
#undef X
	return n;
}

/* Runs case `want`; returns its code, and its text, owner and expected
 * code through the out-parameters. */
static plugtls_err null_arg_run(size_t want, struct objs *o, const char **text,
				enum owner *owner, plugtls_err *expect)
{
	size_t i = 0;
#define X(ow, ex, call)                                                        \
	if (i++ == want) {                                                     \
		*text = #call;                                                 \
		*owner = ow;                                                   \
		*expect = ex;                                                  \
		return call;                                                   \
	}
	NULL_ARG_CASES(X)
#undef X
	cr_assert_fail("no case %zu", want);
	return PLUGTLS_E_INTERNAL;
}

static const plugtls_error *owner_error(struct objs *o, enum owner ow)
{
	switch (ow) {
	case O_CCFG: return plugtls_config_error(o->ccfg);
	case O_SCFG: return plugtls_config_error(o->scfg);
	case O_CCTX: return plugtls_ctx_error(o->cctx);
	case O_CONN: return plugtls_conn_error(o->conn);
	case O_SCONN: return plugtls_conn_error(o->sconn);
	case O_NONE: break;
	}
	return NULL;
}

/* Criterion needs the count when it builds the parameters, in the runner
 * process: a plain function call. */
PT_PARAMS_CASES(errors, null_args, null_arg_count())
ParameterizedTest(struct pt_param *param, errors, null_args)
{
	static struct objs o;
	objs_make(&o, param->prov);
	const char *text = "";
	enum owner ow = O_NONE;
	plugtls_err expect = OK;
	plugtls_err rc = null_arg_run(param->idx, &o, &text, &ow, &expect);
	cr_assert_eq(rc, expect, "[%s] case %zu: %s -> %s (%d), want %s",
		     param->prov, param->idx, text, plugtls_err_string(rc), rc,
		     plugtls_err_string(expect));
	if (expect != OK) {
		const plugtls_error *te = plugtls_thread_error();
		cr_assert_eq(te->code, expect,
			     "[%s] %s: thread error %s, want %s", param->prov,
			     text, plugtls_err_string(te->code),
			     plugtls_err_string(expect));
		cr_assert(te->message[0], "[%s] %s: empty message", param->prov,
			  text);
		const plugtls_error *oe = owner_error(&o, ow);
		if (oe)
			cr_assert_eq(oe->code, expect,
				     "[%s] %s: not recorded on its object "
				     "(object holds %s)",
				     param->prov, text,
				     plugtls_err_string(oe->code));
	}
	/* Out-parameters are written only on success. */
	if (rc != OK) {
		cr_assert_null(o.pout);
		cr_assert_null(o.cfg_out);
		cr_assert_null(o.ctx_out);
		cr_assert_null(o.conn_out);
		cr_assert_null(o.chain_out);
		cr_assert_null(o.key_out);
		cr_assert_null(o.mp_out);
		cr_assert_null(o.bytes_out);
	}
	objs_free(&o);
}

/* plugtls_set_allocator takes no object; it refuses after any other call
 * (this test process has made some) and refuses NULL functions. */
PT_PARAMS_PROVIDERS(errors, set_allocator)
ParameterizedTest(struct pt_param *param, errors, set_allocator)
{
	(void)pt_provider(param->prov);
	cr_assert_eq(plugtls_set_allocator(malloc, realloc, free),
		     PLUGTLS_E_STATE);
	/* Both reasons hold; the order of the checks is not part of the
	 * contract. */
	plugtls_err rc = plugtls_set_allocator(NULL, realloc, free);
	cr_assert(rc == PLUGTLS_E_STATE || rc == E_INVAL, "got %s",
		  plugtls_err_string(rc));
	rc = plugtls_set_allocator(malloc, NULL, NULL);
	cr_assert(rc == PLUGTLS_E_STATE || rc == E_INVAL, "got %s",
		  plugtls_err_string(rc));
}

/* ------------------------------------------------------------------------ */
/* Malformed, truncated, oversized input to config setters                  */
/* ------------------------------------------------------------------------ */

enum setter { S_CA, S_CERT, S_KEY, S_P12 };
static const char *const setter_names[] = {"add_ca_mem", "set_cert_mem",
					   "set_key_mem", "set_pkcs12_mem"};

enum input {
	IN_GARBAGE,	  /* text that is neither PEM nor DER */
	IN_PEM_HALF,	  /* the first half of the PEM file */
	IN_PEM_BAD_B64,	  /* a PEM block whose body is not base64 */
	IN_PEM_EMPTY,	  /* BEGIN/END with nothing between */
	IN_PEM_SHORT_DER, /* whole base64 lines, last ones dropped */
	IN_DER_HALF,	  /* the first half of the DER */
	IN_DER_SHAPED,	  /* a well-formed SEQUENCE holding nothing useful */
	IN_WRONG_BLOCK,	  /* a key where a certificate belongs, or back */
	IN_OVERSIZE,	  /* 16 MiB + 1 bytes */
	IN_GOOD,	  /* control: the right input */
	IN_P12_NOKEY,	  /* PKCS#12 with certificates only */
};

static const struct bad_row {
	enum setter setter;
	enum input input;
	const char *password; /* key / PKCS#12 password */
	const char *file;     /* the good input, a fixture */
	plugtls_err rc;
	uint64_t caps;
} bad_rows[] = {
	{S_CA, IN_GARBAGE, NULL, "ca.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CA, IN_PEM_HALF, NULL, "ca.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CA, IN_PEM_BAD_B64, NULL, "ca.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CA, IN_PEM_EMPTY, NULL, "ca.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CA, IN_PEM_SHORT_DER, NULL, "ca.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CA, IN_DER_HALF, NULL, "ca.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CA, IN_DER_SHAPED, NULL, "ca.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CA, IN_WRONG_BLOCK, NULL, "ca.key", PLUGTLS_E_MALFORMED, 0},
	{S_CA, IN_OVERSIZE, NULL, "ca.pem", PLUGTLS_E_TOO_LARGE, 0},
	{S_CA, IN_GOOD, NULL, "ca.pem", PLUGTLS_OK, 0},
	{S_CERT, IN_GARBAGE, NULL, "server-ec-chain.pem", PLUGTLS_E_MALFORMED,
	 0},
	{S_CERT, IN_PEM_HALF, NULL, "server-ec-chain.pem", PLUGTLS_E_MALFORMED,
	 0},
	{S_CERT, IN_PEM_BAD_B64, NULL, "server-ec-chain.pem",
	 PLUGTLS_E_MALFORMED, 0},
	{S_CERT, IN_PEM_SHORT_DER, NULL, "server-ec.pem", PLUGTLS_E_MALFORMED,
	 0},
	{S_CERT, IN_DER_HALF, NULL, "server-ec.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CERT, IN_DER_SHAPED, NULL, "server-ec.pem", PLUGTLS_E_MALFORMED, 0},
	{S_CERT, IN_WRONG_BLOCK, NULL, "server-ec.key", PLUGTLS_E_MALFORMED, 0},
	{S_CERT, IN_OVERSIZE, NULL, "server-ec.pem", PLUGTLS_E_TOO_LARGE, 0},
	{S_CERT, IN_GOOD, NULL, "server-ec-chain.pem", PLUGTLS_OK, 0},
	{S_KEY, IN_GARBAGE, NULL, "server-ec.key", PLUGTLS_E_MALFORMED, 0},
	{S_KEY, IN_PEM_HALF, NULL, "server-ec.key", PLUGTLS_E_MALFORMED, 0},
	{S_KEY, IN_PEM_BAD_B64, NULL, "server-ec.key", PLUGTLS_E_MALFORMED, 0},
	{S_KEY, IN_DER_HALF, NULL, "server-ec.key", PLUGTLS_E_MALFORMED, 0},
	{S_KEY, IN_DER_SHAPED, NULL, "server-ec.key", PLUGTLS_E_MALFORMED, 0},
	{S_KEY, IN_WRONG_BLOCK, NULL, "server-ec.pem", PLUGTLS_E_MALFORMED, 0},
	{S_KEY, IN_OVERSIZE, NULL, "server-ec.key", PLUGTLS_E_TOO_LARGE, 0},
	{S_KEY, IN_GOOD, NULL, "server-ec.key", PLUGTLS_OK, 0},
	/* Encrypted PKCS#8: no password, a wrong one, the right one. */
	{S_KEY, IN_GOOD, NULL, "server-ec-enc.key", PLUGTLS_E_BAD_PASSWORD,
	 PLUGTLS_CAP_ENCRYPTED_KEYS},
	{S_KEY, IN_GOOD, "not-the-password", "server-ec-enc.key",
	 PLUGTLS_E_BAD_PASSWORD, PLUGTLS_CAP_ENCRYPTED_KEYS},
	{S_KEY, IN_GOOD, "@key-password.txt", "server-ec-enc.key", PLUGTLS_OK,
	 PLUGTLS_CAP_ENCRYPTED_KEYS},
	/* PKCS#12 */
	{S_P12, IN_GOOD, "not-the-password", "server-ec.p12",
	 PLUGTLS_E_BAD_PASSWORD, PLUGTLS_CAP_PKCS12_IMPORT},
	{S_P12, IN_GOOD, "", "server-ec.p12", PLUGTLS_E_BAD_PASSWORD,
	 PLUGTLS_CAP_PKCS12_IMPORT},
	{S_P12, IN_GOOD, NULL, "server-ec.p12", PLUGTLS_E_BAD_PASSWORD,
	 PLUGTLS_CAP_PKCS12_IMPORT},
	{S_P12, IN_GOOD, "@p12-password.txt", "server-ec.p12", PLUGTLS_OK,
	 PLUGTLS_CAP_PKCS12_IMPORT},
	{S_P12, IN_GARBAGE, "@p12-password.txt", "server-ec.p12",
	 PLUGTLS_E_MALFORMED, PLUGTLS_CAP_PKCS12_IMPORT},
	{S_P12, IN_DER_HALF, "@p12-password.txt", "server-ec.p12",
	 PLUGTLS_E_MALFORMED, PLUGTLS_CAP_PKCS12_IMPORT},
	{S_P12, IN_DER_SHAPED, "@p12-password.txt", "server-ec.p12",
	 PLUGTLS_E_MALFORMED, PLUGTLS_CAP_PKCS12_IMPORT},
	{S_P12, IN_OVERSIZE, "@p12-password.txt", "server-ec.p12",
	 PLUGTLS_E_TOO_LARGE, PLUGTLS_CAP_PKCS12_IMPORT},
	{S_P12, IN_P12_NOKEY, "@p12-password.txt", "nokey.p12",
	 PLUGTLS_E_NO_KEY, PLUGTLS_CAP_PKCS12_IMPORT},
};
#define N_BAD_ROWS (sizeof(bad_rows) / sizeof(bad_rows[0]))

static unsigned char *make_input(enum input in, const char *file, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", PT_FIXTURE_DIR, file);
	size_t flen;
	unsigned char *f = pt_read_fixture(path, &flen);
	unsigned char *out = NULL;
	switch (in) {
	case IN_GARBAGE: {
		static const char g[] = "this is neither PEM nor DER\n";
		out = malloc(sizeof(g));
		memcpy(out, g, sizeof(g));
		*len = sizeof(g) - 1;
		break;
	}
	case IN_PEM_HALF:
	case IN_DER_HALF:
		if (in == IN_DER_HALF && f[0] == '-') {
			size_t dl;
			unsigned char *der = pt_pem_der((const char *)f, &dl);
			free(f);
			f = der;
			flen = dl;
		}
		out = malloc(flen / 2);
		memcpy(out, f, flen / 2);
		*len = flen / 2;
		break;
	case IN_PEM_BAD_B64: {
		const char *lbl = strstr((char *)f, "-----BEGIN ");
		const char *eol = strchr(lbl, '\n');
		const char *end = strstr(eol, "-----END ");
		const char *eend = strchr(end, '\n');
		size_t hl = (size_t)(eol + 1 - (char *)f);
		size_t fl = (size_t)(eend + 1 - end);
		static const char body[] = "!!!!not*base64%%%%~~~~\n";
		out = malloc(hl + sizeof(body) + fl);
		memcpy(out, f, hl);
		memcpy(out + hl, body, sizeof(body) - 1);
		memcpy(out + hl + sizeof(body) - 1, end, fl);
		*len = hl + sizeof(body) - 1 + fl;
		break;
	}
	case IN_PEM_EMPTY: {
		static const char e[] = "-----BEGIN CERTIFICATE-----\n"
					"-----END CERTIFICATE-----\n";
		out = malloc(sizeof(e));
		memcpy(out, e, sizeof(e));
		*len = sizeof(e) - 1;
		break;
	}
	case IN_PEM_SHORT_DER: {
		/* Drop whole 64-character lines (48 bytes each) before the
		 * END line: the base64 stays valid, the DER is cut. */
		const char *end = strstr((char *)f, "-----END ");
		const char *eend = strchr(end, '\n');
		const char *cut = end;
		for (int k = 0; k < 3; k++) {
			cut--; /* the '\n' before */
			while (cut > (char *)f && cut[-1] != '\n')
				cut--;
		}
		size_t hl = (size_t)(cut - (char *)f);
		size_t fl = (size_t)(eend + 1 - end);
		out = malloc(hl + fl);
		memcpy(out, f, hl);
		memcpy(out + hl, end, fl);
		*len = hl + fl;
		break;
	}
	case IN_DER_SHAPED: {
		/* SEQUENCE { INTEGER 0 } */
		static const unsigned char d[] = {0x30, 0x03, 0x02, 0x01, 0x00};
		out = malloc(sizeof(d));
		memcpy(out, d, sizeof(d));
		*len = sizeof(d);
		break;
	}
	case IN_OVERSIZE: {
		/* The good input, padded past 16 MiB with PEM comment text
		 * (text outside blocks is allowed in PEM). */
		size_t big = 16u * 1024u * 1024u + 1u;
		out = malloc(big);
		memset(out, '#', big);
		memcpy(out, f, flen);
		out[flen] = '\n';
		*len = big;
		break;
	}
	case IN_WRONG_BLOCK:
	case IN_GOOD:
	case IN_P12_NOKEY:
		out = f;
		f = NULL;
		*len = flen;
		break;
	}
	cr_assert_not_null(out);
	free(f);
	return out;
}

static char *row_password(const char *pw, char *buf, size_t cap)
{
	if (!pw || pw[0] != '@')
		return (char *)pw;
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", PT_FIXTURE_DIR, pw + 1);
	size_t len;
	unsigned char *f = pt_read_fixture(path, &len);
	cr_assert(len < cap);
	memcpy(buf, f, len);
	buf[len] = 0;
	free(f);
	return buf;
}

PT_PARAMS_CASES(errors, bad_input, N_BAD_ROWS)
ParameterizedTest(struct pt_param *param, errors, bad_input)
{
	const struct bad_row *r = &bad_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, r->caps);
	char pwbuf[128];
	const char *pw = row_password(r->password, pwbuf, sizeof(pwbuf));
	size_t len;
	unsigned char *data = make_input(r->input, r->file, &len);
	plugtls_config *cfg = NULL;
	plugtls_err rc;
	const char *setter = setter_names[r->setter];

	switch (r->setter) {
	case S_CA:
		cfg = ch_client_cfg(NULL);
		rc = plugtls_config_add_ca_mem(cfg, data, len);
		break;
	case S_CERT:
		cfg = ch_server_cfg(NULL, CH_SERVER_KEY("ec"));
		rc = plugtls_config_set_cert_mem(cfg, data, len);
		break;
	case S_KEY:
		cfg = ch_server_cfg(CH_SERVER_CHAIN("ec"), NULL);
		rc = plugtls_config_set_key_mem(cfg, data, len, pw);
		break;
	case S_P12:
	default:
		cfg = ch_server_cfg(NULL, NULL);
		rc = plugtls_config_set_pkcs12_mem(cfg, data, len, pw);
		break;
	}
	/* Checked now or at ctx_new: one code either way. */
	int at_ctx = rc == OK;
	plugtls_ctx *ctx = NULL;
	if (rc == OK)
		rc = plugtls_ctx_new(p, cfg, &ctx);
	const plugtls_error *e = plugtls_config_error(cfg);
	cr_assert_eq(rc, r->rc,
		     "[%s] row %zu: %s(%s) -> %s at %s (%s), want %s",
		     param->prov, param->idx, setter, r->file,
		     plugtls_err_string(rc), at_ctx ? "ctx_new" : "the setter",
		     e->message, plugtls_err_string(r->rc));
	if (rc != OK) {
		cr_assert_null(ctx);
		cr_assert_eq(e->code, rc, "[%s] row %zu: config holds %s",
			     param->prov, param->idx,
			     plugtls_err_string(e->code));
		cr_assert_not_null(
			strstr(e->message, setter),
			"[%s] row %zu: message does not name %s: '%s'",
			param->prov, param->idx, setter, e->message);
	}
	plugtls_ctx_free(ctx);
	plugtls_config_free(cfg);
	free(data);
}

/* Files: a path that does not exist is PLUGTLS_E_NOT_FOUND and the
 * message names the setting. */
PT_PARAMS_PROVIDERS(errors, missing_files)
ParameterizedTest(struct pt_param *param, errors, missing_files)
{
	(void)pt_provider(param->prov);
	static const char nope[] = PT_FIXTURE_DIR "/does-not-exist.pem";
	plugtls_config *cfg = NULL;
	struct {
		const char *name;
		plugtls_err rc;
	} r[6];
	int k = 0;
#define TRY(setter, call)                                                      \
	do {                                                                   \
		cr_assert_eq(plugtls_config_new(PLUGTLS_SERVER, &cfg), OK);    \
		r[k].name = setter;                                            \
		r[k].rc = call;                                                \
		cr_assert_eq(r[k].rc, PLUGTLS_E_NOT_FOUND, "%s: %s", setter,   \
			     plugtls_err_string(r[k].rc));                     \
		cr_assert_not_null(                                            \
			strstr(plugtls_config_error(cfg)->message, setter),    \
			"%s: '%s'", setter,                                    \
			plugtls_config_error(cfg)->message);                   \
		plugtls_config_free(cfg);                                      \
		k++;                                                           \
	} while (0)
	TRY("add_ca_file", plugtls_config_add_ca_file(cfg, nope));
	TRY("add_ca_dir", plugtls_config_add_ca_dir(cfg, nope));
	TRY("set_cert_file", plugtls_config_set_cert_file(cfg, nope));
	TRY("set_key_file", plugtls_config_set_key_file(cfg, nope, NULL));
	TRY("set_pkcs12_file", plugtls_config_set_pkcs12_file(cfg, nope, "x"));
	TRY("add_crl_file", plugtls_config_add_crl_file(cfg, nope));
#undef TRY
}

/* ------------------------------------------------------------------------ */
/* PSK length rules                                                         */
/* ------------------------------------------------------------------------ */

static const struct psk_len_row {
	size_t id_len, key_len;
	plugtls_err rc;
} psk_len_rows[] = {
	{14, 15, E_INVAL}, {14, 16, OK},       {14, 32, OK},
	{14, 64, OK},	   {14, 65, E_INVAL},  {1, 32, OK},
	{128, 32, OK},	   {129, 32, E_INVAL}, {0, 32, E_INVAL},
};

PT_PARAMS_CASES(errors, psk_lengths,
		sizeof(psk_len_rows) / sizeof(psk_len_rows[0]))
ParameterizedTest(struct pt_param *param, errors, psk_lengths)
{
	const struct psk_len_row *r = &psk_len_rows[param->idx];
	(void)pt_provider(param->prov);
	unsigned char id[200], key[100];
	memset(id, 'i', sizeof(id));
	memset(key, 0x42, sizeof(key));
	for (int role = PLUGTLS_CLIENT; role <= PLUGTLS_SERVER; role++) {
		plugtls_config *cfg = NULL;
		cr_assert_eq(plugtls_config_new((plugtls_role)role, &cfg), OK);
		plugtls_err rc = plugtls_config_add_psk(cfg, id, r->id_len, key,
							r->key_len);
		cr_assert_eq(rc, r->rc, "identity %zu, key %zu bytes: %s",
			     r->id_len, r->key_len, plugtls_err_string(rc));
		cr_assert_eq(plugtls_config_error(cfg)->code, r->rc);
		plugtls_config_free(cfg);
	}
}

/* ------------------------------------------------------------------------ */
/* The peer hangs up in the middle of the handshake                         */
/* ------------------------------------------------------------------------ */

enum cut_kind {
	CUT_SERVER_AFTER_FLIGHT, /* mempair: server end closed after its
				    first flight */
	CUT_SERVER_SILENT,	 /* mempair: server end closed before it
				    answers */
	CUT_SERVER_BYTES,	 /* pipe: server's flight cut after 100
				    bytes */
	CUT_CLIENT_AFTER_HELLO,	 /* mempair: client end closed after the
				    ClientHello; the server is checked */
};

static const struct cut_row {
	enum cut_kind kind;
	unsigned version;
} cut_rows[] = {
	{CUT_SERVER_AFTER_FLIGHT, PLUGTLS_TLS1_2},
	{CUT_SERVER_SILENT, PLUGTLS_TLS1_3},
	{CUT_SERVER_SILENT, PLUGTLS_TLS1_2},
	{CUT_SERVER_BYTES, PLUGTLS_TLS1_3},
	{CUT_SERVER_BYTES, PLUGTLS_TLS1_2},
	{CUT_CLIENT_AFTER_HELLO, PLUGTLS_TLS1_3},
	{CUT_CLIENT_AFTER_HELLO, PLUGTLS_TLS1_2},
};
#define N_CUT_ROWS (sizeof(cut_rows) / sizeof(cut_rows[0]))

/* Drive one side alone until it stops pending (bounded). */
static plugtls_err drive_alone(plugtls_conn *c)
{
	plugtls_err rc = PLUGTLS_WANT_READ;
	for (int i = 0; i < 100 && ch_pending(rc); i++)
		rc = plugtls_conn_handshake(c);
	return rc;
}

PT_PARAMS_CASES(errors, closed_mid_handshake, N_CUT_ROWS)
ParameterizedTest(struct pt_param *param, errors, closed_mid_handshake)
{
	const struct cut_row *r = &cut_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA | (r->version == PLUGTLS_TLS1_3
							? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, r->version, r->version);
	plugtls_ctx *cctx = ch_ctx(p, ch_client_cfg(CH_CA));
	plugtls_ctx *sctx = ch_ctx(p, sc);
	plugtls_conn *checked, *other;
	plugtls_err rc, crc, src;
	struct pt_pair pp;
	static struct ch_pipe pipe;

	if (r->kind == CUT_SERVER_BYTES) {
		memset(&pp, 0, sizeof(pp));
		pp.cctx = cctx;
		pp.sctx = sctx;
		ch_pipe_init(&pipe);
		pipe.dir[1].limit = 100;
		cr_assert_eq(plugtls_conn_new(cctx, &pp.client), OK);
		cr_assert_eq(plugtls_conn_new(sctx, &pp.server), OK);
		ch_pipe_attach(&pipe, pp.client, 0);
		ch_pipe_attach(&pipe, pp.server, 1);
		cr_assert_eq(plugtls_conn_set_host(pp.client, CH_HOST), OK);
		crc = pt_handshake_pair(pp.client, pp.server, &src);
		cr_assert(pipe.written[1] > 100,
			  "the server's flight was only %zu bytes",
			  pipe.written[1]);
		checked = pp.client;
		other = pp.server;
		rc = crc;
	} else {
		pt_pair_make(&pp, cctx, sctx, CH_HOST);
		crc = plugtls_conn_handshake(pp.client);
		cr_assert_eq(crc, PLUGTLS_WANT_READ, "client: %s",
			     plugtls_err_string(crc));
		switch (r->kind) {
		case CUT_SERVER_AFTER_FLIGHT:
			src = plugtls_conn_handshake(pp.server);
			cr_assert_eq(src, PLUGTLS_WANT_READ, "server: %s",
				     plugtls_err_string(src));
			plugtls_mempair_shutdown(pp.mp, 1);
			checked = pp.client;
			other = pp.server;
			break;
		case CUT_SERVER_SILENT:
			plugtls_mempair_shutdown(pp.mp, 1);
			checked = pp.client;
			other = pp.server;
			break;
		case CUT_CLIENT_AFTER_HELLO:
		default:
			plugtls_mempair_shutdown(pp.mp, 0);
			checked = pp.server;
			other = pp.client;
			break;
		}
		rc = drive_alone(checked);
	}
	cr_assert_eq(
		rc, PLUGTLS_E_TRUNCATED,
		"[%s] row %zu (%s): %s handshake at end of stream: %s (%s)",
		param->prov, param->idx, ch_vname(r->version),
		checked == pp.client ? "client" : "server",
		plugtls_err_string(rc), plugtls_conn_error(checked)->message);
	cr_assert_eq(plugtls_conn_error(checked)->code, PLUGTLS_E_TRUNCATED);
	/* A failed connection stays failed. */
	cr_assert_eq(plugtls_conn_handshake(checked), PLUGTLS_E_TRUNCATED);
	size_t n = 0;
	unsigned char b[8];
	cr_assert_eq(plugtls_conn_read(checked, b, sizeof(b), &n),
		     PLUGTLS_E_TRUNCATED);
	(void)other;
	pt_pair_free(&pp);
	if (r->kind == CUT_SERVER_BYTES)
		ch_pipe_fini(&pipe);
}

/* After the handshake: end of stream without close_notify is TRUNCATED,
 * with close_notify CLOSED. */
PT_PARAMS_CASES(errors, truncated_after_handshake, 2)
ParameterizedTest(struct pt_param *param, errors, truncated_after_handshake)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, v, v);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)), ch_ctx(p, sc),
		     CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, OK);
	cr_assert_eq(src, OK);
	ch_write_all(pp.server, "last words", 10);
	plugtls_mempair_shutdown(pp.mp, 1);
	unsigned char b[32];
	size_t n = 0;
	plugtls_err rc = ch_read_once(pp.client, b, sizeof(b), &n);
	cr_assert_eq(rc, OK, "buffered data first: %s", plugtls_err_string(rc));
	cr_assert_eq(n, 10);
	rc = ch_read_once(pp.client, b, sizeof(b), &n);
	cr_assert_eq(rc, PLUGTLS_E_TRUNCATED,
		     "%s: read at end of stream without close_notify: %s (%s)",
		     ch_vname(v), plugtls_err_string(rc),
		     plugtls_conn_error(pp.client)->message);
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* The peer sends something that is not TLS                                 */
/* ------------------------------------------------------------------------ */

struct garbage {
	const unsigned char *data;
	size_t len, off, written;
};

static plugtls_err garbage_read(void *user, void *buf, size_t len, size_t *n)
{
	struct garbage *g = user;
	if (g->off == g->len)
		return PLUGTLS_E_CLOSED;
	if (len > g->len - g->off)
		len = g->len - g->off;
	memcpy(buf, g->data + g->off, len);
	g->off += len;
	*n = len;
	return PLUGTLS_OK;
}

static plugtls_err garbage_write(void *user, const void *buf, size_t len,
				 size_t *n)
{
	struct garbage *g = user;
	g->written += len;
	*n = len;
	return PLUGTLS_OK;
}

static const char http[] = "GET / HTTP/1.1\r\n\r\n";
/* A handshake record (type 22, TLS 1.2, 8 bytes) holding one complete
 * handshake message of an unassigned type (0xee, 4-byte body): nothing is
 * missing, so a library has no reason to wait for more (RFC 8446 6.2:
 * unexpected_message). */
static const unsigned char bad_record[] = {0x16, 0x03, 0x03, 0x00, 0x08,
					   0xee, 0x00, 0x00, 0x04, 0x41,
					   0x41, 0x41, 0x41};

static const struct garbage_row {
	plugtls_role role;
	const unsigned char *data;
	size_t len;
} garbage_rows[] = {
	{PLUGTLS_CLIENT, (const unsigned char *)http, sizeof(http) - 1},
	{PLUGTLS_SERVER, (const unsigned char *)http, sizeof(http) - 1},
	{PLUGTLS_CLIENT, bad_record, sizeof(bad_record)},
	{PLUGTLS_SERVER, bad_record, sizeof(bad_record)},
};

PT_PARAMS_CASES(errors, garbage_peer, 4)
ParameterizedTest(struct pt_param *param, errors, garbage_peer)
{
	const struct garbage_row *r = &garbage_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA);
	plugtls_ctx *ctx =
		r->role == PLUGTLS_CLIENT
			? ch_ctx(p, ch_client_cfg(CH_CA))
			: ch_ctx(p, ch_server_cfg(CH_SERVER_CHAIN("ec"),
						  CH_SERVER_KEY("ec")));
	plugtls_conn *c = NULL;
	cr_assert_eq(plugtls_conn_new(ctx, &c), OK);
	static struct garbage g;
	memset(&g, 0, sizeof(g));
	g.data = r->data;
	g.len = r->len;
	cr_assert_eq(
		plugtls_conn_set_transport(c, garbage_read, garbage_write, &g),
		OK);
	if (r->role == PLUGTLS_CLIENT)
		cr_assert_eq(plugtls_conn_set_host(c, CH_HOST), OK);
	plugtls_err rc = drive_alone(c);
	cr_assert_eq(rc, PLUGTLS_E_HANDSHAKE,
		     "[%s] row %zu: %s fed %s: %s (%s)", param->prov,
		     param->idx,
		     r->role == PLUGTLS_CLIENT ? "client" : "server",
		     r->data == bad_record ? "a bad record" : "HTTP",
		     plugtls_err_string(rc), plugtls_conn_error(c)->message);
	cr_assert_eq(plugtls_conn_error(c)->code, PLUGTLS_E_HANDSHAKE);
	cr_assert_eq(plugtls_ctx_error(ctx)->code, OK,
		     "a connection's failure was recorded on its context");
	plugtls_conn_free(c);
	plugtls_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Non-blocking progress over the mempair                                   */
/* ------------------------------------------------------------------------ */

PT_PARAMS_CASES(errors, nonblocking_wants, 2)
ParameterizedTest(struct pt_param *param, errors, nonblocking_wants)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, v, v);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)), ch_ctx(p, sc),
		     CH_HOST);
	unsigned wants[2][2] = {{0, 0}, {0, 0}}; /* [side][read/write] */
	plugtls_err rc[2] = {PLUGTLS_WANT_WRITE, PLUGTLS_WANT_READ};
	plugtls_conn *side[2] = {pp.client, pp.server};
	int steps = 0;
	/* The server goes first: with nothing to read it must say so. */
	for (; steps < 1000 && (ch_pending(rc[0]) || ch_pending(rc[1]));
	     steps++) {
		for (int s = 1; s >= 0; s--) {
			if (!ch_pending(rc[s]))
				continue;
			rc[s] = plugtls_conn_handshake(side[s]);
			cr_assert(rc[s] == OK || ch_pending(rc[s]),
				  "%s: %s (%s)", s ? "server" : "client",
				  plugtls_err_string(rc[s]),
				  plugtls_conn_error(side[s])->message);
			if (rc[s] == PLUGTLS_WANT_READ)
				wants[s][0]++;
			if (rc[s] == PLUGTLS_WANT_WRITE)
				wants[s][1]++;
		}
	}
	cr_assert_eq(rc[0], OK);
	cr_assert_eq(rc[1], OK);
	cr_assert(wants[0][0] >= 1, "client: no WANT_READ in %d steps", steps);
	cr_assert(wants[1][0] >= 1, "server: no WANT_READ in %d steps", steps);
	/* A handshake needs a few round trips, not hundreds of calls. */
	cr_assert(steps <= 10, "%d steps for one handshake", steps);
	/* Reading with nothing sent is an outcome, not an error. */
	unsigned char b[16];
	size_t n = 0;
	cr_assert_eq(plugtls_conn_read(pp.server, b, sizeof(b), &n),
		     PLUGTLS_WANT_READ);
	cr_assert_eq(plugtls_conn_error(pp.server)->code, OK,
		     "WANT_READ was recorded as an error");
	pt_pair_free(&pp);
}

/* read before the handshake on a server, write before it on a client: both
 * run the handshake implicitly. */
PT_PARAMS_PROVIDERS(errors, implicit_handshake)
ParameterizedTest(struct pt_param *param, errors, implicit_handshake)
{
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)),
		     ch_ctx(p, ch_server_cfg(CH_SERVER_CHAIN("ec"),
					     CH_SERVER_KEY("ec"))),
		     CH_HOST);
	unsigned char b[16];
	size_t n = 0, sent = 0;
	plugtls_err wrc = PLUGTLS_WANT_WRITE, rrc = PLUGTLS_WANT_READ;
	for (int i = 0; i < 200 && (sent < 5 || rrc != OK); i++) {
		if (sent < 5) {
			size_t k = 0;
			wrc = plugtls_conn_write(pp.client, "hello", 5, &k);
			cr_assert(wrc == OK || ch_pending(wrc),
				  "write: %s (%s)", plugtls_err_string(wrc),
				  plugtls_conn_error(pp.client)->message);
			if (wrc == OK)
				sent += k;
		}
		rrc = plugtls_conn_read(pp.server, b, sizeof(b), &n);
		cr_assert(rrc == OK || ch_pending(rrc), "read: %s (%s)",
			  plugtls_err_string(rrc),
			  plugtls_conn_error(pp.server)->message);
	}
	cr_assert_eq(rrc, OK);
	cr_assert_eq(n, 5);
	cr_assert_eq(memcmp(b, "hello", 5), 0);
	cr_assert_not_null(plugtls_conn_cipher(pp.server));
	cr_assert_not_null(plugtls_conn_cipher(pp.client));
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* State errors                                                             */
/* ------------------------------------------------------------------------ */

PT_PARAMS_PROVIDERS(errors, transport_twice)
ParameterizedTest(struct pt_param *param, errors, transport_twice)
{
	const plugtls_provider *p = pt_provider(param->prov);
	plugtls_ctx *ctx = ch_ctx(p, ch_client_cfg(CH_CA));
	plugtls_mempair *mp = NULL;
	cr_assert_eq(plugtls_mempair_new(&mp), OK);
	plugtls_conn *c = NULL;
	cr_assert_eq(plugtls_conn_new(ctx, &c), OK);
	cr_assert_eq(plugtls_conn_set_transport(c, rd_nop, wr_nop, NULL), OK);
	cr_assert_eq(plugtls_conn_set_transport(c, rd_nop, wr_nop, NULL),
		     PLUGTLS_E_STATE);
	cr_assert_eq(plugtls_conn_error(c)->code, PLUGTLS_E_STATE);
	cr_assert_eq(plugtls_conn_set_fd(c, 0), PLUGTLS_E_STATE);
	cr_assert_eq(plugtls_conn_set_mempair(c, mp, 0), PLUGTLS_E_STATE);
	plugtls_conn_free(c);

	/* A mempair, then anything else. */
	c = NULL;
	cr_assert_eq(plugtls_conn_new(ctx, &c), OK);
	cr_assert_eq(plugtls_conn_set_mempair(c, mp, 0), OK);
	cr_assert_eq(plugtls_conn_set_transport(c, rd_nop, wr_nop, NULL),
		     PLUGTLS_E_STATE);
	cr_assert_eq(plugtls_conn_set_fd(c, 0), PLUGTLS_E_STATE);
	plugtls_conn_free(c);
	plugtls_mempair_free(mp);
	plugtls_ctx_free(ctx);
}

/* After the handshake, the before-the-handshake settings are refused. */
PT_PARAMS_PROVIDERS(errors, after_handshake_state)
ParameterizedTest(struct pt_param *param, errors, after_handshake_state)
{
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)),
		     ch_ctx(p, ch_server_cfg(CH_SERVER_CHAIN("ec"),
					     CH_SERVER_KEY("ec"))),
		     CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, OK);
	cr_assert_eq(src, OK);
	unsigned char s[8] = {1};
	cr_assert_eq(plugtls_conn_set_host(pp.client, "other.test"),
		     PLUGTLS_E_STATE);
	cr_assert_eq(plugtls_conn_set_servername(pp.client, "other.test"),
		     PLUGTLS_E_STATE);
	cr_assert_eq(plugtls_conn_set_session(pp.client, s, sizeof(s)),
		     PLUGTLS_E_STATE);
	cr_assert_eq(
		plugtls_conn_set_transport(pp.client, rd_nop, wr_nop, NULL),
		PLUGTLS_E_STATE);
	/* The connection still works: state errors are not fatal. */
	pt_exchange(pp.client, pp.server, 100);
	/* Writing after our own close_notify is a state error. */
	ch_shutdown(pp.client);
	size_t n = 0;
	cr_assert_eq(plugtls_conn_write(pp.client, "x", 1, &n),
		     PLUGTLS_E_STATE);
	pt_pair_free(&pp);
}

/* set_session and session_export are for clients. */
PT_PARAMS_PROVIDERS(errors, session_on_server)
ParameterizedTest(struct pt_param *param, errors, session_on_server)
{
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)),
		     ch_ctx(p, ch_server_cfg(CH_SERVER_CHAIN("ec"),
					     CH_SERVER_KEY("ec"))),
		     CH_HOST);
	unsigned char s[64];
	memset(s, 7, sizeof(s));
	plugtls_err rc = plugtls_conn_set_session(pp.server, s, sizeof(s));
	cr_assert_eq(rc, PLUGTLS_E_STATE, "set_session on a server: %s",
		     plugtls_err_string(rc));
	cr_assert_eq(plugtls_conn_error(pp.server)->code, PLUGTLS_E_STATE);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, OK);
	cr_assert_eq(src, OK);
	size_t need = 0;
	rc = plugtls_conn_session_export(pp.server, NULL, 0, &need);
	cr_assert_eq(rc, PLUGTLS_E_STATE, "session_export on a server: %s",
		     plugtls_err_string(rc));
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* Providers, error strings, where errors are recorded                      */
/* ------------------------------------------------------------------------ */

PT_PARAMS_PROVIDERS(errors, provider_not_found)
ParameterizedTest(struct pt_param *param, errors, provider_not_found)
{
	(void)pt_provider(param->prov);
	const plugtls_provider *p = (const plugtls_provider *)&p;
	plugtls_err rc = plugtls_provider_get("nope", &p);
	cr_assert_eq(rc, PLUGTLS_E_NOT_FOUND, "%s", plugtls_err_string(rc));
	cr_assert(p == (const plugtls_provider *)&p,
		  "out-parameter written on failure");
	const plugtls_error *te = plugtls_thread_error();
	cr_assert_eq(te->code, PLUGTLS_E_NOT_FOUND);
	cr_assert_not_null(strstr(te->message, "nope"), "message: '%s'",
			   te->message);
	/* Names are case-sensitive. */
	char upper[16];
	snprintf(upper, sizeof(upper), "%s", param->prov);
	for (char *c = upper; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	cr_assert_eq(plugtls_provider_get(upper, &p), PLUGTLS_E_NOT_FOUND);
}

PT_PARAMS_PROVIDERS(errors, err_strings)
ParameterizedTest(struct pt_param *param, errors, err_strings)
{
	(void)pt_provider(param->prov);
	static const plugtls_err codes[] = {
		PLUGTLS_OK,
		PLUGTLS_WANT_READ,
		PLUGTLS_WANT_WRITE,
		PLUGTLS_E_CLOSED,
		PLUGTLS_E_INVALID_ARGUMENT,
		PLUGTLS_E_NOMEM,
		PLUGTLS_E_HANDSHAKE,
		PLUGTLS_E_VERIFY,
		PLUGTLS_E_PROTOCOL,
		PLUGTLS_E_IO,
		PLUGTLS_E_UNSUPPORTED,
		PLUGTLS_E_VERSION_REFUSED,
		PLUGTLS_E_BAD_PASSWORD,
		PLUGTLS_E_MALFORMED,
		PLUGTLS_E_INTERNAL,
		PLUGTLS_E_NOT_FOUND,
		PLUGTLS_E_STATE,
		PLUGTLS_E_TRUNCATED,
		PLUGTLS_E_TIMEOUT,
		PLUGTLS_E_NO_KEY,
		PLUGTLS_E_TOO_LARGE,
	};
	size_t nc = sizeof(codes) / sizeof(codes[0]);
	const char *unknown = plugtls_err_string((plugtls_err)12345);
	cr_assert_not_null(unknown);
	for (size_t i = 0; i < nc; i++) {
		const char *s = plugtls_err_string(codes[i]);
		cr_assert_not_null(s, "code %d", codes[i]);
		cr_assert(s[0], "code %d: empty string", codes[i]);
		cr_assert_str_neq(s, unknown, "code %d has the unknown name",
				  codes[i]);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(s, plugtls_err_string(codes[j]),
					  "codes %d and %d share '%s'",
					  codes[i], codes[j], s);
	}
	cr_assert_not_null(plugtls_err_string((plugtls_err)-1));
	cr_assert_not_null(plugtls_err_string((plugtls_err)4));
}

/* ctx_new failures are recorded on the config and name the setting; the
 * first error wins; connection failures stay on the connection. */
PT_PARAMS_PROVIDERS(errors, recorded_on_object)
ParameterizedTest(struct pt_param *param, errors, recorded_on_object)
{
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA | PLUGTLS_CAP_ENCRYPTED_KEYS);
	size_t len;
	unsigned char *enc =
		pt_read_fixture(FIXTURE("server-ec-enc.key"), &len);
	plugtls_config *cfg = ch_server_cfg(CH_SERVER_CHAIN("ec"), NULL);
	plugtls_err rc =
		plugtls_config_set_key_mem(cfg, enc, len, "Wr0ng-Pa55");
	plugtls_ctx *ctx = NULL;
	if (rc == OK)
		rc = plugtls_ctx_new(p, cfg, &ctx);
	cr_assert_eq(rc, PLUGTLS_E_BAD_PASSWORD, "%s", plugtls_err_string(rc));
	const plugtls_error *e = plugtls_config_error(cfg);
	cr_assert_eq(e->code, PLUGTLS_E_BAD_PASSWORD);
	cr_assert_not_null(strstr(e->message, "set_key_mem"), "'%s'",
			   e->message);
	cr_assert_null(strstr(e->message, "Wr0ng-Pa55"),
		       "the password is in the message: '%s'", e->message);
	cr_assert_eq(plugtls_thread_error()->code, PLUGTLS_E_BAD_PASSWORD);
	/* First error wins on the object; the thread has the latest. */
	cr_assert_eq(plugtls_config_set_profile(cfg, "nope"), E_INVAL);
	cr_assert_eq(plugtls_config_error(cfg)->code, PLUGTLS_E_BAD_PASSWORD);
	cr_assert_eq(plugtls_thread_error()->code, E_INVAL);
	plugtls_config_free(cfg);
	free(enc);

	/* A failed handshake is recorded on its connection, not its
	 * context. */
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)),
		     ch_ctx(p, ch_server_cfg(CH_SERVER_CHAIN("ec"),
					     CH_SERVER_KEY("ec"))),
		     "wrong.test");
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_E_VERIFY);
	cr_assert_eq(plugtls_conn_error(pp.client)->code, PLUGTLS_E_VERIFY);
	cr_assert(plugtls_conn_error(pp.client)->message[0]);
	cr_assert_eq(plugtls_ctx_error(pp.cctx)->code, OK);
	cr_assert_eq(plugtls_ctx_error(pp.sctx)->code, OK);
	pt_pair_free(&pp);
}
