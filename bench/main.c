/*
 * plugtls-bench: handshakes, throughput and memory of every built provider,
 * through plugtls and through the provider's own API, side by side.
 * See docs/BENCHMARK.md.
 */
#define _GNU_SOURCE
#include "run.h"

#include <plugtls/plugtls.h>

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { F_HS13, F_HS13_RSA, F_HS12, F_RESUMED, F_BULK_AES, F_BULK_CHACHA,
       F_MEM_CLIENT, F_MEM_SERVER, F_MALLOCS, F_RSS_PEAK, F_RSS_PER_CONN,
       F_TCP_HS13, F_TCP_BULK_AES, F_COUNT };

static const struct {
	const char *id, *unit, *what;
	int higher_better;
} figs[F_COUNT] = {
	{"hs_full_tls13_ecdsa", "handshakes/s",
	 "full handshake, TLS 1.3, X25519, ECDSA P-256, verified", 1},
	{"hs_full_tls13_rsa", "handshakes/s",
	 "full handshake, TLS 1.3, X25519, RSA-2048, verified", 1},
	{"hs_full_tls12_ecdsa", "handshakes/s",
	 "full handshake, TLS 1.2, ECDHE X25519, ECDSA P-256, verified", 1},
	{"hs_resumed_tls13", "handshakes/s", "resumed handshake, TLS 1.3 ticket",
	 1},
	{"bulk_aes128gcm", "MB/s", "16 KiB writes, TLS_AES_128_GCM_SHA256", 1},
	{"bulk_chacha20", "MB/s", "16 KiB writes, TLS_CHACHA20_POLY1305_SHA256",
	 1},
	{"mem_client_bytes", "bytes/conn", "heap held by an idle client", 0},
	{"mem_server_bytes", "bytes/conn", "heap held by an idle server", 0},
	{"mallocs_per_handshake", "calls",
	 "allocations per full handshake, both sides", 0},
	{"peak_rss_kib", "KiB", "peak RSS with N idle connection pairs open",
	 0},
	{"rss_per_conn_bytes", "bytes/conn",
	 "peak RSS growth per idle connection pair", 0},
	{"tcp_hs_full_tls13_ecdsa", "handshakes/s",
	 "full handshake over loopback TCP", 1},
	{"tcp_bulk_aes128gcm", "MB/s", "16 KiB writes over loopback TCP", 1},
};

/* Variants: 0 default, 1 RSA, 2 TLS 1.2, 3 AES-128-GCM, 4 ChaCha20,
 * 5 default with the provider's native (not lean) idle setting, 6/7 TCP. */
static const struct bench_variant variants[] = {
	{"tls13-ecdsa", 0, 0, NULL, 1, 0},
	{"tls13-rsa", 0, 1, NULL, 1, 0},
	{"tls12-ecdsa", 1, 0, NULL, 1, 0},
	{"aes128-gcm", 0, 0, "aes128-gcm", 1, 0},
	{"chacha20", 0, 0, "chacha20", 1, 0},
	{"tls13-ecdsa-default-buffers", 0, 0, NULL, 0, 0},
	{"tcp-tls13-ecdsa", 0, 0, NULL, 1, 1},
	{"tcp-aes128-gcm", 0, 0, "aes128-gcm", 1, 1},
};

#define MAX_REPS 101

struct stats {
	int n;
	double median, min, max, q1, q3;
};

struct fig_result {
	int ran, ok;
	struct stats st[2]; /* plugtls, native */
	/* Rates: plugtls/native of each repetition's pair of runs (the two
	 * run back to back), so that a machine that speeds up or slows down
	 * during a figure moves both sides of each ratio alike. */
	int paired;
	struct stats rt;
	int has_native_default;
	double native_default; /* OpenSSL's own default idle setting */
	char err[256];
};

struct prov_result {
	const char *name;
	const char *version;
	const char *count_method;
	int ok;
	char status[300];
	struct bench_impl impl[2];
	struct fig_result f[F_COUNT];
	long rss_before_kib[2];
};

static struct opts {
	const char *providers;
	double duration, warmup;
	long count, mem_conns, rss_conns;
	int reps, tcp, json, speed, quiet;
	const char *chart;
	const char *only; /* figure ids, comma-separated; NULL: all */
	int impls;        /* bit 0: plugtls, bit 1: native */
	int summary;
} o = {NULL, 0.5, 0.2, 0, 100, 1000, 5, 0, 0, 1, 0, NULL, NULL, 3, 0};

static struct bench_certs certs;
static double speed_mbps = -1;

