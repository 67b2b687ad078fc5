/*
 * SPKI SHA-256 pins ("sha256//BASE64", several separated by ';'): syntax
 * checks of plugtls_config_set_pins and enforcement by plugtls_ctx_verify,
 * on every provider. Expected pins come from plugtls_cert_pin() of the
 * fixtures, itself checked once against the pin the openssl command computed
 * (server-ec.pin, see gen-fixtures.sh).
 *
 * Rules fixed here: a pin matches any certificate of the verified chain
 * (leaf, intermediate or anchor) but not an extra certificate the peer sent
 * that is not part of that chain; spaces around ';' are allowed; with
 * plugtls_config_insecure_no_verify_chain the pins are checked against the
 * chain as sent and still fail closed.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cr_expect_str_eq that shows both strings, and fails (not crashes) on
 * NULL. The arguments after want are a printf format and its values. */
#define EXPECT_STR(got, want, ...)                                             \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		char m_[256];                                                  \
		snprintf(m_, sizeof(m_), __VA_ARGS__);                         \
		cr_expect(g_ != NULL && w_ != NULL && !strcmp(g_, w_),         \
			  "%s: \"%s\", expected \"%s\"", m_,                   \
			  g_ ? g_ : "(null)", w_ ? w_ : "(null)");             \
	} while (0)

static void fx_path(char *buf, size_t cap, const char *name)
{
	int w = snprintf(buf, cap, "%s/%s", PT_FIXTURE_DIR, name);
	cr_assert(w > 0 && (size_t)w < cap, "path too long: %s", name);
}

static plugtls_chain *load_path(const plugtls_provider *p, const char *path)
{
	plugtls_chain *ch = NULL;
	plugtls_err rc = plugtls_chain_load_file(p, path, &ch);
	cr_assert_eq(rc, PLUGTLS_OK, "chain_load_file %s: %s (%s)", path,
		     plugtls_err_string(rc), plugtls_thread_error()->message);
	return ch;
}

static plugtls_chain *load(const plugtls_provider *p, const char *name)
{
	char path[1024];
	fx_path(path, sizeof(path), name);
	return load_path(p, path);
}

/* plugtls_cert_pin() of the first certificate of a fixture. */
static char *pin_of(const plugtls_provider *p, const char *name)
{
	plugtls_chain *ch = load(p, name);
	const char *pin = plugtls_cert_pin(plugtls_chain_get(ch, 0));
	cr_assert_not_null(pin, "pin of %s", name);
	char *copy = strdup(pin);
	cr_assert_not_null(copy);
	plugtls_chain_free(ch);
	return copy;
}

/* A pin that matches nothing: the SHA-256 of no fixture, valid syntax. */
#define PIN_NOWHERE "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

enum { CHAIN_VERIFIED = 0, CHAIN_UNVERIFIED = 1 };

/* Verify the chain in file chain_path for localhost with roots ca.pem and
 * the given pins; returns the code and sets *reasons. */
static plugtls_err verify_with_pins(const plugtls_provider *p,
				    const char *chain_path, const char *pins,
				    int unverified, uint32_t *reasons)
{
	char path[1024];
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;
	plugtls_err rc;

	cr_assert_eq(plugtls_config_new(PLUGTLS_CLIENT, &cfg), PLUGTLS_OK);
	fx_path(path, sizeof(path), "ca.pem");
	cr_assert_eq(plugtls_config_add_ca_file(cfg, path), PLUGTLS_OK);
	rc = plugtls_config_set_pins(cfg, pins);
	cr_assert_eq(rc, PLUGTLS_OK, "set_pins \"%s\": %s (%s)",
		     pins ? pins : "(null)", plugtls_err_string(rc),
		     plugtls_config_error(cfg)->message);
	if (unverified)
		cr_assert_eq(plugtls_config_insecure_no_verify_chain(cfg),
			     PLUGTLS_OK);
	rc = plugtls_ctx_new(p, cfg, &ctx);
	cr_assert_eq(rc, PLUGTLS_OK, "ctx_new: %s",
		     plugtls_config_error(cfg)->message);
	plugtls_config_free(cfg);

	plugtls_chain *ch = load_path(p, chain_path);
	*reasons = 0xdeadbeef;
	rc = plugtls_ctx_verify(ctx, ch, "localhost", PLUGTLS_PURPOSE_SERVER,
				reasons);
	cr_assert(rc == PLUGTLS_OK || rc == PLUGTLS_E_VERIFY,
		  "ctx_verify did not run: %s (%s)", plugtls_err_string(rc),
		  plugtls_thread_error()->message);
	plugtls_chain_free(ch);
	plugtls_ctx_free(ctx);
	return rc;
}

