#!/usr/bin/env bash
# Builds GnuTLS 3.8 from Debian trixie's source package into .deps/gnutls-3.8 (ignored by git), with the nettle
# 3.10 it needs (bookworm has 3.8) built first into the same prefix. The library keeps the soname libgnutls.so.30,
# so the harness runs against it with `--gnutls-build .deps/gnutls-3.8` (no second harness build).
# Options used, reported in .deps/gnutls-3.8/BUILD: --with-included-unistring (bookworm has no libunistring-dev
# installed by default), --disable-doc --disable-tests --disable-tools --disable-guile --without-tpm
# --without-tpm2 --disable-libdane (none of them changes the TLS library's behaviour on the wire).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
prefix="$top/.deps/gnutls-3.8"
if [ -f "$prefix/BUILD" ] && grep -q "^gnutls 3\.8" "$prefix/BUILD"; then
  echo "GnuTLS 3.8 already built: $(head -1 "$prefix/BUILD")"
  exit 0
fi
source "$top/scripts/debian-source.sh"
log="$deps/src/gnutls-3.8-build.log"
: > "$log"
nettle_version=$(fetch_source nettle 3.10)
gnutls_version=$(fetch_source gnutls28 3.8)
cd "$deps/src"
rm -rf nettle-build gnutls-build && mkdir nettle-build gnutls-build
tar -xzf "$(ls nettle_3.10*.orig.tar.gz | head -1)" -C nettle-build --strip-components=1
tar -xJf "$(ls gnutls28_3.8*.orig.tar.xz | head -1)" -C gnutls-build --strip-components=1
echo "building nettle $nettle_version and GnuTLS $gnutls_version into $prefix (log: $log)"
cd nettle-build
step ./configure --prefix="$prefix" --libdir="$prefix/lib" --disable-documentation --disable-openssl "LDFLAGS=-Wl,-rpath,$prefix/lib"
step make -j"$(nproc)"
step make install
cd ../gnutls-build
step env PKG_CONFIG_PATH="$prefix/lib/pkgconfig" ./configure --prefix="$prefix" --libdir="$prefix/lib" \
  --with-included-unistring --disable-doc --disable-tests --disable-tools --disable-guile --without-tpm --without-tpm2 \
  --disable-libdane --disable-full-test-suite "LDFLAGS=-Wl,-rpath,$prefix/lib"
step make -j"$(nproc)"
step make install
printf 'gnutls %s\nnettle %s\nconfigure: --with-included-unistring --disable-doc --disable-tests --disable-tools --disable-guile --without-tpm --without-tpm2 --disable-libdane\n' \
  "$gnutls_version" "$nettle_version" > "$prefix/BUILD"
ls -la "$prefix/lib/libgnutls.so.30"
