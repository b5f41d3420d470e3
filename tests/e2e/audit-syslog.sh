#!/usr/bin/env bash
# The syslog witness of the audit checkpoints (docs/security.md, "Audit
# checkpoints"; `[audit] witness_syslog = true`). cradled runs in a mount
# namespace of its own whose /dev holds the usual nodes and, as /dev/log, a
# datagram socket this test listens on, standing in for the syslog daemon
# that would forward the lines to a remote log host. Checked:
#  - each checkpoint arrives as one syslog line (facility auth, ident
#    cradled-audit) whose JSON `cradle audit verify --checkpoint` accepts;
#  - the lines alone detect a truncation of the audit table behind them;
#  - with no daemon listening, checkpoints wait in the queue (syslog(3) would
#    have dropped them silently) and arrive once the daemon is back.
# Needs root (unshare, mount); skipped otherwise.
source "$(dirname "$0")/lib.sh"

if [[ $(id -u) -ne 0 ]] || ! unshare -m --propagation private true 2>/dev/null; then
  tap_skip "the syslog witness" "needs root and mount namespaces (unshare -m)"
  finish
  exit 0
fi

init_server || { tap_fail "init"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

# /dev for cradled: the nodes it may open, bound from the real /dev, and log.
DEVDIR=$E2E_TMP/dev
mkdir -p "$DEVDIR"
cat >"$E2E_TMP/cradled-devns" <<EOS
#!/usr/bin/env bash
# Runs cradled with $DEVDIR as its /dev (a private mount namespace).
exec unshare -m --propagation private bash -c '
  set -e
  d=\$1; shift
  for n in null zero full random urandom tty; do
    [ -e /dev/\$n ] || continue
    [ -e "\$d/\$n" ] || : >"\$d/\$n"
    mount --bind "/dev/\$n" "\$d/\$n"
  done
  ln -sfn /proc/self/fd "\$d/fd"
  ln -sfn /proc/self/fd/0 "\$d/stdin"; ln -sfn /proc/self/fd/1 "\$d/stdout"; ln -sfn /proc/self/fd/2 "\$d/stderr"
  mount --bind "\$d" /dev
  exec "\$@"' _ "$DEVDIR" "$CRADLED" "\$@"
EOS
chmod 755 "$E2E_TMP/cradled-devns"

# The syslog daemon: a datagram socket at $DEVDIR/log, one line per datagram.
SYSLOG=$E2E_TMP/syslog.txt
cat >"$E2E_TMP/syslogd.py" <<'EOF'
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b"\n") + b"\n")
EOF
SYSLOGD_PID=
syslogd_start() {
  python3 "$E2E_TMP/syslogd.py" "$DEVDIR/log" "$SYSLOG" & SYSLOGD_PID=$!
  for _ in $(seq 1 50); do [[ -S $DEVDIR/log ]] && return 0; sleep 0.1; done; return 1
}
syslogd_stop() { [[ -n $SYSLOGD_PID ]] && kill "$SYSLOGD_PID" 2>/dev/null; wait "$SYSLOGD_PID" 2>/dev/null; SYSLOGD_PID=; rm -f "$DEVDIR/log"; }
trap 'syslogd_stop' EXIT
syslogd_start || { tap_fail "the test's syslog socket listens"; finish; exit 1; }

REAL_CRADLED=$CRADLED
CRADLED=$E2E_TMP/cradled-devns
sed -i "/^\[audit\]/,/^\[/{s|^checkpoint_interval = .*|checkpoint_interval = 1h|; s|^witness_syslog = .*|witness_syslog = true|}" "$DATA/cradled.conf"
expect_eq "the config turns the syslog witness on" "$(grep -c '^witness_syslog = true$' "$DATA/cradled.conf")" 1
start_server || { tap_fail "server starts in its namespace"; finish; exit 1; }
stop_server
N0=$(sqlite3 "$DATA/cradle.db" 'SELECT count(*) FROM audit_log')
EVERY=$((N0 + 2))
sed -i "/^\[audit\]/,/^\[/{s|^checkpoint_every = .*|checkpoint_every = $EVERY|}" "$DATA/cradled.conf"
start_server || { tap_fail "server restarts"; finish; exit 1; }
FP=$(grep -oE 'audit checkpoints signed with .* \(fingerprint [0-9a-f]{64}\)' "$LOG" | grep -oE '[0-9a-f]{64}' | head -n1)

