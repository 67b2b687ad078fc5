/*
 * Handshakes over the in-memory pair: protocol versions, cipher profiles,
 * server key types, ALPN, SNI, mutual TLS, resumption, PSK, verification
 * failures and pins, the peer chain, key logging, and context building
 * from an inconsistent config. Every test runs on every compiled-in
 * provider and expects one answer; skips go through pt_require_caps only.
 *
 * Decisions this file fixes (the header leaves them open; one answer for
 * every provider):
 *  - A peer that refuses our handshake (alert received) gives
 *    PLUGTLS_E_HANDSHAKE. In TLS 1.3 the client's handshake completes
 *    before the server has judged the client's certificate (RFC 8446 4.4.4:
 *    the client sends its Finished last), so a server-side refusal of a
 *    client certificate reaches a TLS 1.3 client on its first read: that
 *    read must return PLUGTLS_E_HANDSHAKE as well (the alert is about the
 *    handshake, not a protocol violation after it).
 *  - ALPN: the server's preference order wins (RFC 7301 3.2).
 *  - A client whose verification fails sends a fatal alert: the server's
 *    handshake then returns PLUGTLS_E_HANDSHAKE (not WANT_READ).
 *  - Verdicts are compared for equality, not "has the bit": the same
 *    input gives the same set of reasons on every provider.
 *  - "modern" does not fix an order among its suites: the negotiated
 *    suite must be one of the profile's (a set), while every single-AEAD
 *    profile names exactly one suite.
 */
#include "conn_helpers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA_LEN (100u * 1024u)

/* name is one of the '|'-separated names of list. */
static int in_list(const char *name, const char *list)
{
	size_t nl = strlen(name);
	const char *s = list;
	while (*s) {
		const char *e = strchr(s, '|');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == nl && memcmp(s, name, l) == 0)
			return 1;
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Versions x server key types x profiles: data both ways, clean close.     */
/* ------------------------------------------------------------------------ */

#define T13_ALL                                                                \
	"TLS_AES_128_GCM_SHA256|TLS_AES_256_GCM_SHA384|"                       \
	"TLS_CHACHA20_POLY1305_SHA256"
#define T12_ECDSA_ALL                                                          \
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256|"                             \
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384|"                             \
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
#define T12_RSA_ALL                                                            \
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256|"                               \
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384|"                               \
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"

#define C_EC PLUGTLS_CAP_ECDSA
#define C_RSA PLUGTLS_CAP_RSA
#define C_ED PLUGTLS_CAP_ED25519
#define C_12 PLUGTLS_CAP_TLS12
#define C_13 PLUGTLS_CAP_TLS13
#define C_GCM PLUGTLS_CAP_AES_GCM
#define C_CHA PLUGTLS_CAP_CHACHA20

static const struct suite_row {
	const char *chain, *key;
	unsigned version;
	const char *profile;
	const char *ciphers; /* accepted IANA names, '|'-separated */
	uint64_t caps;
} suite_rows[] = {
	/* ECDSA P-256 server */
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), PLUGTLS_TLS1_3, "modern",
	 T13_ALL, C_EC | C_13},
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), PLUGTLS_TLS1_3,
	 "aes128-gcm", "TLS_AES_128_GCM_SHA256", C_EC | C_13 | C_GCM},
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), PLUGTLS_TLS1_3,
	 "aes256-gcm", "TLS_AES_256_GCM_SHA384", C_EC | C_13 | C_GCM},
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), PLUGTLS_TLS1_3, "chacha20",
	 "TLS_CHACHA20_POLY1305_SHA256", C_EC | C_13 | C_CHA},
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), PLUGTLS_TLS1_2, "modern",
	 T12_ECDSA_ALL, C_EC | C_12},
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), PLUGTLS_TLS1_2,
	 "aes128-gcm", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	 C_EC | C_12 | C_GCM},
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), PLUGTLS_TLS1_2,
	 "aes256-gcm", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	 C_EC | C_12 | C_GCM},
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"), PLUGTLS_TLS1_2, "chacha20",
	 "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", C_EC | C_12 | C_CHA},
	/* RSA-2048 server */
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), PLUGTLS_TLS1_3, "modern",
	 T13_ALL, C_RSA | C_13},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), PLUGTLS_TLS1_3,
	 "aes128-gcm", "TLS_AES_128_GCM_SHA256", C_RSA | C_13 | C_GCM},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), PLUGTLS_TLS1_3,
	 "aes256-gcm", "TLS_AES_256_GCM_SHA384", C_RSA | C_13 | C_GCM},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), PLUGTLS_TLS1_3,
	 "chacha20", "TLS_CHACHA20_POLY1305_SHA256", C_RSA | C_13 | C_CHA},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), PLUGTLS_TLS1_2, "modern",
	 T12_RSA_ALL, C_RSA | C_12},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), PLUGTLS_TLS1_2,
	 "aes128-gcm", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	 C_RSA | C_12 | C_GCM},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), PLUGTLS_TLS1_2,
	 "aes256-gcm", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	 C_RSA | C_12 | C_GCM},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa"), PLUGTLS_TLS1_2,
	 "chacha20", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	 C_RSA | C_12 | C_CHA},
	/* Ed25519 server (RFC 8422: EdDSA signs ECDHE_ECDSA suites in 1.2) */
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"), PLUGTLS_TLS1_3,
	 "modern", T13_ALL, C_ED | C_13},
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"), PLUGTLS_TLS1_3,
	 "aes128-gcm", "TLS_AES_128_GCM_SHA256", C_ED | C_13 | C_GCM},
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"), PLUGTLS_TLS1_3,
	 "aes256-gcm", "TLS_AES_256_GCM_SHA384", C_ED | C_13 | C_GCM},
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"), PLUGTLS_TLS1_3,
	 "chacha20", "TLS_CHACHA20_POLY1305_SHA256", C_ED | C_13 | C_CHA},
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"), PLUGTLS_TLS1_2,
	 "modern", T12_ECDSA_ALL, C_ED | C_12},
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"), PLUGTLS_TLS1_2,
	 "aes128-gcm", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	 C_ED | C_12 | C_GCM},
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"), PLUGTLS_TLS1_2,
	 "aes256-gcm", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	 C_ED | C_12 | C_GCM},
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519"), PLUGTLS_TLS1_2,
	 "chacha20", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	 C_ED | C_12 | C_CHA},
};
#define N_SUITE_ROWS (sizeof(suite_rows) / sizeof(suite_rows[0]))

