/*
 * Chain and host verification (plugtls_ctx_verify), one table run against
 * every provider. Each row is one verification with the exact return code
 * and the exact reason bits every provider must give; the fixtures are
 * described at the top of gen-fixtures.sh.
 *
 * The expected bits follow the split of DESIGN.md ("who checks what"): the
 * provider builds the chain and reports signatures, CA bit and path length,
 * name constraints, revocation and depth; the core adds validity at the
 * chosen time, host name (RFC 6125, SANs only, no CN fallback), purpose,
 * weak algorithms and pins. Decisions this table fixes for every provider:
 *  - an untrusted self-signed leaf is SELF_SIGNED only, never also
 *    UNKNOWN_ISSUER;
 *  - a missing intermediate is UNKNOWN_ISSUER only;
 *  - a CRL mode that needs a CRL for an issuer that has none gives
 *    CRL_UNAVAILABLE (fail closed), not OK;
 *  - any certificate in the trust store is an anchor (partial chains), so
 *    trusting an intermediate or a self-signed leaf directly verifies;
 *  - "localhost." (a fully qualified name with its trailing dot) and any
 *    letter case match "localhost"; "0:0:0:0:0:0:0:1" matches IP SAN ::1.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILES 4
#define DAY INT64_C(86400)

/* How a row chooses its verification time. */
enum vtime {
	T_NOW = 0,     /* plugtls_config_set_verify_time not called */
	T_LEAF_NB = 1, /* the leaf's notBefore (from <leaf>.dates) + .toff */
};

struct vcase {
	const char *name;
	const char *leaf;                 /* fixture file */
	const char *untrusted[MAX_FILES]; /* sent after the leaf */
	const char *roots[MAX_FILES];     /* NULL: { "ca.pem" } */
	const char *host;                 /* NULL: no name check */
	unsigned purpose;                 /* 0: PLUGTLS_PURPOSE_SERVER */
	const char *crls[MAX_FILES];
	int set_crl_mode; /* call set_crl_mode(crl_mode) */
	plugtls_crl_mode crl_mode;
	enum vtime tmode;
	int64_t toff;
	int depth;     /* 0: default */
	uint64_t caps; /* capabilities the row needs */
	plugtls_err rc;
	uint32_t reasons;
};

#define INT "int.pem"
#define OK_ .rc = PLUGTLS_OK, .reasons = 0
#define FAIL(bits) .rc = PLUGTLS_E_VERIFY, .reasons = (bits)

#define V_EXPIRED PLUGTLS_VERIFY_EXPIRED
#define V_NOTYET PLUGTLS_VERIFY_NOT_YET_VALID
#define V_UNKNOWN PLUGTLS_VERIFY_UNKNOWN_ISSUER
#define V_SELF PLUGTLS_VERIFY_SELF_SIGNED
#define V_HOST PLUGTLS_VERIFY_HOSTNAME
#define V_SIG PLUGTLS_VERIFY_BAD_SIGNATURE
#define V_REVOKED PLUGTLS_VERIFY_REVOKED
#define V_NOTCA PLUGTLS_VERIFY_NOT_CA
#define V_PURPOSE PLUGTLS_VERIFY_PURPOSE
#define V_WEAK PLUGTLS_VERIFY_WEAK_ALGORITHM
#define V_NC PLUGTLS_VERIFY_NAME_CONSTRAINTS
#define V_LONG PLUGTLS_VERIFY_CHAIN_TOO_LONG
#define V_NOCRL PLUGTLS_VERIFY_CRL_UNAVAILABLE

