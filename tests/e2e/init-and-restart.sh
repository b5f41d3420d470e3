#!/usr/bin/env bash
# The program interface: init creates a data directory once, prints the
# admin token once; a killed server loses no committed change; a database
# from a newer cradled is refused untouched.
source "$(dirname "$0")/lib.sh"

init_server || { tap_fail "init"; finish; exit 1; }
expect_match "init prints an admin token" "$ADMIN_TOKEN" '^cradle_'
expect_match "init says how to point the CLI at the server" "$INIT_OUT" "CRADLE_URL=https://127.0.0.1:$PORT"
expect_match "init names the CA file" "$INIT_OUT" "CRADLE_CA=$DATA/tls/ca.pem"
# Run by hand, init says how to start the server with this cradled's full path
# (quickstart's is in build/, not on PATH), and keeps the token in a 0600 file
# named by CRADLE_TOKEN_FILE, as README.md and docs/cli.md do.
expect_match "init's start command names this cradled by its full path" "$INIT_OUT" \
  "Start the server with:"$'\n'"  $(readlink -f "$CRADLED") run --data-dir $DATA\$"
expect_eq "init never suggests a path-less cradled" "$(grep -c '^ *cradled ' <<<"$INIT_OUT")" 0
expect_match "init says to keep the token in a 0600 file" "$INIT_OUT" '\(umask 077; cat > "\$HOME/\.cradle-token"\)'
expect_match "... and to name it with CRADLE_TOKEN_FILE" "$INIT_OUT" 'export CRADLE_TOKEN_FILE="\$HOME/\.cradle-token"'
# The printed lines work as pasted: the token typed into the first one.
steps=$(sed -n '/^Save it/,/^$/p' <<<"$INIT_OUT" | sed -n 's/^  //p')
for f in cradled.conf cradle.db tls/ca.pem tls/server.pem tls/server.key; do
  check "init created $f" test -s "$DATA/$f"
done
expect_eq "the server key is private (0600)" "$(stat -c %a "$DATA/tls/server.key")" 600
expect_eq "the data directory is private (0700)" "$(stat -c %a "$DATA")" 700
check "the server certificate verifies against the CA (certtool)" \
  bash -c "certtool --verify --load-ca-certificate '$DATA/tls/ca.pem' --infile '$DATA/tls/server.pem'"
check "the server certificate verifies against the CA (openssl)" openssl verify -CAfile "$DATA/tls/ca.pem" "$DATA/tls/server.pem"

before=$(cat "$DATA/cradled.conf"; sha256sum "$DATA/cradle.db")
out=$("$CRADLED" init --data-dir "$DATA" 2>&1); rc=$?
expect_eq "a second init refuses (exit 1)" "$rc" 1
expect_match "the refusal says why" "$out" 'already initiali[sz]ed'
expect_nomatch "a second init prints no token" "$out" 'cradle_[0-9a-f]{16}_'
expect_eq "a second init changes nothing" "$(cat "$DATA/cradled.conf"; sha256sum "$DATA/cradle.db")" "$before"

out=$("$CRADLED" run --data-dir "$E2E_TMP/nowhere" 2>&1); rc=$?
expect_match "run on a missing data dir fails cleanly" "$rc" '^[12]$'
expect_match "and names the directory" "$out" 'nowhere'
out=$("$CRADLED" --frobnicate 2>&1); rc=$?
expect_eq "an unknown option is a usage error (exit 2)" "$rc" 2

# Config is checked strictly, with file and line.
cp "$DATA/cradled.conf" "$E2E_TMP/conf.bak"
sed -i 's/^\[server\]$/[server]\nporrt = 1/' "$DATA/cradled.conf"
out=$("$CRADLED" run --data-dir "$DATA" 2>&1); rc=$?
expect_eq "an unknown config key refuses to start" "$rc" 1
expect_match "the error names file, line and key" "$out" 'cradled.conf:[0-9]+:.*porrt'
cp "$E2E_TMP/conf.bak" "$DATA/cradled.conf"

