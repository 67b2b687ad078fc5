/*
 * plugtls CLI: files, passwords and chains.
 *
 * Passwords come from a file or the terminal, never from argv (argv is
 * readable by every user through /proc). Password and key buffers are
 * wiped with explicit_bzero() before they go out of scope or are freed.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

void cli_secret_wipe(struct cli_secret *s)
{
	explicit_bzero(s->buf, sizeof(s->buf));
	s->len = 0;
	s->set = false;
}

void cli_free_secret(void *p, size_t len)
{
	if (!p)
		return;
	explicit_bzero(p, len);
	free(p);
}

/* Cut at the first "\n" (and a "\r" before it). Returns false when the
 * line does not fit: a password is refused rather than silently cut. */
static bool cli_first_line(struct cli_secret *s, size_t got, bool complete)
{
	char *nl = memchr(s->buf, '\n', got);

	if (!nl && !complete)
		return false;
	s->len = nl ? (size_t)(nl - s->buf) : got;
	if (s->len > CLI_PASS_MAX)
		return false;
	if (s->len > 0 && s->buf[s->len - 1] == '\r')
		s->len--;
	/* Wipe the rest of what was read (later lines). */
	explicit_bzero(s->buf + s->len, sizeof(s->buf) - s->len);
	s->set = true;
	return true;
}

static int cli_password_file(const char *file, struct cli_secret *out)
{
	size_t got = 0;
	bool eof = false;
	int fd, ret = CLI_EXIT_USAGE;

	/* read(2) straight into the wiped buffer: stdio would keep a copy
	 * in its own buffer. */
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_err("cannot open password file '%s': %s", file,
		        strerror(errno));
		return CLI_EXIT_USAGE;
	}
	while (got < sizeof(out->buf) - 1) {
		ssize_t r =
		        read(fd, out->buf + got, sizeof(out->buf) - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cli_err("cannot read password file '%s': %s", file,
			        strerror(errno));
			goto out;
		}
		if (r == 0) {
			eof = true;
			break;
		}
		got += (size_t)r;
		if (memchr(out->buf, '\n', got))
			break;
	}
	if (!cli_first_line(out, got, eof)) {
		cli_err("password in '%s' is longer than %u bytes", file,
		        CLI_PASS_MAX);
		goto out;
	}
	ret = CLI_EXIT_OK;
out:
	if (ret != CLI_EXIT_OK)
		cli_secret_wipe(out);
	close(fd);
	return ret;
}

/* Set while a prompt has echo off: a signal restores the terminal before
 * the process dies. */
static volatile sig_atomic_t cli_tty_signal;

static void cli_tty_on_signal(int sig)
{
	cli_tty_signal = sig;
}

static int cli_prompt_once(int tty, const char *prompt, struct cli_secret *out)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
	struct sigaction sa, old[5];
	struct termios saved, quiet;
	size_t got = 0;
	bool eof = false;
	int ret = CLI_EXIT_USAGE;

	if (tcgetattr(tty, &saved) != 0) {
		cli_err("cannot read terminal settings: %s", strerror(errno));
		return CLI_EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cli_tty_on_signal; /* no SA_RESTART: read() returns */
	sigemptyset(&sa.sa_mask);
	cli_tty_signal = 0;
	for (size_t i = 0; i < 5; i++)
		sigaction(sigs[i], &sa, &old[i]);
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(tty, TCSAFLUSH, &quiet) != 0) {
		cli_err("cannot turn terminal echo off: %s", strerror(errno));
		goto restore_signals;
	}
	if (write(tty, prompt, strlen(prompt)) < 0)
		goto restore;
	while (got < sizeof(out->buf) - 1) {
		ssize_t r =
		        read(tty, out->buf + got, sizeof(out->buf) - 1 - got);

		if (r < 0 && errno == EINTR && !cli_tty_signal)
			continue;
		if (r < 0)
			goto restore; /* an error, or a signal: stop asking */
		if (r == 0) {
			eof = true;
			break;
		}
		got += (size_t)r;
		if (memchr(out->buf, '\n', got))
			break;
	}
	if (got == 0) {
		cli_err("no password entered");
		goto restore;
	}
	if (!cli_first_line(out, got, eof)) {
		cli_err("password longer than %u bytes", CLI_PASS_MAX);
		goto restore;
	}
	ret = CLI_EXIT_OK;
