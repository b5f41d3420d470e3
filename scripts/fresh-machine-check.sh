#!/usr/bin/env bash
# Checks that the README's Quick start works on a fresh Debian 12 machine:
# builds a minimal bookworm root with debootstrap (only git added), puts a clone
# of the committed tree in it, and runs, inside a chroot:
#   scripts/quickstart.sh   until the server answers /healthz, then the CLI's
#                           `whoami` with the printed admin token; then stops it
#   scripts/test.sh         to its final "N passed, N failed" line
# It reports the time of each and that line. Not part of scripts/test.sh: it
# needs root, the network (apt, npm) and about half an hour.
#
# The chroot runs in its own network namespace when the host allows it (a veth
# pair with NAT to reach the Debian mirror and the npm registry), so its servers
# on 127.0.0.1 cannot collide with the host's; otherwise it shares the host's
# network and says so.
#
#   scripts/fresh-machine-check.sh [--keep] [--rev REV]
#     --keep     leave the root in place (its path is printed) for inspection
#     --rev REV  the commit to check (default HEAD; uncommitted changes are not copied)
# Environment: CRADLE_FRESH_DIR (parent of the root, default /var/tmp),
#              CRADLE_FRESH_MIRROR (Debian mirror; default: the host's, if it answers),
#              CRADLE_FRESH_CACHE (debootstrap's package download cache).
# The host's extra CAs (/usr/local/share/ca-certificates) are trusted inside.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)

keep=0
rev=HEAD
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) keep=1 ;;
    --rev) rev=${2:?--rev needs a commit}; shift ;;
    *) echo "usage: scripts/fresh-machine-check.sh [--keep] [--rev REV]" >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'fresh-machine-check: %s\n' "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot, mounts)"
commit=$(git -C "$src" rev-parse --verify "$rev^{commit}") || die "no commit '$rev' in $src"
if [[ -n $(git -C "$src" status --porcelain --untracked-files=no) ]]; then
  say "note: $src has uncommitted changes; they are NOT part of this check"
fi

