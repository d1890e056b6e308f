"""Every permission named in the code exists: a typo fails here, not in front of a user.

`can`, `require`, `visible_q` and `people_who_can` refuse an unknown name when
asked, but a misspelt name on a path no test walks would wait for a user. So
this reads the code: every string given as a `permission` argument (to `can`,
`require`, ... and to any helper that takes a `permission` parameter), and
every string anywhere that has the shape of a permission of an existing kind
("sla.drfat"), must be a member of `Perm`.
"""

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from lra_commissioning.access import permission_required
from lra_commissioning.celery import app as celery_app
from lra_commissioning.notifications import people_who_can
from lra_commissioning.permissions import (
    PERMISSIONS,
    Perm,
    UnknownPermission,
    can,
    roles_with,
    visible_q,
)
from lra_commissioning.roles import Role
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "lra_commissioning",
    "specifications",
    "performance",
    "funding",
    "changes",
    "slas",
    "board",
]
NAMESPACES = {name.split(".")[0] for name in Perm}
SHAPE = re.compile(r"^[a-z_]+\.[a-z_]+$")
FILE_SUFFIXES = {"pdf", "ics", "json", "csv", "xlsx", "bin", "html", "txt", "zip"}


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(), filename=str(path))


def _member(node) -> str | None:
    """`Perm.KPI_RETURN_REVIEW` as the name it stands for ("Perm.TYPO" when there is none)."""
    if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "Perm":
        member = Perm.__members__.get(node.attr)
        return member.value if member else f"Perm.{node.attr}"
    return None


def _strings(node):
    """The names an argument can take: a literal or a member of Perm, or either side of
    `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif _member(node) is not None:
        yield _member(node)
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _strings(value)


def _permission_parameters(trees) -> dict[str, int]:
    """Every function (or dataclass) of ours taking a `permission`: name -> its position."""
    found = {}
    for _path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if "permission" in names:
                    found[node.name] = names.index("permission")
            elif isinstance(node, ast.ClassDef):
                fields = [
                    s.target.id
                    for s in node.body
                    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                ]
                if "permission" in fields:
                    found[node.name] = fields.index("permission")
    return found


def _named_permissions():
    """(where, name) for every string given as a permission argument."""
    trees = list(_sources())
    takers = _permission_parameters(trees)
    assert {"can", "require", "require_visible", "visible_q", "people_who_can"} <= set(takers)
    assert "permission_required" in takers
    for path, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            arguments = [k.value for k in node.keywords if k.arg == "permission"]
            if name in takers and len(node.args) > takers[name]:
                arguments.append(node.args[takers[name]])
            for argument in arguments:
                for value in _strings(argument):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", value


def test_every_permission_given_to_a_check_exists():
    named = list(_named_permissions())
    assert len(named) > 300  # the scan reads the views and services
    unknown = [(where, name) for where, name in named if name not in set(Perm)]
    assert unknown == []


def _not_a_permission(value: str) -> bool:
    """Strings of the same shape that name something else: a module, a task, a file."""
    if value.rsplit(".", 1)[1] in FILE_SUFFIXES:
        return True
    if value in celery_app.tasks:
        return True
    try:
        return importlib.util.find_spec(value) is not None
    except ModuleNotFoundError:
        return False


def test_every_string_shaped_like_a_permission_is_one():
    """Tables of actions ("sla.draft", "start_review", ...) are read too."""
    celery_app.loader.import_default_modules()
    unknown = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SHAPE.match(node.value)
        and node.value.split(".")[0] in NAMESPACES
        and node.value not in set(Perm)
        and not _not_a_permission(node.value)
    ]
    assert unknown == []


def test_every_member_of_perm_named_in_the_code_exists():
    """`Perm.SLA_DRFAT` inside a function fails only when it runs: found here first."""
    named = [
        (f"{path.relative_to(ROOT)}:{node.lineno}", _member(node))
        for path, tree in _sources()
        for node in ast.walk(tree)
        if _member(node) is not None
    ]
    assert [(where, name) for where, name in named if name not in set(Perm)] == []


def test_every_permission_is_described():
    assert set(PERMISSIONS) == set(Perm)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ask",
    [
        lambda user: can(user, "sla.drfat"),
        lambda user: visible_q(user, "kpi_return.veiw"),
        lambda user: roles_with("budget.draft "),
        lambda user: people_who_can("change.decides"),
        lambda user: permission_required("board.veiw_agenda"),
    ],
)
def test_a_misspelt_name_is_refused_at_once(ask):
    with pytest.raises(UnknownPermission, match="Unknown permission"):
        ask(make_user(Role.COMMISSIONER))


@pytest.mark.django_db
def test_a_member_and_its_string_are_the_same_permission():
    commissioner = make_user(Role.COMMISSIONER)
    assert can(commissioner, Perm.SPECIFICATION_DRAFT)
    assert can(commissioner, "specification.draft")
    assert not can(commissioner, Perm.SPECIFICATION_SIGN_OFF)
