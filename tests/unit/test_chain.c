/* Chains: PEM/DER input through a fake in-test provider (no TLS library),
 * error propagation, rollback, borrowed natives, and the public API's
 * argument checks. */
#include "unit.h"

#include <stdlib.h>

/* ---- a fake provider: DER is SEQUENCE { INTEGER tag } ---- */

struct fake_native {
	unsigned char der[UT_DER_LEN];
};

static int alive, from_der_calls;

static plugtls_err fake_from_der(const unsigned char *der, size_t len,
				 void **out, plugtls_error *err)
{
	from_der_calls++;
	if (len != UT_DER_LEN || der[4] == 0xEE)
		return plugtls_prov_error(err, PLUGTLS_E_MALFORMED, 42,
					  "fake: bad certificate");
	struct fake_native *n = malloc(sizeof(*n));
	cr_assert_not_null(n);
	memcpy(n->der, der, UT_DER_LEN);
	alive++;
	*out = n;
	return PLUGTLS_OK;
}

static void fake_free(void *cert)
{
	if (cert) {
		alive--;
		free(cert);
	}
}

static plugtls_err fake_fields(void *cert, plugtls_prov_fields *f,
			       plugtls_error *err)
{
	struct fake_native *n = cert;
	unsigned char tag = n->der[4];
	char cn[16];
	plugtls_err rc;

	if (tag == 0xBE)
		return PLUGTLS_E_INTERNAL; /* no message */
	if (tag == 0xBD) /* a failure the backend ignores */
		(void)plugtls_prov_fields_san(f, PLUGTLS_SAN_IP,
					      (const unsigned char *)"12345", 5);
	snprintf(cn, sizeof(cn), "cert-%u", tag);
	if ((rc = plugtls_prov_fields_der(f, n->der, UT_DER_LEN)) ||
	    (rc = plugtls_prov_fields_spki(f, n->der, UT_DER_LEN)) ||
	    (rc = plugtls_prov_fields_serial(f, &tag, 1)) ||
	    (rc = plugtls_prov_fields_validity(f, 10, 20)) ||
	    (rc = plugtls_prov_fields_dn(f, PLUGTLS_PROV_SUBJECT, 0, "2.5.4.3",
					 (const unsigned char *)cn,
					 strlen(cn))) ||
	    (rc = plugtls_prov_fields_dn(f, PLUGTLS_PROV_ISSUER, 0, "2.5.4.3",
					 (const unsigned char *)"fake CA", 7)))
		return plugtls_prov_error(err, rc, 0, "fake: fields");
	if (tag != 0xBC &&
	    (rc = plugtls_prov_fields_sig_alg(f, "1.2.840.10045.4.3.2")))
		return plugtls_prov_error(err, rc, 0, "fake: sig");
	return PLUGTLS_OK;
}

static const struct plugtls_provider fake = {
	.abi_version = PLUGTLS_PROVIDER_ABI,
	.struct_size = sizeof(struct plugtls_provider),
	.name = "fake",
	.cert = {
		.from_der = fake_from_der,
		.free = fake_free,
		.fields = fake_fields,
	},
};

static const struct plugtls_provider fake2 = {
	.abi_version = PLUGTLS_PROVIDER_ABI,
	.struct_size = sizeof(struct plugtls_provider),
	.name = "fake2",
	.cert = {
		.from_der = fake_from_der,
		.free = fake_free,
		.fields = fake_fields,
	},
};

/* PEM of SEQUENCE { INTEGER tag }, base64 of 30 03 02 01 tag. */
static void pem_block(char *out, size_t cap, const char *label,
		      unsigned char tag)
{
	unsigned char der[UT_DER_LEN];
	char b64[16];
	ut_der(tag, der);
	pt_base64_encode(der, sizeof(der), b64, sizeof(b64));
	snprintf(out, cap, "-----BEGIN %s-----\r\n%s\r\n-----END %s-----\r\n",
		 label, b64, label);
}

static plugtls_chain *new_chain(const plugtls_provider *p)
{
	plugtls_chain *ch = NULL;
	cr_assert_eq(pt_chain_new(p, &ch, NULL), PLUGTLS_OK);
	cr_assert_not_null(ch);
	return ch;
}

