#!/usr/bin/env bash
# The real client: Debian 12's unmodified swupdate (suricatta, hawkBit mode)
# against cradled's DDI API, on loopback. Signed .swu images are built here
# (CMS-signed sw-description, hardware-compatibility, a rawfile handler that
# writes into a file). Asserts what cradled records:
#  - over mTLS: install (in progress until a restart with -c 2), then success;
#  - over a TargetToken, the same;
#  - a download cut mid-way by a TCP proxy and resumed with Range;
#  - a cancel (the device confirms it);
#  - a failure report (an image for another hardware revision).
# Every wait is bounded; suricatta runs in its own process group, ended by id.
source "$(dirname "$0")/lib.sh"

if ! command -v swupdate >/dev/null || ! command -v cpio >/dev/null || ! command -v python3 >/dev/null; then
  tap_skip "swupdate against cradled" "swupdate, cpio or python3 missing (scripts/install-deps.sh --test)"
  finish; exit 0
fi

init_server || { tap_fail "server init"; finish; exit 1; }
sed -i 's/^polling_sleep = .*/polling_sleep = 2/' "$DATA/cradled.conf"
start_server && ota_setup || { tap_fail "server, product and release 1.0.0"; finish; exit 1; }
SWU=$E2E_TMP/swu; mkdir -p "$SWU"
for d in D1 D2; do make_csr "$d" "$d" && est_enroll "$d" T1-EU "serial=$d&batch=B1"; done
expect_eq "devices enroll" "$STATUS" 200

# --- signed .swu images ------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SWU/signer.key" -out "$SWU/signer.crt" -days 30 \
  -subj "/CN=T1 image signer" -addext "extendedKeyUsage=emailProtection" -addext "keyUsage=digitalSignature" 2>/dev/null
# make_swu NAME VERSION SIZE HWREV TARGET: $SWU/NAME.swu whose rawfile writes SIZE random bytes to TARGET.
make_swu() {
  local dir=$SWU/$1; mkdir -p "$dir"
  head -c "$3" /dev/urandom >"$dir/payload.bin"
  cat >"$dir/sw-description" <<SWD
software =
{
	version = "$2";
	hardware-compatibility: [ "$4" ];
	files: (
		{
			filename = "payload.bin";
			path = "$5";
			type = "rawfile";
			sha256 = "$(sha256sum "$dir/payload.bin" | cut -d' ' -f1)";
		}
	);
}
SWD
  openssl cms -sign -in "$dir/sw-description" -out "$dir/sw-description.sig" -signer "$SWU/signer.crt" \
    -inkey "$SWU/signer.key" -outform DER -nosmimecap -binary || return 1
  (cd "$dir" && printf 'sw-description\nsw-description.sig\npayload.bin\n' | cpio -o -H crc 2>/dev/null) >"$SWU/$1.swu"
}
publish_swu() { # NAME VERSION SECURITY_VERSION -> REL_ID
  OTA_IMAGE_SRC=$SWU/$1.swu OTA_IMAGE_NAME=update.swu ota_publish "$2" "$3" >/dev/null
}
make_swu v110 1.1.0 300000 r2 "$SWU/d1.img" && publish_swu v110 1.1.0 2; R110=$REL_ID
make_swu v120 1.2.0 3000000 r2 "$SWU/d1.img" && publish_swu v120 1.2.0 3; R120=$REL_ID
make_swu v130 1.3.0 1000 r9 "$SWU/d1.img" && publish_swu v130 1.3.0 4; R130=$REL_ID
make_swu t110 1.1.0 5000 r2 "$SWU/d2.img"
expect_match "three signed .swu releases are published" "$R110 $R120 $R130" '^[0-9]+ [0-9]+ [0-9]+$'

