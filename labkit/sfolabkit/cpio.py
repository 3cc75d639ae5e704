# SPDX-License-Identifier: BSD-2-Clause
"""A cpio (newc) archive writer for initramfs images, built in memory."""

import os
import stat


class Cpio:
    def __init__(self):
        self.entries = {}  # path -> (mode, data)

    def dir(self, path):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            self.entries.setdefault(p, (stat.S_IFDIR | 0o755, b""))

    def file(self, path, data, mode=0o644):
        self.dir(os.path.dirname(path.strip("/")) or ".")
        self.entries[path.strip("/")] = (stat.S_IFREG | mode, data)

    def symlink(self, path, target):
        self.dir(os.path.dirname(path.strip("/")) or ".")
        self.entries[path.strip("/")] = (stat.S_IFLNK | 0o777, target.encode())

    def host_file(self, src, dst=None, mode=None):
        with open(src, "rb") as f:
            data = f.read()
        m = os.stat(src).st_mode & 0o777 if mode is None else mode
        self.file(dst or src, data, m)

    def bytes(self):
        out = bytearray()
        ino = 1

        def emit(name, mode, data):
            nonlocal ino
            nb = name.encode() + b"\0"
            hdr = "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X" % (
                ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
                0, 0, 0, 0, len(nb), 0)
            ino += 1
            out.extend(hdr.encode())
            out.extend(nb)
            out.extend(b"\0" * (-(110 + len(nb)) % 4))
            out.extend(data)
            out.extend(b"\0" * (-len(data) % 4))
        for name in sorted(self.entries):
            if name == ".":
                continue
            mode, data = self.entries[name]
            emit(name, mode, data)
        emit("TRAILER!!!", 0, b"")
        return bytes(out)