/* name is one of the comma-separated items of list. */
static int in_list(const char *list, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == l && strncmp(p, name, l) == 0)
			return 1;
		p += n + (e ? 1 : 0);
	}
	return 0;
}

/* Is figure f selected (--only, --tcp)? */
static int fig_wanted(int f)
{
	if (o.only)
		return in_list(o.only, figs[f].id);
	return f < F_TCP_HS13 || o.tcp;
}

static int impl_wanted(int k)
{
	return (o.impls >> k) & 1;
}

/* ---- statistics ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)pos;
	double frac = pos - i;
	return i + 1 < n ? v[i] + (v[i + 1] - v[i]) * frac : v[i];
}

static void stats_of(double *v, int n, struct stats *s)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->median = quantile(v, n, 0.5);
	s->q1 = quantile(v, n, 0.25);
	s->q3 = quantile(v, n, 0.75);
}

/* ---- figures ---- */

static void note(const char *fmt, ...) PLUGTLS_PRINTF(1, 2);
static void note(const char *fmt, ...)
{
	va_list ap;
	if (o.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

typedef int (*rate_fn)(const struct bench_impl *, void *,
		       const struct bench_limit *, double *, char *, size_t);

/* Warm-up, then reps repetitions alternating plugtls and native (which
 * goes first alternates too), median and spread of each. */
static void run_rate(struct prov_result *pr, int fig, int var, rate_fn fn)
{
	struct fig_result *fr = &pr->f[fig];
	void *env[2] = {NULL, NULL};
	double vals[2][MAX_REPS];
	struct bench_limit lim = {o.duration, o.count};
	struct bench_limit warm = {o.warmup, o.count ? (o.count + 4) / 5 : 0};
	int k, r;

	if (!fig_wanted(fig))
		return;
	fr->ran = 1;
	note("  %s %s\n", pr->name, figs[fig].id);
	for (k = 0; k < 2; k++)
		if (impl_wanted(k) &&
		    pr->impl[k].env_new(&variants[var], &certs, &env[k],
					fr->err, sizeof(fr->err)))
			goto out;
	if (o.warmup > 0 || o.count)
		for (k = 0; k < 2; k++) {
			double dummy;
			if (impl_wanted(k) &&
			    fn(&pr->impl[k], env[k], &warm, &dummy, fr->err,
			       sizeof(fr->err)))
				goto out;
		}
	for (r = 0; r < o.reps; r++)
		for (int j = 0; j < 2; j++) {
			k = (r & 1) ? 1 - j : j;
			if (impl_wanted(k) &&
			    fn(&pr->impl[k], env[k], &lim, &vals[k][r], fr->err,
			       sizeof(fr->err)))
				goto out;
		}
	if (impl_wanted(0) && impl_wanted(1)) {
		double rt[MAX_REPS];
		for (r = 0; r < o.reps; r++)
			rt[r] = vals[1][r] > 0 ? vals[0][r] / vals[1][r] : 0;
		stats_of(rt, o.reps, &fr->rt);
		fr->paired = 1;
	}
	for (k = 0; k < 2; k++)
		if (impl_wanted(k))
			stats_of(vals[k], o.reps, &fr->st[k]);
	fr->ok = 1;
out:
	for (k = 0; k < 2; k++)
		if (env[k])
			pr->impl[k].env_free(env[k]);
}

static void run_memory(struct prov_result *pr)
{
	enum bench_count_mode mode = bench_mode_for(pr->name);
	double v[4][2][MAX_REPS];
	void *env[2] = {NULL, NULL};
	char err[256] = "";
	int k, r, ok = 0;

	if (!fig_wanted(F_MEM_CLIENT) && !fig_wanted(F_MEM_SERVER) &&
	    !fig_wanted(F_MALLOCS))
		return;
	note("  %s memory\n", pr->name);
	for (k = 0; k < 2; k++)
		if (impl_wanted(k) &&
		    pr->impl[k].env_new(&variants[0], &certs, &env[k], err,
					sizeof(err)))
			goto out;
	for (r = 0; r < o.reps; r++)
		for (k = 0; k < 2; k++) {
			struct bench_mem m;
			if (!impl_wanted(k))
				continue;
			if (bench_memory(&pr->impl[k], env[k], o.mem_conns, mode,
					 &m, err, sizeof(err)))
				goto out;
			v[0][k][r] = m.client;
			v[1][k][r] = m.server;
			v[2][k][r] = m.mallocs_per_hs;
		}
	for (k = 0; k < 2; k++) {
		if (!impl_wanted(k))
			continue;
		stats_of(v[0][k], o.reps, &pr->f[F_MEM_CLIENT].st[k]);
		stats_of(v[1][k], o.reps, &pr->f[F_MEM_SERVER].st[k]);
		stats_of(v[2][k], o.reps, &pr->f[F_MALLOCS].st[k]);
	}
	ok = 1;
	/* OpenSSL's own default keeps the record buffers of idle
	 * connections; plugtls releases them. Shown for comparison. */
	if (strcmp(pr->name, "openssl") == 0 && impl_wanted(1) && !o.summary) {
		void *denv = NULL;
		struct bench_mem m;
		if (pr->impl[1].env_new(&variants[5], &certs, &denv, err,
					sizeof(err)) == 0 &&
		    bench_memory(&pr->impl[1], denv, o.mem_conns, mode, &m, err,
				 sizeof(err)) == 0) {
			pr->f[F_MEM_CLIENT].has_native_default = 1;
			pr->f[F_MEM_CLIENT].native_default = m.client;
			pr->f[F_MEM_SERVER].has_native_default = 1;
			pr->f[F_MEM_SERVER].native_default = m.server;
		}
		if (denv)
			pr->impl[1].env_free(denv);
	}
out:
	for (int f = F_MEM_CLIENT; f <= F_MALLOCS; f++) {
		if (!fig_wanted(f))
			continue;
		pr->f[f].ran = 1;
		pr->f[f].ok = ok;
		if (!ok)
			snprintf(pr->f[f].err, sizeof(pr->f[f].err), "%s", err);
	}
	for (k = 0; k < 2; k++)
		if (env[k])
			pr->impl[k].env_free(env[k]);
}

static long status_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t kl = strlen(key);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}

/* In a forked child: open rss_conns idle pairs, report VmRSS before and
 * VmHWM after through a pipe. Each child starts from the same parent, so
 * providers' figures do not mix. */
static int rss_child(const struct bench_impl *im, long out[2], char *err,
		     size_t errlen)
{
	int fds[2], status = 0;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	malloc_trim(0);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		long res[2] = {-1, -1};
		void *env = NULL;
		struct bench_pair **pairs = NULL;
		close(fds[0]);
		alarm(300);
		if (im->env_new(&variants[0], &certs, &env, err, errlen) == 0) {
			res[0] = status_kib("VmRSS");
			if (bench_open_many(im, env, o.rss_conns, &pairs, err,
					    errlen) == 0)
				res[1] = status_kib("VmHWM");
		}
		if (write(fds[1], res, sizeof(res)) != sizeof(res) ||
		    write(fds[1], err, errlen) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], out, 2 * sizeof(long));
	if (n == 2 * sizeof(long))
		(void)!read(fds[0], err, errlen);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != 2 * sizeof(long) || out[1] < 0) {
		if (!err[0])
			snprintf(err, errlen, "the measuring child failed");
		return -1;
	}
	return 0;
}