Test(chain, one_der_certificate)
{
	unsigned char der[UT_DER_LEN];
	plugtls_chain *ch = new_chain(&fake);
	plugtls_error e;
	ut_der(7, der);
	pt_err_clear(&e);
	cr_assert_eq(pt_chain_add_data(ch, der, sizeof(der), &e), PLUGTLS_OK,
		     "%s", e.message);
	cr_assert_eq(plugtls_chain_count(ch), 1);
	const plugtls_cert *c = plugtls_chain_get(ch, 0);
	cr_assert_str_eq(plugtls_cert_subject(c), "CN=cert-7");
	cr_assert_str_eq(plugtls_cert_issuer(c), "CN=fake CA");
	cr_assert_str_eq(plugtls_cert_serial(c), "07");
	cr_assert_str_eq(plugtls_cert_sig_alg(c), "ecdsa-with-SHA256");
	cr_assert_not_null(c->native);
	cr_assert_eq(c->prov, &fake);
	cr_assert_null(plugtls_chain_get(ch, 1));
	cr_assert_eq(alive, 1);
	plugtls_chain_free(ch);
	cr_assert_eq(alive, 0);
}

Test(chain, pem_bundle_takes_only_certificates)
{
	char buf[1024], blk[128];
	size_t o = 0;
	static const struct {
		const char *label;
		unsigned char tag;
	} blocks[] = {
		{"CERTIFICATE", 1},       {"PRIVATE KEY", 2},
		{"X509 CERTIFICATE", 3},  {"TRUSTED CERTIFICATE", 4},
		{"X509 CRL", 5},          {"CERTIFICATE", 6},
	};
	o += (size_t)snprintf(buf, sizeof(buf), "leading text\n");
	for (size_t i = 0; i < 6; i++) {
		pem_block(blk, sizeof(blk), blocks[i].label, blocks[i].tag);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s# note\n",
				      blk);
	}
	plugtls_chain *ch = new_chain(&fake);
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_chain_add_data(ch, buf, o, &e), PLUGTLS_OK, "%s",
		     e.message);
	cr_assert_eq(plugtls_chain_count(ch), 3);
	cr_assert_str_eq(plugtls_cert_subject(plugtls_chain_get(ch, 0)),
			 "CN=cert-1");
	cr_assert_str_eq(plugtls_cert_subject(plugtls_chain_get(ch, 1)),
			 "CN=cert-3");
	cr_assert_str_eq(plugtls_cert_subject(plugtls_chain_get(ch, 2)),
			 "CN=cert-6");
	cr_assert_eq(from_der_calls, 3);
	cr_assert_eq(alive, 3);
	plugtls_chain_free(ch);
	cr_assert_eq(alive, 0);
}

static void expect_fail(const void *data, size_t len, plugtls_err code,
			const char *msg, int calls)
{
	plugtls_chain *ch = new_chain(&fake);
	plugtls_error e;
	pt_err_clear(&e);
	from_der_calls = 0;
	cr_assert_eq(pt_chain_add_data(ch, data, len, &e), code);
	cr_assert_eq(e.code, code);
	cr_assert_not_null(strstr(e.message, msg), "%s", e.message);
	cr_assert_eq(from_der_calls, calls, "provider called %d times",
		     from_der_calls);
	cr_assert_eq(plugtls_chain_count(ch), 0);
	cr_assert_eq(alive, 0);
	plugtls_chain_free(ch);
}

Test(chain, malformed_input_never_reaches_the_provider)
{
	unsigned char der[UT_DER_LEN + 1];
	char pem[256];
	ut_der(1, der);
	expect_fail(der, UT_DER_LEN - 1, PLUGTLS_E_MALFORMED,
		    "not a DER certificate", 0);
	der[UT_DER_LEN] = 0;
	expect_fail(der, UT_DER_LEN + 1, PLUGTLS_E_MALFORMED,
		    "not a DER certificate", 0);
	expect_fail("garbage", 7, PLUGTLS_E_MALFORMED, "not a DER certificate",
		    0);
	pem_block(pem, sizeof(pem), "PRIVATE KEY", 1);
	expect_fail(pem, strlen(pem), PLUGTLS_E_MALFORMED,
		    "no certificate found", 0);
	pem_block(pem, sizeof(pem), "TRUSTED CERTIFICATE", 1);
	expect_fail(pem, strlen(pem), PLUGTLS_E_MALFORMED,
		    "no certificate found", 0);
	const char *notder = "-----BEGIN CERTIFICATE-----\nAQID\n"
			     "-----END CERTIFICATE-----\n";
	expect_fail(notder, strlen(notder), PLUGTLS_E_MALFORMED,
		    "PEM block 1: not a DER certificate", 0);
	const char *open = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n";
	expect_fail(open, strlen(open), PLUGTLS_E_MALFORMED, "not closed", 0);
}

