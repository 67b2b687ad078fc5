/* Built-in transports: an in-memory connected pair and file descriptors.
 * Both move bytes straight between the provider's buffer and the
 * destination; the mempair holds one buffer per direction, allocated once
 * and reused, so the data path does not allocate per record. */
#include "objects.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PT_MEMPAIR_CAP (256u * 1024u)

typedef struct pt_pipe {
	unsigned char *buf; /* ring buffer, grown on demand up to the cap */
	size_t cap;
	size_t head, len;   /* read position, bytes held */
	bool closed;        /* writer shut down */
} pt_pipe;

struct plugtls_mempair {
	pthread_mutex_t lock;
	atomic_uint refs;
	pt_pipe dir[2]; /* dir[e]: bytes written by end e */
};

plugtls_err plugtls_mempair_new(plugtls_mempair **out)
{
	if (!out)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "mempair_new: out is NULL");
	pt_ensure_init();
	plugtls_mempair *mp = pt_calloc(1, sizeof(*mp));
	if (!mp)
		return pt_err_set(NULL, PLUGTLS_E_NOMEM, 0,
				  "mempair_new: out of memory");
	if (pthread_mutex_init(&mp->lock, NULL) != 0) {
		pt_free(mp);
		return pt_err_set(NULL, PLUGTLS_E_INTERNAL, 0,
				  "mempair_new: mutex init failed");
	}
	atomic_init(&mp->refs, 1);
	*out = mp;
	return PLUGTLS_OK;
}

void pt_mempair_ref(plugtls_mempair *mp)
{
	atomic_fetch_add(&mp->refs, 1);
}

void pt_mempair_unref(plugtls_mempair *mp)
{
	if (!mp || atomic_fetch_sub(&mp->refs, 1) != 1)
		return;
	for (int i = 0; i < 2; i++)
		pt_free_secret(mp->dir[i].buf, mp->dir[i].cap);
	pthread_mutex_destroy(&mp->lock);
	pt_free(mp);
}

void plugtls_mempair_free(plugtls_mempair *mp)
{
	pt_mempair_unref(mp);
}

void plugtls_mempair_shutdown(plugtls_mempair *mp, int end)
{
	if (!mp || (end != 0 && end != 1))
		return;
	pthread_mutex_lock(&mp->lock);
	mp->dir[end].closed = true;
	pthread_mutex_unlock(&mp->lock);
}

plugtls_err pt_mempair_read(plugtls_mempair *mp, int end, void *buf,
			    size_t len, size_t *n)
{
	pt_pipe *p = &mp->dir[!end];
	plugtls_err rc = PLUGTLS_OK;
	pthread_mutex_lock(&mp->lock);
	if (p->len == 0) {
		rc = p->closed ? PLUGTLS_E_CLOSED : PLUGTLS_WANT_READ;
	} else {
		size_t take = len < p->len ? len : p->len;
		size_t first = p->cap - p->head;
		if (first > take)
			first = take;
		memcpy(buf, p->buf + p->head, first);
		memcpy((unsigned char *)buf + first, p->buf, take - first);
		p->head = (p->head + take) % p->cap;
		p->len -= take;
		if (p->len == 0)
			p->head = 0;
		*n = take;
	}
	pthread_mutex_unlock(&mp->lock);
	return rc;
}

/* Grow to hold `more` bytes beyond what is held (up to the cap); the
 * buffer is kept afterwards, so steady traffic does not allocate. */
static plugtls_err grow(pt_pipe *p, size_t more)
{
	size_t want = p->len + more, cap = p->cap ? p->cap : 4096;
	while (cap < want && cap < PT_MEMPAIR_CAP)
		cap *= 2;
	if (cap > PT_MEMPAIR_CAP)
		cap = PT_MEMPAIR_CAP;
	unsigned char *nb = pt_malloc(cap);
	if (!nb)
		return PLUGTLS_E_NOMEM;
	size_t first = p->cap - p->head;
	if (first > p->len)
		first = p->len;
	if (p->len) {
		memcpy(nb, p->buf + p->head, first);
		memcpy(nb + first, p->buf, p->len - first);
	}
	pt_free_secret(p->buf, p->cap);
	p->buf = nb;
	p->cap = cap;
	p->head = 0;
	return PLUGTLS_OK;
}

