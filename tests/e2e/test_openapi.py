#!/usr/bin/env python3
"""Checks docs/openapi.json on its own, without a server: it is valid JSON and
OpenAPI 3.0.3 in shape, every operation has an operationId, responses and
x-roles, every $ref resolves, and its routes and roles are exactly the route
table of docs/api.md (the prose contract), so the two cannot drift apart."""
import json
import os
import re
import sys

from harness import main, test

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SPEC = os.path.join(ROOT, "docs", "openapi.json")
API_MD = os.path.join(ROOT, "docs", "api.md")
ROLES = {"furnisher", "lender", "subject", "supervisor", "operator"}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def spec():
    with open(SPEC, encoding="utf-8") as f:
        return json.load(f)


def operations(doc):
    for path, item in doc["paths"].items():
        for method, o in item.items():
            if method in METHODS:
                yield path, method, o


def route_table():
    """{(METHOD, path): set of roles} from the Routes table of docs/api.md."""
    table = {}
    text = open(API_MD, encoding="utf-8").read()
    section = text.split("## Routes", 1)[1].split("\n## ", 1)[0]
    for m in re.finditer(r"^\| `([A-Z]+) (/[^`]*)` \| ([^|]+) \|", section, re.M):
        roles = {r.strip() for r in m.group(3).split(",")}
        table[(m.group(1), m.group(2))] = roles
    return table


@test
def it_is_openapi_3_0_3_with_the_bearer_scheme_global():
    doc = spec()
    assert doc["openapi"] == "3.0.3", doc.get("openapi")
    assert doc["info"]["title"] and doc["info"]["version"]
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer", scheme
    assert doc["security"] == [{"bearerAuth": []}], doc["security"]


@test
def every_operation_has_an_id_responses_and_roles():
    doc = spec()
    ids = []
    for path, method, o in operations(doc):
        where = f"{method.upper()} {path}"
        assert isinstance(o.get("operationId"), str) and o["operationId"], where
        ids.append(o["operationId"])
        assert o.get("responses"), where
        assert any(c.startswith("2") for c in o["responses"]), f"{where}: no success response"
        roles = o.get("x-roles")
        assert isinstance(roles, list) and roles, f"{where}: x-roles"
        public = roles == ["anyone"]
        assert public or set(roles) <= ROLES and len(set(roles)) == len(roles), f"{where}: {roles}"
        if public:
            assert o.get("security") == [], f"{where}: a public route says security: []"
        else:
            assert "security" not in o, f"{where}: protected routes use the global security"
            for code in ("401", "403", "429"):
                assert code in o["responses"], f"{where}: no {code}"
        if "requestBody" in o:
            for code in ("400", "413"):
                assert code in o["responses"], f"{where}: a body but no {code}"
        for name in re.findall(r"\{([^}]+)\}", path):
            params = [p for p in o.get("parameters", []) if p["in"] == "path" and p["name"] == name]
            assert len(params) == 1 and params[0]["required"], f"{where}: path parameter {name}"
    assert len(ids) == len(set(ids)), "operationIds must be unique"


@test
def every_ref_resolves_and_problems_use_the_problem_schema():
    doc = spec()
    refs = []

    def walk(x):
        if isinstance(x, dict):
            if "$ref" in x:
                refs.append(x["$ref"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(doc)
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    for name, r in doc["components"]["responses"].items():
        assert r["content"] == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, name
    assert "WWW-Authenticate" in doc["components"]["responses"]["Unauthorized"]["headers"]
    assert "Retry-After" in doc["components"]["responses"]["RateLimited"]["headers"]


@test
def routes_and_roles_are_the_route_table_of_api_md():
    doc = spec()
    table = route_table()
    assert len(table) >= 20, f"could not read the route table of docs/api.md: {table}"
    ops = {}
    for path, method, o in operations(doc):
        roles = set(o["x-roles"])
        ops[(method.upper(), path)] = roles
    assert set(ops) == set(table), (f"only in openapi.json: {sorted(set(ops) - set(table))}; "
                                    f"only in api.md: {sorted(set(table) - set(ops))}")
    for route, roles in table.items():
        assert ops[route] == roles, f"{route}: api.md says {sorted(roles)}, openapi.json {sorted(ops[route])}"


@test
def the_matrix_in_api_md_agrees_with_x_roles():
    """Every route of the authorization matrix, with its allowed roles."""
    doc = spec()
    text = open(API_MD, encoding="utf-8").read()
    assert "## Authorization matrix" in text
    section = text.split("## Authorization matrix", 1)[1].split("\n## ", 1)[0]
    header = None
    seen = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 6:
            continue
        if cells[0] == "route":
            header = cells[1:]
            continue
        m = re.fullmatch(r"`([A-Z]+) (/[^`]*)`", cells[0])
        if not m or header is None:
            continue
        method, path = m.groups()
        o = doc["paths"][path][method.lower()]
        allowed = {role for role, cell in zip(header, cells[1:]) if role in ROLES and cell != "—"}
        expect = ROLES if o["x-roles"] == ["anyone"] else set(o["x-roles"])
        assert allowed == expect, f"{method} {path}: matrix allows {sorted(allowed)}, x-roles {o['x-roles']}"
        seen.add((method, path))
    every = {(m.upper(), p) for p, m, _ in operations(doc)}
    assert seen == every, f"routes missing from the matrix: {sorted(every - seen)}"


if __name__ == "__main__":
    sys.exit(main("e2e-openapi"))
