/*
 * Private keys (plugtls_key_load) and PKCS#12 (import, export), on every
 * provider. Fixtures: gen-fixtures.sh.
 *
 * Decisions fixed here for every provider:
 *  - A password given for an unencrypted key is ignored (the key loads):
 *    applications pass one password for files that may or may not be
 *    encrypted.
 *  - A missing password for an encrypted key is PLUGTLS_E_BAD_PASSWORD,
 *    like a wrong one.
 *  - PKCS#12: a bundle whose MAC does not verify is
 *    PLUGTLS_E_BAD_PASSWORD, whether the password is wrong or a byte of the
 *    MAC-protected content changed (p12-corrupt-mac.p12): the MAC cannot
 *    tell the two apart, and telling a user "wrong password" for a damaged
 *    file is the lesser evil than telling them "damaged" for a typo. A
 *    bundle whose DER does not parse (p12-corrupt-der.p12, or truncated)
 *    is PLUGTLS_E_MALFORMED: that is decided before any password is used.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

static unsigned char *read_fx(const char *name, size_t *len)
{
	char path[1024];
	fx_path(path, sizeof(path), name);
	return pt_read_fixture(path, len);
}

/* The password files hold no newline: read as a C string. */
static char *password_of(const char *file)
{
	size_t len;
	return (char *)read_fx(file, &len);
}

/* ---- private keys ------------------------------------------------------ */

#define KEY_PW "key-password.txt" /* sentinel: use the right password */
/* Unlike any word a message may hold, so that the check that no message
 * contains the password cannot match by chance. */
#define WRONG_PW "Xq7-not-it-9Zr"

struct kcase {
	const char *name;
	const char *file;
	const char *password; /* NULL, KEY_PW or a literal */
	size_t truncate;      /* > 0: keep only this many bytes */
	uint64_t caps;
	plugtls_err rc;
	const char *type;
	unsigned bits;
};

