"""Random worlds for the edge walker, and an independent model of VISIBILITY.md.

The model is plain Python over the world's own lists: subtrees are found by walking parent
links, never by ltree paths or by importing `authz`. Only the policy *data* (the default
role templates and field rules in authz/policy/*.csv) is shared with the application."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import strategies as st

from authz.defaults import default_field_rules, default_lines
from models import (
    AssessmentContribution,
    AssessmentRound,
    AssessmentScore,
    Bulletin,
    BulletinLine,
    Cadre,
    CadreKind,
    Campaign,
    CampaignKind,
    Contact,
    Discussion,
    Evidence,
    FieldGrant,
    FieldRule,
    Flag,
    Grant,
    Nomination,
    NominationStatus,
    OrgLevel,
    Post,
    Reminder,
    ReminderKind,
    RolePermission,
    RubricVersion,
    SecretaryContact,
    SpotCheck,
    SpotCheckItem,
    User,
    Voice,
    Wish,
    WorkingGroup,
    WorkingGroupMember,
    WorkLog,
    Youth,
)
from tests.helpers import Tree, gid, password_hash

ROLES = (
    "province_admin",
    "city_admin",
    "county_admin",
    "working_group_leader",
    "cadre",
    "auditor",
    "policy_admin",
)
# A grant's state: how it stands now (only LIVE and DELEGATED count).
GRANT_STATES = ("LIVE", "LIVE", "LIVE", "REVOKED", "EXPIRED", "FUTURE", "DELEGATED")
LINK_STATES = ("INVITED", "ACTIVE", "ACTIVE", "LEFT")
# Birth dates far from any birthday boundary: a child, a minor, an adult, unknown.
AGES = (10, 16, 30, None)
GUARDED = ("mobile", "birth_date")
# Extra permissions a world may add to a role (so field rules of other roles matter).
EXTRA_PERMISSIONS = (
    ("city_admin", "youth", "view_personal"),
    ("county_admin", "youth", "view_personal"),
    ("working_group_leader", "youth", "view_personal"),
    ("cadre", "youth", "view"),
    ("cadre", "work", "view"),
    ("auditor", "grant", "manage"),
)


@dataclass
class GrantW:
    role: str
    at: int
    state: str = "LIVE"


@dataclass
class FieldGrantW:
    field: str
    at: int
    minors: bool
    live: bool


@dataclass
class UserW:
    """An account: an administrator, a cadre (at `cadre_at`) or a youth (`youth` index)."""

    grants: list[GrantW]
    cadre: int | None = None  # index into World.cadres
    youth: int | None = None  # index into World.youth
    field_grants: list[FieldGrantW] = field(default_factory=list)


@dataclass
class CadreW:
    at: int
    active: bool


@dataclass
class YouthW:
    at: int
    age: int | None


@dataclass
class GroupW:
    at: int
    responsible: int
    leader: int
    members: list[int]
    active: bool = True


@dataclass
class CheckW:
    at: int
    drawer: int  # user index
    checker: int  # user index
    over: bool
    items: list[int]  # log indices


@dataclass
class World:
    parents: list[int | None]
    active: list[bool]
    cadres: list[CadreW]
    youth: list[YouthW]
    users: list[UserW]
    links: list[tuple[int, int, str]]  # cadre, youth, status
    logs: list[tuple[int, int | None, bool]]  # cadre, youth, deleted
    voices: list[tuple[int, int | None, int]]  # youth, cadre, addressed org
    wishes: list[tuple[int, int, int | None]]  # youth, cadre, pool org
    groups: list[GroupW]
    posts: list[tuple[int, int | None]]  # cadre, SUBTREE org (None: MY_YOUTH)
    discussions: list[int]  # cadre
    secretaries: list[tuple[int, int]]  # cadre, the secretary on their list
    permissions: set[tuple[str, str, str]]
    field_rules: dict[tuple[str, str], tuple[int, bool]]  # (role, field) → distance, minors
    principals: list[int]  # indices into users, the ones who ask

    # ------------------------------------------------------------ tree, by parent links
    def depth(self, node: int) -> int:
        d, at = 0, self.parents[node]
        while at is not None:
            d, at = d + 1, self.parents[at]
        return d

    def under(self, node: int, root: int) -> bool:
        at: int | None = node
        while at is not None:
            if at == root:
                return True
            at = self.parents[at]
        return False

    def cadre_org(self, c: int) -> int:
        return self.cadres[c].at

    # ------------------------------------------------------------ checking, derived
    # Derived from the drawn world (no draws of their own, so the worlds of a fixed seed stay
    # the same): two spot checks over the subtree above the first log's org (any kind of log:
    # visibility does not look at the kind, and the fixed worlds hold few contacts), one
    # running (drawn by user 0, worked by the last user) and one over (worked by user 0).
    def check_root(self) -> int | None:
        first = next((c for c, _, d in self.logs if not d), None)
        if first is None:
            return None
        at = self.cadre_org(first)
        return self.parents[at] if self.parents[at] is not None else at

    def checks(self) -> list[CheckW]:
        at = self.check_root()
        if at is None:
            return []
        items = [
            k
            for k, (c, _, d) in enumerate(self.logs)
            if not d and self.under(self.cadre_org(c), at)
        ]
        return [
            CheckW(at, drawer=0, checker=len(self.users) - 1, over=False, items=items),
            CheckW(at, drawer=0, checker=0, over=True, items=items),
        ]

    def bulletin_lines(self) -> list[int]:
        """A published bulletin of the root over its children: one line per child."""
        return [i for i, p in enumerate(self.parents) if p == 0]

    def county_of(self, node: int) -> int | None:
        """The county-level org (depth 2) at or above `node`, if any."""
        at: int | None = node
        while at is not None and self.depth(at) > 2:
            at = self.parents[at]
        return at if at is not None and self.depth(at) == 2 else None

    def nominations(self) -> list[tuple[int, int]]:
        """A 最美青春故事 nomination of each cadre below a county, by that county, each with
        one file of materials: (cadre, county)."""
        found = []
        for c, cw in enumerate(self.cadres):
            county = self.county_of(cw.at)
            if county is not None:
                found.append((c, county))
        return found


@st.composite
def worlds(draw: st.DrawFn, max_orgs: int = 9) -> World:
    n = draw(st.integers(min_value=2, max_value=max_orgs))
    parents: list[int | None] = [None]
    for i in range(1, n):
        parents.append(draw(st.integers(min_value=0, max_value=i - 1)))
    depth = [0] * n
    for i in range(1, n):
        depth[i] = depth[parents[i]] + 1  # type: ignore[index]
    # Depth is at most that of a branch; deeper nodes hang from the root instead.
    parents = [p if p is None or depth[p] < 5 else 0 for p in parents]
    node = st.integers(min_value=0, max_value=n - 1)
    active = [True] + [draw(st.sampled_from((True, True, False))) for _ in parents[1:]]
    cadres = draw(
        st.lists(st.builds(CadreW, node, st.sampled_from((True, True, False))), max_size=4)
    )
    youth = draw(st.lists(st.builds(YouthW, node, st.sampled_from(AGES)), max_size=5))
    grant = st.builds(GrantW, st.sampled_from(ROLES), node, st.sampled_from(GRANT_STATES))
    field_grant = st.builds(
        FieldGrantW, st.sampled_from(GUARDED), node, st.booleans(), st.booleans()
    )
    extras = st.lists(grant, max_size=2)
    users = [
        UserW(
            draw(st.lists(grant, min_size=1, max_size=3)),
            field_grants=draw(st.lists(field_grant, max_size=1)),
        )
        for _ in range(draw(st.integers(min_value=1, max_value=3)))
    ]
    for c, cw in enumerate(cadres):  # a cadre holds `cadre` at their own org while active
        own = [GrantW("cadre", cw.at)] if cw.active else []
        users.append(UserW(own + draw(extras), cadre=c))
    for y, yw in enumerate(youth):
        if draw(st.booleans()):  # a youth with an account holds `youth` at their org
            users.append(UserW([GrantW("youth", yw.at)], youth=y))
    nc, ny = len(cadres), len(youth)
    cadre_i = st.integers(min_value=0, max_value=max(nc - 1, 0))
    youth_i = st.integers(min_value=0, max_value=max(ny - 1, 0))
    links: list[tuple[int, int, str]] = []
    logs: list[tuple[int, int | None, bool]] = []
    voices: list[tuple[int, int | None, int]] = []
    wishes: list[tuple[int, int, int | None]] = []
    groups: list[GroupW] = []
    posts: list[tuple[int, int | None]] = []
    discussions: list[int] = []
    secretaries: list[tuple[int, int]] = []
    if nc and ny:
        for c, y, status in draw(
            st.lists(st.tuples(cadre_i, youth_i, st.sampled_from(LINK_STATES)), max_size=8)
        ):
            if status == "LEFT" or not any(
                lc == c and ly == y and s != "LEFT" for lc, ly, s in links
            ):
                links.append((c, y, status))
        logs = draw(st.lists(st.tuples(cadre_i, st.none() | youth_i, st.booleans()), max_size=5))
        voices = draw(st.lists(st.tuples(youth_i, st.none() | cadre_i, node), max_size=4))
        wishes = draw(st.lists(st.tuples(youth_i, cadre_i, st.none() | node), max_size=4))
    if nc:
        groups = draw(
            st.lists(
                st.builds(
                    GroupW,
                    node,
                    node,
                    cadre_i,
                    st.lists(cadre_i, max_size=2, unique=True),
                    st.sampled_from((True, True, False)),
                ),
                max_size=2,
            )
        )
        posts = draw(st.lists(st.tuples(cadre_i, st.none() | node), max_size=3))
        discussions = draw(st.lists(cadre_i, max_size=2))
        secretaries = draw(st.lists(st.tuples(cadre_i, cadre_i), max_size=2, unique=True))
    for g in groups:  # the app grants the leader `working_group_leader` at the responsible org
        if not g.active:
            continue  # and revokes it with the group
        users[next(u for u, uw in enumerate(users) if uw.cadre == g.leader)].grants.append(
            GrantW("working_group_leader", g.responsible)
        )
    for uw in users:  # one unrevoked grant per (user, role, org), as the database requires
        kept: dict[tuple[str, int], GrantW] = {}
        for g in uw.grants:
            kept.setdefault((g.role, g.at) if g.state != "REVOKED" else (g.role, -1 - len(kept)), g)
        uw.grants = list(kept.values())
    permissions = set(default_lines()) | set(
        draw(st.lists(st.sampled_from(EXTRA_PERMISSIONS), max_size=2))
    )
    rules = {
        (r["role"], r["field"]): (r["max_distance"], r["minors"]) for r in default_field_rules()
    }
    for role, fld, dist, minors in draw(
        st.lists(
            st.tuples(
                st.sampled_from(ROLES), st.sampled_from(GUARDED), st.integers(0, 3), st.booleans()
            ),
            max_size=3,
        )
    ):
        rules[(role, fld)] = (dist, minors)
    principals = draw(
        st.lists(
            st.integers(min_value=0, max_value=len(users) - 1), min_size=1, max_size=3, unique=True
        )
    )
    return World(
        parents, active, cadres, youth, users, links, logs, voices, wishes, groups, posts,
        discussions, secretaries, permissions, rules, principals,
    )  # fmt: skip


# ---------------------------------------------------------------- into the database


@dataclass
class Built:
    """The world as stored: database ids of every indexed thing, and the reverse map from
    global ids to (type name, index)."""

    orgs: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    cadres: list[int] = field(default_factory=list)
    youth: list[int] = field(default_factory=list)
    mobiles: list[str] = field(default_factory=list)
    births: list[date | None] = field(default_factory=list)
    grants: list[tuple[int, int, GrantW]] = field(default_factory=list)  # db id, user, grant
    links: list[int] = field(default_factory=list)
    logs: list[int] = field(default_factory=list)
    voices: list[int] = field(default_factory=list)
    wishes: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)
    discussions: list[int] = field(default_factory=list)
    flags: list[tuple[int, int]] = field(default_factory=list)  # db id, log index
    check_items: list[tuple[int, int]] = field(default_factory=list)  # check index, log index
    contributions: list[tuple[bool, int]] = field(default_factory=list)  # round closed, cadre
    index: dict[str, tuple[str, int]] = field(default_factory=dict)

    def note(self, type_name: str, pk: int, i: int) -> None:
        self.index[gid(type_name, pk)] = (type_name, i)


def _birth(age: int | None) -> date | None:
    if age is None:
        return None
    today = datetime.now(UTC).date()
    return date(today.year - age, 1, 1) if today.month > 2 else date(today.year - age - 1, 7, 1)


async def build(services, world: World) -> Built:  # type: ignore[no-untyped-def]
    """Rows as the application would have written them (tenant columns from the owner)."""
    b = Built()
    tree = Tree(services)
    for i, p in enumerate(world.parents):
        org = await tree.add(str(i), None if p is None else str(p), list(OrgLevel)[world.depth(i)])
        b.orgs.append(org.id)
        b.note("Org", org.id, i)
    orgs = [tree[str(i)] for i in range(len(world.parents))]
    now = datetime.now(UTC)

    def tenant(node: int) -> dict[str, object]:
        o = orgs[node]
        return {"org_id": o.id, "org_path": o.path, "city_id": o.city_id}

    async with services.sessionmaker() as s:
        await s.execute(
            sa.update(sa.table("orgs", sa.column("id"), sa.column("is_active")))
            .where(sa.column("id").in_([b.orgs[i] for i, a in enumerate(world.active) if not a]))
            .values(is_active=False)
        )
        for role, obj, act in world.permissions - set(default_lines()):
            s.add(RolePermission(role=role, object=obj, action=act))
        await s.execute(sa.delete(FieldRule))
        for (role, fld), (dist, minors) in world.field_rules.items():
            s.add(FieldRule(role=role, object="youth", field=fld, max_distance=dist, minors=minors))
        for u, uw in enumerate(world.users):
            yw = world.youth[uw.youth] if uw.youth is not None else None
            user = User(
                username=None if yw else f"u{u}",
                mobile=f"1380000{uw.youth:04d}" if yw else None,
                display_name=f"u{u}",
                password_hash=None if yw else password_hash(),
            )
            s.add(user)
            await s.flush()
            b.users.append(user.id)
            b.note("User", user.id, u)
        for c, cw in enumerate(world.cadres):
            u = next(u for u, uw in enumerate(world.users) if uw.cadre == c)
            row = Cadre(
                user_id=b.users[u],
                name=f"c{c}",
                kind=CadreKind.FULL_TIME,
                is_active=cw.active,
                **tenant(cw.at),
            )
            s.add(row)
            await s.flush()
            b.cadres.append(row.id)
            b.note("Cadre", row.id, c)
        for y, yw in enumerate(world.youth):
            owner = next((u for u, uw in enumerate(world.users) if uw.youth == y), None)
            b.mobiles.append(f"1380000{y:04d}")
            b.births.append(_birth(yw.age))
            row = Youth(
                user_id=b.users[owner] if owner is not None else None,
                name=f"y{y}",
                mobile=b.mobiles[y],
                birth_date=b.births[y],
                **tenant(yw.at),
            )
            s.add(row)
            await s.flush()
            b.youth.append(row.id)
            b.note("Youth", row.id, y)
        for u, uw in enumerate(world.users):
            for gw in uw.grants:
                window = {
                    "REVOKED": {"revoked_at": now - timedelta(days=1)},
                    "EXPIRED": {
                        "starts_at": now - timedelta(days=9),
                        "ends_at": now - timedelta(days=1),
                    },
                    "FUTURE": {
                        "starts_at": now + timedelta(days=1),
                        "ends_at": now + timedelta(days=9),
                    },
                    "DELEGATED": {
                        "starts_at": now - timedelta(days=1),
                        "ends_at": now + timedelta(days=9),
                        "delegated_by": b.users[0],
                    },
                }.get(gw.state, {})
                g = Grant(user_id=b.users[u], role=gw.role, **tenant(gw.at), **window)
                s.add(g)
                await s.flush()
                b.note("Grant", g.id, len(b.grants))
                b.grants.append((g.id, u, gw))
            for fg in uw.field_grants:
                s.add(
                    FieldGrant(
                        user_id=b.users[u], object="youth", field=fg.field, minors=fg.minors, reason="r",
                        revoked_at=None if fg.live else now - timedelta(days=1), **tenant(fg.at),
                    )
                )  # fmt: skip
        for k, (c, y, status) in enumerate(world.links):
            link = Contact(
                cadre_id=b.cadres[c],
                youth_id=b.youth[y],
                status=status,
                accepted_at=now if status != "INVITED" else None,
                left_at=now if status == "LEFT" else None,
                **tenant(world.cadre_org(c)),
            )
            s.add(link)
            await s.flush()
            b.links.append(link.id)
            b.note("Contact", link.id, k)
        for k, (c, y, deleted) in enumerate(world.logs):
            log = WorkLog(
                cadre_id=b.cadres[c],
                kind="CONTACT" if y is not None else "ACTIVITY",
                youth_id=b.youth[y] if y is not None else None,
                channel="PHONE" if y is not None else None,
                activity_kind=None if y is not None else "VOLUNTEER",
                content=f"log {k}",
                occurred_at=now - timedelta(hours=k + 1),
                deleted_at=now if deleted else None,
                deleted_reason="x" if deleted else None,
                **tenant(world.cadre_org(c)),
            )
            s.add(log)
            await s.flush()
            b.logs.append(log.id)
            b.note("WorkLog", log.id, k)
            if k % 2 == 0:  # every other log carries a flag (a Flag is tenant-owned by the log)
                flag = Flag(
                    log_id=log.id,
                    cadre_id=b.cadres[c],
                    kind="BURST",
                    status="OPEN",
                    **tenant(world.cadre_org(c)),
                )
                s.add(flag)
                await s.flush()
                b.flags.append((flag.id, k))
                b.note("Flag", flag.id, k)
        for k, (y, c, at) in enumerate(world.voices):
            voice = Voice(
                youth_id=b.youth[y],
                cadre_id=b.cadres[c] if c is not None else None,
                kind="OPINION",
                title=f"v{k}",
                body="b",
                status="OPEN",
                **tenant(world.cadre_org(c) if c is not None else at),
            )
            s.add(voice)
            await s.flush()
            b.voices.append(voice.id)
            b.note("Voice", voice.id, k)
        for k, (y, c, pool) in enumerate(world.wishes):
            wish = Wish(
                youth_id=b.youth[y],
                cadre_id=b.cadres[c],
                category="LIFE",
                title=f"w{k}",
                description="d",
                status="ESCALATED" if pool is not None else "SUBMITTED",
                pool_org_id=b.orgs[pool] if pool is not None else None,
                pool_org_path=orgs[pool].path if pool is not None else None,
                **tenant(world.cadre_org(c)),
            )
            s.add(wish)
            await s.flush()
            b.wishes.append(wish.id)
            b.note("Wish", wish.id, k)
        for k, g in enumerate(world.groups):
            group = WorkingGroup(
                name=f"g{k}",
                leader_cadre_id=b.cadres[g.leader],
                responsible_org_id=b.orgs[g.responsible],
                is_active=g.active,
                **tenant(g.at),
            )
            s.add(group)
            await s.flush()
            for m in g.members:
                s.add(WorkingGroupMember(group_id=group.id, cadre_id=b.cadres[m]))
            b.groups.append(group.id)
            b.note("WorkingGroup", group.id, k)
        for c, secretary in world.secretaries:
            s.add(
                SecretaryContact(
                    cadre_id=b.cadres[c],
                    secretary_cadre_id=b.cadres[secretary],
                    **tenant(world.cadre_org(c)),
                )
            )
        for k, (c, at) in enumerate(world.posts):
            post = Post(
                cadre_id=b.cadres[c],
                audience="SUBTREE" if at is not None else "MY_YOUTH",
                title=f"p{k}",
                **tenant(at if at is not None else world.cadre_org(c)),
            )
            s.add(post)
            await s.flush()
            b.posts.append(post.id)
            b.note("Post", post.id, k)
        for k, c in enumerate(world.discussions):
            d = Discussion(cadre_id=b.cadres[c], title=f"d{k}", **tenant(world.cadre_org(c)))
            s.add(d)
            await s.flush()
            b.discussions.append(d.id)
            b.note("Discussion", d.id, k)
            # A reminder in the same cadre's inbox (the daily job's; one per cadre and period).
            r = Reminder(
                cadre_id=b.cadres[c],
                kind=ReminderKind.FIVE_ONES_DUE,
                period=f"p{k}",
                due_on=date(2026, 12, 31),
                message=f"r{k}",
                **tenant(world.cadre_org(c)),
            )
            s.add(r)
            await s.flush()
            b.note("Reminder", r.id, k)
        await _build_checking(s, world, b, orgs, now)
        await _build_stories(s, world, b, orgs, now)
        await s.commit()
    await services.listener.reload()  # the policy store reads the permissions and rules
    return b


async def _build_checking(s, world: World, b: Built, orgs, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Spot checks with their items and the tied field grant, a published bulletin with its
    lines, and two assessment rounds (one closed) of the root over its children."""

    def tenant(node: int) -> dict[str, object]:
        o = orgs[node]
        return {"org_id": o.id, "org_path": o.path, "city_id": o.city_id}

    for k, ch in enumerate(world.checks()):
        check = SpotCheck(
            method="PHONE",
            seed=k,
            sample_size=len(ch.items),
            period_start=now.date() - timedelta(days=30),
            period_end=now.date(),
            created_by=b.users[ch.drawer],
            checker_id=b.users[ch.checker],
            ends_at=now + timedelta(days=7),
            closed_at=now if ch.over else None,
            **tenant(ch.at),
        )
        s.add(check)
        await s.flush()
        b.note("SpotCheck", check.id, k)
        for logk in ch.items:
            c = world.logs[logk][0]
            item = SpotCheckItem(
                check_id=check.id,
                log_id=b.logs[logk],
                stratum_org_id=orgs[world.cadre_org(c)].id,
                org_path=orgs[world.cadre_org(c)].path,
            )
            s.add(item)
            await s.flush()
            b.note("SpotCheckItem", item.id, len(b.check_items))
            b.check_items.append((k, logk))
        s.add(
            FieldGrant(
                user_id=b.users[ch.checker], object="youth", field="mobile", minors=True,
                reason="r", spot_check_id=check.id, ends_at=check.ends_at,
                revoked_at=now if ch.over else None, **tenant(ch.at),
            )
        )  # fmt: skip
    bulletin = Bulletin(
        year=now.year, quarter=1, rows=[], published=True, published_at=now, **tenant(0)
    )
    s.add(bulletin)
    await s.flush()
    for j, child in enumerate(world.bulletin_lines()):
        line = BulletinLine(
            bulletin_id=bulletin.id, year=now.year, quarter=1, published_at=now,
            figures={"org_id": b.orgs[child], "cadres": 1}, **tenant(child),
        )  # fmt: skip
        s.add(line)
        await s.flush()
        b.note("BulletinLine", line.id, j)
    version = await s.scalar(sa.select(RubricVersion.id).where(RubricVersion.number == 1))
    assert version is not None  # seeded, published
    draft = RubricVersion(number=2, items=[], note="草稿")
    s.add(draft)
    await s.flush()
    b.note("RubricVersion", version, 0)
    b.note("RubricVersion", draft.id, 1)
    for half, closed in (("MID_YEAR", True), ("YEAR_END", False)):
        r = AssessmentRound(
            year=now.year, half=half, closed=closed, rubric_version_id=version, **tenant(0)
        )
        s.add(r)
        await s.flush()
        for c, cw in enumerate(world.cadres):  # each cadre behind its city-level ancestor's 4.1
            assessed = next(
                (child for child in world.bulletin_lines() if world.under(cw.at, child)), None
            )
            if assessed is None:
                continue
            row = AssessmentContribution(
                round_id=r.id, assessed_org_id=b.orgs[assessed], item="4.1", subject="CADRE",
                cadre_id=b.cadres[c], achieved=1, possible=2, **tenant(cw.at),
            )  # fmt: skip
            s.add(row)
            await s.flush()
            b.note("AssessmentContribution", row.id, len(b.contributions))
            b.contributions.append((closed, c))
        for child in world.bulletin_lines():
            s.add(
                AssessmentScore(
                    round_id=r.id, org_id=b.orgs[child], org_path=orgs[child].path,
                    item="3", points=5, evidence="e",
                )
            )  # fmt: skip


