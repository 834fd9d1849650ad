"""The house rules of the layout (docs/architecture.md "Layers"), read from the code itself:
every import of every module, at its top or inside a function, found with `ast`.

- A use case knows no HTTP: services, domain, store, adapters, models and events import nothing
  from chalicelib/api.
- Handlers reach the store only through services: no chalicelib/api module imports
  chalicelib.store, chalicelib.aws (the boto3 clients), boto3 or botocore.
- The domain is plain Python: it imports only itself (no boto3, no store, no services).
- The neutral request models import only themselves and the domain.
- No module builds a boto3 client when it is imported.
"""
import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"

# Modules of chalicelib/api allowed to import the store or boto3, each with its reason. None is:
# the composition root is app.py (outside chalicelib/api), and it only registers the route table.
API_MAY_REACH_STORE: dict = {}

# Layers that must not know the HTTP layer.
HTTP_FREE = ("services", "domain", "store", "adapters", "models", "events")
AWS_SDK = ("boto3", "botocore")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict:
    """{module name: path} of app.py and every module of chalicelib."""
    found = {"app": ROOT / "app.py"}
    for path in sorted(PACKAGE.rglob("*.py")):
        found[module_name(path)] = path
    return found


def imports_of(source: str, module: str, is_package: bool = False) -> set:
    """Every module `source` imports, anywhere in it: `import a.b`, `from a import b` (a, and
    a.b when b is a module of this repository), relative imports resolved against `module`, and
    importlib.import_module / __import__ of a literal name."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}"))
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            found.add(node.args[0].value)
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _dynamic_import(node: ast.Call) -> bool:
    fn = node.func
    name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
    return (name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str))


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if parts[0] == "chalicelib" and len(parts) > 2 else ""


def imports() -> dict:
    return {name: imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
            for name, path in modules().items()}


def breaches(rule) -> list:
    """["module imports name", ...] for every import `rule(module, name)` refuses."""
    return sorted(f"{module} imports {name}" for module, names in imports().items()
                  for name in names if rule(module, name))


# the walker itself -----------------------------------------------------------------------

def test_the_walker_finds_imports_inside_functions_relative_ones_and_submodules_named_in_from():
    source = textwrap.dedent("""
        import boto3
        from chalicelib import api
        from . import batch
        from ..store.keys import code
        from chalicelib.domain.errors import NotFound

        def later():
            from chalicelib.api.models import Strict
            import importlib
            importlib.import_module("chalicelib.api.paging")
    """)
    found = imports_of(source, "chalicelib.services.orders")
    assert found == {"boto3", "chalicelib", "chalicelib.api", "chalicelib.services", "chalicelib.services.batch",
                     "chalicelib.store.keys", "chalicelib.domain.errors", "chalicelib.api.models", "importlib",
                     "chalicelib.api.paging"}
    assert imports_of("from . import base", "chalicelib.models", is_package=True) == {"chalicelib.models",
                                                                                      "chalicelib.models.base"}


def test_every_layer_of_the_package_is_walked():
    seen = {layer(m) for m in modules()}
    assert {"api", "services", "domain", "store", "adapters", "models", "events"} <= seen
    assert len(modules()) > 150


# the rules -------------------------------------------------------------------------------

def test_no_use_case_store_adapter_model_or_event_imports_the_http_layer():
    found = breaches(lambda module, name: layer(module) in HTTP_FREE and within(name, "chalicelib.api"))
    assert found == [], "These modules import chalicelib/api (move what they need out of it):\n" + "\n".join(found)


def test_handlers_reach_the_store_only_through_services():
    def refused(module, name):
        return (layer(module) == "api" and module not in API_MAY_REACH_STORE
                and any(within(name, reached) for reached in ("chalicelib.store", "chalicelib.aws", *AWS_SDK)))
    found = breaches(refused)
    assert found == [], "These chalicelib/api modules reach the store or AWS directly:\n" + "\n".join(found)


def test_the_domain_imports_only_itself():
    def refused(module, name):
        return layer(module) == "domain" and (any(within(name, sdk) for sdk in AWS_SDK) or (
            within(name, "chalicelib") and name != "chalicelib" and not within(name, "chalicelib.domain")))
    found = breaches(refused)
    assert found == [], "The domain must stay plain Python:\n" + "\n".join(found)


def test_the_shared_request_models_import_only_themselves_and_the_domain():
    def refused(module, name):
        return layer(module) == "models" and within(name, "chalicelib") and name != "chalicelib" and not (
            within(name, "chalicelib.models") or within(name, "chalicelib.domain"))
    found = breaches(refused)
    assert found == [], "chalicelib/models must stay neutral:\n" + "\n".join(found)


# no boto3 client at import time ----------------------------------------------------------

IMPORT_EVERYTHING = """
import importlib, sys
import botocore.client, botocore.session

def refuse(*args, **kwargs):
    raise RuntimeError("a boto3 client was created at import time")

botocore.session.Session.create_client = refuse
botocore.client.ClientCreator.create_client = refuse
import app
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except RuntimeError as error:
        raise SystemExit(f"{name}: {error}")
print("imported", len(sys.argv) - 1)
"""


def _import_all(extra_paths=(), extra_modules=()) -> subprocess.CompletedProcess:
    names = [m for m in modules() if m != "app"] + list(extra_modules)
    env_path = ":".join([str(ROOT), *map(str, extra_paths)])
    return subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING, *names], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin",
                                                        "ONCESHIP_STAGE": "local", "AWS_DEFAULT_REGION": "us-east-1"})


def test_no_module_creates_a_boto3_client_when_imported():
    done = _import_all()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"imported {len(modules()) - 1}" in done.stdout


def test_a_client_created_at_import_is_caught(tmp_path):
    (tmp_path / "eager_client.py").write_text("import boto3\nCLIENT = boto3.client('s3')\n")
    done = _import_all([tmp_path], ["eager_client"])
    assert done.returncode != 0
    assert "eager_client: a boto3 client was created at import time" in done.stdout + done.stderr
