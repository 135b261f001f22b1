#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The firmware image's size per part, from the GNU ld map file.

    size_parts.py build/mps2-an386/bringup.map

arm-none-eabi-size gives the image's text, data and bss; this splits them
by where each input section came from (what the linker kept after
--gc-sections): lwIP, mbedTLS, the agent's core (firmware/) and its lwIP
port (port/lwip/), the bring-up application, the board support (the
firmware image's main() and configuration block included), the C library
(newlib-nano) and the compiler's runtime (libgcc). footprint.py builds the
firmware image's budget table on parse(). Columns as
arm-none-eabi-size's: text is code and read-only data (flash), data is
initialised variables (flash and RAM), bss zeroed variables (RAM).
Python 3 standard library.
"""

import re
import sys

# Output sections, by the column of arm-none-eabi-size they count in.
COLUMN = {".vectors": "text", ".text": "text", ".ARM.exidx": "text", ".data": "data",
          ".bss": "bss"}
# Input file to part, first match wins.
PARTS = [
    ("lwIP", re.compile(r"liblwip\.a\(")),
    ("mbedTLS", re.compile(r"libmbed(tls|x509|crypto)\.a\(")),
    ("core", re.compile(r"libm2mcore\.a\(|/firmware/")),
    ("port", re.compile(r"libm2mport_lwip\.a\(|/port/lwip/")),
    ("application", re.compile(r"/board/bringup/")),
    ("board", re.compile(r"/board/")),
    ("C library (newlib-nano)", re.compile(r"lib(c|g|m)_nano\.a\(|libc\.a\(|libm\.a\(")),
    ("libgcc", re.compile(r"libgcc\.a\(")),
]
ORDER = [name for name, _ in PARTS] + ["alignment", "merged strings"]

# " .text.foo  0x00000040  0x22 file" or, after a long name on its own line,
# "            0x00000040  0x22 file"; " *fill*  0x... 0x..".
ENTRY = re.compile(r"^\s+(?:(\S+)\s+)?0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
FILL = re.compile(r"^\s\*fill\*\s+0x[0-9a-f]+\s+0x([0-9a-f]+)")
OUTPUT = re.compile(r"^(\.[A-Za-z0-9_.]+)(?:\s+0x[0-9a-f]+\s+0x([0-9a-f]+))?")


def part_of(path):
    for name, pattern in PARTS:
        if pattern.search(path):
            return name
    return "other"


def parse(map_text):
    """{part: {"text": n, "data": n, "bss": n}}. The input sections' sizes
    are before the linker merged identical strings across objects: the
    "merged strings" row (negative) brings the sum to the image's size."""
    sizes = {}
    output = {"text": 0, "data": 0, "bss": 0}
    section = None
    in_map = False
    for line in map_text.splitlines():
        if line.startswith("Linker script and memory map"):
            in_map = True
            continue
        if not in_map:
            continue
        m = OUTPUT.match(line)
        if m:
            section = m.group(1)
            if section in COLUMN and m.group(2):
                output[COLUMN[section]] += int(m.group(2), 16)
            continue
        column = COLUMN.get(section)
        if column is None:
            continue
        m = FILL.match(line)
        if m:
            part = "alignment"
            size = int(m.group(1), 16)
        else:
            m = ENTRY.match(line)
            if not m or m.group(1) in ("*(COMMON)",) or m.group(4).startswith("load address"):
                continue
            size = int(m.group(3), 16)
            part = part_of(m.group(4))
        if size:
            row = sizes.setdefault(part, {"text": 0, "data": 0, "bss": 0})
            row[column] += size
    for column, size in output.items():
        counted = sum(row[column] for row in sizes.values())
        if counted != size:
            row = sizes.setdefault("merged strings", {"text": 0, "data": 0, "bss": 0})
            row[column] += size - counted
    return sizes


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: size_parts.py IMAGE.map")
    with open(sys.argv[1], encoding="utf-8") as f:
        sizes = parse(f.read())
    names = [n for n in ORDER + sorted(set(sizes) - set(ORDER)) if n in sizes]
    print("%-26s %8s %8s %8s" % ("part", "text", "data", "bss"))
    total = {"text": 0, "data": 0, "bss": 0}
    for n in names:
        row = sizes[n]
        print("%-26s %8d %8d %8d" % (n, row["text"], row["data"], row["bss"]))
        for k in total:
            total[k] += row[k]
    print("%-26s %8d %8d %8d" % ("total", total["text"], total["data"], total["bss"]))


if __name__ == "__main__":
    main()
