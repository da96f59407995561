#!/usr/bin/env bash
# Makes the pinned upstream schemas available to `platform validate` (run before `npm test`), with the same lookup
# `platform validate` uses: $PLATFORM_SCHEMAS_DIR, a ../shared/schemas that matches the pins, the user cache. When
# none holds them, `platform schemas ensure` fills the cache: the files of the Go modules the engines pin
# (engines/*/go.mod, read with `go mod download`, checked against go.sum; needs Go) and the GitHub-pinned rest
# (cli/src/schemas/manifest.ts, every sha256 checked; taken from ../shared/schemas where the sums match).
# Needs `npm ci` to have run.
set -euo pipefail
cd "$(dirname "$0")/../.."

npm run -s build
node cli/lib/bin/platform.js schemas ensure
