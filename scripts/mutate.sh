#!/usr/bin/env bash
# Mutation testing of the security checks (issue 13, docs/testing.md).
#
# Applies each mutation of scripts/mutations.txt to the source tree, one at a
# time: rebuilds incrementally what the mutation's tests need, runs those
# tests until one fails, and reports KILLED (a test failed), SURVIVED (all
# passed: a missing test) or ERROR (the mutation does not build: a bug in the
# list). Equivalent mutations, documented as such in the list, are reported
# apart and left out of the kill rate. Ends with the kill rate; exits 0 only
# when every mutation was killed.
#
#   scripts/mutate.sh                 all mutations
#   scripts/mutate.sh ID...           only these
#   scripts/mutate.sh --list          print the list as a table and exit
#   scripts/mutate.sh --check         only check that every `from` line matches once
#
# Environment: MUTATE_BUILD (build dir, default build-mutate), MUTATE_LIST
# (default scripts/mutations.txt), MUTATE_TIMEOUT_MULTIPLIER (meson's, default 2).
#
# The tree is restored however the script exits (a trap on EXIT, INT, TERM,
# HUP). If it was killed outright, the next run restores the file from the
# backup it left in $MUTATE_BUILD/backup before doing anything else.
#
# Build: $MUTATE_BUILD (default build-mutate), a plain debug build without
# sanitizers and without -Werror. Mutation testing asks one question, "does a
# test fail?"; the sanitizers answer another and triple the time of every run
# (scripts/test.sh runs the whole suite under them). -Werror is off because a
# weakened check may leave a variable unused, and a compiler warning is not a
# test.
set -uo pipefail
# The whole script is one compound command, read before it runs: editing this
# file during a run cannot change what the run does.
{
cd "$(dirname "$0")/.."
root=$(pwd)
list=${MUTATE_LIST:-$root/scripts/mutations.txt}
bd=${MUTATE_BUILD:-build-mutate}
backup_dir=$root/$bd/backup

mode=run
only=()
for a in "$@"; do
  case "$a" in
    --list) mode=list ;;
    --check) mode=check ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "usage: scripts/mutate.sh [--list|--check] [ID...]" >&2; exit 2 ;;
    *) only+=("$a") ;;
  esac
done

# ---- the list ------------------------------------------------------------------------
# Parsed into parallel arrays M_ID, M_CHECK, M_FILE, M_FROM, M_TO, M_TESTS, M_EQUIV.
M_ID=(); M_CHECK=(); M_FILE=(); M_FROM=(); M_TO=(); M_TESTS=(); M_EQUIV=()
parse_list() {
  local line key val n=-1 lineno=0 fail=0
  local -A seen=()
  flush_check() {
    (( n < 0 )) && return 0
    [[ -n "${M_CHECK[$n]}" ]] || { echo "mutations.txt: ${M_ID[$n]} has no 'check' field" >&2; fail=1; }
    [[ -n "${M_FILE[$n]}" ]] || { echo "mutations.txt: ${M_ID[$n]} has no 'file' field" >&2; fail=1; }
    [[ -n "${M_FROM[$n]}" ]] || { echo "mutations.txt: ${M_ID[$n]} has no 'from' field" >&2; fail=1; }
    [[ -n "${M_TO[$n]}" ]] || { echo "mutations.txt: ${M_ID[$n]} has no 'to' field" >&2; fail=1; }
    [[ -n "${M_TESTS[$n]}" ]] || { echo "mutations.txt: ${M_ID[$n]} has no 'tests' field" >&2; fail=1; }
  }
  while IFS= read -r line || [[ -n $line ]]; do
    lineno=$((lineno + 1))
    [[ $line =~ ^[[:space:]]*# ]] && continue
    if [[ -z "${line//[[:space:]]/}" ]]; then continue; fi
    if [[ ! $line =~ ^([a-z]+):[[:space:]]*(.*)$ ]]; then
      echo "mutations.txt:$lineno: not a 'key: value' line: $line" >&2; fail=1; continue
    fi
    key=${BASH_REMATCH[1]}; val=${BASH_REMATCH[2]}
    val=${val%"${val##*[![:space:]]}"}   # trailing whitespace
    if [[ $key != id ]] && (( n < 0 )); then
      echo "mutations.txt:$lineno: a record must start with 'id:'" >&2; fail=1; continue
    fi
    case "$key" in
      id)
        flush_check
        n=$((n + 1))
        if [[ -n "${seen[$val]:-}" ]]; then echo "mutations.txt:$lineno: duplicate id $val" >&2; fail=1; fi
        seen[$val]=1
        M_ID[n]=$val; M_CHECK[n]=; M_FILE[n]=; M_FROM[n]=; M_TO[n]=; M_TESTS[n]=; M_EQUIV[n]= ;;
      check) M_CHECK[n]=$val ;;
      file) M_FILE[n]=$val ;;
      from) M_FROM[n]=$val ;;
      to) M_TO[n]=$val ;;
      tests) M_TESTS[n]=$val ;;
      equivalent) M_EQUIV[n]=$val ;;
      *) echo "mutations.txt:$lineno: unknown field '$key'" >&2; fail=1 ;;
    esac
  done <"$list"
  flush_check
  return $fail
}
parse_list || exit 2