static void run_rss(struct prov_result *pr)
{
	struct fig_result *peak = &pr->f[F_RSS_PEAK], *per = &pr->f[F_RSS_PER_CONN];
	double vp[2][MAX_REPS], vc[2][MAX_REPS];
	int reps = o.reps < 3 ? o.reps : 3;

	if (!fig_wanted(F_RSS_PEAK) && !fig_wanted(F_RSS_PER_CONN))
		return;
	note("  %s peak RSS (%ld connections)\n", pr->name, o.rss_conns);
	peak->ran = fig_wanted(F_RSS_PEAK);
	per->ran = fig_wanted(F_RSS_PER_CONN);
	for (int r = 0; r < reps; r++)
		for (int k = 0; k < 2; k++) {
			long res[2];
			char err[256] = "";
			if (!impl_wanted(k))
				continue;
			if (rss_child(&pr->impl[k], res, err, sizeof(err))) {
				snprintf(peak->err, sizeof(peak->err), "%s", err);
				snprintf(per->err, sizeof(per->err), "%s", err);
				return;
			}
			vp[k][r] = (double)res[1];
			vc[k][r] = (double)(res[1] - res[0]) * 1024.0 /
				   (double)o.rss_conns;
		}
	for (int k = 0; k < 2; k++) {
		if (!impl_wanted(k))
			continue;
		stats_of(vp[k], reps, &peak->st[k]);
		stats_of(vc[k], reps, &per->st[k]);
	}
	peak->ok = per->ok = 1;
}

/* ---- the reference figure ---- */

