# SPDX-License-Identifier: Apache-2.0
"""The service files and man pages (packaging/, man/): the systemd unit passes
`systemd-analyze verify` and says what docs/packaging.md promises; the init
scripts pass `sh -n` and shellcheck, and the SysV script really starts,
reloads, reports and stops the agent; the man pages format without a groff
warning and document every key of the example configuration and every option
of --help."""

import configparser
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import testlib  # noqa: E402

ROOT = testlib.ROOT
UNIT = os.path.join(ROOT, "packaging", "systemd", "modelarts2mqtt.service")
SYSV = os.path.join(ROOT, "packaging", "sysv", "modelarts2mqtt.init")
PROCD = os.path.join(ROOT, "packaging", "openwrt", "modelarts2mqtt", "files",
                     "modelarts2mqtt.init")
MAN1 = os.path.join(ROOT, "man", "modelarts2mqtt.1")
MAN5 = os.path.join(ROOT, "man", "modelarts2mqtt.conf.5")
EXAMPLE = os.path.join(ROOT, "examples", "modelarts2mqtt.conf")


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
                          **kw)


def unit_settings():
    """(section, key) -> list of values of the unit file."""
    settings = {}
    section = None
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, value = line.split("=", 1)
            settings.setdefault((section, key), []).append(value)
    return settings


def man_text(path):
    """The page as man renders it, plain text (hyphens as typed)."""
    r = run(["groff", "-man", "-Tutf8", "-P", "-cbou", path],
            env=dict(os.environ, MANWIDTH="200"))
    if r.returncode != 0:
        raise AssertionError(r.stdout.decode())
    return r.stdout.decode("utf-8").replace("\u2010", "-").replace("\u2212", "-")


class TestSystemdUnit(unittest.TestCase):
    def test_settings_the_documentation_promises(self):
        s = unit_settings()
        expected = {
            ("Service", "Type"): ["notify"],
            ("Service", "ExecReload"): ["/bin/kill -HUP $MAINPID"],
            ("Service", "Restart"): ["on-failure"],
            ("Service", "RestartPreventExitStatus"): ["2"],
            ("Service", "WatchdogSec"): ["60s"],
            ("Service", "User"): ["modelarts2mqtt"],
            ("Service", "RestrictAddressFamilies"): ["AF_INET AF_INET6 AF_UNIX"],
            ("Service", "CapabilityBoundingSet"): [""],
            ("Service", "ProtectSystem"): ["strict"],
            ("Service", "NoNewPrivileges"): ["yes"],
            ("Service", "MemoryDenyWriteExecute"): ["yes"],
            ("Install", "WantedBy"): ["multi-user.target"],
        }
        for key, value in expected.items():
            with self.subTest(key=key):
                self.assertEqual(s.get(key), value)
        self.assertEqual(s[("Service", "ExecStart")],
                         ["/usr/bin/modelarts2mqtt -c /etc/modelarts2mqtt/modelarts2mqtt.conf"])
        self.assertIn("@system-service", s[("Service", "SystemCallFilter")])

    def test_systemd_analyze_verify(self):
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze not installed")
        if not os.access(testlib.binary_path(), os.X_OK):
            self.skipTest("agent not built")
        tmp = testlib.TempDir("m2m-unit-")
        self.addCleanup(tmp.cleanup)
        # The unit as installed, naming the built binary; the man pages it
        # names (Documentation=) are looked up through MANPATH.
        man = os.path.join(tmp.path, "man")
        for section, page in (("man1", MAN1), ("man5", MAN5)):
            os.makedirs(os.path.join(man, section))
            shutil.copy(page, os.path.join(man, section))
        with open(UNIT) as f:
            text = f.read().replace("/usr/bin/modelarts2mqtt",
                                    os.path.abspath(testlib.binary_path()))
        unit = os.path.join(tmp.path, "modelarts2mqtt.service")
        with open(unit, "w") as f:
            f.write(text)
        r = run(["systemd-analyze", "verify", unit], env=dict(os.environ, MANPATH=man))
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        self.assertEqual(r.stdout.decode().strip(), "")


