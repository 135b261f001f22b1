# SPDX-License-Identifier: Apache-2.0
"""The v2 view of a simulator job: what one element of "items" of
POST /v2/{project_id}/training-job-searches holds for it (kind, metadata,
status, algorithm, spec, endpoints), its v2 phase, and padding to a given
size.

A stored job is a v1 job (sim_jobs.py). Its v2 phase comes from its v1
status code (STATUS_PHASE) unless the job's "v2" key overrides it; the bulk
(parameters, inputs, flavors, tasks, endpoints) is made up deterministically
from the project and job id, so a job's item is the same on every request.

Python 3 standard library only.
"""

import json
import random
import uuid

PHASES = ("Creating", "Pending", "Running", "Terminating", "Completed", "Failed", "Terminated",
          "Abnormal")

KINDS = ("job", "hetero_job", "autosearch_job", "edge_job", "mrs_job", "federated_pool_job",
         "diag_job", "visualization_job")

# v1 status code -> (phase, secondary_phase). Codes not listed (and values
# that are not integers) give UNKNOWN_PHASE, which is none of the eight.
STATUS_PHASE = {
    1: ("Creating", "Creating"),  # INIT
    2: ("Creating", "Creating"),  # IMAGE_CREATING
    4: ("Creating", "Creating"),  # SUBMIT_TRYING
    7: ("Pending", "Queuing"),  # WAITING
    18: ("Pending", "Queuing"),  # CHECK_INIT
    8: ("Running", "Running"),  # RUNNING
    15: ("Running", "Running"),  # SCALING
    19: ("Running", "Running"),  # CHECK_RUNNING
    9: ("Terminating", "Terminating"),  # KILLING
    10: ("Completed", "Completed"),  # COMPLETED
    20: ("Completed", "Completed"),  # CHECK_RUNNING_COMPLETED
    11: ("Failed", "Failed"),  # FAILED
    16: ("Failed", "Failed"),  # SUBMIT_MODEL_FAILED
    17: ("Failed", "Failed"),  # DEPLOY_SERVICE_FAILED
    21: ("Failed", "Failed"),  # CHECK_FAILED
    22: ("Failed", "Failed"),  # listed by the SDK's status table only
    12: ("Terminated", "Terminated"),  # KILLED
    13: ("Terminated", "Terminated"),  # CANCELED
    3: ("Abnormal", "CreateFailed"),  # IMAGE_FAILED
    5: ("Abnormal", "CreateFailed"),  # SUBMIT_FAILED
    6: ("Abnormal", "TerminatedFailed"),  # DELETE_FAILED
    14: ("Abnormal", "Lost"),  # LOST
}
UNKNOWN_PHASE = ("Unknown", "Unknown")  # code 0 and any other

# Keys of a job's "v2" object (all optional; null removes one in a PATCH).
OVERRIDE_KEYS = {
    "id": str,  # metadata.id instead of the derived UUID
    "kind": str,  # instead of "job"
    "phase": str,  # instead of the mapped phase (any string: tests of unknown ones)
    "secondary_phase": str,
    "user_name": str,
    "item_bytes": int,  # this job's item padded to this size (beats the option)
    "omit": list,  # dotted paths left out of the item, e.g. "status.secondary_phase"
}
MAX_ITEM_BYTES = 16 * 1024 * 1024

PAD_PLACES = ("parameters", "annotations")

_ID_NAMESPACE = uuid.UUID("6f0c3a52-8d1e-4b7a-9c55-2e4d1f7b9a10")

_USERS = ("ei_modelarts_ops", "ml-platform", "zhang.wei", "anna.schmidt", "ci-trainer")
_MODELS = ("resnet50", "bert-base", "yolov5s", "unet", "vit-b16", "t5-base", "wav2vec2",
           "deeplabv3")
