#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The portable core's footprint on Cortex-M4, held to DESIGN.md's budgets.

`make size` runs it (boards/cortex-m4.mk). It reads, with the toolchain's
binutils only (nothing runs on the target):

- per module (object file of the library): .text, .rodata, .data, .bss,
  each the sum of the object's sections of that kind (-ffunction-sections and
  -fdata-sections give one section per function and object); jsmn, compiled
  into job_record.o, is shown on a row of its own (its jsmn_* sections);
- the largest stack frame per module (-fstack-usage .su files) and the
  deepest call chain through the core (-fcallgraph-info=su .ci files);
- what an application links: a relocatable link (ld -r --gc-sections) of the
  library that keeps only what the public entry points of include/agent.h
  reach; the port, mbedTLS and C library functions they call stay undefined,
  so none of their code is counted; the compiler's own helpers (libgcc's
  64-bit division, for one) are linked in and counted, since every
  application pays for them;
- sizeof(m2m_agent_t) and sizeof(job_entry_t), from the sizes of two arrays
  of that size in boards/cortex-m4/sizeof_probe.c.

Exit status 1 when a budget is missed.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

# DESIGN.md, "Budgets".
BUDGET_TEXT = 24 * 1024  # code and read-only data, firmware/ + jsmn, AK/SK signing on
BUDGET_CONTEXT = 8 * 1024  # sizeof(m2m_agent_t), buffers included
BUDGET_STACK = 2 * 1024  # worst stack
BUDGET_ENTRY = 16  # job table bytes per tracked job

KINDS = ("text", "rodata", "data", "bss")


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("size.py: %s failed:\n%s" % (" ".join(cmd), out.stderr))
    return out.stdout


def kind_of(section):
    """The budget kind of an allocated section, or None."""
    for kind, prefixes in (("text", (".text",)), ("rodata", (".rodata",)),
                           ("data", (".data",)), ("bss", (".bss", "COMMON"))):
        if any(section == p or section.startswith(p + ".") for p in prefixes):
            return kind
    return None


def sections_by_member(tools, path):
    """{member: [(section, size)]} of an archive or one object (size -A)."""
    members, current = {}, None
    for line in run([tools + "size", "-A", path]).splitlines():
        m = re.match(r"^(\S+)\s+\(ex .*\):$", line) or re.match(r"^(\S+)\s+:$", line)
        if m:
            current = os.path.basename(m.group(1))
            members[current] = []
            continue
        f = line.split()
        if current and len(f) >= 2 and f[1].isdigit() and f[0] != "Total":
            members[current].append((f[0], int(f[1])))
    return members


def module_rows(sections):
    """Rows (module, {kind: bytes}); jsmn's sections split out of job_record.o."""
    rows = {}
    for member, secs in sections.items():
        name = member[:-2] if member.endswith(".o") else member
        for sec, size in secs:
            kind = kind_of(sec)
            if kind is None or size == 0:
                continue
            mod = "jsmn" if re.search(r"\.jsmn_", sec) else name
            rows.setdefault(mod, dict.fromkeys(KINDS, 0))[kind] += size
    return rows


def read_su(objdir):
    """{module: (bytes, function)}: the largest frame of each module."""
    worst = {}
    for f in sorted(os.listdir(objdir)):
        if not f.endswith(".su"):
            continue
        mod = f[:-3]
        with open(os.path.join(objdir, f)) as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2:
                    continue
                func = parts[0].rsplit(":", 1)[-1]
                size = int(parts[1])
                if "jsmn" in func:
                    key = "jsmn"
                else:
                    key = mod
                if size > worst.get(key, (-1, ""))[0]:
                    worst[key] = (size, func)
    return worst