static void run_speed(void)
{
	FILE *f;
	char line[512];

	if (system("command -v openssl >/dev/null 2>&1") != 0)
		return;
	note("  openssl speed -evp aes-128-gcm -bytes 16384 -seconds 1\n");
	f = popen("openssl speed -evp aes-128-gcm -bytes 16384 -seconds 1 -mr "
		  "2>/dev/null",
		  "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* "+F:<n>:<name>:<bytes per second>" */
		if (strncmp(line, "+F:", 3) == 0) {
			char *last = strrchr(line, ':');
			if (last)
				speed_mbps = strtod(last + 1, NULL) / 1e6;
		}
	}
	pclose(f);
}

/* ---- output ---- */

/* Rates: the median of the paired ratios; other figures (memory, one
 * deterministic count per run): the ratio of the medians. */
static double ratio(const struct fig_result *fr)
{
	if (!fr->ok || !fr->st[0].n || !fr->st[1].n || fr->st[1].median == 0)
		return NAN;
	if (fr->paired)
		return fr->rt.median;
	return fr->st[0].median / fr->st[1].median;
}

static void json_stats(FILE *out, const struct stats *s)
{
	fprintf(out,
		"{\"median\": %.6g, \"min\": %.6g, \"max\": %.6g, "
		"\"q1\": %.6g, \"q3\": %.6g, \"n\": %d}",
		s->median, s->min, s->max, s->q1, s->q3, s->n);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void print_json(FILE *out, struct prov_result *prs, int np)
{
	fprintf(out, "{\n  \"plugtls\": ");
	json_string(out, PLUGTLS_VERSION_STRING);
	fprintf(out, ",\n  \"config\": {\"duration_s\": %g, \"count\": %ld, "
		     "\"reps\": %d, \"warmup_s\": %g, \"mem_conns\": %ld, "
		     "\"rss_conns\": %ld, \"tcp\": %s},\n",
		o.duration, o.count, o.reps, o.warmup, o.mem_conns,
		o.rss_conns, o.tcp ? "true" : "false");
	fprintf(out, "  \"reference\": {\"openssl_speed_aes128gcm_16k_MBps\": ");
	if (speed_mbps >= 0)
		fprintf(out, "%.1f", speed_mbps);
	else
		fprintf(out, "null");
	fprintf(out, "},\n  \"providers\": [");
	for (int i = 0; i < np; i++) {
		struct prov_result *pr = &prs[i];
		int first = 1;
		fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
		json_string(out, pr->name);
		fprintf(out, ", \"version\": ");
		json_string(out, pr->version);
		fprintf(out, ", \"status\": ");
		json_string(out, pr->ok ? "ok" : pr->status);
		fprintf(out, ", \"memory_method\": ");
		json_string(out, pr->count_method);
		fprintf(out, ",\n     \"figures\": {");
		for (int f = 0; f < F_COUNT; f++) {
			const struct fig_result *fr = &pr->f[f];
			if (!fr->ran)
				continue;
			fprintf(out, "%s\n       ", first ? "" : ",");
			first = 0;
			json_string(out, figs[f].id);
			fprintf(out, ": {\"unit\": ");
			json_string(out, figs[f].unit);
			if (!fr->ok) {
				fprintf(out, ", \"error\": ");
				json_string(out, fr->err);
				fprintf(out, "}");
				continue;
			}
			fprintf(out, ", \"plugtls\": ");
			json_stats(out, &fr->st[0]);
			fprintf(out, ", \"native\": ");
			json_stats(out, &fr->st[1]);
			if (fr->has_native_default)
				fprintf(out, ", \"native_default\": %.6g",
					fr->native_default);
			double rt = ratio(fr);
			if (isnan(rt))
				fprintf(out, ", \"ratio\": null");
			else
				fprintf(out, ", \"ratio\": %.4f", rt);
			if (fr->paired && !isnan(rt)) {
				fprintf(out, ", \"ratio_paired\": ");
				json_stats(out, &fr->rt);
			}
			fprintf(out, "}");
		}
		fprintf(out, "}}");
	}
	fprintf(out, "\n  ]\n}\n");
}

static void print_table(FILE *out, struct prov_result *prs, int np)
{
	fprintf(out,
		"plugtls-bench %s: %d repetitions of %s; median "
		"[min-max]; ratio = plugtls/native (rates: median of "
		"each repetition's back-to-back pair, with its min-max)\n",
		PLUGTLS_VERSION_STRING, o.reps,
		o.count ? "a fixed count" : "a fixed duration");
	if (speed_mbps >= 0)
		fprintf(out, "reference: openssl speed -evp aes-128-gcm, "
			     "16 KiB blocks: %.0f MB/s (one direction only)\n",
			speed_mbps);
	for (int i = 0; i < np; i++) {
		struct prov_result *pr = &prs[i];
		fprintf(out, "\n%s %s", pr->name, pr->version);
		if (!pr->ok) {
			fprintf(out, ": %s\n", pr->status);
			continue;
		}
		fprintf(out, "  (memory: %s)\n", pr->count_method);
		fprintf(out, "  %-24s %-13s %26s %26s %7s\n", "figure", "unit",
			"plugtls", "native", "ratio");
		for (int f = 0; f < F_COUNT; f++) {
			const struct fig_result *fr = &pr->f[f];
			char a[64], b[64];
			if (!fr->ran)
				continue;
			if (!fr->ok) {
				fprintf(out, "  %-24s error: %s\n", figs[f].id,
					fr->err);
				continue;
			}
			snprintf(a, sizeof(a), "%.1f [%.1f-%.1f]",
				 fr->st[0].median, fr->st[0].min,
				 fr->st[0].max);
			snprintf(b, sizeof(b), "%.1f [%.1f-%.1f]",
				 fr->st[1].median, fr->st[1].min,
				 fr->st[1].max);
			fprintf(out, "  %-24s %-13s %26s %26s %7.3f", figs[f].id,
				figs[f].unit, a, b, ratio(fr));
			if (fr->paired)
				fprintf(out, " [%.3f-%.3f]", fr->rt.min,
					fr->rt.max);
			if (fr->has_native_default)
				fprintf(out, "  (native default: %.0f)",
					fr->native_default);
			if (f == F_MEM_CLIENT || f == F_MEM_SERVER ||
			    f == F_RSS_PER_CONN)
				fprintf(out, "  (%+.0f B)",
					fr->st[0].median - fr->st[1].median);
			fputc('\n', out);
		}
	}
}

/* --summary: one line per figure a newcomer asks about first. */
static void print_summary(FILE *out, struct prov_result *prs, int np)
{
	static const struct {
		int f;
		const char *label;
	} rows[] = {
		{F_HS13, "full handshakes/s (TLS 1.3, ECDSA)"},
		{F_RESUMED, "resumed handshakes/s (TLS 1.3)"},
		{F_BULK_AES, "AES-128-GCM MB/s (16 KiB writes)"},
		{-1, "idle KB per connection (cl.+srv.)"},
	};

	fprintf(out,
		"plugtls-bench --summary: a short run (%d x %.1f s per rate, "
		"medians); `plugtls-bench` runs the full benchmark.\n"
		"ratio = plugtls / native (the same work written against the "
		"provider's own API):\n"
		"rates: 1.00 = no overhead, lower = plugtls slower; memory: "
		"higher = plugtls uses more.\n\n",
		o.reps, o.duration);
	fprintf(out, "%-9s %-36s %10s %10s %7s\n", "provider", "figure",
		"plugtls", "native", "ratio");
	for (int i = 0; i < np; i++) {
		struct prov_result *pr = &prs[i];
		if (!pr->ok) {
			fprintf(out, "%-9s %s\n", pr->name, pr->status);
			continue;
		}
		for (size_t j = 0; j < sizeof(rows) / sizeof(rows[0]); j++) {
			const char *name = j ? "" : pr->name;
			double a, b, r;
			if (rows[j].f >= 0) {
				const struct fig_result *fr = &pr->f[rows[j].f];
				if (!fr->ok) {
					fprintf(out, "%-9s %-36s error: %s\n",
						name, rows[j].label, fr->err);
					continue;
				}
				a = fr->st[0].median;
				b = fr->st[1].median;
				r = ratio(fr);
				fprintf(out, "%-9s %-36s %10.1f %10.1f %7.2f\n",
					name, rows[j].label, a, b, r);
				continue;
			}
			const struct fig_result *c = &pr->f[F_MEM_CLIENT],
						*s = &pr->f[F_MEM_SERVER];
			if (!c->ok || !s->ok) {
				fprintf(out, "%-9s %-36s error: %s\n", name,
					rows[j].label, c->ok ? s->err : c->err);
				continue;
			}
			a = (c->st[0].median + s->st[0].median) / 1000.0;
			b = (c->st[1].median + s->st[1].median) / 1000.0;
			fprintf(out, "%-9s %-36s %10.1f %10.1f %7.2f  (%+.0f B)\n",
				name, rows[j].label, a, b, b > 0 ? a / b : NAN,
				(a - b) * 1000.0);
		}
	}
	fprintf(out,
		"\nRates of a run this short move by 10-30 %% on a busy "
		"machine (memory is exact);\nfor the overhead read the "
		"full run or the instruction counts in docs/BENCHMARK.md.\n");
}

/* ---- chart ---- */

static double med(const struct prov_result *pr, int f, int k)
{
	return pr->f[f].ok ? pr->f[f].st[k].median : 0;
}

static int write_chart(const char *path, struct prov_result *prs, int np)
{
	char dir[] = "/tmp/plugtls-bench-XXXXXX";
	char data[64], rdata[64], script[64], cmd[4200];
	FILE *f;
	int rc;
	static const int rf[] = {F_HS13, F_HS13_RSA, F_HS12, F_RESUMED,
				 F_BULK_AES, F_BULK_CHACHA};

	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		fprintf(stderr, "plugtls-bench: --chart needs gnuplot, which "
				"is not installed (Debian package "
				"gnuplot-nox)\n");
		return -1;
	}
	if (!mkdtemp(dir))
		return -1;
	snprintf(data, sizeof(data), "%s/p.dat", dir);
	snprintf(rdata, sizeof(rdata), "%s/r.dat", dir);
	snprintf(script, sizeof(script), "%s/c.gp", dir);
	if (!(f = fopen(data, "w")))
		return -1;
	fprintf(f, "provider hs13 hs13rsa hs12 resumed aes aes_n chacha "
		   "chacha_n memc mems memc_n mems_n\n");
	for (int i = 0; i < np; i++)
		if (prs[i].ok)
			fprintf(f, "%s %g %g %g %g %g %g %g %g %g %g %g %g\n",
				prs[i].name, med(&prs[i], F_HS13, 0),
				med(&prs[i], F_HS13_RSA, 0),
				med(&prs[i], F_HS12, 0),
				med(&prs[i], F_RESUMED, 0),
				med(&prs[i], F_BULK_AES, 0),
				med(&prs[i], F_BULK_AES, 1),
				med(&prs[i], F_BULK_CHACHA, 0),
				med(&prs[i], F_BULK_CHACHA, 1),
				med(&prs[i], F_MEM_CLIENT, 0) / 1024,
				med(&prs[i], F_MEM_SERVER, 0) / 1024,
				med(&prs[i], F_MEM_CLIENT, 1) / 1024,
				med(&prs[i], F_MEM_SERVER, 1) / 1024);
	fclose(f);
	if (!(f = fopen(rdata, "w")))
		return -1;
	fprintf(f, "figure");
	for (int i = 0; i < np; i++)
		if (prs[i].ok)
			fprintf(f, " %s", prs[i].name);
	fputc('\n', f);
	for (size_t j = 0; j < sizeof(rf) / sizeof(rf[0]); j++) {
		fprintf(f, "%s", figs[rf[j]].id);
		for (int i = 0; i < np; i++)
			if (prs[i].ok) {
				double r = ratio(&prs[i].f[rf[j]]);
				fprintf(f, " %g", isnan(r) ? 0 : r);
			}
		fputc('\n', f);
	}
	fclose(f);
	int nok = 0;
	for (int i = 0; i < np; i++)
		nok += prs[i].ok;
	if (!(f = fopen(script, "w")))
		return -1;
	fprintf(f,
		"set terminal svg size 1200,900 dynamic noenhanced font 'sans,11'\n"
		"set output '%s'\n"
		"set style data histogram\n"
		"set style histogram clustered gap 1\n"
		"set style fill solid 0.8 border -1\n"
		"set key top right autotitle columnhead\n"
		"set grid ytics\n"
		"set yrange [0:*]\n"
		"set multiplot layout 2,2 title 'plugtls-bench %s (medians)'\n"
		"set title 'Handshakes/s through plugtls'\n"
		"set key top left opaque\n"
		"plot '%s' using 2:xtic(1) t 'TLS1.3 ECDSA', '' using 3 t "
		"'TLS1.3 RSA', '' using 4 t 'TLS1.2 ECDSA', '' using 5 t "
		"'resumed'\n"
		"set title 'Bulk MB/s, 16 KiB writes'\n"
		"set key top right opaque\n"
		"plot '%s' using 6:xtic(1) t 'AES-128-GCM plugtls', '' using 7 "
		"t 'AES-128-GCM native', '' using 8 t 'ChaCha20 plugtls', '' "
		"using 9 t 'ChaCha20 native'\n"
		"set title 'Heap per idle connection (KiB)'\n"
		"set key top left opaque\n"
		"plot '%s' using 10:xtic(1) t 'client plugtls', '' using 11 t "
		"'server plugtls', '' using 12 t 'client native', '' using 13 "
		"t 'server native'\n"
		"set title 'plugtls / native (1 = no overhead)'\n"
		"set yrange [0:1.3]\n"
		"set key top right opaque\n"
		"set bmargin 4\n"
		"set xtics norotate font ',7'\n"
		/* Only the first series labels the axis: each series writing
		 * the labels overprints them at its own offset. */
		"plot '%s' using 2:xtic(1), for [i=3:%d] '' using i\n"
		"unset multiplot\n",
		path, PLUGTLS_VERSION_STRING, data, data, data, rdata, nok + 1);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s'", script);
	rc = system(cmd);
	unlink(data);
	unlink(rdata);
	unlink(script);
	rmdir(dir);
	if (rc != 0) {
		fprintf(stderr, "plugtls-bench: gnuplot failed\n");
		return -1;
	}
	return 0;
}