PT_PARAMS_CASES(handshake, suites, N_SUITE_ROWS)
ParameterizedTest(struct pt_param *param, handshake, suites)
{
	const struct suite_row *r = &suite_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, r->caps);

	/* The client keeps the default range (1.2..1.3); the server is pinned
	 * to the row's version, so negotiation must land on it. */
	plugtls_config *cc = ch_client_cfg(CH_CA);
	cr_assert_eq(plugtls_config_set_profile(cc, r->profile), PLUGTLS_OK);
	plugtls_config *sc = ch_server_cfg(r->chain, r->key);
	cr_assert_eq(plugtls_config_set_profile(sc, r->profile), PLUGTLS_OK);
	ch_protocols(sc, r->version, r->version);

	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, cc), ch_ctx(p, sc), CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_OK, "[%s] row %zu %s %s: client: %s (%s)",
		     param->prov, param->idx, r->key, r->profile,
		     plugtls_err_string(crc),
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(src, PLUGTLS_OK, "[%s] row %zu %s %s: server: %s (%s)",
		     param->prov, param->idx, r->key, r->profile,
		     plugtls_err_string(src),
		     plugtls_conn_error(pp.server)->message);

	plugtls_conn *sides[2] = {pp.client, pp.server};
	for (int i = 0; i < 2; i++) {
		plugtls_conn *c = sides[i];
		const char *who = i ? "server" : "client";
		cr_assert_eq(plugtls_conn_version(c), r->version,
			     "%s: version %#x, want %#x", who,
			     plugtls_conn_version(c), r->version);
		cr_assert_str_eq(plugtls_conn_version_name(c),
				 ch_vname(r->version), "%s", who);
		const char *cipher = plugtls_conn_cipher(c);
		cr_assert_not_null(cipher, "%s: no cipher", who);
		cr_assert(in_list(cipher, r->ciphers),
			  "%s %s/%s/%s: cipher %s not in %s", who, r->key,
			  ch_vname(r->version), r->profile, cipher, r->ciphers);
		cr_assert_eq(plugtls_conn_resumed(c), 0, "%s", who);
		cr_assert_null(plugtls_conn_alpn(c), "%s", who);
		cr_assert_null(plugtls_conn_psk_identity(c), "%s", who);
		cr_assert_eq(plugtls_conn_verify_result(c), 0, "%s", who);
	}
	cr_assert_str_eq(plugtls_conn_cipher(pp.client),
			 plugtls_conn_cipher(pp.server));
	cr_assert_not_null(plugtls_conn_peer_chain(pp.client));
	cr_assert_null(plugtls_conn_peer_chain(pp.server),
		       "server has a peer chain without mutual TLS");

	pt_exchange(pp.client, pp.server, DATA_LEN);
	pt_exchange(pp.server, pp.client, DATA_LEN);
	ch_close_clean(pp.client, pp.server);
	ch_close_clean(pp.server, pp.client);
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* ALPN                                                                     */
/* ------------------------------------------------------------------------ */

static const struct alpn_row {
	const char *client, *server; /* NULL: not set */
	unsigned version;
	plugtls_err crc, src;
	const char *agreed; /* NULL: none */
} alpn_rows[] = {
	{"h2,http/1.1", "http/1.1", PLUGTLS_TLS1_3, PLUGTLS_OK, PLUGTLS_OK,
	 "http/1.1"},
	{"h2,http/1.1", "http/1.1", PLUGTLS_TLS1_2, PLUGTLS_OK, PLUGTLS_OK,
	 "http/1.1"},
	/* RFC 7301 3.2: the server picks by its own preference. */
	{"http/1.1,h2", "h2,http/1.1", PLUGTLS_TLS1_3, PLUGTLS_OK, PLUGTLS_OK,
	 "h2"},
	/* No common protocol: no_application_protocol alert. */
	{"h2", "http/1.1", PLUGTLS_TLS1_3, PLUGTLS_E_HANDSHAKE,
	 PLUGTLS_E_HANDSHAKE, NULL},
	{"h2", "http/1.1", PLUGTLS_TLS1_2, PLUGTLS_E_HANDSHAKE,
	 PLUGTLS_E_HANDSHAKE, NULL},
	/* A client without ALPN is accepted; a server without it ignores. */
	{NULL, "http/1.1", PLUGTLS_TLS1_3, PLUGTLS_OK, PLUGTLS_OK, NULL},
	{"h2", NULL, PLUGTLS_TLS1_3, PLUGTLS_OK, PLUGTLS_OK, NULL},
};
#define N_ALPN_ROWS (sizeof(alpn_rows) / sizeof(alpn_rows[0]))

PT_PARAMS_CASES(handshake, alpn, N_ALPN_ROWS)
ParameterizedTest(struct pt_param *param, handshake, alpn)
{
	const struct alpn_row *r = &alpn_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ALPN | PLUGTLS_CAP_ECDSA |
				   (r->version == PLUGTLS_TLS1_3
					    ? PLUGTLS_CAP_TLS13
					    : PLUGTLS_CAP_TLS12));

	plugtls_config *cc = ch_client_cfg(CH_CA);
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, r->version, r->version);
	if (r->client)
		cr_assert_eq(plugtls_config_set_alpn(cc, r->client),
			     PLUGTLS_OK);
	if (r->server)
		cr_assert_eq(plugtls_config_set_alpn(sc, r->server),
			     PLUGTLS_OK);

	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, cc), ch_ctx(p, sc), CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, r->crc, "[%s] row %zu: client %s, want %s (%s)",
		     param->prov, param->idx, plugtls_err_string(crc),
		     plugtls_err_string(r->crc),
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(src, r->src, "[%s] row %zu: server %s, want %s (%s)",
		     param->prov, param->idx, plugtls_err_string(src),
		     plugtls_err_string(r->src),
		     plugtls_conn_error(pp.server)->message);
	if (crc == PLUGTLS_OK) {
		const char *a = plugtls_conn_alpn(pp.client);
		const char *b = plugtls_conn_alpn(pp.server);
		if (r->agreed) {
			cr_assert_not_null(a, "[%s] row %zu: client: no ALPN",
					   param->prov, param->idx);
			cr_assert_not_null(b, "[%s] row %zu: server: no ALPN",
					   param->prov, param->idx);
			cr_assert_str_eq(
				a, r->agreed,
				"[%s] row %zu: client ALPN %s, want %s",
				param->prov, param->idx, a, r->agreed);
			cr_assert_str_eq(
				b, r->agreed,
				"[%s] row %zu: server ALPN %s, want %s",
				param->prov, param->idx, b, r->agreed);
		} else {
			cr_assert_null(a, "[%s] row %zu: client ALPN %s",
				       param->prov, param->idx, a);
			cr_assert_null(b, "[%s] row %zu: server ALPN %s",
				       param->prov, param->idx, b);
		}
		pt_exchange(pp.client, pp.server, 1024);
	} else {
		/* The failed connection is recorded on the connection, with
		 * the code it returned. */
		cr_assert_eq(plugtls_conn_error(pp.client)->code, crc);
		cr_assert_eq(plugtls_conn_error(pp.server)->code, src);
		cr_assert_null(plugtls_conn_alpn(pp.client));
	}
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* SNI                                                                      */
/* ------------------------------------------------------------------------ */

static const struct sni_row {
	const char *host;
	const char *sni;    /* set_servername, or NULL */
	const char *server; /* what the server sees; NULL: no SNI sent */
} sni_rows[] = {
	{"server.test", NULL, "server.test"},
	{"localhost", NULL, "localhost"},
	/* SNI override; verification still uses the host. */
	{"localhost", "server.test", "server.test"},
	/* RFC 6066 3: literal IP addresses are not sent as SNI. */
	{"127.0.0.1", NULL, NULL},
	{"::1", NULL, NULL},
};
#define N_SNI_ROWS (sizeof(sni_rows) / sizeof(sni_rows[0]))

