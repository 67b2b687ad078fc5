/* Configuration: provider-independent data. File contents are read and
 * syntax-checked when set, so "file not found" or "not PEM" fails at once;
 * provider-specific checks happen in plugtls_ctx_new. */
#include "objects.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK_CFG(cfg, fn)                                                     \
	do {                                                                   \
		if (!(cfg))                                                    \
			return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0, \
					  fn ": config is NULL");              \
	} while (0)

void pt_blob_clear(pt_blob *b, bool secret)
{
	if (secret)
		pt_free_secret(b->data, b->len);
	else
		pt_free(b->data);
	pt_free(b->label);
	b->data = NULL;
	b->len = 0;
	b->label = NULL;
}

void pt_blobs_clear(pt_blobs *bs)
{
	for (size_t i = 0; i < bs->n; i++)
		pt_blob_clear(&bs->v[i], false);
	pt_free(bs->v);
	bs->v = NULL;
	bs->n = 0;
}

static void free_password(char **pw)
{
	if (*pw)
		pt_free_secret(*pw, strlen(*pw));
	*pw = NULL;
}

void pt_policy_clear(pt_policy *pol)
{
	pt_free(pol->alpn);
	pol->alpn = NULL;
	pol->alpn_len = 0;
	pt_pins_free(&pol->pins);
	if (pol->psks)
		pt_free_secret(pol->psks, pol->n_psks * sizeof(pt_psk));
	pol->psks = NULL;
	pol->n_psks = 0;
}

plugtls_err pt_policy_copy(pt_policy *dst, const pt_policy *src)
{
	*dst = *src;
	dst->alpn = NULL;
	dst->psks = NULL;
	dst->pins.hash = NULL;
	dst->pins.n = 0;
	if (src->alpn_len &&
	    !(dst->alpn = pt_memdup(src->alpn, src->alpn_len)))
		goto nomem;
	if (src->n_psks &&
	    !(dst->psks = pt_memdup(src->psks, src->n_psks * sizeof(pt_psk))))
		goto nomem;
	if (src->pins.n) {
		dst->pins.hash = pt_memdup(src->pins.hash,
					   src->pins.n * PT_SHA256_LEN);
		if (!dst->pins.hash)
			goto nomem;
		dst->pins.n = src->pins.n;
	}
	return PLUGTLS_OK;
nomem:
	dst->n_psks = src->n_psks; /* so the clear wipes what was copied */
	pt_policy_clear(dst);
	return PLUGTLS_E_NOMEM;
}

plugtls_err plugtls_config_new(plugtls_role role, plugtls_config **out)
{
	if (!out || (role != PLUGTLS_CLIENT && role != PLUGTLS_SERVER))
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "config_new: role must be PLUGTLS_CLIENT or "
				  "PLUGTLS_SERVER and out non-NULL");
	pt_ensure_init();
	plugtls_config *cfg = pt_calloc(1, sizeof(*cfg));
	if (!cfg)
		return pt_err_set(NULL, PLUGTLS_E_NOMEM, 0,
				  "config_new: out of memory");
	cfg->pol.role = role;
	cfg->pol.depth = 10;
	cfg->pol.min_version = PLUGTLS_TLS1_2;
	cfg->pol.max_version = PLUGTLS_TLS1_3;
	pt_snprintf(cfg->pol.profile, sizeof(cfg->pol.profile), "modern");
	cfg->pol.tickets = -1;
	cfg->pol.logger.max = PLUGTLS_LOG_ERROR;
	*out = cfg;
	return PLUGTLS_OK;
}

void plugtls_config_free(plugtls_config *cfg)
{
	if (!cfg)
		return;
	pt_policy_clear(&cfg->pol);
	pt_blobs_clear(&cfg->cas);
	pt_blobs_clear(&cfg->crls);
	pt_blob_clear(&cfg->cert, false);
	pt_blob_clear(&cfg->key, true);
	pt_blob_clear(&cfg->p12, true);
	free_password(&cfg->key_password);
	free_password(&cfg->p12_password);
	pt_free(cfg);
}

