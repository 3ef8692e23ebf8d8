#!/usr/bin/env bash
# The vendored route of the C++ binding, as a project that add_subdirectory()s hwinst gets
# it: configures bindings/cpp as a top-level CMake project (cargo builds the library into the
# repository's target/, release), builds the examples, and runs them against
# `hwinst sim serve`. The installed route (find_package) and the GoogleTest suite run from
# `cargo test --all-features` (tests/bindings_cpp.rs).
#
#   bash bindings/cpp/ci-vendored.sh [BUILD_DIR]     (default: target/cpp-vendored)
#
# Needs cmake, ninja, a C++17 compiler and nlohmann-json3-dev. HWINST_BIN may name the hwinst
# binary; otherwise `cargo build --features cli` builds it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/target/cpp-vendored}
die() { echo "ci-vendored.sh: $*" >&2; exit 1; }
for tool in cmake ninja cargo; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done

cmake -S "$root/bindings/cpp" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DHWINST_CARGO_TARGET_DIR="$root/target" -DHWINST_CPP_BUILD_EXAMPLES=ON \
    -DHWINST_CPP_BUILD_TESTS=OFF
cmake --build "$build" -j 2

# The examples link libhwinst.a: nothing of hwinst is needed at run time.
for example in show_instance wait_for_instance show_instance_static; do
    if readelf -d "$build/examples/$example" | grep -q 'libhwinst'; then
        die "$example needs libhwinst.so, though vendored hwinst is linked statically"
    fi
done

if [[ -z ${HWINST_BIN:-} ]]; then
    cargo build --quiet --manifest-path "$root/Cargo.toml" --features cli --bin hwinst
    HWINST_BIN=$(cargo metadata --no-deps --format-version 1 --manifest-path "$root/Cargo.toml" |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/debug/hwinst
fi
[[ -x $HWINST_BIN ]] || die "no hwinst binary at $HWINST_BIN"

work=$(mktemp -d)
cleanup() {
    # Closing the simulator's stdin stops it.
    if [[ -n ${sim_in:-} ]]; then exec {sim_in}>&-; fi
    if [[ -n ${sim_pid:-} ]]; then wait "$sim_pid" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/scenario.json" <<'JSON'
{"instances": [
  {"service": "roma", "id": "roma-1", "outcome": "steady"},
  {"service": "apig", "id": "apig-1", "step_ms": 300},
  {"service": "apig", "id": "apig-broken", "outcome": "fail", "step_ms": 0}
]}
JSON
# A pipe as its stdin (the coprocess's), so that it stops when this script closes it.
coproc SIM { exec "$HWINST_BIN" sim serve --addr 127.0.0.1:0 --scenario "$work/scenario.json" \
    --write-config "$work/config.json" 2>"$work/sim.log"; }
# Copies of the numbers: bash unsets SIM once the coprocess has ended.
sim_pid=$SIM_PID sim_in=${SIM[1]} sim_out=${SIM[0]}
read -r -t 60 url <&"$sim_out" || die "the simulator printed no URL: $(cat "$work/sim.log")"
echo "simulator at $url"

expect() { # NAME PATTERN FILE: FILE has a line matching PATTERN
    grep -q -- "$2" "$3" || die "$1: no '$2' in its output:
$(cat "$3")"
}
cd "$build/examples"
./show_instance "$work/config.json" roma-1 >"$work/out" 2>"$work/err" ||
    die "show_instance failed: $(cat "$work/err")"
expect show_instance '"id":"roma-1"' "$work/out"
./show_instance_static "$work/config.json" roma-1 >"$work/out" 2>"$work/err" ||
    die "show_instance_static failed: $(cat "$work/err")"
expect show_instance_static '"instance_status":6' "$work/out"
./wait_for_instance "$work/config.json" apig apig-1 '{"initial_interval_ms":20}' \
    >"$work/out" 2>"$work/err" || die "wait_for_instance failed: $(cat "$work/err")"
expect wait_for_instance '"phase":"running"' "$work/out"
expect wait_for_instance '^change 2: ' "$work/err"
status=0
./wait_for_instance "$work/config.json" apig apig-broken >"$work/out" 2>"$work/err" || status=$?
[[ $status == 3 ]] || die "wait_for_instance on a failed instance exited $status, not 3"
expect wait_for_instance 'error: INSTANCE_FAILED' "$work/err"
expect wait_for_instance 'service error: APIG.9999' "$work/err"
echo "ci-vendored: 4 passed, 0 failed"
