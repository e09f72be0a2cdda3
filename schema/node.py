"""Relay's `node(id)`: any object by its global id, under the same rules as its own field."""

from __future__ import annotations

import strawberry

from authz.errors import NotFound
from resolvers import orgs, people, policy, worklogs
from schema.context import Info
from schema.orgs import Org
from schema.people import Cadre, Youth
from schema.policy import Grant
from schema.relay import Node, from_global_id
from schema.worklogs import WorkLog


@strawberry.type
class NodeQuery:
    @strawberry.field(description="按全局 ID 取任意对象（Relay）")
    async def node(self, info: Info, id: strawberry.ID) -> Node:
        ctx = info.context.ctx
        type_name, key = from_global_id(id)
        match type_name:
            case "Org":
                return Org.of(await orgs.get(ctx, key))
            case "Cadre":
                return Cadre.of(await people.get_cadre(ctx, key))
            case "Youth":
                return Youth.of(await people.get_youth(ctx, key))
            case "Grant":
                return Grant.of(await policy.get_grant(ctx, key))
            case "WorkLog":
                return WorkLog.of(await worklogs.get(ctx, key))
        raise NotFound()
