#!/usr/bin/env bash
# Makes the pinned upstream schemas available to `platform validate` (run before `npm test`).
# Uses, in order: $PLATFORM_SCHEMAS_DIR, ../shared/schemas next to the checkout, the user cache; when none
# holds them, builds the CLI and runs `npm run schemas:fetch` (downloads the files pinned in
# cli/src/schemas/manifest.ts from GitHub and checks every sha256). Needs `npm ci` to have run.
set -euo pipefail
cd "$(dirname "$0")/../.."

has_schemas() { [ -d "$1/kubernetes" ] && [ -d "$1/crds" ]; }

if [ -n "${PLATFORM_SCHEMAS_DIR:-}" ]; then
  has_schemas "$PLATFORM_SCHEMAS_DIR" || { echo "PLATFORM_SCHEMAS_DIR=$PLATFORM_SCHEMAS_DIR has no kubernetes/ and crds/" >&2; exit 1; }
  echo "schemas: using PLATFORM_SCHEMAS_DIR=$PLATFORM_SCHEMAS_DIR"
  exit 0
fi
if has_schemas ../shared/schemas; then
  echo "schemas: using $(cd ../shared/schemas && pwd)"
  exit 0
fi
npm run -s build
node cli/lib/bin/platform.js schemas fetch
