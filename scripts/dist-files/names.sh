# The release's names, for scripts/dist and scripts/dist-files/check (sourced by both, from
# the repository's root): what the artifacts are called and what they promise.

# The oldest glibc the artifacts need, and the wheel's platform tag that says so.
GLIBC="2.17"
WHEEL_PLATFORM="manylinux_2_17_x86_64"
version=$(bash scripts/version)
tarball_name="hwinst-$version-x86_64-linux-gnu"
# cp39-abi3: the wheel carries hwinst._native, built against CPython 3.9's stable ABI
# (bindings/python/setup.py); a wheel built without it would be py3-none, and is refused.
wheel_name="hwinst-$version-cp39-abi3-$WHEEL_PLATFORM.whl"
sdist_name="hwinst-$version.tar.gz"
go_module=$(awk '$1 == "module" { print $2; exit }' bindings/go/go.mod)
go_version="v$version"
