# SPDX-License-Identifier: Apache-2.0
"""The IAM part of the simulator: password tokens (POST /v3/auth/tokens,
reference/modelarts-api.md section 3b) and the store of issued tokens that
the list call accepts as X-Auth-Token.

Python 3 standard library only.
"""

import base64
import collections
import hashlib
import json
import time

DEFAULT_PROJECT_NAME = "cn-north-4"
REGION = "cn-north-4"
TOKENS_KEPT = 10000  # the oldest issued tokens are forgotten beyond this


class IamError(Exception):
    """A refused token request: HTTP status and IAM's own error body."""

    def __init__(self, status, message, title):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"code": status, "message": message, "title": title}}


def _bad(message):
    return IamError(400, message, "Bad Request")


def _unauthorized(message="The username or password is wrong."):
    return IamError(401, message, "Unauthorized")


def hex_id(*parts):
    """A stable 32-hex-digit id, as IAM ids look."""
    return hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest()[:32]


def iso_utc(epoch_s):
    """IAM's timestamp form: 2026-11-29T15:16:45.123000Z."""
    whole = int(epoch_s // 1)
    micro = int(round((epoch_s - whole) * 1e6))
    if micro >= 1000000:
        whole, micro = whole + 1, micro - 1000000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + ".%06dZ" % micro


def _obj(parent, key, where):
    v = parent.get(key)
    if not isinstance(v, dict):
        raise _bad("Invalid input for field '%s': an object is required." % where)
    return v


def _text(parent, key, where):
    v = parent.get(key)
    if not isinstance(v, str) or v == "":
        raise _bad("Invalid input for field '%s': a non-empty string is required." % where)
    return v


def parse_request(raw):
    """The fields of a password token request body: (user name, password,
    domain name or None, domain id or None, scope) where scope is
    ("project_id", id), ("project_name", name), ("domain", ...) or None.
    IamError 400 when the body is not one."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise _bad("The request body is not valid JSON.") from None
    if not isinstance(doc, dict):
        raise _bad("Invalid input for field 'auth': an object is required.")
    auth = _obj(doc, "auth", "auth")
    identity = _obj(auth, "identity", "auth.identity")
    methods = identity.get("methods")
    if not isinstance(methods, list) or methods != ["password"]:
        raise _bad("Invalid input for field 'auth.identity.methods': ['password'] is required.")
    user = _obj(_obj(identity, "password", "auth.identity.password"), "user",
                "auth.identity.password.user")
    name = _text(user, "name", "auth.identity.password.user.name")
    password = user.get("password")
    if not isinstance(password, str):
        raise _bad("Invalid input for field 'auth.identity.password.user.password': a string "
                   "is required.")
    domain = _obj(user, "domain", "auth.identity.password.user.domain")
    domain_name = domain.get("name")
    domain_id = domain.get("id")
    if not (isinstance(domain_name, str) and domain_name) and not (
            isinstance(domain_id, str) and domain_id):
        raise _bad("Invalid input for field 'auth.identity.password.user.domain': name or id "
                   "is required.")
    scope = None
    if "scope" in auth:
        s = _obj(auth, "scope", "auth.scope")
        if "project" in s:
            p = _obj(s, "project", "auth.scope.project")
            if isinstance(p.get("id"), str) and p["id"]:
                scope = ("project_id", p["id"])
            elif isinstance(p.get("name"), str) and p["name"]:
                scope = ("project_name", p["name"])
            else:
                raise _bad("Invalid input for field 'auth.scope.project': id or name is "
                           "required.")
        elif "domain" in s:
            scope = ("domain", _obj(s, "domain", "auth.scope.domain"))
        else:
            raise _bad("Invalid input for field 'auth.scope': project or domain is required.")
    return name, password, domain_name if isinstance(domain_name, str) else None, \
        domain_id if isinstance(domain_id, str) else None, scope


def redacted_body(raw):
    """The request body for the request log, the password replaced by
    "<redacted: N bytes>"; a body that is not such JSON is shown as its
    length only (it may hold a password anyway)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
        user = doc["auth"]["identity"]["password"]["user"]
        if isinstance(user.get("password"), str):
            user["password"] = "<redacted: %d bytes>" % len(user["password"].encode("utf-8"))
        return doc
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return "<not a password token request: %d bytes>" % len(raw)


def make_token(rng, length):
    """A random token shaped like an IAM PKI token: "MII" and URL-safe
    base64, length characters."""
    n = max(length - 3, 1)
    raw = bytes(rng.getrandbits(8) for _ in range(n * 3 // 4 + 3))
    return ("MII" + base64.urlsafe_b64encode(raw).decode("ascii"))[:length]


# Services of the catalog, as a Huawei Cloud region lists them; the body is
# several KB with it, like a real one.
CATALOG_SERVICES = (
    ("modelarts", "modelarts", "https://modelarts.{region}.myhuaweicloud.com/v1/{project}"),
    ("modelartsv2", "modelarts", "https://modelarts.{region}.myhuaweicloud.com/v2/{project}"),
    ("identity", "keystone", "https://iam.{region}.myhuaweicloud.com/v3"),
    ("compute", "nova", "https://ecs.{region}.myhuaweicloud.com/v2.1/{project}"),
    ("ecs", "ecs", "https://ecs.{region}.myhuaweicloud.com/v1/{project}"),
    ("volumev2", "cinderv2", "https://evs.{region}.myhuaweicloud.com/v2/{project}"),
    ("network", "neutron", "https://vpc.{region}.myhuaweicloud.com"),
    ("image", "glance", "https://ims.{region}.myhuaweicloud.com"),
    ("object-store", "swift", "https://obs.{region}.myhuaweicloud.com"),
    ("obs", "obs", "https://obs.{region}.myhuaweicloud.com"),
    ("apig", "apig", "https://apig.{region}.myhuaweicloud.com"),
    ("ces", "ces", "https://ces.{region}.myhuaweicloud.com/V1.0/{project}"),
    ("lts", "lts", "https://lts.{region}.myhuaweicloud.com/v2/{project}"),
    ("smn", "smn", "https://smn.{region}.myhuaweicloud.com/v2/{project}"),
    ("kms", "kms", "https://kms.{region}.myhuaweicloud.com/v1.0/{project}"),
    ("swr", "swr", "https://swr-api.{region}.myhuaweicloud.com"),
    ("cce", "cce", "https://cce.{region}.myhuaweicloud.com"),
    ("iotda", "iotda", "https://iotda.{region}.myhuaweicloud.com/v5/iot/{project}"),
)


def token_body(user, domain_name, domain_id, project, issued_s, expires_s, modelarts_url,
               with_catalog=True):
    """The body of a 201 token response. project is (id, name) or None
    (a domain-scoped token)."""
    user_id = hex_id("user", domain_name, user)
    token = collections.OrderedDict()
    token["expires_at"] = iso_utc(expires_s)
    token["methods"] = ["password"]
    if with_catalog:
        catalog = []
        for ctype, cname, url in CATALOG_SERVICES:
            if project is not None:
                url = url.replace("{project}", project[0])
            url = url.replace("{region}", REGION)
            if ctype == "modelarts" and modelarts_url:
                url = modelarts_url + ("/v1/%s" % project[0] if project is not None else "")
            catalog.append({
                "endpoints": [{
                    "id": hex_id("endpoint", ctype),
                    "interface": "public",
                    "region": REGION,
                    "region_id": REGION,
                    "url": url,
                }],
                "id": hex_id("service", ctype),
                "name": cname,
                "type": ctype,
            })
        token["catalog"] = catalog
    dom = {"id": domain_id, "name": domain_name}
    if project is not None:
        token["project"] = {"domain": dict(dom), "id": project[0], "name": project[1]}
        token["roles"] = [{"id": hex_id("role", r), "name": r}
                          for r in ("te_admin", "op_gated_modelarts", "readonly",
                                    "modelarts_adm", "op_fine_grained")]
    else:
        token["domain"] = dict(dom)
        token["roles"] = [{"id": hex_id("role", "te_admin"), "name": "te_admin"}]
    token["issued_at"] = iso_utc(issued_s)
    token["user"] = {
        "domain": dict(dom),
        "id": user_id,
        "name": user,
        "password_expires_at": "",
    }
    return {"token": token}


class TokenStore:
    """Issued tokens by their SHA-256: project, expiry. revoke_all() makes
    every one invalid but remembers them, so a revoked token gets its own
    answer. Callers hold the simulator's lock."""

    def __init__(self):
        self.live = collections.OrderedDict()
        self.revoked = collections.OrderedDict()
        self.issued = 0

    @staticmethod
    def _key(token):
        return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()

    def add(self, token, project_id, expires_s, expires_text):
        self.live[self._key(token)] = {"project_id": project_id, "expires_s": expires_s,
                                       "expires_at": expires_text}
        self.issued += 1
        while len(self.live) > TOKENS_KEPT:
            self.live.popitem(last=False)

    def lookup(self, token):
        """("live", info), ("revoked", None) or (None, None)."""
        k = self._key(token)
        if k in self.live:
            return "live", self.live[k]
        if k in self.revoked:
            return "revoked", None
        return None, None

    def revoke_all(self):
        n = len(self.live)
        for k in self.live:
            self.revoked[k] = True
        self.live.clear()
        while len(self.revoked) > TOKENS_KEPT:
            self.revoked.popitem(last=False)
        return n
