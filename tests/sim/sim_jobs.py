# SPDX-License-Identifier: Apache-2.0
"""The simulator's job store: the jobs of one project, the list call's
filtering, sorting and paging, synthetic job sets and the demo timeline.

Python 3 standard library only.
"""

import random
import threading
import time

import sim_v2_items

# The eight fields of one element of "jobs", in the order of the API page.
JOB_FIELDS = (
    "job_id",
    "job_name",
    "version_id",
    "status",
    "create_time",
    "duration",
    "job_desc",
    "version_count",
)

# Keys of a stored job that are the simulator's own and never sent by the v1
# call ("v2": overrides of the job's v2 item, see sim_v2_items.OVERRIDE_KEYS).
INTERNAL_KEYS = ("workspace_id", "_omit", "v2")

SORT_KEYS = ("job_name", "job_desc", "status", "duration", "version_count", "create_time")

INT64_MAX = 9223372036854775807


def now_ms():
    return int(time.time() * 1000)


def normalize_job(job, default_create_time=None):
    """Fill in the fields a caller left out, check the ones that must be
    there. Extra keys are kept and sent as they are (unknown fields)."""
    if not isinstance(job, dict):
        raise ValueError("a job must be a JSON object")
    if "job_id" not in job:
        raise ValueError("a job needs a job_id")
    jid = job["job_id"]
    if not isinstance(jid, int) or isinstance(jid, bool):
        raise ValueError("job_id must be an integer")
    out = {
        "job_id": jid,
        "job_name": "job-%d" % jid,
        "version_id": 1,
        "status": 7,
        "create_time": default_create_time if default_create_time is not None else now_ms(),
        "duration": 0,
        "job_desc": "",
        "version_count": 1,
    }
    out.update(job)
    ws = out.get("workspace_id", "0")
    if not isinstance(ws, str):
        raise ValueError("workspace_id must be a string")
    out["workspace_id"] = ws
    omit = out.get("_omit", [])
    if not isinstance(omit, list) or not all(isinstance(k, str) for k in omit):
        raise ValueError("_omit must be a list of field names")
    if "v2" in out:
        sim_v2_items.check_overrides(out["v2"])
        out["v2"] = {k: v for k, v in out["v2"].items() if v is not None}
    return out


def api_view(job):
    """The job as the list call sends it: internal keys dropped, omitted
    fields left out, the eight fields first, unknown fields after."""
    omit = job.get("_omit") or ()
    out = {}
    for k in JOB_FIELDS:
        if k in job and k not in omit:
            out[k] = job[k]
    for k, v in job.items():
        if k not in out and k not in INTERNAL_KEYS and k not in omit and k not in JOB_FIELDS:
            out[k] = v
    return out


def _sort_value(v):
    # Jobs may carry deliberately wrong types (tests of the agent); rank by
    # type first so sorting never fails.
    if isinstance(v, bool):
        return (1, int(v), "")
    if isinstance(v, (int, float)):
        return (1, v, "")
    if isinstance(v, str):
        return (2, 0, v)
    return (0, 0, "")


