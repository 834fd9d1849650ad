"""CloudFormation templates as plain dicts: loading (short tags too), merging, references.

infra/resources.yaml and infra/wiring.yaml are the one source of truth; this module reads them
for `make package` (scripts/package.py), for the local bootstrap and for the event pump.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Iterator

PROJECT_DIR = Path(__file__).resolve().parents[2]
INFRA_DIR = PROJECT_DIR / "infra"
RESOURCES_TEMPLATE = INFRA_DIR / "resources.yaml"
WIRING_TEMPLATE = INFRA_DIR / "wiring.yaml"

_SHORT_TAGS = (
    "Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub",
    "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString", "Length",
)
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def _loader():
    import yaml

    class CfnLoader(yaml.SafeLoader):
        """SafeLoader that understands !Ref, !GetAtt, !Sub and the other short forms."""

    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_mapping(node, deep=True)

    def ref(loader, node):
        return {"Ref": construct(loader, node)}

    def get_att(loader, node):
        value = construct(loader, node)
        if isinstance(value, str):
            value = value.split(".", 1)
        return {"Fn::GetAtt": value}

    def condition(loader, node):
        return {"Condition": construct(loader, node)}

    def short(name):
        return lambda loader, node: {"Fn::" + name: construct(loader, node)}

    CfnLoader.add_constructor("!Ref", ref)
    CfnLoader.add_constructor("!GetAtt", get_att)
    CfnLoader.add_constructor("!Condition", condition)
    for name in _SHORT_TAGS:
        CfnLoader.add_constructor("!" + name, short(name))
    return CfnLoader


def load(path: str | Path) -> dict:
    """Load a JSON or YAML CloudFormation template into long-form dicts."""
    text = Path(path).read_text(encoding="utf-8")
    if str(path).endswith(".json"):
        return json.loads(text)
    import yaml

    return yaml.load(text, Loader=_loader())  # noqa: S506 - SafeLoader subclass


def merge(*templates: dict) -> dict:
    """Merge templates section by section; a later template may not redefine a key."""
    merged: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    descriptions = []
    for template in templates:
        for section, body in template.items():
            if section == "Description":
                descriptions.append(body)
            elif isinstance(body, dict):
                target = merged.setdefault(section, {})
                clash = set(target) & set(body)
                if clash:
                    raise ValueError(f"{section}: {sorted(clash)} defined twice")
                target.update(copy.deepcopy(body))
            else:
                merged[section] = body
    if descriptions:
        merged["Description"] = " ".join(d.strip() for d in descriptions)[:1024]
    return merged


def infra() -> dict:
    """resources.yaml and wiring.yaml merged, as `make package` hands them to Chalice."""
    return merge(load(RESOURCES_TEMPLATE), load(WIRING_TEMPLATE))


def references(value: Any) -> Iterator[tuple[str, str | None]]:
    """Yield (logical id, attribute or None) for every Ref, GetAtt and ${} in a value."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            yield value["Ref"], None
            return
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            if isinstance(target, str):
                target = target.split(".", 1)
            yield target[0], target[1]
            return
        if set(value) == {"Fn::Sub"}:
            body = value["Fn::Sub"]
            text, variables = (body, {}) if isinstance(body, str) else (body[0], body[1])
            for name in _SUB_VARIABLE.findall(text):
                if name not in variables:
                    yield split_variable(name)
            yield from references(variables)
            return
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def split_variable(name: str) -> tuple[str, str | None]:
    """`Table.Arn` -> ("Table", "Arn"); `Table` -> ("Table", None)."""
    if name.startswith("AWS::"):
        return name, None
    logical_id, _, attribute = name.partition(".")
    return logical_id, attribute or None


def sub_variables(text: str) -> list[str]:
    """The ${...} variables of a Fn::Sub string (escaped ${!...} excluded)."""
    return _SUB_VARIABLE.findall(text)


def creation_order(resources: dict) -> list[str]:
    """Logical ids ordered so that each comes after everything it refers to or depends on."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in ordered:
            return
        if logical_id in visiting:
            raise ValueError(f"dependency cycle through {logical_id}")
        visiting.add(logical_id)
        resource = resources[logical_id]
        depends = resource.get("DependsOn", [])
        for dependency in [depends] if isinstance(depends, str) else depends:
            visit(dependency)
        for dependency, _ in references(resource.get("Properties", {})):
            if dependency in resources:
                visit(dependency)
        visiting.discard(logical_id)
        ordered.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return ordered


def of_type(template: dict, resource_type: str) -> dict[str, dict]:
    """The resources of one type, by logical id."""
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == resource_type
    }


def resolve(value: Any, lookup) -> Any:
    """Evaluate Ref, GetAtt, Sub, Join, Select and Split; `lookup(logical_id, attribute)` answers
    references (attribute None for a Ref)."""
    if isinstance(value, list):
        return [resolve(item, lookup) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, body), = value.items()
        if key == "Ref":
            return lookup(*split_variable(body)) if body.startswith("AWS::") else lookup(body, None)
        if key == "Fn::GetAtt":
            target = body.split(".", 1) if isinstance(body, str) else resolve(body, lookup)
            return lookup(target[0], target[1])
        if key == "Fn::Sub":
            text, variables = (body, {}) if isinstance(body, str) else (body[0], body[1])
            variables = resolve(variables, lookup)

            def substitute(match):
                name = match.group(1)
                if name in variables:
                    return str(variables[name])
                return str(lookup(*split_variable(name)))

            return _SUB_VARIABLE.sub(substitute, text).replace("${!", "${")
        if key == "Fn::Join":
            separator, items = resolve(body, lookup)
            return separator.join(str(item) for item in items)
        if key == "Fn::Select":
            index, items = resolve(body, lookup)
            return items[int(index)]
        if key == "Fn::Split":
            separator, text = resolve(body, lookup)
            return text.split(separator)
        if key.startswith("Fn::") or key == "Condition":
            raise NotImplementedError(f"{key} is not supported by the local stack")
    return {key: resolve(item, lookup) for key, item in value.items()}