PT_PARAMS_CASES(handshake, sni, N_SNI_ROWS)
ParameterizedTest(struct pt_param *param, handshake, sni)
{
	const struct sni_row *r = &sni_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_SNI | PLUGTLS_CAP_ECDSA);

	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)),
		     ch_ctx(p, ch_server_cfg(CH_SERVER_CHAIN("ec"),
					     CH_SERVER_KEY("ec"))),
		     r->host);
	if (r->sni)
		cr_assert_eq(plugtls_conn_set_servername(pp.client, r->sni),
			     PLUGTLS_OK);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_OK, "[%s] row %zu: client %s (%s)",
		     param->prov, param->idx, plugtls_err_string(crc),
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(src, PLUGTLS_OK, "[%s] row %zu: server %s (%s)",
		     param->prov, param->idx, plugtls_err_string(src),
		     plugtls_conn_error(pp.server)->message);
	const char *seen = plugtls_conn_servername(pp.server);
	if (r->server) {
		cr_assert_not_null(seen, "[%s] row %zu: server saw no SNI",
				   param->prov, param->idx);
		cr_assert_str_eq(seen, r->server, "[%s] row %zu", param->prov,
				 param->idx);
	} else {
		cr_assert_null(seen,
			       "[%s] row %zu: server saw SNI %s for an IP",
			       param->prov, param->idx, seen);
	}
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* Mutual TLS                                                               */
/* ------------------------------------------------------------------------ */

static const struct mtls_row {
	const char *chain, *key; /* client's; NULL: sends none */
	plugtls_client_cert mode;
	unsigned version;
	plugtls_err src;  /* server's handshake */
	uint32_t reasons; /* server's verify result */
} mtls_rows[] = {
	{FIXTURE("client-chain.pem"), FIXTURE("client.key"),
	 PLUGTLS_CLIENT_CERT_REQUIRE, PLUGTLS_TLS1_3, PLUGTLS_OK, 0},
	{FIXTURE("client-chain.pem"), FIXTURE("client.key"),
	 PLUGTLS_CLIENT_CERT_REQUIRE, PLUGTLS_TLS1_2, PLUGTLS_OK, 0},
	{FIXTURE("client-chain.pem"), FIXTURE("client.key"),
	 PLUGTLS_CLIENT_CERT_REQUEST, PLUGTLS_TLS1_3, PLUGTLS_OK, 0},
	{FIXTURE("other-client-chain.pem"), FIXTURE("other-client.key"),
	 PLUGTLS_CLIENT_CERT_REQUIRE, PLUGTLS_TLS1_3, PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_UNKNOWN_ISSUER},
	{FIXTURE("other-client-chain.pem"), FIXTURE("other-client.key"),
	 PLUGTLS_CLIENT_CERT_REQUIRE, PLUGTLS_TLS1_2, PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_UNKNOWN_ISSUER},
	/* REQUEST: verified when sent. */
	{FIXTURE("other-client-chain.pem"), FIXTURE("other-client.key"),
	 PLUGTLS_CLIENT_CERT_REQUEST, PLUGTLS_TLS1_3, PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_UNKNOWN_ISSUER},
	{NULL, NULL, PLUGTLS_CLIENT_CERT_REQUIRE, PLUGTLS_TLS1_3,
	 PLUGTLS_E_VERIFY, PLUGTLS_VERIFY_NO_CERTIFICATE},
	{NULL, NULL, PLUGTLS_CLIENT_CERT_REQUIRE, PLUGTLS_TLS1_2,
	 PLUGTLS_E_VERIFY, PLUGTLS_VERIFY_NO_CERTIFICATE},
	{NULL, NULL, PLUGTLS_CLIENT_CERT_REQUEST, PLUGTLS_TLS1_3, PLUGTLS_OK,
	 0},
	{NULL, NULL, PLUGTLS_CLIENT_CERT_REQUEST, PLUGTLS_TLS1_2, PLUGTLS_OK,
	 0},
};
#define N_MTLS_ROWS (sizeof(mtls_rows) / sizeof(mtls_rows[0]))

PT_PARAMS_CASES(handshake, mtls, N_MTLS_ROWS)
ParameterizedTest(struct pt_param *param, handshake, mtls)
{
	const struct mtls_row *r = &mtls_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_MTLS | PLUGTLS_CAP_ECDSA |
				   (r->version == PLUGTLS_TLS1_3
					    ? PLUGTLS_CAP_TLS13
					    : PLUGTLS_CAP_TLS12));
	char rs[256];

	plugtls_config *cc = ch_client_cfg(CH_CA);
	if (r->chain) {
		cr_assert_eq(plugtls_config_set_cert_file(cc, r->chain),
			     PLUGTLS_OK);
		cr_assert_eq(plugtls_config_set_key_file(cc, r->key, NULL),
			     PLUGTLS_OK);
	}
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	cr_assert_eq(plugtls_config_add_ca_file(sc, CH_CA), PLUGTLS_OK);
	cr_assert_eq(plugtls_config_set_client_cert(sc, r->mode), PLUGTLS_OK);
	ch_protocols(sc, r->version, r->version);

	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, cc), ch_ctx(p, sc), CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	uint32_t got = plugtls_conn_verify_result(pp.server);
	cr_assert_eq(src, r->src, "[%s] row %zu: server %s, want %s (%s)",
		     param->prov, param->idx, plugtls_err_string(src),
		     plugtls_err_string(r->src),
		     plugtls_conn_error(pp.server)->message);
	cr_assert_eq(got, r->reasons,
		     "[%s] row %zu: server verdict %s, want %#x", param->prov,
		     param->idx, pt_reasons_str(got, rs, sizeof(rs)),
		     r->reasons);

	if (r->src == PLUGTLS_OK) {
		cr_assert_eq(crc, PLUGTLS_OK, "[%s] row %zu: client %s (%s)",
			     param->prov, param->idx, plugtls_err_string(crc),
			     plugtls_conn_error(pp.client)->message);
		const plugtls_chain *peer = plugtls_conn_peer_chain(pp.server);
		if (r->chain) {
			plugtls_chain *want = NULL;
			cr_assert_eq(
				plugtls_chain_load_file(p, r->chain, &want),
				PLUGTLS_OK);
			cr_assert_not_null(peer, "server: no peer chain");
			cr_assert_eq(plugtls_chain_count(peer),
				     plugtls_chain_count(want));
			const char *subj = plugtls_cert_subject(
				plugtls_chain_get(peer, 0));
			cr_assert_not_null(subj);
			cr_assert_str_eq(subj,
					 plugtls_cert_subject(
						 plugtls_chain_get(want, 0)));
			cr_assert(strncmp(subj, "CN=client.test", 14) == 0,
				  "peer leaf subject %s", subj);
			plugtls_chain_free(want);
		} else {
			cr_assert_null(peer, "server: peer chain without a "
					     "client certificate");
		}
		pt_exchange(pp.client, pp.server, 4096);
		pt_exchange(pp.server, pp.client, 4096);
	} else if (crc == PLUGTLS_OK) {
		/* Only TLS 1.3 lets the client finish first (see the top). */
		cr_assert_eq(
			r->version, PLUGTLS_TLS1_3,
			"[%s] row %zu: TLS 1.2 client completed a handshake "
			"its server refused",
			param->prov, param->idx);
		unsigned char buf[64];
		size_t n = 0;
		plugtls_err rc = ch_read_once(pp.client, buf, sizeof(buf), &n);
		cr_assert_eq(rc, PLUGTLS_E_HANDSHAKE,
			     "[%s] row %zu: client read after refusal: %s (%s)",
			     param->prov, param->idx, plugtls_err_string(rc),
			     plugtls_conn_error(pp.client)->message);
	} else {
		cr_assert_eq(crc, PLUGTLS_E_HANDSHAKE,
			     "[%s] row %zu: client %s (%s)", param->prov,
			     param->idx, plugtls_err_string(crc),
			     plugtls_conn_error(pp.client)->message);
	}
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* Resumption                                                               */
/* ------------------------------------------------------------------------ */

static const unsigned resume_versions[] = {PLUGTLS_TLS1_3, PLUGTLS_TLS1_2};