restore:
	(void)!write(tty, "\n", 1);
	tcsetattr(tty, TCSAFLUSH, &saved);
restore_signals:
	for (size_t i = 0; i < 5; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (ret != CLI_EXIT_OK)
		cli_secret_wipe(out);
	if (cli_tty_signal) {
		/* Echo is back on; now die of the signal as asked. */
		raise(cli_tty_signal);
		ret = CLI_EXIT_FAIL;
	}
	return ret;
}

int cli_password(const char *file, const char *prompt, bool confirm,
                 struct cli_secret *out)
{
	struct cli_secret again;
	int tty, ret;

	cli_secret_wipe(out);
	if (file)
		return cli_password_file(file, out);
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0) {
		cli_err("a password is needed and there is no terminal to "
		        "ask for it: use --password-file (or "
		        "--key-password-file for a key)");
		return CLI_EXIT_USAGE;
	}
	ret = cli_prompt_once(tty, prompt, out);
	if (ret == CLI_EXIT_OK && confirm) {
		cli_secret_wipe(&again);
		ret = cli_prompt_once(tty,
		                      "Verifying - enter the password "
		                      "again: ",
		                      &again);
		if (ret == CLI_EXIT_OK &&
		    (again.len != out->len ||
		     memcmp(again.buf, out->buf, out->len) != 0)) {
			cli_err("the passwords do not match");
			ret = CLI_EXIT_FAIL;
		}
		cli_secret_wipe(&again);
		if (ret != CLI_EXIT_OK)
			cli_secret_wipe(out);
	}
	close(tty);
	return ret;
}

