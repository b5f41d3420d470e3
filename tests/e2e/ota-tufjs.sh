#!/usr/bin/env bash
# Interop: tuf-js (the npm TUF client, written by others) refreshes a product's
# image repository from a running cradled and downloads a target; then it is
# pointed at tampered copies of that repository and must refuse each.
source "$(dirname "$0")/lib.sh"

TJ=$CRADLE_SOURCE_ROOT/tests/interop/tuf-js
# tuf-js comes from the npm registry (tests/interop/tuf-js/package-lock.json)
# the first time. A registry that cannot be reached at all (no name, no route,
# no connection, no answer) is a fact about this machine, not about Cradle:
# one SKIP line saying so. A registry that answers wrongly (a TLS certificate
# npm does not trust, an HTTP error) and any failure of the install itself
# are failures, with npm's words.
if [[ ! -d $TJ/node_modules/tuf-js ]]; then
  registry=$(cd "$TJ" && npm config get registry 2>/dev/null)
  registry=${registry:-https://registry.npmjs.org/}
  if ! ping_out=$(cd "$TJ" && timeout 60 npm ping --fetch-timeout=20000 --fetch-retries=1 2>&1); then
    code=$(grep -m1 -oE 'code [A-Z_]+' <<<"$ping_out" | cut -d' ' -f2)
    case ${code:-TIMEOUT} in
      ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|TIMEOUT)
        tap_skip "tuf-js interop (refresh, download, eight attacks)" \
          "npm registry unreachable: npm ping $registry: ${code:-no answer within 60 s}"
        finish; exit 0 ;;
      *)
        tap_fail "npm ping $registry answers (it is reachable, but: ${code:-see below})" "$(tail -n 8 <<<"$ping_out")"
        finish; exit 1 ;;
    esac
  fi
  if ! ci_out=$(cd "$TJ" && timeout 600 npm ci --no-audit --no-fund 2>&1); then
    tap_fail "npm ci installs tuf-js from ${registry:-the npm registry} (which answers npm ping)" "$(tail -n 20 <<<"$ci_out")"
    finish; exit 1
  fi
fi
tufjs() { # tufjs METADATA_URL TARGETS_URL WORKDIR TARGET
  local o; o=$(NODE_EXTRA_CA_CERTS=$CA node "$TJ/refresh.mjs" "$1" "$2" "$OTA_ROOT" "$3" "$4" 2>&1); echo "# tuf-js: $o" >&2; echo "$o"
}

init_server && start_server || { tap_fail "server starts"; finish; exit 1; }
ota_setup --no-identity || { tap_fail "ota setup"; finish; exit 1; }
first_sha=$IMG_SHA
out=$(tufjs "$OTA_REPO_URL/" "$OTA_REPO_URL/targets/" "$E2E_TMP/tj1" 1.0.0/rootfs.img)
expect_eq "tuf-js refreshes the live repository and downloads the target" "$out" "OK $first_sha"

ota_publish 1.1.0 2 || tap_fail "publish 1.1.0"
out=$(tufjs "$OTA_REPO_URL/" "$OTA_REPO_URL/targets/" "$E2E_TMP/tj1" 1.1.0/rootfs.img)
expect_eq "tuf-js follows a second publication (same trusted store)" "$out" "OK $IMG_SHA"

# Tampered mirrors of the repository, served over plain HTTP by a tiny node server.
repo=$DATA/repo/$OTA_MODEL
mirror() { # mirror NAME: copy the live repository to $E2E_TMP/m-NAME and print its URL
  rm -rf "$E2E_TMP/m-$1"; cp -rL "$repo" "$E2E_TMP/m-$1"; echo "http://127.0.0.1:$MPORT/m-$1"
}
MPORT=$(free_port)
node "$TJ/serve.mjs" "$E2E_TMP" "$MPORT" >/dev/null 2>&1 & MPID=$!
trap 'kill $MPID 2>/dev/null; stop_server' EXIT
sleep 0.5
out=$(tufjs "$(mirror clean)/" "http://127.0.0.1:$MPORT/m-clean/targets/" "$E2E_TMP/tj-clean" 1.1.0/rootfs.img)
expect_eq "an untouched mirror is accepted" "$out" "OK $IMG_SHA"