# --- running suricatta ----------------------------------------------------------------
# swu_conf NAME ID [mtls|token TOKEN]: a swupdate configuration file.
swu_conf() {
  local f=$SWU/$1.cfg
  {
    echo "globals : { verbose = true; loglevel = 5; };"
    echo "suricatta : {"
    echo "  cafile = \"$CA\";"
    if [[ $3 == mtls ]]; then echo "  sslkey = \"$PKI/$2.key\";"; echo "  sslcert = \"$PKI/$2.pem\";"; fi
    if [[ $3 == token ]]; then echo "  targettoken = \"$4\";"; fi
    echo "};"
    echo "identify : ( { name = \"board\"; value = \"t1\"; }, { name = \"mac\"; value = \"00:11:22:33:44:55\"; } );"
  } >"$f"
  chmod 600 "$f"
}
# swu_start CONF ID BASE_URL [more suricatta args]: suricatta in the background, in its own process group.
swu_start() {
  SWU_LOG=$E2E_TMP/swupdate-$2-$RANDOM.log
  setsid swupdate -v -f "$SWU/$1.cfg" -k "$SWU/signer.crt" -H t1:r2 \
    -u "-t T1-EU -i $2 -u $3 -r 10 -w 1 ${4:-}" >"$SWU_LOG" 2>&1 </dev/null &
  SWU_PID=$!
}
swu_stop() {
  if [[ -n "${SWU_PID:-}" ]]; then kill -TERM -- "-$SWU_PID" 2>/dev/null; sleep 0.5; kill -KILL -- "-$SWU_PID" 2>/dev/null; wait "$SWU_PID" 2>/dev/null; SWU_PID=; fi
  rm -f /tmp/sockinstctrl /tmp/swupdateprog
}
trap 'swu_stop' EXIT
# wait_for SECONDS CMD...: polls CMD every 0.5 s; 0 once it succeeds.
wait_for() {
  local n=$(($1 * 2)); shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.5; done
  return 1
}
hist() { api GET "/api/v1/devices/$1/history" "$ADMIN_TOKEN"; jq -c "[.items[] | select(.action_id == $2) | .stage]" <<<"$BODY"; }
has_stage() { [[ $(hist "$1" "$2") == *"\"$3\""* ]]; }
action_of() { api GET "/api/v1/devices/$1/actions" "$ADMIN_TOKEN"; jq -r '.items[0].id' <<<"$BODY"; }
action_status() { api GET "/api/v1/devices/$1/actions" "$ADMIN_TOKEN"; jq -r ".items[] | select(.id == $2) | .status" <<<"$BODY"; }
installed() { api GET "/api/v1/devices/$1" "$ADMIN_TOKEN"; jqr '.installed_version // "none"'; }
diag_log() { tap_diag "swupdate log tail:" "$(tail -n 25 "$SWU_LOG")"; }

# --- 1. mTLS: install, success only after a restart with -c 2 ------------------------
swu_conf d1 D1 mtls
"$CRADLE" device assign --release "$R110" --device D1 >/dev/null; A1=$(action_of D1)
swu_start d1 D1 "$URL/ddi"
wait_for 60 cmp -s "$SWU/d1.img" "$SWU/v110/payload.bin" || diag_log
check "suricatta (mTLS) installs 1.1.0: the rawfile handler wrote the payload" cmp -s "$SWU/d1.img" "$SWU/v110/payload.bin"
wait_for 20 has_stage D1 "$A1" installing || diag_log
swu_stop
expect_match "its progress is in D1's history, on action $A1" "$(hist D1 "$A1")" '"downloading".*"installing"'
expect_eq "... the action stays open until the device confirms" "$(action_status D1 "$A1")" open
expect_eq "... and nothing counts as installed yet" "$(installed D1)" none
api GET /api/v1/devices/D1/config-data "$ADMIN_TOKEN"
expect_eq "configData (suricatta's identify): only allow-listed keys kept" "$(jq -c .attributes <<<"$BODY")" '{"board":"t1"}'
swu_start d1 D1 "$URL/ddi" "-c 2"
wait_for 30 has_stage D1 "$A1" success || diag_log
swu_stop
expect_eq "after a restart with -c 2: success" "$(action_status D1 "$A1")" succeeded
expect_eq "... installed version 1.1.0" "$(installed D1)" 1.1.0
api GET /api/v1/devices/D1 "$ADMIN_TOKEN"
expect_eq "... security version from the release" "$(jqr .security_version)" 2