_ENGINES = (
    ("pytorch-cp36-1.4.0-v2", "PyTorch", "PyTorch-1.4.0-python3.6",
     "swr.cn-north-4.myhuaweicloud.com/modelarts-job-dev-image/pytorch-cpu-cp36:1.4.0"),
    ("tensorflow_2.1.0-cuda_10.1-py_3.7-ubuntu_18.04", "TensorFlow", "TensorFlow-2.1.0",
     "swr.cn-north-4.myhuaweicloud.com/modelarts-job-dev-image/tensorflow-cuda101:2.1.0"),
    ("mindspore_1.7.0-cann_5.1.0-py_3.7-euler_2.8.3", "Ascend-Powered-Engine",
     "mindspore_1.7.0-cann_5.1.0-py_3.7-euler_2.8.3-aarch64",
     "swr.cn-north-4.myhuaweicloud.com/atelier/mindspore_1_7_0:mindspore_1.7.0-cann_5.1.0"),
    ("pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64", "PyTorch",
     "pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64",
     "swr.cn-north-4.myhuaweicloud.com/atelier/pytorch_1_8:pytorch_1.8.0-cuda_10.2-py_3.7"),
)
_FLAVORS = (
    ("modelarts.vm.pnt1.large.eco", "Computing GPU(Pnt1) instance", "GPU", 8, 64,
     ("gpu", 1, "NVIDIA-P100", "16GiB")),
    ("modelarts.p3.large.public", "GPU: 1*NVIDIA-V100(32GB) | CPU: 8 vCPUs 64GB", "GPU", 8, 64,
     ("gpu", 1, "NVIDIA-V100", "32GiB")),
    ("modelarts.p3.4xlarge.public", "GPU: 8*NVIDIA-V100(32GB) | CPU: 64 vCPUs 512GB", "GPU", 64,
     512, ("gpu", 8, "NVIDIA-V100", "32GiB")),
    ("modelarts.kat1.xlarge", "Ascend: 1*ascend-snt9 | ARM: 24 vCPUs 96GB", "NPU", 24, 96,
     ("npu", "1", "Ascend-snt9", "32GiB")),
    ("modelarts.vm.cpu.8u", "CPU: 8 vCPUs 32GB", "CPU", 8, 32, None),
)
_PARAMS = (
    ("learning_rate", "Float", ("0.1", "0.01", "0.001", "0.0001")),
    ("batch_size", "Integer", ("16", "32", "64", "128", "256")),
    ("epochs", "Integer", ("10", "30", "90", "300")),
    ("momentum", "Float", ("0.9", "0.95", "0.99")),
    ("weight_decay", "Float", ("0.0001", "0.00005", "0.0")),
    ("optimizer", "String", ("sgd", "adam", "adamw", "lamb")),
    ("warmup_steps", "Integer", ("0", "500", "2000")),
    ("seed", "Integer", ("0", "42", "1234")),
    ("amp", "Boolean", ("true", "false")),
    ("num_workers", "Integer", ("4", "8", "16")),
    ("label_smoothing", "Float", ("0.0", "0.1")),
    ("save_checkpoint_steps", "Integer", ("1000", "5000")),
)
_END_REASONS = ("Completed", "Failed with exit code 1", "Terminated by user", "NodeFault")

# Padding text: no character JSON escapes, so its length in bytes is exact;
# braces and brackets inside a string mislead a client that does not track
# strings.
_FILLER = "lr=0.001;{batch:[32,64]},momentum:0.9;warmup=[0,500]} "


def job_uuid(project_id, job_id):
    """The metadata.id of a job without an "id" override: a UUID derived
    from the project and the job id (stable across requests and restarts)."""
    return str(uuid.uuid5(_ID_NAMESPACE, "%s/%s" % (project_id, job_id)))


def check_overrides(v2):
    """ValueError unless v2 is an object with known keys of the right
    types (None values are allowed: they stand for "absent")."""
    if not isinstance(v2, dict):
        raise ValueError("v2 must be a JSON object")
    for k, v in v2.items():
        if k not in OVERRIDE_KEYS:
            raise ValueError("unknown v2 key %r (known: %s)" % (k, ", ".join(OVERRIDE_KEYS)))
        if v is None:
            continue
        want = OVERRIDE_KEYS[k]
        if isinstance(v, bool) or not isinstance(v, want):
            raise ValueError("v2.%s must be a %s" % (k, want.__name__))
    if v2.get("item_bytes") is not None and not 0 <= v2["item_bytes"] <= MAX_ITEM_BYTES:
        raise ValueError("v2.item_bytes must be in [0, %d]" % MAX_ITEM_BYTES)
    if v2.get("omit") is not None and not all(isinstance(p, str) for p in v2["omit"]):
        raise ValueError("v2.omit must be a list of dotted paths")


def overrides(job):
    return job.get("v2") or {}


def phase_of(job):
    """(phase, secondary_phase) of a job: its overrides, else the mapping of
    its v1 status."""
    ov = overrides(job)
    st = job.get("status")
    mapped = UNKNOWN_PHASE
    if isinstance(st, int) and not isinstance(st, bool):
        mapped = STATUS_PHASE.get(st, UNKNOWN_PHASE)
    return ov.get("phase") or mapped[0], ov.get("secondary_phase") or mapped[1]


def kind_of(job):
    return overrides(job).get("kind") or "job"


def _int_id(job):
    jid = job.get("job_id")
    return jid if isinstance(jid, int) else 0


