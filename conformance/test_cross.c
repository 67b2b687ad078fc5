/*
 * Providers compared with each other, not only each with an expected
 * value: for every certificate fixture, every field plugtls prints, and the
 * verdict of a verification against the test PKI, must be identical on all
 * compiled-in providers.
 */
#include "common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 256

static size_t cert_files(char names[][128])
{
	DIR *d = opendir(PT_FIXTURE_DIR);
	cr_assert_not_null(d, "fixture directory %s", PT_FIXTURE_DIR);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n < MAX_FILES) {
		size_t len = strlen(de->d_name);
		if (len < 5 || len >= 128 || strcmp(de->d_name + len - 4, ".pem"))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", PT_FIXTURE_DIR, de->d_name);
		size_t flen;
		unsigned char *data = pt_read_fixture(path, &flen);
		int is_cert = strstr((char *)data, "-----BEGIN CERTIFICATE-----") != NULL;
		free(data);
		if (is_cert)
			memcpy(names[n++], de->d_name, len + 1);
	}
	closedir(d);
	cr_assert_gt(n, 20, "expected the fixture PKI, found %zu certificate files", n);
	return n;
}

/* Every printed field of every certificate of a file, one per line. */
static void describe(const plugtls_provider *p, const char *path, char *out,
		     size_t cap)
{
	plugtls_chain *ch = NULL;
	size_t off = 0;
#define PUT(...) off += (size_t)snprintf(out + off, off < cap ? cap - off : 0, __VA_ARGS__)
	plugtls_err rc = plugtls_chain_load_file(p, path, &ch);
	if (rc) {
		PUT("error %s\n", plugtls_err_string(rc));
		return;
	}
	for (size_t i = 0; i < plugtls_chain_count(ch); i++) {
		const plugtls_cert *c = plugtls_chain_get(ch, i);
		PUT("subject=%s\nissuer=%s\nserial=%s\n", plugtls_cert_subject(c),
		    plugtls_cert_issuer(c), plugtls_cert_serial(c));
		PUT("validity=%lld..%lld\n", (long long)plugtls_cert_not_before(c),
		    (long long)plugtls_cert_not_after(c));
		for (size_t k = 0; k < plugtls_cert_san_count(c); k++) {
			plugtls_san_type t;
			const char *v;
			cr_assert_eq(plugtls_cert_san(c, k, &t, &v), PLUGTLS_OK);
			PUT("san=%d:%s\n", (int)t, v);
		}
		PUT("pin=%s\nfp=%s\nkey=%s/%u\nsig=%s\nca=%d/%d\neku=%u\n",
		    plugtls_cert_pin(c), plugtls_cert_fingerprint_sha256(c),
		    plugtls_cert_key_type(c), plugtls_cert_key_bits(c),
		    plugtls_cert_sig_alg(c), plugtls_cert_is_ca(c),
		    plugtls_cert_path_len(c), plugtls_cert_eku(c));
	}
#undef PUT
	cr_assert_lt(off, cap, "description of %s too long", path);
	plugtls_chain_free(ch);
}

Test(cross, certificate_fields_identical)
{
	static char names[MAX_FILES][128];
	static char first[65536], other[65536];
	size_t n = cert_files(names), np = plugtls_provider_count();
	if (np < 2)
		cr_skip_test("only one provider is compiled in");
	for (size_t f = 0; f < n; f++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", PT_FIXTURE_DIR, names[f]);
		describe(pt_provider(plugtls_provider_name_at(0)), path, first,
			 sizeof(first));
		for (size_t i = 1; i < np; i++) {
			const char *pn = plugtls_provider_name_at(i);
			describe(pt_provider(pn), path, other, sizeof(other));
			cr_assert_str_eq(other, first, "%s: %s differs from %s",
					 names[f], pn, plugtls_provider_name_at(0));
		}
	}
}

/* Verify each certificate file as a leaf (plus int.pem as untrusted) for
 * host localhost and purpose server: the return code and the verdict bits
 * must be the same everywhere. */
static plugtls_err verdict(const plugtls_provider *p, const char *leaf,
			   uint32_t *reasons)
{
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;
	plugtls_chain *ch = NULL;
	size_t a, b;
	cr_assert_eq(plugtls_config_new(PLUGTLS_CLIENT, &cfg), PLUGTLS_OK);
	cr_assert_eq(plugtls_config_add_ca_file(cfg, FIXTURE("ca.pem")), PLUGTLS_OK);
	cr_assert_eq(plugtls_ctx_new(p, cfg, &ctx), PLUGTLS_OK, "%s",
		     plugtls_config_error(cfg)->message);
	unsigned char *l = pt_read_fixture(leaf, &a);
	unsigned char *i = pt_read_fixture(FIXTURE("int.pem"), &b);
	unsigned char *both = malloc(a + b + 1);
	cr_assert_not_null(both);
	memcpy(both, l, a);
	both[a] = '\n';
	memcpy(both + a + 1, i, b);
	*reasons = 0;
	plugtls_err rc = plugtls_chain_parse(p, both, a + b + 1, &ch);
	if (rc == PLUGTLS_OK)
		rc = plugtls_ctx_verify(ctx, ch, "localhost",
					PLUGTLS_PURPOSE_SERVER, reasons);
	plugtls_chain_free(ch);
	free(both);
	free(l);
	free(i);
	plugtls_ctx_free(ctx);
	plugtls_config_free(cfg);
	return rc;
}

Test(cross, verify_verdicts_identical)
{
	static char names[MAX_FILES][128];
	size_t n = cert_files(names), np = plugtls_provider_count();
	if (np < 2)
		cr_skip_test("only one provider is compiled in");
	for (size_t f = 0; f < n; f++) {
		char path[512], b1[256], b2[256];
		snprintf(path, sizeof(path), "%s/%s", PT_FIXTURE_DIR, names[f]);
		uint32_t r0, r;
		plugtls_err rc0 = verdict(pt_provider(plugtls_provider_name_at(0)),
					  path, &r0);
		for (size_t k = 1; k < np; k++) {
			const char *pn = plugtls_provider_name_at(k);
			plugtls_err rc = verdict(pt_provider(pn), path, &r);
			cr_assert(rc == rc0 && r == r0,
				  "%s: %s gives %s {%s}, %s gives %s {%s}",
				  names[f], plugtls_provider_name_at(0),
				  plugtls_err_string(rc0),
				  pt_reasons_str(r0, b1, sizeof(b1)), pn,
				  plugtls_err_string(rc), pt_reasons_str(r, b2, sizeof(b2)));
		}
	}
}
