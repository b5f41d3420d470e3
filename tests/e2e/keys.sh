#!/usr/bin/env bash
# The key registry (issue 11 section 2) after a fresh deployment's identity
# and OTA flows: cradled init, an offline root and a device CA, EST
# enrollment, a batch migration key, a TUF image repository with a published
# release, and the director's key ceremony. `cradle key list --json` must show
# every key exactly once, with its owner, state and rotation due, under a
# fingerprint computed here independently with openssl from the real key or
# certificate. Then: the registry is rebuilt by a restart when its rows are
# gone (the startup registration of a database from before the registry),
# usage is counted, the roles are enforced, states only move as the table
# allows, a compromise raises a critical event and prints the runbook, and
# rotation due dates follow [keys] rotate.<class>.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
ota_setup || { tap_fail "ota setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN
openssl genpkey -algorithm ED25519 -out "$OTA/droot.key" 2>/dev/null && chmod 600 "$OTA/droot.key"
"$CRADLE" director init --root-key "$OTA/droot.key" --root-threshold 1 --out "$OTA/director-root.json" >/dev/null 2>&1 \
  || { tap_fail "director init"; finish; exit 1; }
make_csr D1 D1 && est_enroll D1 T1-EU "serial=D1&batch=B1"
expect_eq "a device enrolls over EST" "$STATUS" 200
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$E2E_TMP/mkey.hex"; echo >>"$E2E_TMP/mkey.hex"
chmod 600 "$E2E_TMP/mkey.hex"
BATCH_ID=$(api GET "/api/v1/batches?product=T1-EU" "$ADMIN_TOKEN"; jqr '.items[0].id')
check "the batch gets a migration key" "$CRADLE" batch set-migration-key "$BATCH_ID" --key-file "$E2E_TMP/mkey.hex"

# --- fingerprints, independently ---------------------------------------------------
fp_key() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1; }
fp_cert() { openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1; }
# The migration key has no public part: the documented identifier is the
# SHA-256 of "cradle key registry: migration key id\n" followed by the 32 bytes.
fp_mkey() { { printf 'cradle key registry: migration key id\n'; tr -d '\n' <"$1" | xxd -r -p; } | sha256sum | cut -d' ' -f1; }
ONLINE_REFS=$(sqlite3 "$DATA/cradle.db" "SELECT key_ref FROM repo_online_keys WHERE status = 'current' ORDER BY role")
# The online and director key files are sealed under the KEK (docs/keys.md
# "Secrets at rest"): their public part comes from the server's TUF key JSON
# (Ed25519, hex), made into the SubjectPublicKeyInfo DER here.
fp_ed25519_hex() { printf '302a300506032b6570032100%s' "$1" | xxd -r -p | sha256sum | cut -d' ' -f1; }
api GET /api/v1/director/online-keys "$ADMIN_TOKEN"; DIRECTOR_PUB=$(jqr .targets.key.keyval.public)
api GET /api/v1/repos/T1-EU/online-keys "$ADMIN_TOKEN"; ONLINE_JSON=$BODY
KEK_FP=$(grep -oE 'KEK [0-9a-f]{32} loaded' "$LOG" | tail -n1 | cut -d' ' -f2)
declare -A WANT=(
  [tls:$(fp_cert "$DATA/tls/ca.pem")]="local TLS CA"
  [tls:$(fp_cert "$DATA/tls/server.pem")]="TLS server key"
  [root-ca:$(fp_cert "$PKI/root.pem")]="offline root CA"
  [device-ca:$(fp_cert "$PKI/ca.pem")]="device CA t1-ca"
  [tuf-root:$(fp_key "$OTA/root.key")]="TUF root key"
  [firmware-signing:$(fp_key "$OTA/t1.key")]="targets key t1"
  [firmware-signing:$(fp_key "$OTA/t2.key")]="targets key t2"
  [firmware-signing:$(fp_key "$OTA/t3.key")]="targets key t3"
  [director:$(fp_key "$OTA/droot.key")]="director root key"
  [director:$(fp_ed25519_hex "$DIRECTOR_PUB")]="director online key"
  [kek:$KEK_FP]="the KEK"
  [migration:$(fp_mkey "$E2E_TMP/mkey.hex")]="batch B1 migration key"
)
for role in snapshot timestamp; do
  WANT[tuf-online:$(fp_ed25519_hex "$(jq -r --arg r $role '.[$r].key.keyval.public' <<<"$ONLINE_JSON")")]="online key $role"
done
expect_eq "two online keys (snapshot, timestamp) are on disk" "$(grep -c . <<<"$ONLINE_REFS")" 2

