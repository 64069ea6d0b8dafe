#!/usr/bin/env bash
# Production smoke test without Docker: repeats the Dockerfile's steps in a temporary directory
# (build dir: npm ci + build; runtime dir: npm ci --omit=dev + dist/), starts `node dist/main.js`
# as the image would against the fake DeepSeek upstream, checks the HEALTHCHECK command, /ping and
# one non-stream and one streaming chat completion (curl), then stops it with SIGTERM and expects
# exit status 0.
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
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
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
fake_log="$work/fake-upstream.log"
server_pid=""
fake_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  # The fake runs in a process group of its own (npm, sh, node): stop all of it, and nothing else.
  if [ -n "$fake_pid" ] && kill -0 "$fake_pid" 2>/dev/null; then kill -TERM -- "-$fake_pid" 2>/dev/null || true; fi
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

# ---- fake DeepSeek upstream, for the chat smoke ----
# Dev tooling (test/ sources through ts-node, which the runtime dir does not have): it runs from the
# repository checkout, whatever --ref says. `set -m` gives it a process group of its own, because npm
# does not pass SIGTERM on to the node process it starts.
command -v curl >/dev/null || fail "curl is needed for the chat smoke"
fake_token="smoke-account-1"
fake_reply="Smoke test: the production build answers through the fake upstream."
set -m
(cd "$repo" && exec npm run fake-upstream -- --port 0 --tokens "$fake_token" --difficulty 1000 \
  --reply "$fake_reply") >"$fake_log" 2>&1 &
fake_pid=$!
set +m
upstream_url=""
deadline=$(($(now_ms) + 60000))
until [ -n "$upstream_url" ]; do
  upstream_url=$(sed -n 's/^fake DeepSeek upstream listening on \(http:[^ ]*\) .*/\1/p' "$fake_log")
  [ -n "$upstream_url" ] && break
  kill -0 "$fake_pid" 2>/dev/null || { tail -n 30 "$fake_log" >&2; fail "the fake upstream exited during start-up"; }
  [ "$(now_ms)" -lt "$deadline" ] || { tail -n 30 "$fake_log" >&2; fail "the fake upstream did not start within 60s"; }
  sleep 0.2
done
phase_done "fake upstream start ($upstream_url)"

chat_post() { # json-body out-file -> prints "<status> <content-type>"
  curl -sS --max-time 60 -o "$2" -w '%{http_code} %{content_type}' -X POST "http://127.0.0.1:$port/v1/chat/completions" \
    -H "Authorization: Bearer $fake_token" -H 'Content-Type: application/json' -d "$1"
}
check_chat() {
  local meta text
  meta=$(chat_post '{"model":"deepseek-chat","messages":[{"role":"user","content":"smoke"}]}' "$work/chat.json") ||
    fail "POST /v1/chat/completions (stream: false) failed"
  case "$meta" in "200 application/json"*) ;; *) fail "stream: false answered $meta: $(head -c 300 "$work/chat.json")" ;; esac
  text=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).choices[0].message.content)' \
    "$work/chat.json") || fail "stream: false: not a chat.completion: $(head -c 300 "$work/chat.json")"
  [ "$text" = "$fake_reply" ] || fail "stream: false answered '$text', expected '$fake_reply'"

  meta=$(chat_post '{"model":"deepseek-chat","stream":true,"messages":[{"role":"user","content":"smoke"}]}' \
    "$work/chat.sse") || fail "POST /v1/chat/completions (stream: true) failed"
  case "$meta" in "200 text/event-stream"*) ;; *) fail "stream: true answered $meta: $(head -c 300 "$work/chat.sse")" ;; esac
  [ "$(grep '^data: ' "$work/chat.sse" | tail -n 1)" = "data: [DONE]" ] || fail "the stream does not end with data: [DONE]"
  text=$(node -e '
    let text = "";
    for (const line of require("fs").readFileSync(process.argv[1], "utf8").split("\n")) {
      if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
      const chunk = JSON.parse(line.slice(6));
      if (chunk.error) throw new Error(JSON.stringify(chunk.error));
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    console.log(text);
  ' "$work/chat.sse") || fail "stream: true: bad frames: $(head -c 300 "$work/chat.sse")"
  [ "$text" = "$fake_reply" ] || fail "stream: true answered '$text', expected '$fake_reply'"
  echo "   chat completions OK (stream: false and true)"
}

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
reply=$(http_get /readyz)
[ "$reply" = '200 {"status":"ready","inflight":0}' ] || fail "GET /readyz answered: $reply"
echo "   /healthz, /ping and /readyz OK"
# The console's files come from public/ (a COPY of the runtime stage); without ADMIN_TOKEN, / is the welcome page.
reply=$(http_get /)
case "$reply" in "200 "*"<code>ADMIN_TOKEN</code> in the server"*) ;; *) fail "GET / did not answer the welcome page: ${reply:0:200}" ;; esac
echo "   / (welcome page from public/) OK"
check_chat
# The request is counted when its response closes, which may be a moment after curl has it all.
counted='deepseek_gateway_http_requests_total{route="/v1/chat/completions",method="POST",status="200",model="deepseek-chat",stream="true"} 1'
for _ in 1 2 3 4 5 6 7 8 9 10; do
  reply=$(http_get /metrics)
  case "$reply" in "200 "*"$counted"*) break ;; esac
  sleep 0.2
done
case "$reply" in
  "200 "*"$counted"*) echo "   /metrics OK" ;;
  *) fail "GET /metrics does not count the streamed chat request: $(echo "$reply" | grep -m 3 'http_requests_total' || echo "$reply" | head -c 300)" ;;
esac
phase_done "probes, chat and metrics"

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
