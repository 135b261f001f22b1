#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The firmware image's flash and RAM per part, held to DESIGN.md's budgets.

    footprint.py --map build/mps2-an386/modelarts2mqtt.map \\
                 --elf build/mps2-an386/modelarts2mqtt.elf \\
                 --runs build/mps2-an386/footprint-run.json [--nm arm-none-eabi-nm]

make size BOARD=mps2-an386 runs it. Per part (size_parts.py's split of the
linker map): flash is text + data, RAM is data + bss. The image's RAM is
then counted as DESIGN.md says: data + bss, with the TLS pool's array
replaced by the largest use a run measured, plus the deepest stack a run
measured (the stack region is painted at reset): the runs are
tests/mcu/measure_footprint.py's, one against an ECDSA P-256 server and one
against an RSA-2048 server, 1,000 jobs each. The largest objects in RAM are
listed after the table. Exit status 1 when a budget is missed.
Python 3 standard library.
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import size_parts  # noqa: E402

BUDGET_FLASH = 160 * 1024
BUDGET_RAM = 96 * 1024
# The parts in the order of the table; libgcc is counted with the C
# library, alignment and merged strings on a row of their own.
ROWS = [
    ("core", ("core",)),
    ("port", ("port",)),
    ("board", ("board", "application")),
    ("lwIP", ("lwIP",)),
    ("mbedTLS", ("mbedTLS",)),
    ("C library", ("C library (newlib-nano)", "libgcc")),
    ("alignment, merged strings", ("alignment", "merged strings", "other")),
]


# Objects the board's main() places (static, no heap) on behalf of another
# part: their RAM is counted with that part. Symbol name: (part, what).
PLACED = {
    "agent": ("core", "m2m_agent_t, the core's context"),
    "table": ("core", "the job table, job_entry_t x max_jobs"),
    "port": ("port", "struct m2m_port: lwIP's MQTT client, the retained-message buffer"),
    "tls": ("mbedTLS", "tls_context_t: SSL context and configuration, CA chain, DRBG"),
    "pool": ("mbedTLS", "the TLS pool's array (counted at its measured peak above)"),
    "ram_heap": ("lwIP", "lwIP's heap (MEM_SIZE)"),
    "memp_memory_PBUF_POOL_base": ("lwIP", "lwIP's pbuf pool (PBUF_POOL_SIZE)"),
}
MOVED_FROM_BOARD = ("agent", "table", "port", "tls", "pool")


def ram_objects(nm, elf, least=1024):
    """[(size, name)] of the data and bss symbols of at least least bytes,
    largest first."""
    out = subprocess.run([nm, "-S", "--size-sort", "-t", "d", elf], capture_output=True,
                         text=True, check=True).stdout
    objs = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "bBdD" and int(f[1]) >= least:
            objs.append((int(f[1]), f[3]))
    return sorted(objs, reverse=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--map", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--runs", required=True, help="measure_footprint.py's JSON")
    ap.add_argument("--nm", default="arm-none-eabi-nm")
    args = ap.parse_args()

    with open(args.map, encoding="utf-8") as f:
        parts = size_parts.parse(f.read())
    with open(args.runs, encoding="utf-8") as f:
        runs = json.load(f)["runs"]

    objects = ram_objects(args.nm, args.elf)
    pool = max(runs, key=lambda r: r["tls_pool_peak"])
    stack = max(runs, key=lambda r: r["stack_peak"])
    pool_array = pool["tls_pool_size"]

    # What main() and the board's TLS glue place for another part is that
    # part's RAM.
    moved = {}
    for size, name in objects:
        if name in MOVED_FROM_BOARD:
            part = PLACED[name][0]
            moved[part] = moved.get(part, 0) + size
            moved["board"] = moved.get("board", 0) - size

    line = "%-27s %9s %9s   %9s %7s %9s"
    print(line % ("part", "flash", "RAM", "text", "data", "bss"))
    total = {"text": 0, "data": 0, "bss": 0}
    ram_total = 0
    for label, names in ROWS:
        row = {k: sum(parts.get(n, {}).get(k, 0) for n in names) for k in total}
        for k in total:
            total[k] += row[k]
        row["bss"] += moved.get(label, 0)
        ram = row["data"] + row["bss"]
        if label == "mbedTLS":
            ram += pool["tls_pool_peak"] - pool_array  # the pool at its peak
        ram_total += ram
        print(line % (label, row["text"] + row["data"], ram, row["text"], row["data"], row["bss"]))
    print(line % ("stack (deepest, measured)", 0, stack["stack_peak"], "", "", ""))
    ram_total += stack["stack_peak"]
    flash = total["text"] + total["data"]
    print(line % ("image", flash, ram_total, total["text"], total["data"], total["bss"]))
    print("mbedTLS's RAM counts the TLS pool at its measured peak (%d of its %d-byte array);"
          % (pool["tls_pool_peak"], pool_array))
    print("text, data and bss are the image as linked (arm-none-eabi-size).")
    print()
    for r in runs:
        print("measured, %s server, %d jobs: TLS pool peak %d of %d bytes, stack peak %d of %d"
              % (r["server"], r["jobs"], r["tls_pool_peak"], r["tls_pool_size"],
                 r["stack_peak"], r["stack_size"]))
    print()
    ok = True
    for what, value, budget in (("flash (text + data)", flash, BUDGET_FLASH),
                                ("RAM (data + bss, the TLS pool at its peak, the deepest stack)",
                                 ram_total, BUDGET_RAM)):
        met = value <= budget
        ok = ok and met
        print("%-64s %7d  budget %6d  %s" % (what, value, budget, "met" if met else "MISSED"))

    print()
    print("largest objects in RAM, bytes (main() places those of the core, the port and mbedTLS;")
    print("the table counts each with its part):")
    for size, name in objects[:10]:
        part, what = PLACED.get(name, ("", ""))
        print("  %7d  %-28s %-8s %s" % (size, name, part, what))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
