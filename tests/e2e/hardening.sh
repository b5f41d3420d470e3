#!/usr/bin/env bash
# The binaries carry the hardening DESIGN.md asks for: PIE, full RELRO
# (BIND_NOW + GNU_RELRO), a non-executable stack, stack protector.
source "$(dirname "$0")/lib.sh"
for bin in "$CRADLED" "$CRADLE"; do
  name=$(basename "$bin")
  expect_match "$name is a position-independent executable" "$(readelf -h "$bin")" 'DYN \(Position-Independent Executable'
  expect_match "$name binds now (full RELRO)" "$(readelf -d "$bin")" 'BIND_NOW|Flags: NOW'
  expect_match "$name has a RELRO segment" "$(readelf -lW "$bin")" 'GNU_RELRO'
  expect_nomatch "$name has no executable stack" "$(readelf -lW "$bin" | grep GNU_STACK)" 'RWE'
  expect_match "$name is built with the stack protector" "$(readelf -sW --dyn-syms "$bin")" '__stack_chk_fail'
done
finish
