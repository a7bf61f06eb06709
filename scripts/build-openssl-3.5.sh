#!/usr/bin/env bash
# Builds OpenSSL 3.5 from Debian trixie's source package into .deps/openssl-3.5 (ignored by git), without touching
# the system's apt sources (scripts/debian-source.sh). Nothing of OpenSSL's source is committed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
prefix="$top/.deps/openssl-3.5"
# The command-line tool must find its own libraries (it is the external QUIC client), hence the rpath.
if [ -x "$prefix/bin/openssl" ] && "$prefix/bin/openssl" version 2>/dev/null | grep -q "^OpenSSL 3\.5"; then
  echo "OpenSSL 3.5 already built: $("$prefix/bin/openssl" version)"
  exit 0
fi
source "$top/scripts/debian-source.sh"
log="$deps/src/build.log"
: > "$log"
fetched=$(fetch_source openssl 3.5)
cd "$deps/src"
tarball=$(ls openssl_3.5*.orig.tar.gz | head -1)
rm -rf build && mkdir build
tar -xzf "$tarball" -C build --strip-components=1
cd build
echo "building OpenSSL $fetched into $prefix (log: $log)"
step ./Configure --prefix="$prefix" --libdir=lib no-docs no-tests shared "-Wl,-rpath,$prefix/lib"
step make -j"$(nproc)" build_sw
step make install_sw
"$prefix/bin/openssl" version
