#!/usr/bin/env bash
# plugtls setup: installs what is missing (Debian packages), builds, and
# either runs the demonstration (`demo`, the default) or every test (`test`).
#
#   ./scripts/setup.sh          # install, build, run the demo of all providers
#   ./scripts/setup.sh test     # install, build, run every test (normal + ASan/UBSan)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:-demo}
JOBS=$(nproc 2>/dev/null || echo 2)

PACKAGES=(build-essential cmake pkg-config libssl-dev openssl libgnutls28-dev
          gnutls-bin libwolfssl-dev libcriterion-dev curl valgrind python3 gnuplot-nox
          clang libclang-rt-14-dev)

install_missing() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
			|| missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		return
	fi
	echo "== installing: ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# GnuTLS on Debian: accept exactly the ranges Debian's changelog shows fixed,
# when the installed package is new enough (see scripts/debian-accept.env).
debian_gnutls_accept() {
	. "$ROOT/scripts/debian-accept.env"
	local have
	have=$(dpkg-query -W -f='${Version}' libgnutls30 2>/dev/null || true)
	if [ -n "$have" ] && dpkg --compare-versions "$have" ge "$DEBIAN_GNUTLS_MIN_REVISION"; then
		echo "$DEBIAN_GNUTLS_ACCEPT"
	fi
}

# step TITLE CMD...: run one stage, say how long it took.
step() {
	local title=$1 t0
	shift
	echo "== $title"
	t0=$(date +%s)
	"$@"
	echo "== ($title: $(($(date +%s) - t0)) s)"
}

build() { # preset
	cmake --preset "$1" >/dev/null
	cmake --build --preset "$1" -j "$JOBS"
}

case "$MODE" in
demo)
	install_missing
	build release
	acc=$(debian_gnutls_accept)
	if [ -n "$acc" ] && [ -z "${PLUGTLS_ACCEPT_VULNERABLE:-}" ]; then
		echo "== Debian's GnuTLS carries backported fixes: accepting exactly those ranges"
		export PLUGTLS_ACCEPT_VULNERABLE=$acc
	fi
	exec "$ROOT/scripts/demo.sh" "$ROOT/build/release"
	;;
test)
	install_missing
	# The tests exercise every compiled-in provider on the libraries this
	# machine has, including versions the gates refuse by default (Debian
	# 12's GnuTLS 3.7.9 and wolfSSL 5.5.4 are inside listed ranges): the
	# suite tests the providers' mechanics, not the installed library's
	# security. Applications never get this acceptance implicitly.
	acc=$(debian_gnutls_accept)
	export PLUGTLS_ACCEPT_VULNERABLE="${PLUGTLS_ACCEPT_VULNERABLE:-${acc:-gnutls:*},wolfssl:*}"
	echo "== tests run with PLUGTLS_ACCEPT_VULNERABLE=$PLUGTLS_ACCEPT_VULNERABLE"
	T0=$(date +%s)
	step "developer build (-Wall -Wextra -Werror) and every ctest" \
		eval 'build dev && ctest --preset dev -j "$JOBS"'
	step "consumer: find_package, pkg-config and an out-of-tree provider module" \
		"$ROOT/tests/consumer/run.sh" "$ROOT/build/dev"
	# The module build runs what differs with modules: loading, the
	# interop matrix (all providers in one process), handshakes, the tool.
	step "providers as loadable modules (PLUGTLS_PROVIDER_MODULES=ON)" \
		eval 'build modules && ctest --preset modules -j "$JOBS" \
			-R "^(modules|conformance\.test_(interop|handshake|cross)|cli\.(providers|interop))$"'
	step "AddressSanitizer + UndefinedBehaviorSanitizer build: every ctest" \
		eval 'build asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --preset asan -j "$JOBS"'
	step "ThreadSanitizer: the thread tests" "$ROOT/scripts/tsan.sh"
	step "valgrind memcheck over the conformance suite" \
		"$ROOT/scripts/valgrind.sh" --ci "$ROOT/build/dev"
	step "libFuzzer: every target for a short burst (ASan+UBSan)" \
		env FUZZ_SECONDS="${FUZZ_SECONDS:-10}" "$ROOT/scripts/fuzz.sh"
	echo "== all tests passed in $(($(date +%s) - T0)) s:" \
		"dev, modules, ASan+UBSan, TSan, valgrind, fuzzing"
	;;
*)
	echo "usage: $0 [demo|test]" >&2
	exit 2
	;;
esac