start_server || { tap_fail "server starts"; finish; exit 1; }
home=$E2E_TMP/home; mkdir -p "$home"
out=$(printf '%s\n' "$ADMIN_TOKEN" | env -u CRADLE_URL -u CRADLE_CA HOME=$home \
  bash -c "$steps"$'\n''"$0" whoami' "$CRADLE" 2>&1)
expect_eq "init's lines, pasted, let the CLI reach the server" "$?" 0
expect_match "... as admin" "$out" 'admin'
expect_eq "... keeping the token in a 0600 file" "$(stat -c %a "$home/.cradle-token" 2>&1)" 600
for i in 1 2 3 4 5; do
  api POST /api/v1/products "$ADMIN_TOKEN" "$(jq -c ".model=\"K$i\"" <<<"$PRODUCT_JSON")"
  [[ $STATUS == 201 ]] || tap_fail "create K$i" "$STATUS $BODY"
done
kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
start_server || { tap_fail "server restarts after SIGKILL"; finish; exit 1; }
api GET /api/v1/products "$ADMIN_TOKEN"
expect_eq "every committed product survived SIGKILL" "$(jqr '[.items[].model] | join(",")')" "K1,K2,K3,K4,K5"
CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" audit verify >/dev/null 2>&1
expect_eq "the audit chain survived SIGKILL" "$?" 0

# A database from a newer cradled is refused, and left as it was.
stop_server
latest=$(sqlite3 "$DATA/cradle.db" 'SELECT max(version) FROM schema_migrations;')
sqlite3 "$DATA/cradle.db" "INSERT INTO schema_migrations(version, applied_at) VALUES ($((latest + 1)), 0);"
sum=$(sha256sum <"$DATA/cradle.db")
out=$("$CRADLED" run --data-dir "$DATA" 2>&1); rc=$?
expect_eq "a newer database refuses to start" "$rc" 1
expect_match "the refusal names both versions" "$out" "$((latest + 1)).*$latest|newer"
expect_eq "the newer database is not modified" "$(sha256sum <"$DATA/cradle.db")" "$sum"

# init --then-run (what scripts/quickstart.sh runs on first use): the report
# says the server starts now, with its URL, instead of how to start it; then
# the same process serves.
D2=$E2E_TMP/quick; P2=$(free_port)
"$CRADLED" init --data-dir "$D2" --port "$P2" --then-run >"$E2E_TMP/quick.out" 2>"$E2E_TMP/quick.err" &
quick_pid=$!
for _ in $(seq 1 100); do
  curl -fsS --cacert "$D2/tls/ca.pem" "https://127.0.0.1:$P2/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
out=$(curl -fsS --cacert "$D2/tls/ca.pem" "https://127.0.0.1:$P2/healthz" 2>&1)
expect_match "init --then-run serves the new directory" "$out" '"status":"ok"'
out=$(cat "$E2E_TMP/quick.out")
expect_match "... its report says the server starts now, on its URL" "$out" \
  "The server starts now on https://127\\.0\\.0\\.1:$P2 \\(Ctrl-C stops it\\)"
expect_nomatch "... and does not tell the user to start it" "$out" 'Start the server with'
expect_match "... but how to start it again later, by full path" "$out" \
  "  $(readlink -f "$CRADLED") run --data-dir $D2"
expect_match "... and the token is printed once" "$out" 'cradle_[0-9a-f]{16}_'
kill -TERM "$quick_pid"; wait "$quick_pid"
expect_eq "... and stops cleanly on SIGTERM" "$?" 0
out=$("$CRADLED" init --data-dir "$D2" --port "$P2" --then-run 2>&1)
expect_eq "init --then-run on an initialised directory refuses and does not serve (exit 1)" "$?" 1
out=$("$CRADLED" run --data-dir "$D2" --then-run 2>&1)
expect_eq "only init takes --then-run (exit 2)" "$?" 2
finish
