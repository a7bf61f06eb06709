#!/usr/bin/env bash
# Builds a library from Debian trixie's source package into .deps/LIBRARY-VERSION (ignored by git):
#   scripts/build-from-debian-source.sh openssl 3.5    # OpenSSL 3.5.x
#   scripts/build-from-debian-source.sh gnutls 3.8     # GnuTLS 3.8.x, with the nettle 3.10 it needs in the same prefix
# The newest source of that version the mirror has is used; the system's apt sources are not touched
# (scripts/debian-source.sh). Prints the prefix on its last line; the build's chatter goes to a log. The harness
# runs against the result with `run --build LIBRARY=.deps/LIBRARY-VERSION` (or `--build LIBRARY=debian:VERSION`,
# which calls this script).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
library=${1:?usage: build-from-debian-source.sh openssl|gnutls VERSION}
wanted=${2:?usage: build-from-debian-source.sh openssl|gnutls VERSION}
[[ "$wanted" =~ ^[0-9]+(\.[0-9]+)*$ ]] || { echo "error: version '$wanted' is not like 3.8" >&2; exit 2; }
prefix="$top/.deps/$library-$wanted"
if [ -f "$prefix/BUILD" ] && grep -q "^$library $wanted" "$prefix/BUILD"; then
  echo "$library $wanted already built: $(head -1 "$prefix/BUILD")" >&2
  echo "$prefix"
  exit 0
fi
case "$library" in
  openssl) "$top/scripts/install-deps.sh" build-essential perl >&2 ;;
  gnutls) "$top/scripts/install-deps.sh" build-essential m4 libgmp-dev libtasn1-6-dev libp11-kit-dev libidn2-dev >&2 ;;
  *) echo "error: no recipe for '$library' (known: openssl, gnutls)" >&2; exit 2 ;;
esac
source "$top/scripts/debian-source.sh"
log="$deps/src/$library-$wanted-build.log"
: > "$log"
cd "$deps/src"
unpack() { rm -rf "$2" && mkdir "$2" && tar -xf "$(ls "$1" | head -1)" -C "$2" --strip-components=1; }
case "$library" in
  openssl)
    version=$(fetch_source openssl "$wanted")
    unpack "openssl_$wanted*.orig.tar.gz" openssl-build
    echo "building OpenSSL $version into $prefix (log: $log)" >&2
    cd openssl-build
    # The command-line tool must find its own libraries (it is the external QUIC client), hence the rpath.
    step ./Configure --prefix="$prefix" --libdir=lib no-docs no-tests shared "-Wl,-rpath,$prefix/lib"
    step make -j"$(nproc)" build_sw
    step make install_sw
    printf 'openssl %s\n' "$version" > "$prefix/BUILD"
    ;;
  gnutls)
    version=$(fetch_source gnutls28 "$wanted")
    # GnuTLS 3.8 needs nettle >= 3.10; bookworm has 3.8. Trixie's nettle goes into the same prefix.
    nettle=$(fetch_source nettle 3.10)
    unpack "nettle_3.10*.orig.tar.gz" nettle-build
    unpack "gnutls28_$wanted*.orig.tar.xz" gnutls-build
    echo "building nettle $nettle and GnuTLS $version into $prefix (log: $log)" >&2
    (cd nettle-build && step ./configure --prefix="$prefix" --libdir="$prefix/lib" --disable-documentation --disable-openssl \
      "LDFLAGS=-Wl,-rpath,$prefix/lib" && step make -j"$(nproc)" && step make install)
    # Options that do not change the TLS library's behaviour on the wire; recorded in BUILD.
    options=(--with-included-unistring --disable-doc --disable-tests --disable-tools --disable-guile --without-tpm
      --without-tpm2 --disable-libdane --disable-full-test-suite)
    cd gnutls-build
    step env PKG_CONFIG_PATH="$prefix/lib/pkgconfig" ./configure --prefix="$prefix" --libdir="$prefix/lib" "${options[@]}" \
      "LDFLAGS=-Wl,-rpath,$prefix/lib"
    step make -j"$(nproc)"
    step make install
    printf 'gnutls %s\nnettle %s\nconfigure: %s\n' "$version" "$nettle" "${options[*]}" > "$prefix/BUILD"
    ;;
esac
echo "$prefix"
