# SPDX-License-Identifier: Apache-2.0
"""The build without MQTT over TLS (make MQTT_TLS=0): Paho's plain variant, no OpenSSL.

- Neither the binary nor any library it loads, however deep, is OpenSSL's (the ELF's needed
  libraries, followed through the board's library directories); the statically linked build
  holds none of OpenSSL's symbols.
- `--version` says that MQTT over TLS is not built in.
- An ssl:// or mqtts:// broker is a configuration error that says why (exit 2), with
  `--check-config` too; the default build accepts the same configuration.
- `--once` polls the simulator over HTTPS (mbedTLS, unchanged) and publishes to mosquitto over
  plain MQTT.

The binaries: $M2M_BINARY_MQTT_PLAIN and $M2M_BINARY_MQTT_PLAIN_STATIC, which `make test`
builds and sets (tests/tests.mk); without them, build/<board>-mqtt-plain/ and
build/<board>-static-mqtt-plain/ next to $M2M_BINARY's build, skipped when not built.
"""

import os
import re
import shlex
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import testlib  # noqa: E402
from e2e_base import E2ECase, jobs_with_every_status  # noqa: E402

OPENSSL_LIB = re.compile(r"^lib(ssl|crypto)\.so")
# OpenSSL's API prefixes, and Paho's own TLS layer (SSLSocket.c of libpaho-mqtt3cs). mbedTLS
# names everything mbedtls_*, glibc none of these.
OPENSSL_SYMBOL = re.compile(r"^(SSL_|EVP_|OPENSSL_|CRYPTO_|BIO_|X509_|PEM_|ERR_|RAND_|"
                            r"SSLSocket_)")
# readelf -h's Machine: the Debian multiarch directory of that architecture's libraries.
TRIPLETS = {"Advanced Micro Devices X86-64": "x86_64-linux-gnu", "AArch64": "aarch64-linux-gnu",
            "ARM": "arm-linux-gnueabihf"}
REFUSAL = "this build has no MQTT over TLS (built with MQTT_TLS=0)"


def build_dirs():
    """(default build, plain build, static plain build): the binaries of $M2M_BINARY's board."""
    binary = testlib.binary_path()
    d = os.path.dirname(binary)
    base = re.sub(r"(-static)?(-mqtt-plain)?$", "", d)
    name = os.path.basename(binary)
    return (os.path.join(base, name), os.path.join(base + "-mqtt-plain", name),
            os.path.join(base + "-static-mqtt-plain", name))


def plain_binary(static):
    """The MQTT_TLS=0 binary: named by make test (then it must exist), else beside
    $M2M_BINARY's build (skipped when not built)."""
    env = "M2M_BINARY_MQTT_PLAIN_STATIC" if static else "M2M_BINARY_MQTT_PLAIN"
    path = os.environ.get(env)
    if path:
        return os.path.abspath(path), env
    return os.path.abspath(build_dirs()[2 if static else 1]), None


def require(static):
    path, env = plain_binary(static)
    if not os.access(path, os.X_OK):
        if env is not None:
            raise AssertionError("%s=%s is not built" % (env, path))
        raise unittest.SkipTest("%s not built (make MQTT_TLS=0%s)"
                                % (path, " STATIC=1" if static else ""))
    return path


