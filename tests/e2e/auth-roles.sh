#!/usr/bin/env bash
# Authentication and the role table: 401 without/with a bad or revoked token,
# 403 for every route and every role that may not call it, slowing down of
# repeated failures.
source "$(dirname "$0")/lib.sh"

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }

api GET /api/v1/products
expect_eq "no token is 401" "$STATUS" 401
expect_match "401 says Bearer" "$HEADERS" 'WWW-Authenticate: Bearer'
expect_match "401 is problem+json" "$HEADERS" 'application/problem\+json'
expect_match "401 detail says the header is missing" "$(jqr .detail)" '[Mm]issing'

bogus="cradle_0123456789abcdef_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | head -c 43)"
api GET /api/v1/products "$bogus"
expect_eq "unknown token is 401" "$STATUS" 401
api GET /api/v1/products "not-a-token"
expect_eq "malformed token is 401" "$STATUS" 401
# A real public id with a wrong secret.
wrong="${ADMIN_TOKEN:0:24}$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | head -c 43)"
api GET /api/v1/products "$wrong"
expect_eq "right id with a wrong secret is 401" "$STATUS" 401

declare -A TOK
for role in admin release-manager security-officer factory auditor; do
  TOK[$role]=$(make_token "t-$role" "$role")
  expect_match "token for $role created" "${TOK[$role]}" '^cradle_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$'
done

api GET /api/v1/whoami "${TOK[auditor]}"
expect_eq "whoami names the token" "$(jqr '.name + "/" + .role')" "t-auditor/auditor"

# Every route from the server's own table, every role.
routes=$("$CRADLED" routes)
n_routes=$(jq length <<<"$routes")
expect_match "cradled routes lists the table" "$n_routes" '^[1-9][0-9]*$'
for i in $(seq 0 $((n_routes - 1))); do
  method=$(jq -r ".[$i].method" <<<"$routes")
  path=$(jq -r ".[$i].path" <<<"$routes" | sed -e 's/{id}/1/g' -e 's/{name}/t-factory/g' -e 's/{[a-z_]*}/x/g')
  roles=$(jq -r ".[$i].roles | join(\" \")" <<<"$routes")
  auth=$(jq -r ".[$i].auth" <<<"$routes")
  [[ $auth == bearer ]] || continue   # public, device (mTLS) and claim routes have their own tests
  api "$method" "$path"
  expect_eq "$method $path without a token is 401" "$STATUS" 401
  for role in admin release-manager security-officer factory auditor; do
    body=
    [[ $method == POST || $method == PATCH || $method == PUT ]] && body='{}'
    if [[ " $roles " == *" $role "* ]]; then
      # Allowed roles must get past authorisation. DELETE is not exercised for
      # allowed roles here (it would revoke the token used by later checks).
      [[ $method == DELETE ]] && continue
      if [[ -n "$body" ]]; then api "$method" "$path" "${TOK[$role]}" "$body"; else api "$method" "$path" "${TOK[$role]}"; fi
      expect_nomatch "$method $path as $role is allowed" "$STATUS" '^(401|403)$'
    else
      if [[ -n "$body" ]]; then api "$method" "$path" "${TOK[$role]}" "$body"; else api "$method" "$path" "${TOK[$role]}"; fi
      expect_eq "$method $path as $role is 403" "$STATUS" 403
    fi
  done
done

# Revocation takes effect on the next request.
api DELETE /api/v1/tokens/t-release-manager "${TOK[admin]}"
expect_eq "admin revokes a token" "$STATUS" 200
expect_match "revoked token shows revoked_at" "$(jqr .revoked_at)" '^[0-9]{4}-'
api GET /api/v1/products "${TOK[release-manager]}"
expect_eq "revoked token is 401" "$STATUS" 401
expect_match "401 says revoked" "$(jqr .detail)" 'revoked'
api DELETE /api/v1/tokens/t-release-manager "${TOK[admin]}"
expect_eq "revoking twice is a conflict" "$STATUS" 409
api GET /api/v1/tokens "${TOK[auditor]}"
expect_eq "auditor can list tokens" "$STATUS" 200
expect_nomatch "token list never shows secrets" "$BODY" 'cradle_[0-9a-f]{16}_'

# Secrets are stored hashed: the database never contains a token.
expect_nomatch "database does not contain the admin secret" "$(strings "$DATA/cradle.db" "$DATA"/cradle.db-wal 2>/dev/null)" "${ADMIN_TOKEN:24}"

# A valid token does not launder the guesses made between its uses: 5 bad
# tokens and 1 valid, repeated from one address, is locked out. (A restart
# starts the in-memory failure count afresh.)
stop_server; start_server || { tap_fail "server restarts"; finish; exit 1; }
codes=
for _ in $(seq 1 6); do
  for i in 1 2 3 4 5 6; do
    if [[ $i -lt 6 ]]; then api GET /api/v1/whoami "$bogus"; else api GET /api/v1/whoami "${TOK[auditor]}"; fi
    codes+="$STATUS "
    [[ $STATUS == 429 ]] && break 2
  done
done
expect_match "5 bad tokens + 1 valid, repeated, reaches 429 (codes: $codes)" "$codes" '429 $'
expect_match "the valid token in between was served (200)" "$codes" '^(401 ){5}200 '
retry=$(grep -i '^Retry-After:' <<<"$HEADERS" | tr -dc '0-9')
expect_match "the 429 says when to retry" "$retry" '^[1-9][0-9]*$'
sleep "$(( ${retry:-1} + 1 ))"
api GET /api/v1/whoami "${TOK[auditor]}"
expect_eq "once the lock-out has run out the valid token gets in" "$STATUS" 200

# Slowing down repeated failures from one source.
codes=
for _ in $(seq 1 8); do api GET /api/v1/products "$bogus"; codes+="$STATUS "; done
expect_match "repeated failures are slowed down with 429" "$codes" '429'
api GET /api/v1/products "$bogus"
expect_eq "a locked-out source keeps getting 429" "$STATUS" 429
expect_match "429 says when to retry" "$HEADERS" 'Retry-After: [0-9]+'
api GET /api/v1/products "${TOK[admin]}"
expect_eq "even a valid token waits out the lock-out" "$STATUS" 429

expect_nomatch "log never contains any token secret" "$(cat "$LOG")" "${TOK[admin]:24}|${TOK[factory]:24}|${ADMIN_TOKEN:24}"
finish
