#!/usr/bin/env python3
"""make bench: the agent's cost, measured against the simulator on loopback.

Prints, with the budgets of the design next to each figure:
- the stripped size of the binary;
- the peak RSS of `--once` over N jobs (default 10,000) at per_page 10, 100 and 1000;
- the instructions per body byte of parsing and diffing a poll of N unchanged jobs: the agent
  runs as a daemon under callgrind, the second poll is dumped on its own, and the inclusive cost
  of the HTTP parser and the job splitter (which calls jsmn, the record parser and the job table)
  is divided by the body bytes of that poll. TLS and MQTT are outside those functions.
"""

import argparse
import glob
import http.client
import os
import json
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

BUDGET_RSS_KB = 8 * 1024
BUDGET_RSS_SPREAD_KB = 256
BUDGET_BINARY = 200 * 1024
BUDGET_INSN_PER_BYTE = 40.0
PARSE_FUNCTIONS = ("http_response_feed", "http_response_finish", "job_stream_finish")


def mark(ok):
    return "met" if ok else "MISSED"


def peak_rss_kb(args):
    """Run a command to its end; its exit code and peak RSS in KiB.

    GNU time measures it: a child forked straight from Python would start
    with Python's own resident pages counted in its peak."""
    marker = "peak-rss-kib="
    r = subprocess.run(["/usr/bin/time", "-f", marker + "%M"] + args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    kb, err = 0, []
    for line in r.stderr.splitlines():
        if line.startswith(marker):
            kb = int(line[len(marker):])
        else:
            err.append(line)
    return r.returncode, kb, "\n".join(err)


def body_bytes(sim, certs, per_page):
    """Bytes of every page body of one walk, fetched the way the agent does."""
    ctx = ssl.create_default_context(cafile=certs["ca"])
    conn = http.client.HTTPSConnection("localhost", sim.port, context=ctx, timeout=60)
    total, page = 0, 1
    while True:
        conn.request("GET", "/v1/%s/training-jobs?page=%d&per_page=%d" %
                     (testlib.PROJECT_ID, page, per_page),
                     headers={"X-Auth-Token": testlib.TOKEN})
        r = conn.getresponse()
        data = r.read()
        total += len(data)
        n = len(json.loads(data).get("jobs", []))
        if n < per_page:
            break
        page += 1
    conn.close()
    return total


def inclusive_cost(dump):
    """Sum of the inclusive Ir of PARSE_FUNCTIONS in a callgrind dump."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", dump],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    total = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name = parts[-1].split(":")[-1].split("'")[0]
        if name in PARSE_FUNCTIONS or name == "job_stream_feed":
            total += int(parts[0].replace(",", ""))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=testlib.DEFAULT_BINARY)
    ap.add_argument("--jobs", type=int, default=10000)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)

    procs = testlib.ProcessGroup()
    work = tempfile.mkdtemp(prefix="m2m-bench-")
    try:
        stripped = os.path.join(work, "modelarts2mqtt.stripped")
        subprocess.run(["strip", "-o", stripped, binary], check=True)
        size = os.path.getsize(stripped)

        certs = testlib.make_certs(work)
        broker = testlib.Mosquitto(procs, work).start()
        sim = testlib.Simulator(procs, certs).start(generate=args.jobs)

        rss = {}
        for per_page in (10, 100, 1000):
            conf = testlib.write_agent_config(os.path.join(work, "once-%d.conf" % per_page),
                                              sim.port, broker.port, certs["ca"], "bench",
                                              per_page=per_page, timeout=60)
            rc, kb, err = peak_rss_kb([binary, "-c", conf, "--once", "-q"])
            if rc != 0:
                raise SystemExit("agent --once failed (exit %d):\n%s" % (rc, err))
            rss[per_page] = kb

        per_page = 1000
        conf = testlib.write_agent_config(os.path.join(work, "daemon.conf"), sim.port,
                                          broker.port, certs["ca"], "bench-cg",
                                          per_page=per_page, poll_interval=1, timeout=60)
        cg_out = os.path.join(work, "cg.out")
        daemon = procs.popen(["valgrind", "--tool=callgrind", "--dump-after=m2m_agent_poll",
                              "--callgrind-out-file=" + cg_out, binary, "-c", conf, "-q"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while len(glob.glob(cg_out + ".*")) < 2 and time.monotonic() < deadline:
            if daemon.poll() is not None:
                raise SystemExit("agent under callgrind ended early")
            time.sleep(0.5)
        procs.stop(daemon)
        dumps = sorted(glob.glob(cg_out + ".*"), key=lambda p: int(p.rsplit(".", 1)[1]))
        if len(dumps) < 2:
            raise SystemExit("callgrind did not dump two polls")
        steady = inclusive_cost(dumps[1])
        nbytes = body_bytes(sim, certs, per_page)
        ipb = steady / nbytes
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)

    spread = abs(rss[1000] - rss[10])
    print("modelarts2mqtt bench (%d jobs, simulator and mosquitto on loopback)" % args.jobs)
    print("")
    print("| measure | value | budget | |")
    print("|---|---|---|---|")
    print("| stripped binary (dynamic) | %d bytes | %d bytes | %s |" %
          (size, BUDGET_BINARY, mark(size <= BUDGET_BINARY)))
    for pp in (10, 100, 1000):
        print("| peak RSS, --once, per_page=%d | %d KiB | %d KiB | %s |" %
              (pp, rss[pp], BUDGET_RSS_KB, mark(rss[pp] <= BUDGET_RSS_KB)))
    print("| peak RSS spread, per_page 10 vs 1000 | %d KiB | %d KiB | %s |" %
          (spread, BUDGET_RSS_SPREAD_KB, mark(spread <= BUDGET_RSS_SPREAD_KB)))
    print("| parse + diff, steady poll, per_page=%d | %.1f instructions/byte (%d over %d "
          "body bytes) | %.0f | %s |" % (per_page, ipb, steady, nbytes, BUDGET_INSN_PER_BYTE,
                                         mark(ipb <= BUDGET_INSN_PER_BYTE)))


if __name__ == "__main__":
    main()
