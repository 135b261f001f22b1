# SPDX-License-Identifier: Apache-2.0
"""The live job board (examples/jobboard) in headless Chromium against the
real thing: the simulator, mosquitto with a WebSockets listener serving the
page (http_dir), and the agent polling every second. The page's cards and
summary must match the simulator's jobs; a status changed in the simulator
must reach the open page without a reload; a job gone from the API loses
its card; a stopped agent shows offline.

Screenshots: build/jobboard-test/1-initial.png and 2-changed.png.
Skipped only when no Chromium is installed (`make deps` installs Debian's
chromium); a missing MQTT.js bundle (build/jobboard/mqtt.min.js, from
`make deps`) is a failure.
"""

import json
import os
import shutil
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, phase_of, status_name  # noqa: E402
import chromium  # noqa: E402
import testlib  # noqa: E402

PAGE_DIR = os.path.join(testlib.ROOT, "examples", "jobboard")
BUNDLE = os.path.join(testlib.ROOT, "build", "jobboard", "mqtt.min.js")
SHOT_DIR = os.path.join(testlib.ROOT, "build", "jobboard-test")
BASE_TOPIC = "site-a/modelarts"  # two levels: the page is told with ?base=

BIG_ID = 9223372036854775807  # beyond 2^53: a JavaScript number would round it
T0 = 1764330000000


def board_jobs():
    """One job per phase, newest first by create_time, one with the
    largest 64-bit id."""
    rows = (
        (4101, "resnet50-imagenet", 8, 5025000),
        (4102, "bert-finetune-zh", 7, 0),
        (4103, "llm-distill-7b", 9, 8042000),
        (4104, "safety-review-v3", 19, 61000),
        (BIG_ID, "speech-ctc-en", 10, 97203000),
        (4106, "yolov5-traffic", 11, 1801000),
        (4107, "sentiment-v2", 13, 59999),
        (4108, "segformer-roads", 0, None),
    )
    return [{"job_id": jid, "job_name": name, "version_id": 9000 + i, "status": st,
             "create_time": T0 - 3600000 * i, "duration": dur,
             "job_desc": "job board test job %d" % i, "version_count": 1 + i % 3}
            for i, (jid, name, st, dur) in enumerate(rows)]


def h_mm_ss(ms):
    if ms is None:
        return "\u2013"
    s = ms // 1000
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)


# The board as the DOM shows it, for one agent and project.
READ_BOARD = """(() => {
  const sec = document.querySelector(
      'section.project[data-agent=%(agent)s][data-project=%(project)s]');
  const agent = document.querySelector('.agent[data-agent=%(agent)s]');
  const text = (el, sel) => el.querySelector(sel).textContent;
  return JSON.stringify({
    connection: document.getElementById('connection')?.dataset.state ?? null,
    agent: agent && {status: agent.dataset.status, text: agent.textContent},
    summary: sec && sec.dataset.hasSummary === 'true' && Object.fromEntries(
        [...sec.querySelectorAll('.summary .count')].map(
            c => [c.dataset.phase, text(c, '.n')])),
    cards: sec ? [...sec.querySelectorAll('.card')].map(c => ({
        id: text(c, '.job-id'), data_id: c.dataset.jobId, name: text(c, '.job-name'),
        status: text(c, '.job-status'), phase: c.dataset.phase,
        duration: text(c, '.job-duration'), flash: c.classList.contains('flash')})) : [],
    loaded_once: window.boardTestMarker === 'kept',
  });
})()"""