bool cli_read_file(const char *what, const char *path, size_t max,
                   unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL;
	struct stat st = {0};
	size_t got = 0;
	bool ok = false;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_err("cannot open %s '%s': %s", what, path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cli_err("%s '%s' is not a regular file", what, path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		cli_err("%s '%s' is larger than %zu bytes", what, path, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		cli_err("out of memory reading %s '%s'", what, path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cli_err("cannot read %s '%s': %s", what, path,
			        strerror(errno));
			goto out;
		}
		if (r == 0)
			break; /* the file shrank: take what is there */
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	ok = true;
out:
	/* Wipe: the file may hold a key or a PSK. */
	cli_free_secret(buf, (size_t)st.st_size + 1);
	close(fd);
	return ok;
}

bool cli_write_file_private(const char *path, const void *data, size_t len)
{
	const unsigned char *p = data;
	char *tmp = NULL;
	size_t off = 0;
	bool ok = false;
	int fd = -1;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		cli_err("out of memory");
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd < 0) {
		cli_err("cannot create a file next to '%s': %s", path,
		        strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			cli_err("cannot write '%s': %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		cli_err("cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		cli_err("cannot rename '%s' to '%s': %s", tmp, path,
		        strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	ok = true;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return ok;
}

/* Base64 (RFC 4648, padded) of in into out, lines of 64 characters each
 * ended by "\n". Returns the characters written. out must hold
 * cli_pem_body_len(len) bytes. */
static size_t cli_pem_body_len(size_t len)
{
	size_t chars = (len + 2) / 3 * 4;

	return chars + (chars + 63) / 64;
}

static size_t cli_pem_body(const unsigned char *in, size_t len, char *out)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
	                          "stuvwxyz0123456789+/";
	size_t o = 0, col = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t rem = len - i;

		if (rem > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (rem > 2)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = rem > 1 ? b64[(v >> 6) & 63] : '=';
		out[o++] = rem > 2 ? b64[v & 63] : '=';
		col += 4;
		if (col == 64) {
			out[o++] = '\n';
			col = 0;
		}
	}
	if (col)
		out[o++] = '\n';
	return o;
}

/* The public API has no "append to chain": the certificates of several
 * chains (each loaded from PEM or DER) are written back as one PEM bundle
 * and parsed again. The bytes are public certificates, nothing secret. */
plugtls_err cli_chain_concat(const plugtls_provider *p,
                             plugtls_chain *const *chains, size_t n,
                             plugtls_chain **out)
{
	static const char head[] = "-----BEGIN CERTIFICATE-----\n";
	static const char foot[] = "-----END CERTIFICATE-----\n";
	plugtls_err rc = PLUGTLS_E_NOMEM;
	size_t total = 0, off = 0;
	char *pem = NULL;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < plugtls_chain_count(chains[i]); j++) {
			const unsigned char *der;
			size_t len;

			plugtls_cert_der(plugtls_chain_get(chains[i], j), &der,
			                 &len);
			if (len > SIZE_MAX / 2 - total - 64)
				return PLUGTLS_E_TOO_LARGE;
			total += sizeof(head) + sizeof(foot) +
			         cli_pem_body_len(len);
		}
	pem = malloc(total + 1);
	if (!pem)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < plugtls_chain_count(chains[i]); j++) {
			const unsigned char *der;
			size_t len;

			plugtls_cert_der(plugtls_chain_get(chains[i], j), &der,
			                 &len);
			memcpy(pem + off, head, sizeof(head) - 1);
			off += sizeof(head) - 1;
			off += cli_pem_body(der, len, pem + off);
			memcpy(pem + off, foot, sizeof(foot) - 1);
			off += sizeof(foot) - 1;
		}
	pem[off] = '\0';
	rc = plugtls_chain_parse(p, pem, off, out);
out:
	free(pem);
	return rc;
}

int cli_key_load(const plugtls_provider *p, const char *path,
                 const char *pwfile, struct cli_secret *pw, plugtls_key **out)
{
	plugtls_key *key = NULL;
	plugtls_err rc;
	int ret;

	cli_secret_wipe(pw);
	if (pwfile) {
		ret = cli_password(pwfile, NULL, false, pw);
		if (ret != CLI_EXIT_OK)
			return ret;
		rc = plugtls_key_load_file(p, path, pw->buf, &key);
	} else {
		/* Ask only when the key turns out to be encrypted. */
		rc = plugtls_key_load_file(p, path, NULL, &key);
		if (rc == PLUGTLS_E_BAD_PASSWORD) {
			ret = cli_password(
			        NULL, "Enter the key's password: ", false, pw);
			if (ret != CLI_EXIT_OK)
				return ret;
			rc = plugtls_key_load_file(p, path, pw->buf, &key);
		}
	}
	if (rc == PLUGTLS_E_BAD_PASSWORD) {
		cli_err("key '%s': wrong password", path);
		cli_secret_wipe(pw);
		return CLI_EXIT_FAIL;
	}
	if (rc != PLUGTLS_OK) {
		cli_err("cannot load key '%s': %s", path, cli_thread_msg());
		cli_secret_wipe(pw);
		return CLI_EXIT_USAGE;
	}
	if (out)
		*out = key;
	else
		plugtls_key_free(key);
	return CLI_EXIT_OK;
}

const char *cli_reasons(uint32_t reasons, char *buf, size_t cap)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 32; i++) {
		uint32_t bit = UINT32_C(1) << i;
		int w;

		if (!(reasons & bit))
			continue;
		w = snprintf(buf + off, cap - off, "%s%s", off ? "," : "",
		             plugtls_verify_reason_name(bit));
		if (w < 0 || (size_t)w >= cap - off)
			break;
		off += (size_t)w;
	}
	return buf;
}