PT_PARAMS_CASES(handshake, resume, 2)
ParameterizedTest(struct pt_param *param, handshake, resume)
{
	unsigned v = resume_versions[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_SESSION_EXPORT | PLUGTLS_CAP_TICKETS |
				   PLUGTLS_CAP_ECDSA |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, v, v);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)), ch_ctx(p, sc),
		     CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_OK, "client: %s",
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(src, PLUGTLS_OK, "server: %s",
		     plugtls_conn_error(pp.server)->message);
	cr_assert_eq(plugtls_conn_resumed(pp.client), 0);
	cr_assert_eq(plugtls_conn_resumed(pp.server), 0);

	size_t needed = 0;
	plugtls_err rc;
	if (v == PLUGTLS_TLS1_3) {
		/* The ticket comes after the handshake: the client has read
		 * nothing yet, so there is nothing resumable. */
		rc = plugtls_conn_session_export(pp.client, NULL, 0, &needed);
		cr_assert_eq(rc, PLUGTLS_E_NOT_FOUND,
			     "TLS 1.3 export before the ticket: %s",
			     plugtls_err_string(rc));
	}
	/* Server data makes the client read, which processes the ticket. */
	ch_write_all(pp.server, "ping", 4);
	unsigned char buf[16];
	size_t n = 0;
	rc = ch_read_once(pp.client, buf, sizeof(buf), &n);
	cr_assert_eq(rc, PLUGTLS_OK, "client read: %s (%s)",
		     plugtls_err_string(rc),
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(n, 4);
	cr_assert_eq(memcmp(buf, "ping", 4), 0);

	rc = plugtls_conn_session_export(pp.client, NULL, 0, &needed);
	cr_assert_eq(rc, PLUGTLS_OK, "export size: %s (%s)",
		     plugtls_err_string(rc),
		     plugtls_conn_error(pp.client)->message);
	cr_assert(needed > 0);
	unsigned char *sess = malloc(needed);
	cr_assert_not_null(sess);
	size_t small = 0;
	rc = plugtls_conn_session_export(pp.client, sess, needed - 1, &small);
	cr_assert_eq(rc, PLUGTLS_E_TOO_LARGE, "short buffer: %s",
		     plugtls_err_string(rc));
	cr_assert_eq(small, needed, "short buffer: needed %zu, want %zu", small,
		     needed);
	size_t got = 0;
	rc = plugtls_conn_session_export(pp.client, sess, needed, &got);
	cr_assert_eq(rc, PLUGTLS_OK);
	cr_assert_eq(got, needed);

	ch_close_clean(pp.client, pp.server);
	ch_close_clean(pp.server, pp.client);
	ch_pair_free_conns(&pp);

	/* Second connection from the same contexts. */
	cr_assert_eq(plugtls_mempair_new(&pp.mp), PLUGTLS_OK);
	cr_assert_eq(plugtls_conn_new(pp.cctx, &pp.client), PLUGTLS_OK);
	cr_assert_eq(plugtls_conn_new(pp.sctx, &pp.server), PLUGTLS_OK);
	cr_assert_eq(plugtls_conn_set_mempair(pp.client, pp.mp, 0), PLUGTLS_OK);
	cr_assert_eq(plugtls_conn_set_mempair(pp.server, pp.mp, 1), PLUGTLS_OK);
	cr_assert_eq(plugtls_conn_set_host(pp.client, CH_HOST), PLUGTLS_OK);
	/* Only the bytes this process exported reach the provider: a flipped
	 * bit anywhere, a cut, or another envelope is refused by the core. */
	for (size_t i = 0; i < got; i += got / 7 + 1) {
		sess[i] ^= 0x01;
		rc = plugtls_conn_set_session(pp.client, sess, got);
		sess[i] ^= 0x01;
		cr_assert_eq(rc, PLUGTLS_E_MALFORMED, "flipped byte %zu: %s", i,
			     plugtls_err_string(rc));
	}
	cr_assert_eq(plugtls_conn_set_session(pp.client, sess, got - 1),
		     PLUGTLS_E_MALFORMED);
	cr_assert_eq(plugtls_conn_set_session(pp.client, sess + 1, got - 1),
		     PLUGTLS_E_MALFORMED);
	rc = plugtls_conn_set_session(pp.client, sess, got);
	cr_assert_eq(rc, PLUGTLS_OK, "set_session: %s (%s)",
		     plugtls_err_string(rc),
		     plugtls_conn_error(pp.client)->message);
	crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_OK, "resumed client: %s",
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(src, PLUGTLS_OK, "resumed server: %s",
		     plugtls_conn_error(pp.server)->message);
	cr_assert_eq(plugtls_conn_version(pp.client), v);
	cr_assert_eq(plugtls_conn_resumed(pp.client), 1,
		     "%s: client did not resume", ch_vname(v));
	cr_assert_eq(plugtls_conn_resumed(pp.server), 1,
		     "%s: server did not resume", ch_vname(v));
	/* Setting a session after the handshake is a state error. */
	cr_assert_eq(plugtls_conn_set_session(pp.client, sess, got),
		     PLUGTLS_E_STATE);
	pt_exchange(pp.client, pp.server, 4096);
	pt_exchange(pp.server, pp.client, 4096);
	ch_close_clean(pp.client, pp.server);
	free(sess);
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* External PSK                                                             */
/* ------------------------------------------------------------------------ */

enum psk_kind { PSK_SAME, PSK_OTHER_KEY, PSK_OTHER_ID };

static const struct psk_row {
	unsigned version;
	enum psk_kind kind;
	plugtls_err rc; /* both sides */
} psk_rows[] = {
	{PLUGTLS_TLS1_3, PSK_SAME, PLUGTLS_OK},
	{PLUGTLS_TLS1_2, PSK_SAME, PLUGTLS_OK},
	{PLUGTLS_TLS1_3, PSK_OTHER_KEY, PLUGTLS_E_HANDSHAKE},
	{PLUGTLS_TLS1_2, PSK_OTHER_KEY, PLUGTLS_E_HANDSHAKE},
	{PLUGTLS_TLS1_3, PSK_OTHER_ID, PLUGTLS_E_HANDSHAKE},
	{PLUGTLS_TLS1_2, PSK_OTHER_ID, PLUGTLS_E_HANDSHAKE},
};
#define N_PSK_ROWS (sizeof(psk_rows) / sizeof(psk_rows[0]))

PT_PARAMS_CASES(handshake, psk, N_PSK_ROWS)
ParameterizedTest(struct pt_param *param, handshake, psk)
{
	const struct psk_row *r = &psk_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, r->version == PLUGTLS_TLS1_3
				   ? PLUGTLS_CAP_PSK_TLS13 | PLUGTLS_CAP_TLS13
				   : PLUGTLS_CAP_PSK_TLS12 | PLUGTLS_CAP_TLS12);
	size_t klen, idlen;
	unsigned char *key = pt_read_fixture(FIXTURE("psk.bin"), &klen);
	unsigned char *id =
		pt_read_fixture(FIXTURE("psk-identity.txt"), &idlen);
	cr_assert_eq(klen, 32);

	/* Pure PSK on both sides: the server has no certificate, so a PSK
	 * that does not match cannot fall back to a certificate handshake. */
	plugtls_config *cc = ch_client_cfg(CH_CA);
	ch_protocols(cc, r->version, r->version);
	ch_add_psk(cc, id, idlen, key, klen);
	plugtls_config *sc = ch_server_cfg(NULL, NULL);
	ch_protocols(sc, r->version, r->version);
	unsigned char other[32];
	memcpy(other, key, sizeof(other));
	if (r->kind == PSK_OTHER_KEY)
		other[7] ^= 0x5a;
	if (r->kind == PSK_OTHER_ID)
		ch_add_psk(sc, "someone-else", 12, other, sizeof(other));
	else
		ch_add_psk(sc, id, idlen, other, sizeof(other));

	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, cc), ch_ctx(p, sc), CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, r->rc,
		     "[%s] row %zu: client %s, want %s (%s); server %s (%s)",
		     param->prov, param->idx, plugtls_err_string(crc),
		     plugtls_err_string(r->rc),
		     plugtls_conn_error(pp.client)->message,
		     plugtls_err_string(src),
		     plugtls_conn_error(pp.server)->message);
	cr_assert_eq(src, r->rc,
		     "[%s] row %zu: server %s, want %s (%s); client %s (%s)",
		     param->prov, param->idx, plugtls_err_string(src),
		     plugtls_err_string(r->rc),
		     plugtls_conn_error(pp.server)->message,
		     plugtls_err_string(crc),
		     plugtls_conn_error(pp.client)->message);
	if (r->rc == PLUGTLS_OK) {
		char want_id[129];
		memcpy(want_id, id, idlen);
		want_id[idlen] = 0;
		for (int i = 0; i < 2; i++) {
			plugtls_conn *c = i ? pp.server : pp.client;
			const char *who = i ? "server" : "client";
			const char *got = plugtls_conn_psk_identity(c);
			cr_assert_not_null(got, "%s: no PSK identity", who);
			cr_assert_str_eq(got, want_id, "%s", who);
			cr_assert_eq(plugtls_conn_version(c), r->version, "%s",
				     who);
			cr_assert_null(plugtls_conn_peer_chain(c),
				       "%s: certificates in a PSK handshake",
				       who);
		}
		const char *cipher = plugtls_conn_cipher(pp.client);
		cr_assert_not_null(cipher);
		if (r->version == PLUGTLS_TLS1_2)
			cr_assert_not_null(strstr(cipher, "_PSK_"),
					   "TLS 1.2 PSK suite expected, got %s",
					   cipher);
		pt_exchange(pp.client, pp.server, DATA_LEN);
		pt_exchange(pp.server, pp.client, DATA_LEN);
		ch_close_clean(pp.client, pp.server);
	} else {
		cr_assert_null(plugtls_conn_psk_identity(pp.server));
		cr_assert_null(plugtls_conn_cipher(pp.client),
			       "failed handshake reports a cipher");
	}
	pt_pair_free(&pp);
	free(key);
	free(id);
}

