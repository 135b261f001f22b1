# SPDX-License-Identifier: Apache-2.0
"""How the simulator writes a response body and frames it: JSON with keys
shuffled, pretty-printed, unknown fields added, non-ASCII escaped; chunked
transfer encoding with random chunk sizes, extensions and trailers.

Python 3 standard library only.
"""

import json

# Unknown fields added at the top level and to every job when the
# "extra_fields" option is on. Strings hold braces, brackets, quotes and
# backslashes so that a client that counts brackets without reading strings
# gets lost.
EXTRA_TOP = {
    "x_trace": {"id": "7f3a}{", "spans": [{"n": "]}", "t": [1, 2.5e-3, -0.0, 1e300]}, [], {}]},
    "notice": "brackets ] } [ { and \"quotes\" and \\ back\\slashes",
    "flags": [True, False, None],
    "empty_obj": {},
    "nested": {"a": {"b": {"c": {"d": [[["deep"]]]}}}},
    "jobs_hint": {"jobs": [{"job_id": -1}]},
}

EXTRA_JOB = {
    "engine": {"name": "PyTorch", "version": "1.8", "tags": ["gpu", "{x}"]},
    "labels": [],
    "owner": "user \"q\" {} [] \\",
    "score": 0.875,
    "spec_id": None,
    "is_free": False,
}


def _shuffled(d, rng):
    keys = list(d)
    rng.shuffle(keys)
    return {k: d[k] for k in keys}


def _with_extra(d, extra, rng):
    # Unknown fields at random positions among the known ones.
    items = list(d.items())
    for k, v in extra.items():
        items.insert(rng.randrange(len(items) + 1), (k, v))
    return dict(items)


def list_body(top, jobs, opts, rng, key="jobs", extra_top=EXTRA_TOP, extra_job=EXTRA_JOB,
              nested=(), extra_nested=None):
    """Serialize the list response. top holds the top-level fields except
    the list (key: "jobs", or "items" for v2), in the order they should
    appear when not shuffled. nested: names of objects inside each element
    that get shuffled and (with extra_nested) unknown fields too."""
    out_jobs = []
    for j in jobs:
        if nested and (opts["extra_fields"] or opts["shuffle_keys"]):
            j = dict(j)
            for name in nested:
                sub = j.get(name)
                if isinstance(sub, dict):
                    if opts["extra_fields"] and extra_nested:
                        sub = _with_extra(sub, extra_nested, rng)
                    if opts["shuffle_keys"]:
                        sub = _shuffled(sub, rng)
                    j[name] = sub
        if opts["extra_fields"]:
            j = _with_extra(j, extra_job, rng)
        if opts["shuffle_keys"]:
            j = _shuffled(j, rng)
        out_jobs.append(j)
    doc = dict(top)
    doc[key] = out_jobs
    if opts["extra_fields"]:
        doc = _with_extra(doc, extra_top, rng)
    if opts["shuffle_keys"]:
        doc = _shuffled(doc, rng)
    return dump(doc, opts)


def dump(doc, opts):
    if opts["pretty"]:
        text = json.dumps(doc, indent=opts["pretty_indent"], ensure_ascii=opts["ascii_escape"])
        text = text.replace("\n", opts["pretty_newline"]) + opts["pretty_newline"]
    else:
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=opts["ascii_escape"])
    return text.encode("utf-8")


_EXTENSIONS = (b";sim", b";a=b", b';q="x;y \\" z"', b";n=1;m=2")


def chunk_pieces(body, opts, rng):
    """The chunked encoding of body as a list of byte strings (each sent
    with its own write, so TLS records split at odd places)."""
    pieces = []
    lo = max(1, int(opts["chunk_min"]))
    hi = max(lo, int(opts["chunk_max"]))
    pos = 0
    while pos < len(body):
        size = min(len(body) - pos, rng.randint(lo, hi))
        head = ("%x" % size).encode()
        if rng.random() < 0.3:
            head = head.upper()
        if rng.random() < 0.2:
            head = b"0" + head  # leading zeros are legal
        if opts["chunk_extensions"] and rng.random() < 0.5:
            head += rng.choice(_EXTENSIONS)
        pieces.append(head + b"\r\n")
        pieces.append(body[pos:pos + size] + b"\r\n")
        pos += size
    last = b"0"
    if opts["chunk_extensions"]:
        last += b";last"
    last += b"\r\n"
    if opts["trailers"]:
        last += b"X-Sim-Trailer: done\r\nX-Sim-Checksum: 0\r\n"
    pieces.append(last + b"\r\n")
    return pieces
