#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build the header tree the portable core is compiled against on an MCU board.

The compiler is run with -nostdinc and sees only the directories this script
fills: for each directory of the toolchain's own search list (GCC's builtin
headers, then the C library's), the named C standard headers and exactly the
files they include themselves, copied with their relative paths. Any other
header (unistd.h, sys/socket.h, pthread.h, stdio.h, ...) is absent, so a core
file that includes one fails to build.

usage: mcu_sysroot.py --cc CC --out DIR [--cflag FLAG]... HEADER...
Writes DIR/inc0, DIR/inc1, ... in the toolchain's search order (the board
passes each with -isystem) and prints the files copied.
"""
import argparse
import os
import shutil
import subprocess
import sys


def search_dirs(cc, cflags):
    """The toolchain's #include <...> directories, in order."""
    out = subprocess.run([cc] + cflags + ["-xc", "-E", "-v", os.devnull],
                         capture_output=True, text=True, check=True).stderr
    dirs, inside = [], False
    for line in out.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            break
        elif inside:
            dirs.append(os.path.realpath(line.strip()))
    if not dirs:
        sys.exit("mcu_sysroot: no include directories reported by " + cc)
    return dirs


def closure(cc, cflags, headers):
    """Every file a translation unit including headers reads."""
    probe = "".join("#include <%s>\n" % h for h in headers)
    out = subprocess.run([cc] + cflags + ["-M", "-xc", "-"], input=probe,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("mcu_sysroot: the toolchain cannot compile its own headers:\n" + out.stderr)
    words = out.stdout.replace("\\\n", " ").split()
    return [os.path.realpath(w) for w in words[1:] if w != "-"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cc", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cflag", action="append", default=[])
    ap.add_argument("headers", nargs="+")
    args = ap.parse_args()

    dirs = search_dirs(args.cc, args.cflag)
    files = closure(args.cc, args.cflag, args.headers)
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    for i in range(len(dirs)):
        os.makedirs(os.path.join(args.out, "inc%d" % i))
    for f in files:
        for i, d in enumerate(dirs):
            if f.startswith(d + os.sep):
                rel = os.path.relpath(f, d)
                dst = os.path.join(args.out, "inc%d" % i, rel)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(f, dst)
                print("inc%d/%s" % (i, rel))
                break
        else:
            sys.exit("mcu_sysroot: %s is outside the toolchain's include directories" % f)


if __name__ == "__main__":
    main()
