#!/usr/bin/env bash
# Instructions per call (valgrind's callgrind), for "where the gap comes from": unlike wall and
# CPU time, instruction counts repeat on a busy machine. From the repository root:
#   bash benches/callgrind.sh [N1 N2]        (default 500 and 2500 calls; then the list page)
#   bash benches/callgrind.sh calls [N1 N2]  (the calls only)
#   bash benches/callgrind.sh page [P1 P2]   (the list page only; default 2 and 7 pages)
# (FLOOR_BIN=path runs that build of the floor benchmark instead of building this one, and
# FLOOR_SERVER_BIN=path that build's responders: an earlier build's clients, this one's pages.)
# For the floor (a bare ureq loop + serde_json::Value), the Rust API and the C ABI, against
# benches/floor.rs's responders (realistic headers, then minimal ones): each client makes N1
# and then N2 calls under callgrind, and per call = (Ir(N2) - Ir(N1)) / (N2 - N1), which
# leaves out start-up, the connection and the first call. Then the functions that account for
# most of the difference between the Rust API and the floor (realistic headers), per call.
# The list page: the 2,000-instance ROMA list page of benches/floor.rs (realistic headers) through
# the floor, the Rust API and the C ABI (hwinst_roma_list_instances, and hwinst_roma_list_page),
# instructions per page the same way, then the functions that account for most of the
# difference between the Rust API and the floor, per page.
# Needs valgrind (callgrind_annotate) and python3. Kernel time is not counted (the clients make
# the same syscalls per call, `strace -c` shows; benches/pinned.sh measures CPU time, kernel
# included).
set -euo pipefail
cd "$(dirname "$0")/.."
sections="calls page"
case "${1:-}" in calls | page) sections=$1; shift ;; esac
n1=${1:-500} n2=${2:-2500}
[ "$sections" = page ] && n1=${1:-2} n2=${2:-7}
p1=2 p2=7
[ "$sections" = page ] && p1=$n1 p2=$n2

# FLOOR_BIN=path: that build of the floor benchmark instead (e.g. a copy of an earlier one, to
# compare before and after in one run).
bench=${FLOOR_BIN:-$(bash benches/floor-bin.sh)}
server=${FLOOR_SERVER_BIN:-$bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

instructions() { # FILE: the total instructions callgrind collected
    callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

per_call() { # WHO URL N1 N2 OUT_PREFIX: instructions per call of `--only WHO` between N1 and
    # N2 calls (the callgrind files stay as OUT_PREFIX-N)
    for n in "$3" "$4"; do
        valgrind --tool=callgrind --callgrind-out-file="$5-$n" \
            "$bench" --only "$1" --calls "$n" --url "$2" >/dev/null 2>&1
    done
    echo $(( ($(instructions "$5-$4") - $(instructions "$5-$3")) / ($4 - $3) ))
}

ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }

difference() { # FLOOR_OUT CLIENT_OUT N: the top 30 functions by self cost, client minus floor, per N
    callgrind_annotate --threshold=100 "$1" 2>/dev/null > "$tmp/floor.txt"
    callgrind_annotate --threshold=100 "$2" 2>/dev/null > "$tmp/client.txt"
    python3 - "$tmp/floor.txt" "$tmp/client.txt" "$3" <<'PY'
import re, sys
def load(path):
    costs = {}
    for line in open(path):
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(?:[^:\s]+:(?!:))?(.*?)(?: \[.*\])?$", line)
        if m and "PROGRAM TOTALS" not in line:
            name = m.group(2)
            costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs
floor, client, calls = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
diff = sorted(((client.get(k, 0) - floor.get(k, 0)) / calls, k) for k in set(floor) | set(client))
for d, name in diff[::-1][:30]:
    print(f"{d:8.0f}  {name[:140]}")
PY
}

if [[ $sections == *calls* ]]; then
    for mode in realistic minimal; do
        flag=$([ "$mode" = realistic ] && echo --realistic || true)
        coproc SERVER { "$server" --serve $flag; }
        read -r url <&"${SERVER[0]}"
        declare -A per
        for who in floor rust c; do
            per[$who]=$(per_call "$who" "$url" "$n1" "$n2" "$tmp/$mode-$who")
        done
        exec {SERVER[1]}>&-
        wait "$SERVER_PID" 2>/dev/null || true
        echo "$mode headers: instructions per call: floor ${per[floor]}, Rust API ${per[rust]}" \
            "($(ratio "${per[rust]}" "${per[floor]}")×)," \
            "C ABI ${per[c]} ($(ratio "${per[c]}" "${per[floor]}")×)"
    done

    echo "--- Rust API minus floor, realistic headers, instructions per call (self cost, top 30)"
    difference "$tmp/realistic-floor-$n2" "$tmp/realistic-rust-$n2" "$n2"
fi

if [[ $sections == *page* ]]; then
    coproc SERVER { "$server" --serve --realistic; }
    read -r url <&"${SERVER[0]}"
    declare -A page
    for who in page-floor page-rust page-c page-c-step; do
        page[$who]=$(per_call "$who" "$url" "$p1" "$p2" "$tmp/$who")
    done
    exec {SERVER[1]}>&-
    wait "$SERVER_PID" 2>/dev/null || true
    echo "the 2,000-instance list page: instructions per page: floor ${page[page-floor]}," \
        "Rust API ${page[page-rust]} ($(ratio "${page[page-rust]}" "${page[page-floor]}")×)," \
        "C ABI list_instances ${page[page-c]} ($(ratio "${page[page-c]}" "${page[page-floor]}")×)," \
        "C ABI list_page ${page[page-c-step]} ($(ratio "${page[page-c-step]}" "${page[page-floor]}")×)"
    echo "--- Rust API minus floor, the list page, instructions per page (self cost, top 30)"
    difference "$tmp/page-floor-$p2" "$tmp/page-rust-$p2" "$p2"
    echo "--- C ABI (list_instances) minus Rust API, the list page, per page (self cost, top 30)"
    difference "$tmp/page-rust-$p2" "$tmp/page-c-$p2" "$p2"
fi
