#!/usr/bin/env bash
# TLS soak under CPU contention (a figure, not a test): TOTAL mixed requests
# against one cradled while HOGS busy loops compete for the CPU --
#  - operator CLI calls (`cradle product list`, `cradle whoami`), each a new
#    process and a new TLS connection, as in the e2e tests and scripts;
#  - device mTLS requests (GET /device/v1/whoami with the device certificate),
#    half on a new connection each, half 20 to a kept-alive connection.
# Every request must succeed: the CLI gives up after a 10 s connect timeout,
# which is how the "received handshake message out of context" stall showed.
# Prints counts, failures and latency percentiles per kind, and what cradled
# logged about TLS.
#   bench/soak-tls.sh [TOTAL]         (default 10000)
#   env: HOGS (default 2 x cores), CLI_WORKERS (3), DEVICE_WORKERS (3),
#        CRADLED/CRADLE (default: build-bench, built here),
#        TMPDIR (where the run's directory goes; a private one keeps other
#        jobs' clean-ups of /tmp/cradle-e2e.* away from it)
set -uo pipefail
cd "$(dirname "$0")/.."
total=${1:-10000}
hogs_n=${HOGS:-$(( $(nproc) * 2 ))}
cli_workers=${CLI_WORKERS:-3}
dev_workers=${DEVICE_WORKERS:-3}

if [[ -z "${CRADLED:-}" || -z "${CRADLE:-}" ]]; then
  [[ -f build-bench/build.ninja ]] || meson setup build-bench -Dtests=disabled >/dev/null
  ninja -C build-bench src/server/cradled src/cli/cradle >/dev/null || exit 1
  export CRADLED=$PWD/build-bench/src/server/cradled CRADLE=$PWD/build-bench/src/cli/cradle
fi
source tests/e2e/lib.sh >/dev/null
hog_pids=()
cleanup() {
  [[ ${#hog_pids[@]} -gt 0 ]] && kill "${hog_pids[@]}" 2>/dev/null
  stop_server
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

init_server || exit 1
start_server || exit 1
identity_setup >/dev/null 2>&1 || { echo "identity setup failed"; exit 1; }
make_csr dev1 SN0001 && est_enroll dev1 T1-EU "serial=SN0001&batch=B1"
[[ $STATUS == 200 ]] || { echo "enrollment failed: $STATUS $BODY"; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

cli_n=$(( total * 4 / 10 / cli_workers ))
dev_n=$(( (total - cli_n * cli_workers + dev_workers - 1) / dev_workers ))   # at least TOTAL in all
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $hogs_n CPU hogs;" \
  "$cli_workers CLI workers x $cli_n, $dev_workers device workers x $dev_n"
for _ in $(seq 1 "$hogs_n"); do (while :; do :; done) & hog_pids+=($!); done

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Each worker appends "KIND RESULT MS" lines; RESULT is ok or the failure.
cli_worker() {
  local i t0 out rc
  for i in $(seq 1 "$cli_n"); do
    t0=$(now_ms)
    if (( i % 2 )); then out=$("$CRADLE" product list 2>&1 >/dev/null); rc=$?
    else out=$("$CRADLE" whoami 2>&1 >/dev/null); rc=$?; fi
    if [[ $rc -eq 0 ]]; then echo "cli ok $(( $(now_ms) - t0 ))"
    else echo "cli fail:rc=$rc:${out//$'\n'/ } $(( $(now_ms) - t0 ))"; fi
  done
}
dev_args=(--cacert "$CA" --cert "$PKI/dev1.pem" --key "$PKI/dev1.key" --connect-timeout 10 --max-time 30)
dev_worker() {
  local i t0 code batch
  for (( i = 0; i < dev_n; )); do
    if (( (i / 20) % 2 == 0 )); then
      t0=$(now_ms)
      code=$(curl -sS "${dev_args[@]}" -o /dev/null -w '%{http_code}' "$URL/device/v1/whoami" 2>&1)
      if [[ $code == 200 ]]; then echo "device-new ok $(( $(now_ms) - t0 ))"
      else echo "device-new fail:$code $(( $(now_ms) - t0 ))"; fi
      i=$((i + 1))
    else
      batch=$(( dev_n - i < 20 ? dev_n - i : 20 ))
      t0=$(now_ms)
      # One connection, `batch` requests; the figure is the mean per request.
      urls=(); for _ in $(seq 1 "$batch"); do urls+=("$URL/device/v1/whoami" -o /dev/null); done
      codes=$(curl -sS "${dev_args[@]}" -w '%{http_code}\n' "${urls[@]}" 2>&1)
      ms=$(( ($(now_ms) - t0) / batch ))
      while read -r code; do
        if [[ $code == 200 ]]; then echo "device-keepalive ok $ms"; else echo "device-keepalive fail:$code $ms"; fi
      done < <(printf '%s\n' "$codes" | head -n "$batch")
      # Fewer answers than requests: the rest failed.
      for (( k = $(printf '%s\n' "$codes" | grep -c .); k < batch; k++ )); do echo "device-keepalive fail:missing $ms"; done
      i=$((i + batch))
    fi
  done
}
start=$(now_ms)
pids=()
for w in $(seq 1 "$cli_workers"); do cli_worker >"$E2E_TMP/soak-cli-$w" & pids+=($!); done
for w in $(seq 1 "$dev_workers"); do dev_worker >"$E2E_TMP/soak-dev-$w" & pids+=($!); done
wait "${pids[@]}"
elapsed=$(( $(now_ms) - start ))
kill "${hog_pids[@]}" 2>/dev/null; hog_pids=()

cat "$E2E_TMP"/soak-* >"$E2E_TMP/all"
echo "requests: $(wc -l <"$E2E_TMP/all") in $(( elapsed / 1000 )) s; failures: $(grep -vc ' ok ' "$E2E_TMP/all")"
for kind in cli device-new device-keepalive; do
  grep "^$kind " "$E2E_TMP/all" | awk '{print $NF}' | sort -n | awk -v k="$kind" '
    function at(q,  i) { i = int(NR * q) + 1; if (i > NR) i = NR; return v[i] }
    { v[NR] = $1 }
    END { if (NR) printf "%-17s n=%-6d p50=%d ms  p99=%d ms  max=%d ms\n", k, NR, at(0.5), at(0.99), v[NR] }'
done
grep -v ' ok ' "$E2E_TMP/all" | head -n 5 | sed 's/^/failure: /'
echo "cradled TLS handshake failures logged: $(grep -c 'handshake message out of context' "$LOG")"
[[ $(grep -vc ' ok ' "$E2E_TMP/all") -eq 0 ]]
