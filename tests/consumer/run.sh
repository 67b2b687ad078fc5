#!/usr/bin/env bash
# Install a build tree into a temporary prefix, then build and run the
# consumer against it with CMake and with pkg-config.
set -euo pipefail
BUILD=${1:?build dir}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null
cmake -S "$HERE" -B "$TMP/build" -DCMAKE_PREFIX_PATH="$TMP/prefix" >/dev/null
cmake --build "$TMP/build" >/dev/null
LD_LIBRARY_PATH="$TMP/prefix/lib:$TMP/prefix/lib/x86_64-linux-gnu" "$TMP/build/consumer"
LIBDIR=$(dirname "$(find "$TMP/prefix" -name plugtls.pc | head -1)")
# The .pc file names the configured prefix; point it at the temporary one.
PKG_CONFIG_PATH="$LIBDIR" cc "$HERE/main.c" -o "$TMP/consumer-pc" \
	$(PKG_CONFIG_PATH="$LIBDIR" pkg-config --define-variable=prefix="$TMP/prefix" \
		--cflags --libs plugtls)
LD_LIBRARY_PATH="$TMP/prefix/lib:$TMP/prefix/lib/x86_64-linux-gnu" "$TMP/consumer-pc"
# A third party's provider module: the example, built on its own against
# the installed tree, found through PLUGTLS_MODULE_PATH and made the
# default with PLUGTLS_PROVIDER.
ROOT=$(cd "$HERE/../.." && pwd)
cmake -S "$ROOT/examples/provider-traced" -B "$TMP/traced" \
	-DCMAKE_PREFIX_PATH="$TMP/prefix" >/dev/null
cmake --build "$TMP/traced" >/dev/null
out=$(PLUGTLS_MODULE_PATH="$TMP/traced" PLUGTLS_PROVIDER=traced \
	LD_LIBRARY_PATH="$TMP/prefix/lib:$TMP/prefix/lib/x86_64-linux-gnu" "$TMP/consumer-pc")
echo "$out"
case "$out" in
*"default traced traced 1.0.0 over "*) ;;
*) echo "consumer: the out-of-tree module was not used" >&2; exit 1 ;;
esac
echo "consumer: find_package, pkg-config and an out-of-tree provider module all work"
