/* Logging. Nothing secret is ever formatted into a message: the core logs
 * names of settings and outcomes, never their values, and backends follow
 * the same rule (provider.h). */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>

static pt_logger pt_glogger = {NULL, NULL, PLUGTLS_LOG_ERROR};
static pthread_mutex_t pt_glog_lock = PTHREAD_MUTEX_INITIALIZER;

void plugtls_set_log_callback(plugtls_log_fn fn, void *arg,
			      plugtls_log_level max_level)
{
	pthread_mutex_lock(&pt_glog_lock);
	pt_glogger.fn = fn;
	pt_glogger.arg = arg;
	pt_glogger.max = max_level;
	pthread_mutex_unlock(&pt_glog_lock);
}

const pt_logger *pt_global_logger(void)
{
	return &pt_glogger;
}

bool pt_log_enabled(const pt_logger *lg, plugtls_log_level level)
{
	return lg && lg->fn && level <= lg->max;
}

void pt_logv(const pt_logger *lg, plugtls_log_level level, const char *fmt,
	     va_list ap)
{
	char line[512];
	plugtls_log_fn fn;
	void *arg;

	if (!lg)
		return;
	if (lg == &pt_glogger) {
		/* Copy under the lock; call without it (no lock is held while
		 * calling out to user code). */
		pthread_mutex_lock(&pt_glog_lock);
		fn = lg->fn;
		arg = lg->arg;
		bool on = fn && level <= lg->max;
		pthread_mutex_unlock(&pt_glog_lock);
		if (!on)
			return;
	} else {
		if (!pt_log_enabled(lg, level))
			return;
		fn = lg->fn;
		arg = lg->arg;
	}
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		return;
	fn(arg, level, line);
}

void pt_log(const pt_logger *lg, plugtls_log_level level, const char *fmt,
	    ...)
{
	va_list ap;
	va_start(ap, fmt);
	pt_logv(lg, level, fmt, ap);
	va_end(ap);
}

static const pt_logger *owner_logger(const void *owner)
{
	const pt_obj *o = owner;
	if (!o)
		return &pt_glogger;
	if (o->magic != PT_MAGIC_CTX && o->magic != PT_MAGIC_CONN)
		return &pt_glogger;
	return o->logger;
}

void plugtls_prov_log(const void *owner, plugtls_log_level level,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pt_logv(owner_logger(owner), level, fmt, ap);
	va_end(ap);
}

int plugtls_prov_log_enabled(const void *owner, plugtls_log_level level)
{
	const pt_logger *lg = owner_logger(owner);
	if (lg == &pt_glogger) {
		pthread_mutex_lock(&pt_glog_lock);
		bool on = lg->fn && level <= lg->max;
		pthread_mutex_unlock(&pt_glog_lock);
		return on;
	}
	return pt_log_enabled(lg, level);
}
