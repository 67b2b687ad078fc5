#!/usr/bin/env bash
# Provider headers appear only under backends/<name>/ (STYLE.md), and
# version #if only in each backend's *_features.h.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
# bench/ is not in the list: its native baselines and allocator counters
# are written directly against each provider's API on purpose, to measure
# plugtls against them.
# tests/alloc/ likewise: it resets the libraries' own caches (OpenSSL's
# error queue, wolfSSL's EC point cache) before counting live blocks.
if grep -rnE '#\s*include\s*<(openssl|gnutls|wolfssl)/' core include cli conformance tests \
	--exclude-dir=alloc 2>/dev/null; then
	echo "layering: a provider header is included outside backends/" >&2
	bad=1
fi
for d in backends/*/; do
	name=$(basename "$d")
	for f in "$d"*.c "$d"*.h; do
		[ -e "$f" ] || continue
		case "$f" in *_features.h) continue ;; esac
		if grep -nE '#\s*if.*(OPENSSL_VERSION_NUMBER|GNUTLS_VERSION_NUMBER|LIBWOLFSSL_VERSION_HEX)' "$f"; then
			echo "layering: version #if outside the features header: $f" >&2
			bad=1
		fi
		# A backend never includes another provider's headers.
		for other in openssl gnutls wolfssl; do
			[ "$other" = "$name" ] && continue
			if grep -nE "#\s*include\s*<$other/" "$f"; then
				echo "layering: $f includes $other headers" >&2
				bad=1
			fi
		done
	done
done
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
