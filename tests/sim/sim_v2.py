# SPDX-License-Identifier: Apache-2.0
"""The v2 training-job list call, POST /v2/{project_id}/training-job-searches
(reference/modelarts-v2-list.md): the JSON request body and its errors,
filters, sorting, both meanings of "offset", the response document and the
v2 forms of error and fault bodies. Items come from sim_v2_items.py; the
HTTP side (authentication, framing, faults) is modelarts_sim.py's.

Python 3 standard library only.
"""

import json
import re

import sim_body
import sim_v2_items

PATH = re.compile(r"^/v2/([^/?#]*)/training-job-searches$")

OFFSET_MODES = ("page", "item", "ignore")
COUNT_MODES = ("matching", "page")
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_OFFSET = 2 ** 31 - 1

# Fields of the request body: the documented ones, then the SDK's and
# Terraform's extras (accepted and ignored).
BODY_FIELDS = ("offset", "limit", "sort_by", "order", "group_by", "filters", "workspace_id",
               "train_type", "unified_jobs", "tags", "host_ips")
SORT_KEYS = ("create_time",)
OPERATORS = ("between", "like", "in", "not")
# Filter key -> the operators it takes.
FILTER_KEYS = {
    "name": ("like", "in", "not"),
    "phase": ("in", "not"),
    "kind": ("in", "not"),
    "user_name": ("like", "in", "not"),
    "algorithm_name": ("like", "in", "not"),
    "create_time": ("between",),
}
_FIELD = {
    "name": lambda j: j.get("job_name"),
    "phase": lambda j: sim_v2_items.phase_of(j)[0],
    "kind": sim_v2_items.kind_of,
    "user_name": sim_v2_items.user_of,
    "algorithm_name": sim_v2_items.algorithm_name_of,
    "create_time": lambda j: j.get("create_time"),
}

# Unknown fields added with the "extra_fields" option: at the top level (a
# nested "items" decoy), in every item, and in its metadata and status (a
# nested "id" and "phase" that are not the item's).
EXTRA_TOP = dict(sim_body.EXTRA_TOP)
del EXTRA_TOP["jobs_hint"]
EXTRA_TOP["items_hint"] = {"items": [{"metadata": {"id": "not-an-item"}}], "total": -1}
EXTRA_ITEM = dict(sim_body.EXTRA_JOB)
EXTRA_ITEM["x_links"] = {"metadata": {"id": "decoy-id", "name": "decoy]}"}, "status": {}}
EXTRA_NESTED = {"x_sim": {"id": "nested-decoy", "phase": "Running", "s": "}]\"{["},
                "x_list": [[], {}, [1, [2, [3]]]]}

# Default bodies of injected status faults on v2 calls (the gateway's own
# answers, 401, 404, 408, 429, 502 and 504, are the same as for v1).
FAULT_ERRORS = {
    400: ("ModelArts.2788", "Invalid parameter."),
    403: ("ModelArts.0108", "You are not authorized to perform operation "
                            "modelarts:trainJob:list."),
    500: ("ModelArts.0010", "Internal error."),
    503: ("ModelArts.4700",
          "Gateway unavailable: the platform is being upgraded, retry later."),
}


class V2Error(Exception):
    """A refusal of a v2 call: status and its {"error_code", "error_msg"}."""

    def __init__(self, status, code, msg):
        super().__init__("%d %s: %s" % (status, code, msg))
        self.status = status
        self.code = code
        self.msg = msg

    def body(self):
        return error_body(self.code, self.msg)


def error_body(code, msg):
    return {"error_code": code, "error_msg": msg}


def fault_error_body(status):
    code, msg = FAULT_ERRORS.get(status, ("ModelArts.0105", "Error string"))
    return error_body(code, msg)