/* ---- main ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: plugtls-bench [options]\n"
		"  --provider LIST   providers to measure (comma-separated; "
		"default: every one built)\n"
		"  --duration SEC    length of one repetition (default 0.5)\n"
		"  --count N         iterations per repetition instead of a "
		"duration\n"
		"  --reps N          repetitions per figure (default 5, max %d)\n"
		"  --warmup SEC      warm-up before each figure (default 0.2; "
		"with --count: count/5 iterations)\n"
		"  --mem-conns N     idle connections for the memory figures "
		"(default 100)\n"
		"  --rss-conns N     idle connections for peak RSS (default "
		"1000)\n"
		"  --tcp             also measure over loopback TCP\n"
		"  --no-speed        skip the `openssl speed` reference\n"
		"  --json            JSON on stdout instead of the table\n"
		"  --chart FILE.svg  draw a chart with gnuplot\n"
		"  --quiet           no progress on stderr\n"
		"  --only LIST       only these figures (ids as in the JSON, "
		"comma-separated)\n"
		"  --impl WHICH      plugtls, native or both (default; the "
		"ratio needs both)\n"
		"  --summary         a short run (a few seconds per provider) "
		"and a compact table\n",
		MAX_REPS);
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 0 when every item of list names a figure. */
static int only_valid(const char *list)
{
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int found = 0;
		for (int f = 0; f < F_COUNT; f++)
			if (strlen(figs[f].id) == n &&
			    strncmp(figs[f].id, p, n) == 0)
				found = 1;
		if (!found)
			return -1;
		p += n + (e ? 1 : 0);
	}
	return 0;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		long n;
		char *end;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--json") == 0) {
			o.json = 1;
		} else if (strcmp(a, "--tcp") == 0) {
			o.tcp = 1;
		} else if (strcmp(a, "--no-speed") == 0) {
			o.speed = 0;
		} else if (strcmp(a, "--quiet") == 0) {
			o.quiet = 1;
		} else if (strcmp(a, "--summary") == 0) {
			o.summary = 1;
		} else if (!v) {
			fprintf(stderr, "plugtls-bench: %s: unknown option or "
					"missing value\n", a);
			return -1;
		} else if (strcmp(a, "--provider") == 0) {
			o.providers = v, i++;
		} else if (strcmp(a, "--chart") == 0) {
			o.chart = v, i++;
		} else if (strcmp(a, "--only") == 0) {
			if (only_valid(v)) {
				fprintf(stderr, "plugtls-bench: --only: unknown "
						"figure in %s\n", v);
				return -1;
			}
			o.only = v, i++;
		} else if (strcmp(a, "--impl") == 0) {
			if (strcmp(v, "plugtls") == 0)
				o.impls = 1;
			else if (strcmp(v, "native") == 0)
				o.impls = 2;
			else if (strcmp(v, "both") == 0)
				o.impls = 3;
			else {
				fprintf(stderr, "plugtls-bench: --impl: "
						"plugtls, native or both\n");
				return -1;
			}
			i++;
		} else if (strcmp(a, "--duration") == 0 ||
			   strcmp(a, "--warmup") == 0) {
			double d = strtod(v, &end);
			if (*end || end == v || !(d >= 0) || d > 3600 ||
			    (a[2] == 'd' && d <= 0)) {
				fprintf(stderr, "plugtls-bench: bad %s\n", a);
				return -1;
			}
			*(a[2] == 'd' ? &o.duration : &o.warmup) = d;
			i++;
		} else if (strcmp(a, "--count") == 0 &&
			   parse_long(v, 1, 100000000, &n) == 0) {
			o.count = n, i++;
		} else if (strcmp(a, "--reps") == 0 &&
			   parse_long(v, 1, MAX_REPS, &n) == 0) {
			o.reps = (int)n, i++;
		} else if (strcmp(a, "--mem-conns") == 0 &&
			   parse_long(v, 1, 100000, &n) == 0) {
			o.mem_conns = n, i++;
		} else if (strcmp(a, "--rss-conns") == 0 &&
			   parse_long(v, 1, 100000, &n) == 0) {
			o.rss_conns = n, i++;
		} else {
			fprintf(stderr, "plugtls-bench: bad option %s %s\n", a,
				v);
			return -1;
		}
	}
	return 0;
}

