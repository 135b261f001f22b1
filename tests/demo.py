#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make demo`: the agent against the ModelArts simulator and a real
mosquitto, with the MQTT traffic printed as it arrives.

    python3 tests/demo.py --binary build/host/modelarts2mqtt [--duration N]
                          [--jobboard build/jobboard]

Generates test certificates, starts mosquitto on a free port, the simulator
in --demo mode (jobs that queue, run, finish, fail, get cancelled, appear
and disappear over 90 seconds), and the agent with poll_interval = 5.
With --jobboard DIR, mosquitto also listens for MQTT over WebSockets on port
9001 (another free port when 9001 is taken) and serves DIR there: the live
job board (examples/jobboard). Ctrl-C (or SIGTERM) stops everything it
started.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import testlib  # noqa: E402

AGENT_ID = "demo-gateway"
# The second project of the demo, walked with the v2 list call: a few jobs whose phases a
# thread of the demo moves along.
V2_PROJECT = "demo-v2"
V2_JOBS = [
    {"job_id": 9001, "job_name": "llama-finetune", "status": 8, "duration": 0,
     "create_time": 1764300000000, "job_desc": "a v2 job"},
    {"job_id": 9002, "job_name": "vit-pretrain", "status": 7, "duration": 0,
     "create_time": 1764300001000, "job_desc": "a v2 job"},
    {"job_id": 9003, "job_name": "whisper-eval", "status": 10, "duration": 86000,
     "create_time": 1764300002000, "job_desc": "a v2 job"},
]
# Statuses a v2 job goes through (the simulator shows them as v2 phases: Pending, Running,
# Completed, Failed).
V2_CYCLE = (7, 8, 10, 7, 8, 11)
JOBBOARD_PORT = 9001  # mosquitto's usual WebSockets port


def port_is_free(port):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False


# Set by SIGINT/SIGTERM; the main loop notices it. (No exception from the
# handler: one raised inside Popen could lose track of a started child.)
stop_requested = threading.Event()


def _on_signal(signum, frame):
    stop_requested.set()


def say(text="", flush=True):
    """Print a line; a reader that went away (make demo | head) ends the demo
    cleanly instead of with a traceback per line."""
    try:
        print(text, flush=flush)
    except (BrokenPipeError, ValueError):
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        stop_requested.set()


def color(text, code):
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        return text
    return "\033[%sm%s\033[0m" % (code, text)


def describe(topic, payload):
    """One readable line for one MQTT message."""
    short = topic.split("/", 2)[-1] if topic.count("/") >= 2 else topic
    if payload == b"":
        return color("%-44s (removed: zero-byte retained message)" % short, "2")
    text = payload.decode("utf-8", "replace")
    if topic.endswith("/events"):
        try:
            e = json.loads(text)
            what = {"added": "ADDED     ", "transition": "TRANSITION", "removed": "REMOVED   "}
            line = "%s job %s %s: %s -> %s (%s)" % (
                what.get(e.get("type"), e.get("type")), e.get("job_id"),
                e.get("job_name") or "", e.get("from_name"), e.get("to_name"), e.get("phase"))
            return color("%-44s %s" % (short, line), "1;33")
        except ValueError:
            pass
    if "/jobs/" in topic:
        try:
            j = json.loads(text)
            return "%-44s %-22s %-24s %s" % (short, j.get("job_name"), j.get("status_name"),
                                             j.get("phase"))
        except ValueError:
            pass
    code = "36" if topic.endswith(("/summary", "/health")) else "32"
    return color("%-44s %s" % (short, text), code)


def move_v2_jobs(sim, every_s):
    """Move one v2 job to its next status every every_s seconds, round robin."""
    current = {j["job_id"]: j["status"] for j in V2_JOBS}
    step = 0
    while not stop_requested.wait(every_s):
        job_id = V2_JOBS[step % len(V2_JOBS)]["job_id"]
        now = current[job_id]
        status = V2_CYCLE[(V2_CYCLE.index(now) + 1) % len(V2_CYCLE)] if now in V2_CYCLE else 7
        try:
            sim.call("PATCH", "/_sim/projects/%s/jobs/%d" % (V2_PROJECT, job_id),
                     {"status": status})
        except (RuntimeError, OSError):
            return
        current[job_id] = status
        step += 1


def pump(proc, started):
    """Print mosquitto_sub's -v output ("topic payload") as it arrives."""
    for raw in proc.stdout:
        raw = raw.rstrip(b"\n")
        topic, _, payload = raw.partition(b" ")
        stamp = "%6.1fs" % (time.monotonic() - started)
        say("%s  %s" % (color(stamp, "2"), describe(topic.decode("utf-8", "replace"), payload)))
        if stop_requested.is_set():
            return