list=$("$CRADLE" key list --json)
expect_eq "the registry has exactly the ${#WANT[@]} expected keys" "$(jq '.items | length' <<<"$list")" "${#WANT[@]}"
for k in "${!WANT[@]}"; do
  class=${k%%:*} fp=${k#*:}
  n=$(jq --arg c "$class" --arg f "$fp" '[.items[] | select(.class == $c and .fingerprint == $f)] | length' <<<"$list")
  expect_eq "${WANT[$k]} ($class) is listed once under its openssl fingerprint" "$n" 1
done
expect_eq "every key has an owner (the first admin)" "$(jq -r '[.items[].owner] | unique | join(",")' <<<"$list")" admin
expect_eq "every key is active" "$(jq -r '[.items[].state] | unique | join(",")' <<<"$list")" active
expect_eq "every key has a rotation due date" "$(jq '[.items[] | select(.rotation.due_at == null)] | length' <<<"$list")" 0
expect_eq "the targets keys carry their TUF keyids" \
  "$(jq '[.items[] | select(.class == "firmware-signing" and (.tuf_keyid | test("^[0-9a-f]{64}$")))] | length' <<<"$list")" 3
expect_eq "the device CA is linked to its product and stored as a file" \
  "$(jq -r '.items[] | select(.class == "device-ca") | "\(.products | join(",")) \(.storage)"' <<<"$list")" "T1-EU file"
expect_eq "the offline keys have no reference" \
  "$(jq -r '[.items[] | select(.storage == "offline" and .ref != null)] | length' <<<"$list")" 0
expect_nomatch "no secret of the migration key in the list" "$list" "$(tr -d '\n' <"$E2E_TMP/mkey.hex")"
text=$("$CRADLE" key list)
expect_match "the table shows class, state and owner" "$text" 'device-ca +active +admin'

# --- usage ----------------------------------------------------------------------------
CA_FP=$(fp_cert "$PKI/ca.pem")
show=$("$CRADLE" key show "${CA_FP:0:16}" --json)
expect_eq "the device CA counted its EST issuance" \
  "$(jq '[.usage[] | select(.what == "cert.issue.birth") | .count] | add' <<<"$show")" 1
expect_eq "the CRL signature of the install is a key.use audit entry" \
  "$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM audit_log WHERE action = 'key.use' AND details LIKE '%crl.sign: CRL 1 of device CA%'")" 1
check "release 1.0.0 is assigned to D1" "$CRADLE" device assign --release "$REL_ID" --device D1
mtls GET /device/v1/director/targets.json D1
expect_eq "the device gets its director targets" "$STATUS" 200
mtls GET /device/v1/director/targets.json D1
DON_FP=$(fp_ed25519_hex "$DIRECTOR_PUB")
show=$("$CRADLE" key show "$DON_FP" --json)
expect_eq "director signatures are counted per day, not per poll (one row)" \
  "$(jq '[.usage[] | select(.what == "director.targets")] | length' <<<"$show")" 1
expect_match "and the count is at least one" "$(jq '[.usage[] | select(.what == "director.targets") | .count] | add' <<<"$show")" '^[1-9]'

# --- a database from before the registry: the start registers every key ---------------
before=$(jq -c '[.items[] | [.class, .fingerprint]] | sort' <<<"$list")
stop_server
sqlite3 "$DATA/cradle.db" "DELETE FROM key_usage; DELETE FROM key_custodians; DELETE FROM key_products; DELETE FROM keys;"
start_server || { tap_fail "server restarts"; finish; exit 1; }
after=$("$CRADLE" key list --json | jq -c '[.items[] | [.class, .fingerprint]] | sort')
expect_eq "a restart registers every key again from the database and the files" "$after" "$before"
stop_server; start_server || { tap_fail "server restarts"; finish; exit 1; }
expect_eq "and another restart changes nothing (idempotent)" \
  "$("$CRADLE" key list --json | jq -c '[.items[] | [.class, .fingerprint]] | sort')" "$before"
n_reg=$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM audit_log WHERE action = 'key.register'")
stop_server; start_server || { tap_fail "server restarts"; finish; exit 1; }
expect_eq "no key.register entry on a restart that finds nothing new" \
  "$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM audit_log WHERE action = 'key.register'")" "$n_reg"

# --- roles (checked in the route table only) --------------------------------------------
AUD=$(make_token aud-1 auditor); SO=$(make_token so-1 security-officer)
RM=$(make_token rm-1 release-manager); FAC=$(make_token fac-1 factory)
api GET /api/v1/keys "$AUD"; expect_eq "an auditor reads the registry" "$STATUS" 200
api GET /api/v1/keys "$FAC"; expect_eq "a factory token does not (403)" "$STATUS" 403
api GET /api/v1/keys "$RM"; expect_eq "a release manager does not (403)" "$STATUS" 403
api PUT "/api/v1/keys/$CA_FP/owner" "$AUD" '{"user":"aud-1"}'
expect_eq "an auditor cannot set an owner (403)" "$STATUS" 403
api POST "/api/v1/keys/$CA_FP/compromised" "$AUD" '{"reason":"x"}'
expect_eq "an auditor cannot report a compromise (403)" "$STATUS" 403
api POST "/api/v1/keys/$CA_FP/state" "$RM" '{"state":"retired"}'
expect_eq "a release manager cannot retire a key (403)" "$STATUS" 403
api PUT "/api/v1/keys/$CA_FP/owner" "$SO" '{"user":"so-1"}'
expect_eq "a security officer sets the owner" "$STATUS" 200
expect_eq "the owner is the security officer's user" "$(jqr .owner)" so-1
out=$("$CRADLE" key set-owner "$CA_FP" nobody 2>&1); rc=$?
expect_eq "an unknown owner is refused (exit 3)" "$rc" 3
expect_match "naming the user" "$out" "no user named 'nobody'"
check "a custodian is added" "$CRADLE" key custodian "$CA_FP" --add aud-1
expect_eq "and shown" "$("$CRADLE" key show "$CA_FP" --json | jq -r '.custodians | join(",")')" aud-1

