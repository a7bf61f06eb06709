# Sourced by the build scripts: fetch a Debian trixie source package without touching the system's apt sources (a
# private sources list with a trixie deb-src line, taken from the mirror and keyring of the system's own
# debian.sources). Nothing of the fetched source is committed; everything lands in .deps/ (ignored by git).
deps="$top/.deps"
mkdir -p "$deps/apt/lists/partial" "$deps/src"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
keyring=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
echo "deb-src [signed-by=$keyring] $mirror trixie main" > "$deps/apt/sources.list"
apt_options=(-o "Dir::Etc::SourceList=$deps/apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$deps/apt/lists" -o "APT::Get::List-Cleanup=0")
apt_updated=""

# fetch_source PACKAGE VERSION_PREFIX: downloads the newest source of PACKAGE whose version starts with
# VERSION_PREFIX into $deps/src and prints that version. The index may name a version the mirror's pool no longer
# has, so each listed version is tried, newest first.
fetch_source() {
  local package=$1 prefix=$2 version
  [ -n "$apt_updated" ] || { apt-get "${apt_options[@]}" update -qq; apt_updated=1; }
  for version in $(apt-cache "${apt_options[@]}" showsrc "$package" | awk -v p="$prefix" 'index($0, "Version: " p) == 1 {print $2}' | sort -rV); do
    if (cd "$deps/src" && apt-get "${apt_options[@]}" source --download-only "$package=$version" > /dev/null 2>&1); then
      echo "$version"
      return 0
    fi
    # Some mirrors lack an upstream signature (.asc) the source lists; apt has then fetched the rest, each file
    # checked against the signed index. Accept the source when every file the .dsc names is here with its checksum.
    if verify_dsc "$package" "$version"; then
      echo "$package $version: the mirror lacks an optional file; the .dsc's files are here and match" >&2
      echo "$version"
      return 0
    fi
    echo "$package $version: not in the mirror's pool, trying an older one" >&2
  done
  echo "error: no $package $prefix* source package could be fetched from trixie" >&2
  return 1
}

# verify_dsc PACKAGE VERSION: every tarball the .dsc lists (signatures aside) is in $deps/src with its SHA-256.
verify_dsc() {
  local dsc="$deps/src/${1}_${2#*:}.dsc"
  [ -f "$dsc" ] || return 1
  awk '/^Checksums-Sha256:/ {on=1; next} /^[^ ]/ {on=0} on && $3 !~ /\.asc$/ {print $1 "  " $3}' "$dsc" > "$deps/src/check.sha256"
  [ -s "$deps/src/check.sha256" ] && (cd "$deps/src" && sha256sum --quiet -c check.sha256)
}

# The builds' own chatter goes to a log, shown only if a step fails.
step() { "$@" >> "$log" 2>&1 || { tail -40 "$log" >&2; echo "error: '$*' failed; full log: $log" >&2; exit 1; }; }