static void expect_verdict(const char *what, plugtls_err rc, uint32_t reasons,
			   plugtls_err want_rc, uint32_t want)
{
	char a[128], b[128];
	cr_expect_eq(rc, want_rc, "%s: %s, expected %s", what,
		     plugtls_err_string(rc), plugtls_err_string(want_rc));
	cr_expect_eq(reasons, want, "%s: {%s}, expected {%s}", what,
		     pt_reasons_str(reasons, a, sizeof(a)),
		     pt_reasons_str(want, b, sizeof(b)));
}

/* plugtls_cert_pin() agrees with `openssl pkey | openssl dgst -sha256`. */
PT_PARAMS_PROVIDERS(pin, matches_openssl_command)
ParameterizedTest(struct pt_param *prm, pin, matches_openssl_command)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	size_t len;
	unsigned char *want = pt_read_fixture(FIXTURE("server-ec.pin"), &len);
	char *got = pin_of(p, "server-ec.pem");
	EXPECT_STR(got, (char *)want, "pin of server-ec.pem");
	cr_expect_eq(strlen(got), 8u + 44u);
	free(got);
	free(want);
}

/* ---- enforcement ------------------------------------------------------- */

struct pcase {
	const char *name;
	const char *chain;      /* fixture sent by the peer */
	const char *pin_src[3]; /* fixtures whose pins are set, in order */
	const char *extra;      /* a literal pin put first, or NULL */
	const char *sep;        /* separator (default ";") */
	int unverified;
	plugtls_err rc;
	uint32_t reasons;
};

/* clang-format off */
static const struct pcase pcases[] = {
	{ "leaf", "server-ec-chain.pem", { "server-ec.pem" }, .rc = PLUGTLS_OK },
	{ "intermediate", "server-ec-chain.pem", { "int.pem" },
	  .rc = PLUGTLS_OK },
	/* The root is not sent by the peer but is part of the verified
	 * chain. */
	{ "root", "server-ec-chain.pem", { "ca.pem" }, .rc = PLUGTLS_OK },
	{ "no-match", "server-ec-chain.pem", { "other-ca.pem" },
	  .rc = PLUGTLS_E_VERIFY, .reasons = PLUGTLS_VERIFY_PIN },
	{ "no-match-literal", "server-ec-chain.pem", { NULL },
	  .extra = PIN_NOWHERE, .rc = PLUGTLS_E_VERIFY,
	  .reasons = PLUGTLS_VERIFY_PIN },
	{ "several-one-matching", "server-ec-chain.pem",
	  { "other-ca.pem", "server-ec.pem", "client.pem" },
	  .extra = PIN_NOWHERE, .rc = PLUGTLS_OK },
	{ "several-none-matching", "server-ec-chain.pem",
	  { "other-ca.pem", "client.pem", "server-rsa.pem" },
	  .rc = PLUGTLS_E_VERIFY, .reasons = PLUGTLS_VERIFY_PIN },
	{ "spaces-around-separator", "server-ec-chain.pem",
	  { "other-ca.pem", "int.pem" }, .extra = PIN_NOWHERE, .sep = " ; ",
	  .rc = PLUGTLS_OK },
	{ "space-after-separator", "server-ec-chain.pem",
	  { "other-ca.pem", "server-ec.pem" }, .sep = "; ", .rc = PLUGTLS_OK },
	/* Pins match only the verified chain: an unrelated certificate the
	 * peer sends along must not satisfy a pin. */
	{ "extra-sent-cert-does-not-count", "pin-extra-chain",
	  { "other-ca.pem" }, .rc = PLUGTLS_E_VERIFY,
	  .reasons = PLUGTLS_VERIFY_PIN },
	/* Chain verification off: no UNKNOWN_ISSUER, but pins still
	 * enforced on the chain as sent. */
	{ "unverified/unknown-issuer-pinned", "leaf-unknown.pem",
	  { "leaf-unknown.pem" }, .unverified = CHAIN_UNVERIFIED,
	  .rc = PLUGTLS_OK },
	{ "unverified/unknown-issuer-not-pinned", "leaf-unknown.pem",
	  { "server-ec.pem" }, .unverified = CHAIN_UNVERIFIED,
	  .rc = PLUGTLS_E_VERIFY, .reasons = PLUGTLS_VERIFY_PIN },
	{ "unverified/issuer-not-sent", "leaf-unknown.pem",
	  { "unknown-ca.pem" }, .unverified = CHAIN_UNVERIFIED,
	  .rc = PLUGTLS_E_VERIFY, .reasons = PLUGTLS_VERIFY_PIN },
	{ "unverified/good-chain-int-pinned", "server-ec-chain.pem",
	  { "int.pem" }, .unverified = CHAIN_UNVERIFIED, .rc = PLUGTLS_OK },
};
/* clang-format on */

