# SPDX-License-Identifier: Apache-2.0
"""`make install` as a packager runs it (DESTDIR staging, PREFIX=/usr): the
files it puts in place, their modes, an unstripped binary that is the build's
own, an example configuration that documents every key the agent knows and
holds no secret, an operator's configuration that a second install leaves
alone, and the license notices the binary ships with (docs/licenses.md).

The board is $M2M_BOARD (default host) with STATIC=$M2M_STATIC and
MQTT_TLS=$M2M_MQTT_TLS (default 1), as `make test` passes them; the
installed binary runs under $M2M_RUN_PREFIX."""

import configparser
import glob
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import testlib  # noqa: E402

ROOT = testlib.ROOT
BOARD = os.environ.get("M2M_BOARD", "host")
STATIC = os.environ.get("M2M_STATIC", "0")
MQTT_TLS = os.environ.get("M2M_MQTT_TLS", "1")
EXAMPLE = os.path.join(ROOT, "examples", "modelarts2mqtt.conf")
SECRET_KEYS = {("modelarts", "token"), ("modelarts", "ak"), ("modelarts", "sk"),
               ("modelarts", "security_token"), ("modelarts", "password"),
               ("mqtt", "password")}
SHT_SYMTAB = 2
# The notice of each third-party component a binary holds (tools/notices.mk): jsmn is compiled
# into every build, a static one holds the libraries and glibc too.
NOTICE_SOURCES = {
    "jsmn": "/usr/share/doc/libjsmn-dev/copyright",
    "inih": "/usr/share/doc/libinih-dev/copyright",
    "paho-mqtt-c": "/usr/share/doc/libpaho-mqtt-dev/copyright",
    "mbedtls": "/usr/share/doc/libmbedtls-dev/copyright",
    "openssl": "/usr/share/doc/libssl-dev/copyright",
    "glibc": "/usr/share/doc/libc6/copyright",
    "LGPL-2.1": "/usr/share/common-licenses/LGPL-2.1",
}


def notices_of(static, mqtt_tls):
    """The notices a build of the host-like boards ships with."""
    if static != "1":
        return {"jsmn"}
    names = set(NOTICE_SOURCES)
    return names if mqtt_tls != "0" else names - {"openssl"}


def make(*args):
    """make in the project root for this board, without what an enclosing make passes down
    (testlib.user_make_env())."""
    env = testlib.user_make_env()
    return subprocess.run(["make", "--no-print-directory", "BOARD=" + BOARD, "STATIC=" + STATIC]
                          + list(args), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=600)


