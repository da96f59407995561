#!/usr/bin/env bash
# End-to-end suites with real daemons: the app -> statsd -> carbon-cache -> whisper -> graphite-web pipeline.
# Installs the Debian packages the suites need (only the missing ones; apt's mirror is the machine's own), builds every
# workspace, then runs every *.e2e.test.ts. The suites start their daemons on 127.0.0.1 in a temporary directory and stop
# them (by PID) themselves; their temporary directories live under a TMPDIR of this run, which the trap removes.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEBIAN_FRONTEND=noninteractive

packages=(graphite-carbon python3-whisper graphite-web gunicorn)
missing=()
for p in "${packages[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == *'install ok installed'* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  # policy-rc.d keeps the packages' own services (carbon-cache on :2003) from starting: the suites run their own.
  policy=/usr/sbin/policy-rc.d
  created_policy=false
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=true
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if $created_policy; then rm -f "$policy"; fi
fi
echo "e2e packages present: ${packages[*]}"

run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/e2e-run-XXXXXX")
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR=$run_tmp

npm run -s build
npx jest -c jest.e2e.config.js
