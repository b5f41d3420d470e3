#!/usr/bin/env bash
# The agent's link line is a design constraint (DESIGN.md): cradle-agent may
# depend on the device half of libcradle (linked statically), libcurl and
# libubootenv, and never on SQLite or libmicrohttpd — not directly, and not
# through anything it loads. Prints TAP.
#   check-agent-links.sh PATH/TO/cradle-agent
set -uo pipefail
bin=${1:?usage: check-agent-links.sh CRADLE_AGENT}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do while IFS= read -r x || [[ -n $x ]]; do echo "#   $x"; done <<<"$l"; done; }

needed=$(readelf -d "$bin" 2>&1 | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[[ -n $needed ]] && ok "readelf lists the agent's NEEDED libraries" || notok "readelf -d $bin" "$needed"
# Everything the dynamic loader would load, transitively.
all=$(ldd "$bin" 2>&1 | awk '{print $1}')

for forbidden in libsqlite3 libmicrohttpd libpq; do
  if grep -q "^$forbidden" <<<"$needed"$'\n'"$all"; then
    notok "no $forbidden in the agent's link line" "NEEDED: $(tr '\n' ' ' <<<"$needed")"
  else
    ok "no $forbidden in the agent's link line"
  fi
done
for required in libcurl libubootenv libgnutls libjansson; do
  if grep -q "^$required" <<<"$needed"; then ok "links $required"; else notok "links $required" "NEEDED: $(tr '\n' ' ' <<<"$needed")"; fi
done
# No code of the server half may have been pulled in statically either: no
# SQLite or libmicrohttpd symbol, and none of libcradle's store API (global
# store_* functions; the TUF client has static helpers of that name).
syms=$(nm "$bin" 2>/dev/null | grep -E ' [TDB] store_| [TtDdBb] (sqlite3_|MHD_)' | head -5)
if [[ -n $syms ]]; then
  notok "no store_/sqlite3_/MHD_ symbols in the agent" $syms
else
  ok "no store_/sqlite3_/MHD_ symbols in the agent"
fi
# The hardened build DESIGN.md asks for, on the binary that ships to devices.
hdr=$(readelf -h "$bin" 2>/dev/null); dyn=$(readelf -d "$bin" 2>/dev/null); seg=$(readelf -lW "$bin" 2>/dev/null)
if grep -q 'Type: *DYN' <<<"$hdr"; then ok "the agent is PIE"; else notok "the agent is PIE"; fi
if grep -q 'GNU_RELRO' <<<"$seg" && grep -qE 'BIND_NOW|FLAGS.*NOW' <<<"$dyn"; then ok "full RELRO"; else notok "full RELRO"; fi
if grep -E 'GNU_STACK' <<<"$seg" | grep -q 'RWE'; then notok "non-executable stack"; else ok "non-executable stack"; fi
echo "1..$n"
[[ $failed -eq 0 ]]
