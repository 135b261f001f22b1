# SPDX-License-Identifier: Apache-2.0
"""The mps2-an386 bring-up image under QEMU (boards/mps2-an386/README.md).

Each test starts its servers on 127.0.0.1, writes the image's configuration
file (bringup.conf) into a fresh working directory, and runs

    qemu-system-arm -M mps2-an386 -nographic -semihosting -nic user -kernel IMAGE

there with a hard timeout. User-mode networking gives the board 10.0.2.15
by DHCP and turns its connections to 10.0.2.2 into connections to the
host's 127.0.0.1. The image exits through semihosting with its status
(boards/mps2-an386/bringup/bringup.h), which QEMU returns as its own; a
failing test prints the board's console.

This builds nothing: make BOARD=mps2-an386 bringup-test builds the image and
runs this file (M2M_MCU_BRINGUP names the image). Python 3 standard library.
"""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import testlib  # noqa: E402

IMAGE = os.environ.get("M2M_MCU_BRINGUP",
                       os.path.join(testlib.ROOT, "build", "mps2-an386", "bringup.elf"))
QEMU = "qemu-system-arm"
# A whole run takes about 2 s (1 s of it DHCP's ARP probe); the limit only
# catches a board that hangs.
QEMU_TIMEOUT = 60

# The image's exit statuses (bringup.h).
EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_ECHO = 4
EXIT_VERIFY = 6
EXIT_USAGE_FAULT = 106  # 100 + the exception number (fault.h)

GUEST_HOST = "10.0.2.2"  # the host's loopback, seen from the guest


