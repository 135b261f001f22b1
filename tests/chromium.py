# SPDX-License-Identifier: Apache-2.0
"""Headless Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: JSON messages, each ended by a NUL byte, read by
the browser on fd 3 and written on fd 4), so the tests need no WebSocket
client and no npm package: Python 3 standard library only.

    with Browser(procs, profile_dir) as b:
        page = b.new_page(1280, 900)
        page.navigate("http://127.0.0.1:9001/")
        page.wait_for("document.querySelectorAll('.card').length == 3")
        page.screenshot("board.png")
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import time

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")

# Runs in the child: moves the two pipe ends to fds 3 and 4, where Chromium
# looks for them, then becomes Chromium. (A POSIX shell's redirections take
# single-digit descriptors only, and the pipe's may be larger.)
_TRAMPOLINE = """import os, sys
r, w = int(sys.argv[1]), int(sys.argv[2])
os.dup2(r, 3)
os.dup2(w, 4)
for fd in (r, w):
    if fd not in (3, 4):
        os.close(fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


def find_chromium():
    """The Chromium executable ($M2M_CHROMIUM, else the first on PATH), or None."""
    path = os.environ.get("M2M_CHROMIUM")
    if path:
        return path if os.access(path, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class ProtocolError(RuntimeError):
    pass


class Browser:
    """One headless Chromium process, started in procs (testlib.ProcessGroup)."""

    def __init__(self, procs, profile_dir, executable=None, timeout=30.0):
        self.procs = procs
        self.timeout = timeout
        self._next_id = 0
        self._replies = {}
        self._events = []
        self._cond = threading.Condition()
        self._closed = False
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        exe = executable or find_chromium()
        if exe is None:
            raise RuntimeError("no Chromium executable found")
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                "--mute-audio", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + profile_dir, "--remote-debugging-pipe", "about:blank"]
        self.log_path = os.path.join(profile_dir, "chromium.log")
        os.makedirs(profile_dir, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = procs.popen([sys.executable, "-c", _TRAMPOLINE, str(to_browser_r),
                                     str(from_browser_w)] + args, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    pass_fds=(to_browser_r, from_browser_w))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw.decode("utf-8"))
                with self._cond:
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self._events.append(msg)
                    self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(self, method, params=None, session_id=None, timeout=None):
        """One command; returns its result, raises ProtocolError on an error reply."""
        with self._cond:
            self._next_id += 1
            cid = self._next_id
        msg = {"id": cid, "method": method, "params": params or {}}
        if session_id:
            msg["sessionId"] = session_id
        data = json.dumps(msg).encode("utf-8") + b"\0"
        while data:
            data = data[os.write(self._to_browser, data):]
        with self._cond:
            ok = self._cond.wait_for(lambda: cid in self._replies or self._closed,
                                     timeout or self.timeout)
            reply = self._replies.pop(cid, None)
        if reply is None:
            raise ProtocolError("%s: no reply (%s); chromium log:\n%s" % (
                method, "browser gone" if ok else "timeout", self.log()))
        if "error" in reply:
            raise ProtocolError("%s: %s" % (method, reply["error"]))
        return reply.get("result", {})

    def new_page(self, width=1280, height=900):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        page = Page(self, session["sessionId"])
        page.send("Page.enable")
        page.send("Runtime.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        return page

    def console_messages(self):
        """Console API calls and uncaught exceptions seen so far, as text."""
        out = []
        with self._cond:
            events = list(self._events)
        for e in events:
            p = e.get("params", {})
            if e.get("method") == "Runtime.consoleAPICalled":
                out.append("%s: %s" % (p.get("type"), " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
            elif e.get("method") == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s" % d.get("exception", {}).get("description",
                                                                        d.get("text")))
        return out

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=5)
            except (ProtocolError, OSError):
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.procs.stop(self.proc)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass


class Page:
    def __init__(self, browser, session_id):
        self.browser = browser
        self.session_id = session_id

    def send(self, method, params=None, timeout=None):
        return self.browser.send(method, params, self.session_id, timeout)

    def navigate(self, url):
        r = self.send("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise ProtocolError("navigate %s: %s" % (url, r["errorText"]))

    def evaluate(self, expression):
        """The value of a JavaScript expression (JSON-serialisable)."""
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise ProtocolError("%s: %s" % (expression[:80], r["exceptionDetails"].get(
                "exception", {}).get("description", r["exceptionDetails"].get("text"))))
        return r["result"].get("value")

    def wait_for(self, expression, timeout=15.0, interval=0.1):
        """Evaluate expression until it is truthy; returns that value, or
        None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() >= deadline:
                return None
            time.sleep(interval)

    def screenshot(self, path):
        """The whole page (not only the viewport) as PNG into path."""
        r = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        data = base64.b64decode(r["data"])
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path