const plugtls_error *plugtls_config_error(const plugtls_config *cfg)
{
	return cfg ? &cfg->err : NULL;
}

/* ---- syntax checks ---- */

/* A DER SEQUENCE whose length covers the buffer exactly. */
static bool der_sequence_ok(const unsigned char *d, size_t len)
{
	if (len < 2 || d[0] != 0x30)
		return false;
	size_t hl, body;
	if (d[1] < 0x80) {
		hl = 2;
		body = d[1];
	} else {
		size_t nb = d[1] & 0x7f;
		if (nb == 0 || nb > 4 || len < 2 + nb)
			return false;
		body = 0;
		for (size_t i = 0; i < nb; i++)
			body = (body << 8) | d[2 + i];
		hl = 2 + nb;
	}
	return body <= len - hl && hl + body == len;
}

typedef struct pem_count {
	const char *suffix; /* label must end with it */
	size_t n;
} pem_count;

static plugtls_err count_block(void *arg, const char *label,
			       const unsigned char *der, size_t len)
{
	pem_count *pc = arg;
	size_t ll = strlen(label), sl = strlen(pc->suffix);
	(void)der;
	(void)len;
	if (ll >= sl && strcmp(label + ll - sl, pc->suffix) == 0)
		pc->n++;
	return PLUGTLS_OK;
}

/* PEM with at least one block whose label ends with suffix, or DER. */
static plugtls_err check_pem_or_der(plugtls_config *cfg, const char *what,
				    const unsigned char *data, size_t len,
				    const char *suffix)
{
	plugtls_error e;
	pt_err_clear(&e);
	if (len > PT_MAX_INPUT)
		return pt_err_set(&cfg->err, PLUGTLS_E_TOO_LARGE, 0,
				  "%s: input over %u bytes", what, PT_MAX_INPUT);
	if (pt_is_pem(data, len)) {
		pem_count pc = {suffix, 0};
		size_t blocks = 0;
		plugtls_err rc = pt_pem_each(data, len, count_block, &pc,
					     &blocks, &e);
		if (rc)
			return pt_err_wrap(&cfg->err, &e, what);
		if (!pc.n)
			return pt_err_set(&cfg->err, PLUGTLS_E_MALFORMED, 0,
					  "%s: no %s block in the PEM input",
					  what, suffix);
		return PLUGTLS_OK;
	}
	if (!der_sequence_ok(data, len))
		return pt_err_set(&cfg->err, PLUGTLS_E_MALFORMED, 0,
				  "%s: neither PEM nor a DER structure", what);
	return PLUGTLS_OK;
}

static plugtls_err blob_set(plugtls_config *cfg, pt_blob *b, const void *data,
			    size_t len, const char *label, bool secret)
{
	pt_blob nb = {0};
	if (!(nb.data = pt_memdup(data, len)) || !(nb.label = pt_strdup(label))) {
		pt_blob_clear(&nb, secret);
		return pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
				  "%s: out of memory", label);
	}
	nb.len = len;
	pt_blob_clear(b, secret);
	*b = nb;
	return PLUGTLS_OK;
}

static plugtls_err blobs_add(plugtls_config *cfg, pt_blobs *bs,
			     const void *data, size_t len, const char *label)
{
	if (bs->n >= PT_MAX_CA_SOURCES)
		return pt_err_set(&cfg->err, PLUGTLS_E_TOO_LARGE, 0,
				  "%s: more than %d sources", label,
				  PT_MAX_CA_SOURCES);
	pt_blob *v = pt_realloc(bs->v, (bs->n + 1) * sizeof(*v));
	if (!v)
		return pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
				  "%s: out of memory", label);
	bs->v = v;
	memset(&v[bs->n], 0, sizeof(v[0]));
	plugtls_err rc = blob_set(cfg, &v[bs->n], data, len, label, false);
	if (rc == PLUGTLS_OK)
		bs->n++;
	return rc;
}