#define NPCASES (sizeof(pcases) / sizeof(pcases[0]))

PT_PARAMS_CASES(pin, enforce, NPCASES)
ParameterizedTest(struct pt_param *prm, pin, enforce)
{
	const struct pcase *pc = &pcases[prm->idx];
	const plugtls_provider *p = pt_provider(prm->prov);
	const char *sep = pc->sep ? pc->sep : ";";
	char pins[1024] = "", what[128];
	size_t off = 0;

	if (pc->extra)
		off += (size_t)snprintf(pins + off, sizeof(pins) - off, "%s",
					pc->extra);
	for (size_t i = 0; i < 3 && pc->pin_src[i]; i++) {
		char *pin = pin_of(p, pc->pin_src[i]);
		off += (size_t)snprintf(pins + off, sizeof(pins) - off, "%s%s",
					off ? sep : "", pin);
		free(pin);
	}
	cr_assert(off > 0 && off < sizeof(pins));

	char path[1024], tmp[] = "/tmp/plugtls-pin-XXXXXX";
	int is_tmp = !strcmp(pc->chain, "pin-extra-chain");
	if (is_tmp) {
		/* server-ec, int, then other-ca (not part of the path). */
		size_t l1, l2;
		unsigned char *a =
			pt_read_fixture(FIXTURE("server-ec-chain.pem"), &l1);
		unsigned char *b =
			pt_read_fixture(FIXTURE("other-ca.pem"), &l2);
		int fd = mkstemp(tmp);
		cr_assert(fd >= 0);
		FILE *f = fdopen(fd, "wb");
		cr_assert_not_null(f);
		cr_assert_eq(fwrite(a, 1, l1, f), l1);
		cr_assert_eq(fwrite(b, 1, l2, f), l2);
		cr_assert_eq(fclose(f), 0);
		free(a);
		free(b);
		snprintf(path, sizeof(path), "%s", tmp);
	} else {
		fx_path(path, sizeof(path), pc->chain);
	}

	uint32_t reasons;
	plugtls_err rc =
		verify_with_pins(p, path, pins, pc->unverified, &reasons);
	if (is_tmp)
		unlink(tmp);
	snprintf(what, sizeof(what), "[%s] %s", prm->prov, pc->name);
	expect_verdict(what, rc, reasons, pc->rc, pc->reasons);
}

/* Clearing the pins (NULL) turns pinning off again. */
PT_PARAMS_PROVIDERS(pin, clear)
ParameterizedTest(struct pt_param *prm, pin, clear)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;
	uint32_t r = 0xffff;

	cr_assert_eq(plugtls_config_new(PLUGTLS_CLIENT, &cfg), PLUGTLS_OK);
	cr_assert_eq(plugtls_config_add_ca_file(cfg, FIXTURE("ca.pem")),
		     PLUGTLS_OK);
	cr_assert_eq(plugtls_config_set_pins(cfg, PIN_NOWHERE), PLUGTLS_OK);
	cr_assert_eq(plugtls_config_set_pins(cfg, NULL), PLUGTLS_OK);
	cr_assert_eq(plugtls_ctx_new(p, cfg, &ctx), PLUGTLS_OK);
	plugtls_config_free(cfg);
	plugtls_chain *ch = load(p, "server-ec-chain.pem");
	cr_expect_eq(plugtls_ctx_verify(ctx, ch, "localhost",
					PLUGTLS_PURPOSE_SERVER, &r),
		     PLUGTLS_OK);
	cr_expect_eq(r, 0u);
	plugtls_chain_free(ch);
	plugtls_ctx_free(ctx);
}

/* A pin failure adds to the other reasons; it does not replace them. */
PT_PARAMS_PROVIDERS(pin, adds_to_other_reasons)
ParameterizedTest(struct pt_param *prm, pin, adds_to_other_reasons)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	uint32_t r;
	plugtls_err rc = verify_with_pins(p, FIXTURE("leaf-unknown.pem"),
					  PIN_NOWHERE, CHAIN_VERIFIED, &r);
	expect_verdict("unknown issuer + pin", rc, r, PLUGTLS_E_VERIFY,
		       PLUGTLS_VERIFY_UNKNOWN_ISSUER | PLUGTLS_VERIFY_PIN);
}

/* ---- syntax -----------------------------------------------------------------
 */