static int wanted(const char *name)
{
	return !o.providers || in_list(o.providers, name);
}

static int native_for(const char *name, struct bench_impl *out)
{
#ifdef BENCH_HAVE_OPENSSL
	if (strcmp(name, "openssl") == 0) {
		*out = bench_native_openssl;
		return 0;
	}
#endif
#ifdef BENCH_HAVE_GNUTLS
	if (strcmp(name, "gnutls") == 0 && bench_native_gnutls_init() == 0) {
		*out = bench_native_gnutls;
		return 0;
	}
#endif
#ifdef BENCH_HAVE_WOLFSSL
	if (strcmp(name, "wolfssl") == 0 && bench_native_wolfssl_init() == 0) {
		*out = bench_native_wolfssl;
		return 0;
	}
#endif
	return -1;
}

static void setup_provider(struct prov_result *pr, const char *name)
{
	memset(pr, 0, sizeof(*pr));
	pr->name = name;
	pr->version = "";
	pr->count_method = bench_count_method(bench_mode_for(name));
	if (bench_plugtls_impl(name, &pr->impl[0], pr->status,
			       sizeof(pr->status)))
		return;
	pr->version = bench_plugtls_version(name);
	if (native_for(name, &pr->impl[1])) {
		snprintf(pr->status, sizeof(pr->status),
			 "no native baseline for %s", name);
		return;
	}
	pr->ok = 1;
}