/* Read path into a buffer, errors on cfg naming the setting. */
static plugtls_err read_setting_file(plugtls_config *cfg, const char *fn,
				     const char *path, unsigned char **data,
				     size_t *len, char *label, size_t label_cap)
{
	plugtls_error e;
	pt_err_clear(&e);
	if (!path || !*path)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "%s: path is empty", fn);
	pt_snprintf(label, label_cap, "%s(%s)", fn, path);
	plugtls_err rc = pt_read_file(path, data, len, &e);
	if (rc)
		return pt_err_wrap(&cfg->err, &e, fn);
	return PLUGTLS_OK;
}

/* ---- trust store ---- */

static plugtls_err add_ca_data(plugtls_config *cfg, const void *data,
			       size_t len, const char *label)
{
	plugtls_err rc = check_pem_or_der(cfg, label, data, len, "CERTIFICATE");
	if (rc)
		return rc;
	return blobs_add(cfg, &cfg->cas, data, len, label);
}

plugtls_err plugtls_config_add_ca_file(plugtls_config *cfg, const char *path)
{
	char label[300];
	unsigned char *data = NULL;
	size_t len = 0;
	CHECK_CFG(cfg, "add_ca_file");
	plugtls_err rc = read_setting_file(cfg, "add_ca_file", path, &data,
					   &len, label, sizeof(label));
	if (rc == PLUGTLS_OK)
		rc = add_ca_data(cfg, data, len, label);
	pt_free(data);
	return rc;
}

plugtls_err plugtls_config_add_ca_mem(plugtls_config *cfg, const void *data,
				      size_t len)
{
	CHECK_CFG(cfg, "add_ca_mem");
	if (!data || !len)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "add_ca_mem: data is empty");
	return add_ca_data(cfg, data, len, "add_ca_mem");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

plugtls_err plugtls_config_add_ca_dir(plugtls_config *cfg, const char *path)
{
	CHECK_CFG(cfg, "add_ca_dir");
	if (!path || !*path)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "add_ca_dir: path is empty");
	DIR *d = opendir(path);
	if (!d)
		return pt_err_set(&cfg->err, PLUGTLS_E_NOT_FOUND, 0,
				  "add_ca_dir(%s): cannot open directory", path);
	char **names = NULL;
	size_t n = 0, added = 0;
	plugtls_err rc = PLUGTLS_OK;
	struct dirent *de;
	/* Sorted, so the store is the same from run to run. */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n >= PT_MAX_CERTS) {
			rc = pt_err_set(&cfg->err, PLUGTLS_E_TOO_LARGE, 0,
					"add_ca_dir(%s): more than %u files",
					path, PT_MAX_CERTS);
			goto out;
		}
		char **nn = pt_realloc(names, (n + 1) * sizeof(*nn));
		if (!nn) {
			rc = pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
					"add_ca_dir: out of memory");
			goto out;
		}
		names = nn;
		if (!(names[n] = pt_strdup(de->d_name))) {
			rc = pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
					"add_ca_dir: out of memory");
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char full[4096], label[4200];
		struct stat st;
		unsigned char *data = NULL;
		size_t len = 0;
		plugtls_error e;
		pt_err_clear(&e);
		pt_snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (pt_read_file(full, &data, &len, &e) != PLUGTLS_OK)
			continue;
		/* Files that are not PEM certificates are skipped: hashed
		 * directories also hold CRLs and other things. */
		pem_count pc = {"CERTIFICATE", 0};
		size_t blocks = 0;
		if (pt_is_pem(data, len) &&
		    pt_pem_each(data, len, count_block, &pc, &blocks, &e) ==
			    PLUGTLS_OK &&
		    pc.n) {
			pt_snprintf(label, sizeof(label), "add_ca_dir(%s)",
				    full);
			rc = blobs_add(cfg, &cfg->cas, data, len, label);
			added++;
		}
		pt_free(data);
		if (rc)
			goto out;
	}
	if (!added)
		rc = pt_err_set(&cfg->err, PLUGTLS_E_NOT_FOUND, 0,
				"add_ca_dir(%s): no PEM certificate found", path);