/* clang-format off */
static const struct kcase kcases[] = {
	{ "ec/pkcs8-pem", "server-ec.key", NULL, 0, 0, PLUGTLS_OK, "EC", 256 },
	{ "ec/pkcs8-der", "server-ec.key.der", NULL, 0, 0, PLUGTLS_OK, "EC",
	  256 },
	{ "ec/traditional-pem", "server-ec.trad.key", NULL, 0, 0, PLUGTLS_OK,
	  "EC", 256 },
	{ "rsa/pkcs8-pem", "server-rsa.key", NULL, 0, PLUGTLS_CAP_RSA,
	  PLUGTLS_OK, "RSA", 2048 },
	{ "rsa/pkcs8-der", "server-rsa.key.der", NULL, 0, PLUGTLS_CAP_RSA,
	  PLUGTLS_OK, "RSA", 2048 },
	{ "rsa/traditional-pem", "server-rsa.trad.key", NULL, 0,
	  PLUGTLS_CAP_RSA, PLUGTLS_OK, "RSA", 2048 },
	{ "rsa/1024", "leaf-rsa1024.key", NULL, 0, PLUGTLS_CAP_RSA, PLUGTLS_OK,
	  "RSA", 1024 },
	{ "ed25519/pkcs8-pem", "server-ed25519.key", NULL, 0,
	  PLUGTLS_CAP_ED25519, PLUGTLS_OK, "ED25519", 256 },
	{ "ed25519/pkcs8-der", "server-ed25519.key.der", NULL, 0,
	  PLUGTLS_CAP_ED25519, PLUGTLS_OK, "ED25519", 256 },
	{ "unencrypted-with-password", "server-ec.key", WRONG_PW, 0, 0,
	  PLUGTLS_OK, "EC", 256 },

	{ "encrypted-pkcs8/right-password", "server-ec-enc.key", KEY_PW, 0,
	  PLUGTLS_CAP_ENCRYPTED_KEYS, PLUGTLS_OK, "EC", 256 },
	{ "encrypted-pkcs8/wrong-password", "server-ec-enc.key", WRONG_PW, 0,
	  PLUGTLS_CAP_ENCRYPTED_KEYS, PLUGTLS_E_BAD_PASSWORD, NULL, 0 },
	{ "encrypted-pkcs8/missing-password", "server-ec-enc.key", NULL, 0,
	  PLUGTLS_CAP_ENCRYPTED_KEYS, PLUGTLS_E_BAD_PASSWORD, NULL, 0 },
	{ "encrypted-pkcs8/empty-password", "server-ec-enc.key", "", 0,
	  PLUGTLS_CAP_ENCRYPTED_KEYS, PLUGTLS_E_BAD_PASSWORD, NULL, 0 },
	{ "encrypted-traditional/right-password", "server-rsa-enc.trad.key",
	  KEY_PW, 0, PLUGTLS_CAP_ENCRYPTED_KEYS | PLUGTLS_CAP_RSA, PLUGTLS_OK,
	  "RSA", 2048 },
	{ "encrypted-traditional/wrong-password", "server-rsa-enc.trad.key",
	  WRONG_PW, 0, PLUGTLS_CAP_ENCRYPTED_KEYS | PLUGTLS_CAP_RSA,
	  PLUGTLS_E_BAD_PASSWORD, NULL, 0 },
	{ "encrypted-traditional/missing-password", "server-rsa-enc.trad.key",
	  NULL, 0, PLUGTLS_CAP_ENCRYPTED_KEYS | PLUGTLS_CAP_RSA,
	  PLUGTLS_E_BAD_PASSWORD, NULL, 0 },

	{ "truncated-pem", "server-ec.key", NULL, 100, 0, PLUGTLS_E_MALFORMED,
	  NULL, 0 },
	{ "truncated-der", "server-ec.key.der", NULL, 60, 0,
	  PLUGTLS_E_MALFORMED, NULL, 0 },
	{ "truncated-encrypted", "server-ec-enc.key", KEY_PW, 150,
	  PLUGTLS_CAP_ENCRYPTED_KEYS, PLUGTLS_E_MALFORMED, NULL, 0 },
	{ "certificate-not-key", "server-ec.pem", NULL, 0, 0,
	  PLUGTLS_E_MALFORMED, NULL, 0 },
	{ "public-key-not-private", "server-ec.pub.pem", NULL, 0, 0,
	  PLUGTLS_E_MALFORMED, NULL, 0 },
	{ "certificate-der-not-key", "server-ec.der", NULL, 0, 0,
	  PLUGTLS_E_MALFORMED, NULL, 0 },
	{ "password-file-not-key", "psk-identity.txt", NULL, 0, 0,
	  PLUGTLS_E_MALFORMED, NULL, 0 },
	{ "random-bytes", "psk.bin", NULL, 0, 0, PLUGTLS_E_MALFORMED, NULL, 0 },
};
/* clang-format on */

#define NKCASES (sizeof(kcases) / sizeof(kcases[0]))

PT_PARAMS_CASES(key, load, NKCASES)
ParameterizedTest(struct pt_param *prm, key, load)
{
	const struct kcase *kc = &kcases[prm->idx];
	const plugtls_provider *p = pt_provider(prm->prov);
	char *pw = NULL;
	size_t len;

	pt_require_caps(p, kc->caps);
	unsigned char *data = read_fx(kc->file, &len);
	if (kc->truncate) {
		cr_assert_lt(kc->truncate, len, "%s: fixture too short",
			     kc->name);
		len = kc->truncate;
	}
	const char *password = kc->password;
	if (password && !strcmp(password, KEY_PW))
		password = pw = password_of(KEY_PW);

	plugtls_key *k = NULL;
	plugtls_err rc = plugtls_key_load(p, data, len, password, &k);
	cr_expect_eq(rc, kc->rc, "[%s] %s: %s, expected %s (%s)", prm->prov,
		     kc->name, plugtls_err_string(rc),
		     plugtls_err_string(kc->rc),
		     plugtls_thread_error()->message);
	if (rc == PLUGTLS_OK && kc->rc == PLUGTLS_OK) {
		cr_assert_not_null(k);
		EXPECT_STR(plugtls_key_type(k), kc->type, "%s: type", kc->name);
		cr_expect_eq(plugtls_key_bits(k), kc->bits,
			     "%s: %u bits, expected %u", kc->name,
			     plugtls_key_bits(k), kc->bits);
	} else if (rc != PLUGTLS_OK) {
		cr_expect_null(k, "%s: out written on failure", kc->name);
		cr_expect_eq(plugtls_thread_error()->code, rc,
			     "%s: thread error not recorded", kc->name);
		/* Never the password in a message. */
		if (password && *password)
			cr_expect_null(strstr(plugtls_thread_error()->message,
					      password),
				       "%s: the password is in the message",
				       kc->name);
	}
	plugtls_key_free(k);
	free(pw);
	free(data);
}

