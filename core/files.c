/*
 * Reading whole files (certificates, keys, PKCS#12 bundles, CRLs).
 *
 * The file may hold a private key, so every buffer that held its bytes is
 * wiped before it is freed, also on error paths; the caller wipes the
 * returned buffer (pt_free_secret(buf, len + 1)) when it may be secret.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* strerror_r comes in two flavours (XSI returns int, GNU returns char *);
 * pick by type so that either builds. strerror itself is not thread-safe. */
static const char *pt_pick_int(int r, const char *buf)
{
	return r == 0 ? buf : "unknown error";
}

static const char *pt_pick_ptr(const char *r, const char *buf)
{
	(void)buf;
	return r ? r : "unknown error";
}

#define pt_strerror(e, buf, cap)                                               \
	_Generic(strerror_r((e), (buf), (cap)),                                \
		int: pt_pick_int,                                              \
		char *: pt_pick_ptr)(strerror_r((e), (buf), (cap)), (buf))

static plugtls_err pt_errno_code(int e)
{
	return (e == ENOENT || e == ENOTDIR) ? PLUGTLS_E_NOT_FOUND
					     : PLUGTLS_E_IO;
}

plugtls_err pt_read_file(const char *path, unsigned char **out, size_t *len,
			 plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	unsigned char *buf = NULL, *nbuf;
	size_t cap = 0, used = 0;
	char ebuf[128];
	struct stat st;
	int fd = -1, e;

	if (!path || !*path || !out || !len)
		return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "read file: no path");
	/* O_NONBLOCK so that a FIFO or a device cannot hang the open; it
	 * changes nothing for the regular files we accept. */
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		e = errno;
		rc = pt_err_set(err, pt_errno_code(e), (unsigned long)e,
				"open %s: %s", path,
				pt_strerror(e, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		rc = pt_err_set(err, PLUGTLS_E_IO, (unsigned long)e,
				"stat %s: %s", path,
				pt_strerror(e, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = pt_err_set(err, PLUGTLS_E_IO, 0,
				"%s: not a regular file", path);
		goto out;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > PT_MAX_INPUT) {
		rc = pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
				"%s: %jd bytes is over the limit of %u", path,
				(intmax_t)st.st_size, PT_MAX_INPUT);
		goto out;
	}

	/* The size is a hint: the file may change while it is read. Read to
	 * end of file, growing the buffer, but never past the limit (one byte
	 * more than the limit is read to detect an oversized file). */
	cap = (size_t)st.st_size + 1;
	buf = pt_malloc(cap);
	if (!buf) {
		rc = pt_err_set(err, PLUGTLS_E_NOMEM, 0, "%s: out of memory",
				path);
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (used == cap) {
			size_t ncap;
			if (cap > PT_MAX_INPUT) {
				rc = pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
						"%s: over the limit of %u bytes",
						path, PT_MAX_INPUT);
				goto out;
			}
			ncap = cap < PT_MAX_INPUT / 2 ? cap * 2
							 : PT_MAX_INPUT + 1;
			nbuf = pt_malloc(ncap);
			if (!nbuf) {
				rc = pt_err_set(err, PLUGTLS_E_NOMEM, 0,
						"%s: out of memory", path);
				goto out;
			}
			memcpy(nbuf, buf, used);
			pt_free_secret(buf, cap);
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			rc = pt_err_set(err, PLUGTLS_E_IO, (unsigned long)e,
					"read %s: %s", path,
					pt_strerror(e, ebuf, sizeof(ebuf)));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > PT_MAX_INPUT) {
		rc = pt_err_set(err, PLUGTLS_E_TOO_LARGE, 0,
				"%s: over the limit of %u bytes", path,
				PT_MAX_INPUT);
		goto out;
	}
	/* Room for the terminating NUL. */
	if (used == cap) {
		nbuf = pt_malloc(cap + 1);
		if (!nbuf) {
			rc = pt_err_set(err, PLUGTLS_E_NOMEM, 0,
					"%s: out of memory", path);
			goto out;
		}
		memcpy(nbuf, buf, used);
		pt_free_secret(buf, cap);
		buf = nbuf;
		cap++;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	buf = NULL;
	rc = PLUGTLS_OK;
out:
	if (buf)
		pt_free_secret(buf, cap);
	if (fd >= 0)
		close(fd);
	return rc;
}
