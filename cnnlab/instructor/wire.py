"""The channel between the judge and a student's kernel: plain data over a pipe, never pickle.

A message is a JSON header followed by the raw bytes of the arrays it holds::

    [4 bytes: header length][header: UTF-8 JSON][buffer 0][buffer 1]...

Values travel as JSON: None, bools, ints, floats (NaN and infinities too) and strings
as themselves; everything else as a tagged object (``{"$": "array", ...}``):

- ``array``: a NumPy array of a numeric or boolean dtype, its bytes in a buffer;
- ``scalar``: a NumPy scalar (``np.float32(1.5)``), kept with its dtype;
- ``tuple``, ``list``, ``dict`` (keys: str, int, float, bool or None), ``slice``, ``dtype``;
- ``handle``: an object that is not plain data (a student's cache object, say). It stays
  in the kernel; the judge holds its number and can pass it back in a later call.

Decoding builds only these types: a message cannot make the judge run code or build an
object of its choosing. ``read`` refuses a message larger than ``max_bytes`` or nested
deeper than ``MAX_DEPTH``, and whatever is malformed raises ``WireError``.
"""

from __future__ import annotations

import json
import os
import struct

import numpy as np

__all__ = ["WireError", "Handle", "encode", "decode", "write", "read", "MAX_DEPTH"]