PT_PARAMS_PROVIDERS(key, load_file)
ParameterizedTest(struct pt_param *prm, key, load_file)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	plugtls_key *k = NULL;

	cr_assert_eq(
		plugtls_key_load_file(p, FIXTURE("server-ec.key"), NULL, &k),
		PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	EXPECT_STR(plugtls_key_type(k), "EC", "key type");
	plugtls_key_free(k);
	k = NULL;

	plugtls_err rc =
		plugtls_key_load_file(p, FIXTURE("no-such.key"), NULL, &k);
	cr_expect_eq(rc, PLUGTLS_E_NOT_FOUND, "missing file: %s",
		     plugtls_err_string(rc));
	cr_expect_null(k);

	if (plugtls_provider_caps(p) & PLUGTLS_CAP_ENCRYPTED_KEYS) {
		char *pw = password_of(KEY_PW);
		cr_expect_eq(plugtls_key_load_file(
				     p, FIXTURE("server-ec-enc.key"), pw, &k),
			     PLUGTLS_OK, "%s", plugtls_thread_error()->message);
		cr_expect_eq(plugtls_key_bits(k), 256u);
		plugtls_key_free(k);
		k = NULL;
		cr_expect_eq(plugtls_key_load_file(p,
						   FIXTURE("server-ec-enc.key"),
						   WRONG_PW, &k),
			     PLUGTLS_E_BAD_PASSWORD);
		cr_expect_null(k);
		free(pw);
	}
}

PT_PARAMS_PROVIDERS(key, bad_arguments)
ParameterizedTest(struct pt_param *prm, key, bad_arguments)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	size_t len;
	unsigned char *d = read_fx("server-ec.key", &len);
	plugtls_key *k = NULL;

	cr_expect_eq(plugtls_key_load(p, NULL, len, NULL, &k),
		     PLUGTLS_E_INVALID_ARGUMENT, "NULL data");
	cr_expect_eq(plugtls_key_load(p, d, 0, NULL, &k),
		     PLUGTLS_E_INVALID_ARGUMENT, "empty data");
	cr_expect_eq(plugtls_key_load(p, d, len, NULL, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT, "NULL out");
	cr_expect_eq(plugtls_key_load(NULL, d, len, NULL, &k),
		     PLUGTLS_E_INVALID_ARGUMENT, "NULL provider");
	cr_expect_eq(plugtls_key_load_file(p, NULL, NULL, &k),
		     PLUGTLS_E_INVALID_ARGUMENT, "NULL path");
	cr_expect_null(k);
	static const char garbage[] = "not a key at all\n";
	cr_expect_eq(
		plugtls_key_load(p, garbage, sizeof(garbage) - 1, NULL, &k),
		PLUGTLS_E_MALFORMED, "text garbage");
	cr_expect_null(k);
	free(d);
}

/* ---- PKCS#12 import
 * ----------------------------------------------------------- */

#define P12_PW "p12-password.txt" /* sentinel: use the right password */

struct pcase {
	const char *name;
	const char *file;
	const char *password; /* NULL, P12_PW or a literal */
	size_t truncate;      /* > 0: keep only this many bytes */
	uint64_t caps;
	plugtls_err rc;
};

