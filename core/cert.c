/*
 * Certificates and chains, and the public certificate/chain API.
 *
 * A cert holds no provider reference of its own: it lives inside a chain
 * (or another object) that holds one. A chain's certificates all come from
 * the chain's provider.
 */
#include "cert_internal.h"

#include <string.h>

static plugtls_err cert_from_native(const plugtls_provider *p, void *native,
				    bool own_native, unsigned want,
				    plugtls_cert **out, plugtls_error *err)
{
	plugtls_err rc;
	plugtls_prov_fields *f = NULL;
	plugtls_cert *c = NULL;
	plugtls_error local;

	pt_err_clear(&local);
	if (!p || !native || !out) {
		rc = pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				"certificate: no provider or native");
		goto out;
	}
	f = pt_fields_new(want);
	if (!f) {
		rc = pt_err_set(err, PLUGTLS_E_NOMEM, 0,
				"certificate: out of memory");
		goto out;
	}
	rc = pt_p_cert_fields(p, native, f, &local);
	if (rc != PLUGTLS_OK) {
		/* The builder's own record is the most specific. */
		if (f->err.code)
			rc = pt_err_set(err, f->err.code, f->err.provider_code,
					"certificate fields: %s",
					f->err.message);
		else if (local.code)
			rc = pt_err_wrap(err, &local, "certificate fields");
		else
			rc = pt_err_set(err, PLUGTLS_E_INTERNAL, 0,
					"certificate fields: %s",
					plugtls_err_string(rc));
		goto out;
	}
	rc = pt_cert_from_fields(p, f, &c, err);
	if (rc != PLUGTLS_OK)
		goto out;
	if (own_native) {
		c->native = native;
		native = NULL;
	}
	*out = c;
	c = NULL;
out:
	pt_fields_free(f);
	if (rc != PLUGTLS_OK && own_native && native && p)
		pt_p_cert_free(p, native);
	return rc;
}

plugtls_err pt_cert_from_native(const plugtls_provider *p, void *native,
				bool own_native, plugtls_cert **out,
				plugtls_error *err)
{
	return cert_from_native(p, native, own_native, PT_WANT_ALL, out, err);
}

plugtls_err pt_cert_for_checks(const plugtls_provider *p, void *native,
			       unsigned want, plugtls_cert **out,
			       plugtls_error *err)
{
	return cert_from_native(p, native, false, want, out, err);
}

void pt_cert_free(plugtls_cert *c)
{
	if (!c)
		return;
	if (c->native && c->prov)
		pt_p_cert_free(c->prov, c->native);
	pt_free(c->der);
	pt_free(c->spki);
	pt_free(c->subject);
	pt_free(c->issuer);
	pt_free(c->subject_der_key);
	pt_free(c->issuer_der_key);
	pt_free(c->serial);
	pt_sans_free(c->sans, c->n_sans);
	pt_free(c->cn);
	pt_free(c);
}

plugtls_err pt_cert_native(plugtls_cert *c, void **native, plugtls_error *err)
{
	void *n, *expected = NULL;
	plugtls_err rc;

	if (!c || !native)
		return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "certificate: no certificate");
	/* Chains are readable from many threads at once (plugtls.h), so the
	 * lazy parse publishes its result with one atomic exchange; the
	 * loser of a race frees its copy. */
	n = __atomic_load_n(&c->native, __ATOMIC_ACQUIRE);
	if (n) {
		*native = n;
		return PLUGTLS_OK;
	}
	if (!c->prov)
		return pt_err_set(err, PLUGTLS_E_INTERNAL, 0,
				  "certificate: no provider to parse it");
	rc = pt_p_cert_from_der(c->prov, c->der, c->der_len, &n, err);
	if (rc != PLUGTLS_OK)
		return rc;
	if (!__atomic_compare_exchange_n(&c->native, &expected, n, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		pt_p_cert_free(c->prov, n);
		n = expected;
	}
	*native = n;
	return PLUGTLS_OK;
}

/* ---- chains ------------------------------------------------------------ */