PT_PARAMS_PROVIDERS(handshake, psk_too_short)
ParameterizedTest(struct pt_param *param, handshake, psk_too_short)
{
	(void)pt_provider(param->prov);
	size_t klen, idlen;
	unsigned char *key = pt_read_fixture(FIXTURE("psk-short.bin"), &klen);
	unsigned char *id =
		pt_read_fixture(FIXTURE("psk-identity.txt"), &idlen);
	cr_assert_eq(klen, 15);
	plugtls_config *cfg = NULL;
	cr_assert_eq(plugtls_config_new(PLUGTLS_CLIENT, &cfg), PLUGTLS_OK);
	plugtls_err rc = plugtls_config_add_psk(cfg, id, idlen, key, klen);
	cr_assert_eq(rc, PLUGTLS_E_INVALID_ARGUMENT, "15-byte PSK: %s",
		     plugtls_err_string(rc));
	cr_assert_eq(plugtls_config_error(cfg)->code,
		     PLUGTLS_E_INVALID_ARGUMENT);
	plugtls_config_free(cfg);
	free(key);
	free(id);
}

/* ------------------------------------------------------------------------ */
/* Protocol version ranges that do not meet                                 */
/* ------------------------------------------------------------------------ */

static const struct range_row {
	unsigned cmin, cmax, smin, smax;
} range_rows[] = {
	{PLUGTLS_TLS1_3, PLUGTLS_TLS1_3, PLUGTLS_TLS1_2, PLUGTLS_TLS1_2},
	{PLUGTLS_TLS1_2, PLUGTLS_TLS1_2, PLUGTLS_TLS1_3, PLUGTLS_TLS1_3},
};

PT_PARAMS_CASES(handshake, version_mismatch, 2)
ParameterizedTest(struct pt_param *param, handshake, version_mismatch)
{
	const struct range_row *r = &range_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_TLS12 | PLUGTLS_CAP_TLS13 |
				   PLUGTLS_CAP_ECDSA);
	plugtls_config *cc = ch_client_cfg(CH_CA);
	ch_protocols(cc, r->cmin, r->cmax);
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, r->smin, r->smax);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, cc), ch_ctx(p, sc), CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_E_HANDSHAKE, "[%s] row %zu: client %s (%s)",
		     param->prov, param->idx, plugtls_err_string(crc),
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(src, PLUGTLS_E_HANDSHAKE, "[%s] row %zu: server %s (%s)",
		     param->prov, param->idx, plugtls_err_string(src),
		     plugtls_conn_error(pp.server)->message);
	cr_assert_eq(plugtls_conn_version(pp.client), 0);
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* Client-side verification: host name, unknown CA, pins                    */
/* ------------------------------------------------------------------------ */

/* Pins are named by the fixture whose leaf they match (or "bogus"). */
static const struct verify_row {
	const char *ca;
	const char *host;
	const char *pins[2]; /* fixture paths; "bogus" for a well-formed
				pin that matches nothing */
	unsigned version;
	plugtls_err crc;
	uint32_t reasons;
} verify_rows[] = {
	{CH_CA,
	 "wrong.test",
	 {NULL},
	 PLUGTLS_TLS1_3,
	 PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_HOSTNAME},
	{CH_CA,
	 "wrong.test",
	 {NULL},
	 PLUGTLS_TLS1_2,
	 PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_HOSTNAME},
	/* IP addresses only match IP SANs. */
	{CH_CA,
	 "127.0.0.2",
	 {NULL},
	 PLUGTLS_TLS1_3,
	 PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_HOSTNAME},
	{FIXTURE("other-ca.pem"),
	 CH_HOST,
	 {NULL},
	 PLUGTLS_TLS1_3,
	 PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_UNKNOWN_ISSUER},
	{FIXTURE("other-ca.pem"),
	 CH_HOST,
	 {NULL},
	 PLUGTLS_TLS1_2,
	 PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_UNKNOWN_ISSUER},
	/* Pin mismatch on an otherwise valid chain. */
	{CH_CA,
	 CH_HOST,
	 {FIXTURE("other-ca.pem"), "bogus"},
	 PLUGTLS_TLS1_3,
	 PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_PIN},
	{CH_CA,
	 CH_HOST,
	 {FIXTURE("client.pem")},
	 PLUGTLS_TLS1_2,
	 PLUGTLS_E_VERIFY,
	 PLUGTLS_VERIFY_PIN},
	/* Pins that match the leaf, the intermediate, the root (all in the
	 * verified chain). */
	{CH_CA,
	 CH_HOST,
	 {FIXTURE("server-ec.pem")},
	 PLUGTLS_TLS1_3,
	 PLUGTLS_OK,
	 0},
	{CH_CA,
	 CH_HOST,
	 {FIXTURE("server-ec.pem")},
	 PLUGTLS_TLS1_2,
	 PLUGTLS_OK,
	 0},
	{CH_CA,
	 CH_HOST,
	 {"bogus", FIXTURE("int.pem")},
	 PLUGTLS_TLS1_3,
	 PLUGTLS_OK,
	 0},
	{CH_CA, CH_HOST, {FIXTURE("ca.pem")}, PLUGTLS_TLS1_3, PLUGTLS_OK, 0},
	{CH_CA, "127.0.0.1", {NULL}, PLUGTLS_TLS1_3, PLUGTLS_OK, 0},
	{CH_CA, "server.test", {NULL}, PLUGTLS_TLS1_2, PLUGTLS_OK, 0},
};
#define N_VERIFY_ROWS (sizeof(verify_rows) / sizeof(verify_rows[0]))

