/* Shared helpers of the fuzz targets: see fuzz_common.h. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PT_FUZZ_MATERIAL
#error "PT_FUZZ_MATERIAL must be defined by the build"
#endif

#define PTF_HOST "localhost"
#define PTF_ALPN "h2,http/1.1"
/* Bounds of one driven connection: handshake calls, then reads. */
#define PTF_MAX_STEPS 32
#define PTF_MAX_READS 4

const plugtls_provider *ptf_prov[PTF_MAX_PROVIDERS];
size_t ptf_nprov;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, detail ? detail : "");
	abort();
}

void ptf_init(void)
{
	if (ptf_nprov)
		return;
	/* Errors ignored: a provider that is not compiled in is simply not
	 * in the list below. */
	(void)plugtls_provider_accept_vulnerable("gnutls", "*");
	(void)plugtls_provider_accept_vulnerable("wolfssl", "*");
	for (size_t i = 0; i < plugtls_provider_count(); i++) {
		const plugtls_provider *p = NULL;
		const char *name = plugtls_provider_name_at(i);
		if (ptf_nprov == PTF_MAX_PROVIDERS)
			break;
		if (plugtls_provider_get(name, &p) != PLUGTLS_OK) {
			fprintf(stderr, "fuzz: provider %s skipped: %s\n", name,
				plugtls_thread_error()->message);
			continue;
		}
		ptf_prov[ptf_nprov++] = p;
	}
	if (!ptf_nprov)
		die("no provider loaded", plugtls_thread_error()->message);
}

static const char *material_dir(void)
{
	const char *d = getenv("PLUGTLS_FUZZ_MATERIAL");
	return d && *d ? d : PT_FUZZ_MATERIAL;
}

unsigned char *ptf_material(const char *name, size_t *len)
{
	char path[4096];
	unsigned char *buf = NULL;
	long sz = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", material_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		die("cannot open material", path);
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		die("cannot size material", path);
	buf = malloc((size_t)sz + 1);
	if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz)
		die("cannot read material", path);
	fclose(f);
	buf[sz] = 0;
	if (len)
		*len = (size_t)sz;
	return buf;
}

char *ptf_material_str(const char *name)
{
	size_t len = 0;
	char *s = (char *)ptf_material(name, &len);
	if (len && s[len - 1] == '\n')
		s[len - 1] = 0;
	return s;
}

int64_t ptf_verify_time(void)
{
	static int64_t t;
	if (!t) {
		char *s = ptf_material_str("verify-time");
		t = strtoll(s, NULL, 10);
		free(s);
		if (t <= 0)
			die("bad material", "verify-time");
	}
	return t;
}

static void check(plugtls_config *cfg, plugtls_err rc, const char *what)
{
	if (rc != PLUGTLS_OK)
		die(what, plugtls_config_error(cfg)->message);
}

static void add_psk(plugtls_config *cfg)
{
	size_t idlen = 0, klen = 0;
	unsigned char *id = ptf_material("psk-identity.txt", &idlen);
	unsigned char *key = ptf_material("psk.bin", &klen);
	check(cfg, plugtls_config_add_psk(cfg, id, idlen, key, klen),
	      "add_psk");
	free(id);
	free(key);
}

static void set_identity(plugtls_config *cfg, const char *chain,
			 const char *key)
{
	size_t clen = 0, klen = 0;
	unsigned char *c = ptf_material(chain, &clen);
	unsigned char *k = ptf_material(key, &klen);
	check(cfg, plugtls_config_set_cert_mem(cfg, c, clen), chain);
	check(cfg, plugtls_config_set_key_mem(cfg, k, klen, NULL), key);
	free(c);
	free(k);
}

static void add_ca(plugtls_config *cfg)
{
	size_t len = 0;
	unsigned char *ca = ptf_material("ca.pem", &len);
	check(cfg, plugtls_config_add_ca_mem(cfg, ca, len), "add_ca_mem");
	free(ca);
}

plugtls_ctx *ptf_ctx(const plugtls_provider *p, int kind, unsigned max_version)
{
	plugtls_config *cfg = NULL;
	plugtls_ctx *ctx = NULL;
	int server = kind == PTF_CTX_SERVER_CERT || kind == PTF_CTX_SERVER_PSK;

	if (plugtls_config_new(server ? PLUGTLS_SERVER : PLUGTLS_CLIENT,
			       &cfg) != PLUGTLS_OK)
		die("config_new", plugtls_thread_error()->message);
	check(cfg,
	      plugtls_config_set_protocols(cfg, PLUGTLS_TLS1_2, max_version),
	      "set_protocols");
	check(cfg, plugtls_config_set_verify_time(cfg, ptf_verify_time()),
	      "set_verify_time");
	if (kind != PTF_CTX_CLIENT_PSK)
		check(cfg, plugtls_config_set_alpn(cfg, PTF_ALPN), "set_alpn");
	switch (kind) {
	case PTF_CTX_SERVER_CERT:
		set_identity(cfg, "server-ec-chain.pem", "server-ec.key");
		add_ca(cfg);
		check(cfg,
		      plugtls_config_set_client_cert(
			      cfg, PLUGTLS_CLIENT_CERT_REQUEST),
		      "set_client_cert");
		break;
	case PTF_CTX_CLIENT_CERT:
		set_identity(cfg, "client-chain.pem", "client.key");
		add_ca(cfg);
		break;
	case PTF_CTX_SERVER_PSK:
	case PTF_CTX_CLIENT_PSK:
		add_psk(cfg);
		if (kind == PTF_CTX_CLIENT_PSK)
			check(cfg, plugtls_config_insecure_no_verify_chain(cfg),
			      "no_verify_chain");
		break;
	default: die("ptf_ctx", "bad kind");
	}
	if (plugtls_ctx_new(p, cfg, &ctx) != PLUGTLS_OK)
		die(plugtls_provider_name(p),
		    plugtls_config_error(cfg)->message);
	plugtls_config_free(cfg);
	return ctx;
}