plugtls_err pt_chain_new(const plugtls_provider *p, plugtls_chain **out,
			 plugtls_error *err)
{
	plugtls_chain *ch;

	if (!p || !out)
		return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "chain: no provider");
	ch = pt_calloc(1, sizeof(*ch));
	if (!ch)
		return pt_err_set(err, PLUGTLS_E_NOMEM, 0,
				  "chain: out of memory");
	pt_provider_ref(p);
	ch->prov = p;
	*out = ch;
	return PLUGTLS_OK;
}

plugtls_err pt_chain_push(plugtls_chain *ch, plugtls_cert *cert,
			  plugtls_error *err)
{
	plugtls_err rc;

	if (!ch || !cert) {
		rc = pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				"chain: no certificate");
		goto fail;
	}
	if (cert->prov != ch->prov) {
		rc = pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				"chain: certificate of another provider");
		goto fail;
	}
	if (cert->partial) {
		rc = pt_err_set(err, PLUGTLS_E_INTERNAL, 0,
				"chain: a certificate made only for checks");
		goto fail;
	}
	if (ch->n == ch->cap) {
		size_t ncap = ch->cap ? ch->cap * 2 : 4;
		plugtls_cert **nc;
		if (ch->cap > SIZE_MAX / 2 / sizeof(*nc)) {
			rc = pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
					"chain: too many certificates");
			goto fail;
		}
		nc = pt_realloc(ch->certs, ncap * sizeof(*nc));
		if (!nc) {
			rc = pt_err_set(err, PLUGTLS_E_NOMEM, 0,
					"chain: out of memory");
			goto fail;
		}
		ch->certs = nc;
		ch->cap = ncap;
	}
	ch->certs[ch->n++] = cert;
	return PLUGTLS_OK;
fail:
	pt_cert_free(cert);
	return rc;
}

/* One DER certificate through the provider into the chain. The outer
 * SEQUENCE is checked first, so that truncated or padded input is
 * MALFORMED before any provider parser sees it. */
static plugtls_err pt_chain_add_der(plugtls_chain *ch, const unsigned char *der,
				    size_t len, plugtls_error *err)
{
	plugtls_err rc;
	void *native = NULL;
	plugtls_cert *c = NULL;

	if (!pt_der_is_sequence(der, len))
		return pt_err_set(err, PLUGTLS_E_MALFORMED, 0,
				  "not a DER certificate (bad, truncated or followed by extra bytes)");
	rc = pt_p_cert_from_der(ch->prov, der, len, &native, err);
	if (rc != PLUGTLS_OK)
		return rc;
	rc = pt_cert_from_native(ch->prov, native, true, &c, err);
	if (rc != PLUGTLS_OK)
		return rc; /* native freed by pt_cert_from_native */
	return pt_chain_push(ch, c, err);
}

struct pt_pem_add {
	plugtls_chain *ch;
	plugtls_error *err;
	size_t block, certs;
};

static plugtls_err pt_pem_add_block(void *arg, const char *label,
				    const unsigned char *der, size_t len)
{
	struct pt_pem_add *pa = arg;
	plugtls_error local;
	plugtls_err rc;
	char prefix[48];

	pa->block++;
	/* "TRUSTED CERTIFICATE" (OpenSSL's certificate plus trust settings)
	 * is not a plain certificate: skipped like any other label. */
	if (strcmp(label, "CERTIFICATE") != 0 &&
	    strcmp(label, "X509 CERTIFICATE") != 0)
		return PLUGTLS_OK;
	pt_err_clear(&local);
	rc = pt_chain_add_der(pa->ch, der, len, &local);
	if (rc != PLUGTLS_OK) {
		pt_snprintf(prefix, sizeof(prefix), "PEM block %zu", pa->block);
		if (local.code)
			return pt_err_wrap(pa->err, &local, prefix);
		return pt_err_set(pa->err, rc, 0, "%s: %s", prefix,
				  plugtls_err_string(rc));
	}
	pa->certs++;
	return PLUGTLS_OK;
}