out:
	for (size_t i = 0; i < n; i++)
		pt_free(names[i]);
	pt_free(names);
	closedir(d);
	return rc;
}

static const char *system_bundle(void)
{
	static const char *const paths[] = {
		"/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu */
		"/etc/pki/tls/certs/ca-bundle.crt",   /* Fedora, RHEL */
		"/etc/ssl/ca-bundle.pem",             /* openSUSE */
		"/etc/ssl/cert.pem",                  /* Alpine, BSDs */
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	};
	const char *env = getenv("SSL_CERT_FILE");
	if (env && *env)
		return env;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

plugtls_err plugtls_config_add_ca_system(plugtls_config *cfg)
{
	CHECK_CFG(cfg, "add_ca_system");
	const char *path = system_bundle();
	if (!path)
		return pt_err_set(&cfg->err, PLUGTLS_E_NOT_FOUND, 0,
				  "add_ca_system: no system CA bundle found");
	return plugtls_config_add_ca_file(cfg, path);
}

plugtls_err pt_config_system_cas(plugtls_config *cfg, pt_blobs *out)
{
	char label[300];
	unsigned char *data = NULL;
	size_t len = 0;
	const char *path = system_bundle();
	if (!path)
		return pt_err_set(&cfg->err, PLUGTLS_E_NOT_FOUND, 0,
				  "ctx_new: no CA set and no system CA bundle "
				  "found");
	plugtls_err rc = read_setting_file(cfg, "system CA bundle", path,
					   &data, &len, label, sizeof(label));
	if (rc == PLUGTLS_OK)
		rc = blobs_add(cfg, out, data, len, label);
	pt_free(data);
	return rc;
}

/* ---- own identity ---- */

static plugtls_err set_cert_data(plugtls_config *cfg, const void *data,
				 size_t len, const char *label)
{
	plugtls_err rc = check_pem_or_der(cfg, label, data, len, "CERTIFICATE");
	if (rc)
		return rc;
	rc = blob_set(cfg, &cfg->cert, data, len, label, false);
	if (rc == PLUGTLS_OK)
		pt_blob_clear(&cfg->p12, true);
	return rc;
}

plugtls_err plugtls_config_set_cert_file(plugtls_config *cfg, const char *path)
{
	char label[300];
	unsigned char *data = NULL;
	size_t len = 0;
	CHECK_CFG(cfg, "set_cert_file");
	plugtls_err rc = read_setting_file(cfg, "set_cert_file", path, &data,
					   &len, label, sizeof(label));
	if (rc == PLUGTLS_OK)
		rc = set_cert_data(cfg, data, len, label);
	pt_free(data);
	return rc;
}

plugtls_err plugtls_config_set_cert_mem(plugtls_config *cfg, const void *data,
					size_t len)
{
	CHECK_CFG(cfg, "set_cert_mem");
	if (!data || !len)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_cert_mem: data is empty");
	return set_cert_data(cfg, data, len, "set_cert_mem");
}

static plugtls_err set_password(plugtls_config *cfg, char **dst,
				const char *password, const char *label)
{
	char *pw = NULL;
	if (password && !(pw = pt_strdup(password)))
		return pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
				  "%s: out of memory", label);
	free_password(dst);
	*dst = pw;
	return PLUGTLS_OK;
}

static plugtls_err set_key_data(plugtls_config *cfg, const void *data,
				size_t len, const char *password,
				const char *label)
{
	plugtls_err rc = check_pem_or_der(cfg, label, data, len, "PRIVATE KEY");
	if (rc)
		return rc;
	rc = set_password(cfg, &cfg->key_password, password, label);
	if (rc)
		return rc;
	rc = blob_set(cfg, &cfg->key, data, len, label, true);
	if (rc == PLUGTLS_OK)
		pt_blob_clear(&cfg->p12, true);
	return rc;
}

