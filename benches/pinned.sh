#!/usr/bin/env bash
# CPU time and wall time per call with the client and the server on one core (taskset -c 0),
# best of REPS runs interleaved. On an idle 2-core machine a one-thread loop against a loopback server
# spends most of its CPU waking cores from idle (each call wakes the other process on the
# other core), which varies from run to run by more than the libraries differ; on one core the
# server runs as soon as the client blocks, and what is left is each client's own work, kernel
# included (unlike benches/callgrind.sh's instruction counts). Wall time on one core is the
# client's and the server's CPU together, the server's the same for every client. From the
# repository root:
#   bash benches/pinned.sh [REPS [CALLS]]          (default 7 runs of 20,000 calls)
# Each row gives the best run of each client, then the median of each run's ratio to the floor.
# FLOOR_BIN=path runs that build of the floor benchmark, and FLOOR_BEFORE_BIN=path also an
# earlier build, interleaved with it, for before and after in one run. Needs taskset
# (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-7} calls=${2:-20000}
after=${FLOOR_BIN:-$(bash benches/floor-bin.sh)}
builds=(after)
declare -A bin=([after]=$after)
if [ -n "${FLOOR_BEFORE_BIN:-}" ]; then
    builds=(before after)
    bin[before]=$FLOOR_BEFORE_BIN
fi

# LABEL CALLS FLOOR_RUNS RUST_RUNS C_RUNS (nanoseconds for CALLS calls, space-separated, run
# by run): each client's best run and its ratio to the floor's best, then the median over the
# runs of each client's time ÷ the floor's in the same run. The best runs take each client's
# luckiest moment; a ratio within one run (the three ran back to back) cancels the machine's
# drift between runs, which on a busy day moves the floor itself by 3%.
report() {
    awk -v label="$1" -v n="$2" -v f="$3" -v r="$4" -v c="$5" '
        function sorted(list, a,    k, i, j, t) {
            k = split(list, a, " ")
            for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return k
        }
        function best(list,    a) { sorted(list, a); return a[1] }
        function median(list,    a, k) {
            k = sorted(list, a)
            return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
        }
        BEGIN {
            bf = best(f); br = best(r); bc = best(c)
            printf "%s: floor %.2f µs, Rust API %.2f µs (%.3f×), C ABI %.2f µs (%.3f×)\n",
                label, bf / n / 1000, br / n / 1000, br / bf, bc / n / 1000, bc / bf
            k = split(f, fl, " "); split(r, rl, " "); split(c, cl, " ")
            for (i = 1; i <= k; i++) { rr = rr " " rl[i] / fl[i]; cr = cr " " cl[i] / fl[i] }
            printf "%s, median of each run ÷ the floor'"'"'s run just before it: Rust API %.3f×, C ABI %.3f×\n",
                label, median(rr), median(cr)
        }'
}

echo "CPU (user+sys, getrusage) and wall time per call, client and server on core 0, best of $reps runs of $calls calls; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in realistic minimal; do
    flag=$([ "$mode" = realistic ] && echo --realistic || true)
    coproc SERVER { taskset -c 0 "$after" --serve $flag; }
    read -r url <&"${SERVER[0]}"
    declare -A runs_cpu=() runs_wall=()
    for _ in $(seq "$reps"); do
        for build in "${builds[@]}"; do
            for who in floor rust c; do
                read -r cpu took < <(taskset -c 0 "${bin[$build]}" --only "$who" --calls "$calls" --url "$url" |
                    sed -n 's/^loop: .* cpu \([0-9]*\) ns, wall \([0-9]*\) ns.*/\1 \2/p')
                runs_cpu[$build-$who]+=" $cpu"
                runs_wall[$build-$who]+=" $took"
            done
        done
    done
    exec {SERVER[1]}>&-
    wait "$SERVER_PID" 2>/dev/null || true
    for build in "${builds[@]}"; do
        for what in CPU wall; do
            declare -n runs=runs_${what,,}
            report "$mode headers, $build, $what" "$calls" \
                "${runs[$build-floor]}" "${runs[$build-rust]}" "${runs[$build-c]}"
            unset -n runs
        done
    done
done