class JobStore:
    """Thread-safe job set with a cache of sorted, filtered views (paging
    through 100,000 jobs must not sort them again for every page)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._jobs = {}
        self._version = 0
        self._cache = {}
        self.demo_started = None  # time.monotonic() of --demo start, or None
        self.demo_epoch_ms = 0

    # ---- mutation --------------------------------------------------------

    def _changed(self):
        self._version += 1
        self._cache.clear()

    def replace(self, jobs):
        base = now_ms()
        new = {}
        for i, j in enumerate(jobs):
            n = normalize_job(j, base - 60000 * (len(jobs) - i))
            if n["job_id"] in new:
                raise ValueError("duplicate job_id %d" % n["job_id"])
            new[n["job_id"]] = n
        with self._lock:
            self._jobs = new
            self._changed()

    def add(self, job):
        n = normalize_job(job)
        with self._lock:
            if n["job_id"] in self._jobs:
                raise ValueError("job_id %d exists" % n["job_id"])
            self._jobs[n["job_id"]] = n
            self._changed()
        return n

    def patch(self, job_id, fields):
        if not isinstance(fields, dict):
            raise ValueError("PATCH body must be a JSON object")
        if "job_id" in fields and fields["job_id"] != job_id:
            raise ValueError("job_id cannot be changed")
        with self._lock:
            if job_id not in self._jobs:
                raise KeyError(job_id)
            merged = dict(self._jobs[job_id])
            merged.update(fields)
            if isinstance(fields.get("v2"), dict):
                # v2 overrides merge key by key; a null removes one.
                merged["v2"] = dict(self._jobs[job_id].get("v2") or {}, **fields["v2"])
            self._jobs[job_id] = normalize_job(merged)
            self._changed()
            return dict(self._jobs[job_id])

    def delete(self, job_id):
        with self._lock:
            if job_id not in self._jobs:
                raise KeyError(job_id)
            del self._jobs[job_id]
            self._changed()

    def generate(self, count, seed=1, first_id=1000000, workspace_id="0", replace=True):
        jobs = synthetic_jobs(count, seed, first_id, workspace_id)
        with self._lock:
            if replace:
                self._jobs = {}
            for j in jobs:
                self._jobs[j["job_id"]] = j
            self._changed()
        return len(jobs)

    def start_demo(self):
        with self._lock:
            self.demo_started = time.monotonic()
            self.demo_epoch_ms = now_ms()
            self._changed()

    # ---- reading ---------------------------------------------------------

    def all(self):
        if self.demo_started is not None:
            return demo_jobs(time.monotonic() - self.demo_started, self.demo_epoch_ms)
        with self._lock:
            return [dict(j) for j in self._jobs.values()]

    def count(self):
        if self.demo_started is not None:
            return len(self._current_list())
        with self._lock:
            return len(self._jobs)

    def workspaces(self):
        """"0" and every workspace a job is in (cached like query())."""
        with self._lock:
            hit = self._cache.get("workspaces")
            if hit is not None and self.demo_started is None:
                return hit
            ws = {"0"}
            ws.update(j["workspace_id"] for j in self._jobs.values())
            self._cache["workspaces"] = ws
            return ws

    def _current_list(self):
        if self.demo_started is not None:
            return demo_jobs(time.monotonic() - self.demo_started, self.demo_epoch_ms)
        with self._lock:
            return list(self._jobs.values())

    def query(self, workspace_id="0", search="", status=None, sort_by="job_name", order="asc"):
        """Every job matching the filter, sorted. The list is shared with the
        cache: callers must not change it."""
        key = (workspace_id, search, status, sort_by, order)
        if self.demo_started is None:
            with self._lock:
                version = self._version
                hit = self._cache.get(key)
                if hit is not None:
                    return hit
                jobs = list(self._jobs.values())
        else:
            version = None
            jobs = self._current_list()
        needle = search.casefold()
        sel = [
            j
            for j in jobs
            if j["workspace_id"] == workspace_id
            and (not needle or needle in str(j.get("job_name", "")).casefold())
            and (status is None or j.get("status") == status)
        ]
        sel.sort(key=lambda j: (_sort_value(j.get(sort_by)), j["job_id"]), reverse=(order == "desc"))
        if version is not None:
            with self._lock:
                if self._version == version:
                    self._cache[key] = sel
        return sel


# ---- synthetic jobs --------------------------------------------------------

_MODELS = (
    "resnet50", "resnet101", "bert-base", "bert-large", "yolov5s", "yolov8m", "unet",
    "efficientnet-b3", "mobilenet-v3", "vit-b16", "gpt2-small", "t5-base", "wav2vec2",
    "deeplabv3", "fasterrcnn", "llama-7b-lora", "whisper-small", "segformer-b2",
)
_DATASETS = (
    "imagenet", "coco", "cityscapes", "squad", "cifar10", "librispeech", "pets", "flowers102",
    "voc2012", "wikitext", "kitti", "ade20k", "mnist", "openimages", "factory-defects",
)
_TASKS = (
    "fine-tune", "pre-train", "distill", "evaluate", "hyper-parameter search for", "retrain",
)
# Weighted like a real project: mostly finished, some running and queued.
_STATUS_WEIGHTS = (
    (10, 40), (8, 14), (7, 10), (11, 8), (12, 6), (1, 2), (2, 2), (4, 2), (9, 2), (13, 2),
    (3, 1), (5, 1), (6, 1), (14, 1), (15, 1), (16, 1), (17, 1), (18, 1), (19, 1), (20, 1),
    (21, 1), (0, 1),
)


def synthetic_jobs(count, seed=1, first_id=1000000, workspace_id="0"):
    """count realistic jobs, deterministic for a seed. About 0.3 s per
    100,000 jobs."""
    if count < 0 or count > 5000000:
        raise ValueError("count must be 0..5000000")
    rng = random.Random(seed)
    codes = [c for c, w in _STATUS_WEIGHTS for _ in range(w)]
    base = 1700000000000
    models, datasets, tasks = _MODELS, _DATASETS, _TASKS
    out = []
    for i in range(count):
        m = models[rng.randrange(len(models))]
        d = datasets[rng.randrange(len(datasets))]
        st = codes[rng.randrange(len(codes))]
        vc = 1 + rng.randrange(12)
        out.append(
            {
                "job_id": first_id + i,
                "job_name": "%s-%s-%06d" % (m, d, i),
                "version_id": 100000 + first_id + i * 16 + vc,
                "status": st,
                "create_time": base + i * 37000 + rng.randrange(30000),
                "duration": 0 if st in (1, 2, 4, 7) else rng.randrange(60000, 86400000 * 3),
                "job_desc": "%s %s on %s, batch %d, lr %.0e"
                % (tasks[rng.randrange(len(tasks))], m, d, 16 << rng.randrange(5),
                   10.0 ** -rng.randrange(2, 6)),
                "version_count": vc,
                "workspace_id": workspace_id,
            }
        )
    return out


# ---- demo timeline ---------------------------------------------------------

DEMO_CYCLE_S = 90

# (job_id, name, description, [(from_second, status), ...], appears_at, gone_at)
# A job is listed from appears_at (inclusive) to gone_at (exclusive).
_DEMO_PLAN = (
    (1001, "resnet50-imagenet", "Image classification baseline, 8 x V100",
     ((0, 7), (10, 8), (50, 10)), 0, None),
    (1002, "bert-finetune-zh", "Chinese BERT fine-tuning for intent detection",
     ((0, 8), (35, 11)), 0, None),
    (1003, "yolov5-traffic", "Traffic camera detector, retrained nightly",
     ((0, 7), (20, 8), (70, 10)), 0, None),
    (1004, "llm-distill-7b", "Distilling a 7B model (cancelled by operator)",
     ((0, 8), (40, 9), (45, 12)), 0, None),
    (1005, "speech-ctc-en", "Speech recognition, finished last week",
     ((0, 10),), 0, None),
    (1006, "anomaly-detect-iot", "Sensor anomaly detector (deleted during the demo)",
     ((0, 1), (5, 7), (15, 8)), 0, 60),
    (1007, "sentiment-v2", "Sentiment model v2, submitted during the demo",
     ((30, 7), (40, 8), (80, 10)), 30, None),
    (1008, "segformer-roads", "Road segmentation, long running",
     ((0, 2), (12, 7), (25, 8)), 0, None),
)


def demo_jobs(elapsed_s, epoch_ms):
    """The demo jobs at elapsed_s seconds since the start: statuses move
    WAITING -> RUNNING -> COMPLETED/FAILED, one job is KILLED, one is added
    at 30 s, one disappears at 60 s; the whole plan repeats every 90 s."""
    t = elapsed_s % DEMO_CYCLE_S
    cycle = int(elapsed_s // DEMO_CYCLE_S)
    cycle_start_ms = epoch_ms + cycle * DEMO_CYCLE_S * 1000
    out = []
    for jid, name, desc, steps, appears, gone in _DEMO_PLAN:
        if t < appears or (gone is not None and t >= gone):
            continue
        status = steps[0][1]
        run_start = None
        run_end = None
        for at, st in steps:
            if t >= at:
                status = st
                if st == 8 and run_start is None:
                    run_start = at
                if st != 8 and run_start is not None and run_end is None and at > run_start:
                    run_end = at
        if run_start is None:
            duration = 0
        else:
            duration = int(((run_end if run_end is not None else t) - run_start) * 1000)
        created = cycle_start_ms + appears * 1000 - (3600000 if appears == 0 else 0) - jid
        out.append(
            {
                "job_id": jid,
                "job_name": name,
                "version_id": jid * 10 + 1,
                "status": status,
                "create_time": created,
                "duration": duration + (86400000 if jid == 1005 else 0),
                "job_desc": desc,
                "version_count": 1 + jid % 3,
                "workspace_id": "0",
            }
        )
    return out
