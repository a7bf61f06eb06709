#!/usr/bin/env bash
# The QUIC track's packages: ngtcp2 1.11 with its GnuTLS crypto helper (libraries, headers and pkg-config files) and
# its example programs gtlsclient and gtlsserver, from bookworm-backports (bookworm's own ngtcp2 is 0.12, the pre-1.0
# API). Unpacked into .deps/quic, never installed: the system's apt sources are not changed (a private sources list
# with one bookworm-backports line, from the mirror and keyring of the system's own debian.sources) and
# ngtcp2-server's service is never enabled. libev4 (bookworm, no service) is installed for the two programs.
# The default make run / make test need none of this.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
root="$top/.deps/quic"
stamp="$root/unpacked"
packages=(libngtcp2-16 libngtcp2-dev libngtcp2-crypto-gnutls8 libngtcp2-crypto-gnutls-dev libnghttp3-9 ngtcp2-client ngtcp2-server)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
if ! dpkg-query -W -f='${Status}' libev4 2>/dev/null | grep -q "install ok installed"; then
  echo "installing libev4 (what gtlsclient and gtlsserver link against)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libev4
fi
if [ -f "$stamp" ] && [ -x "$root/usr/bin/gtlsclient" ] && [ -f "$root/usr/include/ngtcp2/ngtcp2.h" ]; then
  exit 0
fi
apt_dir="$top/.deps/apt-backports"
mkdir -p "$apt_dir/lists/partial"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
keyring=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
echo "deb [signed-by=$keyring] $mirror bookworm-backports main" > "$apt_dir/sources.list"
apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Get::List-Cleanup=0")
echo "unpacking ${packages[*]} from bookworm-backports into $root (not installed)"
apt-get "${apt_options[@]}" update -qq 2>/dev/null
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
# apt's sandbox user must be able to write where it downloads.
chmod 777 "$download"
(cd "$download" && apt-get "${apt_options[@]}" download -qq "${packages[@]/%//bookworm-backports}")
rm -rf "$root"
mkdir -p "$root"
for deb in "$download"/*.deb; do dpkg-deb -x "$deb" "$root"; done
# The pkg-config files name /usr; point them at the unpacked tree so SwiftPM finds headers and libraries there.
for pc in "$root"/usr/lib/*/pkgconfig/*.pc; do
  sed -i "s|^prefix=.*|prefix=$root/usr|" "$pc"
done
for deb in "$download"/*.deb; do dpkg-deb -f "$deb" Package Version | sed 's/^[A-Za-z]*: //' | paste -sd' '; done > "$stamp"
echo "ngtcp2 for the QUIC track: $(grep libngtcp2-16 "$stamp")"