wait_lines() { for _ in $(seq 1 150); do [[ $(wc -l <"$1" 2>/dev/null || echo 0) -ge $2 ]] && return 0; sleep 0.2; done; return 1; }
n=0
add_products() { for _ in $(seq 1 "$1"); do n=$((n + 1)); api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c ".model=\"SL$n\"" <<<"$PRODUCT_JSON")"; done; }
add_products 2
wait_lines "$SYSLOG" 1
expect_eq "a checkpoint arrives as one syslog line" "$(wc -l <"$SYSLOG")" 1
line=$(head -n1 "$SYSLOG")
# <37>: facility auth (4) * 8 + severity notice (5), RFC 3164 framing by glibc.
expect_match "facility auth, severity notice, ident cradled-audit with its pid" "$line" \
  '^<37>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} cradled-audit\[[0-9]+\]: audit checkpoint \{'
sed 's/^.*: audit checkpoint //' "$SYSLOG" >"$E2E_TMP/from-syslog.jsonl"
expect_eq "the line carries the self-contained checkpoint" \
  "$(jq -r '.format + " " + (.key == "'"$FP"'" | tostring)' "$E2E_TMP/from-syslog.jsonl")" "cradle-audit-checkpoint/1 true"
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/from-syslog.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
expect_eq "the syslog copy verifies against the live log" "$rc" 0
expect_match "verify says so" "$out" 'checkpoints OK: 1 of 1 match'

# No daemon: the next checkpoint is made but waits, and is logged once.
syslogd_stop
add_products "$EVERY"
waited=
for _ in $(seq 1 150); do
  grep -q 'no syslog daemon listens on /dev/log' "$LOG" && { waited=1; break; }
  sleep 0.2
done
expect_eq "with no syslog daemon cradled says the checkpoints wait" "$waited" 1
"$CRADLE" audit checkpoints --out "$E2E_TMP/cp.jsonl" >/dev/null
expect_eq "the second checkpoint was signed meanwhile" "$(wc -l <"$E2E_TMP/cp.jsonl")" 2
expect_eq "... and is still queued for syslog, not marked delivered" \
  "$(sqlite3 "$DATA/cradle.db" 'SELECT count(*) FROM audit_checkpoints WHERE syslog_done = 0')" 1
syslogd_start || tap_fail "the syslog socket listens again"
wait_lines "$SYSLOG" 2
expect_eq "once the daemon is back the waiting checkpoint arrives" "$(wc -l <"$SYSLOG")" 2
expect_match "and cradled says so" "$(cat "$LOG")" 'the syslog daemon is back'
sed 's/^.*: audit checkpoint //' "$SYSLOG" >"$E2E_TMP/from-syslog.jsonl"
expect_eq "syslog holds what the export holds" \
  "$(jq -c '[.seq, .hash, .signature]' "$E2E_TMP/from-syslog.jsonl")" "$(jq -c '[.seq, .hash, .signature]' "$E2E_TMP/cp.jsonl")"

# The syslog lines alone detect a truncation behind the last checkpoint.
CP2=$(jq -s '.[1].seq' "$E2E_TMP/from-syslog.jsonl")
stop_server
sqlite3 "$DATA/cradle.db" "DELETE FROM audit_log WHERE seq >= $CP2"
start_server || { tap_fail "restart after the truncation"; finish; exit 1; }
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/from-syslog.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
expect_eq "the syslog copy detects the truncation (exit 5)" "$rc" 5
expect_match "naming the checkpoint" "$out" "DOES NOT MATCH the checkpoints: checkpoint at seq $CP2"
stop_server
CRADLED=$REAL_CRADLED
finish