def read_callgraph(objdir):
    """Deepest call chain through the core's own functions (.ci files).

    Returns (bytes, [functions]). A callee outside the core (mbedTLS, the port,
    the C library) adds nothing: its frames are the port's to measure."""
    frames, edges, names = {}, {}, {}
    node_re = re.compile(r'node:\s*\{\s*title:\s*"([^"]+)"\s*label:\s*"([^"]*)"')
    edge_re = re.compile(r'edge:\s*\{\s*sourcename:\s*"([^"]+)"\s*targetname:\s*"([^"]+)"')
    found = False
    for f in sorted(os.listdir(objdir)):
        if not f.endswith(".ci"):
            continue
        found = True
        text = open(os.path.join(objdir, f)).read()
        for title, label in node_re.findall(text):
            m = re.search(r"\\n(\d+) bytes", label)
            if m:
                frames[title] = int(m.group(1))
                names[title] = label.split("\\n")[0]
        for src, dst in edge_re.findall(text):
            edges.setdefault(src, set()).add(dst)
    if not found:
        return None
    memo = {}

    def deepest(fn, path):
        if fn in memo:
            return memo[fn]
        if fn in path:  # recursion would be unbounded: the core has none
            sys.exit("size.py: recursion through %s" % fn)
        best = (0, [])
        for callee in edges.get(fn, ()):
            if callee in frames:
                d = deepest(callee, path | {fn})
                if d[0] > best[0]:
                    best = d
        memo[fn] = (frames[fn] + best[0], [names[fn]] + best[1])
        return memo[fn]

    worst = (0, [])
    for fn in frames:
        d = deepest(fn, frozenset())
        if d[0] > worst[0]:
            worst = d
    return worst


def entry_points(header):
    text = open(header).read()
    return sorted(set(re.findall(r"^[A-Za-z_][\w \t\*]*?\b(m2m_agent_\w+)\s*\(", text, re.M)))


