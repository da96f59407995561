#!/usr/bin/env bash
# CI stage "containers" (issue 3; docs/containers.md): builds the Dockerfile's three targets and runs them for real.
#   1. installs Debian's docker.io (+ debootstrap) and Compose v2 / buildx from the next Debian release when missing
#   2. starts dockerd unless one already answers (bounded wait) and stops it again at the end
#   3. builds the offline stand-in base images when missing (.ci/images/build.sh)
#   4. builds test, development and production (BuildKit), and everything once more with the legacy builder
#   5. proves the test target fails when a unit test fails (an injected failing test in a copy of the context)
#   6. runs production read-only as UID 10001: HEALTHCHECK turns healthy, SIGTERM exits 0 within the grace period;
#      runs development on a copy of app/src and checks that a source change recompiles and restarts the app
#   7. runs the compose stack and waits until Graphite's render API has `test.core.delay` timer data
#   8. runs the compose `test` profile; prints image sizes and checks production against base + app files
# Everything it starts is removed by the EXIT trap, on success and on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"

readonly PROJECT=ci-metrics-containers
readonly IMAGE=metrics-app-ci
readonly PROD_UID=10001
readonly GRACE_S=10 # docker stop's default; the app's SHUTDOWN_TIMEOUT_MS default (5 s) fits well inside
readonly DOCKERD_WAIT_S=60
readonly HEALTHY_WAIT_S=90
readonly RENDER_WAIT_S=150
readonly SIZE_TOLERANCE_PCT=10

work="$(mktemp -d /tmp/ci-docker.XXXXXX)"
started_dockerd=0
dockerd_pid=
containers=()
compose_started=0
passed=0
t_start=$(date +%s)

log() { printf '[docker %(%H:%M:%S)T] %s\n' -1 "$*"; }
pass() {
  passed=$((passed + 1))
  log "PASS: $*"
}
fail() {
  log "FAIL: $*"
  exit 1
}

# Reads the whole log before matching: `docker logs | grep -q` fails under pipefail when grep exits first (SIGPIPE).
logs_contain() { [[ "$(docker logs "$1" 2>&1)" == *"$2"* ]]; }

compose() { docker compose -p "$PROJECT" -f "$repo/docker-compose.yml" "$@"; }