plugtls_err pt_chain_add_data(plugtls_chain *ch, const void *data, size_t len,
			      plugtls_error *err)
{
	plugtls_err rc;
	size_t before;

	if (!ch || !data || !len)
		return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "certificates: no data");
	if (len > PT_MAX_INPUT)
		return pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
				  "certificates: input of %zu bytes is over the limit of %u",
				  len, PT_MAX_INPUT);
	before = ch->n;
	if (pt_is_pem(data, len)) {
		struct pt_pem_add pa = {.ch = ch, .err = err};
		rc = pt_pem_each(data, len, pt_pem_add_block, &pa, NULL, err);
		if (rc == PLUGTLS_OK && pa.certs == 0)
			rc = pt_err_set(err, PLUGTLS_E_MALFORMED, 0,
					"no certificate found");
	} else {
		rc = pt_chain_add_der(ch, data, len, err);
	}
	/* All or nothing. */
	if (rc != PLUGTLS_OK)
		while (ch->n > before)
			pt_cert_free(ch->certs[--ch->n]);
	return rc;
}

plugtls_err pt_chain_sink(void *arg, void *native)
{
	plugtls_chain *ch = arg;
	plugtls_cert *c = NULL;
	plugtls_err rc;

	/* The sink has no error record: failures go to the thread's. */
	if (!ch)
		return pt_err_set(NULL, PLUGTLS_E_INTERNAL, 0,
				  "chain sink: no chain");
	rc = pt_cert_from_native(ch->prov, native, false, &c, NULL);
	if (rc != PLUGTLS_OK)
		return rc;
	return pt_chain_push(ch, c, NULL);
}

/* ---- public API -------------------------------------------------------- */

/* Leave the failure on the thread record, prefixed with the API name. */
static plugtls_err pt_report(const plugtls_error *e, plugtls_err rc,
			     const char *api)
{
	if (e->code)
		pt_err_wrap(NULL, e, api);
	else
		pt_err_set(NULL, rc, 0, "%s: %s", api, plugtls_err_string(rc));
	return rc;
}

static plugtls_err pt_api_enter(const plugtls_provider *p, const char *api)
{
	plugtls_err rc = pt_ensure_init();

	if (rc != PLUGTLS_OK)
		return rc;
	/* Same code as ctx_new and key_load: a provider pointer that was
	 * never got (or was released) is a state error. */
	if (!pt_provider_live(p))
		return pt_err_set(NULL, PLUGTLS_E_STATE, 0,
				  "%s: provider %s is not initialised (use plugtls_provider_get)",
				  api, p->name ? p->name : "?");
	return PLUGTLS_OK;
}

static plugtls_err pt_chain_from_data(const plugtls_provider *p,
				      const void *data, size_t len,
				      plugtls_chain **out, const char *api)
{
	plugtls_err rc;
	plugtls_chain *ch = NULL;
	plugtls_error e;

	pt_err_clear(&e);
	rc = pt_chain_new(p, &ch, &e);
	if (rc != PLUGTLS_OK)
		goto out;
	rc = pt_chain_add_data(ch, data, len, &e);
	if (rc != PLUGTLS_OK)
		goto out;
	*out = ch;
	ch = NULL;
out:
	plugtls_chain_free(ch);
	if (rc != PLUGTLS_OK)
		pt_report(&e, rc, api);
	return rc;
}

plugtls_err plugtls_chain_parse(const plugtls_provider *p, const void *data,
				size_t len, plugtls_chain **out)
{
	plugtls_err rc;

	if (!p || !data || !len || !out)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "chain_parse: %s",
				  !p ? "no provider"
				     : !out ? "no output" : "no data");
	if ((rc = pt_api_enter(p, "chain_parse")))
		return rc;
	return pt_chain_from_data(p, data, len, out, "chain_parse");
}