plugtls_err plugtls_config_set_key_file(plugtls_config *cfg, const char *path,
					const char *password)
{
	char label[300];
	unsigned char *data = NULL;
	size_t len = 0;
	CHECK_CFG(cfg, "set_key_file");
	plugtls_err rc = read_setting_file(cfg, "set_key_file", path, &data,
					   &len, label, sizeof(label));
	if (rc == PLUGTLS_OK)
		rc = set_key_data(cfg, data, len, password, label);
	pt_free_secret(data, len);
	return rc;
}

plugtls_err plugtls_config_set_key_mem(plugtls_config *cfg, const void *data,
				       size_t len, const char *password)
{
	CHECK_CFG(cfg, "set_key_mem");
	if (!data || !len)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_key_mem: data is empty");
	return set_key_data(cfg, data, len, password, "set_key_mem");
}

static plugtls_err set_p12_data(plugtls_config *cfg, const void *data,
				size_t len, const char *password,
				const char *label)
{
	if (len > PT_MAX_INPUT)
		return pt_err_set(&cfg->err, PLUGTLS_E_TOO_LARGE, 0,
				  "%s: input over %u bytes", label, PT_MAX_INPUT);
	if (!der_sequence_ok(data, len))
		return pt_err_set(&cfg->err, PLUGTLS_E_MALFORMED, 0,
				  "%s: not a DER PKCS#12 structure", label);
	plugtls_err rc = set_password(cfg, &cfg->p12_password, password, label);
	if (rc)
		return rc;
	rc = blob_set(cfg, &cfg->p12, data, len, label, true);
	if (rc == PLUGTLS_OK) {
		pt_blob_clear(&cfg->cert, false);
		pt_blob_clear(&cfg->key, true);
		free_password(&cfg->key_password);
	}
	return rc;
}

plugtls_err plugtls_config_set_pkcs12_file(plugtls_config *cfg,
					   const char *path,
					   const char *password)
{
	char label[300];
	unsigned char *data = NULL;
	size_t len = 0;
	CHECK_CFG(cfg, "set_pkcs12_file");
	plugtls_err rc = read_setting_file(cfg, "set_pkcs12_file", path, &data,
					   &len, label, sizeof(label));
	if (rc == PLUGTLS_OK)
		rc = set_p12_data(cfg, data, len, password, label);
	pt_free_secret(data, len);
	return rc;
}

plugtls_err plugtls_config_set_pkcs12_mem(plugtls_config *cfg, const void *der,
					  size_t len, const char *password)
{
	CHECK_CFG(cfg, "set_pkcs12_mem");
	if (!der || !len)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_pkcs12_mem: data is empty");
	return set_p12_data(cfg, der, len, password, "set_pkcs12_mem");
}

/* ---- verification policy ---- */

