#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Measure what the firmware image uses at run time: the deepest stack (the
reset handler paints the stack region) and the TLS pool's high-water mark,
which the image prints on its console as it exits ("footprint: ...").

    measure_footprint.py --out build/mps2-an386/footprint-run.json

One run per kind of server certificate (ECDSA P-256 and RSA-2048: the
handshakes differ), each a full day's work for the board: AK/SK signing,
1,000 jobs over 10 pages, a first poll that publishes every job and a
second one that finds nothing new, against the simulator and mosquitto on
the host. make size BOARD=mps2-an386 runs this when the image is newer than
the file, and holds the largest figures to DESIGN.md's RAM budget
(boards/mps2-an386/size_parts.py). Python 3 standard library.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mcu_base  # noqa: E402

AK = "MEASUREAKID0000000001"
SK = "measure-secret-key-for-the-footprint-run"
JOBS = 1000


def jobs(n):
    return [{"job_id": 500000 + i, "job_name": "footprint-%04d" % i, "version_id": i + 1,
             "status": i % 23, "create_time": 1700000000000 + i, "duration": i * 1000,
             "job_desc": "footprint measurement job %d" % i, "version_count": 1 + i % 3}
            for i in range(n)]


def measure(key_type):
    rig = mcu_base.Rig(key_type, {"ak": AK, "sk": SK}, prefix="m2m-footprint-")
    try:
        rig.sim.set_jobs(jobs(JOBS))
        config = rig.config("footprint_%s" % key_type, auth="aksk", token=None, ak=AK, sk=SK,
                            per_page=100, max_polls=2, poll_interval=1, control_file=None)
        started = time.monotonic()
        board = rig.boot("run", config, timeout=120)
        rc = board.wait()
        console = board.console()
        fp = board.footprint()
        if rc != mcu_base.EXIT_OK or fp is None or "poll ok: %d jobs" % JOBS not in console:
            sys.stderr.write(console[-6000:])
            raise SystemExit("measure_footprint: the %s run failed (exit %r)" % (key_type, rc))
        fp.update({"server": "ECDSA P-256" if key_type == "ec" else "RSA-2048",
                   "jobs": JOBS, "seconds": round(time.monotonic() - started, 1)})
        return fp
    finally:
        rig.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="JSON file to write")
    args = ap.parse_args()
    try:
        mcu_base.require_firmware()
    except mcu_base.unittest.SkipTest as e:
        raise SystemExit("measure_footprint: %s" % e)
    runs = [measure("ec"), measure("rsa")]
    for r in runs:
        print("footprint run, %s server: stack peak %d of %d bytes, TLS pool peak %d of %d bytes"
              " (%.1f s)" % (r["server"], r["stack_peak"], r["stack_size"], r["tls_pool_peak"],
                             r["tls_pool_size"], r["seconds"]))
    with open(args.out + ".tmp", "w") as f:
        json.dump({"image": os.path.abspath(mcu_base.FIRMWARE), "runs": runs}, f, indent=1)
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
