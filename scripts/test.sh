#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. the normal build: unit, integration (own redis-server) and gui (own Xvfb) tests;
#   2. an ASan+UBSan build of the parsers' and the follower's tests;
#   3. a ThreadSanitizer build of the threaded (sync, recorder, follower) tests.
# Ends with one line "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
export CTEST_OUTPUT_ON_FAILURE=1
passed=0
failed=0
status=0

# run_ctest DIR [ctest args...]: runs ctest and adds up its counts.
run_ctest() {
  local dir=$1; shift
  local log
  log=$(mktemp)
  ctest --test-dir "$dir" -j "$JOBS" --timeout 300 --no-tests=error "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    local total fails
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    fails=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
    passed=$((passed + total - fails))
    failed=$((failed + fails))
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
  rm -f "$log"
  [ "$rc" -eq 0 ] || status=1
}

scripts/deps.sh || exit 1

echo "== build (RelWithDebInfo)"
scripts/build.sh || exit 1
echo "== tests: unit, integration, gui"
run_ctest build

# Sanitizer builds: no GUI, no benchmarks, only what the sanitizer checks.
sanitize() {
  local kind=$1 dir=$2 regex=$3
  echo "== build ($kind sanitizer)"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DSTROKEVIZ_SANITIZE="$kind" \
        -DSTROKEVIZ_BUILD_GUI=OFF -DSTROKEVIZ_BUILD_BENCH=OFF >/dev/null; then
    status=1; failed=$((failed + 1)); return
  fi
  local targets
  targets=$(cmake --build "$dir" --target help | sed -nE 's/^\.\.\. ([A-Za-z0-9_]+_test)( .*)?$/\1/p' | grep -E "$regex" | tr '\n' ' ')
  if [ -z "$targets" ]; then
    echo "no test targets match $regex"; status=1; failed=$((failed + 1)); return
  fi
  # shellcheck disable=SC2086
  if ! cmake --build "$dir" -j "$JOBS" --target $targets; then
    status=1; failed=$((failed + 1)); return
  fi
  echo "== tests under $kind sanitizer: $targets"
  local t exe out np nf
  for t in $targets; do
    exe=$(find "$dir/tests" -type f -name "$t" -perm -u+x | head -n 1)
    [ -n "$exe" ] || { echo "missing test binary $t"; failed=$((failed + 1)); status=1; continue; }
    out=$(mktemp)
    (cd "$(dirname "$exe")" && timeout 600 "./$t") >"$out" 2>&1
    local rc=$?
    tail -n 5 "$out"
    np=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) tests?.*/\1/p' "$out" | tail -n 1)
    nf=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) tests?, listed below.*/\1/p' "$out" | tail -n 1)
    passed=$((passed + ${np:-0}))
    failed=$((failed + ${nf:-0}))
    if [ "$rc" -ne 0 ]; then
      status=1
      [ -n "$nf" ] || { failed=$((failed + 1)); cat "$out"; }
      grep -E "ERROR: (Address|Thread|UndefinedBehavior)Sanitizer|WARNING: ThreadSanitizer|runtime error" "$out" | head -n 20
    fi
    rm -f "$out"
  done
}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# ASan+UBSan: the parsers (scene, G-code, URDF, protocol, session files) and
# the follower/sources. TSan: everything with threads (queue, sync worker,
# recorder) and the follower/sources fed by a live worker.
sanitize address build-asan "${ASAN_TESTS:-^(load_.*|model_robot_model|protocol_.*|session_.*|follow_.*)_test$}"
sanitize thread build-tsan "${TSAN_TESTS:-^(common_.*|sync_.*|session_recorder|follow_.*)_test$}"

echo "tests: $passed passed, $failed failed"
exit $status