/* clang-format off */
static const struct vcase cases[] = {
	/* ---- a good chain, every way of naming the server ---- */
	{ "good/localhost", "leaf-good.pem", { INT }, .host = "localhost", OK_ },
	{ "good/server.test", "leaf-good.pem", { INT }, .host = "server.test",
	  OK_ },
	{ "good/ipv4", "leaf-good.pem", { INT }, .host = "127.0.0.1", OK_ },
	{ "good/ipv6", "leaf-good.pem", { INT }, .host = "::1", OK_ },
	{ "good/ipv6-long-form", "leaf-good.pem", { INT },
	  .host = "0:0:0:0:0:0:0:1", OK_ },
	{ "good/upper-case", "leaf-good.pem", { INT }, .host = "LOCALHOST",
	  OK_ },
	{ "good/mixed-case", "leaf-good.pem", { INT }, .host = "Server.Test",
	  OK_ },
	{ "good/trailing-dot", "leaf-good.pem", { INT }, .host = "localhost.",
	  OK_ },
	{ "good/no-host", "leaf-good.pem", { INT }, .host = NULL, OK_ },
	{ "good/rsa-leaf", "server-rsa.pem", { INT }, .host = "localhost",
	  .caps = PLUGTLS_CAP_RSA, OK_ },
	{ "good/ed25519-leaf", "server-ed25519.pem", { INT },
	  .host = "localhost", .caps = PLUGTLS_CAP_ED25519, OK_ },
	{ "good/two-root-files", "leaf-good.pem", { INT },
	  .roots = { "other-ca.pem", "ca.pem" }, .host = "localhost", OK_ },
	{ "good/intermediate-as-anchor", "leaf-good.pem", { NULL },
	  .roots = { "int.pem" }, .host = "localhost", OK_ },
	{ "good/extra-unrelated-cert-sent", "leaf-good.pem",
	  { INT, "other-ca.pem" }, .host = "localhost", OK_ },
	{ "good/selfsigned-leaf-trusted", "leaf-selfsigned.pem", { NULL },
	  .roots = { "leaf-selfsigned.pem" }, .host = "localhost", OK_ },
	{ "good/no-eku-any-purpose", "selfsigned-rsa.pem", { NULL },
	  .roots = { "selfsigned-rsa.pem" }, .host = "rsa.test",
	  .caps = PLUGTLS_CAP_RSA, OK_ },

	/* ---- validity ---- */
	{ "expired", "leaf-expired.pem", { INT }, .host = "localhost",
	  FAIL(V_EXPIRED) },
	{ "not-yet-valid", "leaf-notyet.pem", { INT }, .host = "localhost",
	  FAIL(V_NOTYET) },
	{ "expired+host-mismatch", "leaf-expired.pem", { INT },
	  .host = "wrong.test", FAIL(V_EXPIRED | V_HOST) },
	{ "time/expired-leaf-inside-validity", "leaf-expired.pem", { INT },
	  .host = "localhost", .tmode = T_LEAF_NB, .toff = 15 * DAY, OK_ },
	{ "time/notyet-leaf-inside-validity", "leaf-notyet.pem", { INT },
	  .host = "localhost", .tmode = T_LEAF_NB, .toff = 1 * DAY, OK_ },
	{ "time/good-leaf-two-years-on", "leaf-good.pem", { INT },
	  .host = "localhost", .tmode = T_LEAF_NB, .toff = 730 * DAY,
	  FAIL(V_EXPIRED) },
	{ "time/good-leaf-before-validity", "leaf-good.pem", { INT },
	  .host = "localhost", .tmode = T_LEAF_NB, .toff = -1 * DAY,
	  FAIL(V_NOTYET) },

	/* ---- issuers ---- */
	{ "unknown-issuer", "leaf-unknown.pem", { NULL }, .host = "localhost",
	  FAIL(V_UNKNOWN) },
	/* The trusted root's name, another key: the key identifiers must
	 * keep the trusted root out of the chain. */
	{ "issuer-name-only", "leaf-impostor.pem", { NULL },
	  .host = "localhost", FAIL(V_UNKNOWN) },
	{ "issuer-name-only-root-sent", "leaf-impostor.pem",
	  { "impostor-ca.pem" }, .host = "localhost", FAIL(V_UNKNOWN) },
	{ "self-signed-leaf", "leaf-selfsigned.pem", { NULL },
	  .host = "localhost", FAIL(V_SELF) },
	{ "missing-intermediate", "leaf-missing-int.pem", { NULL },
	  .host = "localhost", FAIL(V_UNKNOWN) },
	{ "other-root-only", "leaf-good.pem", { INT },
	  .roots = { "other-ca.pem" }, .host = "localhost", FAIL(V_UNKNOWN) },
	{ "tampered-signature", "leaf-tampered.pem", { INT },
	  .host = "localhost", FAIL(V_SIG) },
	{ "intermediate-not-ca", "leaf-under-noca.pem", { "int-noca.pem" },
	  .host = "localhost", FAIL(V_NOTCA) },
	{ "path-length-exceeded", "leaf-pathlen.pem",
	  { "int-below-pathlen0.pem", "int-pathlen0.pem" },
	  .host = "localhost", FAIL(V_NOTCA) },
	{ "depth/2-of-3", "leaf-good.pem", { INT }, .host = "localhost",
	  .depth = 2, FAIL(V_LONG) },
	{ "depth/3-of-3", "leaf-good.pem", { INT }, .host = "localhost",
	  .depth = 3, OK_ },

	/* ---- host names (RFC 6125) ---- */
	{ "host/mismatch", "leaf-good.pem", { INT }, .host = "other.test",
	  FAIL(V_HOST) },
	{ "host/suffix-is-not-a-match", "leaf-good.pem", { INT },
	  .host = "xlocalhost", FAIL(V_HOST) },
	{ "host/subdomain-is-not-a-match", "leaf-good.pem", { INT },
	  .host = "a.server.test", FAIL(V_HOST) },
	{ "wildcard/one-label", "leaf-wildcard.pem", { INT },
	  .host = "a.wild.test", OK_ },
	{ "wildcard/one-label-upper", "leaf-wildcard.pem", { INT },
	  .host = "FOO.Wild.Test", OK_ },
	{ "wildcard/two-labels", "leaf-wildcard.pem", { INT },
	  .host = "a.b.wild.test", FAIL(V_HOST) },
	{ "wildcard/bare-domain", "leaf-wildcard.pem", { INT },
	  .host = "wild.test", FAIL(V_HOST) },
	{ "wildcard/other-domain", "leaf-wildcard.pem", { INT },
	  .host = "a.wild.example", FAIL(V_HOST) },
	{ "wildcard/over-tld", "leaf-wildcard-tld.pem", { INT },
	  .host = "a.test", FAIL(V_HOST) },
	{ "ip/v4", "leaf-ip.pem", { INT }, .host = "127.0.0.1", OK_ },
	{ "ip/v6", "leaf-ip.pem", { INT }, .host = "::1", OK_ },
	{ "ip/v4-mismatch", "leaf-ip.pem", { INT }, .host = "127.0.0.2",
	  FAIL(V_HOST) },
	{ "ip/v6-mismatch", "leaf-ip.pem", { INT }, .host = "::2",
	  FAIL(V_HOST) },
	{ "ip/dns-name-vs-ip-only", "leaf-ip.pem", { INT },
	  .host = "localhost", FAIL(V_HOST) },
	{ "ip/cn-not-used", "leaf-ip.pem", { INT }, .host = "ip.test",
	  FAIL(V_HOST) },
	{ "ip/address-vs-dns-san", "leaf-ip-as-dns.pem", { INT },
	  .host = "127.0.0.1", FAIL(V_HOST) },
	{ "ip/address-vs-dns-only-leaf", "leaf-cn-with-san.pem", { INT },
	  .host = "127.0.0.1", FAIL(V_HOST) },
	{ "cn/only-cn-no-fallback", "leaf-cn-only.pem", { INT },
	  .host = "localhost", FAIL(V_HOST) },
	{ "cn/ignored-when-san", "leaf-cn-with-san.pem", { INT },
	  .host = "cn.test", FAIL(V_HOST) },
	{ "cn/san-matches", "leaf-cn-with-san.pem", { INT },
	  .host = "san.test", OK_ },

	/* ---- purpose (extended key usage) ---- */
	{ "purpose/client-only-as-server", "leaf-clientonly.pem", { INT },
	  .host = "localhost", FAIL(V_PURPOSE) },
	{ "purpose/client-only-as-client", "leaf-clientonly.pem", { INT },
	  .host = "localhost", .purpose = PLUGTLS_PURPOSE_CLIENT, OK_ },
	{ "purpose/server-only-as-client", "leaf-good.pem", { INT },
	  .purpose = PLUGTLS_PURPOSE_CLIENT, FAIL(V_PURPOSE) },
	{ "purpose/client-cert", "client.pem", { INT },
	  .purpose = PLUGTLS_PURPOSE_CLIENT, OK_ },
	{ "purpose/other-client-own-root", "other-client.pem", { NULL },
	  .roots = { "other-ca.pem" }, .purpose = PLUGTLS_PURPOSE_CLIENT,
	  OK_ },
	{ "purpose/other-client-wrong-root", "other-client.pem", { NULL },
	  .purpose = PLUGTLS_PURPOSE_CLIENT, FAIL(V_UNKNOWN) },

	/* ---- name constraints ---- */
	{ "nc/satisfied", "leaf-nc-ok.pem", { "int-nc.pem" },
	  .host = "a.allowed.test", .caps = PLUGTLS_CAP_NAME_CONSTRAINTS,
	  OK_ },
	{ "nc/violated", "leaf-nc-bad.pem", { "int-nc.pem" },
	  .host = "evil.test", .caps = PLUGTLS_CAP_NAME_CONSTRAINTS,
	  FAIL(V_NC) },

	/* ---- weak algorithms ---- */
	{ "weak/sha1-signature", "leaf-sha1.pem", { INT }, .host = "localhost",
	  FAIL(V_WEAK) },
	{ "weak/rsa-1024", "leaf-rsa1024.pem", { INT }, .host = "localhost",
	  .caps = PLUGTLS_CAP_RSA, FAIL(V_WEAK) },

	/* ---- revocation ---- */
	{ "crl/revoked-no-crl", "leaf-revoked.pem", { INT },
	  .host = "localhost", OK_ },
	{ "crl/revoked-pem-leaf-mode", "leaf-revoked.pem", { INT },
	  .host = "localhost", .crls = { "crl-int.pem" }, .set_crl_mode = 1,
	  .crl_mode = PLUGTLS_CRL_LEAF, .caps = PLUGTLS_CAP_CRL,
	  FAIL(V_REVOKED) },
	{ "crl/revoked-der-leaf-mode", "leaf-revoked.pem", { INT },
	  .host = "localhost", .crls = { "crl-int.der" }, .set_crl_mode = 1,
	  .crl_mode = PLUGTLS_CRL_LEAF, .caps = PLUGTLS_CAP_CRL,
	  FAIL(V_REVOKED) },
	{ "crl/revoked-default-mode", "leaf-revoked.pem", { INT },
	  .host = "localhost", .crls = { "crl-int.pem" },
	  .caps = PLUGTLS_CAP_CRL, FAIL(V_REVOKED) },
	{ "crl/revoked-mode-none", "leaf-revoked.pem", { INT },
	  .host = "localhost", .crls = { "crl-int.pem" }, .set_crl_mode = 1,
	  .crl_mode = PLUGTLS_CRL_NONE, .caps = PLUGTLS_CAP_CRL, OK_ },
	{ "crl/not-revoked", "leaf-good.pem", { INT }, .host = "localhost",
	  .crls = { "crl-int.pem" }, .set_crl_mode = 1,
	  .crl_mode = PLUGTLS_CRL_LEAF, .caps = PLUGTLS_CAP_CRL, OK_ },
	{ "crl/chain-mode-good", "leaf-good.pem", { INT }, .host = "localhost",
	  .crls = { "crl-int.pem", "crl-ca.der" }, .set_crl_mode = 1,
	  .crl_mode = PLUGTLS_CRL_CHAIN, .caps = PLUGTLS_CAP_CRL, OK_ },
	{ "crl/chain-mode-revoked", "leaf-revoked.pem", { INT },
	  .host = "localhost", .crls = { "crl-ca.pem", "crl-int.der" },
	  .set_crl_mode = 1, .crl_mode = PLUGTLS_CRL_CHAIN,
	  .caps = PLUGTLS_CAP_CRL, FAIL(V_REVOKED) },
	{ "crl/chain-mode-no-crl-from-root", "leaf-good.pem", { INT },
	  .host = "localhost", .crls = { "crl-int.pem" }, .set_crl_mode = 1,
	  .crl_mode = PLUGTLS_CRL_CHAIN, .caps = PLUGTLS_CAP_CRL,
	  FAIL(V_NOCRL) },
	{ "crl/leaf-mode-no-crl-for-leaf", "leaf-good.pem", { INT },
	  .host = "localhost", .crls = { "crl-ca.pem" }, .set_crl_mode = 1,
	  .crl_mode = PLUGTLS_CRL_LEAF, .caps = PLUGTLS_CAP_CRL,
	  FAIL(V_NOCRL) },
};
/* clang-format on */

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void fx_path(char *buf, size_t cap, const char *name)
{
	int w = snprintf(buf, cap, "%s/%s", PT_FIXTURE_DIR, name);
	cr_assert(w > 0 && (size_t)w < cap, "path too long: %s", name);
}

