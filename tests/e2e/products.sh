#!/usr/bin/env bash
# Products through the API and the CLI: create, list, show, update, and every
# way a request can be wrong.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
export CRADLE_TOKEN=$ADMIN_TOKEN

out=$("$CRADLE" product create --name "Thermostat T1" --model T1-EU \
  --manufacturer-name "Acme GmbH" --manufacturer-address "Hauptstr. 1, Berlin" \
  --manufacturer-contact security@acme.example --support-start 2026-01-01 --support-end 2031-12-31 \
  --member-state DE --member-state FR --json 2>&1); rc=$?
expect_eq "cradle product create succeeds" "$rc" 0
id=$(jq -r .id <<<"$out")
expect_match "product gets an id" "$id" '^[0-9]+$'
expect_eq "member states are kept" "$(jq -c .member_states <<<"$out")" '["DE","FR"]'

out=$("$CRADLE" product list 2>&1)
expect_match "product list shows it in a table" "$out" 'T1-EU'
out=$("$CRADLE" product show "$id" --json)
expect_eq "product show returns the manufacturer" "$(jq -r .manufacturer.name <<<"$out")" "Acme GmbH"
out=$("$CRADLE" product update "$id" --member-state DE --member-state AT --json); rc=$?
expect_eq "product update succeeds" "$rc" 0
expect_eq "update replaced member states" "$(jq -c .member_states <<<"$out")" '["AT","DE"]'
expect_eq "update kept other fields" "$(jq -r .support.end <<<"$out")" 2031-12-31

# Validation, each with the field named.
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="X1" | .member_states=["DE","XX"]' <<<"$PRODUCT_JSON")"
expect_eq "unknown member state is 400" "$STATUS" 400
expect_match "400 names the bad code" "$(jqr .detail)" "XX"
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="X2" | .support={"start":"2026-01-01","end":"2028-01-01"}' <<<"$PRODUCT_JSON")"
expect_eq "support period under five years without justification is 400" "$STATUS" 400
expect_match "the error cites the rule" "$(jqr .detail)" '[Jj]ustification'
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="X3" | .support={"start":"2026-01-01","end":"2028-01-01","justification":"Single-use sensor with a 2-year battery life"}' <<<"$PRODUCT_JSON")"
expect_eq "a shorter period with a justification is accepted" "$STATUS" 201
expect_eq "the justification is stored" "$(jqr .support.justification)" "Single-use sensor with a 2-year battery life"
api POST /api/v1/products "$ADMIN_TOKEN" "$PRODUCT_JSON"
expect_eq "duplicate model is 409" "$STATUS" 409
api POST /api/v1/products "$ADMIN_TOKEN" '{"name": "x", "model": '
expect_eq "truncated JSON is 400" "$STATUS" 400
api POST /api/v1/products "$ADMIN_TOKEN" '{"name": "x",, }'
expect_eq "malformed JSON is 400" "$STATUS" 400
expect_match "malformed JSON error names the position" "$(jqr .detail)" '[Ll]ine 1'
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="X4" | .name=42' <<<"$PRODUCT_JSON")"
expect_eq "wrong type is 400" "$STATUS" 400
expect_match "wrong type names the field" "$(jqr .detail)" 'name'
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="X5" | .colour="red"' <<<"$PRODUCT_JSON")"
expect_eq "unknown field is 400" "$STATUS" 400
expect_match "unknown field is named" "$(jqr .detail)" 'colour'
api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c '.model="X6" | del(.manufacturer)' <<<"$PRODUCT_JSON")"
expect_eq "missing field is 400" "$STATUS" 400
expect_match "missing field is named" "$(jqr .detail)" 'manufacturer'
api POST /api/v1/products "$ADMIN_TOKEN" '[1,2,3]'
expect_eq "a JSON array body is 400" "$STATUS" 400
api POST /api/v1/products "$ADMIN_TOKEN" '{"name":"a","name":"b"}'
expect_eq "duplicate keys are 400" "$STATUS" 400
status=$(curl -sS --cacert "$CA" -H @"$E2E_TMP/auth-header" -H 'Content-Type: text/plain' --data-binary "$PRODUCT_JSON" -o /dev/null -w '%{http_code}' "$URL/api/v1/products")
expect_eq "a non-JSON content type is 415" "$status" 415
api GET /api/v1/products/999999 "$ADMIN_TOKEN"
expect_eq "unknown product is 404" "$STATUS" 404
api GET /api/v1/products/abc "$ADMIN_TOKEN"
expect_match "a non-numeric id is 400 or 404" "$STATUS" '^(400|404)$'
api PATCH "/api/v1/products/$id" "$ADMIN_TOKEN" '{"member_states":["EL"]}'
expect_eq "EU's 'EL' for Greece is refused (ISO says GR)" "$STATUS" 400

# SQL-shaped strings are data, stored and returned verbatim.
evil="Robert'); DROP TABLE products;-- \" \\ 😀 %s %n"
body=$(jq -cn --arg n "$evil" --argjson p "$PRODUCT_JSON" '$p | .name=$n | .model="SQL-1" | .manufacturer.address=$n')
api POST /api/v1/products "$ADMIN_TOKEN" "$body"
expect_eq "a SQL-shaped name is accepted" "$STATUS" 201
sid=$(jqr .id)
api GET "/api/v1/products/$sid" "$ADMIN_TOKEN"
expect_eq "the SQL-shaped name comes back byte for byte" "$(jqr .name)" "$evil"
expect_eq "the SQL-shaped address comes back byte for byte" "$(jqr .manufacturer.address)" "$evil"
api GET /api/v1/products "$ADMIN_TOKEN"
expect_eq "the products table is still there" "$(jqr '.items | length')" 3

# Every change is in the audit log.
api GET "/api/v1/audit?object=product:$id" "$ADMIN_TOKEN"
expect_eq "create and update are audited" "$(jqr '[.items[].action] | join(",")')" "product.create,product.update"
expect_eq "the update records what changed" "$(jqr '.items[1].details.changes.member_states.to | join(",")')" "AT,DE"
finish