plugtls_err plugtls_config_set_client_cert(plugtls_config *cfg,
					   plugtls_client_cert mode)
{
	CHECK_CFG(cfg, "set_client_cert");
	if (cfg->pol.role != PLUGTLS_SERVER)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_client_cert: only for servers");
	if (mode != PLUGTLS_CLIENT_CERT_NONE &&
	    mode != PLUGTLS_CLIENT_CERT_REQUEST &&
	    mode != PLUGTLS_CLIENT_CERT_REQUIRE)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_client_cert: unknown mode %d", (int)mode);
	cfg->pol.client_cert = mode;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_insecure_no_verify_chain(plugtls_config *cfg)
{
	CHECK_CFG(cfg, "insecure_no_verify_chain");
	cfg->pol.no_verify_chain = true;
	pt_log(&cfg->pol.logger, PLUGTLS_LOG_WARNING,
	       "certificate chain verification turned OFF (insecure)");
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_insecure_no_verify_hostname(plugtls_config *cfg)
{
	CHECK_CFG(cfg, "insecure_no_verify_hostname");
	cfg->pol.no_verify_host = true;
	pt_log(&cfg->pol.logger, PLUGTLS_LOG_WARNING,
	       "host name verification turned OFF (insecure)");
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_verify_time(plugtls_config *cfg,
					   int64_t unix_seconds)
{
	CHECK_CFG(cfg, "set_verify_time");
	if (unix_seconds < 0)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_verify_time: negative time");
	cfg->pol.verify_time = unix_seconds;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_verify_depth(plugtls_config *cfg, int depth)
{
	CHECK_CFG(cfg, "set_verify_depth");
	if (depth < 1 || depth > 64)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_verify_depth: %d is not in 1..64", depth);
	cfg->pol.depth = depth;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_protocols(plugtls_config *cfg,
					 unsigned min_version,
					 unsigned max_version)
{
	CHECK_CFG(cfg, "set_protocols");
	bool ok_min = min_version == PLUGTLS_TLS1_2 ||
		      min_version == PLUGTLS_TLS1_3;
	bool ok_max = max_version == PLUGTLS_TLS1_2 ||
		      max_version == PLUGTLS_TLS1_3;
	if (!ok_min || !ok_max || min_version > max_version)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_protocols: range 0x%04x-0x%04x is not "
				  "TLS 1.2/1.3 with min <= max",
				  min_version, max_version);
	cfg->pol.min_version = min_version;
	cfg->pol.max_version = max_version;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_profile(plugtls_config *cfg, const char *name)
{
	static const char *const profiles[] = {"modern", "aes128-gcm",
					       "aes256-gcm", "chacha20"};
	CHECK_CFG(cfg, "set_profile");
	for (size_t i = 0; name && i < sizeof(profiles) / sizeof(*profiles);
	     i++)
		if (strcmp(name, profiles[i]) == 0) {
			pt_snprintf(cfg->pol.profile, sizeof(cfg->pol.profile),
				    "%s", name);
			return PLUGTLS_OK;
		}
	return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
			  "set_profile: unknown profile \"%s\" (modern, "
			  "aes128-gcm, aes256-gcm, chacha20)",
			  name ? name : "(null)");
}

plugtls_err plugtls_config_set_alpn(plugtls_config *cfg, const char *protocols)
{
	unsigned char *wire = NULL;
	size_t len = 0;
	plugtls_error e;
	CHECK_CFG(cfg, "set_alpn");
	pt_err_clear(&e);
	if (!protocols || !*protocols)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_alpn: empty protocol list");
	plugtls_err rc = pt_alpn_parse(protocols, &wire, &len, &e);
	if (rc)
		return pt_err_wrap(&cfg->err, &e, "set_alpn");
	pt_free(cfg->pol.alpn);
	cfg->pol.alpn = wire;
	cfg->pol.alpn_len = len;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_pins(plugtls_config *cfg, const char *pins)
{
	pt_pins p = {0};
	plugtls_error e;
	CHECK_CFG(cfg, "set_pins");
	pt_err_clear(&e);
	if (!pins) {
		pt_pins_free(&cfg->pol.pins);
		return PLUGTLS_OK;
	}
	plugtls_err rc = pt_pins_parse(pins, &p, &e);
	if (rc)
		return pt_err_wrap(&cfg->err, &e, "set_pins");
	pt_pins_free(&cfg->pol.pins);
	cfg->pol.pins = p;
	return PLUGTLS_OK;
}

static plugtls_err add_crl_data(plugtls_config *cfg, const void *data,
				size_t len, const char *label)
{
	plugtls_err rc = check_pem_or_der(cfg, label, data, len, "X509 CRL");
	if (rc)
		return rc;
	return blobs_add(cfg, &cfg->crls, data, len, label);
}

plugtls_err plugtls_config_add_crl_file(plugtls_config *cfg, const char *path)
{
	char label[300];
	unsigned char *data = NULL;
	size_t len = 0;
	CHECK_CFG(cfg, "add_crl_file");
	plugtls_err rc = read_setting_file(cfg, "add_crl_file", path, &data,
					   &len, label, sizeof(label));
	if (rc == PLUGTLS_OK)
		rc = add_crl_data(cfg, data, len, label);
	pt_free(data);
	return rc;
}

plugtls_err plugtls_config_add_crl_mem(plugtls_config *cfg, const void *data,
				       size_t len)
{
	CHECK_CFG(cfg, "add_crl_mem");
	if (!data || !len)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "add_crl_mem: data is empty");
	return add_crl_data(cfg, data, len, "add_crl_mem");
}

plugtls_err plugtls_config_set_crl_mode(plugtls_config *cfg,
					plugtls_crl_mode mode)
{
	CHECK_CFG(cfg, "set_crl_mode");
	if (mode != PLUGTLS_CRL_NONE && mode != PLUGTLS_CRL_LEAF &&
	    mode != PLUGTLS_CRL_CHAIN)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_crl_mode: unknown mode %d", (int)mode);
	cfg->pol.crl_mode = mode;
	cfg->pol.crl_mode_set = true;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_add_psk(plugtls_config *cfg, const void *identity,
				   size_t identity_len, const void *key,
				   size_t key_len)
{
	CHECK_CFG(cfg, "add_psk");
	if (!identity || !identity_len || identity_len > PT_PSK_ID_MAX)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "add_psk: identity must be 1..%d bytes",
				  PT_PSK_ID_MAX);
	/* RFC 9257 / DESIGN.md: external PSKs need at least 128 bits. */
	if (!key || key_len < PT_PSK_KEY_MIN || key_len > PT_PSK_KEY_MAX)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "add_psk: key must be %d..%d bytes (at least "
				  "128 bits), got %zu",
				  PT_PSK_KEY_MIN, PT_PSK_KEY_MAX, key_len);
	if (cfg->pol.n_psks >= PT_MAX_PSKS)
		return pt_err_set(&cfg->err, PLUGTLS_E_TOO_LARGE, 0,
				  "add_psk: at most %d PSKs", PT_MAX_PSKS);
	pt_psk *v = pt_malloc((cfg->pol.n_psks + 1) * sizeof(*v));
	if (!v)
		return pt_err_set(&cfg->err, PLUGTLS_E_NOMEM, 0,
				  "add_psk: out of memory");
	/* Move, not realloc: the old array holds keys and must be wiped. */
	if (cfg->pol.n_psks)
		memcpy(v, cfg->pol.psks, cfg->pol.n_psks * sizeof(*v));
	if (cfg->pol.psks)
		pt_free_secret(cfg->pol.psks, cfg->pol.n_psks * sizeof(*v));
	pt_psk *p = &v[cfg->pol.n_psks];
	memset(p, 0, sizeof(*p));
	memcpy(p->id, identity, identity_len);
	p->id_len = identity_len;
	memcpy(p->key, key, key_len);
	p->key_len = key_len;
	cfg->pol.psks = v;
	cfg->pol.n_psks++;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_session_tickets(plugtls_config *cfg,
					       int enabled)
{
	CHECK_CFG(cfg, "set_session_tickets");
	cfg->pol.tickets = enabled ? 1 : 0;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_log_callback(plugtls_config *cfg,
					    plugtls_log_fn fn, void *arg,
					    plugtls_log_level max_level)
{
	CHECK_CFG(cfg, "set_log_callback");
	if (max_level > PLUGTLS_LOG_DEBUG)
		return pt_err_set(&cfg->err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "set_log_callback: unknown level %d",
				  (int)max_level);
	cfg->pol.logger.fn = fn;
	cfg->pol.logger.arg = arg;
	cfg->pol.logger.max = max_level;
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_keylog_callback(plugtls_config *cfg,
					       plugtls_keylog_fn fn, void *arg)
{
	CHECK_CFG(cfg, "set_keylog_callback");
	cfg->pol.keylog = fn;
	cfg->pol.keylog_arg = arg;
	if (fn)
		pt_log(&cfg->pol.logger, PLUGTLS_LOG_WARNING,
		       "key-log callback set: session secrets will be exported");
	return PLUGTLS_OK;
}

plugtls_err plugtls_config_set_io_timeout(plugtls_config *cfg,
					  unsigned milliseconds)
{
	CHECK_CFG(cfg, "set_io_timeout");
	cfg->pol.io_timeout_ms = milliseconds;
	return PLUGTLS_OK;
}