class TestInitScripts(unittest.TestCase):
    def test_syntax_and_shellcheck(self):
        for path in (SYSV, PROCD):
            with self.subTest(path=os.path.relpath(path, ROOT)):
                r = run(["sh", "-n", path])
                self.assertEqual(r.returncode, 0, r.stdout.decode())
                if shutil.which("shellcheck") is None:
                    continue
                r = run(["shellcheck", "-s", "sh", path])
                self.assertEqual(r.returncode, 0, r.stdout.decode())

    def test_procd_script_sets_what_procd_needs(self):
        with open(PROCD) as f:
            text = f.read()
        self.assertTrue(text.startswith("#!/bin/sh /etc/rc.common\n"))
        for line in ("USE_PROCD=1", 'procd_set_param command "$PROG" -c "$CONF"',
                     'procd_set_param file "$CONF"', "procd_set_param reload_signal HUP",
                     "procd_set_param respawn", "procd_set_param stdout 1",
                     "procd_set_param stderr 1"):
            self.assertIn(line, text)

    def test_sysv_script_starts_reloads_and_stops_the_agent(self):
        if testlib.agent_command()[:-1]:
            self.skipTest("the init script runs the binary directly, not under $M2M_RUN_PREFIX")
        tmp = testlib.TempDir("m2m-sysv-")
        self.addCleanup(tmp.cleanup)
        conf = os.path.join(tmp.path, "agent.conf")
        # A broker nobody listens on: the daemon keeps retrying, as at boot.
        testlib.write_agent_config(conf, sim_port=testlib.free_port(),
                                   mqtt_port=testlib.free_port(), ca_file=EXAMPLE,
                                   agent_id="sysv", modelarts_extra={"ca_file": None})
        pidfile = os.path.join(tmp.path, "agent.pid")
        logfile = os.path.join(tmp.path, "agent.log")
        script = os.path.join(tmp.path, "modelarts2mqtt")
        with open(SYSV) as f:
            text = f.read()
        for name, value in (("PROG", os.path.abspath(testlib.binary_path())), ("CONF", conf),
                            ("ENV_FILE", os.path.join(tmp.path, "environment")),
                            ("PIDFILE", pidfile), ("LOGFILE", logfile)):
            text, n = re.subn(r"(?m)^%s=.*$" % name, "%s=%s" % (name, value), text)
            self.assertEqual(n, 1, name)
        with open(script, "w") as f:
            f.write(text)
        with open(os.path.join(tmp.path, "environment"), "w") as f:
            f.write("MODELARTS_TOKEN=from-the-environment-file\n")
        # The token comes from the environment file only.
        with open(conf) as f:
            conf_text = re.sub(r"(?m)^token = .*\n", "", f.read())
        with open(conf, "w") as f:
            f.write(conf_text)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELARTS_")}
        env["PATH"] = "/nonexistent:" + env.get("PATH", "")

        def sysv(action):
            return run(["sh", script, action], env=env)

        self.assertEqual(sysv("check").returncode, 0)
        r = sysv("start")
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        with open(pidfile) as f:
            pid = int(f.read())
        self.addCleanup(lambda: os.path.exists("/proc/%d" % pid) and os.kill(pid, signal.SIGKILL))
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            self.assertEqual(f.read().split(b"\0")[0], testlib.binary_path().encode()
                             if os.path.isabs(testlib.binary_path())
                             else os.path.abspath(testlib.binary_path()).encode())
        r = sysv("status")
        self.assertEqual(r.returncode, 0)
        self.assertIn("running (pid %d)" % pid, r.stdout.decode())
        self.assertEqual(sysv("start").returncode, 0, "a second start must leave it running")
        self.assertEqual(sysv("reload").returncode, 0)
        r = sysv("stop")
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        self.assertFalse(os.path.exists("/proc/%d" % pid) and
                         open("/proc/%d/stat" % pid).read().split()[2] != "Z")
        self.assertFalse(os.path.exists(pidfile))
        self.assertEqual(sysv("status").returncode, 3)
        time.sleep(0.2)

    def test_sysv_script_refuses_to_start_with_a_bad_configuration(self):
        tmp = testlib.TempDir("m2m-sysv-")
        self.addCleanup(tmp.cleanup)
        with open(SYSV) as f:
            text = f.read()
        text = re.sub(r"(?m)^PROG=.*$", "PROG=%s" % os.path.abspath(testlib.binary_path()), text)
        text = re.sub(r"(?m)^CONF=.*$", "CONF=%s" % os.path.join(tmp.path, "absent.conf"), text)
        text = re.sub(r"(?m)^PIDFILE=.*$", "PIDFILE=%s" % os.path.join(tmp.path, "pid"), text)
        script = os.path.join(tmp.path, "modelarts2mqtt")
        with open(script, "w") as f:
            f.write(text)
        r = run(["sh", script, "start"])
        self.assertEqual(r.returncode, 2, r.stdout.decode())
        self.assertIn("configuration check failed", r.stdout.decode())
        self.assertFalse(os.path.exists(os.path.join(tmp.path, "pid")))


class TestManPages(unittest.TestCase):
    def test_groff_reports_no_warning(self):
        for page in (MAN1, MAN5):
            with self.subTest(page=os.path.basename(page)):
                r = run(["groff", "-ww", "-man", "-z", page])
                self.assertEqual(r.returncode, 0)
                self.assertEqual(r.stdout.decode(), "", "groff warnings")

    def test_conf_page_documents_every_key_of_the_example(self):
        parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"))
        parser.read(EXAMPLE, encoding="utf-8")
        text = man_text(MAN5)
        sections = {}
        for name in parser.sections():
            start = text.index("SECTION [%s]" % name)
            end = text.find("SECTION [", start + 1)
            sections[name] = text[start:end if end > 0 else len(text)]
        self.assertEqual(sorted(sections), ["homeassistant", "modelarts", "mqtt"])
        for name in parser.sections():
            for key in parser[name]:
                with self.subTest(key="%s.%s" % (name, key)):
                    # Each key is a tagged paragraph of its own section.
                    self.assertRegex(sections[name], r"(?m)^ {7}%s( |$)" % re.escape(key))

    def test_command_page_documents_every_option_of_help(self):
        r = run(testlib.agent_command() + ["--help"])
        self.assertEqual(r.returncode, 0)
        options = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", r.stdout.decode()))
        self.assertGreaterEqual(options, {"-c", "--once", "--dry-run", "--check-config",
                                          "--set", "-v", "-q", "--version", "--help"})
        text = man_text(MAN1)
        options_part = text[text.index("OPTIONS"):text.index("EXIT STATUS")]
        for option in sorted(options):
            with self.subTest(option=option):
                self.assertRegex(options_part, r"(?m)^ {7}(.*, )?%s\b" % re.escape(option))
        for code in ("0", "1", "2", "3"):
            self.assertRegex(text[text.index("EXIT STATUS"):], r"(?m)^ {7}%s( |$)" % code)
        for variable in ("MODELARTS_TOKEN", "MODELARTS_AK", "MODELARTS_SK",
                         "MODELARTS_SECURITY_TOKEN", "MODELARTS_PASSWORD", "MQTT_PASSWORD",
                         "NOTIFY_SOCKET"):
            self.assertIn(variable, text[text.index("ENVIRONMENT"):])


if __name__ == "__main__":
    unittest.main()