def check_options(changes):
    """ValueError for bad values of the v2 options among changes."""
    checks = {
        "v2_offset": lambda v: v in OFFSET_MODES,
        "v2_count": lambda v: v in COUNT_MODES,
        "v2_pad_in": lambda v: v in sim_v2_items.PAD_PLACES,
        "v2_item_bytes": lambda v: _is_int(v) and 0 <= v <= sim_v2_items.MAX_ITEM_BYTES,
        "v2_total": lambda v: v is None or (_is_int(v) and v >= 0),
    }
    for k, ok in checks.items():
        if k in changes and not ok(changes[k]):
            raise ValueError("bad value of %s: %r" % (k, changes[k]))


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _bad(msg):
    return V2Error(400, "ModelArts.2788", "Invalid parameter: %s" % msg)


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def decode_body(body):
    """The request body as JSON; V2Error 400 ModelArts.2787 when it is empty,
    not UTF-8 or not JSON (NaN and Infinity included)."""
    if not body:
        raise V2Error(400, "ModelArts.2787", "Invalid JSON: the request body is empty.")
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as e:
        raise V2Error(400, "ModelArts.2787", "Invalid JSON: %s" % e) from None


def parse_request(body, content_type, raw_query, strict):
    """The search of a request: {offset, limit, sort_by, order, group_by,
    workspace_id, filters: [(key, operator, [values])]}. Raises V2Error.
    strict: refuse what a careful client never sends (a query string, a
    Content-Type other than JSON, unknown fields)."""
    if strict and raw_query:
        raise V2Error(400, "ModelArts.2764", "Invalid query parameters: this call takes its "
                      "parameters in the JSON body, got %r" % raw_query[:100])
    if strict and (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise V2Error(400, "ModelArts.2787", "Invalid JSON: Content-Type must be "
                      "application/json, got %r" % content_type)
    doc = decode_body(body)
    if not isinstance(doc, dict):
        raise _bad("the request body must be a JSON object")
    if strict:
        unknown = sorted(k for k in doc if k not in BODY_FIELDS)
        if unknown:
            raise _bad("unknown field %s" % ", ".join(unknown))
    q = {"offset": doc.get("offset", 0), "limit": doc.get("limit", DEFAULT_LIMIT),
         "sort_by": doc.get("sort_by", "create_time"), "order": doc.get("order", "desc"),
         "group_by": doc.get("group_by", ""), "workspace_id": doc.get("workspace_id", "0")}
    if not _is_int(q["offset"]) or not 0 <= q["offset"] <= MAX_OFFSET:
        raise _bad("offset must be an integer in [0, %d], got %s"
                   % (MAX_OFFSET, json.dumps(q["offset"])))
    if not _is_int(q["limit"]) or not 1 <= q["limit"] <= MAX_LIMIT:
        raise _bad("limit must be an integer in [1, %d], got %s"
                   % (MAX_LIMIT, json.dumps(q["limit"])))
    for k in ("sort_by", "order", "group_by", "workspace_id"):
        if not isinstance(q[k], str):
            raise _bad("%s must be a string" % k)
    if q["sort_by"] not in SORT_KEYS:
        raise V2Error(400, "ModelArts.2790", "Unsupported sort_by: %s" % q["sort_by"])
    if q["order"] not in ("asc", "desc"):
        raise _bad("order must be asc or desc, got %r" % q["order"])
    q["filters"] = parse_filters(doc.get("filters", []), strict)
    return q


def parse_filters(filters, strict):
    if not isinstance(filters, list):
        raise _bad("filters must be a list")
    out = []
    for f in filters:
        if not isinstance(f, dict):
            raise _bad("a filter must be an object")
        key, op, values = f.get("key"), f.get("operator"), f.get("value")
        if not isinstance(key, str) or not isinstance(op, str):
            raise _bad("a filter needs a string key and operator")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _bad("the value of filter %r must be a list of strings" % key)
        if strict and set(f) - {"key", "operator", "value"}:
            raise _bad("unknown field in filter %r" % key)
        if key not in FILTER_KEYS:
            raise V2Error(400, "ModelArts.2807", "Unsupported condition key: %s" % key)
        if op not in OPERATORS or op not in FILTER_KEYS[key]:
            raise V2Error(400, "ModelArts.2808", "Unsupported condition operator %s for key %s"
                          % (op, key))
        _check_values(key, op, values)
        out.append((key, op, values))
    return out


def _check_values(key, op, values):
    def refuse(why):
        raise V2Error(400, "ModelArts.2809", "Unsupported condition value of %s: %s" % (key, why))

    if not values:
        refuse("no value")
    if key == "phase":
        bad = [v for v in values if v not in sim_v2_items.PHASES]
        if bad:
            refuse("%r is not a phase" % bad[0])
    if key == "kind":
        bad = [v for v in values if v not in sim_v2_items.KINDS]
        if bad:
            refuse("%r is not a kind" % bad[0])
    if op == "between":
        if len(values) != 2 or not all(re.fullmatch(r"[0-9]{1,19}", v) for v in values) \
                or int(values[0]) > int(values[1]):
            refuse("between takes two epoch milliseconds, low first")


def _predicate(key, op, values):
    get = _FIELD[key]
    if op == "between":
        lo, hi = int(values[0]), int(values[1])
        return lambda j: _is_int(get(j)) and lo <= get(j) <= hi
    if op == "like":
        needles = [v.casefold() for v in values]
        return lambda j: any(n in str(get(j) or "").casefold() for n in needles)
    wanted = set(values)
    if op == "in":
        return lambda j: get(j) in wanted
    return lambda j: get(j) not in wanted


def search(store, project_id, q, opts):
    """(top-level fields, [items]) of the answer to search q over the jobs
    of store, shaped by the v2_* options."""
    if q["workspace_id"] not in store.workspaces():
        raise V2Error(400, "ModelArts.0102", "Workspace %s does not exist." % q["workspace_id"])
    jobs = store.query(q["workspace_id"], "", None, "create_time", q["order"])
    preds = [_predicate(*f) for f in q["filters"]]
    matching = [j for j in jobs if all(p(j) for p in preds)] if preds else jobs
    mode = opts["v2_offset"]
    start = q["offset"] * q["limit"] if mode == "page" else (q["offset"] if mode == "item" else 0)
    page = matching[start:start + q["limit"]]
    top = {
        "total": len(jobs) if opts["v2_total"] is None else opts["v2_total"],
        "count": len(matching) if opts["v2_count"] == "matching" else len(page),
        "limit": q["limit"],
        "offset": q["offset"],
        "sort_by": q["sort_by"],
        "order": q["order"],
        "group_by": q["group_by"],
        "workspace_id": q["workspace_id"],
        "ai_project": "default-ai-project",
    }
    items = [sim_v2_items.item(j, project_id, opts["v2_item_bytes"], opts["v2_pad_in"])
             for j in page]
    return top, items


def response_body(top, items, opts, rng):
    """The answer's bytes with the response options applied."""
    return sim_body.list_body(top, items, opts, rng, key="items", extra_top=EXTRA_TOP,
                              extra_job=EXTRA_ITEM, nested=("metadata", "status"),
                              extra_nested=EXTRA_NESTED)


def sample_body(opts, rng):
    """A small well-formed answer of three running jobs (for the truncate
    and malformed faults)."""
    items = [sim_v2_items.build({"job_id": i, "job_name": "job-%d" % i, "status": 8,
                                 "create_time": 1700000000000 + i, "duration": 1000},
                                "fault") for i in (1, 2, 3)]
    top = {"total": 3, "count": 3, "limit": 10, "offset": 0, "sort_by": "create_time",
           "order": "desc", "group_by": "", "workspace_id": "0",
           "ai_project": "default-ai-project"}
    return response_body(top, items, opts, rng)


STALL_START = b'{"total":3,"count":3,"limit":10,"offset":0,"items":['


def fault_offset(body):
    """The offset a v2 request asks for (0 when it names none), or None
    when its body is not a JSON object with an integer offset."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    off = doc.get("offset", 0)
    return off if _is_int(off) else None


def logged_body(body):
    """What the request log keeps of a v2 request body: the JSON value, or
    the text when it is not JSON (at most 64 KB)."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return body[:65536].decode("utf-8", "replace")
