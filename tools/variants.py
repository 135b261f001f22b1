#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make variants: the size and peak RSS of a board's four link variants, dynamic and static
(STATIC=1), with and without MQTT over TLS (MQTT_TLS=1, Paho's TLS variant on OpenSSL;
MQTT_TLS=0, Paho's plain variant):

    python3 tools/variants.py --board BOARD [--strip STRIP] [--run-prefix CMD]
                              [--jobs 10000] [--per-page 1000] [--runs 5]

For each build under build/ (build/BOARD, BOARD-static, BOARD-mqtt-plain,
BOARD-static-mqtt-plain; `make variants` builds them first) it prints the file size as built
(-O2 -g) and stripped (with STRIP), and the peak RSS of `--once` over JOBS jobs at PER_PAGE
against the simulator (HTTPS, mbedTLS) and a real mosquitto over tcp:// on loopback, each run
a first start of its own agent_id (every job new, published at QoS 1), the median of RUNS runs.

Peak RSS on the host is GNU time's %M, as make bench measures it (tests/bench.py). Under
qemu-user (--run-prefix qemu-aarch64) GNU time sees the emulator's process, whose resident
set holds QEMU itself (its code, the translated-code cache, its heap) besides the emulated
program's pages. So the table also gives the guest's own figure: QEMU runs the program with
its guest address space at a fixed place (-B, -R), and the resident pages of that range
(/proc/PID/smaps, sampled every few milliseconds; the largest sum seen) are the pages the
emulated program touched: its code and libraries, data, heap and stacks, as the kernel of a
real board would count them. Running a host build under qemu-x86_64 the same way checks the
method against the native figure.
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import testlib  # noqa: E402
from bench import num, start_broker  # noqa: E402

# Where QEMU puts the guest address space (-B) and how large it is (-R): 4 GiB less a page,
# which every board's program fits, and the most qemu-arm accepts (its commpage at 0xffff0000
# must be inside). qemu-x86_64 cannot run this way (its vsyscall page is above 4 GiB).
GUEST_BASE = 0x100000000000
GUEST_SIZE = 0xfffff000
VARIANTS = (("dynamic", "MQTT_TLS=1", ""), ("dynamic", "MQTT_TLS=0", "-mqtt-plain"),
            ("static", "MQTT_TLS=1", "-static"), ("static", "MQTT_TLS=0", "-static-mqtt-plain"))
HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) ")


def guest_rss_kib(pid):
    """KiB resident in the guest address space of QEMU's process pid; None once it is gone."""
    total = 0
    inside = False
    try:
        with open("/proc/%d/smaps" % pid) as f:
            for line in f:
                m = HEADER.match(line)
                if m:
                    start, end = int(m.group(1), 16), int(m.group(2), 16)
                    inside = start >= GUEST_BASE and end <= GUEST_BASE + GUEST_SIZE
                elif inside and line.startswith("Rss:"):
                    total += int(line.split()[1])
    except (OSError, ValueError):
        return None
    return total


def child_of(pid, timeout=5.0):
    """The first child process of pid (GNU time's: the program it runs)."""
    deadline = time.monotonic() + timeout
    path = "/proc/%d/task/%d/children" % (pid, pid)
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except OSError:
            return None
        time.sleep(0.001)
    return None


class GuestSampler(threading.Thread):
    """Samples guest_rss_kib() of the program GNU time (pid) runs until it ends."""

    def __init__(self, time_pid):
        super().__init__(daemon=True)
        self.time_pid = time_pid
        self.peak = 0

    def run(self):
        pid = child_of(self.time_pid)
        while pid is not None:
            kib = guest_rss_kib(pid)
            if kib is None:
                return
            self.peak = max(self.peak, kib)
            time.sleep(0.003)


def once_rss(argv, qemu):
    """(host peak RSS KiB, guest peak RSS KiB or None) of one run; SystemExit on failure."""
    marker = "variants-rss="
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(["/usr/bin/time", "-f", marker + "%M"] + argv,
                             stdout=subprocess.DEVNULL, stderr=err)
        sampler = GuestSampler(p.pid) if qemu else None
        if sampler:
            sampler.start()
        rc = p.wait()
        if sampler:
            sampler.join(5)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    m = re.search(marker + r"(\d+)", text)
    if rc != 0 or m is None:
        raise SystemExit("%s failed (exit %d):\n%s" % (" ".join(argv), rc, text[-3000:]))
    return int(m.group(1)), (sampler.peak if sampler else None)


