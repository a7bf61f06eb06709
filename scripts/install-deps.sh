#!/usr/bin/env bash
# Installs the Debian packages the harness needs, only those missing, so `make run` and `make test` work on a
# fresh bookworm machine (as root, or with sudo). Packages named as arguments are added (the OpenSSL 3.5 build
# needs a C toolchain and perl).
set -euo pipefail
packages=("$@"
  libssl-dev        # OpenSSL headers and libssl, for the COpenSSL bridge
  libgnutls28-dev   # GnuTLS headers and libgnutls, for the CGnuTLS bridge
  openssl           # openssl s_server/s_client, and make certs
  gnutls-bin        # gnutls-serv/gnutls-cli, certtool
  pkg-config        # how SwiftPM finds both libraries
  libxml2-utils     # xmllint, which the tests use to check the JUnit report
  ca-certificates
  python3-pip       # to install junitparser, the tests' second JUnit consumer
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing missing packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# junitparser: the second JUnit consumer the tests check the report with (PyPI).
if ! python3 -c "import junitparser" 2>/dev/null; then
  echo "installing junitparser (PyPI)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore junitparser
fi
