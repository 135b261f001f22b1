# SPDX-License-Identifier: Apache-2.0
"""The systemd notification protocol (port/posix/sd_notify.c), end to end and
without systemd: the test binds the Unix datagram socket a service manager
would, runs the daemon with NOTIFY_SOCKET and WATCHDOG_USEC, and reads what
arrives: READY=1 after the first poll, WATCHDOG=1 at half of WATCHDOG_USEC,
RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 at SIGTERM; a watchdog
that falls silent while a poll hangs; the abstract namespace; and a daemon
that runs as before when NOTIFY_SOCKET is unset or unusable."""

import os
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, jobs_with_every_status  # noqa: E402
import testlib  # noqa: E402

WATCHDOG_USEC = 1000000  # pings every 0.5 s


class NotifyListener:
    """A bound AF_UNIX SOCK_DGRAM socket; a thread keeps every datagram
    with its arrival time (monotonic seconds) and its assignments."""

    def __init__(self, address):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        # "@name" is the abstract namespace: a leading NUL byte in Python too.
        self.sock.bind("\0" + address[1:] if address.startswith("@") else address)
        self.sock.settimeout(0.2)
        self.messages = []  # (time, {variable: value}, raw text)
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while self.running:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            text = data.decode("utf-8", "replace")
            fields = dict(line.split("=", 1) for line in text.split("\n") if "=" in line)
            with self.lock:
                self.messages.append((time.monotonic(), fields, text))

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def wait_for(self, predicate, timeout, start=0):
        """The first message from index start on that satisfies predicate
        (its fields), or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, (_, fields, _) in enumerate(self.snapshot()[start:]):
                if predicate(fields):
                    return start + i, fields
            time.sleep(0.05)
        return None

    def watchdog_times(self, since=0.0):
        return [t for t, f, _ in self.snapshot() if f.get("WATCHDOG") == "1" and t >= since]


class TestSdNotify(E2ECase):
    def start(self, notify_env, poll_interval=2, timeout=3):
        self.sim.set_jobs(jobs_with_every_status(6))
        self.sub = self.subscribe()
        config = self.config(per_page=100, poll_interval=poll_interval, timeout=timeout)
        env = {k: v for k, v in os.environ.items()
               if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
        env.update(notify_env)
        self.agent = testlib.start_agent(self.procs, ["-c", config, "-v"], env=env,
                                         log_dir=self.tmp.path)
        self.addCleanup(self.kill_agent)

    def kill_agent(self):
        if self.agent.poll() is None:
            self.procs.stop(self.agent, signal.SIGKILL)

    def agent_log(self):
        with open(self.agent.log_path, "r", errors="replace") as f:
            return f.read()[-4000:]

    def listen(self, address):
        listener = NotifyListener(address)
        self.addCleanup(listener.close)
        return listener

    def socket_path(self):
        return os.path.join(self.tmp.path, "notify-%s.sock" % self.agent_id)

    def stop_agent(self):
        """SIGTERM; the daemon must end by itself with exit code 0."""
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(15), 0, self.agent_log())

    def test_ready_watchdog_reload_and_stopping(self):
        listener = self.listen(self.socket_path())
        self.start({"NOTIFY_SOCKET": self.socket_path(), "WATCHDOG_USEC": str(WATCHDOG_USEC)})

        found = listener.wait_for(lambda f: f.get("READY") == "1", 15)
        self.assertIsNotNone(found, "no READY=1: %s" % self.agent_log())
        index, ready = found
        # READY=1 comes once the first poll has been published.
        self.assertEqual(ready.get("STATUS"), "last poll ok: 6 jobs in 1 pages", ready)
        self.assertTrue(self.sub.wait_for(
            lambda ms: any(m.topic == self.P + "/summary" for m in ms), 5))
        earlier = [f for _, f, _ in listener.snapshot()[:index]]
        self.assertEqual([f for f in earlier if "WATCHDOG" not in f], [],
                         "only watchdog pings may come before READY=1")

        # Half of WATCHDOG_USEC: about 6 pings in 3 s, each within WATCHDOG_USEC of the last.
        t0 = time.monotonic()
        time.sleep(3.0)
        pings = listener.watchdog_times(since=t0)
        self.assertGreaterEqual(len(pings), 4, "watchdog pings in 3 s: %r" % pings)
        self.assertLessEqual(len(pings), 7, "pinged more often than every 0.5 s: %r" % pings)
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        self.assertLess(max(gaps), WATCHDOG_USEC / 1e6, gaps)
        self.assertGreater(min(gaps), 0.4, gaps)

        # SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1.
        before = len(listener.snapshot())
        self.agent.send_signal(signal.SIGHUP)
        found = listener.wait_for(lambda f: f.get("RELOADING") == "1", 10, start=before)
        self.assertIsNotNone(found, "no RELOADING=1: %s" % self.agent_log())
        reloading_index, reloading = found
        self.assertRegex(reloading.get("MONOTONIC_USEC", ""), r"^[1-9][0-9]*$")
        found = listener.wait_for(lambda f: f.get("READY") == "1", 10, start=reloading_index + 1)
        self.assertIsNotNone(found, "no READY=1 after the reload: %s" % self.agent_log())
        self.assertEqual(found[1].get("STATUS"), "configuration reread; polling every 2 s")

        # SIGTERM: STOPPING=1, offline, exit 0; nothing after STOPPING.
        before = len(listener.snapshot())
        self.stop_agent()
        found = listener.wait_for(lambda f: f.get("STOPPING") == "1", 5, start=before)
        self.assertIsNotNone(found, "no STOPPING=1: %s" % self.agent_log())
        self.assertTrue(self.sub.wait_for(
            lambda ms: any(m.topic == self.B + "/status" and m.payload == b"offline"
                           for m in ms), 5))
        time.sleep(0.3)
        self.assertEqual(len(listener.snapshot()), found[0] + 1, "messages after STOPPING=1")

    def test_watchdog_falls_silent_while_a_poll_hangs(self):
        # Every API response comes 2.5 s late: no byte moves meanwhile, so
        # the main loop is not making progress and must not ping.
        self.sim.set_options(delay_ms=2500)
        listener = self.listen(self.socket_path())
        self.start({"NOTIFY_SOCKET": self.socket_path(), "WATCHDOG_USEC": str(WATCHDOG_USEC)},
                   poll_interval=1, timeout=5)
        self.assertIsNotNone(listener.wait_for(lambda f: f.get("READY") == "1", 20),
                             "no READY=1: %s" % self.agent_log())
        t0 = time.monotonic()
        # Two more polls, each about 2.5 s of waiting for the API.
        found = listener.wait_for(lambda f: f.get("STATUS", "").startswith("last poll ok"), 15,
                                  start=len(listener.snapshot()))
        self.assertIsNotNone(found, self.agent_log())
        pings = listener.watchdog_times(since=t0)
        self.assertGreaterEqual(len(pings), 1, "no ping after a poll ended: %r" % pings)
        gaps = [b - a for a, b in zip([t0] + pings, pings)]
        self.assertGreater(max(gaps), 2.0,
                           "the watchdog was pinged while the poll waited: gaps %r" % gaps)
        self.stop_agent()

    def test_abstract_namespace_address(self):
        name = "@m2m-notify-%d-%s" % (os.getpid(), self.agent_id)
        listener = self.listen(name)
        self.start({"NOTIFY_SOCKET": name})
        self.assertIsNotNone(listener.wait_for(lambda f: f.get("READY") == "1", 15),
                             "no READY=1 on %s: %s" % (name, self.agent_log()))
        time.sleep(1.2)
        self.assertEqual(listener.watchdog_times(), [], "pings without WATCHDOG_USEC")
        self.stop_agent()
        self.assertIsNotNone(listener.wait_for(lambda f: f.get("STOPPING") == "1", 5))

    def test_watchdog_pid_of_another_process_turns_the_watchdog_off(self):
        listener = self.listen(self.socket_path())
        self.start({"NOTIFY_SOCKET": self.socket_path(), "WATCHDOG_USEC": str(WATCHDOG_USEC),
                    "WATCHDOG_PID": "1"})
        self.assertIsNotNone(listener.wait_for(lambda f: f.get("READY") == "1", 15),
                             self.agent_log())
        time.sleep(1.5)
        self.assertEqual(listener.watchdog_times(), [])
        self.stop_agent()

    def test_daemon_runs_as_before_without_a_usable_notify_socket(self):
        cases = (
            ("unset", {}, None),
            ("watchdog without a socket", {"WATCHDOG_USEC": str(WATCHDOG_USEC)}, None),
            ("relative path", {"NOTIFY_SOCKET": "relative/notify.sock"},
             "systemd notification: NOTIFY_SOCKET is not an absolute path"),
            ("nobody listening", {"NOTIFY_SOCKET": os.path.join(self.tmp.path, "absent.sock"),
                                  "WATCHDOG_USEC": str(WATCHDOG_USEC)}, None),
            ("malformed WATCHDOG_USEC", {"NOTIFY_SOCKET": os.path.join(self.tmp.path, "x.sock"),
                                         "WATCHDOG_USEC": "5s"},
             "systemd notification: WATCHDOG_USEC is not a positive number"),
        )
        for name, env, warning in cases:
            with self.subTest(name):
                self.new_agent(name.replace(" ", "_"))
                self.start(env)
                self.assertTrue(self.sub.wait_for(
                    lambda ms: any(m.topic == self.P + "/summary" for m in ms), 15),
                    "no first poll: %s" % self.agent_log())
                self.stop_agent()
                log = self.agent_log()
                if warning is None:
                    self.assertNotIn("systemd notification:", log)
                else:
                    self.assertIn(warning, log)
                self.assertTrue(self.sub.wait_for(
                    lambda ms: any(m.topic == self.B + "/status" and m.payload == b"offline"
                                   for m in ms), 5))


if __name__ == "__main__":
    unittest.main()
