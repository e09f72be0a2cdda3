"""A query's org look-ahead reads its rows as records on the driver (app/records.py): each
record holds what the ORM's entity holds for the same row, in every mapped column, and the
look-ahead answers as the field-by-field path does, for callers who may not see the parent
or some of the children."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.records import Record
from authz.visibility import RULES, Subject, readable_template
from models import Org, OrgKind
from resolvers import orgs
from tests.helpers import SIGNED_IN, Tree, add_user, differ, gid, standard_tree, statements_sent

ORG = """query($o: ID!) { org(id: $o) { id code zhtjCode name level kind isLeadingOrgan isActive
  depth createdAt updatedAt parent { id name level kind createdAt }
  children(first: 10) { nodes { id name level kind isActive depth updatedAt }
    pageInfo { hasNextPage endCursor } } } }"""


async def varied(services: Any) -> Tree:
    """The standard tree with every column of some org off its default: a national code,
    another kind, not a leading organ, inactive; and a renamed one (updated_at moves)."""
    tree = await standard_tree(services)
    await tree.add("A3", "A", orgs.OrgLevel.GRASSROOTS, kind=OrgKind.UNIVERSITY, name="某高校团委")
    await tree.add("A4", "A", orgs.OrgLevel.COUNTY, name="停用县")
    async with services.sessionmaker() as s:
        await s.execute(sa.update(Org).where(Org.id == tree["A3"].id).values(zhtj_code="Z-42"))
        await s.execute(
            sa.update(Org)
            .where(Org.id == tree["A4"].id)
            .values(is_active=False, updated_at=sa.func.now() + sa.text("interval '1 hour'"))
        )
        await s.commit()
    return tree


@pytest.mark.parametrize("inactive", [False, True, None])
async def test_a_record_holds_what_the_entity_holds(api, inactive: bool | None) -> None:
    """The look-ahead statement of each shape, run as records on the driver and as entities
    through the ORM on the same session: the same rows, equal in every mapped column."""
    tree = await varied(api.services)
    template = readable_template(Org, SIGNED_IN)
    assert template is not None
    province = [tree["P"].path]
    compared: list[Any] = []
    async with api.services.sessionmaker() as s:
        for org in ("A", "P", "A3"):
            params = {"org_id": tree[org].id, "after": 0, "limit": 11}
            params |= {name: province for name, _, _ in template.scopes}
            statement = orgs._ahead_records(True, inactive, template, s.bind.dialect)
            records = await statement.records(s, params)
            entities = await s.scalars(orgs._ahead_statement(True, inactive, template), params)
            for record, entity in zip(records, entities.all(), strict=True):
                assert isinstance(record, Record)
                assert differ(record, entity) == [], (org, entity.id)
                compared.append(record)
    assert len(compared) >= (4 if inactive is None else 8)
    assert "Z-42" in {r.zhtj_code for r in compared} and None in {r.parent_id for r in compared}
    assert (False in {r.is_active for r in compared}) == bool(inactive)


async def test_a_record_refuses_to_change(api) -> None:
    tree = await standard_tree(api.services)
    template = readable_template(Org, SIGNED_IN)
    assert template is not None
    async with api.services.sessionmaker() as s:
        params = {"org_id": tree["A"].id} | {n: [tree["P"].path] for n, _, _ in template.scopes}
        [record] = await orgs._ahead_records(False, None, template, s.bind.dialect).records(
            s, params
        )
    with pytest.raises(AttributeError, match="read-only"):
        record.name = "改名"
    assert record.name == "甲市" and record.level is orgs.OrgLevel.CITY


async def ask(api: Any, query: str, org: Org, token: str, *, ahead: bool) -> Any:
    api.services.settings.lookahead = ahead
    try:
        return (await api.gql(query, {"o": gid("Org", org.id)}, token=token)).body
    finally:
        api.services.settings.lookahead = True


async def test_hidden_parent_and_children_answer_as_before(api, monkeypatch) -> None:
    """A county admin of A1 sees A1 and below, not its city: the parent is null and the city
    itself NOT_FOUND, with records as field by field. Under a narrower Org rule (a test's:
    the tree's own rule shows whole subtrees) one child and the parent of A2 are hidden from
    a city admin: the look-ahead's rows leave them out as the rule says."""
    tree = await varied(api.services)
    county = await add_user(api.services, "county", org=tree["A1"], roles=("county_admin",))
    city = await add_user(api.services, "city", org=tree["A"], roles=("city_admin",))
    county_token, city_token = await api.token_for(county.id), await api.token_for(city.id)
    for token, org in ((county_token, tree["A1"]), (county_token, tree["A"])):
        ahead = await ask(api, ORG, org, token, ahead=True)
        assert ahead == await ask(api, ORG, org, token, ahead=False)
    assert ahead["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    with statements_sent(api, on_driver=True) as on_driver:
        seen = await ask(api, ORG, tree["A1"], county_token, ahead=True)
    assert any("UNION ALL" in sql for sql in on_driver), "the look-ahead ran through the ORM"
    assert seen["data"]["org"]["parent"] is None
    assert [n["name"] for n in seen["data"]["org"]["children"]["nodes"]] == ["甲一县某支部"]

    hidden = (tree["A2"].id, tree["A3"].id)
    original = RULES[Org]

    def narrower(s: Subject) -> sa.ColumnElement[bool]:
        return sa.and_(original(s), Org.id.not_in(hidden))

    monkeypatch.setitem(RULES, Org, narrower)
    for org in (tree["A"], tree["A1"]):
        ahead = await ask(api, ORG, org, city_token, ahead=True)
        assert ahead == await ask(api, ORG, org, city_token, ahead=False)
    names = [n["name"] for n in ahead["data"]["org"]["children"]["nodes"]]
    assert names == ["甲一县某支部"]
    a = (await ask(api, ORG, tree["A"], city_token, ahead=True))["data"]["org"]
    assert [n["name"] for n in a["children"]["nodes"]] == ["甲一县"]
    assert a["parent"] is None  # the province: above the city admin's grant
