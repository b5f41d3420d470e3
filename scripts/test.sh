#!/usr/bin/env bash
# Installs what the tests need, builds Cradle under ASan+UBSan and runs the
# whole suite: cmocka unit tests, black-box e2e tests against a real cradled,
# and the libFuzzer targets over their seed corpora (built with clang); then
# compiles a release build and a plain -O2 build (what packagers build).
# Every build here uses -Werror (warnings fail CI); the project's defaults do
# not, so a packager's or distribution's own flags never break a build.
# Ends with the line "N passed, N failed" counting individual test cases.
#
#   scripts/test.sh            the default run (well under 20 minutes)
#   scripts/test.sh --long     also fuzz each target for CRADLE_FUZZ_SECONDS (default 300),
#                              run the power-loss test for hundreds of iterations, and
#                              run the mutation tests of the security checks (scripts/mutate.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

long=0
for a in "$@"; do
  case "$a" in
    --long) long=1 ;;
    *) echo "usage: scripts/test.sh [--long]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh --test || exit 1

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

bt=build-test
if [[ ! -f $bt/build.ninja ]]; then
  meson setup $bt -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dtests=enabled >/dev/null || exit 1
else
  meson configure $bt -Dwerror=true >/dev/null || exit 1   # a build dir from before werror left the defaults
fi
ninja -C $bt || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

mult=3
if [[ $long -eq 1 ]]; then export CRADLE_LONG=1; mult=20; fi
meson test -C $bt --print-errorlogs --num-processes 2 --timeout-multiplier $mult
meson_rc=$?

# The fuzz targets need clang's libFuzzer; their seed corpora and stored
# crash reproducers run as regression tests.
bf=build-fuzz
fuzz_rc=0
if [[ ! -f $bf/build.ninja ]]; then
  CC=clang meson setup $bf -Dwerror=true -Dfuzz=true -Dtests=disabled -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || fuzz_rc=1
else
  meson configure $bf -Dwerror=true >/dev/null || fuzz_rc=1
fi
if [[ $fuzz_rc -eq 0 ]]; then
  # Quiet when it builds; the compiler's words when it does not (clang
  # warns where gcc does not, and -Werror makes that a failed build).
  if ! fuzz_out=$(ninja -C $bf 2>&1); then
    fuzz_rc=1
    echo "not ok - fuzz build compiles (clang)"; grep -E 'error|FAILED' <<<"$fuzz_out" | head -n 20 | sed 's/^/#   /'
  fi
fi
if [[ $fuzz_rc -eq 0 ]]; then
  meson test -C $bf --suite fuzz --print-errorlogs --num-processes 2 || fuzz_rc=1
  if [[ $long -eq 1 ]]; then
    for f in $bf/tests/fuzz/fuzz-*; do
      [[ -x $f && ! -d $f ]] || continue
      name=$(basename "$f")
      echo "fuzzing $name for ${CRADLE_FUZZ_SECONDS:-300}s"
      mkdir -p "$bf/corpus-$name"
      "$f" -max_total_time="${CRADLE_FUZZ_SECONDS:-300}" "$bf/corpus-$name" "tests/fuzz/corpus/$name" || fuzz_rc=1
    done
  fi
fi

# Builds packagers make, compiled (not tested) with -Werror: optimisation
# finds warnings (-Wformat-truncation, -Wstringop-*, -Wmaybe-uninitialized)
# the sanitizer build does not. Each is one test case.
extra_p=0; extra_f=0
build_case() { # build_case DESCRIPTION DIR MESON-SETUP-ARGS...
  local desc=$1 dir=$2; shift 2
  local out rc=0
  if [[ ! -f $dir/build.ninja ]]; then
    out=$(meson setup "$dir" -Dwerror=true -Dtests=disabled "$@" 2>&1) || rc=1
  fi
  if [[ $rc -eq 0 ]]; then out=$(ninja -C "$dir" 2>&1) || rc=1; fi
  if [[ $rc -eq 0 ]]; then
    echo "ok - $desc"; extra_p=$((extra_p + 1))
  else
    echo "not ok - $desc"; tail -n 40 <<<"$out" | sed 's/^/#   /'; extra_f=$((extra_f + 1))
  fi
}
build_case "release build compiles" build-release --buildtype=release
build_case "plain -O2 build compiles" build-o2 --buildtype=plain -Dc_args=-O2

# Mutation testing of the security checks (scripts/mutate.sh): each killed
# mutation counts as a passed case, each survivor or list error as a failed one.
mut_passed=0; mut_failed=0
if [[ $long -eq 1 ]]; then
  rm -f build-mutate/mutate-summary
  ( unset CRADLE_LONG; scripts/mutate.sh )
  if [[ -f build-mutate/mutate-summary ]]; then
    read -r mk ms me _ <build-mutate/mutate-summary
    mut_passed=$mk; mut_failed=$((ms + me))
  else
    mut_failed=1   # it stopped before measuring anything (the list no longer matches the code?)
  fi
fi

# Count individual cases from the TAP each test printed.
count() {
  local log=$1
  [[ -f $log ]] || return 0
  jq -r '[.name, .result, (.stdout // "")] | @json' "$log" | while read -r row; do
    name=$(jq -r '.[0]' <<<"$row"); result=$(jq -r '.[1]' <<<"$row"); out=$(jq -r '.[2]' <<<"$row")
    # A skipped case ("ok N - ... # SKIP reason") is neither passed nor failed.
    p=$(grep -E '^ok ' <<<"$out" | grep -cvE '#[[:space:]]*SKIP' || true)
    f=$(grep -cE '^not ok ' <<<"$out" || true)
    grep -E '^ok .*#[[:space:]]*SKIP' <<<"$out" | sed "s|^|skipped in $name: |" >&2
    if [[ $result != OK && $result != EXPECTEDFAIL && $result != SKIP && $f -eq 0 ]]; then
      f=1   # crashed or timed out before reporting a failing case
    fi
    if [[ $p -eq 0 && $f -eq 0 && ( $result == OK ) ]]; then
      p=1   # a non-TAP test that passed
    fi
    echo "$p $f"
  done
}
totals=$( { count $bt/meson-logs/testlog.json; count $bf/meson-logs/testlog.json; } 2>"$bt/skipped.txt" | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
if [[ -s $bt/skipped.txt ]]; then
  echo "$(wc -l <"$bt/skipped.txt") skipped (not counted below):"; sed 's/^/  /' "$bt/skipped.txt"
fi
passed=$(( ${totals% *} + extra_p + mut_passed )); failed=$(( ${totals#* } + extra_f + mut_failed ))
if [[ $fuzz_rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
if [[ $meson_rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