/* A well-formed pin that matches nothing: SHA-256 of "plugtls". */
#define BOGUS_PIN "sha256//RxK4oEMtS5ODWOwUzApo/XDclUajvW3QuPOBN74uPs8="

static void pin_of(const plugtls_provider *p, const char *what, char *out,
		   size_t cap)
{
	if (strcmp(what, "bogus") == 0) {
		snprintf(out, cap, "%s", BOGUS_PIN);
		return;
	}
	plugtls_chain *ch = NULL;
	cr_assert_eq(plugtls_chain_load_file(p, what, &ch), PLUGTLS_OK,
		     "load %s", what);
	const char *pin = plugtls_cert_pin(plugtls_chain_get(ch, 0));
	cr_assert_not_null(pin);
	snprintf(out, cap, "%s", pin);
	plugtls_chain_free(ch);
}

PT_PARAMS_CASES(handshake, verify, N_VERIFY_ROWS)
ParameterizedTest(struct pt_param *param, handshake, verify)
{
	const struct verify_row *r = &verify_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA | (r->version == PLUGTLS_TLS1_3
							? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	char rs[256];

	plugtls_config *cc = ch_client_cfg(r->ca);
	if (r->pins[0]) {
		char pins[256] = "", one[80];
		for (int i = 0; i < 2 && r->pins[i]; i++) {
			pin_of(p, r->pins[i], one, sizeof(one));
			if (i)
				strcat(pins, ";");
			strcat(pins, one);
		}
		cr_assert_eq(plugtls_config_set_pins(cc, pins), PLUGTLS_OK,
			     "set_pins(%s): %s", pins,
			     plugtls_config_error(cc)->message);
	}
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, r->version, r->version);

	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, cc), ch_ctx(p, sc), r->host);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	uint32_t got = plugtls_conn_verify_result(pp.client);
	cr_assert_eq(crc, r->crc, "[%s] row %zu (%s): client %s, want %s (%s)",
		     param->prov, param->idx, r->host, plugtls_err_string(crc),
		     plugtls_err_string(r->crc),
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(got, r->reasons, "[%s] row %zu (%s): verdict %s, want %#x",
		     param->prov, param->idx, r->host,
		     pt_reasons_str(got, rs, sizeof(rs)), r->reasons);
	if (r->crc == PLUGTLS_OK) {
		cr_assert_eq(src, PLUGTLS_OK, "server: %s",
			     plugtls_conn_error(pp.server)->message);
		pt_exchange(pp.client, pp.server, 1024);
	} else {
		/* The client aborted with a fatal alert. */
		cr_assert_eq(src, PLUGTLS_E_HANDSHAKE,
			     "[%s] row %zu: server %s, want handshake (%s)",
			     param->prov, param->idx, plugtls_err_string(src),
			     plugtls_conn_error(pp.server)->message);
		cr_assert_eq(plugtls_conn_error(pp.client)->code,
			     PLUGTLS_E_VERIFY);
		/* No application data on a refused connection. */
		unsigned char b[8];
		size_t n = 0;
		plugtls_err rc = plugtls_conn_write(pp.client, "x", 1, &n);
		cr_assert_neq(rc, PLUGTLS_OK,
			      "write succeeded after a failed verification");
		rc = plugtls_conn_read(pp.client, b, sizeof(b), &n);
		cr_assert_neq(rc, PLUGTLS_OK,
			      "read succeeded after a failed verification");
	}
	pt_pair_free(&pp);
}

/* The core's checks of the leaf during a handshake (validity, purpose,
 * weak algorithms, self-signed), which read the peer's certificates in
 * part only (pt_cert_for_checks): the same verdicts as plugtls_ctx_verify
 * gives for the same certificates (test_verify.c). Each server sends the
 * leaf and, unless self-signed, the intermediate. (The weak leaves,
 * leaf-sha1 and leaf-rsa1024, are not here: an OpenSSL server refuses to
 * load them at its default security level; test_verify.c has them.) */
static const struct leaf_row {
	const char *leaf, *key;
	bool with_int;
	uint64_t caps;
	uint32_t reasons;
} leaf_rows[] = {
	{"leaf-expired.pem", "leaf-expired.key", true, PLUGTLS_CAP_ECDSA,
	 PLUGTLS_VERIFY_EXPIRED},
	{"leaf-notyet.pem", "leaf-notyet.key", true, PLUGTLS_CAP_ECDSA,
	 PLUGTLS_VERIFY_NOT_YET_VALID},
	{"leaf-clientonly.pem", "leaf-clientonly.key", true, PLUGTLS_CAP_ECDSA,
	 PLUGTLS_VERIFY_PURPOSE},
	{"leaf-selfsigned.pem", "leaf-selfsigned.key", false,
	 PLUGTLS_CAP_ECDSA, PLUGTLS_VERIFY_SELF_SIGNED},
	{"leaf-tampered.pem", "server-ec.key", true, PLUGTLS_CAP_ECDSA,
	 PLUGTLS_VERIFY_BAD_SIGNATURE},
	{"leaf-good.pem", "server-ec.key", true, PLUGTLS_CAP_ECDSA, 0},
};
#define N_LEAF_ROWS (sizeof(leaf_rows) / sizeof(leaf_rows[0]))

PT_PARAMS_CASES(handshake, verify_leaf, N_LEAF_ROWS)
ParameterizedTest(struct pt_param *param, handshake, verify_leaf)
{
	const struct leaf_row *r = &leaf_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, r->caps | PLUGTLS_CAP_TLS13);
	char path[512], rs[256];
	size_t leaf_len, int_len = 0;

	snprintf(path, sizeof(path), "%s/%s", PT_FIXTURE_DIR, r->leaf);
	unsigned char *leaf = pt_read_fixture(path, &leaf_len);
	unsigned char *inter = r->with_int
				       ? pt_read_fixture(FIXTURE("int.pem"),
							 &int_len)
				       : NULL;
	unsigned char *chain = malloc(leaf_len + int_len + 1);
	cr_assert_not_null(chain);
	memcpy(chain, leaf, leaf_len);
	if (int_len)
		memcpy(chain + leaf_len, inter, int_len);
	free(leaf);
	free(inter);

	plugtls_config *sc = ch_server_cfg(NULL, NULL);
	cr_assert_eq(plugtls_config_set_cert_mem(sc, chain, leaf_len + int_len),
		     PLUGTLS_OK, "%s: %s", r->leaf,
		     plugtls_config_error(sc)->message);
	free(chain);
	snprintf(path, sizeof(path), "%s/%s", PT_FIXTURE_DIR, r->key);
	cr_assert_eq(plugtls_config_set_key_file(sc, path, NULL), PLUGTLS_OK,
		     "%s: %s", r->key, plugtls_config_error(sc)->message);

	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)), ch_ctx(p, sc),
		     CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	uint32_t got = plugtls_conn_verify_result(pp.client);
	cr_assert_eq(got, r->reasons, "[%s] %s: verdict %s, want %#x (%s)",
		     param->prov, r->leaf, pt_reasons_str(got, rs, sizeof(rs)),
		     r->reasons, plugtls_conn_error(pp.client)->message);
	cr_assert_eq(crc, r->reasons ? PLUGTLS_E_VERIFY : PLUGTLS_OK,
		     "[%s] %s: client %s (%s)", param->prov, r->leaf,
		     plugtls_err_string(crc),
		     plugtls_conn_error(pp.client)->message);
	if (r->reasons) {
		/* The refused chain, read in full for the application. */
		const plugtls_chain *got_chain =
			plugtls_conn_peer_chain(pp.client);
		cr_assert_not_null(got_chain);
		cr_assert_eq(plugtls_chain_count(got_chain),
			     r->with_int ? 2u : 1u);
		const plugtls_cert *c = plugtls_chain_get(got_chain, 0);
		cr_assert_str_eq(plugtls_cert_subject(c), "CN=localhost");
		cr_assert_not_null(plugtls_cert_serial(c));
		const unsigned char *der = NULL;
		size_t der_len = 0;
		plugtls_cert_der(c, &der, &der_len);
		cr_assert(der && der_len > 100);
	}
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* The peer chain the client sees is the server's chain file                */
/* ------------------------------------------------------------------------ */

