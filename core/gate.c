/* The version gate: a pure function of the versions and the range table, so
 * it can be unit-tested over many version numbers. Distributions backport
 * fixes without raising the version number, so a listed range can be
 * accepted explicitly (plugtls_provider_accept_vulnerable or
 * $PLUGTLS_ACCEPT_VULNERABLE); acceptance is logged by the caller. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void pt_version_format(uint32_t v, char *buf, size_t cap)
{
	pt_snprintf(buf, cap, "%u.%u.%u", (unsigned)((v >> 16) & 0xff),
		    (unsigned)((v >> 8) & 0xff), (unsigned)(v & 0xff));
}

pt_gate_verdict pt_gate_decide(const pt_gate_input *in,
			       const char *provider_name, char *why,
			       size_t why_cap)
{
	char run[16], other[16], last[16];
	size_t off = 0;
	bool accepted_any = false;

	pt_version_format(in->runtime, run, sizeof(run));
	if (in->runtime < in->minimum) {
		pt_version_format(in->minimum, other, sizeof(other));
		pt_snprintf(why, why_cap,
			    "%s %s is older than the minimum supported %s",
			    provider_name, run, other);
		return PT_GATE_TOO_OLD;
	}
	if (in->runtime < in->headers) {
		pt_version_format(in->headers, other, sizeof(other));
		pt_snprintf(why, why_cap,
			    "%s %s is older than the headers plugtls was built "
			    "with (%s)",
			    provider_name, run, other);
		return PT_GATE_OLDER_THAN_HEADERS;
	}
	if (why_cap)
		why[0] = '\0';
	for (size_t i = 0; i < in->n_ranges; i++) {
		const plugtls_vuln_range *r = &in->ranges[i];
		if (in->runtime < r->first || in->runtime > r->last)
			continue;
		if (in->accepted && in->accepted(in->arg, r->cve)) {
			/* Collect "accepted: CVE-a,CVE-b". */
			int n = snprintf(why + off, why_cap > off ? why_cap - off : 0,
					 "%s%s", accepted_any ? "," : "accepted: ",
					 r->cve);
			if (n > 0 && off + (size_t)n < why_cap)
				off += (size_t)n;
			accepted_any = true;
			continue;
		}
		pt_version_format(r->first, other, sizeof(other));
		pt_version_format(r->last, last, sizeof(last));
		pt_snprintf(why, why_cap,
			    "%s %s is in the known-vulnerable range %s-%s (%s: "
			    "%s); accept it only if your distribution fixed it",
			    provider_name, run, other, last, r->cve, r->summary);
		return PT_GATE_VULNERABLE;
	}
	return accepted_any ? PT_GATE_ACCEPTED : PT_GATE_OK;
}

/* list: "openssl:CVE-2022-3602,gnutls:*" (spaces allowed around items). */
bool pt_accept_list_match(const char *list, const char *provider,
			  const char *cve)
{
	size_t plen = strlen(provider), clen = strlen(cve);
	const char *s = list;

	while (s && *s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len > plen + 1 && strncasecmp(s, provider, plen) == 0 &&
		    s[plen] == ':') {
			const char *item = s + plen + 1;
			size_t ilen = len - plen - 1;
			if ((ilen == 1 && item[0] == '*') ||
			    (ilen == clen && strncasecmp(item, cve, clen) == 0))
				return true;
		}
		s = end ? end + 1 : NULL;
	}
	return false;
}