plugtls_err pt_mempair_write(plugtls_mempair *mp, int end, const void *buf,
			     size_t len, size_t *n)
{
	pt_pipe *p = &mp->dir[end];
	plugtls_err rc = PLUGTLS_OK;
	pthread_mutex_lock(&mp->lock);
	if (p->closed) {
		rc = PLUGTLS_E_IO;
		goto out;
	}
	if (p->cap - p->len < len && p->cap < PT_MEMPAIR_CAP) {
		rc = grow(p, len);
		if (rc)
			goto out;
	}
	size_t room = p->cap - p->len;
	if (room == 0) {
		rc = PLUGTLS_WANT_WRITE;
		goto out;
	}
	size_t put = len < room ? len : room;
	size_t tail = (p->head + p->len) % p->cap;
	size_t first = p->cap - tail;
	if (first > put)
		first = put;
	memcpy(p->buf + tail, buf, first);
	memcpy(p->buf, (const unsigned char *)buf + first, put - first);
	p->len += put;
	*n = put;
out:
	pthread_mutex_unlock(&mp->lock);
	return rc;
}

/* ---- file descriptors ---- */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Blocking fds with a timeout wait in poll first; non-blocking fds report
 * WANT_*. With no timeout a blocking fd blocks in read/write. */
static plugtls_err wait_fd(plugtls_conn *c, short events)
{
	unsigned ms = c->ctx->pol.io_timeout_ms;
	if (!ms)
		return PLUGTLS_OK;
	/* Non-blocking fds never wait: the caller's event loop does. */
	int fl = fcntl(c->fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		return PLUGTLS_OK;
	int64_t deadline = now_ms() + ms;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			break;
		struct pollfd pfd = {.fd = c->fd, .events = events};
		int r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return PLUGTLS_OK;
		if (r < 0 && errno != EINTR)
			return pt_err_set(&c->err, PLUGTLS_E_IO,
					  (unsigned long)errno,
					  "transport: poll: %s", strerror(errno));
	}
	return pt_err_set(&c->err, PLUGTLS_E_TIMEOUT, 0,
			  "transport: no progress for %u ms", ms);
}

plugtls_err pt_fd_read(plugtls_conn *c, void *buf, size_t len, size_t *n)
{
	plugtls_err rc = wait_fd(c, POLLIN);
	if (rc)
		return rc;
	for (;;) {
		ssize_t r = read(c->fd, buf, len);
		if (r > 0) {
			*n = (size_t)r;
			return PLUGTLS_OK;
		}
		if (r == 0)
			return PLUGTLS_E_CLOSED;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return PLUGTLS_WANT_READ;
		if (errno == ECONNRESET)
			return PLUGTLS_E_CLOSED;
		return pt_err_set(&c->err, PLUGTLS_E_IO, (unsigned long)errno,
				  "transport: read: %s", strerror(errno));
	}
}

plugtls_err pt_fd_writev(plugtls_conn *c, const plugtls_prov_iovec *iov,
			 size_t iovcnt, size_t *n)
{
	struct iovec v[PLUGTLS_PROV_IOV_MAX];
	size_t nv = 0;
	plugtls_err rc;

	for (size_t i = 0; i < iovcnt && nv < PLUGTLS_PROV_IOV_MAX; i++)
		if (iov[i].len) {
			v[nv].iov_base = (void *)(uintptr_t)iov[i].base;
			v[nv].iov_len = iov[i].len;
			nv++;
		}
	if (nv == 0) {
		*n = 0;
		return PLUGTLS_OK;
	}
	rc = wait_fd(c, POLLOUT);
	if (rc)
		return rc;
	for (;;) {
		/* sendmsg() with MSG_NOSIGNAL so a closed peer is an error,
		 * not SIGPIPE; writev() for non-sockets. */
		struct msghdr m = {.msg_iov = v, .msg_iovlen = nv};
		ssize_t r = sendmsg(c->fd, &m, MSG_NOSIGNAL);
		if (r < 0 && errno == ENOTSOCK)
			r = writev(c->fd, v, (int)nv);
		if (r > 0) {
			*n = (size_t)r;
			return PLUGTLS_OK;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return PLUGTLS_WANT_WRITE;
		return pt_err_set(&c->err, PLUGTLS_E_IO,
				  r < 0 ? (unsigned long)errno : 0,
				  "transport: write: %s",
				  r < 0 ? strerror(errno) : "wrote nothing");
	}
}

plugtls_err pt_fd_write(plugtls_conn *c, const void *buf, size_t len, size_t *n)
{
	plugtls_prov_iovec v = {.base = buf, .len = len};

	return pt_fd_writev(c, &v, 1, n);
}
