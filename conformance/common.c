#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct pt_param params[PT_MAX_PARAMS];

struct pt_param *pt_params_providers(size_t *count)
{
	size_t n = plugtls_provider_count();
	if (n > PT_MAX_PROVIDERS)
		n = PT_MAX_PROVIDERS;
	for (size_t i = 0; i < n; i++) {
		memset(&params[i], 0, sizeof(params[i]));
		snprintf(params[i].prov, sizeof(params[i].prov), "%s",
			 plugtls_provider_name_at(i));
		snprintf(params[i].prov2, sizeof(params[i].prov2), "%s",
			 plugtls_provider_name_at(i));
	}
	*count = n;
	return params;
}

bool pt_sample_keep(size_t row, size_t nrows, size_t shift)
{
	static long n = -1;
	if (n < 0) {
		const char *e = getenv("PLUGTLS_TEST_SAMPLE");
		n = e ? strtol(e, NULL, 10) : 1;
		if (n < 1 || n > 1000)
			n = 1;
	}
	return nrows <= PT_SAMPLE_SMALL || (row + shift) % (size_t)n == 0;
}

struct pt_param *pt_params_cases(size_t ncases, size_t *count)
{
	size_t np = plugtls_provider_count(), k = 0;
	for (size_t i = 0; i < np && i < PT_MAX_PROVIDERS; i++)
		for (size_t c = 0; c < ncases && k < PT_MAX_PARAMS; c++) {
			if (!pt_sample_keep(c, ncases, i))
				continue;
			memset(&params[k], 0, sizeof(params[k]));
			snprintf(params[k].prov, sizeof(params[k].prov), "%s",
				 plugtls_provider_name_at(i));
			snprintf(params[k].prov2, sizeof(params[k].prov2),
				 "%s", plugtls_provider_name_at(i));
			params[k].idx = c;
			k++;
		}
	*count = k;
	return params;
}

struct pt_param *pt_params_pairs(size_t *count)
{
	size_t np = plugtls_provider_count(), k = 0;
	if (np > PT_MAX_PROVIDERS)
		np = PT_MAX_PROVIDERS;
	for (size_t i = 0; i < np; i++)
		for (size_t j = 0; j < np; j++, k++) {
			memset(&params[k], 0, sizeof(params[k]));
			snprintf(params[k].prov, sizeof(params[k].prov), "%s",
				 plugtls_provider_name_at(i));
			snprintf(params[k].prov2, sizeof(params[k].prov2),
				 "%s", plugtls_provider_name_at(j));
		}
	*count = k;
	return params;
}

const plugtls_provider *pt_provider(const char *name)
{
	const plugtls_provider *p = NULL;
	plugtls_err rc = plugtls_provider_get(name, &p);
	cr_assert_eq(rc, PLUGTLS_OK, "provider %s: %s", name,
		     plugtls_thread_error()->message);
	return p;
}

void pt_require_caps(const plugtls_provider *p, uint64_t caps)
{
	uint64_t have = plugtls_provider_caps(p);
	for (int b = 0; b < 64; b++) {
		uint64_t bit = UINT64_C(1) << b;
		if ((caps & bit) && !(have & bit))
			cr_skip_test("provider %s lacks capability %s",
				     plugtls_provider_name(p),
				     plugtls_cap_name(bit));
	}
}

