#!/usr/bin/env bash
# Fetches the results.json of a branch's last N completed runs of this workflow (their "tls-interop-reports"
# artifacts) into DEST/<run number>/, for `tls-interop history` and `run --baseline`. Needs GH_TOKEN (the job's
# github.token with `actions: read`), GITHUB_REPOSITORY and GITHUB_WORKFLOW_REF as GitHub Actions sets them, curl,
# python3 and unzip. A run without the artifact (expired, failed before the reports) is skipped.
set -euo pipefail
branch="$1" count="$2" dest="$3"
api="${GITHUB_API_URL:-https://api.github.com}/repos/$GITHUB_REPOSITORY"
# "owner/repo/.github/workflows/tls-interop.yml@refs/heads/main" → "tls-interop.yml"
workflow="$(basename "${GITHUB_WORKFLOW_REF%%@*}")"
get() { curl -fsSL -H "Authorization: Bearer $GH_TOKEN" -H "Accept: application/vnd.github+json" "$@"; }
mkdir -p "$dest"
get "$api/actions/workflows/$workflow/runs?branch=$branch&status=completed&per_page=$count" |
  python3 -c 'import json,sys; [print(r["id"], r["run_number"]) for r in json.load(sys.stdin)["workflow_runs"]]' |
  while read -r id number; do
    url="$(get "$api/actions/runs/$id/artifacts?name=tls-interop-reports" |
      python3 -c 'import json,sys; a=[x for x in json.load(sys.stdin)["artifacts"] if not x["expired"]]; print(a[0]["archive_download_url"] if a else "")')"
    [ -n "$url" ] || continue
    mkdir -p "$dest/$(printf '%06d' "$number")"
    get -o "$dest/artifact.zip" "$url" && unzip -qo "$dest/artifact.zip" results.json -d "$dest/$(printf '%06d' "$number")" || true
    rm -f "$dest/artifact.zip"
  done
echo "fetched $(find "$dest" -name results.json | wc -l) earlier results of $branch into $dest"