class TestJobBoard(E2ECase):
    @classmethod
    def setUpClass(cls):
        cls.chromium = chromium.find_chromium()
        if cls.chromium is None:
            raise unittest.SkipTest("no Chromium (make deps installs Debian's chromium)")
        if not os.access(testlib.binary_path(), os.X_OK):
            raise unittest.SkipTest("agent binary %s not built" % testlib.binary_path())
        cls.tmp = testlib.TempDir("m2m-jobboard-")
        cls.procs = testlib.ProcessGroup()
        try:
            cls.www = os.path.join(cls.tmp.path, "www")
            os.makedirs(cls.www)
            for name in ("index.html", "jobboard.js"):
                shutil.copy(os.path.join(PAGE_DIR, name), cls.www)
            if os.path.isfile(BUNDLE):
                shutil.copy(BUNDLE, cls.www)
            cls.certs = testlib.make_certs(cls.tmp.path)
            cls.broker = testlib.Mosquitto(cls.procs, cls.tmp.path, websockets=True,
                                           http_dir=cls.www).start()
            cls.sim = testlib.Simulator(cls.procs, cls.certs).start()
        except Exception:
            cls.procs.stop_all()
            cls.tmp.cleanup()
            raise

    def setUp(self):
        self.assertTrue(os.path.isfile(BUNDLE),
                        "%s is missing: `make deps` installs MQTT.js from npm" % BUNDLE)
        super().setUp()
        self.agent_id = "edge-gw-01"  # the class has its own broker: one agent at a time
        self.B = "%s/%s" % (BASE_TOPIC, self.agent_id)
        self.P = "%s/%s" % (self.B, testlib.PROJECT_ID)

    def start_agent(self):
        sub = self.subscribe()
        conf = self.config(per_page=3, poll_interval=1, timeout=3, base_topic=BASE_TOPIC)
        self.agent = testlib.start_agent(self.procs, ["-c", conf], log_dir=self.tmp.path)
        self.addCleanup(lambda: self.agent.poll() is None and self.procs.stop(self.agent,
                                                                           signal.SIGKILL))
        ok = sub.wait_for(lambda ms: any(m.topic == self.P + "/summary" for m in ms), 15)
        self.assertTrue(ok, "no summary after the first poll: %s" % self.agent_log())

    def agent_log(self):
        with open(self.agent.log_path, "r", errors="replace") as f:
            return f.read()[-3000:]

    def open_board(self):
        browser = chromium.Browser(self.procs, os.path.join(self.tmp.path, "profile"),
                                   executable=self.chromium)
        self.addCleanup(browser.close)
        self.browser = browser
        page = browser.new_page(1280, 560)
        # No broker parameter: the page connects back to the listener that served it.
        page.navigate("http://127.0.0.1:%d/?base=%s" % (self.broker.ws_port, BASE_TOPIC))
        return page

    def read(self, page):
        return json.loads(page.evaluate(READ_BOARD % {
            "agent": json.dumps(self.agent_id), "project": json.dumps(testlib.PROJECT_ID)}))

    def wait_board(self, page, predicate, what, timeout=15):
        """Read the board until predicate(board) holds; fails with the last board read."""
        deadline = time.monotonic() + timeout
        while True:
            board = self.read(page)
            if predicate(board):
                return board
            if time.monotonic() >= deadline:
                self.fail("%s: board %s\nconsole: %s\nagent: %s" % (
                    what, json.dumps(board, indent=1), self.browser.console_messages(),
                    self.agent_log()))
            time.sleep(0.1)

    def expected_cards(self, jobs):
        ordered = sorted(jobs, key=lambda j: (j["create_time"], j["job_id"]), reverse=True)
        return [{"id": str(j["job_id"]), "data_id": str(j["job_id"]), "name": j["job_name"],
                 "status": status_name(j["status"]), "phase": phase_of(j["status"]),
                 "duration": h_mm_ss(j["duration"])} for j in ordered]

    def expected_summary(self, jobs):
        out = {ph: "0" for ph in ("pending", "running", "stopping", "review", "succeeded",
                                  "failed", "canceled", "unknown")}
        for j in jobs:
            out[phase_of(j["status"])] = str(int(out[phase_of(j["status"])]) + 1)
        out["total"] = str(len(jobs))
        return out

    def assertBoardShows(self, board, jobs):
        cards = [{k: c[k] for k in ("id", "data_id", "name", "status", "phase", "duration")}
                 for c in board["cards"]]
        self.assertEqual(cards, self.expected_cards(jobs))
        self.assertEqual(board["summary"], self.expected_summary(jobs))

    def test_board_follows_the_api_live(self):
        self.sim.set_jobs(board_jobs())
        self.start_agent()
        page = self.open_board()

        jobs = self.sim.call("GET", "/_sim/jobs")
        self.assertEqual(len(jobs), 8)
        board = self.wait_board(
            page, lambda b: (b["connection"] == "live" and b["summary"]
                             and b["summary"]["total"] == "8" and len(b["cards"]) == 8
                             and b["agent"] and b["agent"]["status"] == "online"),
            "eight cards, a summary and an online agent")
        self.assertBoardShows(board, jobs)
        self.assertIn(str(BIG_ID), [c["id"] for c in board["cards"]], "64-bit id kept exact")
        self.assertEqual(h_mm_ss(97203000), "27:00:03")
        os.makedirs(SHOT_DIR, exist_ok=True)
        page.screenshot(os.path.join(SHOT_DIR, "1-initial.png"))

        # A marker that a reload would lose: the change below must arrive live.
        page.evaluate("window.boardTestMarker = 'kept'")
        self.sim.patch_job(4101, {"status": 10, "duration": 3723000})
        board = self.wait_board(
            page, lambda b: any(c["id"] == "4101" and c["status"] == "COMPLETED"
                                for c in b["cards"]) and b["summary"]["succeeded"] == "2",
            "job 4101 COMPLETED")
        changed = [c for c in board["cards"] if c["id"] == "4101"][0]
        self.assertEqual(changed["phase"], "succeeded")
        self.assertEqual(changed["duration"], "1:02:03")
        self.assertTrue(changed["flash"], "a changed card flashes")
        self.assertTrue(board["loaded_once"], "the page was not reloaded")
        self.assertBoardShows(board, self.sim.call("GET", "/_sim/jobs"))
        page.screenshot(os.path.join(SHOT_DIR, "2-changed.png"))

        # Gone from the API: a zero-byte retained message removes the card.
        self.sim.delete_job(4107)
        board = self.wait_board(
            page, lambda b: "4107" not in [c["id"] for c in b["cards"]]
            and b["summary"]["total"] == "7", "card 4107 removed")
        self.assertBoardShows(board, self.sim.call("GET", "/_sim/jobs"))

        # A clean stop publishes offline on B/status.
        self.procs.stop(self.agent, signal.SIGTERM, timeout=10)
        board = self.wait_board(page, lambda b: b["agent"]["status"] == "offline",
                                "agent offline")
        self.assertIn("offline", board["agent"]["text"])
        self.assertEqual(len(board["cards"]), 7, "the last known jobs stay on the board")
        self.assertEqual([m for m in self.browser.console_messages()
                          if m.startswith(("exception", "error"))], [])


if __name__ == "__main__":
    unittest.main()