/* Results go to a volatile sink so that no read is optimised away. */
static volatile size_t ptf_sink;

static void touch_str(const char *s)
{
	if (s)
		ptf_sink += strlen(s);
}

static void touch_cert(const plugtls_cert *c)
{
	const unsigned char *der = NULL;
	size_t len = 0;

	touch_str(plugtls_cert_subject(c));
	touch_str(plugtls_cert_issuer(c));
	touch_str(plugtls_cert_serial(c));
	ptf_sink += (size_t)plugtls_cert_not_before(c);
	ptf_sink += (size_t)plugtls_cert_not_after(c);
	for (size_t i = 0; i < plugtls_cert_san_count(c) + 1; i++) {
		plugtls_san_type t;
		const char *v = NULL;
		if (plugtls_cert_san(c, i, &t, &v) == PLUGTLS_OK) {
			ptf_sink += (size_t)t;
			touch_str(v);
		}
	}
	plugtls_cert_der(c, &der, &len);
	if (der && len)
		ptf_sink += der[len - 1];
	plugtls_cert_spki_der(c, &der, &len);
	if (der && len)
		ptf_sink += der[len - 1];
	touch_str(plugtls_cert_pin(c));
	touch_str(plugtls_cert_fingerprint_sha256(c));
	touch_str(plugtls_cert_key_type(c));
	ptf_sink += plugtls_cert_key_bits(c);
	touch_str(plugtls_cert_sig_alg(c));
	ptf_sink += (size_t)plugtls_cert_is_ca(c);
	ptf_sink += (size_t)plugtls_cert_path_len(c);
	ptf_sink += plugtls_cert_eku(c);
}

void ptf_touch_chain(const plugtls_chain *ch)
{
	for (size_t i = 0; i < plugtls_chain_count(ch); i++)
		touch_cert(plugtls_chain_get(ch, i));
}

char *ptf_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* ---- a connection whose peer is the fuzz input ----------------------------
 */

struct ptf_feed {
	const uint8_t *data;
	size_t size, off;
};

static plugtls_err feed_read(void *user, void *buf, size_t len, size_t *n)
{
	struct ptf_feed *f = user;
	size_t left = f->size - f->off;
	if (!left)
		return PLUGTLS_E_CLOSED;
	if (len > left)
		len = left;
	memcpy(buf, f->data + f->off, len);
	f->off += len;
	*n = len;
	return PLUGTLS_OK;
}

static plugtls_err feed_write(void *user, const void *buf, size_t len,
			      size_t *n)
{
	(void)user;
	if (len)
		ptf_sink += ((const unsigned char *)buf)[len - 1];
	*n = len;
	return PLUGTLS_OK;
}

static int pending(plugtls_err rc)
{
	return rc == PLUGTLS_WANT_READ || rc == PLUGTLS_WANT_WRITE;
}

static void drive(plugtls_ctx *ctx, int client, const uint8_t *session,
		  size_t session_len, const uint8_t *data, size_t size)
{
	struct ptf_feed feed = {.data = data, .size = size};
	plugtls_conn *c = NULL;
	plugtls_err rc = PLUGTLS_WANT_READ;
	unsigned char buf[512];
	size_t n = 0;

	if (plugtls_conn_new(ctx, &c) != PLUGTLS_OK)
		die("conn_new", plugtls_ctx_error(ctx)->message);
	if (client && plugtls_conn_set_host(c, PTF_HOST) != PLUGTLS_OK)
		die("conn_set_host", plugtls_conn_error(c)->message);
	if (session &&
	    plugtls_conn_set_session(c, session, session_len) != PLUGTLS_OK)
		goto out; /* refused by the core's size check */
	if (plugtls_conn_set_transport(c, feed_read, feed_write, &feed) !=
	    PLUGTLS_OK)
		die("conn_set_transport", plugtls_conn_error(c)->message);
	for (int i = 0; i < PTF_MAX_STEPS && pending(rc); i++)
		rc = plugtls_conn_handshake(c);
	if (rc == PLUGTLS_OK) {
		touch_str(plugtls_conn_cipher(c));
		touch_str(plugtls_conn_alpn(c));
		touch_str(plugtls_conn_servername(c));
		touch_str(plugtls_conn_psk_identity(c));
		ptf_touch_chain(plugtls_conn_peer_chain(c));
		for (int i = 0; i < PTF_MAX_READS; i++) {
			rc = plugtls_conn_read(c, buf, sizeof(buf), &n);
			if (rc != PLUGTLS_OK && !pending(rc))
				break;
		}
		(void)plugtls_conn_write(c, "x", 1, &n);
	}
out:
	plugtls_conn_free(c);
}

void ptf_drive(plugtls_ctx *ctx, int client, const uint8_t *data, size_t size)
{
	drive(ctx, client, NULL, 0, data, size);
}

void ptf_drive_session(plugtls_ctx *ctx, const uint8_t *session, size_t len)
{
	drive(ctx, 1, session, len, NULL, 0);
}