static const char *const chain_keys[][2] = {
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec")},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("rsa")},
	{CH_SERVER_CHAIN("ed25519"), CH_SERVER_KEY("ed25519")},
};
static const uint64_t chain_caps[] = {PLUGTLS_CAP_ECDSA, PLUGTLS_CAP_RSA,
				      PLUGTLS_CAP_ED25519};

PT_PARAMS_CASES(handshake, peer_chain, 3)
ParameterizedTest(struct pt_param *param, handshake, peer_chain)
{
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, chain_caps[param->idx]);
	const char *chain = chain_keys[param->idx][0];
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)),
		     ch_ctx(p, ch_server_cfg(chain, chain_keys[param->idx][1])),
		     CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_OK, "client: %s",
		     plugtls_conn_error(pp.client)->message);
	cr_assert_eq(src, PLUGTLS_OK, "server: %s",
		     plugtls_conn_error(pp.server)->message);

	plugtls_chain *want = NULL;
	cr_assert_eq(plugtls_chain_load_file(p, chain, &want), PLUGTLS_OK);
	const plugtls_chain *got = plugtls_conn_peer_chain(pp.client);
	cr_assert_not_null(got);
	cr_assert_eq(plugtls_chain_count(got), plugtls_chain_count(want),
		     "peer chain has %zu certificates, file %zu",
		     plugtls_chain_count(got), plugtls_chain_count(want));
	for (size_t i = 0; i < plugtls_chain_count(want); i++) {
		const unsigned char *a = NULL, *b = NULL;
		size_t al = 0, bl = 0;
		plugtls_cert_der(plugtls_chain_get(got, i), &a, &al);
		plugtls_cert_der(plugtls_chain_get(want, i), &b, &bl);
		cr_assert(a && b && al > 0);
		cr_assert_eq(al, bl, "cert %zu: DER length %zu vs %zu", i, al,
			     bl);
		cr_assert_eq(memcmp(a, b, al), 0, "cert %zu: DER differs", i);
	}
	cr_assert_null(plugtls_chain_get(got, plugtls_chain_count(got)));
	plugtls_chain_free(want);
	pt_pair_free(&pp);
}

/* A refused peer's chain is still there to inspect (what it sent), with
 * the verdict: the core keeps it at verification time, because the
 * provider may drop a chain it was told to refuse. */
PT_PARAMS_PROVIDERS(handshake, peer_chain_refused)
ParameterizedTest(struct pt_param *param, handshake, peer_chain_refused)
{
	const plugtls_provider *p = pt_provider(param->prov);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)),
		     ch_ctx(p, ch_server_cfg(CH_SERVER_CHAIN("ec"),
					     CH_SERVER_KEY("ec"))),
		     "wrong.test");
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_E_VERIFY, "client: %s (%s)",
		     plugtls_err_string(crc),
		     plugtls_conn_error(pp.client)->message);
	cr_assert_neq(src, PLUGTLS_OK);
	cr_assert(plugtls_conn_verify_result(pp.client) &
		  PLUGTLS_VERIFY_HOSTNAME);

	const plugtls_chain *got = plugtls_conn_peer_chain(pp.client);
	cr_assert_not_null(got, "the refused peer's chain is gone");
	cr_assert_geq(plugtls_chain_count(got), 1);
	plugtls_chain *want = NULL;
	cr_assert_eq(plugtls_chain_load_file(p, CH_SERVER_CHAIN("ec"), &want),
		     PLUGTLS_OK);
	cr_assert_str_eq(plugtls_cert_subject(plugtls_chain_get(got, 0)),
			 plugtls_cert_subject(plugtls_chain_get(want, 0)));
	/* A second call gives the same chain. */
	cr_assert_eq(plugtls_conn_peer_chain(pp.client), got);
	plugtls_chain_free(want);
	pt_pair_free(&pp);
}

/* ------------------------------------------------------------------------ */
/* Key log                                                                  */
/* ------------------------------------------------------------------------ */

#define KL_MAX 16
struct keylog {
	int n;
	char lines[KL_MAX][512];
};

static void keylog_cb(void *arg, const char *line)
{
	struct keylog *k = arg;
	if (k->n < KL_MAX)
		snprintf(k->lines[k->n], sizeof(k->lines[0]), "%s", line);
	k->n++;
}

static int is_lower_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Checks one NSS key-log line ("LABEL <client_random> <secret>", lower-case
 * hex) and returns its label index in labels, or asserts. */
static int keylog_check_line(const char *line, const char *const *labels,
			     size_t n_labels, size_t secret_hex,
			     char *client_random)
{
	const char *sp1 = strchr(line, ' ');
	cr_assert_not_null(sp1, "key-log line without fields: '%s'", line);
	const char *sp2 = strchr(sp1 + 1, ' ');
	cr_assert_not_null(sp2, "key-log line with one field: '%s'", line);
	cr_assert_null(strchr(sp2 + 1, ' '), "extra field: '%s'", line);
	cr_assert_null(strchr(line, '\n'), "newline in line: '%s'", line);
	size_t ll = (size_t)(sp1 - line);
	int found = -1;
	for (size_t i = 0; i < n_labels; i++)
		if (strlen(labels[i]) == ll && memcmp(labels[i], line, ll) == 0)
			found = (int)i;
	cr_assert(found >= 0, "unexpected key-log label: '%s'", line);
	cr_assert_eq(sp2 - sp1 - 1, 64, "client random not 32 bytes: '%s'",
		     line);
	cr_assert(is_lower_hex(sp1 + 1, 64), "client random hex: '%s'", line);
	if (client_random[0])
		cr_assert_eq(memcmp(client_random, sp1 + 1, 64), 0,
			     "client random differs between lines");
	else
		memcpy(client_random, sp1 + 1, 64);
	cr_assert_eq(strlen(sp2 + 1), secret_hex,
		     "secret of %zu hex digits, want %zu: '%.40s…'",
		     strlen(sp2 + 1), secret_hex, line);
	cr_assert(is_lower_hex(sp2 + 1, secret_hex), "secret hex");
	return found;
}

