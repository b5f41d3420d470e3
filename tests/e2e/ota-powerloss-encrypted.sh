#!/usr/bin/env bash
# The powerloss suite (ota-powerloss.sh) with every release uploaded encrypted
# (cradle release upload --encrypt; docs/ota.md, "Encrypted payloads").
export OTA_UPLOAD_FLAGS=--encrypt
exec bash "$(dirname "$0")/ota-powerloss.sh"
