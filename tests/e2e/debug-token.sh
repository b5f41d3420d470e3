#!/usr/bin/env bash
# Debug-authorisation tokens (issue 11 section 4, docs/keys.md "## Debug
# tokens"): a challenge made on a simulated device, a request by an engineer,
# approval by two distinct users (the requester's own approval refused, one
# approver not enough), issuance, `cradle-agent debug verify` accepting it
# once; a replay, a token for a superseded challenge and a token checked
# against another trust anchor are refused, each with its reason.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
approval_on 2
start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
make_csr dbg1 SN-DBG1 && est_enroll dbg1 T1-EU "serial=SN-DBG1&batch=B1"
expect_eq "device SN-DBG1 is enrolled" "$STATUS" 200

# --- people: an engineer asks, two security officers approve -------------------
"$CRADLE" user create --name carol --contact carol@acme.example --role release-manager >/dev/null
"$CRADLE" user create --name alice --contact alice@acme.example --role security-officer >/dev/null
"$CRADLE" user create --name bob --contact bob@acme.example --role security-officer >/dev/null
tok() { "$CRADLE" token create --name "$1" --role "$2" --user "$3" 2>/dev/null; }
CAROL=$(tok carol-laptop release-manager carol)
ALICE=$(tok alice-laptop security-officer alice)
BOB=$(tok bob-laptop security-officer bob)
AUD=$(make_token aud auditor)

# --- the simulated device --------------------------------------------------------
DEV=$E2E_TMP/dev; mkdir -p "$DEV"
echo "f00dfeedcafe0001" >"$DEV/uid"    # the fused chip id, as the kernel would export it
agent_conf() { # agent_conf SERIAL ANCHOR
  cat >"$DEV/agent.conf" <<EOS
[server]
url = $URL
ca = $CA
[identity]
cert = $DEV/unused.pem
key = $DEV/unused.key
[product]
model = T1-EU
hardware_revision = r2
serial = $1
[trust]
image_root = $DEV/unused-root.json
director_root = $DEV/unused-director.json
[state]
dir = $DEV/state
[ab-dir]
dir = $DEV/slots
[debug]
trust_anchor = $2
device_uid_file = $DEV/uid
EOS
}
agent() { "$CRADLE_AGENT" -c "$DEV/agent.conf" "$@"; }

check "cradle debug key writes the trust anchor" "$CRADLE" debug key --out "$DEV/anchor.pem"
expect_match "the anchor is a PEM public key" "$(head -n1 "$DEV/anchor.pem")" "^-----BEGIN PUBLIC KEY-----$"
agent_conf SN-DBG1 "$DEV/anchor.pem"

out=$(agent debug challenge --scope uart-console,root-shell --out "$DEV/c1.bin" 2>&1); rc=$?
expect_eq "cradle-agent debug challenge" "$rc:$out" "0:"
expect_eq "the device keeps the outstanding challenge" "$(cmp -s "$DEV/c1.bin" "$DEV/state/debug-challenge" && echo same)" same
out=$(agent debug challenge --scope telnet 2>&1); rc=$?
expect_match "an unknown scope is refused" "$rc:$out" "^2:.*--scope 'telnet'"

# --- who may ask -----------------------------------------------------------------
out=$(CRADLE_TOKEN=$AUD "$CRADLE" debug request --challenge "$DEV/c1.bin" --justification "FS-1" 2>&1); rc=$?
expect_match "an auditor cannot ask for a debug token" "$rc:$out" "^3:.*role 'auditor' may not"
head -c 20 "$DEV/c1.bin" >"$DEV/short.bin"
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug request --challenge "$DEV/short.bin" --justification "FS-1" 2>&1); rc=$?
expect_match "a truncated challenge is refused" "$rc:$out" "^3:.*challenge: truncated"
(cd "$DEV" && mkdir -p other && cp agent.conf other.conf && sed -i "s/^serial = .*/serial = SN-NOBODY/; s#^dir = .*#dir = $DEV/other#" other.conf &&
  "$CRADLE_AGENT" -c other.conf debug challenge --scope jtag --out nobody.bin)
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug request --challenge "$DEV/nobody.bin" --justification "FS-1" 2>&1); rc=$?
expect_match "a challenge from an unregistered device is refused" "$rc:$out" "^3:.*SN-NOBODY"
api POST /api/v1/debug/requests "$CAROL" "{\"challenge\":\"$(base64 -w0 "$DEV/c1.bin")\",\"justification\":\"\"}"
expect_match "a request without a justification is refused" "$STATUS:$BODY" "^400:.*justification"

# --- the request and its approvals -----------------------------------------------
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug request --challenge "$DEV/c1.bin" --justification "FS-1234 field return, console dead" 2>&1); rc=$?
expect_match "the engineer's request becomes an approval request" "$rc:$out" \
  '^0:approval request [0-9]+ created: debug.issue needs 2 approval'
