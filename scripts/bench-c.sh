#!/usr/bin/env bash
# The C-side measurements of issue 16, in one command (from the repository root):
#   - the size of the stripped release libhwinst.so;
#   - the resident memory of a C program holding one client over 20,000 calls
#     (benches/c/rss.c, linked with libhwinst.a), and its 1,000 hwinst_lifecycle calls;
#   - with strace installed: syscalls per call of the floor (a bare ureq loop) and of the C ABI
#     (strace -f -c of 2,000 and 4,000 calls each; per call = the difference / 2,000).
# The server is benches/floor.rs's static responder (`--serve`), on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --lib --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

strip -o "$tmp/libhwinst.so" target/release/libhwinst.so
size=$(stat -c %s "$tmp/libhwinst.so")
echo "stripped libhwinst.so: $size bytes ($(awk "BEGIN{printf \"%.2f\", $size/1048576}") MiB)"

libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
cc -O2 -Wall -Iinclude benches/c/rss.c target/release/libhwinst.a $libs -o "$tmp/rss"

bench=$(bash benches/floor-bin.sh)
coproc SERVER { "$bench" --serve; }
read -r url <&"${SERVER[0]}"
echo "server: $url"

echo "--- one C client, 20,000 calls"
"$tmp/rss" "$url" 20000

if command -v strace >/dev/null; then
    echo "--- strace -f -c (syscalls; per call = (4,000 calls - 2,000 calls) / 2,000)"
    for who in floor c; do
        for n in 2000 4000; do
            strace -f -c -o "$tmp/$who-$n" "$bench" --only "$who" --calls "$n" --url "$url"
        done
        count() { awk -v s="$2" '$NF == s { print $4 }' "$tmp/$who-$1"; }
        total2=$(count 2000 total) total4=$(count 4000 total)
        clone2=$(count 2000 clone3) clone2=${clone2:-0}
        echo "$who: 2,000 calls: $total2 syscalls, $clone2 clone3;" \
            "per call: $(awk "BEGIN{printf \"%.2f\", ($total4-$total2)/2000}")"
        sort -k4 -n -r "$tmp/$who-4000" | awk 'NF>=5 && $NF!="total" && $NF!="syscall" {print "    " $NF ": " $4}' | head -8
    done
fi
exec {SERVER[1]}>&-
wait
