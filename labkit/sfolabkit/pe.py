# SPDX-License-Identifier: BSD-2-Clause
"""A reader of PE32+ images (the checks of the Windows driver and of
sriov-failover.exe): headers, sections, imports, and the image checksum as the
loader computes it.

Format: the PE/COFF specification (learn.microsoft.com/windows/win32/debug/pe-format).
"""
import struct

SCN_MEM_EXECUTE = 0x20000000
SCN_MEM_WRITE = 0x80000000
SUBSYSTEM_NATIVE = 1
SUBSYSTEM_WINDOWS_CUI = 3
DLLCHAR_DYNAMIC_BASE = 0x40
DLLCHAR_NX_COMPAT = 0x100
DIR_IMPORT = 1
DIR_BASERELOC = 5


class PEError(Exception):
    pass


class Section:
    def __init__(self, name, vaddr, vsize, raw_off, raw_size, flags):
        self.name, self.vaddr, self.vsize = name, vaddr, vsize
        self.raw_off, self.raw_size, self.flags = raw_off, raw_size, flags

    @property
    def writable(self):
        return bool(self.flags & SCN_MEM_WRITE)

    @property
    def executable(self):
        return bool(self.flags & SCN_MEM_EXECUTE)


class Image:
    """A PE32+ image read from bytes; PEError names what is malformed."""

    def __init__(self, data):
        self.data = data
        if data[:2] != b"MZ":
            raise PEError("no MZ header")
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe:pe + 4] != b"PE\0\0":
            raise PEError("no PE signature")
        coff = pe + 4
        nsect, = struct.unpack_from("<H", data, coff + 2)
        opt_size, = struct.unpack_from("<H", data, coff + 16)
        self.opt = coff + 20
        if struct.unpack_from("<H", data, self.opt)[0] != 0x20B:
            raise PEError("not a PE32+ (64-bit) image")
        self.checksum_offset = self.opt + 64
        self.checksum, self.subsystem, self.dll_characteristics = struct.unpack_from(
            "<IHH", data, self.checksum_offset)
        ndirs, = struct.unpack_from("<I", data, self.opt + 108)
        self.dirs = [struct.unpack_from("<II", data, self.opt + 112 + 8 * i)
                     for i in range(ndirs)]
        self.sections = []
        for i in range(nsect):
            off = self.opt + opt_size + 40 * i
            name = data[off:off + 8].rstrip(b"\0").decode("ascii", "replace")
            vsize, vaddr, raw_size, raw_off = struct.unpack_from("<IIII", data, off + 8)
            flags, = struct.unpack_from("<I", data, off + 36)
            self.sections.append(Section(name, vaddr, vsize, raw_off, raw_size, flags))

    def directory(self, index):
        return self.dirs[index] if index < len(self.dirs) else (0, 0)

    def _offset(self, rva):
        for s in self.sections:
            if s.vaddr <= rva < s.vaddr + max(s.vsize, s.raw_size):
                return s.raw_off + rva - s.vaddr
        raise PEError(f"RVA {rva:#x} in no section")

    def _cstring(self, rva):
        off = self._offset(rva)
        return self.data[off:self.data.index(b"\0", off)].decode("ascii")

    def imports(self):
        """{dll name: [function names]} from the import directory."""
        rva, size = self.directory(DIR_IMPORT)
        result = {}
        if not rva:
            return result
        off = self._offset(rva)
        while True:
            lookup, _, _, name_rva, iat = struct.unpack_from("<IIIII", self.data, off)
            if not name_rva:
                break
            names = []
            thunk = self._offset(lookup or iat)
            while True:
                entry, = struct.unpack_from("<Q", self.data, thunk)
                if not entry:
                    break
                if entry >> 63:
                    names.append(f"#{entry & 0xFFFF}")  # by ordinal
                else:
                    names.append(self._cstring((entry & 0x7FFFFFFF) + 2))
                thunk += 8
            result[self._cstring(name_rva)] = names
            off += 20
        return result

    def computed_checksum(self):
        """The checksum over the file with its own field taken as 0."""
        data = bytearray(self.data)
        data[self.checksum_offset:self.checksum_offset + 4] = b"\0\0\0\0"
        if len(data) % 2:
            data.append(0)
        total = 0
        for (word,) in struct.iter_unpack("<H", bytes(data)):
            total += word
            total = (total & 0xFFFF) + (total >> 16)
        total = (total & 0xFFFF) + (total >> 16)
        return total + len(self.data)


def read(path):
    with open(path, "rb") as f:
        return Image(f.read())