ID=$(grep -oE 'approval request [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
out=$("$CRADLE" approval show "$ID" --json)
expect_eq "the approvers see the device, scope and challenge hash" \
  "$(jq -r '[.params.serial, .params.uid, .params.scope, .params.challenge_sha256 == $h] | join("|")' \
     --arg h "$(sha256sum "$DEV/c1.bin" | cut -d' ' -f1)" <<<"$out")" "SN-DBG1|f00dfeedcafe0001|uart-console,root-shell|true"
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" approval approve "$ID" 2>&1); rc=$?
expect_match "the requester cannot approve their own request" "$rc:$out" "^3:.*user 'carol' requested debug.issue and cannot approve it"
out=$(CRADLE_TOKEN=$ALICE "$CRADLE" approval approve "$ID" --json); rc=$?
expect_eq "alice approves" "$rc:$(jq -r '.state + "/" + (.approvals|tostring)' <<<"$out")" "0:pending/1"
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug token "$ID" --out "$DEV/t1.bin" 2>&1); rc=$?
expect_match "one approver is not enough: no token yet" "$rc:$out" "^3:.*has issued no debug token"
out=$(CRADLE_TOKEN=$BOB "$CRADLE" approval approve "$ID" --json); rc=$?
expect_eq "bob's approval issues the token" "$rc:$(jq -r '.state + "/" + .result.approvers' <<<"$out")" "0:executed/alice,bob"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" debug token "$ID" --out "$DEV/t1.bin" 2>&1); rc=$?
expect_match "an auditor cannot fetch the token" "$rc:$out" "^3:.*role 'auditor' may not"
check "the engineer fetches the token" env CRADLE_TOKEN="$CAROL" "$CRADLE" debug token "$ID" --out "$DEV/t1.bin"
cp "$DEV/t1.bin" "$DEV/t1-copy.bin"

# --- the device checks it -----------------------------------------------------------
out=$(agent debug verify --token "$DEV/t1.bin" 2>&1); rc=$?
expect_match "cradle-agent debug verify accepts the token" "$rc:$out" \
  "^0:debug token [0-9a-f]{32} valid: scope uart-console,root-shell until .*, approved by alice,bob$"
expect_eq "the outstanding challenge is used up" "$([ -e "$DEV/state/debug-challenge" ] && echo present || echo gone)" gone
out=$(agent debug verify --token "$DEV/t1-copy.bin" 2>&1); rc=$?
expect_match "a replayed token is refused" "$rc:$out" "^1:.*refused: no outstanding challenge on this device \(replayed"

# --- a token for a superseded challenge -----------------------------------------------
agent debug challenge --scope jtag --out "$DEV/c2.bin"
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug request --challenge "$DEV/c2.bin" --justification "FS-1235" 2>&1)
ID2=$(grep -oE 'approval request [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
CRADLE_TOKEN=$ALICE "$CRADLE" approval approve "$ID2" >/dev/null
CRADLE_TOKEN=$BOB "$CRADLE" approval approve "$ID2" >/dev/null
CRADLE_TOKEN=$CAROL "$CRADLE" debug token "$ID2" --out "$DEV/t2.bin" >/dev/null 2>&1
agent debug challenge --scope jtag --out "$DEV/c3.bin"    # the device asked again: c2 is forgotten
out=$(agent debug verify --token "$DEV/t2.bin" 2>&1); rc=$?
expect_match "a token for a superseded challenge is refused" "$rc:$out" "^1:.*refused: issued for another challenge"

# --- another trust anchor ---------------------------------------------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout -out "$DEV/other-anchor.pem"
agent_conf SN-DBG1 "$DEV/other-anchor.pem"
agent debug challenge --scope jtag --out "$DEV/c4.bin"
out=$(agent debug verify --token "$DEV/t2.bin" 2>&1); rc=$?
expect_match "a token signed by a key the device does not trust is refused" "$rc:$out" \
  "^1:.*refused: signed by another key than the device's trust anchor"
expect_eq "the refused attempt used up the challenge as well" \
  "$([ -e "$DEV/state/debug-challenge" ] && echo present || echo gone)" gone

# --- a decommissioned device gets no token --------------------------------------------------
make_csr dbg2 SN-DBG2 && est_enroll dbg2 T1-EU "serial=SN-DBG2&batch=B1"
(cd "$DEV" && sed "s/^serial = .*/serial = SN-DBG2/; s#^dir = $DEV/state#dir = $DEV/dbg2#" agent.conf >dbg2.conf &&
  "$CRADLE_AGENT" -c dbg2.conf debug challenge --scope jtag --out dbg2.bin)
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug request --challenge "$DEV/dbg2.bin" --justification "FS-2000" 2>&1)
ID6=$(grep -oE 'approval request [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
check "cradle device decommission SN-DBG2" "$CRADLE" device decommission SN-DBG2
CRADLE_TOKEN=$ALICE "$CRADLE" approval approve "$ID6" >/dev/null
out=$(CRADLE_TOKEN=$BOB "$CRADLE" approval approve "$ID6" 2>&1); rc=$?
expect_match "a device decommissioned while the request waited gets no token" "$rc:$out" \
  "^3:.*device 'SN-DBG2' is decommissioned"
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug request --challenge "$DEV/dbg2.bin" --justification "FS-2001" 2>&1); rc=$?
expect_match "a decommissioned device's challenge is refused at once" "$rc:$out" "^3:.*device 'SN-DBG2' is decommissioned"

