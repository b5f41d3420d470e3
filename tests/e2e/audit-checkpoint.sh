#!/usr/bin/env bash
# Signed audit checkpoints (issue 11 section 6; docs/security.md, "Audit
# checkpoints"): cradled signs {seq, hash, time} every few entries, hands each
# checkpoint to a witness file and a witness URL, `cradle audit checkpoints`
# exports them, and `cradle audit verify --checkpoint` detects what the chain
# alone cannot: a truncation behind an exported checkpoint, a rewrite of the
# log before it; and it refuses a forged or altered checkpoint.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

# A witness URL that fails its first request (the delivery is retried).
HOOK_PORT=$(free_port)
HOOK_LOG=$E2E_TMP/witness-url.log
cat >"$E2E_TMP/receiver.py" <<'EOF'
import http.server, sys
seen = 0
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        seen += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if seen == 1:
            self.send_response(503); self.end_headers(); return
        with open(sys.argv[2], "ab") as f:
            f.write(self.headers.get("X-Cradle-Event", "").encode() + b" " + body + b"\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
python3 "$E2E_TMP/receiver.py" "$HOOK_PORT" "$HOOK_LOG" &
HOOK_PID=$!
trap 'kill $HOOK_PID 2>/dev/null' EXIT

WITNESS=$E2E_TMP/witness/checkpoints.jsonl
mkdir -p "$E2E_TMP/witness"
# A first start registers the keys cradled holds (the key registry): the log
# then has N0 entries. checkpoint_every is set just above that, so the start
# alone signs nothing.
sed -i "/^\[audit\]/,/^\[/{s|^checkpoint_interval = .*|checkpoint_interval = 1h|; s|^witness_file = .*|witness_file = $WITNESS|; s|^witness_url = .*|witness_url = http://127.0.0.1:$HOOK_PORT/checkpoint|}" "$DATA/cradled.conf"
start_server || { tap_fail "server starts"; finish; exit 1; }
stop_server
N0=$(sqlite3 "$DATA/cradle.db" 'SELECT count(*) FROM audit_log')
EVERY=$((N0 + 2))
sed -i "/^\[audit\]/,/^\[/{s|^checkpoint_every = .*|checkpoint_every = $EVERY|}" "$DATA/cradled.conf"
start_server || { tap_fail "server restarts"; finish; exit 1; }

expect_eq "the checkpoint key is made on first start, mode 0600" "$(stat -c %a "$DATA/keys/audit-checkpoint.key")" 600
FP=$(grep -oE 'audit checkpoints signed with .* \(fingerprint [0-9a-f]{64}\)' "$LOG" | grep -oE '[0-9a-f]{64}' | head -n1)
expect_match "cradled logs the key's fingerprint" "$FP" '^[0-9a-f]{64}$'
out=$("$CRADLE" key list --json 2>/dev/null)
expect_eq "the key is in the key registry from the start" \
  "$(jq -r --arg fp "$FP" '[.items[] | select(.fingerprint == $fp) | .class + " " + .state + " " + .storage] | join(",")' <<<"$out")" \
  "audit-checkpoint active file"

# No checkpoint before one is due.
sleep 1.5
"$CRADLE" audit checkpoints --out "$E2E_TMP/none.jsonl" 2>"$E2E_TMP/none.err"; rc=$?
expect_eq "export with nothing to export succeeds" "$rc" 0
expect_eq "nothing is signed before checkpoint_every entries" "$(wc -l <"$E2E_TMP/none.jsonl")" 0

# Two changes reach checkpoint_every (counted from entry 1): a checkpoint (the
# pass runs every 10 s at most); checkpoint_every more, another.
wait_lines() { for _ in $(seq 1 150); do [[ $(wc -l <"$1" 2>/dev/null || echo 0) -ge $2 ]] && return 0; sleep 0.2; done; return 1; }
n=0
add_products() { for _ in $(seq 1 "$1"); do n=$((n + 1)); api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c ".model=\"CPX$n\"" <<<"$PRODUCT_JSON")"; done; }
add_products 2
wait_lines "$WITNESS" 1
add_products "$EVERY"
wait_lines "$WITNESS" 2
expect_eq "two checkpoints reached the witness file" "$(wc -l <"$WITNESS")" 2
# One change after the last checkpoint (fewer than checkpoint_every: none follows).
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="CP7"' <<<"$PRODUCT_JSON")"

out=$("$CRADLE" audit checkpoints --out "$E2E_TMP/cp.jsonl"); rc=$?
expect_eq "cradle audit checkpoints exports" "$rc" 0
expect_match "it says what it wrote" "$out" '2 checkpoint\(s\) written'
expect_eq "the export and the witness file hold the same checkpoints" \
  "$(jq -c '[.seq, .hash, .signature]' "$E2E_TMP/cp.jsonl")" "$(jq -c '[.seq, .hash, .signature]' "$WITNESS")"
expect_eq "each line is self-contained" "$(jq -r '.format + " " + (.key == "'"$FP"'" | tostring) + " " + (.public_key | length > 0 | tostring)' "$E2E_TMP/cp.jsonl" | sort -u)" \
  "cradle-audit-checkpoint/1 true true"
CP1=$(jq -s '.[0].seq' "$E2E_TMP/cp.jsonl")
CP2=$(jq -s '.[1].seq' "$E2E_TMP/cp.jsonl")
out=$("$CRADLE" audit list --all --json)
expect_eq "each checkpoint covers its own key.use entry" \
  "$(jq -r "[.items[] | select(.seq == $CP1 or .seq == $CP2) | .action] | join(\",\")" <<<"$out")" "key.use,key.use"
expect_eq "the checkpoint's hash is the entry's" "$(jq -r ".items[] | select(.seq == $CP2) | .hash" <<<"$out")" \
  "$(jq -rs '.[1].hash' "$E2E_TMP/cp.jsonl")"
"$CRADLE" audit checkpoints --since "$CP2" --out - >"$E2E_TMP/since.jsonl"
expect_eq "--since keeps the later ones" "$(jq -c .seq "$E2E_TMP/since.jsonl")" "$CP2"

# The first POST fails: that checkpoint is retried AUDIT_WITNESS_BACKOFF_S (10 s) later.
wait_lines "$HOOK_LOG" 2
expect_eq "the witness URL got both, one after its failed first attempt (retried)" "$(wc -l <"$HOOK_LOG" 2>/dev/null)" 2
expect_eq "the URL witness gets the same JSON" "$(cut -d' ' -f2- "$HOOK_LOG" | jq -c .seq | sort -n | tr '\n' ' ')" "$CP1 $CP2 "
expect_match "it is announced as audit.checkpoint" "$(head -n1 "$HOOK_LOG")" '^audit\.checkpoint '

# Verification with the pinned key, by fingerprint or as a PEM public key.
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/cp.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
expect_eq "the untouched log matches its checkpoints" "$rc" 0
expect_match "verify says so" "$out" 'checkpoints OK: 2 of 2 match'
jq -rs '.[0].public_key' "$E2E_TMP/cp.jsonl" | base64 -d | openssl pkey -pubin -inform DER -out "$E2E_TMP/cp-pub.pem"
out=$("$CRADLE" audit verify --checkpoint "$WITNESS" --key "$E2E_TMP/cp-pub.pem" 2>&1); rc=$?
expect_eq "the witness file verifies with the PEM key" "$rc" 0
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/cp.jsonl" --json --key-fingerprint "$FP")
expect_eq "--json reports the checkpoints" "$(jq -c '.checkpoints | [.ok, .given, .matched]' <<<"$out")" '[true,2,2]'

# Refusals before anything is fetched.
"$CRADLE" audit verify --checkpoint "$E2E_TMP/cp.jsonl" >/dev/null 2>&1; rc=$?
expect_eq "--checkpoint without a pinned key is a usage error" "$rc" 2
other=$(printf '%064d' 0)
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/cp.jsonl" --key-fingerprint "$other" 2>&1); rc=$?
expect_eq "a checkpoint of another key is refused (exit 5)" "$rc" 5
expect_match "it names the seq and the key" "$out" "REFUSED: checkpoint at seq $CP1: signed by key $FP, not by the pinned"
jq -c ".seq -= 1" "$E2E_TMP/cp.jsonl" >"$E2E_TMP/altered.jsonl"
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/altered.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
expect_eq "an altered seq is refused (exit 5)" "$rc" 5
expect_match "the signature does not verify" "$out" 'signature does not verify'
printf '{"format":"cradle-audit-checkpoint/1"}\n' >"$E2E_TMP/bad.jsonl"
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/bad.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
expect_eq "a malformed checkpoint file is refused" "$rc" 2
expect_match "naming the line and the field" "$out" "line 1: .*'seq'"

db="$DATA/cradle.db"
stop_server; sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; cp "$db" "$E2E_TMP/clean.db"
restore() { stop_server; cp "$E2E_TMP/clean.db" "$db"; rm -f "$db-wal" "$db-shm"; }

# 1. Truncation behind the exported checkpoint (the issue's done-when).
last=$(sqlite3 "$db" 'SELECT max(seq) FROM audit_log')
sqlite3 "$db" "DELETE FROM audit_log WHERE seq >= $CP2"
start_server
out=$("$CRADLE" audit verify 2>&1); rc=$?
expect_eq "the chain alone still verifies after the truncation" "$rc" 0
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/cp.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
expect_eq "the exported checkpoint detects the truncation (exit 5)" "$rc" 5
expect_match "naming the checkpoint and the missing entries" "$out" \
  "DOES NOT MATCH the checkpoints: checkpoint at seq $CP2: the log ends at entry $((CP2 - 1)): entries $CP2\.\.$CP2 were removed"
restore

# 1b. The same, with the server's own copies of the checkpoints removed too:
# cradled may then sign a new checkpoint over the shortened log (its entry
# takes seq CP2 again), which the exported one still contradicts.
sqlite3 "$db" "DELETE FROM audit_log WHERE seq >= $CP2; DELETE FROM audit_checkpoints;"
start_server
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/cp.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
expect_eq "truncation with the server's checkpoints deleted is detected (exit 5)" "$rc" 5
expect_match "naming the checkpoint" "$out" "DOES NOT MATCH the checkpoints: checkpoint at seq $CP2: .*(were removed|rewritten at or before entry $CP2)"
restore

# 2. A rewrite before the checkpoint with every later hash recomputed: a whole
# chain that the signed hash no longer fits.
python3 - "$db" 2 <<'EOF'
import hashlib, json, sqlite3, sys, datetime
db, seq = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
rows = c.execute("SELECT seq, time, actor_name, actor_role, action, object, details, prev_hash, hash, actor_user "
                 "FROM audit_log ORDER BY seq").fetchall()
prev = None
for r in rows:
    s, t, name, role, action, obj, details, prev_hash, h, user = r
    if s < seq:
        prev = h
        continue
    d = json.loads(details)
    if s == seq:
        d["name"] = "rewritten"
        details = json.dumps(d, sort_keys=True, separators=(",", ":"))
    doc = {"action": action, "actor_name": name, "actor_role": role, "details": d, "object": obj,
           "prev_hash": prev, "seq": s,
           "time": datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if user is not None:
        doc["actor_user"] = user
    h = hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    c.execute("UPDATE audit_log SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?", (details, prev, h, s))
    prev = h
c.commit()
EOF
start_server
out=$("$CRADLE" audit verify 2>&1); rc=$?
expect_eq "the rewritten chain verifies on its own" "$rc" 0
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/cp.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
expect_eq "the checkpoint detects the rewrite before it (exit 5)" "$rc" 5
expect_match "naming the first checkpoint behind it" "$out" "checkpoint at seq $CP1: entry $CP1 hashes to .* the log was rewritten at or before entry $CP1"
restore

# 3. An edit after the last checkpoint without recomputing: the chain says where.
sqlite3 "$db" "UPDATE audit_log SET details = replace(details, 'CP7', 'CPX') WHERE seq = $last"
start_server
out=$("$CRADLE" audit verify --checkpoint "$E2E_TMP/cp.jsonl" --key-fingerprint "$FP" 2>&1); rc=$?
if [[ $last -gt $CP2 ]]; then
  expect_eq "an edit after the checkpoints breaks the chain (exit 5)" "$rc" 5
  expect_match "the chain names the entry" "$out" "BROKEN at entry $last"
  expect_nomatch "the checkpoints still match" "$out" 'DOES NOT MATCH'
else
  tap_skip "an edit after the checkpoints" "no entry after the last checkpoint"
fi
stop_server
finish
