/* Private keys and PKCS#12 front ends. */
#include "objects.h"
#include "cert_internal.h"

#include <string.h>

static plugtls_err check_provider(const plugtls_provider *p, const char *fn)
{
	if (!p)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "%s: provider is NULL", fn);
	if (!pt_provider_live(p))
		return pt_err_set(NULL, PLUGTLS_E_STATE, 0,
				  "%s: provider is not initialised (use "
				  "plugtls_provider_get)",
				  fn);
	return PLUGTLS_OK;
}

/* Wrap a native key (taken). */
static plugtls_err key_wrap(const plugtls_provider *p, void *native,
			    plugtls_key **out, plugtls_error *err)
{
	plugtls_key *k = pt_calloc(1, sizeof(*k));
	if (!k) {
		pt_p_key_free(p, native);
		return pt_err_set(err, PLUGTLS_E_NOMEM, 0, "key: out of memory");
	}
	k->prov = p;
	k->native = native;
	if (pt_p_key_info(p, native, &k->type, &k->bits) != PLUGTLS_OK) {
		k->type = PLUGTLS_PROV_KEY_UNKNOWN;
		k->bits = 0;
	}
	pt_provider_ref(p);
	*out = k;
	return PLUGTLS_OK;
}

plugtls_err pt_key_new(const plugtls_provider *p, const unsigned char *data,
		       size_t len, const char *password, plugtls_key **out,
		       plugtls_error *err)
{
	void *native = NULL;
	if (len > PT_MAX_INPUT)
		return pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
				  "key: input over %u bytes", PT_MAX_INPUT);
	plugtls_err rc = pt_p_key_load(p, data, len, pt_is_pem(data, len),
				       password, &native, err);
	if (rc)
		return rc;
	return key_wrap(p, native, out, err);
}

plugtls_err plugtls_key_load(const plugtls_provider *p, const void *data,
			     size_t len, const char *password,
			     plugtls_key **out)
{
	/* The thread record is this call's error record: start it clean,
	 * so that an earlier failure does not mask this one. */
	pt_err_clear(pt_thread_err());
	plugtls_err rc = check_provider(p, "key_load");
	if (rc)
		return rc;
	if (!data || !len || !out)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "key_load: data and out are required");
	return pt_key_new(p, data, len, password, out, pt_thread_err());
}

plugtls_err plugtls_key_load_file(const plugtls_provider *p, const char *path,
				  const char *password, plugtls_key **out)
{
	unsigned char *data = NULL;
	size_t len = 0;
	/* The thread record is this call's error record: start it clean,
	 * so that an earlier failure does not mask this one. */
	pt_err_clear(pt_thread_err());
	plugtls_err rc = check_provider(p, "key_load_file");
	if (rc)
		return rc;
	if (!path || !*path || !out)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "key_load_file: path and out are required");
	rc = pt_read_file(path, &data, &len, pt_thread_err());
	if (rc == PLUGTLS_OK)
		rc = pt_key_new(p, data, len, password, out, pt_thread_err());
	pt_free_secret(data, len);
	return rc;
}

void plugtls_key_free(plugtls_key *k)
{
	if (!k)
		return;
	pt_p_key_free(k->prov, k->native);
	pt_provider_unref(k->prov);
	pt_free(k);
}

const char *plugtls_key_type(const plugtls_key *k)
{
	return k ? pt_cert_key_type_name(k->type) : NULL;
}

unsigned plugtls_key_bits(const plugtls_key *k)
{
	return k ? k->bits : 0;
}

plugtls_err pt_pkcs12_import(const plugtls_provider *p,
			     const unsigned char *der, size_t len,
			     const char *password, plugtls_key **key,
			     plugtls_chain **chain, plugtls_error *err)
{
	plugtls_chain *ch = NULL;
	void *native_key = NULL;
	plugtls_err rc;

	if (len > PT_MAX_INPUT)
		return pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
				  "PKCS#12: input over %u bytes", PT_MAX_INPUT);
	rc = pt_chain_new(p, &ch, err);
	if (rc)
		return rc;
	rc = pt_p_pkcs12_import(p, der, len, password, &native_key,
				pt_chain_sink, ch, err);
	if (rc)
		goto fail;
	if (!native_key) {
		rc = pt_err_set(err, PLUGTLS_E_NO_KEY, 0,
				"PKCS#12: the bundle holds no private key");
		goto fail;
	}
	if (plugtls_chain_count(ch) == 0) {
		rc = pt_err_set(err, PLUGTLS_E_MALFORMED, 0,
				"PKCS#12: the bundle holds no certificate");
		goto fail;
	}
	rc = key_wrap(p, native_key, key, err);
	native_key = NULL;
	if (rc)
		goto fail;
	*chain = ch;
	return PLUGTLS_OK;
fail:
	pt_p_key_free(p, native_key);
	plugtls_chain_free(ch);
	return rc;
}

plugtls_err plugtls_pkcs12_import(const plugtls_provider *p, const void *der,
				  size_t len, const char *password,
				  plugtls_key **key, plugtls_chain **chain)
{
	/* The thread record is this call's error record: start it clean,
	 * so that an earlier failure does not mask this one. */
	pt_err_clear(pt_thread_err());
	plugtls_err rc = check_provider(p, "pkcs12_import");
	if (rc)
		return rc;
	if (!der || !len || !key || !chain)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "pkcs12_import: der, key and chain are "
				  "required");
	return pt_pkcs12_import(p, der, len, password, key, chain,
				pt_thread_err());
}

plugtls_err plugtls_pkcs12_export(const plugtls_provider *p,
				  const plugtls_key *key,
				  const plugtls_chain *chain,
				  const char *password,
				  const char *friendly_name,
				  unsigned char **out, size_t *out_len)
{
	void **natives = NULL;
	/* The thread record is this call's error record: start it clean,
	 * so that an earlier failure does not mask this one. */
	pt_err_clear(pt_thread_err());
	plugtls_err rc = check_provider(p, "pkcs12_export");
	if (rc)
		return rc;
	if (!key || !chain || !plugtls_chain_count(chain) || !password ||
	    !*password || !out || !out_len)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "pkcs12_export: key, a non-empty chain, a "
				  "password and out are required");
	if (key->prov != p || chain->prov != p)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "pkcs12_export: key and chain were made by "
				  "another provider");
	size_t n = plugtls_chain_count(chain);
	natives = pt_calloc(n, sizeof(*natives));
	if (!natives)
		return pt_err_set(NULL, PLUGTLS_E_NOMEM, 0,
				  "pkcs12_export: out of memory");
	for (size_t i = 0; i < n; i++) {
		rc = pt_cert_native(chain->certs[i], &natives[i],
				    pt_thread_err());
		if (rc)
			goto out;
	}
	rc = pt_p_pkcs12_export(p, key->native, natives, n, password,
				friendly_name, out, out_len, pt_thread_err());
out:
	pt_free(natives);
	return rc;
}
