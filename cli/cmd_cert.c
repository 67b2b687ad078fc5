/*
 * plugtls cert show FILE: every field of each certificate.
 *
 * One "key: value" per line, in this order (the format is part of the
 * tool's interface; tests and scripts read it):
 *   subject, issuer              RFC 4514
 *   serial                       lower-case hex
 *   not_before, not_after        "2025-01-31T12:00:00Z (1738324800)"
 *   san                          one line each: "DNS:x", "IP:x", "email:x",
 *                                "URI:x"; no line when there is none
 *   spki_sha256_pin              "sha256//BASE64"
 *   fingerprint_sha256           "aa:bb:..."
 *   key_type, key_bits, sig_alg
 *   ca                           "true" / "false"
 *   path_len                     a number, or "none"
 *   eku                          "serverAuth,clientAuth,...", or "absent"
 *                                (no extension: any purpose)
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

static void cert_time(FILE *f, const char *key, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "out-of-range");
	fprintf(f, "%s: %s (%" PRId64 ")\n", key, buf, t);
}

static const char *cert_san_prefix(plugtls_san_type t)
{
	switch (t) {
	case PLUGTLS_SAN_DNS: return "DNS";
	case PLUGTLS_SAN_IP: return "IP";
	case PLUGTLS_SAN_EMAIL: return "email";
	case PLUGTLS_SAN_URI: return "URI";
	}
	return "other";
}

static void cert_eku(FILE *f, unsigned eku)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	        {PLUGTLS_PURPOSE_SERVER, "serverAuth"},
	        {PLUGTLS_PURPOSE_CLIENT, "clientAuth"},
	        {PLUGTLS_PURPOSE_CODE_SIGNING, "codeSigning"},
	        {PLUGTLS_PURPOSE_EMAIL, "emailProtection"},
	        {PLUGTLS_PURPOSE_ANY, "anyExtendedKeyUsage"},
	        {PLUGTLS_PURPOSE_OTHER, "other"},
	};
	bool first = true;

	if (eku == 0) {
		fprintf(f, "eku: absent\n");
		return;
	}
	fprintf(f, "eku: ");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(eku & names[i].bit))
			continue;
		fprintf(f, "%s%s", first ? "" : ",", names[i].name);
		first = false;
	}
	fprintf(f, "\n");
}

static const char *cert_str(const char *s)
{
	return s ? s : "";
}

void cli_print_cert(FILE *f, const plugtls_cert *c)
{
	size_t nsan = plugtls_cert_san_count(c);
	int pl = plugtls_cert_path_len(c);

	fprintf(f, "subject: %s\n", cert_str(plugtls_cert_subject(c)));
	fprintf(f, "issuer: %s\n", cert_str(plugtls_cert_issuer(c)));
	fprintf(f, "serial: %s\n", cert_str(plugtls_cert_serial(c)));
	cert_time(f, "not_before", plugtls_cert_not_before(c));
	cert_time(f, "not_after", plugtls_cert_not_after(c));
	for (size_t i = 0; i < nsan; i++) {
		plugtls_san_type t;
		const char *v;

		if (plugtls_cert_san(c, i, &t, &v) != PLUGTLS_OK)
			continue;
		fprintf(f, "san: %s:%s\n", cert_san_prefix(t), v);
	}
	fprintf(f, "spki_sha256_pin: %s\n", cert_str(plugtls_cert_pin(c)));
	fprintf(f, "fingerprint_sha256: %s\n",
	        cert_str(plugtls_cert_fingerprint_sha256(c)));
	fprintf(f, "key_type: %s\n", cert_str(plugtls_cert_key_type(c)));
	fprintf(f, "key_bits: %u\n", plugtls_cert_key_bits(c));
	fprintf(f, "sig_alg: %s\n", cert_str(plugtls_cert_sig_alg(c)));
	fprintf(f, "ca: %s\n", plugtls_cert_is_ca(c) ? "true" : "false");
	if (pl < 0)
		fprintf(f, "path_len: none\n");
	else
		fprintf(f, "path_len: %d\n", pl);
	cert_eku(f, plugtls_cert_eku(c));
}

void cli_print_chain(FILE *f, const plugtls_chain *ch)
{
	size_t n = plugtls_chain_count(ch);

	for (size_t i = 0; i < n; i++) {
		if (n > 1)
			fprintf(f, "%scertificate: %zu\n", i ? "\n" : "",
			        i + 1);
		cli_print_cert(f, plugtls_chain_get(ch, i));
	}
}

static const struct cli_opt cert_opts[] = {
        {NULL, NULL, false, false, 0},
};

int cmd_cert(int argc, char **argv)
{
	const plugtls_provider *p = NULL;
	plugtls_chain *ch = NULL;
	struct cli_args a;
	int ret;

	if (argc < 1 || strcmp(argv[0], "show") != 0) {
		if (argc >= 1 && (strcmp(argv[0], "--help") == 0 ||
		                  strcmp(argv[0], "-h") == 0)) {
			cli_usage(stdout, "cert");
			return CLI_EXIT_OK;
		}
		return cli_usage_error("cert", "expected 'cert show FILE'");
	}
	ret = cli_parse("cert show", argc - 1, argv + 1, cert_opts, &a);
	if (ret >= 0)
		return ret;
	ret = CLI_EXIT_USAGE;
	if (a.n_pos != 1) {
		cli_usage_error("cert show", "expected exactly one FILE");
		goto out;
	}
	ret = cli_provider(&a, &p);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (plugtls_chain_load_file(p, a.pos[0], &ch) != PLUGTLS_OK) {
		cli_err("cannot load certificates from '%s': %s", a.pos[0],
		        cli_thread_msg());
		goto out;
	}
	cli_print_chain(stdout, ch);
	ret = CLI_EXIT_OK;
out:
	plugtls_chain_free(ch);
	if (p)
		plugtls_provider_release(p);
	cli_args_free(&a);
	return ret;
}
