/*
 * plugtls p12 show | create: PKCS#12 bundles.
 *
 * show prints "key_type:" and "key_bits:" of the private key, a blank line,
 * then each certificate as `cert show` does (with "certificate: N"
 * headers). create writes KEY and the certificates of CHAINFILE (leaf
 * first) into a new bundle, mode 0600, replaced atomically.
 *
 * Exit codes: 1 for a wrong password or a bundle without a key (the input
 * was read; the operation failed), 2 for bad usage, unreadable or
 * malformed input, or no way to get a password.
 */
#include "cli.h"

#include <string.h>

/* PKCS#12 files are small; the library's own input limit is 16 MiB. */
#define P12_MAX_FILE (16u * 1024u * 1024u)

enum { P_PASSWORD_FILE = 1, P_KEY, P_KEY_PASSWORD_FILE, P_CERT, P_OUT, P_NAME };

static const struct cli_opt p12_show_opts[] = {
        {"--password-file", NULL, true, false, P_PASSWORD_FILE},
        {NULL, NULL, false, false, 0},
};

static const struct cli_opt p12_create_opts[] = {
        {"--key", NULL, true, false, P_KEY},
        {"--key-password-file", NULL, true, false, P_KEY_PASSWORD_FILE},
        {"--cert", NULL, true, false, P_CERT},
        {"--out", NULL, true, false, P_OUT},
        {"--password-file", NULL, true, false, P_PASSWORD_FILE},
        {"--name", NULL, true, false, P_NAME},
        {NULL, NULL, false, false, 0},
};

static int p12_show(int argc, char **argv)
{
	const plugtls_provider *p = NULL;
	struct cli_secret pw = {0};
	unsigned char *der = NULL;
	plugtls_chain *chain = NULL;
	plugtls_key *key = NULL;
	struct cli_args a;
	size_t len = 0;
	plugtls_err rc;
	int ret;

	ret = cli_parse("p12 show", argc, argv, p12_show_opts, &a);
	if (ret >= 0)
		return ret;
	ret = CLI_EXIT_USAGE;
	if (a.n_pos != 1) {
		cli_usage_error("p12 show", "expected exactly one FILE");
		goto out;
	}
	ret = cli_provider(&a, &p);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (!cli_read_file("PKCS#12 file", a.pos[0], P12_MAX_FILE, &der, &len))
		goto out;
	ret = cli_password(cli_opt_value(&a, P_PASSWORD_FILE),
	                   "Enter the PKCS#12 password: ", false, &pw);
	if (ret != CLI_EXIT_OK)
		goto out;
	rc = plugtls_pkcs12_import(p, der, len, pw.buf, &key, &chain);
	cli_secret_wipe(&pw);
	switch (rc) {
	case PLUGTLS_OK: break;
	case PLUGTLS_E_BAD_PASSWORD:
		cli_err("'%s': wrong password (or a corrupted file)", a.pos[0]);
		ret = CLI_EXIT_FAIL;
		goto out;
	case PLUGTLS_E_NO_KEY:
		cli_err("'%s' holds no private key", a.pos[0]);
		ret = CLI_EXIT_FAIL;
		goto out;
	default:
		cli_err("cannot import '%s': %s", a.pos[0], cli_thread_msg());
		ret = CLI_EXIT_USAGE;
		goto out;
	}
	printf("key_type: %s\n", plugtls_key_type(key));
	printf("key_bits: %u\n", plugtls_key_bits(key));
	if (plugtls_chain_count(chain) > 0) {
		printf("\n");
		/* Always headed, even for one certificate: the key lines
		 * come first and a reader must tell them apart. */
		for (size_t i = 0; i < plugtls_chain_count(chain); i++) {
			printf("%scertificate: %zu\n", i ? "\n" : "", i + 1);
			cli_print_cert(stdout, plugtls_chain_get(chain, i));
		}
	}
	ret = CLI_EXIT_OK;
out:
	cli_secret_wipe(&pw);
	plugtls_key_free(key);
	plugtls_chain_free(chain);
	cli_free_secret(der, len);
	if (p)
		plugtls_provider_release(p);
	cli_args_free(&a);
	return ret;
}

static int p12_create(int argc, char **argv)
{
	const plugtls_provider *p = NULL;
	struct cli_secret keypw = {0}, pw = {0};
	const char *keyfile, *certfile, *outfile;
	plugtls_chain *chain = NULL;
	plugtls_key *key = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	struct cli_args a;
	int ret;

	ret = cli_parse("p12 create", argc, argv, p12_create_opts, &a);
	if (ret >= 0)
		return ret;
	ret = CLI_EXIT_USAGE;
	keyfile = cli_opt_value(&a, P_KEY);
	certfile = cli_opt_value(&a, P_CERT);
	outfile = cli_opt_value(&a, P_OUT);
	if (a.n_pos) {
		cli_usage_error("p12 create", "unexpected argument '%s'",
		                a.pos[0]);
		goto out;
	}
	if (!keyfile || !certfile || !outfile) {
		cli_usage_error("p12 create", "--key, --cert and --out are "
		                              "required");
		goto out;
	}
	ret = cli_provider(&a, &p);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = cli_key_load(p, keyfile, cli_opt_value(&a, P_KEY_PASSWORD_FILE),
	                   &keypw, &key);
	cli_secret_wipe(&keypw);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (plugtls_chain_load_file(p, certfile, &chain) != PLUGTLS_OK) {
		cli_err("cannot load certificates from '%s': %s", certfile,
		        cli_thread_msg());
		goto out;
	}
	ret = cli_password(cli_opt_value(&a, P_PASSWORD_FILE),
	                   "Enter the export password: ", true, &pw);
	if (ret != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_USAGE;
	if (plugtls_pkcs12_export(p, key, chain, pw.buf,
	                          cli_opt_value(&a, P_NAME), &der,
	                          &len) != PLUGTLS_OK) {
		cli_err("cannot create the PKCS#12 bundle: %s",
		        cli_thread_msg());
		goto out;
	}
	cli_secret_wipe(&pw);
	if (!cli_write_file_private(outfile, der, len))
		goto out;
	ret = CLI_EXIT_OK;
out:
	cli_secret_wipe(&pw);
	cli_secret_wipe(&keypw);
	if (der) {
		/* Encrypted, but it holds the key: wipe anyway. */
		explicit_bzero(der, len);
		plugtls_free(der);
	}
	plugtls_chain_free(chain);
	plugtls_key_free(key);
	if (p)
		plugtls_provider_release(p);
	cli_args_free(&a);
	return ret;
}

int cmd_p12(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "show") == 0)
		return p12_show(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "create") == 0)
		return p12_create(argc - 1, argv + 1);
	if (argc >= 1 &&
	    (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		cli_usage(stdout, "p12");
		return CLI_EXIT_OK;
	}
	return cli_usage_error("p12", "expected 'p12 show' or 'p12 create'");
}
