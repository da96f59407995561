#!/usr/bin/env bash
# Debian packages the suites need. apt's mirror comes from the machine's own configuration.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(git ca-certificates)
missing=()
for p in "${packages[@]}"; do [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == *'install ok installed'* ]] || missing+=("$p"); done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "system packages present: ${packages[*]}"
