#!/usr/bin/env bash
# Secrets at rest (issue 11 section 6, docs/keys.md "Secrets at rest"): a copy
# of the database and the data directory gives none of the secrets cradled
# keeps (batch migration keys, TUF online keys, the director's online key,
# device CA keys), in raw bytes, hex or base64; an existing deployment's clear
# secrets are sealed at the first start with a KEK; the server still works
# after restarts with it; the wrong KEK is refused with a clear error.
source "$(dirname "$0")/lib.sh"

KEKDIR=$E2E_TMP/kek; mkdir -p "$KEKDIR"; chmod 700 "$KEKDIR"
set_kek() { sed -i "s|^ref = .*\$|ref = $1|" "$DATA/cradled.conf"; }  # [kek] ref is the only 'ref' key

# --- 1. a deployment from before secrets at rest: no KEK ---------------------------
init_server || { tap_fail "init"; finish; exit 1; }
expect_eq "cradled init makes a KEK file, mode 0600" "$(stat -c %a "$DATA/kek.key")" 600
# The KEK goes outside the data directory, as docs/keys.md says; first the server runs without one.
mv "$DATA/kek.key" "$KEKDIR/kek.key"
set_kek ""
start_server || { tap_fail "server starts without a KEK"; finish; exit 1; }
expect_match "without a KEK, cradled warns at start" "$(cat "$LOG")" 'no KEK configured'
ota_setup || { tap_fail "OTA setup"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

batch_key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$batch_key" >"$E2E_TMP/batch.key"; chmod 600 "$E2E_TMP/batch.key"
bid=$("$CRADLE" batch list --json | jq -r '.items[] | select(.name == "B1") | .id')
out=$("$CRADLE" batch set-migration-key "$bid" --key-file "$E2E_TMP/batch.key" 2>&1); rc=$?
expect_eq "without a KEK, a new migration key is refused (409)" "$rc" 3
expect_match "... saying why" "$out" 'no KEK is configured'
api GET /api/v1/director/online-keys "$ADMIN_TOKEN"
expect_eq "the director's online key is generated (a plain file, no KEK yet)" "$STATUS" 200
director_keyid=$(jqr .targets.keyid)
stop_server
# A database from before secrets at rest held the key as hex.
sqlite3 "$DATA/cradle.db" "UPDATE batches SET migration_key = '$batch_key' WHERE id = $bid"

# What the test knows of each secret: the batch key, and every private key file
# in the data directory while it is still in clear (its PKCS#8 DER and, for the
# curve keys, the private scalar). Lines "name hex".
SECRETS=$E2E_TMP/secrets.txt
printf 'batch-key %s\n' "$batch_key" >"$SECRETS"
mapfile -t KEYFILES < <(cd "$DATA" && find repo-keys director-keys pki -name '*.key' -type f 2>/dev/null | sort)
for f in "${KEYFILES[@]}"; do
  der=$(openssl pkey -in "$DATA/$f" -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
  [[ -n "$der" ]] || { tap_fail "key file $f is readable as a key"; continue; }
  printf '%s %s\n' "$f:der" "$der" >>"$SECRETS"
  # The private part: the last 32 bytes of an Ed25519 PKCS#8, the 'priv' of an EC key.
  priv=$(openssl pkey -in "$DATA/$f" -text -noout 2>/dev/null | awk '/^priv:/{p=1;next} /^[a-zA-Z]/{p=0} p' | tr -d ' :\n')
  [[ ${#priv} -ge 64 ]] && printf '%s %s\n' "$f:priv" "${priv: -64}" >>"$SECRETS"
done
expect_eq "the legacy deployment has online, director and device CA key files" \
  "$(printf '%s\n' "${KEYFILES[@]}" | sed 's|/.*||' | sort -u | tr '\n' ' ')" "director-keys pki repo-keys "

# --- 2. the first start with a KEK seals them ----------------------------------------
set_kek "$KEKDIR/kek.key"
start_server || { tap_fail "server starts with the KEK"; finish; exit 1; }
expect_match "the start seals the legacy secrets" "$(cat "$LOG")" "sealed under the KEK: 1 migration key\\(s\\), ${#KEYFILES[@]} key file\\(s\\)"
expect_eq "... the batch key row is sealed" "$(sqlite3 "$DATA/cradle.db" "SELECT substr(migration_key, 1, 5) FROM batches WHERE id = $bid")" "kek1:"
sealed=0; for f in "${KEYFILES[@]}"; do [[ $(head -c 5 "$DATA/$f") == kek1: ]] && sealed=$((sealed + 1)); done
expect_eq "... every key file is sealed" "$sealed" "${#KEYFILES[@]}"
expect_eq "... each audited" "$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM audit_log WHERE action IN ('batch.migration-key.sealed', 'secret.key-file.sealed')")" "$((1 + ${#KEYFILES[@]}))"
kek_fp=$(grep -oE 'KEK [0-9a-f]{32} loaded' "$LOG" | tail -n1 | cut -d' ' -f2)
expect_eq "the KEK is in the key registry (class kek, by its fingerprint, its file as ref)" \
  "$(sqlite3 "$DATA/cradle.db" "SELECT fingerprint || ' ' || storage || ' ' || ref FROM keys WHERE class = 'kek'")" "$kek_fp file $KEKDIR/kek.key"
stop_server; start_server || { tap_fail "restart"; finish; exit 1; }
expect_eq "a second start seals nothing more (idempotent)" "$(sqlite3 "$DATA/cradle.db" "SELECT count(*) FROM audit_log WHERE action IN ('batch.migration-key.sealed', 'secret.key-file.sealed')")" "$((1 + ${#KEYFILES[@]}))"

# New secrets made with the KEK: a second batch key, a second pair of online keys.
"$CRADLE" batch create --product T1-EU --name B2 --hardware-revision r2 --production-date 2026-11-02 --firmware 1.0.0 >/dev/null
bid2=$("$CRADLE" batch list --json | jq -r '.items[] | select(.name == "B2") | .id')
batch_key2=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$batch_key2" >"$E2E_TMP/batch2.key"; chmod 600 "$E2E_TMP/batch2.key"
check "with the KEK, a new migration key is taken" "$CRADLE" batch set-migration-key "$bid2" --key-file "$E2E_TMP/batch2.key"
printf 'batch-key-2 %s\n' "$batch_key2" >>"$SECRETS"
check "a next pair of online keys is generated" "$CRADLE" repo online-keys --product T1-EU --next
new_plain=$(cd "$DATA" && find repo-keys director-keys pki -name '*.key' -type f -exec sh -c 'head -c 5 "$1" | grep -qx kek1: || echo "$1"' _ {} \;)
expect_eq "every key file the server writes with a KEK is sealed" "$new_plain" ""

# --- 3. the server still works on sealed secrets ----------------------------------------
ota_publish 1.0.1 2 || tap_fail "publish"
expect_match "a release is published (snapshot and timestamp signed with the sealed online keys)" \
  "$(curl -sS --cacert "$CA" "$OTA_REPO_URL/timestamp.json" | jq '.signed.meta["snapshot.json"].version >= 2')" '^true$'
api GET /api/v1/director/online-keys "$ADMIN_TOKEN"
expect_eq "the director's sealed online key loads, the same key" "$STATUS $(jqr .targets.keyid)" "200 $director_keyid"
make_csr d1 SAR-0001 && est_enroll d1 T1-EU "serial=SAR-0001&batch=B1"
expect_eq "a device enrolls (the device CA's sealed key signs)" "$STATUS" 200
printf 'legacy-fleet-password\n' >"$E2E_TMP/shared.cred"; chmod 600 "$E2E_TMP/shared.cred"
check "a migration window opens" "$CRADLE" migration open --product T1-EU --credential-file "$E2E_TMP/shared.cred"
claim() { # claim SERIAL CSR-NAME HEXKEY
  local sec body
  sec=$(printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$3" | awk '{print $NF}')
  body=$(jq -cn --arg s "$1" --arg d "$sec" --arg r "$(tr -d '\n' <"$PKI/$2.csr.b64")" \
    '{product:"T1-EU", serial:$s, batch:"B1", shared_credential:"legacy-fleet-password", device_secret:$d, csr:$r}')
  STATUS=$(curl -sS --cacert "$CA" -H 'Content-Type: application/json' --data-binary "$body" -o "$E2E_TMP/body" \
    -w '%{http_code}' "$URL/device/v1/claim")
}
make_csr m1 SAR-LEG-1 && claim SAR-LEG-1 m1 "$batch_key"
expect_eq "a legacy device claims with the sealed batch key" "$STATUS" 200
stop_server

# --- 4. a copy of the database and the data directory holds none of them --------------
# search_secret HEX DIR: the files under DIR holding the secret's bytes raw, its
# hex (either case) or its base64 (a 40-character stretch, so line breaks and
# padding do not hide it).
hex_to_bin() { printf '%b' "$(sed 's/../\\x&/g' <<<"$1")"; }
search_secret() {
  local hex=$1 dir=$2 b64 f
  b64=$(hex_to_bin "$hex" | base64 -w0); b64=${b64:0:40}
  while IFS= read -r -d '' f; do
    if grep -qaF -e "$hex" -e "${hex^^}" -e "$b64" "$f" || od -An -v -tx1 "$f" | tr -d ' \n' | grep -qF "$hex"; then
      echo "${f#"$dir"/}"
    fi
  done < <(find "$dir" -type f -print0)
}
# The search can fail: it finds a secret planted raw, as hex and as base64.
mkdir -p "$E2E_TMP/probe"; probe=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
hex_to_bin "$probe" >"$E2E_TMP/probe/raw"; printf 'x%sx' "$probe" >"$E2E_TMP/probe/hex"
printf 'y%sy' "$(hex_to_bin "$probe" | base64 -w0)" >"$E2E_TMP/probe/b64"
expect_eq "(the search finds a secret raw, as hex and as base64)" "$(search_secret "$probe" "$E2E_TMP/probe" | sort | tr '\n' ' ')" "b64 hex raw "

cp -a "$DATA" "$E2E_TMP/copy"
found=""
while read -r name hex; do
  hits=$(search_secret "$hex" "$E2E_TMP/copy")
  [[ -n "$hits" ]] && found+="$name in $(tr '\n' ' ' <<<"$hits"); "
done <"$SECRETS"
expect_eq "no secret is in the copy: raw, hex or base64 ($(wc -l <"$SECRETS") secrets)" "$found" ""
expect_eq "nor the KEK" "$(search_secret "$(tr -d '\n' <"$KEKDIR/kek.key")" "$E2E_TMP/copy")" ""

# --- 5. restart with the KEK; the wrong KEK is refused ---------------------------------
start_server || tap_fail "restart with the KEK"
api GET /api/v1/director/online-keys "$ADMIN_TOKEN"
expect_eq "after a restart with the KEK the server still signs" "$STATUS $(jqr .targets.keyid)" "200 $director_keyid"
make_csr m2 SAR-LEG-2 && claim SAR-LEG-2 m2 "$batch_key"
expect_eq "... and migration claims still open the batch key" "$STATUS" 200
stop_server

"$CRADLE" kek generate --file "$KEKDIR/other.key" >/dev/null
set_kek "$KEKDIR/other.key"
out=$(timeout 20 "$CRADLED" run --data-dir "$DATA" 2>&1); rc=$?
expect_eq "with another KEK cradled refuses to start" "$rc" 1
expect_match "... naming the value and both KEKs" "$out" 'is sealed under KEK [0-9a-f]{32}, but the configured KEK is [0-9a-f]{32}'
chmod 644 "$KEKDIR/kek.key"; set_kek "$KEKDIR/kek.key"
out=$(timeout 20 "$CRADLED" run --data-dir "$DATA" 2>&1); rc=$?
expect_eq "a KEK file others can read is refused" "$rc $(grep -c 'KEK file' <<<"$out")" "1 1"
chmod 600 "$KEKDIR/kek.key"

# --- 6. rotation: every secret re-sealed under a new KEK --------------------------------
"$CRADLE" kek generate --file "$KEKDIR/new.key" >/dev/null
out=$("$CRADLED" kek-rotate --data-dir "$DATA" --to "$KEKDIR/new.key" 2>&1); rc=$?
expect_eq "cradled kek-rotate re-seals under the new KEK" "$rc" 0
nfiles=$(cd "$DATA" && find repo-keys director-keys pki -name '*.key' -type f | wc -l)
expect_match "... both batch keys and every key file" "$out" "2 migration key\\(s\\), $nfiles key file\\(s\\)"
expect_eq "... and points [kek] ref at it" "$(grep -c "^ref = $KEKDIR/new.key\$" "$DATA/cradled.conf")" 1
out=$("$CRADLED" kek-rotate --data-dir "$DATA" --to "$KEKDIR/new.key" 2>&1); rc=$?
expect_eq "rotating to the current KEK is refused" "$rc $(grep -c 'is the current one' <<<"$out")" "1 1"
start_server || tap_fail "start after the rotation"
api GET /api/v1/director/online-keys "$ADMIN_TOKEN"
expect_eq "after the rotation the director's key opens, the same key" "$STATUS $(jqr .targets.keyid)" "200 $director_keyid"
make_csr m3 SAR-LEG-3 && claim SAR-LEG-3 m3 "$batch_key"
expect_eq "... and the batch key" "$STATUS" 200
stop_server
expect_eq "the rotations are audited" "$(sqlite3 "$DATA/cradle.db" "SELECT count(*) > 0 FROM audit_log WHERE action = 'batch.migration-key.resealed'") $(sqlite3 "$DATA/cradle.db" "SELECT count(*) > 0 FROM audit_log WHERE action = 'secret.key-file.resealed'")" "1 1"
set_kek "$KEKDIR/kek.key"
out=$(timeout 20 "$CRADLED" run --data-dir "$DATA" 2>&1); rc=$?
expect_eq "the old KEK no longer starts the server" "$rc $(grep -c 'is sealed under KEK' <<<"$out")" "1 1"
finish
