# Helpers for the cradle-agent black-box tests (ota-agent.sh, ota-powerloss.sh).
# Source after lib.sh, once init_server, start_server and ota_setup ran.
: "${CRADLE_AGENT:?CRADLE_AGENT must point at the cradle-agent binary}"

# agent_device_setup SERIAL [NAME KEYREF]: enrolls a device over EST (batch B1,
# hardware r2) with a new key file $PKI/NAME.key (NAME defaults to dev); with
# KEYREF (e.g. a pkcs11: URI) the device was enrolled already ($PKI/NAME.pem)
# and its key is KEYREF. Either way it
# runs the director's key ceremony (once per server), and lays out the device
# in $DEV: slots/ (ab-dir, slotA holding a 4 KiB factory image, FACTORY_SHA),
# state/, health.sh (exits with the content of $DEV/health-exit, default 0,
# after sleeping $DEV/health-sleep seconds when that file exists), agent.conf.
agent_device_setup() {
  local serial=$1 name=${2:-dev} keyref=${3:-}
  if [[ -z $keyref ]]; then
    keyref=$PKI/$name.key
    make_csr "$name" "$serial" && est_enroll "$name" T1-EU "serial=$serial&batch=B1"
    [[ $STATUS == 200 ]] || { tap_diag "EST enrollment of $serial: $STATUS $BODY"; return 1; }
  fi
  if [[ ! -s $OTA/director-root.json ]]; then
    openssl genpkey -algorithm ED25519 -out "$OTA/droot.key" 2>/dev/null && chmod 600 "$OTA/droot.key"
    "$CRADLE" director init --root-key "$OTA/droot.key" --root-threshold 1 --out "$OTA/director-root.json" \
      >/dev/null 2>&1 || { echo "# cradle director init failed"; return 1; }
  fi
  DEV=$E2E_TMP/device-$serial; mkdir -p "$DEV/slots"
  head -c 4096 /dev/urandom >"$DEV/slots/slotA"
  FACTORY_SHA=$(sha256sum "$DEV/slots/slotA" | cut -d' ' -f1)
  cat >"$DEV/health.sh" <<EOS
#!/bin/sh
echo "health \$CRADLE_VERSION" >>"$DEV/health.log"
[ -s "$DEV/health-sleep" ] && sleep "\$(cat "$DEV/health-sleep")"
exit \$(cat "$DEV/health-exit" 2>/dev/null || echo 0)
EOS
  chmod 755 "$DEV/health.sh"
  cat >"$DEV/agent.conf" <<EOS
[server]
url = $URL
ca = $CA
[identity]
cert = $PKI/$name.pem
key = $keyref
[product]
model = T1-EU
hardware_revision = r2
[trust]
image_root = $OTA_ROOT
director_root = $OTA/director-root.json
[state]
dir = $DEV/state
[download]
low_speed_time = 10
timeout = 120
[install]
backend = ab-dir
[ab-dir]
dir = $DEV/slots
[health]
command = $DEV/health.sh
timeout = 10
max_boot_attempts = 3
EOS
}

# The agent logs to stderr; it is kept in $DEV/agent.log, stdout is compared.
agent() { "$CRADLE_AGENT" -c "$DEV/agent.conf" "$@" 2>>"$DEV/agent.log"; }
# state FILTER: jq over `cradle-agent status`.
state() { agent status | jq -r "$1"; }
