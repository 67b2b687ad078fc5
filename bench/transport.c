/*
 * The natives' transports: an in-memory pair with plugtls_mempair's
 * algorithm (see bench.h), and a loopback TCP pair for --tcp.
 */
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PIPE_CAP (256u * 1024u)

struct dir {
	unsigned char *buf;
	size_t cap, head, len;
};

struct bench_pipe {
	pthread_mutex_t lock;
	struct dir d[2]; /* d[e]: written by end e */
};

struct bench_pipe *bench_pipe_new(void)
{
	struct bench_pipe *p = bench_malloc(sizeof(*p));
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		bench_free(p);
		return NULL;
	}
	return p;
}

void bench_pipe_free(struct bench_pipe *p)
{
	if (!p)
		return;
	for (int i = 0; i < 2; i++) {
		/* plugtls wipes its buffers; so does this, for equal cost. */
		if (p->d[i].buf)
			memset(p->d[i].buf, 0, p->d[i].cap);
		bench_free(p->d[i].buf);
	}
	pthread_mutex_destroy(&p->lock);
	bench_free(p);
}

int bench_pipe_read(struct bench_pipe *p, int end, void *buf, size_t len,
		    size_t *n)
{
	struct dir *d = &p->d[!end];
	int rc = 0;
	pthread_mutex_lock(&p->lock);
	if (d->len == 0) {
		rc = 1;
	} else {
		size_t take = len < d->len ? len : d->len;
		size_t first = d->cap - d->head;
		if (first > take)
			first = take;
		memcpy(buf, d->buf + d->head, first);
		memcpy((unsigned char *)buf + first, d->buf, take - first);
		d->head = (d->head + take) % d->cap;
		d->len -= take;
		if (d->len == 0)
			d->head = 0;
		*n = take;
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int grow(struct dir *d, size_t more)
{
	size_t want = d->len + more, cap = d->cap ? d->cap : 4096;
	while (cap < want && cap < PIPE_CAP)
		cap *= 2;
	if (cap > PIPE_CAP)
		cap = PIPE_CAP;
	unsigned char *nb = bench_malloc(cap);
	if (!nb)
		return -1;
	size_t first = d->cap - d->head;
	if (first > d->len)
		first = d->len;
	if (d->len) {
		memcpy(nb, d->buf + d->head, first);
		memcpy(nb + first, d->buf, d->len - first);
	}
	if (d->buf)
		memset(d->buf, 0, d->cap);
	bench_free(d->buf);
	d->buf = nb;
	d->cap = cap;
	d->head = 0;
	return 0;
}

int bench_pipe_write(struct bench_pipe *p, int end, const void *buf,
		     size_t len, size_t *n)
{
	struct dir *d = &p->d[end];
	int rc = 0;
	pthread_mutex_lock(&p->lock);
	if (d->cap - d->len < len && d->cap < PIPE_CAP && grow(d, len) != 0) {
		rc = -1;
		goto out;
	}
	size_t room = d->cap - d->len;
	if (room == 0) {
		rc = 1;
		goto out;
	}
	size_t put = len < room ? len : room;
	size_t tail = (d->head + d->len) % d->cap;
	size_t first = d->cap - tail;
	if (first > put)
		first = put;
	memcpy(d->buf + tail, buf, first);
	memcpy(d->buf, (const unsigned char *)buf + first, put - first);
	d->len += put;
	*n = put;
out:
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* ---- loopback TCP ---- */

static int nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	int one = 1;
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int bench_tcp_pair(int fds[2])
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int l = -1, c = -1, s = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) != 0)
		goto fail;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto fail;
	s = accept(l, NULL, NULL);
	if (s < 0 || nonblock(c) != 0 || nonblock(s) != 0)
		goto fail;
	close(l);
	fds[0] = c;
	fds[1] = s;
	return 0;
fail:
	if (l >= 0)
		close(l);
	if (c >= 0)
		close(c);
	if (s >= 0)
		close(s);
	return -1;
}
