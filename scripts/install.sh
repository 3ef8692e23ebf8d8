#!/usr/bin/env bash
# Installs hwinst's C library: the header, libhwinst.so (with its SONAME symlinks),
# libhwinst.a and a pkg-config file; and its C++ binding: hwinst.hpp and the CMake package
# (find_package(hwinst)). Linux (ELF) only. Run `scripts/install.sh --help`.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/install.sh [options]
  --prefix DIR        installation prefix (default /usr/local)
  --libdir DIR        libraries, pkgconfig/ and cmake/hwinst/ (default PREFIX/lib)
  --includedir DIR    the headers (default PREFIX/include)
  --destdir DIR       stage under DIR, as DESTDIR does; hwinst.pc still names PREFIX
  --profile P         release or debug (default release)
  --target-dir DIR    cargo's target directory (default: cargo metadata's, or ./target)
  --no-build          install the existing artifacts instead of running cargo build
  --built DIR         the directory holding libhwinst.so and libhwinst.a (implies --no-build;
                      default TARGET-DIR/PROFILE), e.g. a cross or zig build's
  --relocatable       hwinst.pc finds the prefix from its own place (${pcfiledir}), so that
                      the installed tree works wherever it is moved or unpacked (the CMake
                      package always does); libdir and includedir must be under the prefix
  -h, --help          this text
USAGE
}

die() { echo "install.sh: $*" >&2; exit 1; }
value() { (($# >= 2)) || die "$1 needs a value"; echo "$2"; }

root=$(cd "$(dirname "$0")/.." && pwd)
prefix=/usr/local libdir= includedir= destdir= profile=release target_dir= build=1 built=
relocatable=0
while (($#)); do
    case $1 in
        --prefix) prefix=$(value "$@"); shift 2 ;;
        --libdir) libdir=$(value "$@"); shift 2 ;;
        --includedir) includedir=$(value "$@"); shift 2 ;;
        --destdir) destdir=$(value "$@"); shift 2 ;;
        --profile) profile=$(value "$@"); shift 2 ;;
        --target-dir) target_dir=$(value "$@"); shift 2 ;;
        --no-build) build=0 && shift ;;
        --built) built=$(value "$@") && build=0 && shift 2 ;;
        --relocatable) relocatable=1 && shift ;;
        -h | --help) usage && exit 0 ;;
        *) usage >&2 && die "unknown option: $1" ;;
    esac
done
libdir=${libdir:-$prefix/lib}
includedir=${includedir:-$prefix/include}
case $profile in
    release) cargo_profile=release ;;
    debug) cargo_profile=dev ;; # cargo's name for the profile built into target/debug
    *) die "--profile must be release or debug, not '$profile'" ;;
esac

manifest=$root/Cargo.toml
if [[ -z $target_dir ]]; then
    target_dir=${CARGO_TARGET_DIR:-}
    [[ -n $target_dir ]] || target_dir=$(cargo metadata --no-deps --format-version 1 \
        --manifest-path "$manifest" 2>/dev/null |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p') || true
    target_dir=${target_dir:-$root/target}
fi
version=$(bash "$root/scripts/version")

if ((build)); then
    cargo build --manifest-path "$manifest" --profile "$cargo_profile" --lib \
        --target-dir "$target_dir"
fi
built=${built:-$target_dir/$profile}
for artifact in libhwinst.so libhwinst.a; do
    [[ -f $built/$artifact ]] || die "$built/$artifact is missing (build first, or drop --no-build)"
done

# The SONAME that build.rs linked in, read back so that the symlinks can never disagree with it.
soname=$(readelf -d "$built/libhwinst.so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[[ $soname == libhwinst.so.* ]] || die "$built/libhwinst.so has no libhwinst.so.* SONAME ('$soname')"
real=libhwinst.so.$version

# The native libraries that Rust's std needs when libhwinst.a is linked statically, as
# `rustc --print native-static-libs` reports them for a Linux gnu target (tests/c_install.rs
# links an example statically with them).
libs_private="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

# hwinst.pc refers to ${prefix} where it can, so that `pkg-config --define-prefix` works.
pc_dir() { if [[ $1 == "$prefix"/* ]]; then echo "\${prefix}${1#"$prefix"}"; else echo "$1"; fi; }
pc_prefix=$prefix
if ((relocatable)); then
    for dir in "$libdir" "$includedir"; do
        [[ $dir == "$prefix"/* ]] || die "--relocatable: $dir is not under the prefix $prefix"
    done
    # pkg-config sets ${pcfiledir} to the directory the .pc file was read from.
    pc_prefix="\${pcfiledir}/$(realpath -m -s --relative-to="$libdir/pkgconfig" "$prefix")"
fi

# The CMake package finds everything from its own place (LIBDIR/cmake/hwinst), so that the
# tree can move: the include directory relative to LIBDIR, and the libraries' pointer size.
includedir_from_libdir=$(realpath -m -s --relative-to="$libdir" "$includedir")
elf_class=$(readelf -h "$built/libhwinst.so" | sed -n 's/^ *Class: *ELF\([0-9]*\)$/\1/p')
[[ $elf_class == 32 || $elf_class == 64 ]] || die "$built/libhwinst.so: unknown ELF class '$elf_class'"

stage_lib=$destdir$libdir stage_inc=$destdir$includedir
install -d "$stage_lib/pkgconfig" "$stage_lib/cmake/hwinst" "$stage_inc"
install -m 0644 "$root/include/hwinst.h" "$stage_inc/hwinst.h"
install -m 0644 "$root/bindings/cpp/include/hwinst.hpp" "$stage_inc/hwinst.hpp"
install -m 0755 "$built/libhwinst.so" "$stage_lib/$real"
[[ $soname == "$real" ]] || ln -sfn "$real" "$stage_lib/$soname"
ln -sfn "$soname" "$stage_lib/libhwinst.so"
install -m 0644 "$built/libhwinst.a" "$stage_lib/libhwinst.a"
sed -e "s|@PREFIX@|$pc_prefix|g" -e "s|@LIBDIR@|$(pc_dir "$libdir")|g" \
    -e "s|@INCLUDEDIR@|$(pc_dir "$includedir")|g" -e "s|@VERSION@|$version|g" \
    -e "s|@LIBS_PRIVATE@|$libs_private|g" \
    "$root/bindings/c/hwinst.pc.in" >"$stage_lib/pkgconfig/hwinst.pc"
for cmake_file in hwinstConfig hwinstConfigVersion; do
    sed -e "s|@VERSION@|$version|g" -e "s|@SONAME@|$soname|g" -e "s|@REAL@|$real|g" \
        -e "s|@INCLUDEDIR_FROM_LIBDIR@|$includedir_from_libdir|g" \
        -e "s|@LIBS_PRIVATE@|$libs_private|g" -e "s|@SIZEOF_VOID_P@|$((elf_class / 8))|g" \
        "$root/bindings/cpp/cmake/$cmake_file.cmake.in" >"$stage_lib/cmake/hwinst/$cmake_file.cmake"
done

echo "installed hwinst $version ($profile build):"
echo "  $stage_inc/hwinst.h"
echo "  $stage_inc/hwinst.hpp"
echo "  $stage_lib/$real"
[[ $soname == "$real" ]] || echo "  $stage_lib/$soname -> $real"
echo "  $stage_lib/libhwinst.so -> $soname"
echo "  $stage_lib/libhwinst.a"
echo "  $stage_lib/pkgconfig/hwinst.pc"
echo "  $stage_lib/cmake/hwinst/hwinstConfig.cmake"
echo "  $stage_lib/cmake/hwinst/hwinstConfigVersion.cmake"
