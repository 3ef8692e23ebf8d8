#!/usr/bin/env bash
# Instructions per call (valgrind's callgrind), for "where the gap comes from": unlike wall and
# CPU time, instruction counts repeat on a busy machine. From the repository root:
#   bash benches/callgrind.sh [N1 N2]      (default 500 and 2500 calls)
# For the floor (a bare ureq loop + serde_json::Value), the Rust API and the C ABI, against
# benches/floor.rs's responders (realistic headers, then minimal ones): each client makes N1
# and then N2 calls under callgrind, and per call = (Ir(N2) - Ir(N1)) / (N2 - N1), which
# leaves out start-up, the connection and the first call. Then the functions that account for
# most of the difference between the Rust API and the floor (realistic headers), per call.
# Needs valgrind (callgrind_annotate) and python3. Kernel time is not counted: syscalls are
# the same for every client (scripts/bench-c.sh counts them).
set -euo pipefail
cd "$(dirname "$0")/.."
n1=${1:-500} n2=${2:-2500}

bench=$(cargo bench --features sim --bench floor --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*"' | grep '/floor-' | tail -1 | sed 's/"executable":"\(.*\)"/\1/')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

instructions() { # FILE: the total instructions callgrind collected
    callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

for mode in realistic minimal; do
    flag=$([ "$mode" = realistic ] && echo --realistic || true)
    coproc SERVER { "$bench" --serve $flag; }
    read -r url <&"${SERVER[0]}"
    declare -A per
    for who in floor rust c; do
        for n in "$n1" "$n2"; do
            valgrind --tool=callgrind --callgrind-out-file="$tmp/$mode-$who-$n" \
                "$bench" --only "$who" --calls "$n" --url "$url" >/dev/null 2>&1
        done
        a=$(instructions "$tmp/$mode-$who-$n1") b=$(instructions "$tmp/$mode-$who-$n2")
        per[$who]=$(( (b - a) / (n2 - n1) ))
    done
    exec {SERVER[1]}>&-
    wait "$SERVER_PID" 2>/dev/null || true
    echo "$mode headers: instructions per call: floor ${per[floor]}, Rust API ${per[rust]}" \
        "($(awk "BEGIN{printf \"%.2f\", ${per[rust]}/${per[floor]}}")×)," \
        "C ABI ${per[c]} ($(awk "BEGIN{printf \"%.2f\", ${per[c]}/${per[floor]}}")×)"
done

echo "--- Rust API minus floor, realistic headers, instructions per call (self cost, top 30)"
for who in floor rust; do
    callgrind_annotate --threshold=100 "$tmp/realistic-$who-$n2" 2>/dev/null > "$tmp/$who.txt"
done
python3 - "$tmp/floor.txt" "$tmp/rust.txt" "$n2" <<'PY'
import re, sys
def load(path):
    costs = {}
    for line in open(path):
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(?:[^:\s]+:(?!:))?(.*?)(?: \[.*\])?$", line)
        if m and "PROGRAM TOTALS" not in line:
            name = m.group(2)
            costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs
floor, rust, calls = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
diff = sorted(((rust.get(k, 0) - floor.get(k, 0)) / calls, k) for k in set(floor) | set(rust))
for d, name in diff[::-1][:30]:
    print(f"{d:8.0f}  {name[:140]}")
PY