plugtls_err plugtls_chain_load_file(const plugtls_provider *p,
				    const char *path, plugtls_chain **out)
{
	plugtls_err rc;
	plugtls_error e;
	unsigned char *buf = NULL;
	size_t len = 0;

	if (!p || !path || !*path || !out)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "chain_load_file: %s",
				  !p ? "no provider"
				     : !out ? "no output" : "no path");
	if ((rc = pt_api_enter(p, "chain_load_file")))
		return rc;
	pt_err_clear(&e);
	rc = pt_read_file(path, &buf, &len, &e);
	if (rc != PLUGTLS_OK)
		return pt_report(&e, rc, "chain_load_file");
	if (len == 0)
		rc = pt_err_set(NULL, PLUGTLS_E_MALFORMED, 0,
				"chain_load_file: %s is empty", path);
	else
		rc = pt_chain_from_data(p, buf, len, out, "chain_load_file");
	/* A certificate file may also hold a key. */
	pt_free_secret(buf, len + 1);
	return rc;
}

void plugtls_chain_free(plugtls_chain *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		pt_cert_free(c->certs[i]);
	pt_free(c->certs);
	if (c->prov)
		pt_provider_unref(c->prov);
	pt_free(c);
}

size_t plugtls_chain_count(const plugtls_chain *c)
{
	return c ? c->n : 0;
}

const plugtls_cert *plugtls_chain_get(const plugtls_chain *c, size_t i)
{
	return c && i < c->n ? c->certs[i] : NULL;
}

const char *plugtls_cert_subject(const plugtls_cert *c)
{
	return c ? c->subject : NULL;
}

const char *plugtls_cert_issuer(const plugtls_cert *c)
{
	return c ? c->issuer : NULL;
}

const char *plugtls_cert_serial(const plugtls_cert *c)
{
	return c ? c->serial : NULL;
}

int64_t plugtls_cert_not_before(const plugtls_cert *c)
{
	return c ? c->not_before : 0;
}

int64_t plugtls_cert_not_after(const plugtls_cert *c)
{
	return c ? c->not_after : 0;
}

size_t plugtls_cert_san_count(const plugtls_cert *c)
{
	return c ? c->n_sans : 0;
}

plugtls_err plugtls_cert_san(const plugtls_cert *c, size_t i,
			     plugtls_san_type *type, const char **value)
{
	if (!c || !type || !value)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "cert_san: %s",
				  !c ? "no certificate" : "no output");
	if (i >= c->n_sans)
		return pt_err_set(NULL, PLUGTLS_E_NOT_FOUND, 0,
				  "cert_san: no entry %zu (the certificate has %zu)",
				  i, c->n_sans);
	*type = c->sans[i].type;
	*value = c->sans[i].value;
	return PLUGTLS_OK;
}

void plugtls_cert_der(const plugtls_cert *c, const unsigned char **der,
		      size_t *len)
{
	if (der)
		*der = c ? c->der : NULL;
	if (len)
		*len = c ? c->der_len : 0;
}

void plugtls_cert_spki_der(const plugtls_cert *c, const unsigned char **der,
			   size_t *len)
{
	if (der)
		*der = c ? c->spki : NULL;
	if (len)
		*len = c ? c->spki_len : 0;
}

const char *plugtls_cert_pin(const plugtls_cert *c)
{
	if (!c)
		return NULL;
	pt_cert_hashes(c);
	return c->pin;
}

const char *plugtls_cert_fingerprint_sha256(const plugtls_cert *c)
{
	if (!c)
		return NULL;
	pt_cert_hashes(c);
	return c->fingerprint;
}

const char *plugtls_cert_key_type(const plugtls_cert *c)
{
	return pt_cert_key_type_name(c ? c->key_type
				       : PLUGTLS_PROV_KEY_UNKNOWN);
}

unsigned plugtls_cert_key_bits(const plugtls_cert *c)
{
	return c ? c->key_bits : 0;
}

const char *plugtls_cert_sig_alg(const plugtls_cert *c)
{
	return c ? c->sig_name : NULL;
}

int plugtls_cert_is_ca(const plugtls_cert *c)
{
	return c && c->has_bc && c->is_ca;
}

int plugtls_cert_path_len(const plugtls_cert *c)
{
	return c && c->has_bc ? c->path_len : -1;
}

unsigned plugtls_cert_eku(const plugtls_cert *c)
{
	return c && c->has_eku ? c->eku : 0;
}
