#!/usr/bin/env bash
# Builds and runs the libFuzzer harnesses of the C addon (fuzz/native/*_fuzz.c) under
# AddressSanitizer and UndefinedBehaviorSanitizer, one after the other.
#   npm run fuzz:native -- [--seconds N] [fast_path|store]...
# Seeds: fuzz/native/corpus/<harness>/ (committed); new corpus entries: fuzz/native/build/corpus-<harness>/.
# Findings are written to fuzz/crashes/native-<harness>/ and replayed first on every run (they are
# the regression tests of the fixes). Exits non-zero when a harness finds or replays a crash.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=60
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
[ ${#harnesses[@]} -eq 0 ] && harnesses=(fast_path store)

CC=${CC:-clang}
command -v "$CC" >/dev/null || CC=clang-14
command -v "$CC" >/dev/null || { echo "clang is needed (apt-get install clang)" >&2; exit 2; }

build=fuzz/native/build
mkdir -p "$build"
status=0
for h in "${harnesses[@]}"; do
  src=fuzz/native/${h}_fuzz.c
  [ -f "$src" ] || { echo "no harness $src" >&2; exit 2; }
  bin=$build/${h}_fuzz
  "$CC" -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I fuzz/native/include -I native "$src" native/udp_fast.c native/swarm_store.c native/peer_table.c \
    -o "$bin" || exit 2
  crashes=fuzz/crashes/native-$h
  mkdir -p "$build/corpus-$h" "$crashes" "fuzz/native/corpus/$h"
  old=$(find "$crashes" -type f | sort)
  if [ -n "$old" ]; then
    echo "== $h: replaying $(echo "$old" | wc -l) saved finding(s)"
    # shellcheck disable=SC2086
    "$bin" -runs=1 $old || status=1
  fi
  echo "== $h: fuzzing for $seconds s"
  UBSAN_OPTIONS=print_stacktrace=1 "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1536 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "$build/corpus-$h" "fuzz/native/corpus/$h" 2>&1 |
    grep -vE '^#[0-9]+\s+(NEW|REDUCE|pulse)|^"|^###### |^INFO: (Loaded|Running with|-max_len)'
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
exit $status