def main(argv=None):
    ap = argparse.ArgumentParser(description="modelarts2mqtt demo")
    ap.add_argument("--binary", default=testlib.DEFAULT_BINARY)
    ap.add_argument("--duration", type=float, default=0,
                    help="stop by itself after this many seconds (0: until Ctrl-C)")
    ap.add_argument("--poll-interval", type=int, default=5)
    ap.add_argument("--jobboard", metavar="DIR",
                    help="serve this directory (index.html, mqtt.min.js) on a WebSockets "
                         "listener: the live job board")
    args = ap.parse_args(argv)
    if args.jobboard and not os.path.isfile(os.path.join(args.jobboard, "mqtt.min.js")):
        sys.stderr.write("demo: %s has no mqtt.min.js (run make jobboard)\n" % args.jobboard)
        return 2

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.stderr.write("demo: %s is not built (run make)\n" % args.binary)
        return 2
    os.environ["M2M_BINARY"] = binary

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)

    tmp = testlib.TempDir("m2m-demo-")
    procs = testlib.ProcessGroup()
    agent = None
    code = 0
    try:
        certs = testlib.make_certs(tmp.path)
        broker = testlib.Mosquitto(
            procs, tmp.path, websockets=bool(args.jobboard), http_dir=args.jobboard,
            ws_port=JOBBOARD_PORT if port_is_free(JOBBOARD_PORT) else None).start()
        sim = testlib.Simulator(procs, certs).start(demo=True, extra_projects=(V2_PROJECT,))
        sim.call("PUT", "/_sim/projects/%s/jobs" % V2_PROJECT, V2_JOBS)
        conf = testlib.write_agent_config(
            os.path.join(tmp.path, "modelarts2mqtt.conf"), sim.port, broker.port, certs["ca"],
            AGENT_ID, poll_interval=args.poll_interval, per_page=3)
        with open(conf, "a") as f:
            f.write("[modelarts.current]\nproject_id = %s\napi = v2\n" % V2_PROJECT)

        sub_cmd = "mosquitto_sub -h 127.0.0.1 -p %d -v -t 'modelarts/#'" % broker.port
        say(color("modelarts2mqtt demo", "1"))
        say("  ModelArts simulator  https://localhost:%d  (8 training jobs changing over "
              "90 s, looping)" % sim.port)
        say("                       and project %s, listed by the v2 call (3 jobs whose "
              "phases move every 15 s)" % V2_PROJECT)
        say("  MQTT broker          mosquitto on 127.0.0.1:%d" % broker.port)
        if args.jobboard:
            say("  job board            " + color("http://127.0.0.1:%d/" % broker.ws_port, "1;34")
                  + "  (open it in a browser; MQTT over WebSockets on the same port)")
        say("  agent                %s -c %s" % (os.path.relpath(binary), conf))
        say("                       polls every %d s, 3 jobs per page; the first project with "
              "the v1 list call, %s with v2" % (args.poll_interval, V2_PROJECT))
        say("  topics               modelarts/%s/{status,health}, "
              "modelarts/%s/<project>/{jobs/<id>,events,summary}" % (AGENT_ID, AGENT_ID))
        say("  watch it elsewhere   %s" % sub_cmd)
        say("  stop                 Ctrl-C%s" % (
            "" if not args.duration else " (or wait %g s)" % args.duration))
        say()

        started = time.monotonic()
        sub = procs.popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-v",
                           "-t", "modelarts/#"], stdout=subprocess.PIPE)
        threading.Thread(target=pump, args=(sub, started), daemon=True).start()
        threading.Thread(target=move_v2_jobs, args=(sim, 15.0), daemon=True).start()
        time.sleep(0.3)  # let the subscription land before the first publish
        agent = testlib.start_agent(procs, ["-c", conf])
        while not stop_requested.is_set():
            if agent.poll() is not None:
                say("demo: the agent exited with status %d; its log:" % agent.returncode)
                with open(agent.log_path, "r", errors="replace") as f:
                    say(f.read()[-3000:])
                code = 1
                break
            if args.duration and time.monotonic() - started >= args.duration:
                break
            stop_requested.wait(0.2)
    except (RuntimeError, OSError) as e:
        sys.stderr.write("demo: %s\n" % e)
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        say("\nstopping: agent (publishes offline), subscriber, simulator, mosquitto")
        if agent is not None:
            procs.stop(agent, signal.SIGTERM, timeout=10)  # offline goes out first
            time.sleep(0.3)
            try:
                os.unlink(agent.log_path)
            except OSError:
                pass
        procs.stop_all()
        tmp.cleanup()
    return code


if __name__ == "__main__":
    sys.exit(main())
