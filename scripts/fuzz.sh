#!/usr/bin/env bash
#
# scripts/fuzz.sh [TARGET...] — build the libFuzzer targets (clang,
# ASan+UBSan, fuzz/CMakeLists.txt) and run each for a bounded burst.
#
#   FUZZ_SECONDS   seconds per target (default 20: the 10 targets take about
#                  3.5 minutes, plus the build)
#   FUZZ_BUILD_DIR build directory (default <repo>/build/fuzz)
#   FUZZ_JOBS      parallel build jobs (default 2)
#   FUZZ_REPLAY    targets that only replay their corpus (seeds and
#                  regression inputs, -runs=0) instead of fuzzing (default
#                  none)
#
# TARGET names a target (fuzz_cert or cert); default: every fuzz_*.c.
# Inputs found during the run go to <build>/fuzz-out/<target>/ (the
# committed seeds in fuzz/corpus/ are read, never written); a crash, leak,
# UB report or timeout leaves its input in <build>/fuzz-out/<target>/
# crash-* (or leak-*, timeout-*) and the log in <build>/fuzz-out/<target>.log.
# Prints one line per target; exits 1 if any target reported a finding,
# 2 on a build failure.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build/fuzz}
secs=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-2}
replay=${FUZZ_REPLAY-}
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

command -v clang >/dev/null || { echo "fuzz.sh: clang is not installed (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

if ! cmake -S "$root" -B "$build" -DPLUGTLS_FUZZ=ON -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=Debug -DPLUGTLS_WERROR=ON -DPLUGTLS_BUILD_TESTS=OFF \
	-DPLUGTLS_BUILD_CLI=OFF -DPLUGTLS_BUILD_BENCH=OFF \
	-DCMAKE_C_FLAGS="$san" \
	-DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
	-DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >"$build.configure.log" 2>&1; then
	cat "$build.configure.log" >&2
	echo "fuzz.sh: configure failed" >&2
	exit 2
fi
if ! cmake --build "$build" -j"$jobs" --target plugtls_fuzzers >"$build/build.log" 2>&1; then
	tail -40 "$build/build.log" >&2
	echo "fuzz.sh: build failed (log: $build/build.log)" >&2
	exit 2
fi

targets=()
if [ $# -gt 0 ]; then
	for t in "$@"; do targets+=("fuzz_${t#fuzz_}"); done
else
	for f in "$root"/fuzz/fuzz_*.c; do
		t=$(basename "$f" .c)
		[ "$t" = fuzz_common ] || targets+=("$t")
	done
fi

# A dictionary per target where one helps.
dict_for() {
	case $1 in
	fuzz_cert | fuzz_verify | fuzz_key | fuzz_pkcs12 | fuzz_crl) echo asn1 ;;
	fuzz_server | fuzz_client) echo tls ;;
	fuzz_pins) echo pins ;;
	fuzz_alpn) echo alpn ;;
	esac
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

out=$build/fuzz-out
mkdir -p "$out"
bad=0
for t in "${targets[@]}"; do
	name=${t#fuzz_}
	bin=$build/fuzz/$t
	seeds=$root/fuzz/corpus/$name
	work=$out/$name
	log=$out/$name.log
	[ -x "$bin" ] || { echo "$t: FAIL no such target" >&2; bad=1; continue; }
	mkdir -p "$work" "$seeds"
	args=(-timeout=30 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$work/")
	mode="$secs"s
	if [[ " $replay " == *" $name "* ]]; then
		# Replay only: every committed input once, nothing new.
		args+=(-runs=0)
		mode=replay
		dirs=("$seeds")
	else
		args+=(-max_total_time="$secs")
		d=$(dict_for "$t")
		[ -n "$d" ] && args+=(-dict="$root/fuzz/dict/$d.dict")
		dirs=("$work" "$seeds")
	fi
	"$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		printf '%-14s ok    %8s execs (%s), %s\n' "$t" "${execs:-?}" "$mode" "${cov:-cov: ?}"
	else
		bad=1
		art=$(grep -o "Test unit written to .*" "$log" | tail -1)
		printf '%-14s FAIL  %8s execs, exit %d: %s\n' "$t" "${execs:-?}" "$rc" "${art:-see $log}"
		grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error)" "$log" | head -5 | sed 's/^/    /'
	fi
done
exit $bad
