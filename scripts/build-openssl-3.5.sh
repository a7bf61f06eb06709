#!/usr/bin/env bash
# Builds OpenSSL 3.5 from Debian trixie's source package into .deps/openssl-3.5 (ignored by git), without touching
# the system's apt sources: a private sources list with a trixie deb-src line, taken from the mirror and keyring of
# the system's own debian.sources. Nothing of OpenSSL's source is committed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"
prefix="$deps/openssl-3.5"
# The command-line tool must find its own libraries (it is the external QUIC client), hence the rpath.
if [ -x "$prefix/bin/openssl" ] && "$prefix/bin/openssl" version 2>/dev/null | grep -q "^OpenSSL 3\.5"; then
  echo "OpenSSL 3.5 already built: $("$prefix/bin/openssl" version)"
  exit 0
fi
mkdir -p "$deps/apt/lists/partial" "$deps/src"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
keyring=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
echo "deb-src [signed-by=$keyring] $mirror trixie main" > "$deps/apt/sources.list"
apt_options=(-o "Dir::Etc::SourceList=$deps/apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$deps/apt/lists" -o "APT::Get::List-Cleanup=0")
apt-get "${apt_options[@]}" update -qq
cd "$deps/src"
# The index may name a version the mirror's pool no longer has; try each 3.5 version it lists, newest first.
fetched=""
for version in $(apt-cache "${apt_options[@]}" showsrc openssl | awk '/^Version: 3\.5/ {print $2}' | sort -rV); do
  if apt-get "${apt_options[@]}" source --download-only "openssl=$version" > /dev/null 2>&1; then
    fetched=$version
    break
  fi
  echo "openssl $version: not in the mirror's pool, trying an older one"
done
[ -n "$fetched" ] || { echo "error: no OpenSSL 3.5 source package could be fetched from trixie" >&2; exit 1; }
tarball=$(ls openssl_3.5*.orig.tar.gz | head -1)
rm -rf build && mkdir build
tar -xzf "$tarball" -C build --strip-components=1
cd build
# The build's own chatter (Configure prints Perl debugging to stderr) goes to a log, shown only if a step fails.
log="$deps/src/build.log"
step() { "$@" >> "$log" 2>&1 || { tail -40 "$log" >&2; echo "error: '$*' failed; full log: $log" >&2; exit 1; }; }
: > "$log"
echo "building OpenSSL $fetched into $prefix (log: $log)"
step ./Configure --prefix="$prefix" --libdir=lib no-docs no-tests shared "-Wl,-rpath,$prefix/lib"
step make -j"$(nproc)" build_sw
step make install_sw
"$prefix/bin/openssl" version