def code_and_data(path, size_tool):
    """text + data of `size` (Berkeley format): what the program loads from its file."""
    out = subprocess.run(shlex.split(size_tool) + [path], stdout=subprocess.PIPE, check=True,
                         text=True).stdout.splitlines()[1].split()
    return int(out[0]) + int(out[1])


def stripped_size(path, strip, work):
    out = os.path.join(work, "stripped")
    subprocess.run(shlex.split(strip) + ["-o", out, path], check=True)
    size = os.path.getsize(out)
    os.remove(out)
    return size


def median(values):
    return sorted(values)[len(values) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--board", default="host")
    ap.add_argument("--strip", default="strip", help="the board's strip (default: %(default)s)")
    ap.add_argument("--size", default=None,
                    help="the board's size (default: STRIP with size for strip)")
    ap.add_argument("--run-prefix", default="",
                    help="the emulator the board's programs run under (qemu-aarch64)")
    ap.add_argument("--jobs", type=int, default=10000)
    ap.add_argument("--per-page", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes-only", action="store_true", help="no runs, sizes only")
    args = ap.parse_args()

    size_tool = args.size or re.sub(r"strip$", "size", args.strip)
    prefix = shlex.split(args.run_prefix)
    qemu = bool(prefix) and os.path.basename(prefix[0]).startswith("qemu-")
    if qemu:
        prefix += ["-B", hex(GUEST_BASE), "-R", hex(GUEST_SIZE)]
    builds = []
    for link, tls, suffix in VARIANTS:
        path = os.path.join(ROOT, "build", args.board + suffix, "modelarts2mqtt")
        if not os.access(path, os.X_OK):
            raise SystemExit("%s is not built: make BOARD=%s STATIC=%d %s (or make variants)"
                             % (path, args.board, link == "static", tls))
        builds.append((link, tls, path))

    procs = testlib.ProcessGroup()
    work = tempfile.mkdtemp(prefix="m2m-variants-")
    rows = []
    try:
        if not args.sizes_only:
            certs = testlib.make_certs(work)
            mqtt_port = start_broker(procs, work)
            sim = testlib.Simulator(procs, certs).start()
            sim.call("POST", "/_sim/generate", {"count": args.jobs, "seed": 1})
        for n, (link, tls, path) in enumerate(builds):
            row = {"link": link, "tls": tls, "size": os.path.getsize(path),
                   "stripped": stripped_size(path, args.strip, work),
                   "code": code_and_data(path, size_tool), "rss": [], "guest": []}
            for run in range(0 if args.sizes_only else args.runs):
                agent_id = "v%d-%d-%d" % (n, run, os.getpid())
                conf = testlib.write_agent_config(
                    os.path.join(work, agent_id + ".conf"), sim.port, mqtt_port, certs["ca"],
                    agent_id, per_page=args.per_page, poll_interval=1, timeout=60,
                    base_topic="variants", mqtt_extra={"heartbeat": None})
                extra = ["--set", "modelarts.max_jobs=%d" % args.jobs] if args.jobs > 10000 else []
                host, guest = once_rss(prefix + [path, "-c", conf, "--once", "-q"] + extra, qemu)
                row["rss"].append(host)
                if guest is not None:
                    row["guest"].append(guest)
            rows.append(row)
            sys.stderr.write("variants: %s %s done\n" % (link, tls))
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)

    runner = " ".join(shlex.split(args.run_prefix)) or "native"
    if args.sizes_only:
        print("board %s: sizes" % args.board)
    else:
        print("board %s (%s), --once over %s jobs at per_page %d, median of %d runs"
              % (args.board, runner, num(args.jobs), args.per_page, args.runs))
    print()
    cols = ["link", "MQTT", "file, -O2 -g (bytes)", "stripped (bytes)",
            "text + data (bytes)"]
    if not args.sizes_only:
        cols.append("peak RSS, %s (KiB)" % ("qemu process" if qemu else "GNU time"))
        if qemu:
            cols.append("peak RSS, guest pages (KiB)")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        cells = [r["link"], r["tls"], num(r["size"]), num(r["stripped"]), num(r["code"])]
        if not args.sizes_only:
            cells.append(num(median(r["rss"])))
            if qemu:
                cells.append(num(median(r["guest"])))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
