"""The layers import-linter enforces (`make lint`), and the registries that keep them."""

import pkgutil
import tomllib
from pathlib import Path

import lra_commissioning
from lra_commissioning import deadlines

ROOT = Path(__file__).resolve().parents[2]


def _contract(contract_id):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c.get("id") == contract_id)


def test_the_core_contract_holds_the_whole_core_package():
    """Every module of lra_commissioning, present and future, is held to the core's rule."""
    assert _contract("core")["source_modules"] == ["lra_commissioning"]
    assert not any(m.name == "cycle" for m in pkgutil.iter_modules(lra_commissioning.__path__))


def test_the_core_contract_forbids_every_app_above_the_core():
    forbidden = set(_contract("core")["forbidden_modules"])
    layered = {m.strip() for layer in _contract("layers")["layers"] for m in layer.split("|")}
    assert forbidden == layered


def test_apps_register_their_calendar_sources_in_the_core():
    """performance, slas and board add their deadlines without importing the cycle."""
    names = {f"{s.__module__}.{s.__name__}" for s in deadlines.sources()}
    assert {
        "performance.deadlines.action_deadlines",
        "slas.support_deadlines.support_service_deadlines",
        "board.deadlines.board_deadlines",
    } <= names