/* clang-format off */
static const struct pcase pcases[] = {
	{ "good", "server-ec.p12", P12_PW, 0, PLUGTLS_CAP_PKCS12_IMPORT,
	  PLUGTLS_OK },
	{ "legacy", "server-ec-legacy.p12", P12_PW, 0,
	  PLUGTLS_CAP_PKCS12_IMPORT | PLUGTLS_CAP_PKCS12_LEGACY, PLUGTLS_OK },
	{ "wrong-password", "server-ec.p12", WRONG_PW, 0,
	  PLUGTLS_CAP_PKCS12_IMPORT, PLUGTLS_E_BAD_PASSWORD },
	{ "missing-password", "server-ec.p12", NULL, 0,
	  PLUGTLS_CAP_PKCS12_IMPORT, PLUGTLS_E_BAD_PASSWORD },
	{ "legacy-wrong-password", "server-ec-legacy.p12", WRONG_PW, 0,
	  PLUGTLS_CAP_PKCS12_IMPORT | PLUGTLS_CAP_PKCS12_LEGACY,
	  PLUGTLS_E_BAD_PASSWORD },
	{ "truncated-half", "server-ec.p12", P12_PW, 1,
	  PLUGTLS_CAP_PKCS12_IMPORT, PLUGTLS_E_MALFORMED },
	{ "truncated-last-byte", "server-ec.p12", P12_PW, 2,
	  PLUGTLS_CAP_PKCS12_IMPORT, PLUGTLS_E_MALFORMED },
	{ "corrupt-mac-protected-content", "p12-corrupt-mac.p12", P12_PW, 0,
	  PLUGTLS_CAP_PKCS12_IMPORT, PLUGTLS_E_BAD_PASSWORD },
	{ "corrupt-outer-der", "p12-corrupt-der.p12", P12_PW, 0,
	  PLUGTLS_CAP_PKCS12_IMPORT, PLUGTLS_E_MALFORMED },
	{ "no-key", "nokey.p12", P12_PW, 0, PLUGTLS_CAP_PKCS12_IMPORT,
	  PLUGTLS_E_NO_KEY },
	{ "a-certificate-not-a-bundle", "server-ec.der", P12_PW, 0,
	  PLUGTLS_CAP_PKCS12_IMPORT, PLUGTLS_E_MALFORMED },
	{ "pem-not-der", "server-ec.pem", P12_PW, 0, PLUGTLS_CAP_PKCS12_IMPORT,
	  PLUGTLS_E_MALFORMED },
	{ "random-bytes", "psk.bin", P12_PW, 0, PLUGTLS_CAP_PKCS12_IMPORT,
	  PLUGTLS_E_MALFORMED },
};
/* clang-format on */

#define NPCASES (sizeof(pcases) / sizeof(pcases[0]))

static void expect_server_ec_bundle(const plugtls_key *k,
				    const plugtls_chain *ch, const char *what)
{
	cr_assert_not_null(k);
	cr_assert_not_null(ch);
	EXPECT_STR(plugtls_key_type(k), "EC", "%s: key type", what);
	cr_expect_eq(plugtls_key_bits(k), 256u, "%s: key bits", what);
	cr_assert_eq(plugtls_chain_count(ch), 2u, "%s: %zu certificates", what,
		     plugtls_chain_count(ch));
	const plugtls_cert *leaf = plugtls_chain_get(ch, 0);
	const plugtls_cert *ca = plugtls_chain_get(ch, 1);
	EXPECT_STR(plugtls_cert_subject(leaf), "CN=localhost", "%s: leaf first",
		   what);
	EXPECT_STR(plugtls_cert_subject(ca),
		   "CN=plugtls Test Intermediate CA,O=plugtls test,C=GB",
		   "%s: then the intermediate", what);
	size_t len;
	unsigned char *fp = read_fx("server-ec.sha256", &len);
	EXPECT_STR(plugtls_cert_fingerprint_sha256(leaf), (char *)fp,
		   "%s: leaf fingerprint", what);
	free(fp);
}