def section_types(path):
    """sh_type of every section header of an ELF file (32 or 64 bit, either
    byte order)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise ValueError("%s is not an ELF file" % path)
    bits64 = data[4] == 2
    order = "<" if data[5] == 1 else ">"
    if bits64:
        shoff, = struct.unpack_from(order + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(order + "HH", data, 0x3A)
    else:
        shoff, = struct.unpack_from(order + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(order + "HH", data, 0x2E)
    return [struct.unpack_from(order + "I", data, shoff + i * shentsize + 4)[0]
            for i in range(shnum)]


def config_keys_of_the_agent():
    """(section, key) of every entry of config_keys[] in port/posix/config.c."""
    with open(os.path.join(ROOT, "port", "posix", "config.c"), encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("config_keys[] = {"):]
    table = table[:table.index("\n};")]
    keys = set(re.findall(r'"(modelarts|mqtt|homeassistant)",\s*"([a-z_]+)"', table))
    # Keys that do nothing any more are accepted with a warning, not listed.
    obsolete = set(re.findall(r'"(modelarts|mqtt|homeassistant)",\s*"([a-z_]+)",\s*'
                              r'config_value_obsolete', table))
    return keys - obsolete


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class TestInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        build = "build/%s%s" % (BOARD, "-static" if STATIC == "1" else "")
        cls.built = os.path.join(ROOT, build, "modelarts2mqtt")
        if not os.access(cls.built, os.X_OK):
            raise unittest.SkipTest("%s not built" % cls.built)
        cls.tmp = testlib.TempDir("m2m-install-")
        cls.dest = os.path.join(cls.tmp.path, "stage")
        r = make("install", "DESTDIR=" + cls.dest, "PREFIX=/usr")
        if r.returncode != 0:
            cls.tmp.cleanup()
            raise AssertionError("make install failed:\n%s" % r.stdout.decode()[-3000:])
        cls.bin = os.path.join(cls.dest, "usr", "bin", "modelarts2mqtt")
        cls.conf = os.path.join(cls.dest, "etc", "modelarts2mqtt", "modelarts2mqtt.conf")
        cls.docdir = os.path.join(cls.dest, "usr", "share", "doc", "modelarts2mqtt")
        cls.unit = os.path.join(cls.dest, "usr", "lib", "systemd", "system",
                                "modelarts2mqtt.service")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_installed(self, *args):
        cmd = testlib.agent_command()[:-1] + [self.bin] + list(args)
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)

    def test_binary_is_the_build_unstripped_and_executable(self):
        self.assertEqual(mode(self.bin), 0o755)
        with open(self.bin, "rb") as a, open(self.built, "rb") as b:
            self.assertEqual(a.read(), b.read(), "installed binary differs from the build's")
        self.assertIn(SHT_SYMTAB, section_types(self.bin), "installed binary is stripped")
        r = self.run_installed("--version")
        self.assertEqual(r.returncode, 0, r)
        self.assertRegex(r.stdout.decode(), r"^modelarts2mqtt \d+\.\d+\.\d+")

    def test_configuration_is_the_example_readable_by_its_owner_only(self):
        self.assertEqual(mode(self.conf), 0o600)
        with open(self.conf, "rb") as a, open(EXAMPLE, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_docs_are_the_readme_news_license_and_every_page_of_docs(self):
        top = ["README.md", "NEWS.md", "LICENSE"]
        pages = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
        self.assertEqual(sorted(os.listdir(self.docdir)), sorted(top + pages + ["licenses"]))
        for name in top + pages:
            with self.subTest(doc=name):
                self.assertEqual(mode(os.path.join(self.docdir, name)), 0o644)
                source = os.path.join(ROOT, name if name in top else os.path.join("docs", name))
                with open(os.path.join(self.docdir, name), "rb") as a, open(source, "rb") as b:
                    self.assertEqual(a.read(), b.read())

    def test_license_notices_of_the_build(self):
        """LICENSE and one notice per third-party component inside the binary."""
        licenses = os.path.join(self.docdir, "licenses")
        self.assertEqual(mode(licenses), 0o755)
        expected = notices_of(STATIC, MQTT_TLS)
        if BOARD != "host" and STATIC == "1":
            expected_glibc = "/usr/share/doc/libc6-%s-cross/copyright" % {
                "linux-aarch64": "arm64", "linux-armhf": "armhf"}[BOARD]
        else:
            expected_glibc = NOTICE_SOURCES["glibc"]
        self.assertEqual(sorted(os.listdir(licenses)), sorted(expected))
        for name in expected:
            with self.subTest(notice=name):
                path = os.path.join(licenses, name)
                self.assertEqual(mode(path), 0o644)
                source = expected_glibc if name == "glibc" else NOTICE_SOURCES[name]
                with open(path, "rb") as a, open(source, "rb") as b:
                    self.assertEqual(a.read(), b.read())

    def test_man_pages_and_service_files(self):
        man = os.path.join(self.dest, "usr", "share", "man")
        for path, source in ((os.path.join(man, "man1", "modelarts2mqtt.1"),
                              "man/modelarts2mqtt.1"),
                             (os.path.join(man, "man5", "modelarts2mqtt.conf.5"),
                              "man/modelarts2mqtt.conf.5"),
                             (os.path.join(self.dest, "usr", "lib", "sysusers.d",
                                           "modelarts2mqtt.conf"),
                              "packaging/systemd/modelarts2mqtt.sysusers")):
            with self.subTest(path=path):
                self.assertEqual(mode(path), 0o644)
                with open(path, "rb") as a, open(os.path.join(ROOT, source), "rb") as b:
                    self.assertEqual(a.read(), b.read())
        self.assertEqual(mode(self.unit), 0o644)
        with open(self.unit) as f:
            self.assertIn("\nExecStart=/usr/bin/modelarts2mqtt -c "
                          "/etc/modelarts2mqtt/modelarts2mqtt.conf\n", f.read())
        tmpfiles = os.path.join(self.dest, "usr", "lib", "tmpfiles.d", "modelarts2mqtt.conf")
        with open(tmpfiles) as f:
            self.assertIn("z /etc/modelarts2mqtt/modelarts2mqtt.conf 0600 modelarts2mqtt",
                          f.read())
        # The init scripts are for systems without systemd: separate targets.
        self.assertFalse(os.path.exists(os.path.join(self.dest, "etc", "init.d")))

    def test_init_scripts_install_with_their_own_targets(self):
        for target, path in (("install-sysv", ("etc", "init.d", "modelarts2mqtt")),
                             ("install-openwrt", ("etc", "init.d", "modelarts2mqtt"))):
            with self.subTest(target):
                dest = os.path.join(self.tmp.path, target)
                r = make(target, "DESTDIR=" + dest, "PREFIX=/opt/m2m")
                self.assertEqual(r.returncode, 0, r.stdout.decode())
                script = os.path.join(dest, *path)
                self.assertEqual(mode(script), 0o755)
                with open(script) as f:
                    text = f.read()
                self.assertIn("PROG=/opt/m2m/bin/modelarts2mqtt\n", text)
                self.assertNotIn("/usr/bin/modelarts2mqtt", text)
                shutil.rmtree(dest, ignore_errors=True)

    def test_example_lists_every_key_of_the_agent_and_no_secret(self):
        parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"))
        parser.read(EXAMPLE, encoding="utf-8")
        listed = {(s, k) for s in parser.sections() for k in parser[s]}
        known = config_keys_of_the_agent()
        self.assertGreater(len(known), 30, "config.c's key table was not found")
        self.assertEqual(sorted(known - listed), [], "keys missing from the example")
        self.assertEqual(sorted(listed - known), [], "keys the agent does not know")
        for section, key in sorted(SECRET_KEYS):
            self.assertEqual(parser[section][key], "", "%s.%s holds a value" % (section, key))

    def test_installed_example_passes_check_config_once_filled_in(self):
        r = self.run_installed("-c", self.conf, "--check-config")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("project_id", r.stderr.decode())
        r = self.run_installed("-c", self.conf, "--check-config",
                               "--set", "modelarts.project_id=0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                               "--set", "modelarts.token=example-token")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("configuration OK", r.stdout.decode() + r.stderr.decode())

    def test_second_install_keeps_the_operators_configuration(self):
        dest = os.path.join(self.tmp.path, "again")
        conf = os.path.join(dest, "etc", "modelarts2mqtt", "modelarts2mqtt.conf")
        self.assertEqual(make("install", "DESTDIR=" + dest, "PREFIX=/usr").returncode, 0)
        with open(conf, "a") as f:
            f.write("; edited by the operator\n")
        r = make("install", "DESTDIR=" + dest, "PREFIX=/usr")
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        with open(conf) as f:
            self.assertTrue(f.read().endswith("; edited by the operator\n"))
        self.assertEqual(mode(conf), 0o600)

    def test_default_prefix_is_usr_local_and_install_strip_strips(self):
        dest = os.path.join(self.tmp.path, "strip")
        r = make("install-strip", "DESTDIR=" + dest)
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        path = os.path.join(dest, "usr", "local", "bin", "modelarts2mqtt")
        self.assertNotIn(SHT_SYMTAB, section_types(path), "install-strip left the symbols")
        self.assertTrue(os.path.isfile(
            os.path.join(dest, "usr", "local", "share", "doc", "modelarts2mqtt", "README.md")))
        self.assertTrue(os.path.isfile(os.path.join(dest, "etc", "modelarts2mqtt",
                                                    "modelarts2mqtt.conf")))
        self.assertTrue(os.path.isfile(
            os.path.join(dest, "usr", "local", "share", "man", "man1", "modelarts2mqtt.1")))
        with open(os.path.join(dest, "usr", "local", "lib", "systemd", "system",
                               "modelarts2mqtt.service")) as f:
            self.assertIn("\nExecStart=/usr/local/bin/modelarts2mqtt ", f.read())
        shutil.rmtree(dest, ignore_errors=True)


class TestNotices(unittest.TestCase):
    """make notices (the notices of a build, with LICENSE, in $(BUILD)/licenses/) for the link
    modes the running build is not: the static list with and without OpenSSL, a header as a
    notice, a missing notice. BUILD points into a temporary directory."""

    def setUp(self):
        self.tmp = testlib.TempDir("m2m-notices-")
        self.addCleanup(self.tmp.cleanup)

    def notices(self, *args):
        build = os.path.join(self.tmp.path, "b%d" % len(os.listdir(self.tmp.path)))
        r = subprocess.run(["make", "--no-print-directory", "BOARD=host", "notices",
                            "BUILD=" + build] + list(args), cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120, env=testlib.user_make_env())
        return r, os.path.join(build, "licenses")

    def test_static_builds_ship_every_librarys_notice(self):
        for mqtt_tls in ("1", "0"):
            with self.subTest(MQTT_TLS=mqtt_tls):
                r, licenses = self.notices("STATIC=1", "MQTT_TLS=" + mqtt_tls)
                self.assertEqual(r.returncode, 0, r.stdout.decode())
                self.assertEqual(sorted(os.listdir(licenses)),
                                 sorted(notices_of("1", mqtt_tls) | {"LICENSE"}))
                for name, source in NOTICE_SOURCES.items():
                    if name in notices_of("1", mqtt_tls):
                        with open(os.path.join(licenses, name), "rb") as a, \
                                open(source, "rb") as b:
                            self.assertEqual(a.read(), b.read(), name)
                with open(os.path.join(licenses, "LICENSE"), "rb") as a, \
                        open(os.path.join(ROOT, "LICENSE"), "rb") as b:
                    self.assertEqual(a.read(), b.read())

    def test_a_headers_notice_is_its_leading_comment(self):
        r, licenses = self.notices("NOTICE_jsmn=/usr/include/jsmn.h")
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        with open(os.path.join(licenses, "jsmn")) as f:
            text = f.read()
        self.assertTrue(text.startswith("/*\n * MIT License\n"), text[:200])
        self.assertTrue(text.endswith(" */\n"), text[-200:])
        self.assertNotIn("#include", text)

    def test_a_missing_notice_stops_with_its_name(self):
        r, _ = self.notices("NOTICE_jsmn=/nonexistent/jsmn-copyright")
        out = r.stdout.decode()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no license notice for jsmn: /nonexistent/jsmn-copyright is missing", out)


def dry_run_lines(*args, env=None):
    """The commands `make -n -B` would run to build the aarch64 board's
    binary, with extra make arguments and environment variables."""
    full = {k: v for k, v in testlib.user_make_env().items()
            if k not in ("CC", "AR", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LDLIBS", "CROSS_COMPILE",
                         "STRIP")}
    full.update(env or {})
    r = subprocess.run(["make", "--no-print-directory", "-n", "-B", "BOARD=linux-aarch64",
                        "build/linux-aarch64/modelarts2mqtt"] + list(args), cwd=ROOT, env=full,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    if r.returncode != 0:
        raise AssertionError(r.stdout.decode()[-2000:])
    return r.stdout.decode().splitlines()


class TestPackagingVariables(unittest.TestCase):
    """CC, AR, CROSS_COMPILE, CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS as
    Buildroot (command line) and Yocto (environment) pass them."""

    @staticmethod
    def compile_and_link(lines):
        compile_ = [l for l in lines if " -c firmware/strbuf.c " in l]
        link = [l for l in lines if " -o build/linux-aarch64/modelarts2mqtt " in l]
        archive = [l for l in lines if "libm2mcore.a build/" in l and not l.startswith("rm ")]
        return compile_[0], link[0], archive[0]

    def test_compiler_choice(self):
        cases = (
            ("board default", [], {}, "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-ar"),
            ("CROSS_COMPILE", ["CROSS_COMPILE=/opt/tc/bin/aarch64-buildroot-linux-gnu-"], {},
             "/opt/tc/bin/aarch64-buildroot-linux-gnu-gcc",
             "/opt/tc/bin/aarch64-buildroot-linux-gnu-ar"),
            ("CC and AR on the command line", ["CC=/opt/tc/cc", "AR=/opt/tc/ar"], {},
             "/opt/tc/cc", "/opt/tc/ar"),
            ("CC from the environment wins over the board", [],
             {"CC": "aarch64-poky-linux-gcc --sysroot=/sysroot", "AR": "aarch64-poky-linux-ar"},
             "aarch64-poky-linux-gcc --sysroot=/sysroot", "aarch64-poky-linux-ar"),
        )
        for name, args, env, cc, ar in cases:
            with self.subTest(name):
                compile_, link, archive = self.compile_and_link(dry_run_lines(*args, env=env))
                self.assertTrue(compile_.startswith(cc + " "), compile_)
                self.assertTrue(link.startswith(cc + " "), link)
                self.assertTrue(archive.startswith(ar + " "), archive)

    def test_flags_reach_the_compiler_and_the_linker(self):
        env = {"CFLAGS": "-O1 -pipe-marker", "CPPFLAGS": "-DFROM_CPPFLAGS",
               "LDFLAGS": "-Wl,--hash-style=gnu", "LDLIBS": "-lextra-marker"}
        compile_, link, _ = self.compile_and_link(dry_run_lines(env=env))
        for flag in ("-O1 -pipe-marker", "-DFROM_CPPFLAGS"):
            self.assertIn(flag, compile_)
        # The packager's CFLAGS come after the board's, so their -O wins.
        self.assertLess(compile_.index("-O2"), compile_.index("-O1 -pipe-marker"))
        self.assertIn("-Wl,--hash-style=gnu", link)
        self.assertTrue(link.rstrip().endswith("-lextra-marker"), link)


if __name__ == "__main__":
    unittest.main()