static const char *const kl13_labels[] = {
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	"SERVER_HANDSHAKE_TRAFFIC_SECRET",
	"CLIENT_TRAFFIC_SECRET_0",
	"SERVER_TRAFFIC_SECRET_0",
	"EXPORTER_SECRET", /* optional */
};
static const char *const kl12_labels[] = {"CLIENT_RANDOM"};

PT_PARAMS_CASES(handshake, keylog, 2)
ParameterizedTest(struct pt_param *param, handshake, keylog)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_KEYLOG | PLUGTLS_CAP_ECDSA |
				   PLUGTLS_CAP_AES_GCM |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	static struct keylog kc, ks;
	memset(&kc, 0, sizeof(kc));
	memset(&ks, 0, sizeof(ks));
	plugtls_config *cc = ch_client_cfg(CH_CA);
	cr_assert_eq(plugtls_config_set_keylog_callback(cc, keylog_cb, &kc),
		     PLUGTLS_OK);
	/* SHA-256 suite: TLS 1.3 secrets are 32 bytes. */
	cr_assert_eq(plugtls_config_set_profile(cc, "aes128-gcm"), PLUGTLS_OK);
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	cr_assert_eq(plugtls_config_set_keylog_callback(sc, keylog_cb, &ks),
		     PLUGTLS_OK);
	ch_protocols(sc, v, v);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, cc), ch_ctx(p, sc), CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_OK);
	cr_assert_eq(src, PLUGTLS_OK);
	pt_exchange(pp.client, pp.server, 1024);
	pt_exchange(pp.server, pp.client, 1024);

	const char *const *labels =
		v == PLUGTLS_TLS1_3 ? kl13_labels : kl12_labels;
	size_t n_labels = v == PLUGTLS_TLS1_3 ? 5 : 1;
	size_t n_required = v == PLUGTLS_TLS1_3 ? 4 : 1;
	size_t secret_hex = v == PLUGTLS_TLS1_3 ? 64 : 96;
	struct keylog *sides[2] = {&kc, &ks};
	int at[2][5];
	for (int s = 0; s < 2; s++) {
		struct keylog *k = sides[s];
		const char *who = s ? "server" : "client";
		char cr_hex[65] = "";
		cr_assert(k->n > 0, "%s: key-log callback never called", who);
		cr_assert(k->n <= KL_MAX, "%s: %d key-log lines", who, k->n);
		for (int l = 0; l < 5; l++)
			at[s][l] = -1;
		for (int i = 0; i < k->n; i++) {
			int l = keylog_check_line(k->lines[i], labels, n_labels,
						  secret_hex, cr_hex);
			cr_assert_eq(at[s][l], -1, "%s: label %s twice", who,
				     labels[l]);
			at[s][l] = i;
		}
		for (size_t l = 0; l < n_required; l++)
			cr_assert(at[s][l] >= 0, "%s: no %s line", who,
				  labels[l]);
	}
	/* Both ends derived the same secrets. */
	for (size_t l = 0; l < n_required; l++)
		cr_assert_str_eq(kc.lines[at[0][l]], ks.lines[at[1][l]],
				 "%s differs between client and server",
				 labels[l]);
	pt_pair_free(&pp);
}

/* Without a key-log callback nothing is logged anywhere: not to a callback
 * of another config, and not to $SSLKEYLOGFILE (GnuTLS writes that file by
 * itself unless told otherwise). */
PT_PARAMS_CASES(handshake, keylog_off, 2)
ParameterizedTest(struct pt_param *param, handshake, keylog_off)
{
	unsigned v = param->idx ? PLUGTLS_TLS1_2 : PLUGTLS_TLS1_3;
	char dir[] = "/tmp/pt-keylog-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/keys", dir);
	/* Before the provider is first used in this (forked) process. */
	cr_assert_eq(setenv("SSLKEYLOGFILE", path, 1), 0);
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, PLUGTLS_CAP_ECDSA |
				   (v == PLUGTLS_TLS1_3 ? PLUGTLS_CAP_TLS13
							: PLUGTLS_CAP_TLS12));
	static struct keylog decoy;
	memset(&decoy, 0, sizeof(decoy));
	plugtls_config *unused = ch_client_cfg(CH_CA);
	cr_assert_eq(
		plugtls_config_set_keylog_callback(unused, keylog_cb, &decoy),
		PLUGTLS_OK);
	plugtls_config *sc =
		ch_server_cfg(CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("ec"));
	ch_protocols(sc, v, v);
	struct pt_pair pp;
	pt_pair_make(&pp, ch_ctx(p, ch_client_cfg(CH_CA)), ch_ctx(p, sc),
		     CH_HOST);
	plugtls_err src, crc = pt_handshake_pair(pp.client, pp.server, &src);
	cr_assert_eq(crc, PLUGTLS_OK);
	cr_assert_eq(src, PLUGTLS_OK);
	pt_exchange(pp.client, pp.server, 1024);
	pt_exchange(pp.server, pp.client, 1024);
	ch_close_clean(pp.client, pp.server);
	pt_pair_free(&pp);
	plugtls_config_free(unused);

	cr_assert_eq(decoy.n, 0,
		     "key-log callback of an unused config "
		     "was called");
	struct stat st;
	int exists = stat(path, &st) == 0;
	unlink(path);
	rmdir(dir);
	cr_assert_not(exists, "%s wrote $SSLKEYLOGFILE without being asked",
		      param->prov);
}

/* ------------------------------------------------------------------------ */
/* A server whose key does not match its certificate                        */
/* ------------------------------------------------------------------------ */

static const struct mismatch_row {
	const char *chain, *key;
	uint64_t caps;
} mismatch_rows[] = {
	{CH_SERVER_CHAIN("ec"), CH_SERVER_KEY("rsa"),
	 PLUGTLS_CAP_ECDSA | PLUGTLS_CAP_RSA},
	{CH_SERVER_CHAIN("rsa"), CH_SERVER_KEY("ec"),
	 PLUGTLS_CAP_ECDSA | PLUGTLS_CAP_RSA},
	/* Same key type, another key. */
	{CH_SERVER_CHAIN("ec"), FIXTURE("client.key"), PLUGTLS_CAP_ECDSA},
};

PT_PARAMS_CASES(handshake, key_mismatch, 3)
ParameterizedTest(struct pt_param *param, handshake, key_mismatch)
{
	const struct mismatch_row *r = &mismatch_rows[param->idx];
	const plugtls_provider *p = pt_provider(param->prov);
	pt_require_caps(p, r->caps);
	plugtls_config *sc = ch_server_cfg(r->chain, r->key);
	plugtls_ctx *sentinel = (plugtls_ctx *)&sc, *ctx = sentinel;
	plugtls_err rc = plugtls_ctx_new(p, sc, &ctx);
	const plugtls_error *e = plugtls_config_error(sc);
	/* The config is well-formed piece by piece; the two pieces do not
	 * belong together: an invalid argument to ctx_new. */
	cr_assert_eq(rc, PLUGTLS_E_INVALID_ARGUMENT,
		     "[%s] row %zu: ctx_new %s, want invalid argument (%s)",
		     param->prov, param->idx, plugtls_err_string(rc),
		     e->message);
	cr_assert(ctx == sentinel, "out-parameter written on failure");
	cr_assert_eq(e->code, rc, "error not recorded on the config");
	cr_assert(strstr(e->message, "key") != NULL,
		  "message does not name the key setting: '%s'", e->message);
	plugtls_config_free(sc);
}
