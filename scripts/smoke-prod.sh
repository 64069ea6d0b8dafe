#!/usr/bin/env bash
# Production smoke test without Docker: repeats the Dockerfile's steps in a temporary directory
# (build dir: npm ci + build; runtime dir: npm ci --omit=dev + dist/), starts `node dist/main.js`
# as the image would, checks the HEALTHCHECK command and /ping, then stops it with SIGTERM and
# expects exit status 0.
#
#   scripts/smoke-prod.sh               sources from the working tree (what `docker build .` sends)
#   scripts/smoke-prod.sh --ref HEAD    sources from a git commit instead (the Dockerfile is
#                                       always the working tree's)
#   KEEP_SMOKE_DIR=1 scripts/smoke-prod.sh    keep the temporary directory for a look afterwards
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dockerfile="$repo/Dockerfile"
ref=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ref) ref=${2:?--ref needs a git ref}; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# The same commands as the Dockerfile's RUN lines (checked below, so the two cannot drift apart).
build_install="npm ci --ignore-scripts --no-audit --no-fund"
build_compile="npm run build"
runtime_install="npm ci --omit=dev --ignore-scripts --no-audit --no-fund"
shutdown_grace_ms=10000 # the server's SHUTDOWN_GRACE_MS default

work=$(mktemp -d "${TMPDIR:-/tmp}/smoke-prod.XXXXXX")
log="$work/server.log"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [ -n "${KEEP_SMOKE_DIR:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

now_ms() { # bash 5 has EPOCHREALTIME; older shells (macOS bash 3.2) get whole seconds
  if [ -n "${EPOCHREALTIME:-}" ]; then local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); else echo $(($(date +%s) * 1000)); fi
}
secs() { awk -v ms="$1" 'BEGIN { printf "%.1fs", ms / 1000 }'; }
started=$(now_ms)
mark=$started
timings=()
phase_done() { # name
  local t; t=$(now_ms)
  timings+=("$1 $(secs $((t - mark)))")
  echo "== $1 done in $(secs $((t - mark)))"
  mark=$t
}
fail() {
  echo "smoke-prod: FAIL: $*" >&2
  if [ -s "$log" ]; then echo "-- last server log lines:" >&2; tail -n 30 "$log" >&2; fi
  exit 1
}