# How many lines of FILE equal FROM once stripped of surrounding whitespace.
# (ENVIRON, not awk -v: -v would expand backslash escapes in the C line.)
match_count() {
  WANT=$2 awk '{ s = $0; sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); if (s == ENVIRON["WANT"]) n++ }
               END { print n + 0 }' "$1"
}

# Writes FILE with the one matching line replaced by TO (indentation kept) to OUT.
apply_mutation() {
  WANT=$2 REPL=$3 awk '{
      s = $0; sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s)
      if (s == ENVIRON["WANT"]) { match($0, /^[ \t]*/); print substr($0, 1, RLENGTH) ENVIRON["REPL"] } else print
    }' "$1" >"$4"
}

# Every `from` must match exactly once before anything is touched.
check_list() {
  local i c bad=0
  for i in "${!M_ID[@]}"; do
    if [[ ! -f "${M_FILE[$i]}" ]]; then
      echo "mutation ${M_ID[$i]}: file ${M_FILE[$i]} does not exist" >&2; bad=1; continue
    fi
    c=$(match_count "${M_FILE[$i]}" "${M_FROM[$i]}")
    if [[ $c != 1 ]]; then
      echo "mutation ${M_ID[$i]}: '${M_FROM[$i]}' matches $c lines of ${M_FILE[$i]}, not exactly 1;" \
           "update scripts/mutations.txt" >&2
      bad=1
    fi
    if [[ "${M_FROM[$i]}" == "${M_TO[$i]}" ]]; then
      echo "mutation ${M_ID[$i]}: 'to' is the same as 'from'" >&2; bad=1
    fi
  done
  return $bad
}

if [[ $mode == list ]]; then
  printf '| %-3s | %-36s | %-28s | %s |\n' "#" "id" "file" "check"
  printf '|-----|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..38})" "$(printf -- '-%.0s' {1..30})" "------"
  for i in "${!M_ID[@]}"; do
    printf '| %-3s | %-36s | %-28s | %s%s |\n' "$((i + 1))" "${M_ID[$i]}" "${M_FILE[$i]}" "${M_CHECK[$i]}" \
      "${M_EQUIV[$i]:+ (equivalent: ${M_EQUIV[$i]})}"
  done
  exit 0
fi

# One run at a time per build dir: a second one would take the first one's
# backup for a stale one and "restore" a file under its feet.
mkdir -p "$bd"
exec 9>"$bd/mutate.lock"
if ! flock -n 9; then
  echo "another scripts/mutate.sh is running on $bd" >&2
  exit 2
fi