ts_ver=$(jq .signed.version "$repo/timestamp.json")
sn=$(jq -r '.signed.meta["snapshot.json"].version' "$repo/timestamp.json")
tg=$(jq -r '.signed.meta["targets.json"].version' "$repo/$sn.snapshot.json")

# Arbitrary installation: the target's bytes replaced.
u=$(mirror arb); f=$(ls "$E2E_TMP/m-arb/targets/1.1.0/"*.rootfs.img); head -c "$IMG_LEN" /dev/urandom >"$f"
out=$(tufjs "$u/" "$u/targets/" "$E2E_TMP/tj-arb" 1.1.0/rootfs.img)
expect_match "arbitrary installation (replaced image) is refused for its hash" "$out" '^REFUSED.*[Ee]xpected hash'
# Endless data: the target grows past its listed length.
u=$(mirror endless); f=$(ls "$E2E_TMP/m-endless/targets/1.1.0/"*.rootfs.img); head -c 100000 /dev/zero >>"$f"
out=$(tufjs "$u/" "$u/targets/" "$E2E_TMP/tj-endless" 1.1.0/rootfs.img)
expect_match "endless data (target longer than listed) is refused at its length" "$out" '^REFUSED.*Max length'
# Malicious mirror: signed metadata edited (a target's length), signatures left as they were.
u=$(mirror evil)
jq -c ".signed.targets[\"1.1.0/rootfs.img\"].length = 1" "$E2E_TMP/m-evil/$tg.targets.json" >"$E2E_TMP/t.json" && mv "$E2E_TMP/t.json" "$E2E_TMP/m-evil/$tg.targets.json"
out=$(tufjs "$u/" "$u/targets/" "$E2E_TMP/tj-evil" 1.1.0/rootfs.img)
expect_match "a mirror serving edited targets metadata is refused" "$out" '^REFUSED.*(length|hash|[Ss]ignature)'
# Extraneous target: a target added to signed metadata without the offline keys.
u=$(mirror extra)
jq -c ".signed.targets[\"9.9.9/evil.img\"] = .signed.targets[\"1.1.0/rootfs.img\"]" "$E2E_TMP/m-extra/$tg.targets.json" >"$E2E_TMP/t.json" && mv "$E2E_TMP/t.json" "$E2E_TMP/m-extra/$tg.targets.json"
out=$(tufjs "$u/" "$u/targets/" "$E2E_TMP/tj-extra" 9.9.9/evil.img)
expect_match "an extraneous target added without the targets keys is refused" "$out" '^REFUSED.*(length|hash|[Ss]ignature)'
# Mix-and-match: the current snapshot number serving the previous targets metadata.
u=$(mirror mix); cp "$E2E_TMP/m-mix/$((tg - 1)).targets.json" "$E2E_TMP/m-mix/$tg.targets.json"
out=$(tufjs "$u/" "$u/targets/" "$E2E_TMP/tj-mix" 1.1.0/rootfs.img)
expect_match "mix-and-match (old targets under the new snapshot) is refused" "$out" '^REFUSED.*(length|hash|version)'
# Endless data in metadata: a huge timestamp.json.
u=$(mirror bigts); head -c 20000000 /dev/zero | tr '\0' ' ' >>"$E2E_TMP/m-bigts/timestamp.json"
out=$(tufjs "$u/" "$u/targets/" "$E2E_TMP/tj-bigts" 1.1.0/rootfs.img)
expect_match "an endless timestamp.json is refused at its length" "$out" '^REFUSED.*Max length'
# Rollback: a client that saw the newer timestamp is served the older one.
cp -rL "$repo" "$E2E_TMP/old-repo"
ota_publish 1.2.0 3 || tap_fail "publish 1.2.0"
out=$(tufjs "$OTA_REPO_URL/" "$OTA_REPO_URL/targets/" "$E2E_TMP/tj-roll" 1.2.0/rootfs.img)
expect_eq "the client first sees the newest publication" "$out" "OK $IMG_SHA"
rm -rf "$E2E_TMP/m-roll"; cp -r "$E2E_TMP/old-repo" "$E2E_TMP/m-roll"
out=$(tufjs "http://127.0.0.1:$MPORT/m-roll/" "http://127.0.0.1:$MPORT/m-roll/targets/" "$E2E_TMP/tj-roll" 1.1.0/rootfs.img)
expect_match "rollback to an older timestamp is refused" "$out" '^REFUSED.*less than current version'
finish
