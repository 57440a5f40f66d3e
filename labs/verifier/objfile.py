"""Source lines of a BPF object's instructions, from the BTF line info clang -g writes
(`.BTF.ext`), so a verifier complaint gets its line on every kernel: some print
`; <source> @ prog.c:N` in the log, others (the microvm's) only `; <source>`.

The verifier counts instructions of the program as libbpf loads it: the program's own
function, then each subprogram it calls, appended in the order libbpf finds them
(`bpf_object__reloc_code`). `ObjectLines.line_of(program, index)` redoes that layout.
"""

from __future__ import annotations

import struct
from bisect import bisect_right
from dataclasses import dataclass, field

INSN_SIZE = 8
SOURCE_NAME = "prog.c"
SHT_SYMTAB, SHT_REL = 2, 9
STT_FUNC = 2
BPF_CALL, BPF_LD_IMM64 = 0x85, 0x18
BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC = 1, 4


@dataclass(frozen=True)
class Symbol:
    name: str
    section: str
    offset: int  # bytes into its section
    size: int
    is_function: bool


@dataclass
class ObjectLines:
    """What the object says about its instructions' source lines."""

    sections: dict[str, bytes] = field(default_factory=dict)  # executable sections' code
    lines: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # sec -> (off, line)
    symbols: list[Symbol] = field(default_factory=list)
    relocations: dict[tuple[str, int], Symbol] = field(default_factory=dict)  # (sec, off)

    def function(self, name: str) -> Symbol | None:
        return next((s for s in self.symbols if s.is_function and s.name == name), None)

    def programs(self) -> list[Symbol]:
        """Functions in program sections (not .text), in the object's order."""
        return [s for s in self.symbols if s.is_function and s.section != ".text"]

    def line_at(self, section: str, offset: int) -> int | None:
        """The prog.c line of the instruction at `offset` bytes into `section`."""
        table = self.lines.get(section) or []
        at = bisect_right(table, (offset, 1 << 62)) - 1
        return table[at][1] if at >= 0 else None

    def layout(self, program: Symbol) -> list[tuple[str, int]]:
        """(section, byte offset) of every instruction of the program as loaded."""
        loaded = [(program.section, program.offset + i) for i in range(0, program.size, 8)]
        appended = {(program.section, program.offset)}
        index = 0
        while index < len(loaded):
            target = self._call_target(*loaded[index])
            function = self._function_at(*target) if target else None
            if function and (function.section, function.offset) not in appended:
                appended.add((function.section, function.offset))
                loaded += [
                    (function.section, function.offset + i) for i in range(0, function.size, 8)
                ]
            index += 1
        return loaded

    def line_of(self, program: Symbol, index: int) -> int | None:
        """The prog.c line of the verifier's instruction `index` of `program`."""
        loaded = self.layout(program)
        return self.line_at(*loaded[index]) if 0 <= index < len(loaded) else None

    def _call_target(self, section: str, offset: int) -> tuple[str, int] | None:
        """Where a call to a subprogram (or a callback's address) at `offset` points."""
        code = self.sections.get(section, b"")
        if offset + INSN_SIZE > len(code):
            return None
        opcode, regs, _off, imm = struct.unpack_from("<BBhi", code, offset)
        source_reg = regs >> 4
        is_call = opcode == BPF_CALL and source_reg == BPF_PSEUDO_CALL
        if not (is_call or (opcode == BPF_LD_IMM64 and source_reg == BPF_PSEUDO_FUNC)):
            return None
        symbol = self.relocations.get((section, offset))
        if symbol is not None:
            return symbol.section, symbol.offset + (imm + 1) * INSN_SIZE
        return section, offset + (imm + 1) * INSN_SIZE

    def _function_at(self, section: str, offset: int) -> Symbol | None:
        return next(
            (
                s
                for s in self.symbols
                if s.is_function and s.section == section and s.offset <= offset < s.offset + s.size
            ),
            None,
        )


def read_object(obj: bytes) -> ObjectLines:
    """The line info, functions and relocations of an ELF64 little-endian BPF object; an
    empty result for anything else (no object, not ELF, no BTF)."""
    result = ObjectLines()
    try:
        _read(obj, result)
    except (struct.error, IndexError, ValueError, UnicodeDecodeError):
        return ObjectLines()
    return result


def _read(obj: bytes, result: ObjectLines) -> None:
    if obj[:4] != b"\x7fELF" or obj[4] != 2 or obj[5] != 1:
        return
    shoff = struct.unpack_from("<Q", obj, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", obj, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize) for i in range(shnum)]
    names_at = headers[shstrndx][4]

    def name(offset: int, base: int) -> str:
        end = obj.index(b"\0", base + offset)
        return obj[base + offset : end].decode()

    names = [name(h[0], names_at) for h in headers]
    data = {names[i]: obj[h[4] : h[4] + h[5]] for i, h in enumerate(headers)}
    executable = {names[i] for i, h in enumerate(headers) if h[2] & 0x4}  # SHF_EXECINSTR
    result.sections = {n: data[n] for n in executable}
    symbols_by_index = []
    for header in headers:
        if header[1] != SHT_SYMTAB:
            continue
        strings_at = headers[header[6]][4]
        for at in range(header[4], header[4] + header[5], 24):
            st_name, st_info, _other, shndx, value, size = struct.unpack_from("<IBBHQQ", obj, at)
            section = names[shndx] if 0 < shndx < len(names) else ""
            symbol = Symbol(
                name(st_name, strings_at), section, value, size, st_info & 0xF == STT_FUNC
            )
            symbols_by_index.append(symbol)
    result.symbols = [s for s in symbols_by_index if s.is_function]
    for header in headers:
        if header[1] == SHT_REL and names[header[7]] in executable:
            target = names[header[7]]
            for at in range(header[4], header[4] + header[5], 16):
                offset, info = struct.unpack_from("<QQ", obj, at)
                result.relocations[(target, offset)] = symbols_by_index[info >> 32]
    result.lines = _line_info(data.get(".BTF", b""), data.get(".BTF.ext", b""))


def _line_info(btf: bytes, ext: bytes) -> dict[str, list[tuple[int, int]]]:
    """section -> sorted (byte offset, line) of prog.c, from .BTF.ext's line_info."""
    if len(btf) < 24 or len(ext) < 32:
        return {}
    btf_header_len, _types_off, _types_len, strings_off, _len = struct.unpack_from("<IIIII", btf, 4)
    strings = btf_header_len + strings_off

    def text(offset: int) -> str:
        end = btf.index(b"\0", strings + offset)
        return btf[strings + offset : end].decode(errors="replace")

    ext_header_len, _fi_off, _fi_len, line_off, line_len = struct.unpack_from("<IIIII", ext, 4)
    at = ext_header_len + line_off
    end = at + line_len
    record_size = struct.unpack_from("<I", ext, at)[0]
    at += 4
    table: dict[str, list[tuple[int, int]]] = {}
    while at + 8 <= end:
        section_name, count = struct.unpack_from("<II", ext, at)
        at += 8
        rows = table.setdefault(text(section_name), [])
        for _ in range(count):
            insn_off, file_name, _line_text, line_col = struct.unpack_from("<IIII", ext, at)
            at += record_size
            # line 0: code the compiler made up; the line before it is the nearer answer
            if line_col >> 10 and text(file_name).rsplit("/", 1)[-1] == SOURCE_NAME:
                rows.append((insn_off, line_col >> 10))
    return {section: sorted(rows) for section, rows in table.items()}
