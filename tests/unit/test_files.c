/* pt_read_file: regular files only, bounded, errors naming the path. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct tmp {
	char dir[64];
	char path[128];
};

static void tmp_make(struct tmp *t)
{
	strcpy(t->dir, "/tmp/pt_unit_files_XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/f", t->dir);
}

static void tmp_write(struct tmp *t, const void *data, size_t len)
{
	int fd = open(t->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void tmp_clean(struct tmp *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

Test(files, reads_whole_file_nul_terminated)
{
	struct tmp t;
	unsigned char *buf = NULL;
	size_t len = 0;
	plugtls_error e;
	tmp_make(&t);
	tmp_write(&t, "hello\0world", 11);
	pt_err_clear(&e);
	cr_assert_eq(pt_read_file(t.path, &buf, &len, &e), PLUGTLS_OK, "%s",
		     e.message);
	cr_assert_eq(len, 11);
	cr_assert_eq(memcmp(buf, "hello\0world", 11), 0);
	cr_assert_eq(buf[11], '\0');
	pt_free_secret(buf, len + 1);
	tmp_clean(&t);
}

Test(files, empty_file)
{
	struct tmp t;
	unsigned char *buf = NULL;
	size_t len = 99;
	tmp_make(&t);
	tmp_write(&t, "", 0);
	cr_assert_eq(pt_read_file(t.path, &buf, &len, NULL), PLUGTLS_OK);
	cr_assert_eq(len, 0);
	cr_assert_eq(buf[0], '\0');
	pt_free(buf);
	tmp_clean(&t);
}

Test(files, missing_is_not_found)
{
	unsigned char *buf = (unsigned char *)"untouched";
	size_t len = 99;
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_read_file("/nonexistent/pt/file.pem", &buf, &len, &e),
		     PLUGTLS_E_NOT_FOUND);
	cr_assert_eq(e.code, PLUGTLS_E_NOT_FOUND);
	cr_assert_eq(e.provider_code, ENOENT);
	cr_assert_not_null(strstr(e.message, "/nonexistent/pt/file.pem"), "%s",
			   e.message);
	cr_assert_eq(plugtls_thread_error()->code, PLUGTLS_E_NOT_FOUND);
	cr_assert_str_eq((char *)buf, "untouched");
	cr_assert_eq(len, 99);
}

Test(files, path_through_a_file_is_not_found)
{
	struct tmp t;
	char p[160];
	unsigned char *buf;
	size_t len;
	plugtls_error e;
	tmp_make(&t);
	tmp_write(&t, "x", 1);
	snprintf(p, sizeof(p), "%s/below", t.path);
	pt_err_clear(&e);
	cr_assert_eq(pt_read_file(p, &buf, &len, &e), PLUGTLS_E_NOT_FOUND);
	cr_assert_eq(e.provider_code, ENOTDIR);
	tmp_clean(&t);
}

Test(files, directory_is_io)
{
	struct tmp t;
	unsigned char *buf;
	size_t len;
	plugtls_error e;
	tmp_make(&t);
	pt_err_clear(&e);
	cr_assert_eq(pt_read_file(t.dir, &buf, &len, &e), PLUGTLS_E_IO);
	cr_assert_not_null(strstr(e.message, "not a regular file"), "%s",
			   e.message);
	cr_assert_not_null(strstr(e.message, t.dir));
	tmp_clean(&t);
}

Test(files, devices_and_fifos_are_io, .timeout = 10)
{
	struct tmp t;
	unsigned char *buf;
	size_t len;
	plugtls_error e;
	pt_err_clear(&e);
	cr_assert_eq(pt_read_file("/dev/null", &buf, &len, &e), PLUGTLS_E_IO);
	tmp_make(&t);
	cr_assert_eq(mkfifo(t.path, 0600), 0);
	pt_err_clear(&e);
	/* Must not block on the open. */
	cr_assert_eq(pt_read_file(t.path, &buf, &len, &e), PLUGTLS_E_IO);
	tmp_clean(&t);
}

Test(files, size_limit)
{
	struct tmp t;
	unsigned char *buf = NULL;
	size_t len = 0;
	plugtls_error e;
	int fd;
	tmp_make(&t);
	fd = open(t.path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, (off_t)PT_MAX_INPUT), 0);
	cr_assert_eq(pt_read_file(t.path, &buf, &len, NULL), PLUGTLS_OK);
	cr_assert_eq(len, PT_MAX_INPUT);
	pt_free(buf);
	cr_assert_eq(ftruncate(fd, (off_t)PT_MAX_INPUT + 1), 0);
	close(fd);
	pt_err_clear(&e);
	cr_assert_eq(pt_read_file(t.path, &buf, &len, &e), PLUGTLS_E_TOO_LARGE);
	cr_assert_not_null(strstr(e.message, t.path));
	tmp_clean(&t);
}

Test(files, bad_arguments)
{
	unsigned char *buf;
	size_t len;
	cr_assert_eq(pt_read_file(NULL, &buf, &len, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(pt_read_file("", &buf, &len, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
	cr_assert_eq(pt_read_file("/etc/hostname", NULL, &len, NULL),
		     PLUGTLS_E_INVALID_ARGUMENT);
}
