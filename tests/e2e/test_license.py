# SPDX-License-Identifier: Apache-2.0
"""The project's license, Apache-2.0, as its files and its packaging state
it: every source file names it in its first lines, LICENSE holds its text,
and debian/copyright, the Yocto recipe, the Buildroot package and the
OpenWrt package declare it (the Yocto md5 and the Buildroot sha256 of
LICENSE match the file).

Each check is a function that returns what is wrong; the tests run it on
the tree, which must give nothing, and on a copy spoiled on purpose, which
must give the fault."""

import fnmatch
import glob
import hashlib
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import testlib  # noqa: E402

ROOT = testlib.ROOT
SPDX = "SPDX-License-Identifier: Apache-2.0"
# Data files, which carry no license line: the one list of them.
DATA_FILES = ("tests/fuzz/corpus/*", "tests/vectors/*", "*.json", "*.md", "*.png", "*.svg",
              "LICENSE", "VERSION", "debian/changelog", "debian/copyright",
              "debian/source/format")
# The SPDX line is in the first 3 lines, after a "#!" or "<!DOCTYPE" line when there is one.
SPDX_LINES = 3
COMMON_APACHE = "/usr/share/common-licenses/Apache-2.0"
BUILDROOT = os.path.join(ROOT, "packaging", "buildroot", "modelarts2mqtt")
OPENWRT_MAKEFILE = os.path.join(ROOT, "packaging", "openwrt", "modelarts2mqtt", "Makefile")


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def source_files(root=ROOT):
    """The tracked files that are not data files."""
    r = subprocess.run(["git", "ls-files", "-z"], cwd=root, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise unittest.SkipTest("not a git checkout: %s" % r.stderr.decode().strip())
    names = [n for n in r.stdout.decode().split("\0") if n]
    return [n for n in names if not any(fnmatch.fnmatch(n, p) for p in DATA_FILES)]


def files_without_spdx(root, names):
    """The files of names whose first lines do not hold the SPDX line."""
    bad = []
    for name in names:
        with open(os.path.join(root, name), "rb") as f:
            head = [f.readline() for _ in range(SPDX_LINES)]
        if not any(SPDX.encode() in line for line in head):
            bad.append(name)
    return bad


def apache_license_problems(text):
    """Why text is not the Apache License 2.0's (empty: it is)."""
    if os.path.exists(COMMON_APACHE):
        return [] if text == read(COMMON_APACHE) else ["differs from %s" % COMMON_APACHE]
    problems = []
    for phrase in ("Apache License\n                           Version 2.0, January 2004",
                   "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
                   "END OF TERMS AND CONDITIONS"):
        if phrase not in text:
            problems.append("no %r" % phrase)
    return problems


def first_license(value):
    """The first license of a recipe's license field ("Apache-2.0 & MIT")."""
    return re.split(r"[\s,&|]+", value.strip())[0]


def debian_copyright_problems(text):
    """debian/copyright: DEP-5, Files: * under Apache-2.0 with the pointer to
    the license text, and nothing left of the old statement."""
    problems = []
    if not text.startswith("Format: https://www.debian.org/doc/packaging-manuals/"
                           "copyright-format/1.0/\n"):
        problems.append("not DEP-5")
    paragraphs = text.split("\n\n")
    files = [p for p in paragraphs if p.startswith("Files: *\n")]
    if len(files) != 1 or not re.search(r"^License: Apache-2\.0$", files[0], re.M):
        problems.append("Files: * is not under License: Apache-2.0")
    stand_alone = [p for p in paragraphs if p.startswith("License: Apache-2.0\n")]
    if len(stand_alone) != 1 or '"/usr/share/common-licenses/Apache-2.0"' not in stand_alone[0]:
        problems.append("no License: Apache-2.0 paragraph pointing at common-licenses")
    if "not-stated" in text or "no license" in text.lower():
        problems.append("the old no-license statement is still there")
    return problems


def yocto_problems(text, license_bytes):
    problems = []
    m = re.search(r'^LICENSE = "([^"]*)"', text, re.M)
    if not m or first_license(m.group(1)) != "Apache-2.0":
        problems.append("LICENSE is not Apache-2.0: %r" % (m and m.group(1)))
    md5 = hashlib.md5(license_bytes).hexdigest()
    m = re.search(r'^LIC_FILES_CHKSUM = "([^"]*)"', text, re.M | re.S)
    if not m or "file://LICENSE;md5=%s" % md5 not in m.group(1):
        problems.append("LIC_FILES_CHKSUM does not hold file://LICENSE;md5=%s" % md5)
    return problems


def license_variables_problems(text, license_var, files_var, assign):
    """The recipe's license variable names Apache-2.0 first, its files variable LICENSE."""
    problems = []
    m = re.search(r"^%s%s(.*)$" % (license_var, re.escape(assign)), text, re.M)
    if not m or first_license(m.group(1)) != "Apache-2.0":
        problems.append("%s is not Apache-2.0: %r" % (license_var, m and m.group(1)))
    m = re.search(r"^%s%s(.*)$" % (files_var, re.escape(assign)), text, re.M)
    if not m or "LICENSE" not in m.group(1).split():
        problems.append("%s does not name LICENSE" % files_var)
    return problems


def buildroot_problems(mk_text, hash_text, license_bytes):
    problems = license_variables_problems(mk_text, "MODELARTS2MQTT_LICENSE",
                                          "MODELARTS2MQTT_LICENSE_FILES", " = ")
    sha = hashlib.sha256(license_bytes).hexdigest()
    if not re.search(r"^sha256\s+%s\s+LICENSE$" % sha, hash_text, re.M):
        problems.append("modelarts2mqtt.hash has no 'sha256 %s LICENSE'" % sha)
    return problems


def openwrt_problems(text):
    return license_variables_problems(text, "PKG_LICENSE", "PKG_LICENSE_FILES", ":=")


class TestLicense(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.license = read(os.path.join(ROOT, "LICENSE"), "rb")
        (cls.bb,) = glob.glob(os.path.join(ROOT, "packaging", "yocto", "*.bb"))

    def test_every_source_file_names_apache_2_0_in_its_first_lines(self):
        names = source_files()
        self.assertGreater(len(names), 200, "git ls-files listed too few files")
        for kind in ("Makefile", "firmware/job_record.c", "tests/e2e/test_license.py",
                     "debian/rules", "packaging/systemd/modelarts2mqtt.service"):
            self.assertIn(kind, names)
        self.assertEqual(files_without_spdx(ROOT, names), [])

    def test_the_spdx_check_finds_a_file_without_the_line(self):
        tmp = testlib.TempDir("m2m-spdx-")
        self.addCleanup(tmp.cleanup)
        with open(os.path.join(tmp.path, "late.c"), "w") as f:
            f.write("/* one */\n/* two */\n/* three */\n/* %s */\n" % SPDX)
        with open(os.path.join(tmp.path, "ok.sh"), "w") as f:
            f.write("#!/bin/sh\n# %s\n" % SPDX)
        self.assertEqual(files_without_spdx(tmp.path, ["late.c", "ok.sh"]), ["late.c"])

    def test_data_files_are_the_only_ones_left_out(self):
        r = subprocess.run(["git", "ls-files"], cwd=ROOT, stdout=subprocess.PIPE, timeout=60)
        every = set(r.stdout.decode().split())
        left_out = every - set(source_files())
        self.assertIn("LICENSE", left_out)
        self.assertIn("README.md", left_out)
        self.assertFalse([n for n in left_out if n.endswith((".c", ".h", ".py", ".mk", ".sh"))
                          and not n.startswith(("tests/fuzz/corpus/", "tests/vectors/"))])

    def test_license_is_the_apache_2_0_text(self):
        text = self.license.decode("utf-8")
        self.assertEqual(apache_license_problems(text), [])
        self.assertNotEqual(apache_license_problems(text.replace("Version 2.0", "Version 3.0")),
                            [])

    def test_debian_copyright_names_apache_2_0(self):
        text = read(os.path.join(ROOT, "debian", "copyright"))
        self.assertEqual(debian_copyright_problems(text), [])
        self.assertNotEqual(debian_copyright_problems(
            text.replace("License: Apache-2.0\n", "License: not-stated\n", 1)), [])

    def test_yocto_recipe_license_and_checksum_of_license(self):
        text = read(self.bb)
        self.assertEqual(yocto_problems(text, self.license), [])
        self.assertNotEqual(yocto_problems(text, self.license + b"\n"), [])
        self.assertNotEqual(yocto_problems(text.replace('LICENSE = "Apache-2.0',
                                                        'LICENSE = "CLOSED'), self.license), [])

    def test_buildroot_license_and_hash_of_license(self):
        mk = read(os.path.join(BUILDROOT, "modelarts2mqtt.mk"))
        hashes = read(os.path.join(BUILDROOT, "modelarts2mqtt.hash"))
        self.assertEqual(buildroot_problems(mk, hashes, self.license), [])
        self.assertNotEqual(buildroot_problems(mk, hashes, self.license + b"\n"), [])
        self.assertNotEqual(buildroot_problems(
            mk.replace("_LICENSE_FILES = LICENSE", "_LICENSE_FILES = COPYING"), hashes,
            self.license), [])

    def test_openwrt_license(self):
        text = read(OPENWRT_MAKEFILE)
        self.assertEqual(openwrt_problems(text), [])
        self.assertNotEqual(openwrt_problems(text.replace("PKG_LICENSE:=Apache-2.0",
                                                          "PKG_LICENSE:=GPL-2.0")), [])


if __name__ == "__main__":
    unittest.main()
