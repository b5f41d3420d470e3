#!/usr/bin/env bash
# The CLI trusts the CA it is given (CRADLE_CA) and nothing else: a server
# certificate issued by a CA from the system directory (/etc/ssl/certs) is
# refused. (libcurl keeps its built-in CA directory beside CAINFO unless told
# not to; parsing that directory on every connection also made handshakes slow
# enough to hit the connect timeout on a loaded machine.)
# Needs a private mount namespace (root) to put a CA into /etc/ssl/certs
# without touching the host; skipped otherwise.
source "$(dirname "$0")/lib.sh"

if ! unshare -m --propagation private true 2>/dev/null; then
  echo "ok 1 # SKIP no private mount namespace (needs root)"; echo "1..1"; exit 0
fi
init_server || { tap_fail "init"; finish; exit 1; }

# A rogue CA, and a server certificate for 127.0.0.1 that it issued.
R=$E2E_TMP/rogue; mkdir -p "$R/certs"
certtool --generate-privkey --key-type ecdsa --outfile "$R/ca.key" 2>/dev/null
printf 'cn = "Rogue CA"\nca\ncert_signing_key\nexpiration_days = 2\n' >"$R/ca.tmpl"
certtool --generate-self-signed --load-privkey "$R/ca.key" --template "$R/ca.tmpl" --outfile "$R/certs/rogue.pem" 2>/dev/null
certtool --generate-privkey --key-type ecdsa --outfile "$R/server.key" 2>/dev/null
printf 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nexpiration_days = 2\n' >"$R/server.tmpl"
certtool --generate-certificate --load-privkey "$R/server.key" --load-ca-certificate "$R/certs/rogue.pem" \
  --load-ca-privkey "$R/ca.key" --template "$R/server.tmpl" --outfile "$R/server.pem" 2>/dev/null
check "rogue certificates made" test -s "$R/server.pem"

# The legitimate server first: the CLI talks to it.
start_server || { tap_fail "server starts"; finish; exit 1; }
CRADLE_TOKEN=$ADMIN_TOKEN "$CRADLE" whoami >/dev/null 2>&1; rc=$?
expect_eq "with the server's own certificate the CLI is served" "$rc" 0
stop_server

# Now the server presents the rogue certificate; the CLI still names the real CA.
cp "$R/server.pem" "$DATA/tls/server.pem"
install -m 0600 "$R/server.key" "$DATA/tls/server.key"
start_server_rogue() {
  "$CRADLED" run --data-dir "$DATA" >>"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fsS --cacert "$R/certs/rogue.pem" "$URL/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
LOG=$E2E_TMP/cradled.log
start_server_rogue || { tap_fail "server starts with the rogue certificate"; finish; exit 1; }
# In a private mount namespace, the system CA directory holds only the rogue CA.
out=$(unshare -m --propagation private bash -c '
  mount --bind "$1" /etc/ssl/certs || exit 99
  CRADLE_URL=$2 CRADLE_CA=$3 CRADLE_TOKEN=$4 timeout 30 "$5" whoami' _ \
  "$R/certs" "$URL" "$CA" "$ADMIN_TOKEN" "$CRADLE" 2>&1); rc=$?
check "the mount namespace works" test "$rc" -ne 99
check "a certificate from a CA in /etc/ssl/certs but not CRADLE_CA is refused (exit $rc)" test "$rc" -ne 0
expect_match "... as a TLS verification failure" "$out" '[Cc]ertificate|TLS|SSL|verif'
finish