/* notBefore of a fixture, from the <name>.dates file gen-fixtures.sh
 * wrote with the openssl command. */
static int64_t fx_not_before(const char *pem)
{
	char name[256], path[1024];
	size_t len, base = strlen(pem);
	if (base > 4 && !strcmp(pem + base - 4, ".pem"))
		base -= 4;
	snprintf(name, sizeof(name), "%.*s.dates", (int)base, pem);
	fx_path(path, sizeof(path), name);
	unsigned char *d = pt_read_fixture(path, &len);
	long long nb = 0, na = 0;
	cr_assert_eq(sscanf((char *)d, "%lld %lld", &nb, &na), 2, "%s", path);
	free(d);
	return (int64_t)nb;
}

/* The leaf then the untrusted certificates, as one PEM buffer. */
static plugtls_chain *load_chain(const plugtls_provider *p,
				 const struct vcase *vc)
{
	char path[1024];
	size_t len, total = 0;
	unsigned char *all = NULL;
	const char *files[MAX_FILES + 1] = {vc->leaf};
	for (size_t i = 0; i < MAX_FILES && vc->untrusted[i]; i++)
		files[i + 1] = vc->untrusted[i];
	for (size_t i = 0; i <= MAX_FILES && files[i]; i++) {
		fx_path(path, sizeof(path), files[i]);
		unsigned char *d = pt_read_fixture(path, &len);
		all = realloc(all, total + len + 1);
		cr_assert_not_null(all);
		memcpy(all + total, d, len);
		total += len;
		free(d);
	}
	plugtls_chain *ch = NULL;
	plugtls_err rc = plugtls_chain_parse(p, all, total, &ch);
	cr_assert_eq(rc, PLUGTLS_OK, "%s: chain_parse: %s (%s)", vc->name,
		     plugtls_err_string(rc), plugtls_thread_error()->message);
	free(all);
	return ch;
}

