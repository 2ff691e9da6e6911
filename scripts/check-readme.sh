#!/usr/bin/env bash
# Checks that the README's commands copy-paste cleanly: runs, as written, every `sh` block of "Calling it" and
# "Clients in other languages" in ONE shell (as a reader pastes them into one terminal, so $S and $CURL carry over)
# against `npm start`, then the blocks of "Telemetry": a block that is one `... npm start` line restarts the service
# that way, and the blocks after it run against it. Each stop is a SIGTERM to npm, as a supervisor sends, and must
# free ports 50051, 8080 and 3003 within 15 s.
#
# Needs ports 50051, 8080, 3003 and 9464 free, so not beside a test run: flock /tmp/para-signer-tests.lock scripts/check-readme.sh
# Needs the Python and Go toolchains that .ci/run installs (test/clients lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
npm_pid=""

cleanup() {
  if [ -n "$npm_pid" ] && kill -0 "$npm_pid" 2>/dev/null; then kill -TERM "$npm_pid"; wait "$npm_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# README.md → $work/<section>-<n>.sh, one file per ```sh block (indented blocks in lists too).
node --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs";
const [readme, out] = process.argv.slice(1);
const text = readFileSync(readme, "utf8");
const sections = { calling: "## Calling it", clients: "## Clients in other languages", telemetry: "## Telemetry" };
for (const [key, heading] of Object.entries(sections)) {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}" section`);
  const next = text.indexOf("\n## ", start + 1);
  const body = text.slice(start, next < 0 ? undefined : next);
  let n = 0;
  for (const m of body.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)) {
    const code = m[2].split("\n").map((l) => l.slice(m[1].length)).join("\n");
    writeFileSync(`${out}/${key}-${String(++n).padStart(2, "0")}.sh`, code);
  }
  if (n === 0) throw new Error(`no sh block in "${heading}"`);
}
' README.md "$work"

ports_busy() { ss -ltnH | grep -qE ':(50051|8080|3003) '; }

start_service() { # $1: the README's command line, e.g. "OTEL_METRICS_EXPORTER=prometheus npm start"
  if ports_busy; then echo "check-readme: ports 50051/8080/3003 are in use" >&2; exit 1; fi
  local words
  eval "words=($1)"
  env "${words[@]}" >"$work/service.log" 2>&1 &   # env execs npm: $! is npm itself
  npm_pid=$!
  for _ in $(seq 1 240); do
    if curl -s --http2-prior-knowledge -H 'content-type: application/json' -d '{}' \
      http://127.0.0.1:50051/grpc.health.v1.Health/Check 2>/dev/null | grep -q SERVING; then
      echo "check-readme: started: $1"
      return
    fi
    kill -0 "$npm_pid" 2>/dev/null || { cat "$work/service.log" >&2; echo "check-readme: '$1' exited" >&2; exit 1; }
    sleep 0.5
  done
  echo "check-readme: '$1' did not become SERVING" >&2
  exit 1
}

stop_service() {
  local started=$SECONDS
  kill -TERM "$npm_pid"
  wait "$npm_pid" || true
  while ports_busy; do
    if [ $((SECONDS - started)) -ge 15 ]; then echo "check-readme: ports still held 15 s after SIGTERM to npm" >&2; exit 1; fi
    sleep 0.2
  done
  echo "check-readme: stopped by SIGTERM to npm; ports free after $((SECONDS - started)) s"
  npm_pid=""
}

run_blocks() { # $@: block files, run in one bash
  cat "$@" >"$work/session.sh"
  if ! bash -euo pipefail "$work/session.sh" >"$work/session.log" 2>&1; then
    cat "$work/session.log" >&2
    echo "check-readme: failed: $*" >&2
    exit 1
  fi
  echo "check-readme: ok: $(basename -a "$@" | tr '\n' ' ')"
}

start_service "npm start"
run_blocks "$work"/calling-*.sh "$work"/clients-*.sh
stop_service

pending=()
for block in "$work"/telemetry-*.sh; do
  line=$(grep -v '^\s*#' "$block" | grep -v '^\s*$' || true)
  if [ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] && [[ "$line" == *"npm start" ]]; then
    [ ${#pending[@]} -eq 0 ] || run_blocks "${pending[@]}"
    pending=()
    [ -z "$npm_pid" ] || stop_service
    start_service "$line"
  else
    pending+=("$block")
  fi
done
[ ${#pending[@]} -eq 0 ] || run_blocks "${pending[@]}"
[ -z "$npm_pid" ] || stop_service
echo "check-readme: README blocks ran cleanly"