unsigned char *pt_read_fixture(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "fixture %s missing", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	long sz = ftell(f);
	cr_assert(sz >= 0);
	rewind(f);
	unsigned char *buf = malloc((size_t)sz + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	buf[sz] = 0;
	fclose(f);
	*len = (size_t)sz;
	return buf;
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

unsigned char *pt_pem_der(const char *text, size_t *der_len)
{
	const char *b = strstr(text, "-----BEGIN ");
	cr_assert_not_null(b, "not PEM");
	b = strchr(b, '\n');
	cr_assert_not_null(b);
	const char *e = strstr(b, "-----END ");
	cr_assert_not_null(e);
	unsigned char *der = malloc((size_t)(e - b) + 1);
	cr_assert_not_null(der);
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;
	for (const char *line = b + 1; line < e;) {
		const char *nl = memchr(line, '\n', (size_t)(e - line));
		size_t ll = nl ? (size_t)(nl - line) : (size_t)(e - line);
		/* RFC 1421 headers (Proc-Type: ...) are not body. */
		for (size_t i = 0; !memchr(line, ':', ll) && i < ll; i++) {
			int v = b64_val((unsigned char)line[i]);
			if (v < 0)
				continue;
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				der[n++] = (unsigned char)(acc >> bits);
			}
		}
		line += ll + 1;
	}
	*der_len = n;
	return der;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_pending(plugtls_err rc)
{
	return rc == PLUGTLS_WANT_READ || rc == PLUGTLS_WANT_WRITE;
}

plugtls_err pt_handshake_pair(plugtls_conn *client, plugtls_conn *server,
			      plugtls_err *server_rc)
{
	plugtls_err crc = PLUGTLS_WANT_WRITE, src = PLUGTLS_WANT_READ;
	double deadline = now_s() + 10.0;
	for (int step = 0; step < 10000 && now_s() < deadline; step++) {
		if (is_pending(crc))
			crc = plugtls_conn_handshake(client);
		if (is_pending(src))
			src = plugtls_conn_handshake(server);
		if (!is_pending(crc) && !is_pending(src))
			break;
		/* One side failed: let the other see the alert, then stop. */
		if ((!is_pending(crc) && crc != PLUGTLS_OK) ||
		    (!is_pending(src) && src != PLUGTLS_OK)) {
			for (int k = 0; k < 4; k++) {
				if (is_pending(crc))
					crc = plugtls_conn_handshake(client);
				if (is_pending(src))
					src = plugtls_conn_handshake(server);
			}
			break;
		}
	}
	if (server_rc)
		*server_rc = src;
	return crc;
}

void pt_pair_make(struct pt_pair *pp, plugtls_ctx *cctx, plugtls_ctx *sctx,
		  const char *host)
{
	memset(pp, 0, sizeof(*pp));
	pp->cctx = cctx;
	pp->sctx = sctx;
	cr_assert_eq(plugtls_mempair_new(&pp->mp), PLUGTLS_OK);
	cr_assert_eq(plugtls_conn_new(cctx, &pp->client), PLUGTLS_OK, "%s",
		     plugtls_ctx_error(cctx)->message);
	cr_assert_eq(plugtls_conn_new(sctx, &pp->server), PLUGTLS_OK, "%s",
		     plugtls_ctx_error(sctx)->message);
	cr_assert_eq(plugtls_conn_set_mempair(pp->client, pp->mp, 0),
		     PLUGTLS_OK);
	cr_assert_eq(plugtls_conn_set_mempair(pp->server, pp->mp, 1),
		     PLUGTLS_OK);
	if (host)
		cr_assert_eq(plugtls_conn_set_host(pp->client, host),
			     PLUGTLS_OK);
}

void pt_pair_free(struct pt_pair *pp)
{
	plugtls_conn_free(pp->client);
	plugtls_conn_free(pp->server);
	plugtls_mempair_free(pp->mp);
	plugtls_ctx_free(pp->cctx);
	plugtls_ctx_free(pp->sctx);
	memset(pp, 0, sizeof(*pp));
}

void pt_exchange(plugtls_conn *a, plugtls_conn *b, size_t len)
{
	unsigned char *out = malloc(len), *in = malloc(len);
	cr_assert(out && in);
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)(i * 31 + 7);
	size_t sent = 0, got = 0;
	double deadline = now_s() + 10.0;
	for (int step = 0; step < 100000 && got < len && now_s() < deadline;
	     step++) {
		size_t n = 0;
		if (sent < len) {
			plugtls_err rc =
				plugtls_conn_write(a, out + sent, len - sent, &n);
			cr_assert(rc == PLUGTLS_OK || is_pending(rc),
				  "write: %s (%s)", plugtls_err_string(rc),
				  plugtls_conn_error(a)->message);
			if (rc == PLUGTLS_OK)
				sent += n;
		}
		n = 0;
		plugtls_err rc = plugtls_conn_read(b, in + got, len - got, &n);
		cr_assert(rc == PLUGTLS_OK || is_pending(rc), "read: %s (%s)",
			  plugtls_err_string(rc),
			  plugtls_conn_error(b)->message);
		if (rc == PLUGTLS_OK)
			got += n;
	}
	cr_assert_eq(got, len, "received %zu of %zu bytes", got, len);
	cr_assert_eq(memcmp(in, out, len), 0, "data corrupted in transit");
	free(out);
	free(in);
}

const char *pt_reasons_str(uint32_t reasons, char *buf, size_t cap)
{
	size_t off = 0;
	buf[0] = 0;
	for (int b = 0; b < 32; b++) {
		uint32_t bit = UINT32_C(1) << b;
		if (!(reasons & bit))
			continue;
		int w = snprintf(buf + off, cap - off, "%s%s", off ? "," : "",
				 plugtls_verify_reason_name(bit));
		if (w < 0 || (size_t)w >= cap - off)
			break;
		off += (size_t)w;
	}
	if (!off)
		snprintf(buf, cap, "ok");
	return buf;
}