async def _build_stories(s, world: World, b: Built, orgs, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """A 最美青春故事 campaign; each nomination of `world.nominations()` with one PDF. None
    in a world without nominations (its walk, and the random ids it picks, stay as they were)."""
    if not world.nominations():
        return
    campaign = Campaign(
        kind=CampaignKind.YOUTH_STORY, year=now.year, title="最美青春故事",
        starts_on=now.date(), ends_on=now.date(), phases=[], selection={},
    )  # fmt: skip
    s.add(campaign)
    await s.flush()
    b.note("Campaign", campaign.id, 0)
    for j, (c, county) in enumerate(world.nominations()):
        o = orgs[county]
        tenant = {"org_id": o.id, "org_path": o.path, "city_id": o.city_id}
        n = Nomination(
            campaign_id=campaign.id, cadre_id=b.cadres[c], nominee_name=f"c{c}", form="ESSAY",
            title="t", story="s", level="CITY", status=NominationStatus.PENDING, **tenant,
        )  # fmt: skip
        s.add(n)
        await s.flush()
        b.note("Nomination", n.id, j)
        e = Evidence(
            nomination_id=n.id, filename="f.pdf", content_type="application/pdf", size=5,
            sha256="0" * 64, content=b"%PDF-", uploaded_by=b.users[0], **tenant,
        )  # fmt: skip
        s.add(e)
        await s.flush()
        b.note("Evidence", e.id, j)


# ---------------------------------------------------------------- the model (VISIBILITY.md)


@dataclass
class Model:
    """What principal `u` may see in `world`, rule by rule as VISIBILITY.md states it."""

    world: World
    u: int

    @property
    def me(self) -> UserW:
        return self.world.users[self.u]

    @property
    def own_cadre(self) -> int | None:
        c = self.me.cadre
        return c if c is not None and self.world.cadres[c].active else None

    @property
    def own_youth(self) -> int | None:
        return self.me.youth

    def live_grants(self) -> list[GrantW]:
        return [g for g in self.me.grants if g.state in ("LIVE", "DELEGATED")]

    def allows(self, role: str, obj: str, act: str) -> bool:
        return (role, obj, act) in self.world.permissions

    def in_scope(self, obj: str, act: str, node: int | None) -> bool:
        """Is `node` in S(obj, act)?"""
        return node is not None and any(
            self.allows(g.role, obj, act) and self.world.under(node, g.at)
            for g in self.live_grants()
        )

    def link(self, c: int | None, y: int | None, *statuses: str) -> bool:
        return any((c, y, status) in self.world.links for status in statuses or ("ACTIVE",))

    def active_link(self, c: int | None, y: int | None) -> bool:
        return c is not None and y is not None and self.link(c, y)

    def in_my_groups(self, c: int) -> bool:
        """A fellow leader or member of an ACTIVE working group the caller leads or is in."""
        mine = self.own_cadre
        if mine is None:
            return False
        return any(
            g.active
            and (g.leader == mine or mine in g.members)
            and (g.leader == c or c in g.members)
            for g in self.world.groups
        )

    # one predicate per entity, as the contract's table
    def org(self, i: int) -> bool:
        return self.in_scope("org", "view", i)

    def cadre(self, c: int) -> bool:
        w = self.world
        return (
            self.in_scope("cadre", "view", w.cadres[c].at)
            or self.in_scope("work", "view", w.cadres[c].at)
            or c == self.own_cadre
            or (self.own_youth is not None and self.link(c, self.own_youth, "ACTIVE", "INVITED"))
            or self.in_my_groups(c)
            or (self.own_cadre, c) in w.secretaries
        )

    def youth(self, y: int) -> bool:
        return (
            self.in_scope("youth", "view", self.world.youth[y].at)
            or y == self.own_youth
            or self.active_link(self.own_cadre, y)
        )

    def contact(self, k: int) -> bool:
        c, y, _ = self.world.links[k]
        return (
            c == self.own_cadre
            or y == self.own_youth
            or self.in_scope("work", "view", self.world.cadre_org(c))
        )

    def work_log(self, k: int) -> bool:
        """The walker never asks for deleted logs (includeDeleted), so they are not shown."""
        c, y, deleted = self.world.logs[k]
        return (
            self.in_scope("work", "view", self.world.cadre_org(c))
            or c == self.own_cadre
            or (y is not None and y == self.own_youth)
            or self.sampled_for_me(k)
        ) and not deleted

    def above(self, obj: str, act: str, node: int) -> bool:
        """(obj, act) at a strict ancestor of `node`."""
        parent = self.world.parents[node]
        return parent is not None and self.in_scope(obj, act, parent)

    def check_whole(self, k: int) -> bool:
        ch = self.world.checks()[k]
        return (
            ch.drawer == self.u
            or (ch.checker == self.u and not ch.over)
            or self.above("work", "approve", ch.at)
        )

    def finding_in_scope(self, logk: int) -> bool:
        return self.in_scope("work", "view", self.world.cadre_org(self.world.logs[logk][0]))

    def spot_check(self, k: int) -> bool:
        ch = self.world.checks()[k]
        return self.check_whole(k) or (
            ch.over
            and (
                self.in_scope("work", "view", ch.at)
                or any(self.finding_in_scope(logk) for logk in ch.items)
            )
        )

    def spot_check_item(self, j: int, built: Built) -> bool:
        k, logk = built.check_items[j]
        return self.check_whole(k) or (self.world.checks()[k].over and self.finding_in_scope(logk))

    def sampled_for_me(self, logk: int) -> bool:
        """A log in the sample of a running check this principal works."""
        return any(
            ch.checker == self.u and not ch.over and logk in ch.items for ch in self.world.checks()
        )

    def assessment_contribution(self, j: int, built: Built) -> bool:
        """The assessing org (the root's round: S(work, view) at the root); once the round is
        closed, S(work, view) at the subject's (the cadre's) org."""
        closed, c = built.contributions[j]
        return self.in_scope("work", "view", 0) or (
            closed and self.in_scope("work", "view", self.world.cadre_org(c))
        )

    def rubric_version(self, i: int) -> bool:
        """The published version (0): S(quota, view) anywhere; the draft (1): only with
        S(quota, manage) at the root (the province)."""
        views = any(self.allows(g.role, "quota", "view") for g in self.live_grants())
        return self.in_scope("quota", "manage", 0) or (i == 0 and views)

    def campaign(self) -> bool:
        """Campaigns hold for the whole province: whoever may view campaigns anywhere."""
        return any(self.allows(g.role, "campaign", "view") for g in self.live_grants())

    def nomination(self, j: int) -> bool:
        """S(campaign, view) at the nominating county; its materials likewise."""
        return self.in_scope("campaign", "view", self.world.nominations()[j][1])

    def bulletin_line(self, j: int) -> bool:
        child = self.world.bulletin_lines()[j]
        return self.in_scope("work", "view", child) or self.in_scope("work", "view", 0)

    def flag(self, k: int) -> bool:
        return self.in_scope("work", "view", self.world.cadre_org(self.world.logs[k][0]))

    def voice(self, k: int) -> bool:
        y, c, at = self.world.voices[k]
        path = self.world.cadre_org(c) if c is not None else at
        return (
            self.in_scope("voice", "view", path)
            or y == self.own_youth
            or (c is not None and c == self.own_cadre)
        )

    def wish(self, k: int) -> bool:
        y, c, pool = self.world.wishes[k]
        return (
            self.in_scope("wish", "view", self.world.cadre_org(c))
            or y == self.own_youth
            or c == self.own_cadre
            or self.in_scope("wish", "manage", pool)
        )

    def working_group(self, k: int) -> bool:
        g = self.world.groups[k]
        mine = self.own_cadre
        return self.in_scope("group", "view", g.at) or (
            mine is not None and (g.leader == mine or mine in g.members)
        )

    def post(self, k: int) -> bool:
        c, at = self.world.posts[k]
        y = self.own_youth
        if at is None:
            in_feed = y is not None and self.active_link(c, y)
        else:
            in_feed = y is not None and self.world.under(self.world.youth[y].at, at)
        path = at if at is not None else self.world.cadre_org(c)
        return self.in_scope("post", "view", path) or c == self.own_cadre or in_feed

    def reminder(self, k: int) -> bool:
        """Its cadre's alone (authz/visibility.py), put there beside discussion k."""
        return self.world.discussions[k] == self.own_cadre

    def discussion(self, k: int) -> bool:
        c = self.world.discussions[k]
        return c == self.own_cadre or self.active_link(c, self.own_youth)

    def grant(self, k: int, built: Built) -> bool:
        _, owner, gw = built.grants[k]
        return self.in_scope("grant", "view", gw.at) or owner == self.u

    def user(self, u: int, built: Built) -> bool:
        uw = self.world.users[u]
        return (
            u == self.u
            or (uw.cadre is not None and self.cadre(uw.cadre))
            or (uw.youth is not None and self.youth(uw.youth))
            or any(  # a grant in S(grant, view), live or not: who held rights there
                owner == u and self.in_scope("grant", "view", gw.at)
                for _, owner, gw in built.grants
            )
            # who delegated to me (every DELEGATED grant of the world comes from user 0)
            or (u == 0 and any(g.state == "DELEGATED" for g in self.me.grants))
        )

    def visible(self, type_name: str, i: int, built: Built) -> bool:
        """Entry point by type name: the walker asks this for every (typename, id) it sees."""
        match type_name:
            case "Org":
                return self.org(i)
            case "Cadre":
                return self.cadre(i)
            case "Youth":
                return self.youth(i)
            case "Contact":
                return self.contact(i)
            case "WorkLog":
                return self.work_log(i)
            case "Flag":
                return self.flag(i)
            case "Voice":
                return self.voice(i)
            case "Wish":
                return self.wish(i)
            case "WorkingGroup":
                return self.working_group(i)
            case "Post":
                return self.post(i)
            case "Discussion":
                return self.discussion(i)
            case "Reminder":
                return self.reminder(i)
            case "Grant":
                return self.grant(i, built)
            case "User":
                return self.user(i, built)
            case "SpotCheck":
                return self.spot_check(i)
            case "SpotCheckItem":
                return self.spot_check_item(i, built)
            case "BulletinLine":
                return self.bulletin_line(i)
            case "AssessmentContribution":
                return self.assessment_contribution(i, built)
            case "RubricVersion":
                return self.rubric_version(i)
            case "Campaign":
                return self.campaign()
            case "Nomination" | "Evidence":
                return self.nomination(i)
        raise KeyError(type_name)

    # guarded fields
    def whole(self, y: int, fld: str) -> bool:
        """Is the youth's guarded field shown whole to this principal?"""
        w = self.world
        at, minor = w.youth[y].at, w.youth[y].age is not None and w.youth[y].age < 18  # type: ignore[operator]
        if y == self.own_youth or self.active_link(self.own_cadre, y):
            return True
        for g in self.live_grants():
            rule = w.field_rules.get((g.role, fld))
            if (
                rule
                and self.allows(g.role, "youth", "view_personal")
                and w.under(at, g.at)
                and w.depth(at) - w.depth(g.at) <= rule[0]
                and (rule[1] or not minor)
            ):
                return True
        return any(
            f.live and f.field == fld and w.under(at, f.at) and (f.minors or not minor)
            for f in self.me.field_grants
        )

    # counts (Org.childCount, descendantCount, cadreCount, youthCount)
    def org_counts(self, i: int) -> dict[str, int]:
        w = self.world
        n = len(w.parents)
        desc = [j for j in range(n) if j != i and w.under(j, i) and w.active[j] and self.org(j)]
        return {
            "childCount": sum(1 for j in desc if w.parents[j] == i),
            "descendantCount": len(desc),
            "cadreCount": sum(
                1
                for c, cw in enumerate(w.cadres)
                if cw.active and w.under(cw.at, i) and self.cadre(c)
            ),
            "youthCount": sum(
                1 for y, yw in enumerate(w.youth) if w.under(yw.at, i) and self.youth(y)
            ),
        }