Test(chain, provider_errors_roll_back)
{
	char buf[512], blk[128];
	size_t o = 0;
	plugtls_chain *ch = new_chain(&fake);
	plugtls_error e;
	unsigned char der[UT_DER_LEN];

	/* One certificate already in the chain stays. */
	ut_der(9, der);
	cr_assert_eq(pt_chain_add_data(ch, der, sizeof(der), NULL), 0);
	pem_block(blk, sizeof(blk), "CERTIFICATE", 1);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", blk);
	pem_block(blk, sizeof(blk), "CERTIFICATE", 0xEE);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", blk);
	pt_err_clear(&e);
	cr_assert_eq(pt_chain_add_data(ch, buf, o, &e), PLUGTLS_E_MALFORMED);
	cr_assert_eq(e.provider_code, 42);
	cr_assert_not_null(strstr(e.message, "PEM block 2: fake: bad certificate"),
			   "%s", e.message);
	cr_assert_eq(plugtls_chain_count(ch), 1);
	cr_assert_str_eq(plugtls_cert_subject(plugtls_chain_get(ch, 0)),
			 "CN=cert-9");
	cr_assert_eq(alive, 1);
	plugtls_chain_free(ch);
	cr_assert_eq(alive, 0);
}

Test(chain, ignored_builder_failure_still_fails)
{
	unsigned char der[UT_DER_LEN];
	ut_der(0xBD, der);
	expect_fail(der, sizeof(der), PLUGTLS_E_MALFORMED,
		    "IP address SAN of 5 bytes", 1);
}

Test(chain, backend_failure_without_message)
{
	unsigned char der[UT_DER_LEN];
	ut_der(0xBE, der);
	expect_fail(der, sizeof(der), PLUGTLS_E_INTERNAL, "fake: fields", 1);
}

Test(chain, missing_required_field)
{
	unsigned char der[UT_DER_LEN];
	ut_der(0xBC, der);
	expect_fail(der, sizeof(der), PLUGTLS_E_INTERNAL,
		    "did not report the signature algorithm", 1);
}

Test(chain, sink_copies_borrowed_natives_and_native_parses_lazily)
{
	unsigned char der[UT_DER_LEN];
	void *borrowed = NULL, *n1 = NULL, *n2 = NULL;
	plugtls_chain *ch = new_chain(&fake);
	ut_der(5, der);
	cr_assert_eq(fake_from_der(der, sizeof(der), &borrowed, NULL), 0);
	cr_assert_eq(pt_chain_sink(ch, borrowed), PLUGTLS_OK);
	cr_assert_eq(plugtls_chain_count(ch), 1);
	plugtls_cert *c = ch->certs[0];
	cr_assert_null(c->native); /* not taken */
	cr_assert_str_eq(plugtls_cert_subject(c), "CN=cert-5");
	cr_assert_eq(pt_cert_native(c, &n1, NULL), PLUGTLS_OK);
	cr_assert_not_null(n1);
	cr_assert_neq(n1, borrowed);
	cr_assert_eq(pt_cert_native(c, &n2, NULL), PLUGTLS_OK);
	cr_assert_eq(n1, n2);
	cr_assert_eq(alive, 2);
	plugtls_chain_free(ch);
	cr_assert_eq(alive, 1); /* the borrowed one is the caller's */
	fake_free(borrowed);

	/* A sink failure leaves the chain unchanged. */
	ch = new_chain(&fake);
	ut_der(0xBC, der);
	cr_assert_eq(fake_from_der(der, sizeof(der), &borrowed, NULL), 0);
	cr_assert_eq(pt_chain_sink(ch, borrowed), PLUGTLS_E_INTERNAL);
	cr_assert_eq(plugtls_thread_error()->code, PLUGTLS_E_INTERNAL);
	cr_assert_eq(plugtls_chain_count(ch), 0);
	plugtls_chain_free(ch);
	fake_free(borrowed);
	cr_assert_eq(alive, 0);
}

Test(chain, native_of_a_cert_without_provider)
{
	plugtls_cert *c = ut_cert(ut_fields());
	void *n = NULL;
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_cert_native(c, &n, &e), PLUGTLS_E_INTERNAL);
	cr_assert_null(n);
	pt_cert_free(c);
}