static plugtls_ctx *make_ctx(const plugtls_provider *p, const struct vcase *vc)
{
	char path[1024];
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;
	plugtls_err rc;

	cr_assert_eq(plugtls_config_new(PLUGTLS_CLIENT, &cfg), PLUGTLS_OK);
	const char *const def_roots[MAX_FILES] = {"ca.pem"};
	const char *const *roots = vc->roots[0] ? vc->roots : def_roots;
	for (size_t i = 0; i < MAX_FILES && roots[i]; i++) {
		fx_path(path, sizeof(path), roots[i]);
		rc = plugtls_config_add_ca_file(cfg, path);
		cr_assert_eq(rc, PLUGTLS_OK, "%s: add_ca_file %s: %s", vc->name,
			     roots[i], plugtls_config_error(cfg)->message);
	}
	for (size_t i = 0; i < MAX_FILES && vc->crls[i]; i++) {
		fx_path(path, sizeof(path), vc->crls[i]);
		rc = plugtls_config_add_crl_file(cfg, path);
		cr_assert_eq(rc, PLUGTLS_OK, "%s: add_crl_file %s: %s",
			     vc->name, vc->crls[i],
			     plugtls_config_error(cfg)->message);
	}
	if (vc->set_crl_mode) {
		rc = plugtls_config_set_crl_mode(cfg, vc->crl_mode);
		cr_assert_eq(rc, PLUGTLS_OK, "%s: set_crl_mode", vc->name);
	}
	if (vc->tmode == T_LEAF_NB) {
		int64_t t = fx_not_before(vc->leaf) + vc->toff;
		rc = plugtls_config_set_verify_time(cfg, t);
		cr_assert_eq(rc, PLUGTLS_OK, "%s: set_verify_time", vc->name);
	}
	if (vc->depth) {
		rc = plugtls_config_set_verify_depth(cfg, vc->depth);
		cr_assert_eq(rc, PLUGTLS_OK, "%s: set_verify_depth", vc->name);
	}
	rc = plugtls_ctx_new(p, cfg, &ctx);
	cr_assert_eq(rc, PLUGTLS_OK, "%s: ctx_new: %s (%s)", vc->name,
		     plugtls_err_string(rc),
		     plugtls_config_error(cfg)->message);
	plugtls_config_free(cfg);
	return ctx;
}

