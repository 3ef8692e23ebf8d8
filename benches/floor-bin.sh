#!/usr/bin/env bash
# Builds the floor benchmark (benches/floor.rs, release) and prints its executable's path: the
# one place scripts/bench-c.sh, benches/callgrind.sh and benches/pinned.sh find it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --features sim --bench floor --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*"' | grep '/floor-' | tail -1 | sed 's/"executable":"\(.*\)"/\1/'
