# SPDX-License-Identifier: Apache-2.0
"""Shared fixture of the firmware image's end-to-end tests (test_firmware.py)
and of its footprint measurement (measure_footprint.py).

The image (build/mps2-an386/modelarts2mqtt.elf, or $M2M_MCU_FIRMWARE) boots
in qemu-system-arm -M mps2-an386 with user-mode networking: the board gets
10.0.2.15 by DHCP, and its connections to 10.0.2.2 reach the host's
127.0.0.1, where each test class runs the simulator (HTTPS), a real
mosquitto and a small SNTP server. Each run has its own working directory
holding m2m.conf, the configuration block the image reads through
semihosting (port/lwip/config_block.h has the keys), and the control file
whose appearance stops the agent cleanly.

Python 3 standard library only.
"""

import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import testlib  # noqa: E402

FIRMWARE = os.environ.get("M2M_MCU_FIRMWARE",
                          os.path.join(testlib.ROOT, "build", "mps2-an386",
                                       "modelarts2mqtt.elf"))
QEMU = "qemu-system-arm"
GUEST_HOST = "10.0.2.2"  # the host's loopback, seen from the guest
CONFIG_NAME = "m2m.conf"  # FIRMWARE_CONFIG_PATH (boards/mps2-an386/agent/firmware.h)
CONTROL_NAME = "stop"

# The image's exit statuses (boards/mps2-an386/agent/firmware.h): the last
# poll's result, or a step that failed before the agent ran.
EXIT_OK = 0
EXIT_TRANSIENT = 1
EXIT_CONFIG = 2
EXIT_REFUSED = 3
EXIT_CONFIG_BLOCK = 10

NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900 to 1970


class SntpServer:
    """SNTP on 127.0.0.1 (a free UDP port): answers every request with the
    host's time plus offset seconds, stratum 1."""

    def __init__(self, offset=0.0):
        self.offset = offset
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.answered = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                data, addr = self.sock.recvfrom(512)
            except OSError:
                return
            if len(data) < 48:
                continue
            now = time.time() + self.offset + NTP_EPOCH_OFFSET
            sec = int(now)
            frac = int((now - sec) * 2 ** 32) & 0xFFFFFFFF
            orig_sec, orig_frac = struct.unpack("!II", data[40:48])
            # LI 0, version 4, mode 4 (server); stratum 1; the client's
            # transmit time as originate; receive and transmit times now.
            reply = struct.pack("!BBbbII4sIIIIIIII", 0x24, 1, 6, -20, 0, 0, b"LOCL", sec, frac,
                                orig_sec, orig_frac, sec, frac, sec, frac)
            try:
                self.sock.sendto(reply, addr)
                self.answered += 1
            except OSError:
                return

    def close(self):
        self.sock.close()


