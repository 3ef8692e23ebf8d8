"""Loading libhwinst and declaring its C functions (include/hwinst.h) for ctypes.

The library is the ``libhwinst.so`` the install put next to this file. ``HWINST_LIB`` (a
path to a libhwinst shared library) overrides it, for development against a fresh
``cargo build``. Nothing is looked up on ``LD_LIBRARY_PATH``.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import sys
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int, c_void_p
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple, Union

__all__ = [
    "lib", "library_path", "WAIT_CALLBACK", "take_string", "parse_json", "OK", "NATIVE", "text_calls",
]

OK = 0


def _library_file() -> str:
    if sys.platform == "darwin":
        return "libhwinst.dylib"
    if sys.platform == "win32":
        return "hwinst.dll"
    return "libhwinst.so"


def _find_library() -> Path:
    override = os.environ.get("HWINST_LIB")
    if override:
        path = Path(override)
        if not path.is_file():
            raise ImportError(f"HWINST_LIB names {override!r}, which is not a file")
        return path
    path = Path(__file__).with_name(_library_file())
    if not path.is_file():
        raise ImportError(
            f"{path} is missing: this hwinst package was installed without its library. "
            "Reinstall it with `pip install ./bindings/python` from a hwinst checkout (it "
            "runs cargo), or set HWINST_LIB to a libhwinst shared library."
        )
    return path


library_path: Path = _find_library()
try:
    lib = ctypes.CDLL(str(library_path))
except OSError as e:  # a library for another platform, truncated, ...
    raise ImportError(f"cannot load {library_path}: {e}") from None

#: int (*)(const char *lifecycle_json, void *user_data)
WAIT_CALLBACK = CFUNCTYPE(c_int, c_char_p, c_void_p)

#: ``char **``: a ``c_char_p()`` is passed as it is (ctypes passes its address) and read with
#: :func:`take_string`, which copies the text (``.value``) and frees it; a ``c_void_p`` would
#: need a second foreign call (``ctypes.string_at``) to copy it.
_text_out = POINTER(c_char_p)
#: ``hwinst_client **`` / ``hwinst_cancel_token **``.
_handle_out = POINTER(c_void_p)


def _declare(name: str, restype: Any, *argtypes: Any) -> None:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


_declare("hwinst_version", c_char_p)
_declare("hwinst_string_free", None, c_void_p)
_declare("hwinst_client_new", c_int, c_char_p, _handle_out, _text_out)
_declare("hwinst_client_from_env", c_int, _handle_out, _text_out)
_declare("hwinst_client_free", None, c_void_p)
_declare("hwinst_lifecycle", c_int, c_void_p, c_char_p, c_char_p, _text_out)
_declare(
    "hwinst_wait_cancellable",
    c_int,
    c_void_p,
    c_char_p,
    c_char_p,
    c_char_p,
    WAIT_CALLBACK,
    c_void_p,
    c_void_p,
    _text_out,
)
_declare("hwinst_cancel_token_new", c_int, _handle_out)
_declare("hwinst_cancel_token_cancel", None, c_void_p)
_declare("hwinst_cancel_token_free", None, c_void_p)
_declare(
    "hwinst_wait_many",
    c_int,
    c_void_p,
    c_char_p,
    c_char_p,
    WAIT_CALLBACK,
    c_void_p,
    c_void_p,
    _text_out,
)
#: The functions of a client, one text and a result document (`hwinst_lifecycle` has two).
_ONE_TEXT = (
    "hwinst_roma_creation_progress",
    "hwinst_apig_creation_progress",
    "hwinst_roma_instance",
    "hwinst_clouddc_instance_status",
    "hwinst_roma_list_instances",
    "hwinst_roma_list_all_instances",
    "hwinst_roma_list_page",
)
for _name in _ONE_TEXT:
    _declare(_name, c_int, c_void_p, c_char_p, _text_out)

# hwinst_string_free as take_string calls it, once per result: through a PyDLL handle on the
# same library, so that the GIL stays held (freeing never blocks; a CDLL call releases and
# retakes it), and without argtypes (ctypes passes the c_char_p it is given as its char *
# value, as declared): 2,000 instructions a call instead of 3,400 through `lib`.
_string_free = ctypes.PyDLL(str(library_path)).hwinst_string_free
_string_free.restype = None


try:
    from . import _native
except ImportError:  # not built: another interpreter than CPython, or no C compiler at install
    _native = None  # type: ignore[assignment]

#: Whether the calls in :data:`text_calls` go through the compiled ``hwinst._native`` (else
#: through ctypes, the same call and result).
NATIVE = _native is not None

#: A document as a call in :data:`text_calls` gives it: a JSON object already read into a dict
#: (by ``hwinst._native``), else its text (str, or bytes that are not UTF-8), for
#: :func:`parse_json`; None for NULL.
Document = Union[Dict[str, Any], str, bytes, None]

#: A call in :data:`text_calls`: ``call(client_address, *texts)`` gives the function's return
#: code and the document it wrote.
TextCall = Callable[..., Tuple[int, Document]]


def _address(function: Any) -> int:
    address: int = ctypes.cast(function, c_void_p).value  # type: ignore[assignment]
    return address


def _text_call(name: str) -> TextCall:
    function = getattr(lib, name)
    if _native is not None:
        # A C function bound to its two addresses: no Python frame between the caller and C.
        return functools.partial(_native.call, _address(function), _address(_string_free))

    def through_ctypes(client: int, *texts: Optional[bytes]) -> Tuple[int, Document]:
        out = c_char_p()
        code: int = function(client, *texts, out)
        document = take_string(out)
        if document is None:
            return code, None
        try:
            return code, document.decode()
        except UnicodeDecodeError:  # as hwinst._native: the bytes, for the caller to refuse
            return code, document

    return through_ctypes


def take_string(out: c_char_p) -> Optional[bytes]:
    """The string hwinst wrote into ``out`` (a ``char *`` out-parameter), copied, and freed
    with hwinst_string_free; None for NULL."""
    text: Optional[bytes] = out.value
    if text is not None:
        _string_free(out)
    return text


# The standard library's own C scanner, without json.loads' Python around it (the encoding
# sniffing of bytes, two regular-expression matches for white space): 10,000 instructions
# instead of 24,000 for an APIG progress document. The library writes compact UTF-8 JSON,
# nothing around it.
_scan = json.JSONDecoder().scan_once


def parse_json(text: Document) -> Any:
    """The JSON document ``text`` (compact UTF-8, as the library writes), decoded; ValueError
    when it is not one. A dict is a document that ``hwinst._native`` read already (it reads
    only what it reads as this function would): it is returned as it is."""
    if type(text) is dict:
        return text
    string = text if type(text) is str else text.decode()  # type: ignore[union-attr]
    try:
        document, end = _scan(string, 0)
    except StopIteration:  # nothing at 0 that starts a JSON value
        raise ValueError("not a JSON document") from None
    if end != len(string):
        raise ValueError("text after the JSON document")
    return document


#: The library's functions of a client, one or two texts and a result document, by name: the
#: per-call path of every operation (``Client._call``).
text_calls: Dict[str, TextCall] = {name: _text_call(name) for name in _ONE_TEXT + ("hwinst_lifecycle",)}
