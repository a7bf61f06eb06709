#!/usr/bin/env bash
# Installs the Debian packages the harness needs, only those missing, so `make run` and `make test` work on a
# fresh bookworm machine (as root, or with sudo). Packages named as arguments are added (the OpenSSL 3.5 build
# needs a C toolchain and perl).
#
# --endpoints (make endpoints; make run and make test ask for it): also the real servers and clients the external
# modes run (fixtures/endpoints/). curl, wget and python3 install as usual; lighttpd (with mod-openssl and
# mod-gnutls) and nginx are unpacked into .deps/endpoints instead, never installed: their packages would enable
# and start system services on port 80, and the cells start their own instances on loopback.
set -euo pipefail
endpoints=false
if [ "${1:-}" = "--endpoints" ]; then endpoints=true; shift; fi
packages=("$@"
  libssl-dev        # OpenSSL headers and libssl, for the COpenSSL bridge
  libgnutls28-dev   # GnuTLS headers and libgnutls, for the CGnuTLS bridge
  openssl           # openssl s_server/s_client, and make certs
  gnutls-bin        # gnutls-serv/gnutls-cli, certtool
  pkg-config        # how SwiftPM finds both libraries
  libxml2-utils     # xmllint, which the tests use to check the JUnit report
  ca-certificates
  python3-pip       # to install junitparser, the tests' second JUnit consumer
  tshark            # Wireshark's dissector, which the tests open the wire evidence with
  nodejs            # runs the history page's own script in the tests
)
# What the unpacked servers link against, and the clients (none of these starts a service).
unpacked=(lighttpd lighttpd-mod-openssl lighttpd-mod-gnutls nginx)
if $endpoints; then
  packages+=(curl wget python3 libxxhash0 libpcre2-8-0 libnettle8 libcrypt1 zlib1g libssl3 libgnutls30)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
updated=false
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing missing packages: ${missing[*]}"
  if [ -n "$sudo" ] && ! command -v sudo >/dev/null; then echo "error: not root and no sudo; install: ${missing[*]}" >&2; exit 1; fi
  $sudo apt-get update -qq
  updated=true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# junitparser: the second JUnit consumer the tests check the report with (PyPI).
if ! python3 -c "import junitparser" 2>/dev/null; then
  echo "installing junitparser (PyPI)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore junitparser
fi
if $endpoints; then
  root="$(cd "$(dirname "$0")/.." && pwd)/.deps/endpoints"
  stamp="$root/unpacked"
  if [ ! -f "$stamp" ] || [ ! -x "$root/usr/sbin/lighttpd" ] || [ ! -x "$root/usr/sbin/nginx" ]; then
    echo "unpacking ${unpacked[*]} into $root (not installed: no service is enabled or started)"
    $updated || $sudo apt-get update -qq
    download="$(mktemp -d)"
    trap 'rm -rf "$download"' EXIT
    # apt's sandbox user must be able to write where it downloads.
    chmod 777 "$download"
    (cd "$download" && apt-get download -qq "${unpacked[@]}")
    mkdir -p "$root"
    for deb in "$download"/*.deb; do dpkg-deb -x "$deb" "$root"; done
    for deb in "$download"/*.deb; do dpkg-deb -f "$deb" Package Version | sed 's/^[A-Za-z]*: //' | paste -sd' '; done > "$stamp"
  fi
fi
