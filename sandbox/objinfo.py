"""What an ELF BPF object declares, read on the host without loading it: its maps and its
license.

The playground dumps every map a program defines after the run; the job must name them
before the sandbox has loaded anything, so they are read from the symbol table: a map is a
symbol in the `.maps` section (BTF-defined) or in the legacy `maps` section.
"""

from __future__ import annotations

import struct

SHT_SYMTAB = 2
MAP_SECTIONS = (b".maps", b"maps")
STT_OBJECT = 1


def map_names(obj: bytes) -> list[str]:
    """The object's map names in symbol order; [] for an object this cannot read."""
    try:
        return _map_names(obj)
    except (struct.error, ValueError, IndexError):
        return []


def _map_names(obj: bytes) -> list[str]:
    if obj[:6] != b"\x7fELF\x02\x01":  # ELF, 64-bit, little-endian
        raise ValueError("not a little-endian ELF64 object")
    (shoff,) = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", obj, 0x3A)
    headers = [_section(obj, shoff + i * shentsize) for i in range(shnum)]
    names_at = headers[shstrndx]["offset"]
    map_sections = {
        index
        for index, header in enumerate(headers)
        if _cstr(obj, names_at + header["name"]) in MAP_SECTIONS
    }
    names: list[str] = []
    for header in headers:
        if header["type"] != SHT_SYMTAB or header["entsize"] < 24:
            continue
        strings_at = headers[header["link"]]["offset"]
        for start in range(header["offset"], header["offset"] + header["size"], header["entsize"]):
            name, info, _other, shndx = struct.unpack_from("<IBBH", obj, start)
            if shndx in map_sections and info & 0xF == STT_OBJECT:
                names.append(_cstr(obj, strings_at + name).decode("utf-8", "replace"))
    return names


def license(obj: bytes) -> str | None:
    """The text of the object's `license` section (up to its NUL); None when it has none or
    cannot be read."""
    try:
        return _license(obj)
    except (struct.error, ValueError, IndexError):
        return None


def _license(obj: bytes) -> str | None:
    if obj[:6] != b"\x7fELF\x02\x01":
        raise ValueError("not a little-endian ELF64 object")
    (shoff,) = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", obj, 0x3A)
    headers = [_section(obj, shoff + i * shentsize) for i in range(shnum)]
    names_at = headers[shstrndx]["offset"]
    for header in headers:
        if _cstr(obj, names_at + header["name"]) == b"license":
            text = obj[header["offset"] : header["offset"] + header["size"]]
            return text.split(b"\0", 1)[0].decode("utf-8", "replace")
    return None


def _section(obj: bytes, at: int) -> dict[str, int]:
    name, kind = struct.unpack_from("<II", obj, at)
    offset, size, link = struct.unpack_from("<QQI", obj, at + 0x18)
    (entsize,) = struct.unpack_from("<Q", obj, at + 0x38)
    return {
        "name": name,
        "type": kind,
        "offset": offset,
        "size": size,
        "link": link,
        "entsize": entsize,
    }


def _cstr(obj: bytes, at: int) -> bytes:
    end = obj.index(b"\0", at)
    return obj[at:end]