def user_of(job):
    return overrides(job).get("user_name") or _USERS[_int_id(job) % len(_USERS)]


def _model_of(job):
    # The first word of a name such as "resnet50-coco-000042", else one of _MODELS.
    head = str(job.get("job_name") or "").split("-")[0]
    if head and len(head) <= 32 and all(c.isascii() and (c.isalnum() or c in "._")
                                        for c in head):
        return head
    return _MODELS[_int_id(job) % len(_MODELS)]


def algorithm_name_of(job):
    return "%s-train-%d" % (_model_of(job), 1 + _int_id(job) % 3)


def _int(v, default=0):
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def _parameter(name, ptype, value):
    return {
        "name": name,
        "value": value,
        "description": "%s of the run" % name.replace("_", " "),
        "constraint": {"type": ptype, "editable": True, "required": False, "sensitive": False,
                       "valid_type": "None", "valid_range": []},
        "i18n_description": [{"language": "en-us", "description": ""}],
    }


def _io(name, direction, obs_url):
    d = {
        "name": name,
        "description": "",
        "local_dir": "/home/ma-user/modelarts/%s/%s_0" % (direction, name),
        "access_method": "parameter",
        "remote": {"obs": {"obs_url": obs_url}},
    }
    if direction == "outputs":
        d["mode"] = "upload_periodically"
        d["period"] = 30
    return d


