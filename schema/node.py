"""Relay's `node(id)`: any object by its global id, under its entity's one readable rule
(authz/visibility.py), so refetching answers exactly as the object's own field would."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

import models
from authz import require_user
from authz.errors import NotFound
from schema.assessment import (
    AssessmentContribution,
    AssessmentRound,
    Bulletin,
    BulletinLine,
    Campaign,
    Nomination,
    Report,
)
from schema.audit import AuditEntry
from schema.contacts import Contact
from schema.context import Info
from schema.groups import WorkingGroup
from schema.orgs import Org
from schema.people import Cadre, Youth
from schema.policy import Grant
from schema.policy_tools import FieldGrant, PolicyChangeRequest
from schema.relay import Node, from_global_id
from schema.reminders import Reminder
from schema.rubric import RubricVersion
from schema.truth import Flag, SpotCheck, SpotCheckItem
from schema.worklogs import WorkLog
from schema.youth_services import Discussion, Post, Resource, Voice, Wish

# Every type that implements Node, with the table behind it (a test checks none is missing).
NODE_TYPES: dict[str, tuple[type[Any], Any]] = {
    t.__name__: (getattr(models, t.__name__), t)
    for t in (
        AssessmentContribution,
        AssessmentRound,
        AuditEntry,
        Bulletin,
        BulletinLine,
        Cadre,
        Campaign,
        Contact,
        Discussion,
        FieldGrant,
        Flag,
        Grant,
        Nomination,
        Org,
        PolicyChangeRequest,
        Post,
        Reminder,
        Report,
        Resource,
        RubricVersion,
        SpotCheck,
        SpotCheckItem,
        Voice,
        Wish,
        WorkLog,
        WorkingGroup,
        Youth,
    )
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="按全局 ID 取任意对象（Relay）；看不到的对象答 NOT_FOUND")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="任一实现 Node 的对象的全局 ID")
        ],
    ) -> Node:
        type_name, key = from_global_id(id)
        found = NODE_TYPES.get(type_name)
        if found is None:
            raise NotFound()
        model, node_type = found
        ctx = info.context.ctx
        require_user(ctx.principal)
        row = await ctx.visible(model).load(key)
        if row is None:
            raise NotFound()
        return node_type.of(row)