PT_PARAMS_CASES(pkcs12, import, NPCASES)
ParameterizedTest(struct pt_param *prm, pkcs12, import)
{
	const struct pcase *pc = &pcases[prm->idx];
	const plugtls_provider *p = pt_provider(prm->prov);
	char *pw = NULL;
	size_t len;

	pt_require_caps(p, pc->caps);
	unsigned char *data = read_fx(pc->file, &len);
	if (pc->truncate == 1)
		len /= 2;
	else if (pc->truncate == 2)
		len -= 1;
	const char *password = pc->password;
	if (password && !strcmp(password, P12_PW))
		password = pw = password_of(P12_PW);

	plugtls_key *k = NULL;
	plugtls_chain *ch = NULL;
	plugtls_err rc = plugtls_pkcs12_import(p, data, len, password, &k, &ch);
	cr_expect_eq(rc, pc->rc, "[%s] %s: %s, expected %s (%s)", prm->prov,
		     pc->name, plugtls_err_string(rc),
		     plugtls_err_string(pc->rc),
		     plugtls_thread_error()->message);
	if (rc == PLUGTLS_OK && pc->rc == PLUGTLS_OK) {
		expect_server_ec_bundle(k, ch, pc->name);
	} else if (rc != PLUGTLS_OK) {
		cr_expect_null(k, "%s: key written on failure", pc->name);
		cr_expect_null(ch, "%s: chain written on failure", pc->name);
		cr_expect_eq(plugtls_thread_error()->code, rc);
		if (password && *password)
			cr_expect_null(strstr(plugtls_thread_error()->message,
					      password),
				       "%s: the password is in the message",
				       pc->name);
	}
	plugtls_key_free(k);
	plugtls_chain_free(ch);
	free(pw);
	free(data);
}

/* A provider without PKCS#12 import says so. */
PT_PARAMS_PROVIDERS(pkcs12, unsupported_says_so)
ParameterizedTest(struct pt_param *prm, pkcs12, unsupported_says_so)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	if (plugtls_provider_caps(p) & PLUGTLS_CAP_PKCS12_IMPORT)
		cr_skip_test("provider %s has %s", prm->prov,
			     plugtls_cap_name(PLUGTLS_CAP_PKCS12_IMPORT));
	size_t len;
	unsigned char *data = read_fx("server-ec.p12", &len);
	char *pw = password_of(P12_PW);
	plugtls_key *k = NULL;
	plugtls_chain *ch = NULL;
	cr_expect_eq(plugtls_pkcs12_import(p, data, len, pw, &k, &ch),
		     PLUGTLS_E_UNSUPPORTED);
	free(pw);
	free(data);
}

/* ---- PKCS#12 export
 * ----------------------------------------------------------- */

/* Run a shell command (fixed strings and our own temp paths only). */
static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

