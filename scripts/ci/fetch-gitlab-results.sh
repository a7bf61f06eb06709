#!/usr/bin/env bash
# Fetches the results.json of a branch's last N pipelines' tls-interop job into DEST/<pipeline id>/, for
# `tls-interop history` and `run --baseline`. Listing pipelines needs HISTORY_TOKEN (a project access token with
# read_api); without it only the branch's latest successful job's results are fetched, with CI_JOB_TOKEN. Needs
# curl, python3 and unzip.
set -euo pipefail
branch="$1" count="$2" dest="$3" job="${4:-tls-interop}"
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID"
mkdir -p "$dest"
if [ -z "${HISTORY_TOKEN:-}" ]; then
  mkdir -p "$dest/latest"
  curl -fsSL -H "JOB-TOKEN: $CI_JOB_TOKEN" -o "$dest/artifact.zip" "$api/jobs/artifacts/$branch/download?job=$job" &&
    unzip -qoj "$dest/artifact.zip" reports/results.json -d "$dest/latest" || echo "no earlier results of $branch"
  rm -f "$dest/artifact.zip"
else
  get() { curl -fsSL -H "PRIVATE-TOKEN: $HISTORY_TOKEN" "$@"; }
  get "$api/pipelines?ref=$branch&scope=finished&per_page=$count" | python3 -c 'import json,sys; [print(p["id"]) for p in json.load(sys.stdin)]' |
    while read -r pipeline; do
      id="$(get "$api/pipelines/$pipeline/jobs?per_page=100" |
        python3 -c 'import json,sys; j=[x for x in json.load(sys.stdin) if x["name"]==sys.argv[1] and x.get("artifacts_file")]; print(j[0]["id"] if j else "")' "$job")"
      [ -n "$id" ] || continue
      mkdir -p "$dest/$pipeline"
      get -o "$dest/artifact.zip" "$api/jobs/$id/artifacts" && unzip -qoj "$dest/artifact.zip" reports/results.json -d "$dest/$pipeline" || true
      rm -f "$dest/artifact.zip"
    done
fi
echo "fetched $(find "$dest" -name results.json | wc -l) earlier results of $branch into $dest"
