#!/usr/bin/env bash
# A virtualenv with the official Huawei Cloud Python SDK: its core (huaweicloudsdkcore), used by
# the tests as a second, independent implementation of AK/SK request signing
# (tests/sdk/sdk_signature.py), and the service clients of the three services
# (huaweicloudsdkapig, huaweicloudsdkroma, huaweicloudsdkclouddc), run against the simulator by
# tests/official_sdks.rs (tests/sdk/python/).
#
# Usage: bash scripts/sdk-venv.sh        (from any directory)
# The venv is at ${HWINST_SDK_VENV:-target/sdk-venv}; a relative path is taken from the repo
# root. Idempotent: when the venv already has the pinned version, nothing is installed.
# Progress goes to stderr; the last (and only) line on stdout is the venv's interpreter path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# Pinned: the tests compare our signatures with this exact signer. The service clients are
# released together with the core, under the same version.
SDK_VERSION="3.1.219"
PACKAGES=(huaweicloudsdkcore huaweicloudsdkapig huaweicloudsdkroma huaweicloudsdkclouddc)

venv="${HWINST_SDK_VENV:-target/sdk-venv}"
case "$venv" in
/*) ;;
*) venv="$root/$venv" ;;
esac
python="$venv/bin/python"

has_sdk() {
    [ -x "$python" ] && "$python" - "$SDK_VERSION" "${PACKAGES[@]}" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if all(version(p) == sys.argv[1] for p in sys.argv[2:]) else 1)
EOF
}

if has_sdk; then
    echo "$python"
    exit 0
fi

make_venv() {
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
}

if ! make_venv; then
    # Debian and Ubuntu ship venv's ensurepip separately, in python3-venv.
    echo "python3 -m venv failed: installing python3-venv" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
        sudo="sudo"
    fi
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends python3-venv >&2
    make_venv
fi

"$python" -m pip install --quiet --disable-pip-version-check "${PACKAGES[@]/%/==$SDK_VERSION}" >&2
has_sdk || {
    echo "${PACKAGES[*]} $SDK_VERSION are not all importable from $python" >&2
    exit 1
}
echo "$python"
