"""The default roles and templates from the versioned files in `authz/policy/`."""

from __future__ import annotations

import csv
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from authz.vocabulary import Act, Obj
from models import FieldRule, Role, RolePermission


def default_roles() -> list[dict[str, str]]:
    text = resources.files("authz.policy").joinpath("roles.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def default_lines() -> list[tuple[str, str, str]]:
    text = resources.files("authz.policy").joinpath("default.csv").read_text(encoding="utf-8")
    lines = []
    for raw in text.splitlines():
        parts = [p.strip() for p in raw.split(",")]
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        ptype, role, obj, act = parts
        if ptype != "p":
            raise ValueError(f"unexpected policy line: {raw}")
        lines.append((role, Obj(obj).value, Act(act).value))
    return lines


def default_field_rules() -> list[dict[str, object]]:
    text = resources.files("authz.policy").joinpath("fields.csv").read_text(encoding="utf-8")
    return [
        {
            "role": r["role"],
            "object": Obj(r["object"]).value,
            "field": r["field"],
            "max_distance": int(r["max_distance"]),
            "minors": r["minors"].strip().lower() == "true",
        }
        for r in csv.DictReader(text.splitlines())
    ]


def sync_statements() -> list[sa.Executable]:
    """Insert the defaults that are missing; never removes what the province added."""
    roles = [{**r, "is_builtin": True} for r in default_roles()]
    perms = [{"role": r, "object": o, "action": a} for r, o, a in default_lines()]
    return [
        insert(Role).values(roles).on_conflict_do_nothing(index_elements=["name"]),
        insert(RolePermission).values(perms).on_conflict_do_nothing(),
    ]


def field_rule_statements() -> list[sa.Executable]:
    """The default guarded-field rules (table from migration 0006 on)."""
    return [insert(FieldRule).values(default_field_rules()).on_conflict_do_nothing()]