# --- states -----------------------------------------------------------------------------
T3_FP=$(fp_key "$OTA/t3.key")
out=$("$CRADLE" key retire "$T3_FP" --graceful --reason "t3 leaves the signers" --json); rc=$?
expect_eq "an active key becomes retiring" "$rc $(jq -r .state <<<"$out")" "0 retiring"
out=$("$CRADLE" key retire "$T3_FP" --json); rc=$?
expect_eq "then retired" "$rc $(jq -r .state <<<"$out")" "0 retired"
out=$("$CRADLE" key retire "$T3_FP" 2>&1); rc=$?
expect_eq "retired again is refused (exit 3)" "$rc" 3
expect_match "naming both states" "$out" 'is retired: it cannot become retired'
api POST "/api/v1/keys/$T3_FP/state" "$ADMIN_TOKEN" '{"state":"active"}'
expect_eq "a retired key never becomes active again (409)" "$STATUS" 409
api POST "/api/v1/keys/$T3_FP/state" "$ADMIN_TOKEN" '{"state":"compromised"}'
expect_eq "compromise is not a plain state change (400)" "$STATUS" 400
api POST "/api/v1/keys/$T3_FP/state" "$ADMIN_TOKEN" '{"state":"destroyed"}'
expect_eq "a retired key can be destroyed" "$STATUS $(jqr .state)" "200 destroyed"

# --- compromise --------------------------------------------------------------------------
out=$(CRADLE_TOKEN=$SO "$CRADLE" key compromised "${CA_FP:0:12}" 2>&1); rc=$?
expect_eq "compromised without --reason is a usage error (exit 2)" "$rc" 2
out=$(CRADLE_TOKEN=$SO "$CRADLE" key compromised "${CA_FP:0:12}" --reason "CA key file copied off the server"); rc=$?
expect_eq "a security officer reports the device CA compromised" "$rc" 0
expect_match "it says what must be done: revoke and re-enroll" "$out" 'Re-enroll the devices it certified'
expect_match "and links the runbook" "$out" 'Runbook: docs/keys.md#compromised-device-ca-key'
expect_eq "the key is compromised" "$("$CRADLE" key show "$CA_FP" --json | jq -r .state)" compromised
api GET "/api/v1/security-events?kind=key.compromised" "$ADMIN_TOKEN"
expect_eq "a critical security event was raised" "$(jqr '[.items[] | select(.severity == "critical")] | length')" 1
expect_match "naming the product and the reason" "$(jqr '.items[0].details | tojson')" 'T1-EU.*|.*CA key file copied'
grep -q '^### Compromised device-ca key' "${CRADLE_SOURCE_ROOT:-.}/docs/keys.md"
expect_eq "the runbook section exists in docs/keys.md" "$?" 0
out=$(CRADLE_TOKEN=$SO "$CRADLE" key compromised "$CA_FP" --reason again 2>&1); rc=$?
expect_eq "a compromised key cannot be reported twice (exit 3)" "$rc" 3

# --- rotation policy --------------------------------------------------------------------
out=$("$CRADLE" key rotate-due --json)
expect_eq "nothing is due within 30 days on a fresh deployment" "$(jq '.items | length' <<<"$out")" 0
stop_server
sed -i 's/^rotate\.tuf-online = .*/rotate.tuf-online = 1s/' "$DATA/cradled.conf"
start_server || { tap_fail "server restarts with [keys]"; finish; exit 1; }
sleep 2
out=$("$CRADLE" key rotate-due --due-within 1h --json 2>&1)
expect_eq "with rotate.tuf-online = 1s both online keys are due" \
  "$(jq -r '([.items[].class] | unique | join(",")) + " " + (.items | length | tostring)' <<<"$out")" "tuf-online 2"
expect_eq "and overdue" "$(jq '[.items[] | select(.rotation.overdue)] | length' <<<"$out")" 2
metrics=$(curl -fsS --cacert "$CA" "$URL/metrics")
expect_match "/metrics: keys past rotation" "$metrics" $'(^|\n)cradle_keys_past_rotation 2($|\n)'
expect_match "/metrics: keys by state" "$metrics" 'cradle_keys\{state="compromised"\} 1'
out=$("$CRADLE" key list --due-within 0d 2>&1); rc=$?
expect_eq "--due-within 0d is a usage error (exit 2)" "$rc" 2

finish
