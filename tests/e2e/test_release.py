# SPDX-License-Identifier: Apache-2.0
"""A release: the version, written once in VERSION, and everything that
carries it (the Makefile's -DM2M_VERSION, the binary's --version, the man
pages, debian/changelog, NEWS.md, the Yocto, Buildroot and OpenWrt recipes);
and `make dist`, run twice into temporary directories: one SHA-256 for both
tarballs, the .sha256 file beside them, entries in sorted order with the
commit's time and root as owner, the committed files and nothing else
(LICENSE in, build/ out), the recipes' copies filled in with the tarball's
hash and location, and an extracted tree whose Makefile runs (make -n)."""

import glob
import hashlib
import os
import re
import subprocess
import sys
import tarfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import testlib  # noqa: E402

ROOT = testlib.ROOT
PLACEHOLDER = "@DIST_SHA256@"
COMMITTED_SITE = "https://example.invalid/modelarts2mqtt/releases"
RELEASE_SITE = "https://downloads.example.org/modelarts2mqtt"


def version():
    with open(os.path.join(ROOT, "VERSION")) as f:
        return f.read().strip()


def read(*path):
    with open(os.path.join(*path)) as f:
        return f.read()


def run(args, cwd=ROOT):
    """A command as a user would type it, without what make test passes down
    (testlib.user_make_env())."""
    env = testlib.user_make_env()
    return subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=300)


def git(*args):
    r = run(["git"] + list(args))
    if r.returncode != 0:
        raise unittest.SkipTest("not a git checkout: %s" % r.stdout.decode().strip())
    return r.stdout.decode()


class TestVersion(unittest.TestCase):
    """Every place that carries the version agrees with VERSION."""

    def setUp(self):
        self.version = version()

    def test_version_file_is_one_dotted_version(self):
        self.assertRegex(read(ROOT, "VERSION"), r"^\d+\.\d+\.\d+\n$")

    def test_the_makefile_compiles_it_in(self):
        r = run(["make", "--no-print-directory", "-n", "-B", "BOARD=host", "STATIC=0",
                 "build/host/port/posix/cli.o"])
        self.assertEqual(r.returncode, 0, r.stdout.decode())
        self.assertIn('-DM2M_VERSION=\\"%s\\"' % self.version, r.stdout.decode())

    def test_the_binary_says_it(self):
        if not os.access(testlib.binary_path(), os.X_OK):
            self.skipTest("no agent binary ($M2M_BINARY)")
        r = subprocess.run(testlib.agent_command() + ["--version"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.stdout.decode().split("\n")[0], "modelarts2mqtt " + self.version)

    def test_man_pages(self):
        for page in ("modelarts2mqtt.1", "modelarts2mqtt.conf.5"):
            with self.subTest(page=page):
                th = [l for l in read(ROOT, "man", page).splitlines() if l.startswith(".TH ")]
                self.assertEqual(len(th), 1)
                self.assertIn('"modelarts2mqtt %s"' % self.version, th[0])

    def test_debian_changelog_top_entry(self):
        first = read(ROOT, "debian", "changelog").split("\n")[0]
        self.assertRegex(first, r"^modelarts2mqtt \(%s(-[^)]+)?\) " % re.escape(self.version))

    def test_news_starts_with_it(self):
        headings = re.findall(r"^## (.*)$", read(ROOT, "NEWS.md"), re.M)
        self.assertTrue(headings, "NEWS.md has no version heading")
        self.assertEqual(headings[0].split()[0], self.version)

    def test_recipes(self):
        recipes = [os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "packaging", "yocto",
                                                                       "*.bb"))]
        self.assertEqual(recipes, ["modelarts2mqtt_%s.bb" % self.version])
        buildroot = os.path.join(ROOT, "packaging", "buildroot", "modelarts2mqtt")
        self.assertRegex(read(buildroot, "modelarts2mqtt.mk"),
                         r"(?m)^MODELARTS2MQTT_VERSION = %s$" % re.escape(self.version))
        self.assertRegex(read(buildroot, "modelarts2mqtt.hash"),
                         r"(?m)^sha256\s+\S+\s+modelarts2mqtt-%s\.tar\.gz$"
                         % re.escape(self.version))
        self.assertRegex(read(ROOT, "packaging", "openwrt", "modelarts2mqtt", "Makefile"),
                         r"(?m)^PKG_VERSION:=%s$" % re.escape(self.version))

    def test_committed_recipes_hold_the_placeholder(self):
        (bb,) = glob.glob(os.path.join(ROOT, "packaging", "yocto", "*.bb"))
        self.assertIn('SRC_URI[sha256sum] = "%s"' % PLACEHOLDER, read(bb))
        self.assertIn("PKG_HASH:=%s" % PLACEHOLDER,
                      read(ROOT, "packaging", "openwrt", "modelarts2mqtt", "Makefile"))
        self.assertRegex(read(ROOT, "packaging", "buildroot", "modelarts2mqtt",
                              "modelarts2mqtt.hash"),
                         r"(?m)^sha256\s+%s\s+modelarts2mqtt-" % re.escape(PLACEHOLDER))