def linked(tools, lib, entries, libgcc=None):
    """Section totals of what the entry points pull from lib (and libgcc),
    and the size column text/data/bss, after ld -r --gc-sections."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "app_core.o")
        cmd = [tools + "ld", "-r", "--gc-sections", "-o", out]
        for e in entries:
            cmd += ["-u", e]
        run(cmd + [lib] + ([libgcc] if libgcc else []))
        rows = module_rows({"linked": sections_by_member(tools, out)["app_core.o"]})
        totals = dict.fromkeys(KINDS, 0)
        for r in rows.values():
            for k in KINDS:
                totals[k] += r[k]
        berkeley = run([tools + "size", out]).splitlines()[1].split()
        return totals, tuple(int(x) for x in berkeley[:3])


def symbol_sizes(tools, obj):
    sizes = {}
    for line in run([tools + "nm", "-S", obj]).splitlines():
        f = line.split()
        if len(f) == 4:
            sizes[f[3]] = int(f[1], 16)
    return sizes


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tool-prefix", default="arm-none-eabi-")
    ap.add_argument("--lib", required=True, help="default MCU configuration")
    ap.add_argument("--full-lib", help="every option on")
    ap.add_argument("--probe", required=True)
    ap.add_argument("--entry-header", required=True)
    ap.add_argument("--compiler", default="")
    ap.add_argument("--libgcc", default="", help="the compiler's helper library, counted")
    ap.add_argument("--features", default="")
    args = ap.parse_args()
    tools = args.tool_prefix

    rows = module_rows(sections_by_member(tools, args.lib))
    full_rows = module_rows(sections_by_member(tools, args.full_lib)) if args.full_lib else {}
    su = read_su(os.path.join(os.path.dirname(args.lib), "firmware"))
    entries = entry_points(args.entry_header)
    if not entries:
        sys.exit("size.py: no m2m_agent_* entry points in " + args.entry_header)
    link_totals, link_size = linked(tools, args.lib, entries, args.libgcc)
    full_link = linked(tools, args.full_lib, entries, args.libgcc) if args.full_lib else None
    chain = read_callgraph(os.path.join(os.path.dirname(args.lib), "firmware"))
    sizes = symbol_sizes(tools, args.probe)
    ctx = sizes.get("m2m_sizeof_agent")
    entry = sizes.get("m2m_sizeof_job_entry")
    if ctx is None or entry is None:
        sys.exit("size.py: the probe lacks m2m_sizeof_agent or m2m_sizeof_job_entry")

    print("Portable core on Cortex-M4 (%s)" % (args.compiler or "arm-none-eabi-gcc"))
    print("options: %s" % (args.features or "defaults"))
    print()
    hdr = "%-16s %7s %7s %6s %6s %8s  %-28s %9s" % (
        "module", "text", "rodata", "data", "bss", "t+ro", "largest stack frame",
        "t+ro all")
    print(hdr)
    print("-" * len(hdr))
    tot = dict.fromkeys(KINDS, 0)
    full_tot = 0
    for mod in sorted(set(rows) | set(full_rows)):
        r = rows.get(mod, dict.fromkeys(KINDS, 0))
        fr = full_rows.get(mod, dict.fromkeys(KINDS, 0))
        for k in KINDS:
            tot[k] += r[k]
        full_tot += fr["text"] + fr["rodata"]
        frame = su.get(mod)
        frame_txt = "%d %s" % frame if frame else "-"
        print("%-16s %7d %7d %6d %6d %8d  %-28s %9s" % (
            mod, r["text"], r["rodata"], r["data"], r["bss"], r["text"] + r["rodata"],
            frame_txt[:28], fr["text"] + fr["rodata"] if full_rows else "-"))
    print("-" * len(hdr))
    print("%-16s %7d %7d %6d %6d %8d  %-28s %9s" % (
        "all objects", tot["text"], tot["rodata"], tot["data"], tot["bss"],
        tot["text"] + tot["rodata"], "", full_tot if full_rows else "-"))
    lt = link_totals
    print("%-16s %7d %7d %6d %6d %8d  %-28s %9s" % (
        "linked app", lt["text"], lt["rodata"], lt["data"], lt["bss"], lt["text"] + lt["rodata"],
        "", (full_link[0]["text"] + full_link[0]["rodata"]) if full_link else "-"))
    print()
    print("linked app: ld -r --gc-sections keeping %s" % ", ".join(entries))
    print("            (port, mbedTLS and C library functions left undefined, not counted;")
    print("            libgcc helpers such as 64-bit division linked in and counted)")
    print("            %ssize: text %d, data %d, bss %d" % (tools, *link_size))
    if full_link:
        print("            every option on: text %d, data %d, bss %d" % full_link[1])
    if chain:
        print("deepest call chain in the core: %d bytes: %s" % (chain[0], " > ".join(chain[1])))
        print("            (plus the frames of the mbedTLS and port functions it calls)")
    print()

    worst_frame = max(su.values()) if su else (0, "")
    checks = [
        ("text (code + read-only data), linked app", link_size[0], BUDGET_TEXT,
         link_size[0] <= BUDGET_TEXT),
        (".data + .bss of its own, all objects", tot["data"] + tot["bss"], 0,
         tot["data"] + tot["bss"] == 0 and link_size[1] + link_size[2] == 0),
        ("context sizeof(m2m_agent_t)", ctx, BUDGET_CONTEXT, ctx <= BUDGET_CONTEXT),
        ("job table bytes per job, sizeof(job_entry_t)", entry, BUDGET_ENTRY,
         entry <= BUDGET_ENTRY),
        ("worst stack frame (%s)" % worst_frame[1], worst_frame[0], BUDGET_STACK,
         worst_frame[0] <= BUDGET_STACK),
    ]
    if chain:
        checks.append(("deepest call chain, core frames", chain[0], BUDGET_STACK,
                       chain[0] <= BUDGET_STACK))
    print("%-48s %9s %9s  %s" % ("budget (DESIGN.md)", "measured", "budget", ""))
    for name, got, limit, ok in checks:
        print("%-48s %9d %9d  %s" % (name, got, limit, verdict(ok)))
    if full_link:
        print("%-48s %9d %9s  %s" % ("text, linked app, every option on", full_link[1][0],
                                     "-", "(for reference)"))
    missed = [c[0] for c in checks if not c[3]]
    if missed:
        print("\nbudget missed: " + "; ".join(missed))
        return 1
    print("\nevery budget met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
