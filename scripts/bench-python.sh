#!/usr/bin/env bash
# The Python binding's benchmark (issue 20; not a test): calls per second and CPU per call of
# one APIG progress call from the C ABI, the Python binding, ctypes alone and the official
# Python SDK, side by side in one run against the same local simulator
# (bindings/python/bench/run.py says how it measures). From the repository root:
#
#   bash scripts/bench-python.sh [--calls N] [--sdk-calls N] [--rounds R] [--baseline SRC_DIR]
#                                [--instructions]
#
# --baseline SRC_DIR adds a row for another version of the binding, its sources in SRC_DIR (a
# copy of bindings/python/src from before a change), on the same library, in the same rounds.
# --instructions adds each client's instructions per call, counted by valgrind's callgrind
# (robust to the machine's load; needs valgrind).
#
# `taskset -c 0 bash scripts/bench-python.sh ...` runs everything on one core (the simulator and
# each client), as benches/pinned.sh does for the library: on an idle 2-core machine an
# unpinned client spends most of its CPU waking from idle on the other core, more for a Python
# process (its caches go cold) than for the C client, and the rounds vary by a third.
#
# It builds what it needs: the release libhwinst.so, the binding in target/python-venv
# (as scripts/test-python), the C client, the release hwinst binary for the simulator, and the official SDK in
# target/sdk-venv (scripts/sdk-venv.sh, plus huaweicloudsdkapig of the same version: PyPI once).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --lib --quiet
# The simulator optimised too: on two cores a debug server's own work evicts the clients'
# caches between calls and inflates every client's CPU per call (the binding's most).
cargo build --release --features cli --quiet
sim=target/release/hwinst

venv=target/python-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings/python

sdk=$(bash scripts/sdk-venv.sh)
sdk_version=$("$sdk" -c 'from importlib.metadata import version; print(version("huaweicloudsdkcore"))')
"$sdk" -c 'import huaweicloudsdkapig' 2>/dev/null ||
    "$sdk" -m pip install --quiet --disable-pip-version-check "huaweicloudsdkapig==$sdk_version"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Linked with the libhwinst.so the binding loads (a copy under its SONAME, found through the
# rpath).
cp target/release/libhwinst.so "$tmp/libhwinst.so.0.1"
cc -O2 -Wall -Iinclude bindings/python/bench/client_c.c target/release/libhwinst.so \
    -Wl,-rpath,"$tmp" -o "$tmp/client_c"

echo "simulator: $sim; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$venv/bin/python" bindings/python/bench/run.py --sim "$sim" --c "$tmp/client_c" \
    --python "$venv/bin/python" --sdk "$sdk" "$@"