int main(int argc, char **argv)
{
	struct prov_result prs[3];
	char err[256];
	int np = 0, rc = 0;

	bench_alloc_init(); /* before anything allocates */
	if (parse_args(argc, argv)) {
		usage(stderr);
		return 2;
	}
	if (o.summary) {
		/* About 4 s per provider on a 2-core machine: 3 short
		 * repetitions per rate, memory over 20 idle pairs. */
		o.duration = 0.2;
		o.reps = 3;
		o.warmup = 0.05;
		o.count = 0;
		o.mem_conns = 20;
		o.speed = 0;
		o.tcp = 0;
		o.quiet = 1;
		o.impls = 3;
		o.only = "hs_full_tls13_ecdsa,hs_resumed_tls13,bulk_aes128gcm,"
			 "mem_client_bytes,mem_server_bytes";
	}
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < plugtls_provider_count() && np < 3; i++) {
		const char *name = plugtls_provider_name_at(i);
		if (wanted(name))
			setup_provider(&prs[np++], name);
	}
	if (np == 0) {
		fprintf(stderr, "plugtls-bench: no such provider: %s\n",
			o.providers);
		return 2;
	}
	note("plugtls-bench: generating keys and certificates\n");
	if (bench_certs_generate(&certs, err, sizeof(err))) {
		fprintf(stderr, "plugtls-bench: %s\n", err);
		return 1;
	}
	/* Peak RSS first, from a parent that has not yet grown its heap. */
	for (int i = 0; i < np; i++)
		if (prs[i].ok)
			run_rss(&prs[i]);
	for (int i = 0; i < np; i++) {
		struct prov_result *pr = &prs[i];
		if (!pr->ok)
			continue;
		run_rate(pr, F_HS13, 0, bench_full);
		run_rate(pr, F_HS13_RSA, 1, bench_full);
		run_rate(pr, F_HS12, 2, bench_full);
		run_rate(pr, F_RESUMED, 0, bench_resumed);
		run_rate(pr, F_BULK_AES, 3, bench_bulk);
		run_rate(pr, F_BULK_CHACHA, 4, bench_bulk);
		run_memory(pr);
		if (o.tcp) {
			run_rate(pr, F_TCP_HS13, 6, bench_full);
			run_rate(pr, F_TCP_BULK_AES, 7, bench_bulk);
		}
	}
	if (o.speed)
		run_speed();
	if (o.json)
		print_json(stdout, prs, np);
	else if (o.summary)
		print_summary(stdout, prs, np);
	else
		print_table(stdout, prs, np);
	for (int i = 0; i < np; i++) {
		if (!prs[i].ok) {
			rc = 1;
			continue;
		}
		for (int f = 0; f < F_COUNT; f++)
			if (prs[i].f[f].ran && !prs[i].f[f].ok)
				rc = 1;
	}
	if (o.chart && write_chart(o.chart, prs, np) != 0)
		rc = 1;
	bench_certs_free(&certs);
	bench_plugtls_done();
	return rc;
}
