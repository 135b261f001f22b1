#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make memcheck: the daemon under valgrind memcheck for N polls (default 1,000).

The agent polls the simulator every second over TLS and publishes to a real mosquitto; every 50
polls a fault is injected (503 burst, truncated body, garbage, malformed body, a close without
response, 429, 401) and a job changes status, so the error paths run too. At the end the daemon
gets SIGTERM; the run fails if valgrind reports any error or any definite, indirect or possible
leak. Takes about 18 minutes for 1,000 polls.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

FAULTS = [dict(kind="status", status=503, count=3), dict(kind="truncate"), dict(kind="garbage"),
          dict(kind="malformed"), dict(kind="close"), dict(kind="status", status=429),
          dict(kind="status", status=401)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=testlib.DEFAULT_BINARY)
    ap.add_argument("--polls", type=int, default=1000)
    args = ap.parse_args()

    procs = testlib.ProcessGroup()
    work = tempfile.mkdtemp(prefix="m2m-memcheck-")
    binary = os.path.join(work, "modelarts2mqtt")  # a rebuild cannot touch the running copy
    shutil.copy(args.binary, binary)
    agent_log = os.path.join(work, "agent.log")
    vg_log = os.path.join(work, "valgrind.log")
    try:
        certs = testlib.make_certs(work)
        broker = testlib.Mosquitto(procs, work).start()
        sim = testlib.Simulator(procs, certs).start(generate=40)
        ids = [j["job_id"] for j in sim.call("GET", "/_sim/jobs")]
        conf = testlib.write_agent_config(os.path.join(work, "agent.conf"), sim.port,
                                          broker.port, certs["ca"], "memcheck", per_page=10,
                                          poll_interval=1, timeout=10)
        with open(agent_log, "w") as log:
            daemon = procs.popen(["valgrind", "--leak-check=full",
                                  "--show-leak-kinds=definite,indirect,possible",
                                  "--errors-for-leak-kinds=definite,indirect,possible",
                                  "--log-file=" + vg_log, binary, "-c", conf],
                                 stdout=log, stderr=log)
        started, polls, steps = time.monotonic(), 0, set()
        while polls < args.polls:
            time.sleep(5)
            if daemon.poll() is not None:
                raise SystemExit("the agent ended early (exit %s)" % daemon.returncode)
            with open(agent_log, errors="replace") as f:
                polls = len(re.findall(r"poll ok", f.read()))
            step = polls // 50
            if step not in steps:
                steps.add(step)
                sim.add_fault(**FAULTS[step % len(FAULTS)])
                sim.patch_job(ids[step % len(ids)], {"status": [7, 8, 10, 11][step % 4]})
        os.killpg(daemon.pid, signal.SIGTERM)
        rc = daemon.wait(120)
        elapsed = time.monotonic() - started
    finally:
        procs.stop_all()
    with open(vg_log) as f:
        report = f.read()
    shutil.rmtree(work, ignore_errors=True)
    errors = re.search(r"ERROR SUMMARY: (\d+) errors", report)
    heap = re.search(r"in use at exit: ([\d,]+) bytes in ([\d,]+) blocks", report)
    print("memcheck: %d good polls in %.0f s with %d injected faults; exit %d" %
          (polls, elapsed, len(steps), rc))
    print("memcheck: %s; in use at exit: %s bytes in %s blocks" %
          (errors.group(0) if errors else "no error summary",
           heap.group(1) if heap else "?", heap.group(2) if heap else "?"))
    if rc != 0 or errors is None or errors.group(1) != "0":
        print(report[-3000:])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