def _status(job, rng, phase, secondary, nodes, create):
    started = phase not in ("Creating", "Pending", "Unknown") and secondary != "CreateFailed"
    queued_ms = 5000 + rng.randrange(120000)
    start = create + queued_ms if started and create else 0
    duration = _int(job.get("duration"))
    tasks = ["worker-%d" % i for i in range(nodes)]
    s = {
        "phase": phase,
        "secondary_phase": secondary,
        "duration": duration,
        "start_time": start,
        "node_count_metrics": [],
        "tasks": tasks,
    }
    if start:
        step = max(1000, duration // 8) if duration else 30000
        for i in range(min(8, 2 + duration // max(1, step))):
            s["node_count_metrics"].append([start + i * step, nodes if i else 0])
        finished = phase in ("Completed", "Failed", "Terminated", "Abnormal")
        code = 0 if phase in ("Completed", "Running", "Terminating") else \
            (137 if phase == "Terminated" else 1)
        s["task_statuses"] = [
            {"task": t, "exit_code": code if finished else 0,
             "message": "" if code == 0 or not finished else
             "the training process exited with code %d on %s" % (code, t)}
            for t in tasks
        ]
        rec = {"start_at": start // 1000, "end_at": (start + duration) // 1000 if finished else 0,
               "start_type": "init_or_smr", "end_reason": "", "end_recover": "",
               "end_recover_before_downgrade": "", "end_reason_before_downgrade": ""}
        if finished:
            rec["end_reason"] = _END_REASONS[("Completed", "Failed", "Terminated",
                                              "Abnormal").index(phase)]
            rec["end_recover"] = "none"
        s["running_records"] = [rec]
    else:
        s["task_statuses"] = []
        s["running_records"] = []
    return s


def build(job, project_id):
    """The item of one job, unpadded (see pad())."""
    jid = job.get("job_id")
    rng = random.Random("%s/%s" % (project_id, jid))
    ov = overrides(job)
    phase, secondary = phase_of(job)
    create = _int(job.get("create_time"))
    name = job.get("job_name")
    model = _model_of(job)
    engine = _ENGINES[rng.randrange(len(_ENGINES))]
    flavor = _FLAVORS[rng.randrange(len(_FLAVORS))]
    nodes = (1, 1, 1, 2, 2, 4)[rng.randrange(6)]
    bucket = "obs://ma-%s" % str(project_id)[:8]
    params = [_parameter(n, t, vals[rng.randrange(len(vals))])
              for n, t, vals in rng.sample(_PARAMS, 4 + rng.randrange(6))]
    info = {"max_num": 1, "cpu": {"arch": "aarch64" if flavor[2] == "NPU" else "x86",
                                  "core_num": flavor[3]},
            "memory": {"size": flavor[4], "unit": "GB"}, "disk": {"size": 500, "unit": "GB"}}
    if flavor[5] is not None:
        kind, num, product, mem = flavor[5]
        info[kind] = {"unit_num": num, "product_name": product, "memory": mem}
    item = {
        "kind": kind_of(job),
        "metadata": {
            "id": ov.get("id") or job_uuid(project_id, jid),
            "name": name,
            "description": job.get("job_desc"),
            "create_time": job.get("create_time"),
            "workspace_id": job.get("workspace_id", "0"),
            "user_name": user_of(job),
            "annotations": {
                "job_template": "Template DL",
                "key_task": "worker-0",
                "fault-tolerance/job-retry-num": str(rng.randrange(4)),
                "fault-tolerance/job-unconditional-retry": "false",
                "jupyter-lab/enable": "false",
                "tensorboard/enable": "true" if rng.random() < 0.3 else "false",
            },
        },
        "status": _status(job, rng, phase, secondary, nodes, create),
        "algorithm": {
            "id": str(uuid.uuid5(_ID_NAMESPACE, "algorithm/%s/%s" % (project_id, model))),
            "name": algorithm_name_of(job),
            "code_dir": "%s/code/%s/" % (bucket, model),
            "boot_file": "%s/code/%s/train.py" % (bucket, model),
            "command": "",
            "parameters": params,
            "policies": {},
            "inputs": [_io("data_url", "inputs", "%s/datasets/%s/" % (bucket, model))],
            "outputs": [_io("train_url", "outputs", "%s/output/%s/" % (bucket, name))],
            "engine": {"engine_id": engine[0], "engine_name": engine[1],
                       "engine_version": engine[2], "image_url": engine[3]},
            "local_code_dir": "/home/ma-user/modelarts/user-job-dir",
            "working_dir": "/home/ma-user/modelarts/user-job-dir",
            "environments": {"MA_SKIP_IMAGE_DETECT": "1", "NCCL_DEBUG": "WARN"},
        },
        "spec": {
            "resource": {
                "policy": "economic" if flavor[0].endswith(".eco") else "regular",
                "flavor_id": flavor[0],
                "flavor_name": flavor[1],
                "node_count": nodes,
                "pool_id": "pool-%s" % job_uuid(project_id, "pool")[:8],
                "flavor_detail": {"flavor_type": flavor[2],
                                  "billing": {"code": flavor[0], "unit_num": 1},
                                  "flavor_info": info},
            },
            "log_export_path": {"obs_url": "%s/logs/%s/" % (bucket, name)},
            "schedule_policy": {"priority": 1 + rng.randrange(3)},
        },
    }
    if phase in ("Running", "Terminating"):
        host = "10.%d.%d" % (rng.randrange(256), rng.randrange(256))
        item["endpoints"] = {
            "ssh": {"task_urls": [{"task": t, "url": "ssh://%s.%d:22" % (host, 10 + i)}
                                  for i, t in enumerate(item["status"]["tasks"])],
                    "key_pair_names": ["KeyPair-%04x" % rng.randrange(65536)]},
            "jupyter_lab": {"url": "https://authoring-ssh.modelarts.example/%s/lab" % jid,
                            "token": "%032x" % rng.getrandbits(128)},
            "tensorboard": {"url": "https://authoring-ssh.modelarts.example/%s/tb" % jid,
                            "token": "%032x" % rng.getrandbits(128)},
        }
    for path in ov.get("omit") or ():
        _omit(item, path.split("."))
    return item


def _omit(d, keys):
    for k in keys[:-1]:
        d = d.get(k) if isinstance(d, dict) else None
    if isinstance(d, dict):
        d.pop(keys[-1], None)


def compact_size(item):
    """Bytes of the item as compact UTF-8 JSON (the size item_bytes aims at)."""
    return len(json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def pad(item, target, place="parameters"):
    """Grow the item to exactly target bytes of compact JSON by one padding
    entry: a parameter "sim_padding" in algorithm.parameters, or an
    annotation "sim/padding" in metadata.annotations. An item that is
    already as large (or nearly: the empty entry does not fit) is left."""
    if target <= 0:
        return item
    if place == "annotations":
        holder = item.get("metadata", {}).get("annotations")
        if not isinstance(holder, dict):
            return item
        holder["sim/padding"] = ""
        entry = None
    else:
        holder = item.get("algorithm", {}).get("parameters")
        if not isinstance(holder, list):
            return item
        entry = _parameter("sim_padding", "String", "")
        holder.append(entry)
    room = target - compact_size(item)
    if room < 0:
        if entry is None:
            del holder["sim/padding"]
        else:
            holder.pop()
        return item
    text = (_FILLER * (room // len(_FILLER) + 1))[:room]
    if entry is None:
        holder["sim/padding"] = text
    else:
        entry["value"] = text
    return item


def item(job, project_id, item_bytes=0, place="parameters"):
    """The item as the v2 call sends it: built, then padded to the job's
    "item_bytes" override or else to item_bytes."""
    own = overrides(job).get("item_bytes")
    return pad(build(job, project_id), own if own is not None else item_bytes, place)
