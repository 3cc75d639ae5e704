# SPDX-License-Identifier: BSD-2-Clause
"""A reader of Windows INF files (the driver's INF checks): sections, entries,
their comma-separated fields, %strkey% substitution from [Strings] and the
AddReg lines.

Syntax: "General Syntax Rules for INF Files" (learn.microsoft.com/windows-hardware/
drivers/install/general-syntax-rules-for-inf-files): section names and keys are
case-insensitive, a section may be split in several places, ';' starts a
comment outside double quotes, a '\\' ending a line continues it, "" inside a
quoted string is one quote, %% is one percent sign, and %N% with N a number
is a directory id, not a string.
"""
import re

STRING_TOKEN = re.compile(r"%([^%]*)%")


class INFError(Exception):
    pass


class Entry:
    """One line of a section: `key = fields` or bare fields (key None).
    The fields are unquoted, not yet substituted; line is 1-based."""

    def __init__(self, key, fields, line):
        self.key, self.fields, self.line = key, fields, line


def split_fields(text, line):
    """Fields of an entry's value, split at commas outside quotes, stripped,
    quotes removed ("" inside quotes is one quote)."""
    fields, cur, quoted, i = [], [], False, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            if quoted and text[i + 1:i + 2] == '"':
                cur.append('"')
                i += 1
            else:
                quoted = not quoted
        elif c == "," and not quoted:
            fields.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if quoted:
        raise INFError(f"line {line}: unterminated quoted string")
    fields.append("".join(cur).strip())
    return fields


def logical_lines(text):
    """(first line number, text without comment) per logical line: comments
    cut outside quotes, '\\' continuations joined."""
    pending, start = "", None
    for number, raw in enumerate(text.splitlines(), 1):
        cut, quoted = raw, False
        for i, c in enumerate(raw):
            if c == '"':
                quoted = not quoted
            elif c == ";" and not quoted:
                cut = raw[:i]
                break
        cut = cut.rstrip()
        if start is None:
            start = number
        if cut.endswith("\\"):
            pending += cut[:-1]
            continue
        yield start, pending + cut
        pending, start = "", None
    if start is not None and pending:
        yield start, pending


def split_entry(text, line):
    """(key, fields) of a line: the key is what comes before the first '='
    outside quotes, if there is one."""
    quoted = False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == "=" and not quoted:
            return text[:i].strip().strip('"'), split_fields(text[i + 1:], line)
    return None, split_fields(text, line)


class INF:
    """An INF file's sections; INFError names what is malformed."""

    def __init__(self, text, name="INF"):
        self.name = name
        self.order = []  # section names as first written
        self._sections = {}  # lower-case name -> [Entry]
        current = None
        for line, text_line in logical_lines(text):
            stripped = text_line.strip()
            if not stripped:
                continue
            if stripped.startswith("["):
                if not stripped.endswith("]") or len(stripped) < 3:
                    raise INFError(f"{name}: line {line}: malformed section header {stripped!r}")
                current = stripped[1:-1].strip()
                if current.lower() not in self._sections:
                    self._sections[current.lower()] = []
                    self.order.append(current)
                continue
            if current is None:
                raise INFError(f"{name}: line {line}: an entry before any section")
            key, fields = split_entry(stripped, line)
            self._sections[current.lower()].append(Entry(key, fields, line))
        self.strings = {e.key.lower(): ",".join(e.fields) for e in self.entries("Strings")
                        if e.key is not None}

    def has(self, section):
        return section.lower() in self._sections

    def entries(self, section):
        """The section's entries in order (none if it does not exist)."""
        return self._sections.get(section.lower(), [])

    def expand(self, text):
        """text with %strkey% replaced from [Strings]; %N% (a directory id)
        and an undefined %strkey% stay as written (undefined_strings lists
        those)."""
        def one(m):
            token = m.group(1)
            if token == "":
                return "%"
            if token.isdigit():
                return m.group(0)
            return self.strings.get(token.lower(), m.group(0))
        return STRING_TOKEN.sub(one, text)

    def undefined_strings(self):
        """(section, line, token) of each %strkey% used but not in [Strings]."""
        out = []
        for section in self.order:
            for e in self.entries(section):
                for text in ([e.key] if e.key else []) + e.fields:
                    for token in STRING_TOKEN.findall(text):
                        if token and not token.isdigit() and token.lower() not in self.strings:
                            out.append((section, e.line, token))
        return out

    def values(self, section, key):
        """The substituted fields of each entry `key = ...` of a section, in
        order (a directive such as AddReg may appear more than once)."""
        return [[self.expand(f) for f in e.fields] for e in self.entries(section)
                if e.key is not None and e.key.lower() == key.lower()]

    def value(self, section, key):
        """The first field of the first entry `key = ...`, substituted, or None."""
        found = self.values(section, key)
        return found[0][0] if found and found[0] else None

    def listed(self, section, key):
        """Every field of every entry `key = ...` of a section, substituted, the
        empty ones left out: the section names a directive such as AddReg lists."""
        return [f for fields in self.values(section, key) for f in fields if f]

    def reg_values(self, section):
        """The AddReg lines of a section as (root, subkey, name, flags, value)
        tuples, substituted; flags is an int (0 when empty)."""
        out = []
        for e in self.entries(section):
            if e.key is not None:
                raise INFError(f"{self.name}: [{section}] line {e.line}: "
                               "an add-registry line is not key = value")
            f = [self.expand(x) for x in e.fields] + [""] * 5
            try:
                flags = int(f[3], 0) if f[3] else 0
            except ValueError:
                raise INFError(f"{self.name}: [{section}] line {e.line}: "
                               f"flags {f[3]!r} are not a number") from None
            out.append((f[0], f[1], f[2], flags, ",".join(x for x in f[4:] if x)))
        return out
