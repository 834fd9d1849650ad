"""Every answer of the live stack, checked against the OpenAPI document while the tests run.

The `stack` fixture calls `install()`: from then on each answer of chalicelib.api.pipeline.run (the
one path every route's answer takes) is checked against the operation the document gives for its
route: the status is one the operation lists, the content type is the one listed for that status,
the body validates against its schema, and the headers the document marks required are there.
An autouse fixture in tests/conftest.py fails the test during which an answer did not conform, so
the document cannot drift from the code whatever the tests exercise.

The schemas are checked closed: an object schema that lists its properties gets
`additionalProperties: false` here (the published document stays open for clients, so a new
field is not a breaking change), so an undocumented field is found too.
"""
import copy
import json
import threading

FAILURES: list = []
_lock = threading.Lock()
_checker = None


def install() -> None:
    """Wraps chalicelib.api.pipeline.run once per process."""
    from chalicelib.api import pipeline
    if getattr(pipeline.run, "checks_conformance", False):
        return
    original = pipeline.run

    def run(route, request, params):
        response = original(route, request, params)
        try:
            problems = checker().check(route.method, route.path, response)
        except Exception as error:  # a bug of the checker is a failure too, never silence
            problems = [f"the conformance check itself failed: {error!r}"]
        if problems:
            with _lock:
                FAILURES.append(f"{route.method} {route.path} -> {response.status_code}: " + "; ".join(problems))
        return response

    run.checks_conformance = True
    pipeline.run = run


def checker() -> "Conformance":
    global _checker
    if _checker is None:
        from chalicelib.api.openapi import document
        _checker = Conformance(document())
    return _checker


def closed(document: dict) -> dict:
    """A copy of the document whose object schemas allow no property they do not list."""
    doc = copy.deepcopy(document)

    def close(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)
    close(doc["components"])
    close(doc["paths"])
    return doc


class Conformance:
    def __init__(self, document: dict):
        self.document = closed(document)
        self._validators: dict = {}

    def operation(self, method: str, path: str) -> dict:
        return self.document["paths"][path][method.lower()]

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            where = node["$ref"].lstrip("#/").split("/")
            node = self.document
            for part in where:
                node = node[part]
        return node

    def check(self, method: str, path: str, response) -> list:
        """What is wrong with `response` (a chalice Response) as an answer of the operation."""
        status = response.status_code
        answers = self.operation(method, path)["responses"]
        declared = answers.get(str(status))
        if declared is None:
            return [f"status {status} is not listed (listed: {', '.join(sorted(answers))})" + _code(response)]
        declared = self.resolve(declared)
        headers = {k.lower(): v for k, v in response.headers.items()}
        problems = [f"header {name} is missing" for name, header in (declared.get("headers") or {}).items()
                    if self.resolve(header).get("required") and name.lower() not in headers]
        content = declared.get("content")
        media = headers.get("content-type", "").split(";")[0].strip()
        if not content:
            if response.body not in (None, "", b""):
                problems.append("a body where the document lists none")
            return problems
        if media not in content:
            return problems + [f"content type {media!r} is not the listed {sorted(content)}" + _code(response)]
        if "json" not in media:
            return problems
        body = response.body
        try:
            data = json.loads(body) if isinstance(body, (str, bytes)) else body
        except ValueError:
            return problems + ["the body is not JSON"]
        for error in list(self._validator(content[media]["schema"]).iter_errors(data))[:3]:
            where = "/".join(str(p) for p in error.instance_path) or "(body)"
            problems.append(f"{where}: {error.message[:300]}")
        return problems

    def _validator(self, schema: dict):
        """A compiled validator per distinct schema (jsonschema-rs: the suite's every answer
        passes here, so it must cost little)."""
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            import jsonschema_rs
            self._validators[key] = jsonschema_rs.validator_for(dict(schema, components=self.document["components"]))
        return self._validators[key]


def _code(response) -> str:
    try:
        return f" (code {json.loads(response.body).get('code')!r})"
    except (ValueError, TypeError, AttributeError):
        return ""