# --- 2. TargetToken: the same for a device without a certificate -----------------------
OTA_IMAGE_SRC=$SWU/t110.swu OTA_IMAGE_NAME=update.swu ota_publish 1.4.0 5 >/dev/null; R_T=$REL_ID
TOK=$("$CRADLE" device ddi-token D2 2>/dev/null)
swu_conf d2 D2 token "$TOK"
"$CRADLE" device assign --release "$R_T" --device D2 >/dev/null; A2=$(action_of D2)
swu_start d2 D2 "$URL/ddi"
wait_for 60 cmp -s "$SWU/d2.img" "$SWU/t110/payload.bin" || diag_log
check "suricatta (TargetToken) installs" cmp -s "$SWU/d2.img" "$SWU/t110/payload.bin"
wait_for 20 has_stage D2 "$A2" installing || diag_log
swu_stop
swu_start d2 D2 "$URL/ddi" "-c 2"
wait_for 30 has_stage D2 "$A2" success || diag_log
swu_stop
expect_eq "TargetToken: success after -c 2" "$(action_status D2 "$A2") $(installed D2)" "succeeded 1.4.0"
swu_conf d2bad D2 token "${TOK%?}x"
"$CRADLE" device assign --release "$R110" --device D2 >/dev/null
swu_start d2bad D2 "$URL/ddi"
sleep 4; swu_stop
expect_match "a wrong TargetToken is refused (cradled logs it)" "$(cat "$LOG")" 'DDI authentication failed from 127.0.0.1: TargetToken: not valid'
"$CRADLE" device cancel D2 --action "$(action_of D2)" >/dev/null

# --- 3. a download cut mid-way and resumed with Range ------------------------------------
# The proxy forwards bytes both ways and cuts the first connection that has
# carried more than CUT bytes from the server; later ones pass whole.
PROXY_PORT=$(free_port)
python3 - "$PROXY_PORT" "$PORT" 1000000 >"$E2E_TMP/proxy.log" 2>&1 <<'PY' &
import asyncio, sys
listen, upstream, cut = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
state = {"cut": False}
async def pipe(r, w, count):
    n = 0
    try:
        while True:
            data = await r.read(16384)
            if not data:
                break
            if count and not state["cut"] and n + len(data) > cut:
                state["cut"] = True
                w.write(data[: cut - n]); await w.drain()
                print("cut after", cut, "bytes", flush=True)
                w.transport.abort(); return
            n += len(data); w.write(data); await w.drain()
    except Exception:
        pass
    try:
        w.close()
    except Exception:
        pass
async def handle(cr, cw):
    ur, uw = await asyncio.open_connection("127.0.0.1", upstream)
    await asyncio.gather(pipe(cr, uw, False), pipe(ur, cw, True))
    cw.close(); uw.close()
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", listen)
    async with srv:
        await asyncio.wait_for(srv.serve_forever(), 240)
asyncio.run(main())
PY
PROXY_PID=$!
trap 'swu_stop; kill "$PROXY_PID" 2>/dev/null' EXIT
sleep 0.5
"$CRADLE" device assign --release "$R120" --device D1 >/dev/null; A3=$(action_of D1)
swu_start d1 D1 "https://127.0.0.1:$PROXY_PORT/ddi"
wait_for 90 cmp -s "$SWU/d1.img" "$SWU/v120/payload.bin" || diag_log
wait_for 20 has_stage D1 "$A3" installing || diag_log
swu_stop
kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null
expect_match "the proxy cut a connection mid-way" "$(cat "$E2E_TMP/proxy.log")" 'cut after 1000000 bytes'
expect_match "suricatta resumed with a Range request (206 from cradled)" \
  "$(grep -c "artifacts/update.swu 206" "$LOG")" '^[1-9]'
check "the resumed download installs the whole 1.2.0 payload" cmp -s "$SWU/d1.img" "$SWU/v120/payload.bin"
expect_match "... recorded in the history" "$(hist D1 "$A3")" '"installing"'

# --- 4. cancel -------------------------------------------------------------------------
"$CRADLE" device cancel D1 --action "$A3" --reason "stop 1.2.0" >/dev/null
swu_start d1 D1 "$URL/ddi"
wait_for 30 has_stage D1 "$A3" canceled || diag_log
swu_stop
expect_eq "suricatta obeys the cancel: the action is canceled" "$(action_status D1 "$A3")" canceled
expect_eq "... the installed version is still 1.1.0" "$(installed D1)" 1.1.0

# --- 5. a failure report ------------------------------------------------------------------
"$CRADLE" device assign --release "$R130" --device D1 >/dev/null; A4=$(action_of D1)
swu_start d1 D1 "$URL/ddi"
wait_for 40 has_stage D1 "$A4" failure || diag_log
swu_stop
expect_eq "an image for hardware r9: suricatta reports failure" "$(action_status D1 "$A4")" failed
api GET /api/v1/devices/D1/history "$ADMIN_TOKEN"
expect_match "... with its reason in the history" "$(jq -r "[.items[] | select(.action_id == $A4 and .stage == \"failure\")][0].reason" <<<"$BODY")" '.'
expect_eq "... the installed version is still 1.1.0" "$(installed D1)" 1.1.0

stop_server
finish