PT_PARAMS_PROVIDERS(pkcs12, export_roundtrip)
ParameterizedTest(struct pt_param *prm, pkcs12, export_roundtrip)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	pt_require_caps(p,
			PLUGTLS_CAP_PKCS12_IMPORT | PLUGTLS_CAP_PKCS12_EXPORT);
	static const char export_pw[] = "export pass 2";
	size_t len;
	unsigned char *data = read_fx("server-ec.p12", &len);
	char *pw = password_of(P12_PW);
	plugtls_key *k = NULL, *k2 = NULL;
	plugtls_chain *ch = NULL, *ch2 = NULL;
	unsigned char *out = NULL;
	size_t out_len = 0;

	cr_assert_eq(plugtls_pkcs12_import(p, data, len, pw, &k, &ch),
		     PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	plugtls_err rc = plugtls_pkcs12_export(p, k, ch, export_pw, "plugtls",
					       &out, &out_len);
	cr_assert_eq(rc, PLUGTLS_OK, "export: %s (%s)", plugtls_err_string(rc),
		     plugtls_thread_error()->message);
	cr_assert_not_null(out);
	cr_assert_gt(out_len, 0u);

	/* Back through plugtls. */
	rc = plugtls_pkcs12_import(p, out, out_len, export_pw, &k2, &ch2);
	cr_assert_eq(rc, PLUGTLS_OK, "re-import: %s (%s)",
		     plugtls_err_string(rc), plugtls_thread_error()->message);
	expect_server_ec_bundle(k2, ch2, "re-imported export");
	plugtls_key_free(k2);
	plugtls_chain_free(ch2);
	k2 = NULL;
	ch2 = NULL;
	cr_expect_eq(
		plugtls_pkcs12_import(p, out, out_len, WRONG_PW, &k2, &ch2),
		PLUGTLS_E_BAD_PASSWORD, "export opened with a wrong password");

	/* And through the openssl command, to prove it is a real PKCS#12:
	 * MAC, key and both certificates. The password goes through a file,
	 * never the command line. -legacy is tried second for providers
	 * whose strongest cipher is an old one. */
	char dir[] = "/tmp/plugtls-p12-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char p12[128], pwf[128], pem[128], cmd[1024];
	snprintf(p12, sizeof(p12), "%s/x.p12", dir);
	snprintf(pwf, sizeof(pwf), "%s/pw", dir);
	snprintf(pem, sizeof(pem), "%s/out.pem", dir);
	FILE *f = fopen(p12, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(out, 1, out_len, f), out_len);
	cr_assert_eq(fclose(f), 0);
	f = fopen(pwf, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(export_pw, 1, strlen(export_pw), f),
		     strlen(export_pw));
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "openssl pkcs12 -in '%s' -passin 'file:%s' -nodes -out '%s' "
		 ">/dev/null 2>&1 || openssl pkcs12 -legacy -in '%s' "
		 "-passin 'file:%s' -nodes -out '%s' >/dev/null 2>&1",
		 p12, pwf, pem, p12, pwf, pem);
	int st = run(cmd);
	cr_expect_eq(st, 0, "openssl pkcs12 could not read the export");
	if (st == 0) {
		size_t plen;
		unsigned char *txt = pt_read_fixture(pem, &plen);
		int ncert = 0, nkey = 0;
		for (char *s = (char *)txt;
		     (s = strstr(s, "-----BEGIN ")) != NULL; s++) {
			const char *label = s + 11;
			const char *end = strstr(label, "-----");
			size_t n = end ? (size_t)(end - label) : 0;
			if (n == 11 && !strncmp(label, "CERTIFICATE", 11))
				ncert++;
			else if (n >= 11 &&
				 !strncmp(end - 11, "PRIVATE KEY", 11))
				nkey++;
		}
		cr_expect_eq(ncert, 2, "openssl found %d certificates", ncert);
		cr_expect_eq(nkey, 1, "openssl found %d keys", nkey);
		free(txt);
	}
	remove(p12);
	remove(pwf);
	remove(pem);
	rmdir(dir);

	plugtls_free(out);
	plugtls_key_free(k);
	plugtls_chain_free(ch);
	free(pw);
	free(data);
}

PT_PARAMS_PROVIDERS(pkcs12, export_bad_arguments)
ParameterizedTest(struct pt_param *prm, pkcs12, export_bad_arguments)
{
	const plugtls_provider *p = pt_provider(prm->prov);
	pt_require_caps(p, PLUGTLS_CAP_PKCS12_EXPORT);
	plugtls_key *k = NULL;
	plugtls_chain *ch = NULL;
	unsigned char *out = NULL;
	size_t out_len = 0;

	cr_assert_eq(
		plugtls_key_load_file(p, FIXTURE("server-ec.key"), NULL, &k),
		PLUGTLS_OK);
	cr_assert_eq(
		plugtls_chain_load_file(p, FIXTURE("server-ec-chain.pem"), &ch),
		PLUGTLS_OK);
	cr_expect_eq(
		plugtls_pkcs12_export(p, k, ch, NULL, NULL, &out, &out_len),
		PLUGTLS_E_INVALID_ARGUMENT, "no password");
	cr_expect_eq(plugtls_pkcs12_export(p, k, ch, "", NULL, &out, &out_len),
		     PLUGTLS_E_INVALID_ARGUMENT, "empty password");
	cr_expect_eq(
		plugtls_pkcs12_export(p, NULL, ch, "x", NULL, &out, &out_len),
		PLUGTLS_E_INVALID_ARGUMENT, "no key");
	cr_expect_eq(
		plugtls_pkcs12_export(p, k, NULL, "x", NULL, &out, &out_len),
		PLUGTLS_E_INVALID_ARGUMENT, "no chain");
	cr_expect_null(out);
	/* Files loaded separately export too (friendly name NULL). */
	cr_expect_eq(plugtls_pkcs12_export(p, k, ch, "x", NULL, &out, &out_len),
		     PLUGTLS_OK, "%s", plugtls_thread_error()->message);
	plugtls_free(out);
	plugtls_key_free(k);
	plugtls_chain_free(ch);
}