class Board:
    """One run of the firmware image under QEMU. The console (UART0) goes to
    a file, readable while the board runs."""

    def __init__(self, procs, workdir, config, ca_pem, timeout):
        self.procs = procs
        self.workdir = workdir
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        os.makedirs(workdir, exist_ok=True)
        with open(os.path.join(workdir, CONFIG_NAME), "w") as f:
            for k, v in config.items():
                if v is not None:
                    f.write("%s = %s\n" % (k, v))
            if ca_pem is not None:
                f.write(ca_pem)
        self.console_path = os.path.join(workdir, "console.txt")
        console = open(self.console_path, "wb")
        self.started = time.monotonic()
        self.proc = procs.popen([QEMU, "-M", "mps2-an386", "-nographic", "-semihosting",
                                 "-nic", "user", "-kernel", os.path.abspath(FIRMWARE)],
                                cwd=workdir, stdin=subprocess.DEVNULL, stdout=console,
                                stderr=subprocess.STDOUT)
        console.close()
        self.returncode = None

    def console(self):
        try:
            with open(self.console_path, "rb") as f:
                return f.read().decode("utf-8", "replace").replace("\r\n", "\n")
        except OSError:
            return ""

    def wait_console(self, text, timeout):
        """Wait until text appears on the console (or the board ends);
        returns whether it did."""
        end = min(time.monotonic() + timeout, self.deadline)
        while time.monotonic() < end:
            if text in self.console():
                return True
            if self.proc.poll() is not None:
                return text in self.console()
            time.sleep(0.05)
        return text in self.console()

    def request_stop(self):
        """Create the control file: the agent stops at its next look."""
        open(os.path.join(self.workdir, CONTROL_NAME), "w").close()

    def wait(self, timeout=None):
        """Wait for the image to exit, at most until the run's deadline (or
        timeout). Returns its exit status, or None when it had to be
        killed."""
        end = self.deadline if timeout is None else min(self.deadline,
                                                         time.monotonic() + timeout)
        try:
            self.returncode = self.proc.wait(max(0.0, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            self.returncode = None
        return self.returncode

    def stop(self, timeout=30):
        self.request_stop()
        return self.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.procs.stop(self.proc)

    def footprint(self):
        """The footprint line's values (stack_peak, tls_pool_peak, ...) as a
        dict of ints, or None."""
        for line in self.console().splitlines():
            if "footprint:" in line:
                fields = line.split("footprint:", 1)[1].split()
                return {k: int(v) for k, v in (f.split("=", 1) for f in fields)}
        return None


class Rig:
    """What the board talks to, on the host: certificates (key_type "ec" or
    "rsa"), mosquitto, the simulator (sim_auth: Simulator.start() keywords
    such as ak and sk) and an SNTP server (sntp_offset seconds from the
    host's clock). close() stops everything."""

    def __init__(self, key_type="ec", sim_auth=None, sntp_offset=0.0, prefix="m2m-fw-"):
        self.tmp = testlib.TempDir(prefix)
        self.procs = testlib.ProcessGroup()
        self.sntp = None
        try:
            self.certs = testlib.make_certs(self.tmp.path, key_type)
            with open(self.certs["ca"]) as f:
                self.ca_pem = f.read()
            self.broker = testlib.Mosquitto(self.procs, self.tmp.path).start()
            self.sim = testlib.Simulator(self.procs, self.certs).start(**(sim_auth or {}))
            self.sntp = SntpServer(sntp_offset)
        except Exception:
            self.close()
            raise

    def config(self, agent_id, **overrides):
        """The configuration block's keys: the simulator and mosquitto on the
        host, SNTP, token auth, 1 s polls, 10 jobs a page; overrides win,
        None drops a key."""
        cfg = {
            "endpoint_host": "localhost",
            "endpoint_port": self.sim.port,
            "endpoint_address": GUEST_HOST,
            "project_id": testlib.PROJECT_ID,
            "auth": "token",
            "token": testlib.TOKEN,
            "broker_host": GUEST_HOST,
            "broker_port": self.broker.port,
            "agent_id": agent_id,
            "poll_interval": 1,
            "per_page": 10,
            "timeout": 5,
            "heartbeat": 0,  # summary and health after every poll: tests count polls by them
            "sntp_server": GUEST_HOST,
            "sntp_port": self.sntp.port,
            "sntp_timeout": 20,
            "control_file": CONTROL_NAME,
        }
        cfg.update(overrides)
        return cfg

    def boot(self, name, config, ca_pem=None, timeout=60):
        """Start the image with config (a dict; ca_pem defaults to the rig's
        CA) in a fresh working directory called name."""
        return Board(self.procs, os.path.join(self.tmp.path, name), config,
                     self.ca_pem if ca_pem is None else ca_pem, timeout)

    def close(self):
        if self.sntp is not None:
            self.sntp.close()
        self.procs.stop_all()
        self.tmp.cleanup()


def require_firmware():
    """Raise unittest.SkipTest when the image or QEMU is missing."""
    if not os.path.exists(FIRMWARE):
        raise unittest.SkipTest("%s not built: make BOARD=mps2-an386" % FIRMWARE)
    if shutil.which(QEMU) is None:
        raise unittest.SkipTest("%s missing: make deps BOARD=mps2-an386" % QEMU)


class FirmwareCase(unittest.TestCase):
    """Per class a Rig (key_type, sim_auth, sntp_offset below). Per test: a
    reset simulator, a unique agent_id, and every board's console printed
    when the test fails."""

    key_type = "ec"
    sim_auth = None
    sntp_offset = 0.0
    board_timeout = 60  # seconds a board may run before it is killed

    @classmethod
    def setUpClass(cls):
        require_firmware()
        cls.rig = Rig(cls.key_type, cls.sim_auth, cls.sntp_offset)
        cls.tmp, cls.procs, cls.certs = cls.rig.tmp, cls.rig.procs, cls.rig.certs
        cls.broker, cls.sim, cls.sntp = cls.rig.broker, cls.rig.sim, cls.rig.sntp
        cls.ca_pem = cls.rig.ca_pem

    @classmethod
    def tearDownClass(cls):
        cls.rig.close()

    _counter = 0

    def setUp(self):
        self.sim.reset()
        FirmwareCase._counter += 1
        self.agent_id = "fw%d_%s" % (FirmwareCase._counter,
                                     self._testMethodName.replace("test_", "")[:24])
        self.B = "modelarts/%s" % self.agent_id
        self.P = "%s/%s" % (self.B, testlib.PROJECT_ID)
        self.boards = []
        self.subs = []

    def tearDown(self):
        for b in self.boards:
            b.kill()
        for s in self.subs:
            s.stop()
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not getattr(outcome, "success", True):
            for b in self.boards:
                sys.stderr.write("\n--- %s: the board's console (%s)\n%s\n"
                                 % (self.id(), b.workdir, b.console()[-8000:]))
        elif os.environ.get("M2M_MCU_CONSOLE"):
            for b in self.boards:
                sys.stderr.write("\n--- %s console\n%s" % (self.id(), b.console()))

    # ---- the board -----------------------------------------------------------

    def config(self, **overrides):
        """The configuration block's keys for this test (Rig.config)."""
        return self.rig.config(self.agent_id, **overrides)

    def boot(self, config, ca_pem=None, timeout=None):
        """Start the image with config in a fresh working directory."""
        b = self.rig.boot("%s-%d" % (self.agent_id, len(self.boards)), config, ca_pem,
                          timeout or self.board_timeout)
        self.boards.append(b)
        return b

    def assertExit(self, board, want, rc=None):
        rc = board.returncode if rc is None else rc
        self.assertEqual(rc, want, "exit status %r, want %d; the board's console:\n%s"
                         % (rc, want, board.console()[-6000:]))

    # ---- MQTT ------------------------------------------------------------------

    def subscribe(self, topic=None):
        sub = testlib.Subscriber(self.procs, self.broker.port, topic or self.B + "/#").start()
        self.subs.append(sub)
        return sub

    def retained(self, topic=None):
        return testlib.retained(self.procs, self.broker.port, topic or self.B + "/#")

    def job_topic(self, job_id):
        return "%s/jobs/%d" % (self.P, job_id)

    def wait_polls(self, sub, n, timeout, board):
        """Wait until sub has seen n health messages (one per poll with
        heartbeat 0); returns them."""
        ok = sub.wait_for(lambda ms: sum(1 for m in ms if m.topic == self.B + "/health") >= n,
                          timeout)
        healths = [m.json() for m in sub.snapshot() if m.topic == self.B + "/health"]
        self.assertTrue(ok, "%d of %d polls seen in %.0f s; the board's console:\n%s"
                        % (len(healths), n, timeout, board.console()[-6000:]))
        return healths