Test(chain, push_checks_the_provider)
{
	plugtls_chain *ch = new_chain(&fake2);
	unsigned char der[UT_DER_LEN];
	void *native = NULL;
	plugtls_cert *c = NULL;
	ut_der(3, der);
	cr_assert_eq(fake_from_der(der, sizeof(der), &native, NULL), 0);
	cr_assert_eq(pt_cert_from_native(&fake, native, true, &c, NULL), 0);
	cr_assert_eq(alive, 1);
	cr_assert_eq(pt_chain_push(ch, c, NULL), PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(alive, 0); /* the cert was freed */
	cr_assert_eq(pt_chain_push(ch, NULL, NULL), PLUGTLS_E_INVALID_ARGUMENT);
	plugtls_chain_free(ch);
}

Test(chain, owned_native_freed_on_failure)
{
	unsigned char der[UT_DER_LEN];
	void *native = NULL;
	plugtls_cert *c = NULL;
	ut_der(0xBC, der);
	cr_assert_eq(fake_from_der(der, sizeof(der), &native, NULL), 0);
	cr_assert_eq(pt_cert_from_native(&fake, native, true, &c, NULL),
		     PLUGTLS_E_INTERNAL);
	cr_assert_null(c);
	cr_assert_eq(alive, 0);
	cr_assert_eq(pt_cert_from_native(NULL, NULL, false, &c, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
}

Test(chain, many_certificates)
{
	size_t n = 300, o = 0;
	char *buf = malloc(n * 128);
	char blk[128];
	cr_assert_not_null(buf);
	for (size_t i = 0; i < n; i++) {
		pem_block(blk, sizeof(blk), "CERTIFICATE",
			  (unsigned char)(i % 150 + 1));
		memcpy(buf + o, blk, strlen(blk));
		o += strlen(blk);
	}
	plugtls_chain *ch = new_chain(&fake);
	cr_assert_eq(pt_chain_add_data(ch, buf, o, NULL), PLUGTLS_OK);
	cr_assert_eq(plugtls_chain_count(ch), n);
	cr_assert_eq(alive, (int)n);
	plugtls_chain_free(ch);
	cr_assert_eq(alive, 0);
	free(buf);
}

Test(chain, add_data_arguments)
{
	plugtls_chain *ch = new_chain(&fake);
	static const char small[4] = "abc";
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_chain_add_data(ch, NULL, 1, &e),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(pt_chain_add_data(ch, small, 0, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	/* The size is checked before any byte is read. */
	cr_assert_eq(pt_chain_add_data(ch, small, (size_t)PT_MAX_INPUT + 1,
				       NULL),
		     PLUGTLS_E_TOO_LARGE);
	plugtls_chain_free(ch);
	plugtls_chain *x = NULL;
	cr_assert_eq(pt_chain_new(NULL, &x, NULL), PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_null(x);
}

/* ---- public API argument checks (no provider is initialised) ---- */

Test(chain_api, arguments)
{
	plugtls_chain *ch = NULL;
	unsigned char der[UT_DER_LEN];
	ut_der(1, der);
	cr_assert_eq(plugtls_chain_parse(NULL, der, sizeof(der), &ch),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_thread_error()->code, PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_not_null(strstr(plugtls_thread_error()->message,
				  "chain_parse: no provider"));
	cr_assert_eq(plugtls_chain_parse(&fake, NULL, 5, &ch),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_chain_parse(&fake, der, 0, &ch),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_chain_parse(&fake, der, sizeof(der), NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	/* A provider the registry did not initialise is refused. */
	cr_assert_eq(plugtls_chain_parse(&fake, der, sizeof(der), &ch),
		     PLUGTLS_E_STATE);
	cr_assert_not_null(strstr(plugtls_thread_error()->message,
				  "not initialised"),
			   "%s", plugtls_thread_error()->message);
	cr_assert_eq(plugtls_chain_load_file(NULL, "/x", &ch),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_chain_load_file(&fake, NULL, &ch),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_chain_load_file(&fake, "", &ch),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_chain_load_file(&fake, "/x", NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(plugtls_chain_load_file(&fake, "/x", &ch),
		     PLUGTLS_E_STATE);
	cr_assert_null(ch);
	cr_assert_eq(from_der_calls, 0);
	cr_assert_eq(plugtls_chain_count(NULL), 0);
	cr_assert_null(plugtls_chain_get(NULL, 0));
	plugtls_chain_free(NULL);
}