class TestDist(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.version = version()
        cls.name = "modelarts2mqtt-" + cls.version
        cls.commit_time = int(git("log", "-1", "--format=%ct", "HEAD").strip())
        cls.committed = set(git("ls-tree", "-r", "-z", "--name-only", "HEAD").split("\0")) - {""}
        cls.tmp = testlib.TempDir("m2m-dist-")
        cls.out = []
        for i, site in enumerate((None, RELEASE_SITE)):
            out = os.path.join(cls.tmp.path, "dist%d" % i)
            args = ["make", "--no-print-directory", "dist", "DIST_DIR=" + out]
            if site:
                args.append("DIST_SITE=" + site)
            r = run(args)
            if r.returncode != 0:
                cls.tmp.cleanup()
                raise AssertionError("make dist failed:\n%s" % r.stdout.decode()[-3000:])
            cls.out.append(out)
        cls.tarball = os.path.join(cls.out[0], cls.name + ".tar.gz")
        with open(cls.tarball, "rb") as f:
            cls.sha = hashlib.sha256(f.read()).hexdigest()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_two_runs_give_the_same_bytes(self):
        with open(os.path.join(self.out[1], self.name + ".tar.gz"), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), self.sha)

    def test_sha256_file_is_sha256sums(self):
        self.assertEqual(read(self.tarball + ".sha256"), "%s  %s.tar.gz\n" % (self.sha, self.name))
        r = run(["sha256sum", "-c", self.name + ".tar.gz.sha256"], cwd=self.out[0])
        self.assertEqual(r.returncode, 0, r.stdout.decode())

    def test_entries_sorted_with_the_commits_time_and_root_as_owner(self):
        with tarfile.open(self.tarball) as tar:
            members = tar.getmembers()
        self.assertEqual((members[0].name, members[0].isdir()), (self.name, True))
        names = [m.name + ("/" if m.isdir() else "") for m in members]
        self.assertEqual(names, sorted(names))
        for m in members:
            with self.subTest(entry=m.name):
                self.assertTrue(m.name == self.name or m.name.startswith(self.name + "/"))
                self.assertEqual(m.mtime, self.commit_time)
                self.assertEqual((m.uid, m.gid, m.uname, m.gname), (0, 0, "root", "root"))
                self.assertIn(m.mode, (0o777,) if m.issym() else (0o644, 0o755))

    def test_holds_the_committed_files_and_nothing_else(self):
        with tarfile.open(self.tarball) as tar:
            files = {m.name[len(self.name) + 1:] for m in tar.getmembers()
                     if not m.isdir() and m.name != "pax_global_header"}
        self.assertIn("LICENSE", files)
        self.assertIn("VERSION", files)
        self.assertFalse([n for n in files if n.startswith("build/")])
        self.assertEqual(files, self.committed)

    def test_recipe_copies_carry_the_hash_and_the_location(self):
        for out, site in zip(self.out, (COMMITTED_SITE, RELEASE_SITE)):
            recipes = os.path.join(out, self.name + "-recipes")
            buildroot = os.path.join(recipes, "buildroot", "modelarts2mqtt")
            yocto = os.path.join(recipes, "yocto", "modelarts2mqtt_%s.bb" % self.version)
            openwrt = os.path.join(recipes, "openwrt", "modelarts2mqtt", "Makefile")
            with self.subTest(site=site):
                self.assertRegex(read(buildroot, "modelarts2mqtt.hash"),
                                 r"(?m)^sha256\s+%s\s+%s\.tar\.gz$" % (self.sha, self.name))
                self.assertRegex(read(buildroot, "modelarts2mqtt.mk"),
                                 r"(?m)^MODELARTS2MQTT_SITE = %s$" % re.escape(site))
                self.assertIn('SRC_URI[sha256sum] = "%s"' % self.sha, read(yocto))
                self.assertIn('"%s/modelarts2mqtt-${PV}.tar.gz' % site, read(yocto))
                self.assertIn("PKG_HASH:=%s\n" % self.sha, read(openwrt))
                self.assertIn("PKG_SOURCE_URL:=%s\n" % site, read(openwrt))
                for path in (os.path.join(buildroot, "modelarts2mqtt.hash"),
                             os.path.join(buildroot, "modelarts2mqtt.mk"), yocto, openwrt):
                    self.assertNotIn(PLACEHOLDER, read(path))
                    if site != COMMITTED_SITE:
                        self.assertNotIn(COMMITTED_SITE, read(path))
                self.assertTrue(os.path.isfile(os.path.join(buildroot, "Config.in")))
                self.assertTrue(os.access(os.path.join(recipes, "openwrt", "modelarts2mqtt",
                                                       "files", "modelarts2mqtt.init"), os.X_OK))

    def test_the_extracted_tree_builds(self):
        tree = os.path.join(self.tmp.path, "tree")
        os.mkdir(tree)
        with tarfile.open(self.tarball) as tar:
            tar.extractall(tree)
        src = os.path.join(tree, self.name)
        r = run(["make", "--no-print-directory", "-n"], cwd=src)
        out = r.stdout.decode()
        self.assertEqual(r.returncode, 0, out)
        self.assertIn("-c firmware/job_record.c", out)
        self.assertIn('-DM2M_VERSION=\\"%s\\"' % self.version, out)
        self.assertIn("-o build/host/modelarts2mqtt ", out)
        self.assertFalse(os.path.exists(os.path.join(src, "build")))


if __name__ == "__main__":
    unittest.main()
