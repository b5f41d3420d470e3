#!/usr/bin/env bash
# Quick start: install dependencies, build, create a data directory on first
# run (printing the first admin token once) and serve HTTPS on 127.0.0.1:8443.
#   scripts/quickstart.sh [DATA_DIR]     (default: ./data)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if [[ ! -f build/build.ninja ]]; then
  meson setup build -Dtests=disabled >/dev/null
fi
ninja -C build >/dev/null

data=${1:-./data}
if [[ ! -f "$data/cradled.conf" ]]; then
  # init prints the admin token (once); then serve.
  ./build/src/server/cradled init --data-dir "$data"
  # The CSAF provider directory is published at the URL this server is
  # reached at (docs/operations.md, [csaf] base_url); here that is localhost.
  # A real deployment sets its public name.
  sed -i '/^\[csaf\]/,/^\[/ s|^base_url = $|base_url = https://127.0.0.1:8443|' "$data/cradled.conf"
fi
echo "Starting cradled on https://127.0.0.1:8443 (data: $data). Stop with Ctrl-C."
exec ./build/src/server/cradled run --data-dir "$data"