MAX_DEPTH = 48
MAX_HEADER = 32 * 2**20  # bytes of JSON in one message
DEFAULT_MAX_BYTES = 512 * 2**20  # bytes in one message, header and buffers
_DTYPES = {np.dtype(t).str for t in ["?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "e", "f", "d", "F", "D"]}
_KEY_TYPES = (str, int, float, bool, type(None))


class WireError(Exception):
    """A message that is not what the channel carries (malformed, too large, unknown types)."""


class Handle:
    """An object that stayed in the kernel: its number there, and what kind of object it is.

    ``version`` goes up when the judge learns that a call changed the object, so a copy
    taken before (``copy.deepcopy``) compares unequal afterwards, as the object would.
    """

    def __init__(self, number: int, kind: str = "object", version: int = 0):
        self.number, self.kind, self.version = int(number), str(kind), version

    def __eq__(self, other) -> bool:
        return isinstance(other, Handle) and (self.number, self.version) == (other.number, other.version)

    def __hash__(self) -> int:
        return hash((self.number, self.version))

    def __deepcopy__(self, memo) -> Handle:
        return Handle(self.number, self.kind, self.version)

    def __repr__(self) -> str:
        return f"<{self.kind} kept in the student's kernel>"


def encode(value, keep=None) -> tuple:
    """``(tree, buffers)``: ``value`` as JSON-able data and the array bytes it refers to.

    ``keep(obj) -> number`` stores an object that is not plain data and returns its
    handle number (the kernel's side); without it, such an object raises WireError.
    """
    buffers: list = []
    return _encode(value, buffers, keep, 0), buffers


def _encode(value, buffers, keep, depth):
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int or type(value) is float:
        return value
    if isinstance(value, Handle):
        return {"$": "handle", "number": value.number}
    if type(value) is np.ndarray and value.dtype.str in _DTYPES:
        buffers.append(np.ascontiguousarray(value).tobytes())
        return {"$": "array", "dtype": value.dtype.str, "shape": list(value.shape), "buffer": len(buffers) - 1}
    if isinstance(value, np.generic) and value.dtype.str in _DTYPES:
        buffers.append(np.asarray(value).tobytes())
        return {"$": "scalar", "dtype": value.dtype.str, "buffer": len(buffers) - 1}
    if type(value) is tuple or type(value) is list:
        items = [_encode(item, buffers, keep, depth + 1) for item in value]
        return {"$": type(value).__name__, "items": items}
    if type(value) is dict and all(type(k) in _KEY_TYPES for k in value):
        items = [[k, _encode(v, buffers, keep, depth + 1)] for k, v in value.items()]
        return {"$": "dict", "items": items}
    if type(value) is slice and all(v is None or type(v) is int for v in (value.start, value.stop, value.step)):
        return {"$": "slice", "items": [value.start, value.stop, value.step]}
    if isinstance(value, np.dtype) and value.str in _DTYPES:
        return {"$": "dtype", "name": value.str}
    if keep is None:
        raise WireError(f"cannot send a {type(value).__name__}")
    return {"$": "handle", "number": keep(value), "kind": type(value).__name__[:60]}


def decode(tree, buffers, resolve=None):
    """The value ``encode`` made into ``tree``; handles become ``Handle`` or, with ``resolve``, objects."""
    return _decode(tree, buffers, resolve, 0)


def _decode(tree, buffers, resolve, depth):
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if not isinstance(tree, dict):
        raise WireError(f"unexpected {type(tree).__name__} in a message")
    tag = tree.get("$")
    try:
        if tag == "array":
            dtype = _dtype(tree["dtype"])
            shape = tuple(int(n) for n in tree["shape"])
            if any(n < 0 for n in shape) or len(shape) > 32:
                raise WireError(f"bad array shape {shape}")
            data = buffers[int(tree["buffer"])]
            if len(data) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
                raise WireError("an array's bytes do not match its shape")
            return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
        if tag == "scalar":
            dtype = _dtype(tree["dtype"])
            data = buffers[int(tree["buffer"])]
            if len(data) != dtype.itemsize:
                raise WireError("a scalar's bytes do not match its dtype")
            return np.frombuffer(data, dtype=dtype)[0]
        if tag in ("tuple", "list"):
            items = [_decode(item, buffers, resolve, depth + 1) for item in _list(tree["items"])]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            found = {}
            for pair in _list(tree["items"]):
                key, value = _list(pair)
                if type(key) not in _KEY_TYPES:
                    raise WireError("a dict key that is not a str, number, bool or None")
                found[key] = _decode(value, buffers, resolve, depth + 1)
            return found
        if tag == "slice":
            start, stop, step = _list(tree["items"])
            if not all(v is None or type(v) is int for v in (start, stop, step)):
                raise WireError("a slice of something other than ints")
            return slice(start, stop, step)
        if tag == "dtype":
            return _dtype(tree["name"])
        if tag == "handle":
            number = tree["number"]
            if type(number) is not int:
                raise WireError("a handle without a number")
            if resolve is not None:
                return resolve(number)
            return Handle(number, str(tree.get("kind", "object"))[:60])
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise WireError(f"malformed {tag!r} in a message ({type(exc).__name__})") from None
    raise WireError(f"unknown value type {tag!r} in a message")


def _dtype(name) -> np.dtype:
    if name not in _DTYPES:
        raise WireError(f"dtype {name!r} is not one the channel carries")
    return np.dtype(name)


def _list(value) -> list:
    if not isinstance(value, list):
        raise WireError("expected a list in a message")
    return value


# ---------------------------------------------------------------------------------------------
# Messages on a file descriptor


def write(fd: int, header: dict, buffers=()) -> None:
    """Send one message: ``header`` (a JSON-able dict, which gets the buffer sizes) and ``buffers``."""
    header = dict(header, buffers=[len(b) for b in buffers])
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    _write_all(fd, struct.pack(">I", len(text)) + text)
    for data in buffers:
        _write_all(fd, data)


def read(fd: int, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple:
    """``(header, buffers)`` of the next message; EOFError if the other side closed the channel."""
    (size,) = struct.unpack(">I", _read_exactly(fd, 4))
    if size > min(MAX_HEADER, max_bytes):
        raise WireError(f"a message header of {size} bytes")
    try:
        header = json.loads(_read_exactly(fd, size).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WireError("a message header that is not JSON") from None
    sizes = header.get("buffers") if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(type(n) is int and n >= 0 for n in sizes):
        raise WireError("a message without its list of buffer sizes")
    if sum(sizes) + size > max_bytes:
        raise WireError(f"a message of {sum(sizes) + size} bytes (the limit is {max_bytes})")
    return header, [_read_exactly(fd, n) for n in sizes]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 2**20))
        if not chunk:
            raise EOFError("the channel was closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
