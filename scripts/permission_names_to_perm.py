"""Write every permission name in the code as its `Perm` member (a one-off rewrite).

    .venv/bin/python scripts/permission_names_to_perm.py [paths...]   # then ruff format

Each string literal in the code that is exactly a permission's name
("kpi_return.review") becomes `Perm.KPI_RETURN_REVIEW`, and the module gains
`from lra_commissioning.permissions import Perm`. Safe to run again (a second
run finds nothing); run it after merging work that still writes strings.
Leaves `lra_commissioning/permissions.py`, migrations and tests alone.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "lra_commissioning",
    "specifications",
    "performance",
    "funding",
    "changes",
    "slas",
    "board",
]
IMPORT = "from lra_commissioning.permissions import Perm"


def permission_names() -> dict[str, str]:
    """name -> member, read from the Perm class without importing Django."""
    tree = ast.parse((ROOT / "lra_commissioning" / "permissions.py").read_text())
    perm = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Perm")
    return {
        node.value.value: node.targets[0].id
        for node in perm.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }


def _docstrings(tree) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            found.add(id(first.value))
    return found


def rewrite(source: str, names: dict[str, str], *, in_core: bool) -> str:
    tree = ast.parse(source)
    skip = _docstrings(tree)
    hits = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in names
        and id(node) not in skip
        and node.lineno == node.end_lineno
    ]
    if not hits:
        return source
    lines = source.splitlines(keepends=True)
    for node in sorted(hits, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        line = lines[node.lineno - 1].encode()
        start, end = node.col_offset, node.end_col_offset
        line = line[:start] + f"Perm.{names[node.value]}".encode() + line[end:]
        lines[node.lineno - 1] = line.decode()
    source = "".join(lines)
    return _with_import(source, in_core=in_core)


def _with_import(source: str, *, in_core: bool) -> str:
    module = ".permissions" if in_core else "lra_commissioning.permissions"
    existing = re.search(rf"^from {re.escape(module)} import ([^\n(]+)$", source, re.M)
    if existing:
        names = {n.strip() for n in existing.group(1).split(",")} | {"Perm"}
        line = f"from {module} import {', '.join(sorted(names, key=str.lower))}"
        return source[: existing.start()] + line + source[existing.end() :]
    statement = f"from {module} import Perm\n"
    tree = ast.parse(source)
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    after = imports[-1].end_lineno if imports else 0
    lines = source.splitlines(keepends=True)
    lines.insert(after, statement)
    return "".join(lines)  # ruff check --fix sorts it into place


def main(paths) -> int:
    names = permission_names()
    files = [Path(p) for p in paths] or [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]
    changed = 0
    for path in files:
        path = path.resolve()
        if path == ROOT / "lra_commissioning" / "permissions.py":
            continue
        source = path.read_text()
        in_core = path.parent == ROOT / "lra_commissioning"
        new = rewrite(source, names, in_core=in_core)
        if new != source:
            path.write_text(new)
            changed += 1
    print(f"{changed} files rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
