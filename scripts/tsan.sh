#!/usr/bin/env bash
# ThreadSanitizer run: configure the `tsan` preset (or BUILD_DIR), build the
# thread tests (tests/threads/) and run them; exit non-zero on any failed
# check and on any ThreadSanitizer report (halt_on_error=1).
#
#   ./scripts/tsan.sh [BUILD_DIR]        default: build/tsan
#
# Only plugtls is built with -fsanitize=thread; the providers' libraries are
# Debian's, uninstrumented: a race inside them is invisible here, and
# scripts/tsan.supp lists the few library frames whose own locking TSan
# cannot see (each commented). No plugtls frame is ever suppressed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/tsan}
case $build in /*) ;; *) build=$PWD/$build ;; esac

# Debian's GnuTLS and wolfSSL are inside their gates' known-vulnerable
# ranges; these tests exercise plugtls's mechanics (README, "Version gates").
export PLUGTLS_ACCEPT_VULNERABLE=${PLUGTLS_ACCEPT_VULNERABLE:-gnutls:*,wolfssl:*}
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66:suppressions=$root/scripts/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

# gcc's TSan runtime cannot map its shadow memory with the high ASLR
# entropy of recent kernels ("FATAL: ThreadSanitizer: unexpected memory
# mapping"); run without address randomisation when that happens.
run=()
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int main(void){return 0;}\n' >"$probe/p.c"
cc -fsanitize=thread "$probe/p.c" -o "$probe/p"
if ! env -u TSAN_OPTIONS "$probe/p" >/dev/null 2>&1; then
	if env -u TSAN_OPTIONS setarch "$(uname -m)" -R "$probe/p" >/dev/null 2>&1; then
		echo "tsan: running without ASLR (setarch -R): kernel mmap entropy too high for TSan"
		run=(setarch "$(uname -m)" -R)
	else
		echo "tsan: the ThreadSanitizer runtime does not start on this machine" >&2
		exit 1
	fi
fi

start=$(date +%s)
if [ "$build" = "$root/build/tsan" ]; then
	cmake --preset tsan -S "$root" >/dev/null
else
	cmake --preset tsan -S "$root" -B "$build" >/dev/null
fi
cmake --build "$build" -j2 --target threads
built=$(date +%s)

status=0
for t in "$build"/tests/threads/threads_*; do
	[ -x "$t" ] || continue
	name=threads.${t##*/threads_}
	t0=$(date +%s)
	if "${run[@]}" "$t"; then
		echo "tsan: $name passed ($(($(date +%s) - t0)) s)"
	else
		rc=$?
		[ $rc = 66 ] && echo "tsan: $name: ThreadSanitizer report (see above)" >&2
		echo "tsan: $name FAILED (exit $rc)" >&2
		status=1
	fi
done
echo "tsan: build $((built - start)) s, tests $(($(date +%s) - built)) s"
exit $status