/* clang-format off */
static const char *const bad_pins[] = {
	"",
	";",
	" ",
	/* missing prefix */
	"c+ZiS2PmXXu++sOm6I62TD48VTzljIAQ6kVs41/Fq9I=",
	/* unknown or misspelt hash */
	"sha1//c+ZiS2PmXXu++sOm6I62TD48VTzljIAQ6kVs41/Fq9I=",
	"sha384//c+ZiS2PmXXu++sOm6I62TD48VTzljIAQ6kVs41/Fq9I=",
	"sha256/c+ZiS2PmXXu++sOm6I62TD48VTzljIAQ6kVs41/Fq9I=",
	"sha256:c+ZiS2PmXXu++sOm6I62TD48VTzljIAQ6kVs41/Fq9I=",
	/* empty value */
	"sha256//",
	/* bad base64: character outside the alphabet, URL-safe alphabet,
	 * missing padding, padding in the middle */
	"sha256//c+ZiS2PmXXu++sOm6I62TD48VTzljIAQ6kVs41/Fq9!=",
	"sha256//c-ZiS2PmXXu__sOm6I62TD48VTzljIAQ6kVs41_Fq9I=",
	"sha256//c+ZiS2PmXXu++sOm6I62TD48VTzljIAQ6kVs41/Fq9I",
	"sha256//c+ZiS2PmXXu++sOm6I6=TD48VTzljIAQ6kVs41/Fq9I=",
	/* wrong length: 16 and 48 bytes */
	"sha256//AAAAAAAAAAAAAAAAAAAAAA==",
	"sha256//"
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	/* empty items */
	PIN_NOWHERE ";",
	PIN_NOWHERE ";;",
	PIN_NOWHERE ";;" PIN_NOWHERE,
	";" PIN_NOWHERE,
	/* a good pin next to a bad one */
	PIN_NOWHERE ";sha1//c+ZiS2PmXXu++sOm6I62TD48VTzljIAQ6kVs41/Fq9I=",
	/* two pins with no separator, or the wrong one */
	PIN_NOWHERE PIN_NOWHERE,
	PIN_NOWHERE "," PIN_NOWHERE,
};
/* clang-format on */

#define NBAD (sizeof(bad_pins) / sizeof(bad_pins[0]))

/* set_pins is provider-independent, but the parameterisation keeps one
 * shape for every test in the suite. */
PT_PARAMS_CASES(pin, malformed, NBAD)
ParameterizedTest(struct pt_param *prm, pin, malformed)
{
	const char *bad = bad_pins[prm->idx];
	plugtls_config *cfg = NULL;
	cr_assert_eq(plugtls_config_new(PLUGTLS_CLIENT, &cfg), PLUGTLS_OK);
	plugtls_err rc = plugtls_config_set_pins(cfg, bad);
	cr_expect_eq(rc, PLUGTLS_E_INVALID_ARGUMENT,
		     "pin \"%s\": %s, expected invalid argument", bad,
		     plugtls_err_string(rc));
	/* The message must not be empty. */
	cr_expect_neq(plugtls_config_error(cfg)->message[0], 0,
		      "no message for \"%s\"", bad);
	plugtls_config_free(cfg);
}

/* A rejected pin list leaves the previous pins in force (setters copy, and
 * a failed setter changes nothing). */
PT_PARAMS_PROVIDERS(pin, failed_set_keeps_previous)
ParameterizedTest(struct pt_param *prm, pin, failed_set_keeps_previous)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;
	uint32_t r = 0;

	cr_assert_eq(plugtls_config_new(PLUGTLS_CLIENT, &cfg), PLUGTLS_OK);
	cr_assert_eq(plugtls_config_add_ca_file(cfg, FIXTURE("ca.pem")),
		     PLUGTLS_OK);
	cr_assert_eq(plugtls_config_set_pins(cfg, PIN_NOWHERE), PLUGTLS_OK);
	cr_assert_eq(plugtls_config_set_pins(cfg, "sha1//AAAA"),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_ctx_new(p, cfg, &ctx), PLUGTLS_OK, "%s",
		     plugtls_config_error(cfg)->message);
	plugtls_config_free(cfg);
	plugtls_chain *ch = load(p, "server-ec-chain.pem");
	plugtls_err rc = plugtls_ctx_verify(ctx, ch, "localhost",
					    PLUGTLS_PURPOSE_SERVER, &r);
	expect_verdict("previous pin kept", rc, r, PLUGTLS_E_VERIFY,
		       PLUGTLS_VERIFY_PIN);
	plugtls_chain_free(ch);
	plugtls_ctx_free(ctx);
}
