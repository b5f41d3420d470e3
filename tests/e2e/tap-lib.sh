#!/usr/bin/env bash
# The TAP helpers of lib.sh themselves: every line they print is a result line
# or starts with "#", whatever the message holds (meson warns of, and
# scripts/test.sh miscounts, any other line).
source "$(dirname "$0")/lib.sh"

# all_tap TEXT: every line is "ok N ...", "not ok N ..." or "# ..."
all_tap() { ! grep -vE '^((not )?ok [0-9]+ - |# )' <<<"$1" | grep -q .; }

out=$(tap_fail "a failure" $'first line\nsecond line\nok 99 - a line that looks like a result' "third")
expect_eq "tap_fail prefixes every line of a multi-line message with a comment mark" "$(all_tap "$out" && echo yes)" yes
expect_eq "tap_fail prints one result line and four diagnostic lines" "$(grep -c '^# ' <<<"$out")/$(grep -cE '^(not )?ok ' <<<"$out")" 4/1
out=$(TAP_N=0; tap_ok $'a description\nspanning lines')
expect_eq "a multi-line description becomes one result line" "$out" "ok 1 - a description spanning lines"
out=$(TAP_N=0; tap_ok "the # sign is not a directive")
expect_eq "a hash sign in a description is escaped" "$out" 'ok 1 - the \# sign is not a directive'
out=$(TAP_N=0; tap_skip "needs a thing" "the thing is absent")
expect_eq "tap_skip prints a TAP skip directive with its reason" "$out" "ok 1 - needs a thing # SKIP the thing is absent"
out=$(tap_diag $'one\ntwo' "three")
expect_eq "tap_diag prefixes every line" "$out" $'# one\n# two\n# three'
out=$(check "a failing command" bash -c 'printf "x\ny\n"; exit 1')
expect_eq "check's failure output is all TAP" "$(all_tap "$out" && echo yes)" yes
finish