cleanup() {
  local rc=$?
  set +e
  trap - EXIT
  if ((compose_started)); then
    if ((rc != 0)); then compose logs --no-color --tail 60 >&2; fi
    compose --profile test down -v --remove-orphans --timeout "$GRACE_S" >/dev/null 2>&1
  fi
  if ((${#containers[@]})); then
    if ((rc != 0)); then for c in "${containers[@]}"; do docker logs --tail 40 "$c" >&2 2>&1; done; fi
    docker rm -f "${containers[@]}" >/dev/null 2>&1
  fi
  if ((started_dockerd)); then
    log "stopping the dockerd this step started (pid $dockerd_pid)"
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$dockerd_pid" 2>/dev/null
    if ((rc != 0)); then tail -n 40 "$work/dockerd.log" >&2; fi
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

# ---- 1. packages -------------------------------------------------------------------------------------------------
apt_updated=0
apt_install() {
  ((apt_updated)) || { apt-get update -q >/dev/null && apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends "$@" >/dev/null
}

# The first Debian archive in this machine's apt sources (never written in the repo).
apt_mirror() {
  local uri
  uri="$(awk '/^URIs:/ {u=$2} /^Suites:/ && u!="" && $0 !~ /security/ {print u; exit} /^$/ {u=""}' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  [[ -n "$uri" ]] || uri="$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 || true)"
  [[ -n "$uri" ]] || fail "no Debian mirror in /etc/apt/sources.list(.d)"
  printf '%s\n' "$uri"
}

# bookworm ships Compose v1 only and no buildx; Debian trixie's docker-compose (v2) and docker-buildx are static
# Go binaries that need only libc6 >= 2.34, so they are unpacked as CLI plugins without touching apt's sources.
install_cli_plugins() {
  local want=() plugin_dir=/usr/local/libexec/docker/cli-plugins
  docker compose version >/dev/null 2>&1 || want+=(docker-compose)
  docker buildx version >/dev/null 2>&1 || want+=(docker-buildx)
  ((${#want[@]})) || return 0
  log "installing ${want[*]} (Compose v2 / buildx) from Debian trixie as CLI plugins"
  local apt="$work/apt-trixie"
  mkdir -p "$apt/etc" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$apt/root"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$(apt_mirror)" >"$apt/etc/trixie.sources"
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/etc"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update -q >/dev/null
  (cd "$apt/debs" && apt-get "${opts[@]}" download "${want[@]}" >/dev/null)
  for deb in "$apt"/debs/*.deb; do dpkg-deb -x "$deb" "$apt/root"; done
  mkdir -p "$plugin_dir"
  for p in "${want[@]}"; do install -m 0755 "$apt/root/usr/libexec/docker/cli-plugins/$p" "$plugin_dir/$p"; done
}

log "step 1: packages"
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v iptables >/dev/null || missing+=(iptables)
command -v curl >/dev/null || missing+=(curl)
[[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] || missing+=(debian-archive-keyring)
((${#missing[@]} == 0)) || {
  log "apt-get install ${missing[*]}"
  apt_install "${missing[@]}"
}
install_cli_plugins
docker compose version >/dev/null || fail "docker compose (v2) is not usable"

# ---- 2. engine ---------------------------------------------------------------------------------------------------
log "step 2: engine"
if docker info >/dev/null 2>&1; then
  log "reusing the running Docker engine"
else
  # PID 1 is no init system here, so dockerd is started directly; overlay2 on the host's ext4, default iptables NAT
  # (builds need outbound network for apt and npm).
  dockerd --storage-driver=overlay2 --host=unix:///var/run/docker.sock --pidfile="$work/dockerd.pid" \
    >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  started_dockerd=1
  for _ in $(seq "$DOCKERD_WAIT_S"); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited during start-up: $(tail -n 5 "$work/dockerd.log")"
    sleep 1
  done
  docker info >/dev/null 2>&1 || fail "dockerd did not answer within ${DOCKERD_WAIT_S}s"
fi
log "engine $(docker version -f '{{.Server.Version}}'), $(docker compose version --short 2>/dev/null || true)"

# ---- 3. stand-ins ------------------------------------------------------------------------------------------------
log "step 3: offline stand-in base images"
bash .ci/images/build.sh

# ---- 4. builds ---------------------------------------------------------------------------------------------------
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
version="$(node -p 'require("./app/package.json").version')"
source_url="$(git config --get remote.origin.url 2>/dev/null || echo unknown)"
label_args=(--build-arg "SOURCE=$source_url" --build-arg "REVISION=$revision" --build-arg "VERSION=$version")

build() { # build <log name> <docker build args...>
  local name="$1"
  shift
  if ! docker build "$@" >"$work/build-$name.log" 2>&1; then
    tail -n 60 "$work/build-$name.log" >&2
    fail "docker build ($name) failed"
  fi
}

log "step 4: build the targets (BuildKit)"
export DOCKER_BUILDKIT=1
build test --target test -t "$IMAGE:test" .
pass "target test builds (lint + unit tests passed inside the build)"
build development --target development -t "$IMAGE:development" .
pass "target development builds"
build production --target production -t "$IMAGE:production" "${label_args[@]}" .
pass "target production builds"
# The legacy builder runs every stage up to the target, so one build of `production` covers all three.
DOCKER_BUILDKIT=0 build legacy --target production -t "$IMAGE:production-legacy" "${label_args[@]}" .
grep -q '^Step 1/' "$work/build-legacy.log" || fail "the legacy build's log is not the legacy builder's"
pass "all stages build with the legacy builder (DOCKER_BUILDKIT=0)"

# ---- 5. a failing test fails the build ---------------------------------------------------------------------------
log "step 5: the test target fails when a test fails"
ctx="$work/failing-context"
mkdir -p "$ctx"
# The build context is exactly .dockerignore's allow-list (its `!` lines), plus the Dockerfile itself.
mapfile -t allowed < <(sed -n 's/^!//p' .dockerignore)
git ls-files -z --cached --others --exclude-standard -- .dockerignore Dockerfile "${allowed[@]}" |
  xargs -0 -I{} cp --parents {} "$ctx/"
cat >"$ctx/app/src/ci-injected-failure.test.ts" <<'TS'
describe('injected by .ci/steps/docker.sh', () => {
  it('fails on purpose', () => {
    expect(1 + 1).toBe(3);
  });
});
TS
if docker build --target test -t "$IMAGE:must-fail" "$ctx" >"$work/build-must-fail.log" 2>&1; then
  fail "the test target built although app/src/ci-injected-failure.test.ts fails"
fi
grep -q 'FAIL app/src/ci-injected-failure.test.ts' "$work/build-must-fail.log" ||
  {
    tail -n 40 "$work/build-must-fail.log" >&2
    fail "the test build failed, but not because of the injected test"
  }
pass "the test target fails the build when a unit test fails"

# ---- 6. production: read-only, non-root, healthy, SIGTERM --------------------------------------------------------
log "step 6: run production read-only as non-root"
[[ "$(docker image inspect -f '{{.Config.User}}' "$IMAGE:production")" == "$PROD_UID:$PROD_UID" ]] ||
  fail "production image USER is not $PROD_UID:$PROD_UID"
[[ "$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.revision"}}' "$IMAGE:production")" == "$revision" ]] ||
  fail "production image lacks org.opencontainers.image.revision=$revision"
for forbidden in /usr/bin/gcc /usr/bin/make /usr/bin/python3 /root/.npm /app/node_modules/typescript /app/node_modules/jest; do
  docker run --rm --entrypoint /bin/sh "$IMAGE:production" -c "test ! -e $forbidden" ||
    fail "production image contains $forbidden"
done
pass "production image: USER $PROD_UID, OCI labels, no compilers, npm cache or dev dependencies"

prod="$PROJECT-production"
containers+=("$prod")
docker run -d --name "$prod" --read-only --cap-drop ALL --security-opt no-new-privileges \
  -e METRICS_BACKEND_HOST=127.0.0.1 "$IMAGE:production" >/dev/null
[[ "$(docker exec "$prod" id -u)" == "$PROD_UID" ]] || fail "production process does not run as UID $PROD_UID"
status=
for _ in $(seq "$HEALTHY_WAIT_S"); do
  status="$(docker inspect -f '{{.State.Health.Status}}' "$prod")"
  [[ "$status" == healthy || "$status" == unhealthy ]] && break
  [[ "$(docker inspect -f '{{.State.Running}}' "$prod")" == true ]] || fail "production container exited"
  sleep 1
done
[[ "$status" == healthy ]] || fail "production HEALTHCHECK is '$status' after up to ${HEALTHY_WAIT_S}s"
pass "production runs with --read-only as UID $PROD_UID and its HEALTHCHECK turns healthy"

t0=$(date +%s%N)
docker kill --signal TERM "$prod" >/dev/null
timeout "$GRACE_S" docker wait "$prod" >/dev/null || fail "production did not exit within ${GRACE_S}s of SIGTERM"
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
code="$(docker inspect -f '{{.State.ExitCode}}' "$prod")"
[[ "$code" == 0 ]] || fail "production exited $code on SIGTERM (want 0)"
logs_contain "$prod" '"msg":"shutdown complete"' || fail "production did not log a graceful shutdown"
pass "SIGTERM: production exits 0 in ${elapsed_ms} ms (grace ${GRACE_S}s)"

# ---- 6b. development: recompiles and restarts on a source change ----------------------------------------------
log "step 6b: development target reloads on change"
# A copy of app/src stands in for the developer's checkout, so the repository is never modified.
dev_src="$work/dev-src"
cp -a app/src "$dev_src"
chmod 0755 "$work" # the development image runs as user node and must read the mount
dev="$PROJECT-development"
containers+=("$dev")
docker run -d --name "$dev" -v "$dev_src:/workspace/app/src:ro" -e METRICS_BACKEND_HOST=127.0.0.1 \
  "$IMAGE:development" >/dev/null
starts() { docker logs "$dev" 2>&1 | grep -c '"msg":"http server listening"' || true; }
wait_starts() { # wait_starts <count> <seconds>
  for _ in $(seq "$2"); do
    (($(starts) >= $1)) && return 0
    [[ "$(docker inspect -f '{{.State.Running}}' "$dev")" == true ]] || fail "development container exited"
    sleep 1
  done
  return 1
}
wait_starts 1 90 || fail "development: the app did not start within 90s"
printf '\n// reload probe written by .ci/steps/docker.sh\n' >>"$dev_src/main.ts"
wait_starts 2 60 || fail "development: no restart within 60s of changing app/src/main.ts"
logs_contain "$dev" "Restarting 'app/lib/main.js'" || fail "development: restart not done by node --watch"
pass "development target recompiles and restarts the app when a mounted source file changes"
t0=$(date +%s%N)
docker stop -t "$GRACE_S" "$dev" >/dev/null
[[ "$(docker inspect -f '{{.State.ExitCode}}' "$dev")" != 137 ]] || fail "development ignored SIGTERM (SIGKILLed after ${GRACE_S}s)"
pass "development container stops on SIGTERM in $((($(date +%s%N) - t0) / 1000000)) ms (tini -g signals the whole group)"

# ---- 7. compose stack: metrics reach Graphite --------------------------------------------------------------------
log "step 7: compose stack"
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
APP_HTTP_PORT="$(free_port)" GRAPHITE_WEB_PORT="$(free_port)" GRAPHITE_CARBON_PORT="$(free_port)"
STATSD_PORT="$(free_port)" STATSD_ADMIN_PORT="$(free_port)"
export APP_HTTP_PORT GRAPHITE_WEB_PORT GRAPHITE_CARBON_PORT STATSD_PORT STATSD_ADMIN_PORT
compose config -q
compose_started=1
compose up -d --build --wait >"$work/compose-up.log" 2>&1 || {
  tail -n 40 "$work/compose-up.log" >&2
  fail "docker compose up --wait failed (a service did not become healthy)"
}
pass "compose: graphite and app are healthy (app waited for graphite via depends_on: service_healthy)"
curl -fsS "http://127.0.0.1:$APP_HTTP_PORT/readyz" >/dev/null || fail "app /readyz through the published port"

render="http://127.0.0.1:$GRAPHITE_WEB_PORT/render?target=stats.timers.test.core.delay.count&from=-10min&format=json"
deadline=$(($(date +%s) + RENDER_WAIT_S))
points=0
while (($(date +%s) < deadline)); do
  points="$(curl -fsS "$render" 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try {
        const series = JSON.parse(s);
        console.log(series.flatMap((t) => t.datapoints).filter(([v]) => typeof v === "number" && v > 0).length);
      } catch { console.log(0); }
    });')"
  ((points > 0)) && break
  sleep 5
done
((points > 0)) || fail "no test.core.delay timer data in Graphite after ${RENDER_WAIT_S}s ($render)"
pass "Graphite's render API has test.core.delay timer data ($points non-empty 10 s points of stats.timers.test.core.delay.count)"

log "step 8: compose test profile"
compose --profile test run --rm test >"$work/compose-test.log" 2>&1 || {
  tail -n 40 "$work/compose-test.log" >&2
  fail "docker compose --profile test run --rm test failed"
}
pass "docker compose --profile test run --rm test passes"
compose --profile test down -v --remove-orphans --timeout "$GRACE_S" >/dev/null 2>&1
compose_started=0

# ---- sizes -------------------------------------------------------------------------------------------------------
size_of() { docker image inspect -f '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
base_tag="$(awk 'toupper($1)=="FROM" && $2 ~ /^node:/ {print $2; exit}' Dockerfile)"
base_size="$(size_of "$base_tag")"
app_files="$(docker run --rm --entrypoint /bin/sh "$IMAGE:production" -c 'du -sb /app /usr/bin/tini | awk "{s+=\$1} END {print s}"')"
prod_size="$(size_of "$IMAGE:production")"
log "image sizes:"
printf '  %-32s %s\n' "$base_tag (base)" "$(mb "$base_size")" \
  "target test" "$(mb "$(size_of "$IMAGE:test")")" \
  "target development" "$(mb "$(size_of "$IMAGE:development")")" \
  "target production" "$(mb "$prod_size")" \
  "  app files (/app + tini)" "$(mb "$app_files")"
budget=$(((base_size + app_files) * (100 + SIZE_TOLERANCE_PCT) / 100))
((prod_size <= budget)) || fail "production $(mb "$prod_size") exceeds base + app files + ${SIZE_TOLERANCE_PCT}% ($(mb "$budget"))"
pass "production is within ${SIZE_TOLERANCE_PCT}% of base + app files ($(mb "$prod_size") <= $(mb "$budget"))"

log "done in $(($(date +%s) - t_start))s"
echo "docker: $passed passed, 0 failed"
