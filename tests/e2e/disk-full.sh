#!/usr/bin/env bash
# A full disk: the data directory on a 4 MiB tmpfs, filled up. Writes are
# answered 507 (RFC 9457 problem "insufficient-storage") with a log line that
# says DISK FULL and names the database; reads go on working; once space is
# freed, writes work again. Needs mount(2) (root): skipped, saying so, without it.
source "$(dirname "$0")/lib.sh"

DATA=$E2E_TMP/data
mkdir -p "$DATA"
if ! mount_out=$(mount -t tmpfs -o size=4m,mode=0700 cradle-e2e-full "$DATA" 2>&1); then
  tap_skip "writes on a full disk answer 507, reads still work" "cannot mount a tmpfs here: ${mount_out:-not permitted}"
  finish; exit 0
fi
unmount() { stop_server; if mountpoint -q "$DATA"; then umount "$DATA" 2>/dev/null || umount -l "$DATA"; fi; }
trap unmount EXIT

init_server "$DATA" && start_server || { tap_fail "server starts on a tmpfs data directory"; finish; exit 1; }
api POST /api/v1/tokens "$ADMIN_TOKEN" '{"name":"before-full","role":"auditor"}'
expect_eq "a write works while there is space (201)" "$STATUS" 201
# A draft release to upload an image to once the disk is full.
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
REL=$(CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" release create --product T1-EU --version 1.0.0 --security-version 1 \
  --hardware-revision r2 --json | jq -r .id)
expect_match "a draft release exists for the upload" "$REL" '^[0-9]+$'
head -c 1048576 /dev/urandom >"$E2E_TMP/img"

# Fill the file system to the last block.
dd if=/dev/zero of="$DATA/filler" bs=64k 2>/dev/null
expect_eq "the data directory is full" "$(df --output=avail -B1 "$DATA" | tail -n 1 | tr -d ' ')" 0

# SQLite may still fit a few small transactions in its write-ahead log's
# existing length; the first write that needs a new block must get 507.
codes=
for i in $(seq 1 300); do
  api POST /api/v1/tokens "$ADMIN_TOKEN" "{\"name\":\"while-full-$i\",\"role\":\"auditor\"}"
  [[ $STATUS == 201 ]] || break
done
expect_eq "a write on the full disk is 507 (after $i tries)" "$STATUS" 507
expect_eq "as the problem type insufficient-storage" "$(jqr .type)" "urn:cradle:problem:insufficient-storage"
expect_match "its detail says so plainly" "$(jqr .detail)" 'no storage space left.*reads still work'
expect_match "the log says DISK FULL and names the database" "$(cat "$LOG")" 'DISK FULL.*database [^ ]*cradle\.db'

# An upload is streamed to a file beside the database: the same condition.
code=$(curl -sS --cacert "$CA" -H "Authorization: Bearer $ADMIN_TOKEN" -T "$E2E_TMP/img" \
  -o "$E2E_TMP/up.json" -w '%{http_code}' "$URL/api/v1/releases/$REL/images/rootfs.img")
expect_eq "an image upload on the full disk is 507" "$code" 507
expect_eq "as insufficient-storage too" "$(jq -r .type "$E2E_TMP/up.json")" "urn:cradle:problem:insufficient-storage"
expect_match "the log names the upload file and says DISK FULL" "$(cat "$LOG")" 'writing the upload .*upload-.*(DISK FULL)'

api GET /api/v1/tokens "$ADMIN_TOKEN"
expect_eq "reads still work on the full disk (200)" "$STATUS" 200
expect_match "and show what was written before" "$BODY" 'before-full'
api GET /healthz
expect_eq "the server stays healthy" "$STATUS" 200

rm -f "$DATA/filler"
api POST /api/v1/tokens "$ADMIN_TOKEN" '{"name":"after-full","role":"auditor"}'
expect_eq "once space is freed writes work again (201)" "$STATUS" 201
api GET /api/v1/tokens "$ADMIN_TOKEN"
expect_match "and what was written is there" "$BODY" '"after-full"' 

unmount
finish