# --- traceability ---------------------------------------------------------------------------
out=$("$CRADLE" debug list --device SN-DBG1 --json)
expect_eq "every token of the device is listed with requester and approvers" \
  "$(jq -r '[.items[] | .scope + "/" + .requester + "/" + .approvers] | join(" ")' <<<"$out")" \
  "jtag/carol/alice,bob uart-console,root-shell/carol/alice,bob"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" debug list --device SN-DBG1)
expect_match "auditors read the list" "$out" "SN-DBG1"
out=$("$CRADLE" audit list --object "device:SN-DBG1" --json)
expect_eq "each issuance is audited" "$(jq -r '[.items[] | select(.action == "debug.issue")] | length' <<<"$out")" 2
db="$DATA/cradle.db"
expect_eq "the debug-auth key is in the key registry, active, stored as a file" \
  "$(sqlite3 "$db" "SELECT state || '/' || storage FROM keys WHERE class = 'debug-auth'")" "active/file"
expect_eq "the registry's fingerprint is the token's key id" \
  "$(sqlite3 "$db" "SELECT fingerprint FROM keys WHERE class = 'debug-auth'")" \
  "$(jq -r '.items[0].key_fingerprint' <<<"$("$CRADLE" debug list --json)")"
expect_eq "each issuance is a recorded use of the key" \
  "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'key.use' AND details LIKE '%debug token%'")" 2

# --- a compromised debug-auth key signs nothing ---------------------------------------
sqlite3 "$db" "UPDATE keys SET state = 'compromised' WHERE class = 'debug-auth'"
agent_conf SN-DBG1 "$DEV/anchor.pem"
agent debug challenge --scope jtag --out "$DEV/c5.bin"
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug request --challenge "$DEV/c5.bin" --justification "FS-1236" 2>&1)
ID5=$(grep -oE 'approval request [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
CRADLE_TOKEN=$ALICE "$CRADLE" approval approve "$ID5" >/dev/null
out=$(CRADLE_TOKEN=$BOB "$CRADLE" approval approve "$ID5" 2>&1); rc=$?
expect_match "a key the registry holds compromised issues no token" "$rc:$out" \
  "^3:.*debug-auth key [0-9a-f]{64} is compromised in the key registry"
expect_eq "nothing was issued" "$(jq -r '.items | length' <<<"$("$CRADLE" debug list --device SN-DBG1 --json)")" 2

# --- the runbook: a new debug-auth key, on a PKCS#11 token (SoftHSM2) -----------------------
export SOFTHSM2_CONF=$E2E_TMP/softhsm2.conf
mkdir -p "$E2E_TMP/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$E2E_TMP/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label e2e-debug --so-pin 11223344 --pin 73519 >/dev/null
export CRADLE_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so CRADLE_PKCS11_PIN=73519
stop_server
sed -i '/^\[debug\]/,/^\[/ s|^key = .*|key = pkcs11:token=e2e-debug;object=debug-auth|' "$DATA/cradled.conf"
start_server || { tap_fail "cradled restarts with a PKCS#11 debug-auth key"; finish; exit 1; }
check "the new key is generated on the token" "$CRADLE" debug key --out "$DEV/anchor-hsm.pem"
expect_eq "the token holds it, not extractable" \
  "$(GNUTLS_PIN=$CRADLE_PKCS11_PIN p11tool --provider "$CRADLE_PKCS11_MODULE" --login --list-privkeys \
       "pkcs11:token=e2e-debug" 2>/dev/null | grep -cE 'Label: debug-auth$|Flags:.*CKA_NEVER_EXTRACTABLE; CKA_SENSITIVE')" 2
expect_eq "the registry holds the new key as pkcs11, the old one compromised" \
  "$(sqlite3 "$db" "SELECT group_concat(state || '/' || storage, ' ') FROM (SELECT * FROM keys WHERE class = 'debug-auth' ORDER BY id)")" \
  "compromised/file active/pkcs11"
agent_conf SN-DBG1 "$DEV/anchor-hsm.pem"
agent debug challenge --scope factory-unlock --out "$DEV/c7.bin"
out=$(CRADLE_TOKEN=$CAROL "$CRADLE" debug request --challenge "$DEV/c7.bin" --justification "FS-3000 rework" 2>&1)
ID7=$(grep -oE 'approval request [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
CRADLE_TOKEN=$ALICE "$CRADLE" approval approve "$ID7" >/dev/null
CRADLE_TOKEN=$BOB "$CRADLE" approval approve "$ID7" >/dev/null
CRADLE_TOKEN=$CAROL "$CRADLE" debug token "$ID7" --out "$DEV/t7.bin" >/dev/null 2>&1
out=$(agent debug verify --token "$DEV/t7.bin" 2>&1); rc=$?
expect_match "a token signed on the HSM is accepted by a device with the new anchor" "$rc:$out" \
  "^0:debug token [0-9a-f]{32} valid: scope factory-unlock until .*, approved by alice,bob$"
check "the audit chain verifies" "$CRADLE" audit verify

stop_server
finish