# A previous run killed outright (SIGKILL, power loss) left its backup behind.
restore_stale() {
  [[ -d $backup_dir ]] || return 0
  local meta
  for meta in "$backup_dir"/*.path; do
    [[ -f $meta ]] || continue
    local path; path=$(cat "$meta")
    echo "restoring $path from an interrupted earlier run" >&2
    cp "${meta%.path}.orig" "$root/$path" && rm -f "$meta" "${meta%.path}.orig"
  done
}
restore_stale

check_list || exit 2
[[ $mode == check ]] && { echo "all ${#M_ID[@]} mutations match exactly one line"; exit 0; }

selected=()
if [[ ${#only[@]} -gt 0 ]]; then
  for want in "${only[@]}"; do
    found=0
    for i in "${!M_ID[@]}"; do [[ ${M_ID[$i]} == "$want" ]] && { selected+=("$i"); found=1; }; done
    [[ $found == 1 ]] || { echo "no mutation named '$want'" >&2; exit 2; }
  done
else
  selected=("${!M_ID[@]}")
fi

# ---- restoring -----------------------------------------------------------------------
CUR_FILE=
CUR_CLEAN=0
restore_current() {
  [[ -n $CUR_FILE ]] || return 0
  local key; key=$(tr '/' '_' <<<"$CUR_FILE")
  # Not cp -p: the restored file must be newer than the mutant's object file,
  # or ninja would keep the mutant compiled in.
  if cp "$backup_dir/$key.orig" "$root/$CUR_FILE" && cmp -s "$backup_dir/$key.orig" "$root/$CUR_FILE"; then
    rm -f "$backup_dir/$key.orig" "$backup_dir/$key.path"
  else
    echo "FAILED to restore $CUR_FILE; the original is $backup_dir/$key.orig" >&2
    return 1
  fi
  if [[ $CUR_CLEAN == 1 ]] && ! git -C "$root" diff --quiet -- "$CUR_FILE"; then
    echo "$CUR_FILE differs from git after restoring it" >&2
    return 1
  fi
  CUR_FILE=
}
on_exit() {
  local rc=$?
  restore_current || rc=70
  exit $rc
}
trap on_exit EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'echo "terminated" >&2; exit 143' TERM HUP

# ---- the build -----------------------------------------------------------------------
if [[ ! -f $bd/build.ninja ]]; then
  rm -rf "${bd:?}/meson-private" "${bd:?}/meson-info"   # a half-done setup
  meson setup "$bd" -Dbuildtype=debug -Db_sanitize=none -Dwerror=false -Dtests=enabled >/dev/null \
    || { echo "meson setup $bd failed" >&2; exit 1; }
fi
mkdir -p "$backup_dir"
log_dir=$root/$bd/mutate-logs
rm -rf "$log_dir"; mkdir -p "$log_dir"

echo "building $bd (unmutated)"
ninja -C "$bd" >"$log_dir/build-baseline.log" 2>&1 || { echo "the unmutated tree does not build; see $log_dir/build-baseline.log" >&2; exit 1; }

# The ninja targets a test needs: its executable and its depends (meson introspection).
introspect_tests=$(meson introspect "$bd" --tests)
# The target list is read from a file: it outgrew what one argument may hold
# (128 KiB, MAX_ARG_STRLEN), and --argjson with it failed for every test.
introspect_targets_file=$log_dir/targets.json
meson introspect "$bd" --targets >"$introspect_targets_file"
declare -A TEST_TARGETS=()
for t in $(jq -r '.[].name' <<<"$introspect_tests"); do
  TEST_TARGETS[$t]=$(jq -r --arg t "$t" --arg bd "$root/$bd/" --slurpfile targetsf "$introspect_targets_file" '
      $targetsf[0] as $targets
      | .[] | select(.name == $t) | [.cmd[], (.depends[] as $d | $targets[] | select(.id == $d) | .filename[])]
      | .[] | select(startswith($bd)) | ltrimstr($bd) | select(startswith("../") | not)' <<<"$introspect_tests" | sort -u | tr '\n' ' ')
done
for i in "${selected[@]}"; do
  for t in ${M_TESTS[$i]}; do
    [[ -n "${TEST_TARGETS[$t]+x}" ]] || { echo "mutation ${M_ID[$i]}: no test named '$t' (meson test --list)" >&2; exit 2; }
  done
done

# The tests stay short: the long mode of scripts/test.sh is not for them.
unset CRADLE_LONG
export ASAN_OPTIONS= UBSAN_OPTIONS=
mult=${MUTATE_TIMEOUT_MULTIPLIER:-2}

run_test() { # run_test NAME LOG -> 0 passed, 1 failed; LOG gets the whole test output
  local rc
  meson test -C "$bd" --no-rebuild --print-errorlogs --timeout-multiplier "$mult" "$1" >"$2" 2>&1
  rc=$?
  cat "$bd/meson-logs/testlog.txt" >>"$2" 2>/dev/null
  return $rc
}

# The baseline: every test a mutation names passes on the unmutated tree, or a
# KILLED would mean nothing.
declare -A needed=()
for i in "${selected[@]}"; do for t in ${M_TESTS[$i]}; do needed[$t]=1; done; done
start=$(date +%s)
echo "baseline: ${#needed[@]} tests on the unmutated tree"
for t in $(printf '%s\n' "${!needed[@]}" | sort); do
  if ! run_test "$t" "$log_dir/baseline-$t.log"; then
    echo "baseline: test '$t' fails without any mutation; see $log_dir/baseline-$t.log" >&2
    exit 1
  fi
done
echo "baseline passed in $(( $(date +%s) - start ))s"

# ---- the mutations ---------------------------------------------------------------------
killed=0; survived=0; errors=0; equivalent=0
results=()
for i in "${selected[@]}"; do
  id=${M_ID[$i]}; file=${M_FILE[$i]}
  t0=$(date +%s)
  key=$(tr '/' '_' <<<"$file")
  CUR_CLEAN=0; git -C "$root" diff --quiet -- "$file" 2>/dev/null && CUR_CLEAN=1
  cp -p "$file" "$backup_dir/$key.orig" && printf '%s\n' "$file" >"$backup_dir/$key.path" || exit 1
  CUR_FILE=$file
  apply_mutation "$backup_dir/$key.orig" "${M_FROM[$i]}" "${M_TO[$i]}" "$backup_dir/$key.mutant" &&
    cp "$backup_dir/$key.mutant" "$root/$file" && rm -f "$backup_dir/$key.mutant" || { echo "cannot write $file" >&2; exit 1; }
  # Exactly one line differs, or the list is wrong.
  changed=$(diff "$backup_dir/$key.orig" "$file" | grep -c '^>')
  [[ $changed == 1 ]] || { echo "mutation $id changed $changed lines of $file" >&2; exit 1; }

  targets=""
  for t in ${M_TESTS[$i]}; do targets+=" ${TEST_TARGETS[$t]}"; done
  verdict=SURVIVED; by=
  # shellcheck disable=SC2086
  if ! ninja -C "$bd" $targets >"$log_dir/$id.build.log" 2>&1; then
    verdict=ERROR; by="does not build (see $bd/mutate-logs/$id.build.log)"
  else
    for t in ${M_TESTS[$i]}; do
      if ! run_test "$t" "$log_dir/$id.$t.log"; then verdict=KILLED; by=$t; break; fi
    done
  fi
  restore_current || exit 70
  if [[ -n "${M_EQUIV[$i]}" ]]; then
    if [[ $verdict == SURVIVED ]]; then verdict=EQUIVALENT; equivalent=$((equivalent + 1))
    elif [[ $verdict == KILLED ]]; then
      # Listed as equivalent but a test tells it apart: the list is wrong.
      verdict=ERROR; by="listed as equivalent but killed by $by"; errors=$((errors + 1))
    else errors=$((errors + 1)); fi
  else
    case $verdict in
      KILLED) killed=$((killed + 1)) ;;
      SURVIVED) survived=$((survived + 1)) ;;
      ERROR) errors=$((errors + 1)) ;;
    esac
  fi
  secs=$(( $(date +%s) - t0 ))
  line=$(printf '%-9s %-36s %4ss  %s' "$verdict" "$id" "$secs" "$by")
  echo "$line"
  results+=("$line")
done
# Rebuild the unmutated tree, so the build dir is left as the sources are.
ninja -C "$bd" >/dev/null 2>&1

total=$((killed + survived + errors))
echo
echo "mutation results ($bd, $(( $(date +%s) - start ))s):"
printf '%s\n' "${results[@]}"
rate=0
(( total > 0 )) && rate=$(awk -v k=$killed -v t=$total 'BEGIN { printf "%.1f", 100 * k / t }')
echo "$killed killed, $survived survived, $errors errors, $equivalent equivalent (not counted): kill rate $rate % of $total"
printf '%s %s %s %s\n' "$killed" "$survived" "$errors" "$equivalent" >"$root/$bd/mutate-summary"
[[ $survived -eq 0 && $errors -eq 0 && $total -gt 0 ]]
exit $?
}
