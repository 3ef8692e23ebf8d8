"""The build step of the hwinst Python package: libhwinst.so goes inside the package.

``pip install ./bindings/python`` (from a hwinst checkout) runs ``cargo build --release --lib``
on the repository two levels up, in its own ``target/`` directory (or ``CARGO_TARGET_DIR``),
so a second install only relinks what changed, and copies the shared library it built into
the wheel next to ``hwinst/__init__.py``; nothing has to be on ``LD_LIBRARY_PATH``.

The sdist that ``scripts/dist`` makes carries the crate itself (the files ``cargo package``
takes) in ``rust/``, so that ``pip install hwinst-<version>.tar.gz`` builds it with cargo
anywhere; it is the crate this file looks for when there is none two levels up.

``HWINST_LIB=/path/to/libhwinst.so`` skips cargo and copies that library instead (a prebuilt
one, for development or packaging: ``scripts/dist`` gives the glibc 2.17 build and names the
platform with ``--plat-name manylinux_2_17_x86_64``, which ``auditwheel show`` confirms).

``hwinst._native`` (src/hwinst/_native.c) is the per-call path in C instead of ctypes, which
reads each result document with yyjson (vendored in vendor/yyjson), built against CPython's
stable ABI: the wheel is then tagged ``cp39-abi3-<platform>``, one wheel for
every CPython from 3.9. It is optional: where it cannot be built (no C compiler or no Python
headers, another interpreter) the install goes on without it, the wheel is tagged
``py3-none-<platform>``, and the binding makes the same calls through ctypes.

The version is the crate's, read from its Cargo.toml (the one place it is written); everything
else (name, metadata) is in pyproject.toml.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, Extension, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
LIBRARY = {"darwin": "libhwinst.dylib", "win32": "hwinst.dll"}.get(sys.platform, "libhwinst.so")


def repository_root():
    """The hwinst crate this package is built from: the checkout two levels up, or the copy
    in ``rust/`` that an sdist carries; None when neither's Cargo.toml is the hwinst crate's."""
    for root in (HERE.parent.parent, HERE / "rust"):
        manifest = root / "Cargo.toml"
        if manifest.is_file() and re.search(
            r'^name = "hwinst"$', manifest.read_text(encoding="utf-8"), re.MULTILINE
        ):
            return root
    return None


def crate_version():
    """The version of Cargo.toml's [package] table (as scripts/version reads it)."""
    root = repository_root()
    if root is None:
        raise SystemExit(
            "hwinst: no hwinst crate to take the version from: build this package from a hwinst "
            "checkout (pip install ./bindings/python) or from its sdist"
        )
    package = False
    for line in (root / "Cargo.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            package = line.strip() == "[package]"
        match = re.match(r'version\s*=\s*"([^"]+)"', line)
        if package and match:
            return match.group(1)
    raise SystemExit(f"hwinst: {root / 'Cargo.toml'} has no [package] version")


def cargo_build(root):
    """Runs cargo build --release --lib and returns the path of the shared library it made."""
    cargo = os.environ.get("CARGO", "cargo")
    if shutil.which(cargo) is None:
        raise SystemExit(
            "hwinst: building the Python package needs cargo (https://rustup.rs), or "
            "HWINST_LIB=/path/to/libhwinst.so to use a library built already"
        )
    command = [
        cargo, "build", "--release", "--lib", "--locked",
        "--manifest-path", str(root / "Cargo.toml"), "--message-format=json-render-diagnostics",
    ]
    print("hwinst: " + " ".join(command), file=sys.stderr, flush=True)
    process = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if process.returncode != 0:
        raise SystemExit(f"hwinst: cargo build failed (exit {process.returncode}); see above")
    built = None
    for line in process.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("reason") != "compiler-artifact":
            continue
        if "cdylib" not in message.get("target", {}).get("kind", []):
            continue
        for filename in message.get("filenames", []):
            if Path(filename).name == LIBRARY:
                built = Path(filename)
    if built is None or not built.is_file():
        raise SystemExit(f"hwinst: cargo build reported no {LIBRARY}")
    return built


def library():
    """The libhwinst shared library to put in the package."""
    prebuilt = os.environ.get("HWINST_LIB")
    if prebuilt:
        path = Path(prebuilt)
        if not path.is_file():
            raise SystemExit(f"hwinst: HWINST_LIB={prebuilt} is not a file")
        print(f"hwinst: using HWINST_LIB={path}", file=sys.stderr, flush=True)
        return path
    root = repository_root()
    if root is None:
        raise SystemExit(
            "hwinst: this package is built from a hwinst checkout (pip install ./bindings/python "
            "from the repository root), or with HWINST_LIB=/path/to/libhwinst.so"
        )
    return cargo_build(root)


class BuildPyWithLibrary(build_py):
    """build_py, then the shared library into build/lib/hwinst/."""

    def run(self):
        super().run()
        source = library()
        target_dir = Path(self.build_lib) / "hwinst"
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / LIBRARY
        shutil.copyfile(source, target)
        os.chmod(target, 0o755)

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        return outputs + [str(Path(self.build_lib) / "hwinst" / LIBRARY)]


class BinaryDistribution(Distribution):
    """Native code inside: the package goes to platlib (the wheel's root), where auditwheel
    looks for libraries, not to purelib (the wheel's .data/purelib/)."""

    def has_ext_modules(self):
        return True


#: The wheel's Python tag with hwinst._native: the oldest CPython whose stable ABI it is built
#: against (its Py_LIMITED_API, in _native.c; pyproject.toml's requires-python).
LIMITED_API_TAG = "cp39"

#: yyjson (vendor/yyjson, MIT) reads the result documents; its writer and utilities are left
#: out, and so is debugging information (the interpreter's CFLAGS have -g: 1 MB instead of 0.2).
NATIVE = Extension(
    "hwinst._native",
    ["src/hwinst/_native.c", "vendor/yyjson/yyjson.c"],
    include_dirs=["vendor/yyjson"],
    define_macros=[("YYJSON_DISABLE_WRITER", "1"), ("YYJSON_DISABLE_UTILS", "1")],
    extra_compile_args=["-g0"],
    py_limited_api=True,
    optional=True,
)


class PlatformWheel(bdist_wheel):
    """A wheel for this platform: for CPython 3.9 and later through the stable ABI when
    hwinst._native was built, else for any Python 3 (the library is loaded with ctypes)."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        _python, _abi, platform = super().get_tag()
        built = self.get_finalized_command("build_ext").get_outputs()
        if built and all(Path(path).is_file() for path in built):
            return LIMITED_API_TAG, "abi3", platform
        return "py3", "none", platform


setup(
    version=crate_version(),
    distclass=BinaryDistribution,
    ext_modules=[NATIVE],
    cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel},
)
