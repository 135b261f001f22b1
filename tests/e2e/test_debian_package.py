# SPDX-License-Identifier: Apache-2.0
"""The Debian package (debian/): `dpkg-buildpackage -us -uc -b` in a copy of
the working tree (build/ and .git/ left out) builds a .deb whose contents,
modes, dependencies and maintainer scripts are what docs/packaging.md says;
its sysusers.d and tmpfiles.d files, applied to the unpacked tree, create
the service user and hand it the configuration.

DEB_BUILD_OPTIONS=nocheck keeps the build to about ten seconds."""

import os
import re
import shutil
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import testlib  # noqa: E402

ROOT = testlib.ROOT
TOOLS = ("dpkg-buildpackage", "dh", "fakeroot", "dpkg-deb")
with open(os.path.join(ROOT, "VERSION")) as _f:
    VERSION = _f.read().strip()


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
                          **kw)


@unittest.skipIf(os.environ.get("M2M_BOARD", "host") != "host",
                 "the package is built for the build machine (host board only)")
class TestDebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [t for t in TOOLS if shutil.which(t) is None]
        if missing:
            raise unittest.SkipTest("not installed: %s (make deps)" % ", ".join(missing))
        cls.tmp = testlib.TempDir("m2m-deb-")
        src = os.path.join(cls.tmp.path, "modelarts2mqtt")
        shutil.copytree(ROOT, src, symlinks=True,
                        ignore=lambda d, names: [n for n in names if d == ROOT and
                                                 n in ("build", ".git")] +
                        [n for n in names if n in ("__pycache__", "node_modules")])
        env = testlib.user_make_env()
        env["DEB_BUILD_OPTIONS"] = "nocheck"
        r = run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src, env=env)
        if r.returncode != 0:
            cls.tmp.cleanup()
            raise AssertionError("dpkg-buildpackage failed:\n%s" % r.stdout.decode()[-4000:])
        debs = [n for n in os.listdir(cls.tmp.path)
                if re.match(r"modelarts2mqtt_%s_[a-z0-9]+\.deb$" % re.escape(VERSION), n)]
        if len(debs) != 1:
            cls.tmp.cleanup()
            raise AssertionError("expected one .deb, found %r" % os.listdir(cls.tmp.path))
        cls.deb = os.path.join(cls.tmp.path, debs[0])
        cls.unpacked = os.path.join(cls.tmp.path, "root")
        r = run(["dpkg-deb", "-x", cls.deb, cls.unpacked])
        assert r.returncode == 0, r.stdout.decode()
        cls.control = os.path.join(cls.tmp.path, "control")
        r = run(["dpkg-deb", "-e", cls.deb, cls.control])
        assert r.returncode == 0, r.stdout.decode()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def contents(self):
        """path -> (mode text, owner) from dpkg-deb -c."""
        r = run(["dpkg-deb", "-c", self.deb])
        self.assertEqual(r.returncode, 0)
        out = {}
        for line in r.stdout.decode().splitlines():
            fields = line.split()
            out[fields[-1].lstrip(".")] = (fields[0], fields[1])
        return out

    def field(self, name):
        r = run(["dpkg-deb", "-f", self.deb, name])
        self.assertEqual(r.returncode, 0)
        return r.stdout.decode().strip()

    def test_files_and_modes(self):
        c = self.contents()
        expected = {
            "/usr/bin/modelarts2mqtt": "-rwxr-xr-x",
            "/etc/modelarts2mqtt/modelarts2mqtt.conf": "-rw-------",
            "/lib/systemd/system/modelarts2mqtt.service": "-rw-r--r--",
            "/usr/lib/sysusers.d/modelarts2mqtt.conf": "-rw-r--r--",
            "/usr/lib/tmpfiles.d/modelarts2mqtt.conf": "-rw-r--r--",
            "/usr/share/man/man1/modelarts2mqtt.1.gz": "-rw-r--r--",
            "/usr/share/man/man5/modelarts2mqtt.conf.5.gz": "-rw-r--r--",
            "/usr/share/doc/modelarts2mqtt/copyright": "-rw-r--r--",
            "/usr/share/doc/modelarts2mqtt/README.md.gz": "-rw-r--r--",
            "/usr/share/doc/modelarts2mqtt/licenses/jsmn": "-rw-r--r--",
        }
        for path, mode in expected.items():
            with self.subTest(path=path):
                self.assertIn(path, c)
                self.assertEqual(c[path], (mode, "root/root"))
        with open(os.path.join(self.unpacked, "lib", "systemd", "system",
                               "modelarts2mqtt.service")) as f:
            self.assertIn("\nExecStart=/usr/bin/modelarts2mqtt -c "
                          "/etc/modelarts2mqtt/modelarts2mqtt.conf\n", f.read())

    def test_license_is_stated_by_the_copyright_file(self):
        """debian/copyright names the license; the copy of LICENSE that make install puts in
        the doc directory is left out, jsmn's notice stays."""
        c = self.contents()
        self.assertFalse([p for p in c if p.startswith("/usr/share/doc/modelarts2mqtt/LICENSE")])
        doc = os.path.join(self.unpacked, "usr", "share", "doc", "modelarts2mqtt")
        with open(os.path.join(doc, "copyright")) as a, \
                open(os.path.join(ROOT, "debian", "copyright")) as b:
            self.assertEqual(a.read(), b.read())
        with open(os.path.join(doc, "licenses", "jsmn")) as a, \
                open("/usr/share/doc/libjsmn-dev/copyright") as b:
            self.assertEqual(a.read(), b.read())

    def test_packaged_binary_runs(self):
        binary = os.path.join(self.unpacked, "usr", "bin", "modelarts2mqtt")
        r = run([binary, "--version"])
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.decode().splitlines()[0], "modelarts2mqtt " + VERSION)

    def test_depends_on_the_shared_libraries_it_links(self):
        depends = self.field("Depends")
        for package in ("libc6", "libinih1", "libmbedtls", "libmbedx509", "libmbedcrypto",
                        "libpaho-mqtt"):
            with self.subTest(package=package):
                self.assertRegex(depends, r"(^|, )%s[^,]* \(>= " % re.escape(package))
        self.assertEqual(self.field("Version"), VERSION)

    def test_configuration_is_a_conffile(self):
        with open(os.path.join(self.control, "conffiles")) as f:
            self.assertEqual(f.read().split(), ["/etc/modelarts2mqtt/modelarts2mqtt.conf"])

    def test_postinst_creates_the_user_before_tmpfiles_and_does_not_enable(self):
        with open(os.path.join(self.control, "postinst")) as f:
            text = f.read()
        users = text.index("systemd-sysusers")
        tmpfiles = text.index("systemd-tmpfiles")
        self.assertLess(users, tmpfiles, "the user must exist before tmpfiles.d chowns to it")
        # dh_installsystemd --no-enable's snippet: the unit is enabled again on an upgrade
        # only if the operator had enabled it ("debian-installed", then "was-enabled").
        self.assertIn("if deb-systemd-helper debian-installed 'modelarts2mqtt.service'", text)

    def test_sysusers_and_tmpfiles_give_the_configuration_to_the_service_user(self):
        if os.geteuid() != 0:
            self.skipTest("chown to the service user needs root")
        for tool in ("systemd-sysusers", "systemd-tmpfiles"):
            if shutil.which(tool) is None:
                self.skipTest("%s not installed" % tool)
        etc = os.path.join(self.unpacked, "etc")
        for name in ("passwd", "group"):
            open(os.path.join(etc, name), "a").close()
        r = run(["systemd-sysusers", "--root=" + self.unpacked, "modelarts2mqtt.conf"])
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        with open(os.path.join(etc, "passwd")) as f:
            entry = [l for l in f.read().splitlines() if l.startswith("modelarts2mqtt:")]
        self.assertEqual(len(entry), 1)
        uid = int(entry[0].split(":")[2])
        self.assertNotEqual(uid, 0)
        r = run(["systemd-tmpfiles", "--root=" + self.unpacked, "--create", "modelarts2mqtt.conf"])
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        st = os.stat(os.path.join(etc, "modelarts2mqtt", "modelarts2mqtt.conf"))
        self.assertEqual((st.st_uid, stat.S_IMODE(st.st_mode)), (uid, 0o600))


if __name__ == "__main__":
    unittest.main()
