/*
 * pt_fuzz_record OUTDIR — records real handshakes between two plugtls
 * endpoints of the same provider, built from the fuzz material, and writes
 * what each side sent:
 *   OUTDIR/server/<provider>-<case>   bytes the client sent (seeds of
 *                                     fuzz_server, which plays the server)
 *   OUTDIR/client/<provider>-<case>   bytes the server sent (seeds of
 *                                     fuzz_client)
 *   OUTDIR/session/<provider>-<case>  the client's exported session
 *                                     (seeds of fuzz_session)
 * Cases: certificates with a client certificate, and PSK, each in TLS 1.3
 * and TLS 1.2; after the handshake each side sends one short record, so
 * the server's bytes include its TLS 1.3 session tickets. Run by
 * fuzz/make-corpus.sh; exits non-zero if any handshake fails.
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_CAP (1u << 20)
#define REC_MAX_STEPS 200

struct rec_dir {
	unsigned char buf[REC_CAP];
	size_t len, off;
};

/* dir[0]: written by the client, dir[1]: written by the server. */
static struct rec_dir dirs[2];
static struct rec_dir sess;

struct rec_end {
	int end; /* 0 client, 1 server */
};

static plugtls_err rec_read(void *user, void *buf, size_t len, size_t *n)
{
	struct rec_dir *d = &dirs[!((struct rec_end *)user)->end];
	size_t left = d->len - d->off;
	if (!left)
		return PLUGTLS_WANT_READ;
	if (len > left)
		len = left;
	memcpy(buf, d->buf + d->off, len);
	d->off += len;
	*n = len;
	return PLUGTLS_OK;
}

static plugtls_err rec_write(void *user, const void *buf, size_t len, size_t *n)
{
	struct rec_dir *d = &dirs[((struct rec_end *)user)->end];
	if (len > REC_CAP - d->len)
		return PLUGTLS_E_IO;
	memcpy(d->buf + d->len, buf, len);
	d->len += len;
	*n = len;
	return PLUGTLS_OK;
}

static int pending(plugtls_err rc)
{
	return rc == PLUGTLS_WANT_READ || rc == PLUGTLS_WANT_WRITE;
}

static int save(const char *dir, const char *sub, const char *name,
		const struct rec_dir *d)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(d->buf, 1, d->len, f) != d->len || fclose(f)) {
		fprintf(stderr, "record: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

/* One side's step: drive the handshake, then exchange one record. */
static plugtls_err step(plugtls_conn *c, int *phase)
{
	unsigned char buf[256];
	size_t n = 0;
	plugtls_err rc;
	switch (*phase) {
	case 0: rc = plugtls_conn_handshake(c); break;
	case 1: rc = plugtls_conn_write(c, "ping", 4, &n); break;
	case 2: rc = plugtls_conn_read(c, buf, sizeof(buf), &n); break;
	default: return PLUGTLS_OK;
	}
	if (rc == PLUGTLS_OK)
		(*phase)++;
	return pending(rc) ? PLUGTLS_OK : rc;
}

static int record(const plugtls_provider *p, const char *outdir,
		  const char *name, int ckind, int skind, unsigned maxv)
{
	plugtls_ctx *cctx = ptf_ctx(p, ckind, maxv);
	plugtls_ctx *sctx = ptf_ctx(p, skind, maxv);
	plugtls_conn *cc = NULL, *sc = NULL;
	struct rec_end ce = {0}, se = {1};
	int cph = 0, sph = 0, bad = 1;
	char file[128];

	memset(dirs, 0, sizeof(dirs));
	if (plugtls_conn_new(cctx, &cc) || plugtls_conn_new(sctx, &sc) ||
	    plugtls_conn_set_host(cc, "localhost") ||
	    plugtls_conn_set_transport(cc, rec_read, rec_write, &ce) ||
	    plugtls_conn_set_transport(sc, rec_read, rec_write, &se))
		goto out;
	for (int i = 0; i < REC_MAX_STEPS && (cph < 3 || sph < 3); i++) {
		plugtls_err rc = step(cc, &cph);
		if (rc == PLUGTLS_OK)
			rc = step(sc, &sph);
		if (rc != PLUGTLS_OK) {
			fprintf(stderr, "record %s %s: %s: %s / %s\n",
				plugtls_provider_name(p), name,
				plugtls_err_string(rc),
				plugtls_conn_error(cc)->message,
				plugtls_conn_error(sc)->message);
			goto out;
		}
	}
	if (cph < 3 || sph < 3) {
		fprintf(stderr, "record %s %s: did not finish\n",
			plugtls_provider_name(p), name);
		goto out;
	}
	snprintf(file, sizeof(file), "%s-%s", plugtls_provider_name(p), name);
	bad = save(outdir, "server", file, &dirs[0]) |
	      save(outdir, "client", file, &dirs[1]);
	/* The client's session, the seed of fuzz_session (not every
	 * provider has one after every case: NOT_FOUND is no error). */
	if (plugtls_conn_session_export(cc, sess.buf, sizeof(sess.buf),
					&sess.len) == PLUGTLS_OK)
		bad |= save(outdir, "session", file, &sess);
out:
	plugtls_conn_free(cc);
	plugtls_conn_free(sc);
	plugtls_ctx_free(cctx);
	plugtls_ctx_free(sctx);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;
	if (argc != 2) {
		fprintf(stderr, "usage: pt_fuzz_record OUTDIR\n");
		return 2;
	}
	ptf_init();
	for (size_t i = 0; i < ptf_nprov; i++) {
		const plugtls_provider *p = ptf_prov[i];
		bad |= record(p, argv[1], "cert-tls13", PTF_CTX_CLIENT_CERT,
			      PTF_CTX_SERVER_CERT, PLUGTLS_TLS1_3);
		bad |= record(p, argv[1], "cert-tls12", PTF_CTX_CLIENT_CERT,
			      PTF_CTX_SERVER_CERT, PLUGTLS_TLS1_2);
		bad |= record(p, argv[1], "psk-tls13", PTF_CTX_CLIENT_PSK,
			      PTF_CTX_SERVER_PSK, PLUGTLS_TLS1_3);
		bad |= record(p, argv[1], "psk-tls12", PTF_CTX_CLIENT_PSK,
			      PTF_CTX_SERVER_PSK, PLUGTLS_TLS1_2);
	}
	for (size_t i = 0; i < ptf_nprov; i++)
		plugtls_provider_release(ptf_prov[i]);
	return bad;
}