class EchoServer:
    """TCP echo on 127.0.0.1: every byte received is sent back."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.echoed = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            conn.settimeout(QEMU_TIMEOUT)
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                conn.sendall(data)
                with self.lock:
                    self.echoed += len(data)

    def close(self):
        self.sock.close()


class TlsEchoServer:
    """TLS 1.2 on 127.0.0.1 with the given certificate: echoes one line per
    connection and records, per connection, the SNI name the client sent
    and whether the session was resumed."""

    def __init__(self, cert, key):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # mbedTLS 2.28 speaks 1.2
        self.ctx.load_cert_chain(cert, key)
        self.ctx.sni_callback = self._sni
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.connections = []  # dicts: sni, resumed, cipher, error
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _sni(self, sslsock, name, ctx):
        sslsock.m2m_sni = name  # read back once the handshake is done

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, raw):
        record = {"sni": None, "resumed": None, "cipher": None, "error": None}
        raw.settimeout(QEMU_TIMEOUT)
        try:
            with self.ctx.wrap_socket(raw, server_side=True) as conn:
                record["sni"] = getattr(conn, "m2m_sni", None)
                record["resumed"] = conn.session_reused
                record["cipher"] = conn.cipher()[0]
                line = b""
                while not line.endswith(b"\n"):
                    data = conn.recv(4096)
                    if not data:
                        break
                    line += data
                conn.sendall(line)
                try:
                    conn.recv(1)  # the client's close_notify or FIN
                except (OSError, ssl.SSLError):
                    pass
        except (OSError, ssl.SSLError) as e:
            record["error"] = str(e)
        finally:
            raw.close()
        with self.lock:
            self.connections.append(record)

    def close(self):
        self.sock.close()


class BringupCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(IMAGE):
            raise unittest.SkipTest("%s not built: make BOARD=mps2-an386 bringup" % IMAGE)
        if shutil.which(QEMU) is None:
            raise unittest.SkipTest("%s missing: make deps BOARD=mps2-an386" % QEMU)

    def setUp(self):
        self.tmp = testlib.TempDir(prefix="m2m-mcu-")
        self.procs = testlib.ProcessGroup()
        self.servers = []

    def tearDown(self):
        self.procs.stop_all()
        for s in self.servers:
            s.close()
        self.tmp.cleanup()

    def server(self, s):
        self.servers.append(s)
        return s

    def certs(self, key_type):
        d = os.path.join(self.tmp.path, key_type)
        os.mkdir(d)
        return testlib.make_certs(d, key_type)

    def run_image(self, config):
        """Writes config (a dict; None: no file) as bringup.conf and runs the
        image. Returns (exit status or None on timeout, console text)."""
        if config is not None:
            with open(os.path.join(self.tmp.path, "bringup.conf"), "w") as f:
                for k, v in config.items():
                    f.write("%s = %s\n" % (k, v))
        p = self.procs.popen([QEMU, "-M", "mps2-an386", "-nographic", "-semihosting",
                              "-nic", "user", "-kernel", os.path.abspath(IMAGE)],
                             cwd=self.tmp.path, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            out, _ = p.communicate(timeout=QEMU_TIMEOUT)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            self.procs.stop(p)
            out, rc = p.stdout.read() if p.stdout else b"", None
        console = out.decode("utf-8", "replace").replace("\r\n", "\n")
        if os.environ.get("M2M_MCU_CONSOLE"):
            sys.stderr.write("\n--- %s console\n%s" % (self.id(), console))
        return rc, console

    def assertExit(self, rc, console, want):
        self.assertEqual(rc, want, "exit status %r, want %d; the board's console:\n%s"
                         % (rc, want, console))

    def tls_config(self, tls, ca, host="localhost"):
        return {"tls_host": host, "tls_address": GUEST_HOST, "tls_port": tls.port, "ca_file": ca}


class TestNetwork(BringupCase):
    def test_dhcp_lease_and_tcp_echo(self):
        echo = self.server(EchoServer())
        rc, console = self.run_image({"echo_port": echo.port, "echo_bytes": 262144})
        self.assertExit(rc, console, EXIT_OK)
        self.assertIn("DHCP bound", console)
        self.assertIn("address 10.0.2.15", console)
        self.assertIn("262144 bytes sent and received intact", console)
        self.assertEqual(echo.echoed, 262144)

    def test_refused_connection_is_an_echo_failure(self):
        closed = testlib.free_port()  # nothing listens there
        rc, console = self.run_image({"echo_port": closed})
        self.assertExit(rc, console, EXIT_ECHO)
        self.assertIn("connect to 10.0.2.2:%d failed" % closed, console)

    def test_missing_configuration_file_is_reported(self):
        rc, console = self.run_image(None)
        self.assertExit(rc, console, EXIT_CONFIG)
        self.assertIn("cannot read bringup.conf", console)

    def test_fault_is_reported_and_ends_the_run(self):
        rc, console = self.run_image({"fault_test": 1})
        self.assertExit(rc, console, EXIT_USAGE_FAULT)
        self.assertIn("FAULT: UsageFault", console)
        self.assertIn("cfsr=0x00010000", console)  # UNDEFINSTR

    def test_unknown_configuration_key_is_reported(self):
        rc, console = self.run_image({"no_such_key": 1})
        self.assertExit(rc, console, EXIT_CONFIG)
        self.assertIn("bringup.conf:1: unknown key", console)


class TestTls(BringupCase):
    def handshake(self, key_type):
        certs = self.certs(key_type)
        tls = self.server(TlsEchoServer(certs["server_cert"], certs["server_key"]))
        rc, console = self.run_image(self.tls_config(tls, certs["ca"]))
        self.assertExit(rc, console, EXIT_OK)
        self.assertIn("full handshake with localhost (SNI)", console)
        self.assertIn("tls: session resumed", console)
        self.assertEqual([c["sni"] for c in tls.connections], ["localhost", "localhost"],
                         tls.connections)
        self.assertEqual([c["resumed"] for c in tls.connections], [False, True],
                         tls.connections)
        return tls, console

    def test_ecdsa_p256_server_verified_with_sni_and_resumed(self):
        tls, console = self.handshake("ec")
        self.assertEqual(tls.connections[0]["cipher"], "ECDHE-ECDSA-AES128-GCM-SHA256")
        self.assertIn("TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256", console)

    def test_rsa_2048_server_verified_with_sni_and_resumed(self):
        tls, console = self.handshake("rsa")
        self.assertEqual(tls.connections[0]["cipher"], "ECDHE-RSA-AES128-GCM-SHA256")

    def test_certificate_of_another_ca_is_refused(self):
        certs = self.certs("ec")
        tls = self.server(TlsEchoServer(certs["server_cert"], certs["server_key"]))
        rc, console = self.run_image(self.tls_config(tls, certs["other_ca"]))
        self.assertExit(rc, console, EXIT_VERIFY)
        self.assertIn("handshake failed", console)

    def test_certificate_for_another_host_is_refused(self):
        certs = self.certs("ec")
        tls = self.server(TlsEchoServer(certs["wronghost_cert"], certs["wronghost_key"]))
        rc, console = self.run_image(self.tls_config(tls, certs["ca"]))
        self.assertExit(rc, console, EXIT_VERIFY)


if __name__ == "__main__":
    unittest.main()
