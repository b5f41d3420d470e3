#!/usr/bin/env bash
# People and M-of-N approvals (issue 11, docs/keys.md): two real users approve
# the retirement of a device CA through the CLI; the requester, a second token
# of a user who already voted, a role the policy does not name, a second run,
# and a policy change without approval are refused.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
approval_on 2
start_server || { tap_fail "server starts"; finish; exit 1; }
identity_setup || { tap_fail "identity setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

# --- users -------------------------------------------------------------------
check "cradle user create (two roles)" "$CRADLE" user create --name alice --contact alice@acme.example \
  --role admin --role security-officer
check "cradle user create" "$CRADLE" user create --name bob --contact bob@acme.example --role security-officer
tok() { "$CRADLE" token create --name "$1" --role "$2" --user "$3" 2>/dev/null; }
ALICE=$(tok alice-laptop security-officer alice)
ALICE2=$(tok alice-admin admin alice)
BOB=$(tok bob-laptop security-officer bob)
AUD=$(make_token aud auditor)
out=$("$CRADLE" token create --name eve --role admin --user bob 2>&1); rc=$?
expect_match "a token with a role its user does not hold is refused" "$rc:$out" "^3:.*does not hold role 'admin'"
out=$(CRADLE_TOKEN=$ALICE "$CRADLE" whoami --json)
expect_eq "whoami names the user behind the token" "$(jq -r '.user + "/" + .name + "/" + .role' <<<"$out")" \
  "alice/alice-laptop/security-officer"
out=$("$CRADLE" user show alice --json)
expect_eq "user show lists the user's tokens" "$(jq -r '.tokens | join(",")' <<<"$out")" "alice-laptop,alice-admin"
out=$("$CRADLE" user list)
expect_match "user list shows the migrated init token's user" "$out" 'admin'

# --- a device CA retirement needs two other users ----------------------------
"$CRADLE" ca create --product T1-EU --name t1-ca-2 --out-csr "$PKI/ca2.csr" >/dev/null
"$CRADLE" pki sign-intermediate --root-key "$PKI/root.key" --root-cert "$PKI/root.pem" --csr "$PKI/ca2.csr" \
  --out "$PKI/ca2.pem" >/dev/null
out=$("$CRADLE" ca install t1-ca-2 --cert "$PKI/ca2.pem" --chain "$PKI/root.pem" --justification "OPS-42 yearly rotation" 2>&1); rc=$?
expect_match "installing a CA that retires the active one creates an approval request" "$rc:$out" \
  '^0:approval request [0-9]+ created: device-ca.retire needs 2 approval'
ID=$(grep -oE 'approval request [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
ca_status() { "$CRADLE" ca list --json | jq -r ".items[] | select(.name == \"$1\") | .status"; }
expect_eq "the active CA stays active while the request is pending" "$(ca_status t1-ca)" active
out=$("$CRADLE" approval show "$ID" --json)
expect_eq "the request records operation, requester and justification" \
  "$(jq -r '[.operation, .requester.user, .justification, .state] | join("|")' <<<"$out")" \
  "device-ca.retire|admin|OPS-42 yearly rotation|pending"
expect_eq "the request holds the exact parameters and their SHA-256" \
  "$(jq -r '(.params.certificate == $c) and (.params.name == "t1-ca-2") and (.params_sha256 | test("^[0-9a-f]{64}$"))' \
     --rawfile c "$PKI/ca2.pem" <<<"$out")" true

out=$("$CRADLE" approval approve "$ID" 2>&1); rc=$?
expect_match "the requester cannot approve" "$rc:$out" "^3:.*user 'admin' requested device-ca.retire and cannot approve it"
out=$(CRADLE_TOKEN=$AUD "$CRADLE" approval approve "$ID" 2>&1); rc=$?
expect_match "an auditor cannot approve" "$rc:$out" "^3:.*role 'auditor' may not"
out=$(CRADLE_TOKEN=$ALICE "$CRADLE" approval approve "$ID" --comment "checked the CSR" --json); rc=$?
expect_eq "alice approves" "$rc:$(jq -r '.state + "/" + (.approvals|tostring)' <<<"$out")" "0:pending/1"
expect_eq "one approval where two are needed runs nothing" "$(ca_status t1-ca)" active
out=$(CRADLE_TOKEN=$ALICE2 "$CRADLE" approval approve "$ID" 2>&1); rc=$?
expect_match "alice's second token does not count twice" "$rc:$out" "^3:.*user 'alice' already voted"
out=$(CRADLE_TOKEN=$BOB "$CRADLE" approval approve "$ID" --json); rc=$?
expect_eq "bob's approval runs the operation" "$rc:$(jq -r .state <<<"$out")" "0:executed"
expect_eq "the old CA is retired" "$(ca_status t1-ca)" retired
expect_eq "the new CA is active" "$(ca_status t1-ca-2)" active
out=$(CRADLE_TOKEN=$BOB "$CRADLE" approval approve "$ID" 2>&1); rc=$?
expect_match "an executed request does not run again" "$rc:$out" "^3:.*is executed, not pending"
out=$("$CRADLE" approval list --state executed)
expect_match "approval list shows it" "$out" "device-ca.retire"

out=$("$CRADLE" audit list --object "approval:$ID" --json)
expect_eq "each vote is audited with its user" \
  "$(jq -r '[.items[] | select(.action == "approval.approve") | .actor_user] | join(",")' <<<"$out")" "alice,bob"
check "the audit chain (entries with and without users) verifies" "$CRADLE" audit verify

# --- policy changes are governed -----------------------------------------------
out=$("$CRADLE" approval policy set image.delete --approvers 0 --roles admin 2>&1); rc=$?
expect_match "changing a policy creates a request" "$rc:$out" '^0:approval request [0-9]+ created: approval.policy-set'
PID=$(grep -oE 'approval request [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
out=$("$CRADLE" approval policy list --json)
expect_eq "the policy is unchanged until approved" \
  "$(jq -r '.items[] | select(.operation == "image.delete") | .approvers' <<<"$out")" 2
out=$(CRADLE_TOKEN=$BOB "$CRADLE" approval reject "$PID" --comment "not now")
expect_match "one rejection closes it" "$out" 'rejected'
out=$("$CRADLE" approval policy list --json)
expect_eq "a rejected policy change changes nothing" \
  "$(jq -r '.items[] | select(.operation == "image.delete") | .approvers' <<<"$out")" 2

# --- a user who is disabled or loses a role ------------------------------------
check "cradle user remove-role" "$CRADLE" user remove-role alice security-officer
out=$(CRADLE_TOKEN=$ALICE "$CRADLE" whoami 2>&1); rc=$?
expect_match "a token whose user lost its role stops working" "$rc:$out" "^3:.*no longer holds role 'security-officer'"
check "cradle user disable" "$CRADLE" user disable alice
out=$(CRADLE_TOKEN=$ALICE2 "$CRADLE" whoami 2>&1); rc=$?
expect_match "a disabled user's tokens stop working" "$rc:$out" "^3:.*is disabled"

stop_server
finish