/* Rows verified at "now" assume the fixtures are recent: leaf-notyet
 * becomes valid 30 days after generation. Say so instead of failing
 * obscurely. */
static void check_fixtures_fresh(void)
{
	int64_t nb = fx_not_before("leaf-notyet.pem");
	cr_assert_gt(nb, (int64_t)time(NULL),
		     "fixtures in %s are stale (leaf-notyet.pem is valid "
		     "now): rebuild the plugtls_fixtures target",
		     PT_FIXTURE_DIR);
}

PT_PARAMS_CASES(verify, table, NCASES)
ParameterizedTest(struct pt_param *prm, verify, table)
{
	const struct vcase *vc = &cases[prm->idx];
	const plugtls_provider *p = pt_provider(prm->prov);
	char got[256], want[256];

	pt_require_caps(p, vc->caps);
	if (vc->tmode == T_NOW)
		check_fixtures_fresh();

	plugtls_ctx *ctx = make_ctx(p, vc);
	plugtls_chain *ch = load_chain(p, vc);
	uint32_t reasons = 0xdeadbeef;
	plugtls_err rc = plugtls_ctx_verify(
		ctx, ch, vc->host,
		vc->purpose ? vc->purpose : PLUGTLS_PURPOSE_SERVER, &reasons);
	cr_assert(rc == PLUGTLS_OK || rc == PLUGTLS_E_VERIFY,
		  "[%s] %s: ctx_verify failed to run: %s (%s)", prm->prov,
		  vc->name, plugtls_err_string(rc),
		  plugtls_thread_error()->message);
	cr_expect_eq(rc, vc->rc, "[%s] %s: return %s, expected %s", prm->prov,
		     vc->name, plugtls_err_string(rc),
		     plugtls_err_string(vc->rc));
	cr_expect_eq(reasons, vc->reasons,
		     "[%s] %s: reasons {%s}, expected {%s}", prm->prov,
		     vc->name, pt_reasons_str(reasons, got, sizeof(got)),
		     pt_reasons_str(vc->reasons, want, sizeof(want)));
	plugtls_chain_free(ch);
	plugtls_ctx_free(ctx);
}