# --- host tools -------------------------------------------------------------
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v unshare >/dev/null || need+=(util-linux)
command -v ip >/dev/null || need+=(iproute2)
command -v curl >/dev/null || need+=(curl)
if [[ ${#need[@]} -gt 0 ]]; then
  say "installing on the host: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi

# --- a reachable mirror: the host's own first, then deb.debian.org ------------
mirror_ok() { curl -fsSI --max-time 15 "$1/dists/bookworm/Release" >/dev/null 2>&1; }
candidates=()
[[ -n ${CRADLE_FRESH_MIRROR:-} ]] && candidates+=("$CRADLE_FRESH_MIRROR")
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
  [[ -f $f ]] || continue
  while read -r u; do [[ $u == */debian ]] && candidates+=("$u"); done \
    < <(grep -v '^[[:space:]]*#' "$f" | grep -oE 'https?://[^ ]+/debian' || true)
done
candidates+=(http://deb.debian.org/debian)
mirror=
for m in "${candidates[@]}"; do
  if mirror_ok "$m"; then mirror=$m; break; fi
  say "mirror $m does not answer"
done
[[ -n $mirror ]] || die "no Debian mirror answers (tried: ${candidates[*]})"
say "mirror: $mirror"

# --- cleanup on any exit ------------------------------------------------------
parent=${CRADLE_FRESH_DIR:-/var/tmp}
work=$(mktemp -d "$parent/cradle-fresh.XXXXXX")
root=$work/root
logs=$parent/cradle-fresh-logs.$(date -u +%Y%m%dT%H%M%SZ).${commit:0:12}
ns=
veth=
nat_rule=()
fwd_rules=()
old_forward=
cleanup() {
  local rc=$?
  set +e
  # Processes still inside the root (a server the check started, a test left behind).
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/root" 2>/dev/null) == "$root"* ]] && kill -KILL "${p#/proc/}" 2>/dev/null
  done
  # The chroot's mounts live in a private mount namespace and die with it;
  # these are for a root kept or a namespace that outlived its process.
  for m in dev/shm dev/pts dev sys proc; do
    mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
  done
  [[ ${#nat_rule[@]} -gt 0 ]] && iptables -t nat -D POSTROUTING "${nat_rule[@]}" 2>/dev/null
  for r in "${fwd_rules[@]}"; do
    # shellcheck disable=SC2086
    iptables -D FORWARD $r 2>/dev/null
  done
  [[ -n $old_forward ]] && sysctl -qw net.ipv4.ip_forward="$old_forward"
  [[ -n $veth ]] && ip link del "$veth" 2>/dev/null
  [[ -n $ns ]] && ip netns del "$ns" 2>/dev/null
  # The logs outlive the root.
  mkdir -p "$logs"
  cp "$work"/*.log "$work"/result.txt "$root"/root/*.log "$logs"/ 2>/dev/null
  say "logs: $logs"
  if [[ $keep -eq 1 ]]; then say "kept the root: $root"; else rm -rf --one-file-system "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the root -------------------------------------------------------------------
say "debootstrap bookworm (minbase + git) into $root"
t0=$SECONDS
# Downloaded packages are kept between runs (the same files a fresh machine
# downloads; only the download is saved, not any installed state).
cache=${CRADLE_FRESH_CACHE:-/var/cache/cradle-fresh-debootstrap}
mkdir -p "$cache"
debootstrap --variant=minbase --include=git --cache-dir="$cache" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log"; die "debootstrap failed (log above)"; }
say "debootstrap took $((SECONDS - t0)) s"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The host's own extra CAs (an egress proxy that inspects TLS, a company CA):
# without them npm cannot reach its registry from inside, which would be a
# fact about this network, not about Cradle. The ca-certificates package,
# which install-deps.sh installs, picks them up from here.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  say "trusting the host's extra CAs inside: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi
grep -qs localhost "$root/etc/hosts" || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
git clone -q --no-checkout "$src" "$root/root/cradle"
git -C "$root/root/cradle" checkout -q --detach "$commit"
say "checking commit $commit"

# --- a private network namespace with NAT, when possible -------------------------
run_prefix=()
netmode="the host's network (no private namespace)"
try_netns() {
  command -v iptables >/dev/null || { say "no iptables on the host: cannot NAT a namespace"; return 1; }
  local n=$$ sub=10.$((200 + RANDOM % 50)).$((RANDOM % 250)) out
  ns=cradle-fresh-$n veth=cfr$n
  ip netns add "$ns" || { ns=; return 1; }
  ip link add "$veth" type veth peer name "${veth}p" || { veth=; return 1; }
  ip link set "${veth}p" netns "$ns" || return 1
  ip addr add "$sub.1/30" dev "$veth" && ip link set "$veth" up || return 1
  ip netns exec "$ns" ip addr add "$sub.2/30" dev "${veth}p" || return 1
  ip netns exec "$ns" ip link set "${veth}p" up || return 1
  ip netns exec "$ns" ip link set lo up || return 1
  ip netns exec "$ns" ip route add default via "$sub.1" || return 1
  old_forward=$(sysctl -n net.ipv4.ip_forward)
  sysctl -qw net.ipv4.ip_forward=1 || return 1
  nat_rule=(-s "$sub.0/30" -j MASQUERADE)
  iptables -t nat -A POSTROUTING "${nat_rule[@]}" || { nat_rule=(); return 1; }
  for r in "-s $sub.0/30 -j ACCEPT" "-d $sub.0/30 -j ACCEPT"; do
    # shellcheck disable=SC2086
    iptables -A FORWARD $r && fwd_rules+=("$r")
  done
  out=$(ip netns exec "$ns" timeout 20 curl -fsSI --max-time 15 "$mirror/dists/bookworm/Release" 2>&1) \
    || { say "the namespace cannot reach $mirror through NAT: $out"; return 1; }
  return 0
}
if try_netns; then
  run_prefix=(ip netns exec "$ns")
  netmode="a private network namespace ($ns, NAT through $veth)"
else
  say "falling back to the host's network"
fi
say "network: $netmode"

# --- the two commands -------------------------------------------------------------
cat >"$root/root/fresh-run.sh" <<'INNER'
#!/bin/bash
# Runs inside the chroot. Prints "TIME name seconds rc" lines for the outer script.
set -u
export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
cd /root/cradle || exit 1

t0=$SECONDS
scripts/quickstart.sh >/root/quickstart.log 2>&1 &
qs=$!
ready=0
for _ in $(seq 1 3600); do   # building from nothing takes minutes
  # First run: `cradled init`, then `cradled run`; later runs: `cradled run`. Both
  # log this line once the server accepts connections.
  if grep -q "listening on https://127.0.0.1:8443" /root/quickstart.log 2>/dev/null; then ready=1; break; fi
  kill -0 "$qs" 2>/dev/null || break
  sleep 1
done
qs_time=$((SECONDS - t0))
if [[ $ready -eq 1 ]]; then
  token=$(grep -oE 'cradle_[0-9a-f]{16}_[A-Za-z0-9_-]{43}' /root/quickstart.log | head -n1)
  if CRADLE_URL=https://127.0.0.1:8443 CRADLE_CA=$PWD/data/tls/ca.pem CRADLE_TOKEN=$token \
       build/src/cli/cradle whoami >/root/whoami.log 2>&1; then
    echo "TIME quickstart $qs_time 0"
  else
    echo "TIME quickstart $qs_time 1"; echo "# cradle whoami failed:"; sed 's/^/#   /' /root/whoami.log
  fi
else
  echo "TIME quickstart $qs_time 1"; echo "# the quickstart server never came up:"; tail -n 30 /root/quickstart.log | sed 's/^/#   /'
fi
kill -TERM "$qs" 2>/dev/null; wait "$qs" 2>/dev/null

t0=$SECONDS
scripts/test.sh >/root/test.log 2>&1
rc=$?
echo "TIME test $((SECONDS - t0)) $rc"
echo "LAST $(tail -n 1 /root/test.log)"
INNER
chmod +x "$root/root/fresh-run.sh"

say "running scripts/quickstart.sh then scripts/test.sh inside the root (logs: $root/root/*.log)"
t0=$SECONDS
# A private mount namespace: the chroot's /proc, /sys, /dev mounts vanish with it.
"${run_prefix[@]}" unshare --mount --propagation private bash -c '
  set -e; r=$1
  mount -t proc proc "$r/proc"
  mount -t sysfs sysfs "$r/sys"
  mount --bind /dev "$r/dev"
  mount --bind /dev/pts "$r/dev/pts"
  mount -t tmpfs -o mode=1777 shm "$r/dev/shm"
  exec chroot "$r" /root/fresh-run.sh' _ "$root" | tee "$work/result.txt" | grep -v '^TIME\|^LAST' || true
total=$((SECONDS - t0))

qs=$(awk '$1=="TIME" && $2=="quickstart" {print $3 " s, " ($4==0 ? "server up and whoami OK" : "FAILED")}' "$work/result.txt")
ts=$(awk '$1=="TIME" && $2=="test" {print $3 " s, exit " $4}' "$work/result.txt")
last=$(sed -n 's/^LAST //p' "$work/result.txt")
echo
say "commit:              $commit"
say "root:                Debian 12 (debootstrap --variant=minbase, + git) from $mirror"
say "network:             $netmode"
say "scripts/quickstart.sh: ${qs:-did not run}"
say "scripts/test.sh:       ${ts:-did not run}"
say "test.sh last line:   ${last:-none}"
say "total in the root:   $total s"
if [[ ${last:-} =~ ^[0-9]+\ passed,\ 0\ failed$ && ${qs:-} == *OK ]]; then
  say "RESULT: PASS"
else
  say "RESULT: FAIL"
  [[ -f $root/root/test.log ]] && { say "failing tests (from test.log):"; grep -E '^not ok|FAIL|ERROR' "$root/root/test.log" | head -n 40 || true; }
  exit 1
fi
