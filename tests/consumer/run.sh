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
echo "consumer: find_package and pkg-config both work"