/* ---- argument checks -------------------------------------------------- */

static void verify_setup(const plugtls_provider *p, plugtls_ctx **ctx,
			 plugtls_chain **ch)
{
	static const struct vcase vc = {
		.name = "setup", .leaf = "leaf-good.pem", .untrusted = {INT}};
	*ctx = make_ctx(p, &vc);
	*ch = load_chain(p, &vc);
}

PT_PARAMS_PROVIDERS(verify, bad_arguments)
ParameterizedTest(struct pt_param *prm, verify, bad_arguments)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	plugtls_ctx *ctx;
	plugtls_chain *ch;
	uint32_t r = 0x1234;

	verify_setup(p, &ctx, &ch);
	cr_expect_eq(plugtls_ctx_verify(NULL, ch, "localhost",
					PLUGTLS_PURPOSE_SERVER, &r),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_expect_eq(plugtls_ctx_verify(ctx, NULL, "localhost",
					PLUGTLS_PURPOSE_SERVER, &r),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_expect_eq(plugtls_ctx_verify(ctx, ch, "localhost",
					PLUGTLS_PURPOSE_SERVER, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_expect_eq(
		plugtls_ctx_verify(ctx, ch, "", PLUGTLS_PURPOSE_SERVER, &r),
		PLUGTLS_E_INVALID_ARGUMENT, "empty host");
	cr_expect_eq(plugtls_ctx_verify(ctx, ch, "localhost", 0, &r),
		     PLUGTLS_E_INVALID_ARGUMENT, "purpose 0");
	cr_expect_eq(plugtls_ctx_verify(ctx, ch, "localhost",
					PLUGTLS_PURPOSE_SERVER |
						PLUGTLS_PURPOSE_CLIENT,
					&r),
		     PLUGTLS_E_INVALID_ARGUMENT, "two purposes");
	cr_expect_eq(r, 0x1234u, "reasons written on an argument error");
	/* And the same context still verifies. */
	cr_expect_eq(plugtls_ctx_verify(ctx, ch, "localhost",
					PLUGTLS_PURPOSE_SERVER, &r),
		     PLUGTLS_OK);
	cr_expect_eq(r, 0u);
	plugtls_chain_free(ch);
	plugtls_ctx_free(ctx);
}

/* A chain parsed by one provider cannot be verified by another's context
 * (natives are provider objects). */
PT_PARAMS_PAIRS(verify, cross_provider_chain)
ParameterizedTest(struct pt_param *prm, verify, cross_provider_chain)
{
	if (!strcmp(prm->prov, prm->prov2))
		cr_skip_test("same provider");
	const plugtls_provider *p1 = pt_provider(prm->prov);
	const plugtls_provider *p2 = pt_provider(prm->prov2);
	static const struct vcase vc = {
		.name = "cross", .leaf = "leaf-good.pem", .untrusted = {INT}};
	plugtls_ctx *ctx = make_ctx(p1, &vc);
	plugtls_chain *ch = load_chain(p2, &vc);
	uint32_t r = 0;
	cr_expect_eq(plugtls_ctx_verify(ctx, ch, "localhost",
					PLUGTLS_PURPOSE_SERVER, &r),
		     PLUGTLS_E_INVALID_ARGUMENT);
	plugtls_chain_free(ch);
	plugtls_ctx_free(ctx);
}

/* Verifying the same chain twice on one context gives the same verdict
 * (no state kept between calls, e.g. in a provider's store). */
PT_PARAMS_PROVIDERS(verify, repeatable)
ParameterizedTest(struct pt_param *prm, verify, repeatable)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	static const struct vcase bad = {
		.name = "bad", .leaf = "leaf-expired.pem", .untrusted = {INT}};
	plugtls_ctx *ctx;
	plugtls_chain *good;
	verify_setup(p, &ctx, &good);
	plugtls_chain *expired = load_chain(p, &bad);
	for (int i = 0; i < 3; i++) {
		uint32_t r = 0xffff;
		cr_expect_eq(plugtls_ctx_verify(ctx, good, "localhost",
						PLUGTLS_PURPOSE_SERVER, &r),
			     PLUGTLS_OK, "round %d", i);
		cr_expect_eq(r, 0u, "round %d", i);
		r = 0;
		cr_expect_eq(plugtls_ctx_verify(ctx, expired, "localhost",
						PLUGTLS_PURPOSE_SERVER, &r),
			     PLUGTLS_E_VERIFY, "round %d", i);
		cr_expect_eq(r, PLUGTLS_VERIFY_EXPIRED, "round %d", i);
	}
	plugtls_chain_free(expired);
	plugtls_chain_free(good);
	plugtls_ctx_free(ctx);
}
