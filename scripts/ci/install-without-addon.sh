#!/usr/bin/env bash
# CI step for "installs anywhere" (issue 20): a clean copy of the repository is installed with a
# compiler that fails for the tracker's C addon only (better-sqlite3 still builds), then
# `npm start` must serve: /healthz answers ok and says the tracker runs on JavaScript.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$root" "$work/repo"
cd "$work/repo"
export CC="$root/scripts/ci/cc-without-addon.sh" CXX="$root/scripts/ci/c++-without-addon.sh"
export LINK="$CXX" SEEDCAST_NATIVE=auto
npm ci --no-audit --no-fund > "$work/install.log" 2>&1 || { tail -40 "$work/install.log"; exit 1; }
grep -q "build:native: node-gyp rebuild failed" "$work/install.log" || { echo "the addon's build was not refused"; tail -40 "$work/install.log"; exit 1; }
test ! -e build/Release/tracker_native.node || { echo "an addon was built"; exit 1; }
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
SEEDCAST_DATA="$work/data" SEEDCAST_PORT="$port" npm start > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if body=$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null); then break; fi
  sleep 0.3
done
echo "healthz: ${body:-none}"
echo "${body:-}" | grep -q '"status":"ok"' && echo "${body:-}" | grep -q '"addon":"javascript"' || { cat "$work/serve.log"; exit 1; }
grep -q "tracker: JavaScript store and dgram" "$work/serve.log" || { cat "$work/serve.log"; exit 1; }
echo "install without the addon: npm ci and npm start serve (tracker on JavaScript)"