# Paths a stage copies from the build context (COPY lines without --from).
copy_sources() { # stage dest
  local paths
  paths=$(awk -v s="$1" 'toupper($1) == "FROM" { stage = $NF }
    toupper($1) == "COPY" && stage == s && $2 !~ /^--from/ { for (i = 2; i < NF; i++) print $i }' "$dockerfile")
  [ -n "$paths" ] || fail "no COPY lines for stage '$1' in the Dockerfile"
  mkdir -p "$2"
  # shellcheck disable=SC2086 # one path per word
  if [ -n "$ref" ]; then
    git -C "$repo" archive "$ref" -- $paths | tar -xf - -C "$2"
  else
    (cd "$repo" && tar -cf - $paths) | tar -xf - -C "$2"
  fi
  find "$2" -name '*.spec.ts' -delete # as .dockerignore does
}

http_get() { # path -> "<status> <body>"
  node -e '
    const [port, path] = process.argv.slice(1);
    require("http").get({ host: "127.0.0.1", port, path, timeout: 5000 }, (r) => {
      let body = "";
      r.setEncoding("utf8").on("data", (c) => (body += c)).on("end", () => console.log(`${r.statusCode} ${body}`));
    }).on("error", (e) => console.log(`000 ${e.message}`)).on("timeout", () => console.log("000 timeout"));
  ' "$port" "$1"
}

echo "== node $(node --version), npm $(npm --version); sources: ${ref:-working tree}; dir: $work"
[ -f "$dockerfile" ] || fail "no Dockerfile at the repository root"
for cmd in "$build_install" "$build_compile" "$runtime_install"; do
  grep -qF "RUN $cmd" "$dockerfile" || fail "the Dockerfile no longer runs '$cmd'; update this script"
done

# The Dockerfile's HEALTHCHECK exec array, one argument per line.
healthcheck=()
while IFS= read -r arg; do healthcheck+=("$arg"); done < <(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8").replace(/\\\r?\n/g, " ");
  const line = text.split("\n").find((l) => /^HEALTHCHECK\s/i.test(l));
  const m = line && line.match(/\sCMD\s+(\[.*\])\s*$/);
  if (m) for (const arg of JSON.parse(m[1])) console.log(arg);
' "$dockerfile")
[ ${#healthcheck[@]} -gt 0 ] || fail "no exec-form HEALTHCHECK ... CMD [...] in the Dockerfile"

# ---- build stage ----
copy_sources build "$work/build"
(cd "$work/build" && env -u NODE_ENV $build_install && env -u NODE_ENV $build_compile)
[ -f "$work/build/dist/main.js" ] || fail "the build did not produce dist/main.js"
phase_done "build stage (npm ci + build)"

# ---- runtime stage ----
copy_sources runtime "$work/runtime"
(cd "$work/runtime" && NODE_ENV=production $runtime_install)
cp -R "$work/build/dist" "$work/runtime/dist"
[ ! -e "$work/runtime/node_modules/typescript" ] || fail "dev dependencies reached the runtime stage"
echo "   runtime: node_modules $(du -sh "$work/runtime/node_modules" | cut -f1), dist $(du -sh "$work/runtime/dist" | cut -f1)"
phase_done "runtime stage (npm ci --omit=dev)"

# ---- TODO(fake-upstream): chat smoke --------------------------------------------------------------
# Once the fake upstream (`npm run fake-upstream`) is ready: start it from "$repo" (it runs test/ sources through ts-node,
# which the runtime dir does not have) on a free port before the server starts:
#   (cd "$repo" && exec npm run fake-upstream -- --port "$fake_port" --tokens a --difficulty 1000) &
# wait for its "fake DeepSeek upstream listening on <url>" line, point upstream_url at that url,
# fill in check_chat, and stop it (SIGTERM) in cleanup().
# Until then the server points at a closed local port, so nothing can reach chat.deepseek.com.
upstream_url="http://127.0.0.1:9"
check_chat() {
  : # TODO(fake-upstream): POST /v1/chat/completions with `Authorization: Bearer a`: expect 200 JSON
  #   for stream:false, and for stream:true an SSE body ending in `data: [DONE]`.
}
# ----------------------------------------------------------------------------------------------------

# ---- run as the image would (ENV from the Dockerfile; HOST=127.0.0.1 keeps the port off the LAN) ----
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
(cd "$work/runtime" && exec env -i PATH="$PATH" HOME="$work" NODE_ENV=production HOST=127.0.0.1 PORT="$port" \
  DEEPSEEK_BASE_URL="$upstream_url" node dist/main.js) >"$log" 2>&1 &
server_pid=$!

deadline=$(($(now_ms) + 30000))
until PORT="$port" "${healthcheck[@]}" 2>/dev/null; do
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited during start-up"
  [ "$(now_ms)" -lt "$deadline" ] || fail "HEALTHCHECK did not pass within 30s"
  sleep 0.2
done
phase_done "start until HEALTHCHECK passes (port $port)"

reply=$(http_get /healthz)
[ "$reply" = '200 {"status":"ok"}' ] || fail "GET /healthz answered: $reply"
reply=$(http_get /ping)
[ "$reply" = "200 pong" ] || fail "GET /ping answered: $reply"
check_chat
echo "   /healthz and /ping OK"

# ---- stop as `docker stop` would ----
kill -TERM "$server_pid"
deadline=$(($(now_ms) + shutdown_grace_ms + 5000))
while kill -0 "$server_pid" 2>/dev/null; do
  [ "$(now_ms)" -lt "$deadline" ] || fail "still running $((shutdown_grace_ms / 1000 + 5))s after SIGTERM"
  sleep 0.1
done
status=0
wait "$server_pid" || status=$?
server_pid=""
case "$status" in
  0) ;;
  143) fail "exit status 143: node was killed by SIGTERM after the shutdown hooks (Nest re-raises the signal unless enableShutdownHooks gets { useProcessExit: true })" ;;
  *) fail "exit status $status after SIGTERM (expected 0)" ;;
esac
phase_done "SIGTERM until exit 0"

echo "smoke-prod: OK in $(secs $(($(now_ms) - started)))"
for t in "${timings[@]}"; do echo "   $t"; done