def readelf(args, path):
    r = subprocess.run(["readelf", "--wide"] + args + [path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise AssertionError("readelf %s %s: %s" % (" ".join(args), path, r.stderr.decode()))
    return r.stdout.decode("utf-8", "replace")


def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", readelf(["-d"], path))


def triplet(path):
    """The Debian multiarch triplet of the ELF's machine."""
    m = re.search(r"^\s*Machine:\s*(.+?)\s*$", readelf(["-h"], path), re.M)
    t = TRIPLETS.get(m.group(1) if m else "")
    if t is None:
        raise unittest.SkipTest("no library directory known for machine %r of %s"
                                % (m and m.group(1), path))
    return t


def library_dirs(path):
    """Where the dynamic loader of the ELF's architecture finds Debian's libraries: under the
    root that qemu-user is given with -L in $M2M_RUN_PREFIX first (a board's libraries
    unpacked outside the system), as qemu looks there first."""
    t = triplet(path)
    dirs = ["/lib/" + t, "/usr/lib/" + t, "/lib64", "/lib", "/usr/lib"]
    prefix = shlex.split(os.environ.get("M2M_RUN_PREFIX", ""))
    roots = [prefix[i + 1] for i in range(len(prefix) - 1) if prefix[i] == "-L"]
    return [r + d for r in roots for d in dirs] + dirs


def closure(path):
    """Every library the ELF loads, directly or through another library: {name: path}.
    AssertionError when one cannot be found."""
    dirs = library_dirs(path)
    found = {}
    todo = needed(path)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        where = next((os.path.join(d, name) for d in dirs
                      if os.path.exists(os.path.join(d, name))), None)
        if where is None:
            raise AssertionError("%s needs %s, which is in none of %s" % (path, name, dirs))
        found[name] = where
        todo.extend(needed(where))
    return found


def symbols(path):
    names = set()
    for line in readelf(["-Ws"], path).splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0].endswith(":"):
            names.add(parts[7].split("@")[0])
    return names


def native(path):
    """True when the ELF runs on this machine without an emulator (ldd can read it)."""
    return triplet(path).startswith(os.uname().machine + "-")


class MqttPlainLinkTest(unittest.TestCase):
    """What the MQTT_TLS=0 builds link: no OpenSSL."""

    def test_dynamic_build_loads_no_openssl(self):
        path = require(static=False)
        direct = needed(path)
        self.assertTrue(any(n.startswith("libpaho-mqtt3c.so") for n in direct), direct)
        self.assertFalse(any(n.startswith("libpaho-mqtt3cs.so") for n in direct), direct)
        self.assertTrue(any(n.startswith("libmbedtls.so") for n in direct),
                        "the API's HTTPS is mbedTLS: %s" % direct)
        libs = closure(path)
        self.assertEqual([n for n in libs if OPENSSL_LIB.match(n)], [],
                         "OpenSSL among the libraries: %s" % sorted(libs))
        if native(path):
            r = subprocess.run(["ldd", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout)
            self.assertNotRegex(r.stdout.decode(), r"lib(ssl|crypto)\.so")

    def test_the_walk_finds_openssl_in_the_default_build(self):
        """The check above can fail: the TLS build's libraries do hold OpenSSL."""
        path = build_dirs()[0]
        if not os.access(path, os.X_OK) or not needed(path):
            self.skipTest("%s: no dynamically linked default build" % path)
        if "libpaho-mqtt3cs.so.1" not in needed(path):
            self.skipTest("%s is not the TLS build" % path)
        self.assertTrue([n for n in closure(path) if OPENSSL_LIB.match(n)])

    def test_static_build_holds_no_openssl_symbol(self):
        path = require(static=True)
        self.assertEqual(needed(path), [], "not statically linked")
        names = symbols(path)
        # Not stripped, and the parts that must be there are: mbedTLS, Paho, inih.
        for name in ("mbedtls_ssl_handshake", "MQTTClient_connect", "ini_parse"):
            self.assertIn(name, names)
        self.assertEqual(sorted(n for n in names if OPENSSL_SYMBOL.match(n))[:20], [])

    def test_version_says_mqtt_over_tls_is_not_built_in(self):
        for static in (False, True):
            with self.subTest(static=static):
                path = require(static)
                r = subprocess.run(testlib.agent_command(path) + ["--version"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
                self.assertEqual(r.returncode, 0, r)
                lines = r.stdout.decode().splitlines()
                self.assertRegex(lines[0], r"^modelarts2mqtt \d+\.\d+\.\d+$")
                self.assertRegex(lines[1], r"^MQTT over TLS: no \(built with MQTT_TLS=0")


class MqttPlainAgentTest(E2ECase):
    """The MQTT_TLS=0 agent against the simulator (HTTPS) and mosquitto (plain MQTT)."""

    @classmethod
    def setUpClass(cls):
        cls.plain = require(static=False)
        super().setUpClass()

    def run_plain(self, args, timeout=30):
        return testlib.run_agent(self.procs, args, timeout=timeout, binary=self.plain)

    def test_tls_broker_uri_is_a_configuration_error(self):
        for uri in ("ssl://127.0.0.1:8883", "mqtts://localhost:8883"):
            for mode in ("--once", "--check-config", "--dry-run"):
                with self.subTest(uri=uri, mode=mode):
                    conf = self.config(mqtt_extra={"uri": uri, "ca_file": self.certs["ca"]})
                    r = self.run_plain(["-c", conf, mode])
                    self.assertExit(r, 2)
                    text = r.stdout + r.stderr
                    self.assertIn("configuration error: mqtt.uri = %s: %s" % (uri, REFUSAL), text)
                    self.assertIn("use tcp://host[:port] or mqtt://host[:port], or a build with "
                                  "MQTT_TLS=1", text)
        self.assertEqual(self.sim.stats()["requests"], 0)

    def test_set_may_replace_the_files_tls_uri(self):
        conf = self.config(mqtt_extra={"uri": "ssl://127.0.0.1:8883"})
        r = self.run_plain(["-c", conf, "--check-config", "--set",
                            "mqtt.uri=tcp://127.0.0.1:%d" % self.broker.port])
        self.assertExit(r, 0)

    def test_the_default_build_accepts_a_tls_broker_uri(self):
        default = build_dirs()[0]
        if not os.access(default, os.X_OK):
            self.skipTest("%s not built" % default)
        r = testlib.run_agent(self.procs, ["--version"], binary=default)
        if "MQTT over TLS: yes" not in r.stdout:
            self.skipTest("%s is not built with MQTT over TLS" % default)
        conf = self.config(mqtt_extra={"uri": "ssl://127.0.0.1:8883", "ca_file": self.certs["ca"]})
        r = testlib.run_agent(self.procs, ["-c", conf, "--check-config"], binary=default)
        self.assertExit(r, 0)

    def test_broker_ca_file_is_not_used_and_said_so(self):
        conf = self.config(mqtt_extra={"ca_file": self.certs["ca"]})
        r = self.run_plain(["-c", conf, "--check-config"])
        self.assertExit(r, 0)
        self.assertIn("mqtt.ca_file = %s is not used: %s" % (self.certs["ca"], REFUSAL), r.stderr)

    def test_once_polls_over_https_and_publishes_over_plain_mqtt(self):
        jobs = jobs_with_every_status(25)
        self.sim.set_jobs(jobs)
        r = self.run_plain(["-c", self.config(per_page=10), "--once"], timeout=60)
        self.assertExit(r, 0)
        stats = self.sim.stats()
        self.assertEqual(stats["requests"], 3, "25 jobs in pages of 10")
        self.assertGreaterEqual(stats["api_handshakes_full"], 1, "HTTPS, mbedTLS")
        snap = self.retained()
        for job in jobs:
            self.assertIn(self.job_topic(job["job_id"]), snap)
            self.assertJobPayload(snap[self.job_topic(job["job_id"])], job)
        self.assertEqual(snap[self.B + "/status"], b"offline")
        self.assertEqual(self.retained_json(self.P + "/summary")["total"], 25)


if __name__ == "__main__":
    unittest.main()
