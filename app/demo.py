"""The demo province: Shaanxi's 13 city-level units and their real counties, grassroots
committees and branches, provincial work committees and universities, cadres of all three
kinds, youth with industries, and one login per role. Deterministic: same ids every time."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.partitions import split_cities
from app.settings import get_settings
from models import (
    ActivityKind,
    Cadre,
    CadreKind,
    Channel,
    Contact,
    ContactStatus,
    Grant,
    LogKind,
    Org,
    OrgKind,
    OrgLevel,
    PointEntry,
    PointSource,
    User,
    WorkLog,
    Youth,
)
from models.defaults import CADRE_KINDS, ORGAN_KINDS

DEMO_PASSWORD = "Demo@2017"

CITIES: list[tuple[str, list[str]]] = [
    (
        "西安市",
        [
            "新城区",
            "碑林区",
            "莲湖区",
            "灞桥区",
            "未央区",
            "雁塔区",
            "阎良区",
            "临潼区",
            "长安区",
            "高陵区",
            "鄠邑区",
            "蓝田县",
            "周至县",
        ],
    ),
    ("铜川市", ["王益区", "印台区", "耀州区", "宜君县"]),
    (
        "宝鸡市",
        [
            "渭滨区",
            "金台区",
            "陈仓区",
            "凤翔区",
            "岐山县",
            "扶风县",
            "眉县",
            "陇县",
            "千阳县",
            "麟游县",
            "凤县",
            "太白县",
        ],
    ),
    (
        "咸阳市",
        [
            "秦都区",
            "渭城区",
            "三原县",
            "泾阳县",
            "乾县",
            "礼泉县",
            "永寿县",
            "长武县",
            "旬邑县",
            "淳化县",
            "武功县",
            "兴平市",
            "彬州市",
        ],
    ),
    (
        "渭南市",
        [
            "临渭区",
            "华州区",
            "潼关县",
            "大荔县",
            "合阳县",
            "澄城县",
            "蒲城县",
            "白水县",
            "富平县",
            "华阴市",
        ],
    ),
    (
        "延安市",
        [
            "宝塔区",
            "安塞区",
            "延长县",
            "延川县",
            "志丹县",
            "吴起县",
            "甘泉县",
            "富县",
            "洛川县",
            "宜川县",
            "黄龙县",
            "黄陵县",
            "子长市",
        ],
    ),
    (
        "汉中市",
        [
            "汉台区",
            "南郑区",
            "城固县",
            "洋县",
            "西乡县",
            "勉县",
            "宁强县",
            "略阳县",
            "镇巴县",
            "留坝县",
            "佛坪县",
        ],
    ),
    (
        "榆林市",
        [
            "榆阳区",
            "横山区",
            "府谷县",
            "靖边县",
            "定边县",
            "绥德县",
            "米脂县",
            "佳县",
            "吴堡县",
            "清涧县",
            "子洲县",
            "神木市",
        ],
    ),
    (
        "安康市",
        [
            "汉滨区",
            "汉阴县",
            "石泉县",
            "宁陕县",
            "紫阳县",
            "岚皋县",
            "平利县",
            "镇坪县",
            "白河县",
            "旬阳市",
        ],
    ),
    ("商洛市", ["商州区", "洛南县", "丹凤县", "商南县", "山阳县", "镇安县", "柞水县"]),
    ("杨凌示范区", ["杨陵区"]),
    ("西咸新区", ["沣东新城", "沣西新城", "秦汉新城", "空港新城", "泾河新城"]),
    ("韩城市", ["新城街道", "金城街道", "龙门镇"]),
]
WORK_COMMITTEES = [
    ("省直机关团工委", OrgKind.WORK_COMMITTEE),
    ("省国资委团工委", OrgKind.ENTERPRISE),
    ("省教育工委团工委", OrgKind.WORK_COMMITTEE),
    ("驻京团工委", OrgKind.ABROAD),
]
UNIVERSITIES = [
    "西北大学团委",
    "西安交通大学团委",
    "西北工业大学团委",
    "陕西师范大学团委",
    "长安大学团委",
    "西北农林科技大学团委",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉斌宇浩凯晨阳雪琳婷欣怡佳悦博文轩睿"
)
INDUSTRIES = [
    "制造业",
    "农业",
    "教育",
    "信息技术",
    "金融",
    "医疗卫生",
    "建筑业",
    "交通运输",
    "批发零售",
    "住宿餐饮",
    "文化创意",
    "公共管理",
    "在校学生",
    "新就业形态",
    "自由职业",
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    login: str
    secret: str
    where: str


DEMO_LOGINS = [
    DemoLogin("province_admin 团省委管理员", "admin", DEMO_PASSWORD, "共青团陕西省委"),
    DemoLogin("city_admin 市级管理员", "xian_admin", DEMO_PASSWORD, "共青团西安市委"),
    DemoLogin("county_admin 县级管理员", "yanta_admin", DEMO_PASSWORD, "共青团西安市雁塔区委"),
    DemoLogin("working_group_leader 工作小组组长", "baoji_group", DEMO_PASSWORD, "共青团宝鸡市委"),
    DemoLogin("cadre 团干部", "cadre_demo", DEMO_PASSWORD, "共青团西安市雁塔区委"),
    DemoLogin("auditor 审计员", "auditor", DEMO_PASSWORD, "共青团陕西省委"),
    DemoLogin("policy_admin 权限管理员", "policy_admin", DEMO_PASSWORD, "共青团陕西省委"),
    DemoLogin(
        "youth 小伙伴（手机验证码）", "13800000001", "验证码见 sms_outbox 表或服务日志", "雁塔区"
    ),
]


class _Builder:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self.rng = random.Random(2017)
        self.next_id = 1
        self.orgs: list[Org] = []
        self.pw = PasswordHasher().hash(DEMO_PASSWORD)
        self.mobile_seq = 0

    def org(
        self,
        parent: Org | None,
        name: str,
        level: OrgLevel,
        kind: OrgKind,
        code: str,
        leading: bool = False,
    ) -> Org:
        oid = self.next_id
        self.next_id += 1
        path = f"{parent.path}.{oid}" if parent else str(oid)
        city_id = oid if level in (OrgLevel.CITY, OrgLevel.PROVINCE) else parent.city_id  # type: ignore[union-attr]
        org = Org(
            id=oid,
            parent_id=parent.id if parent else None,
            path=path,
            code=code,
            name=name,
            level=level,
            kind=kind,
            is_leading_organ=leading,
            is_active=True,
            city_id=city_id,
        )
        self.orgs.append(org)
        return org

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2))
        )


async def empty_database(conn: AsyncConnection) -> None:
    """Every table emptied, then the default roles, templates, field rules, quotas, point
    rules and rubric, as a fresh migration leaves them."""
    from authz.defaults import field_rule_statements, sync_statements
    from models import metadata
    from models.defaults import rubric_seed_statement, seed_statements

    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    await conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    seeds = [*seed_statements(), rubric_seed_statement()]
    for stmt in [*sync_statements(), *field_rule_statements(), *seeds]:
        await conn.execute(stmt)


async def seed_demo(session: AsyncSession) -> bool:
    """Load the demo province into an empty database; returns False if there was data."""
    if await session.scalar(sa.select(sa.func.count()).select_from(Org)):
        return False
    b = _Builder(session)
    province = b.org(None, "共青团陕西省委", OrgLevel.PROVINCE, OrgKind.REGIONAL, "61", True)
    county_of: dict[str, Org] = {}
    city_of: dict[str, Org] = {}
    for ci, (city_name, counties) in enumerate(CITIES, start=1):
        city_code = f"61{ci:02d}"
        city = b.org(
            province, f"共青团{city_name}委", OrgLevel.CITY, OrgKind.REGIONAL, city_code, True
        )
        city_of[city_name] = city
        for ki, county_name in enumerate(counties, start=1):
            county_code = f"{city_code}{ki:02d}"
            county = b.org(
                city,
                f"共青团{city_name}{county_name}委",
                OrgLevel.COUNTY,
                OrgKind.REGIONAL,
                county_code,
                True,
            )
            county_of[county_name] = county
            for gi, (suffix, kind) in enumerate(
                [("街道团工委", OrgKind.COMMUNITY), ("中学团委", OrgKind.SCHOOL)], start=1
            ):
                g = b.org(
                    county,
                    f"{county_name}第{gi}{suffix}",
                    OrgLevel.GRASSROOTS,
                    kind,
                    f"{county_code}{gi:02d}",
                )
                for bi in range(1, 3):
                    b.org(
                        g,
                        f"{g.name}第{bi}团支部",
                        OrgLevel.BRANCH,
                        kind,
                        f"{county_code}{gi:02d}{bi:02d}",
                    )
    for wi, (name, kind) in enumerate(WORK_COMMITTEES, start=1):
        w = b.org(province, name, OrgLevel.GRASSROOTS, kind, f"61W{wi:02d}")
        b.org(w, f"{name}机关团支部", OrgLevel.BRANCH, kind, f"61W{wi:02d}01")
    for ui, name in enumerate(UNIVERSITIES, start=1):
        u = b.org(province, name, OrgLevel.GRASSROOTS, OrgKind.UNIVERSITY, f"61U{ui:02d}")
        for di, dept in enumerate(["文学院", "计算机学院"], start=1):
            gb = b.org(
                u,
                f"{name.removesuffix('团委')}{dept}团总支",
                OrgLevel.GENERAL_BRANCH,
                OrgKind.UNIVERSITY,
                f"61U{ui:02d}{di:02d}",
            )
            b.org(
                gb,
                f"{gb.name.removesuffix('团总支')}2026级团支部",
                OrgLevel.BRANCH,
                OrgKind.UNIVERSITY,
                f"61U{ui:02d}{di:02d}01",
            )
    session.add_all(b.orgs)
    await session.flush()
    await session.execute(sa.text("SELECT setval('orgs_id_seq', (SELECT max(id) FROM orgs))"))

    people = _People(b)
    people.cadre(
        province, CadreKind.FULL_TIME, "组织部部长", "admin", "陈省管", ("province_admin",)
    )
    people.cadre(province, CadreKind.FULL_TIME, "审计专员", "auditor", "审小计", ("auditor",))
    people.cadre(
        province, CadreKind.FULL_TIME, "权限管理员", "policy_admin", "权小管", ("policy_admin",)
    )
    xian, baoji, yanta = city_of["西安市"], city_of["宝鸡市"], county_of["雁塔区"]
    people.cadre(xian, CadreKind.FULL_TIME, "副书记", "xian_admin", "李西安", ("city_admin",))
    people.cadre(
        baoji,
        CadreKind.FULL_TIME,
        "工作小组组长",
        "baoji_group",
        "周宝鸡",
        ("working_group_leader",),
    )
    people.cadre(yanta, CadreKind.FULL_TIME, "书记", "yanta_admin", "王雁塔", ("county_admin",))
    people.cadre(yanta, CadreKind.SECONDED, "挂职副书记", "cadre_demo", DEMO_CADRE)
    people.youth(yanta, 1, name="刘小伙", mobile="13800000001", industry="信息技术")
    kinds = [CadreKind.FULL_TIME, CadreKind.SECONDED, CadreKind.PART_TIME]
    for org in b.orgs:
        if org.level in (OrgLevel.CITY, OrgLevel.COUNTY):
            for i, cadre_kind in enumerate(kinds):
                people.cadre(org, cadre_kind, ["书记", "挂职副书记", "兼职副书记"][i])
            people.youth(org, 4)
        elif org.level == OrgLevel.GRASSROOTS:
            people.cadre(org, CadreKind.PART_TIME, "团委书记")
            people.youth(org, 2)
    await people.insert(session)
    await _demo_work(session, b.rng)
    # Each city its own partition of the hot tables (docs/scale.md), as an operator would.
    await split_cities(await session.connection())
    return True


DEMO_CADRE = "张小干"


class _People:
    """Cadres (each with an account and grants) and youth, collected and then written in a
    few bulk statements: one round trip per table, not one per person."""

    def __init__(self, b: _Builder) -> None:
        self.b = b
        self.cadres: list[tuple[Org, CadreKind, str, str | None, str, tuple[str, ...]]] = []
        self.youths: list[dict[str, object]] = []

    def cadre(
        self,
        org: Org,
        kind: CadreKind,
        position: str,
        username: str | None = None,
        name: str | None = None,
        roles: tuple[str, ...] = (),
    ) -> None:
        self.cadres.append((org, kind, position, username, name or self.b.name(), roles))

    def youth(self, org: Org, n: int, **fixed: str) -> None:
        for _ in range(n):
            self.b.mobile_seq += 1
            row = {
                "name": self.b.name(),
                "mobile": f"139{self.b.mobile_seq:08d}",
                "industry": self.b.rng.choice(INDUSTRIES),
                **fixed,
            }
            self.youths.append({**row, **_tenant(org)})

    async def insert(self, session: AsyncSession) -> None:
        users = [
            {
                "username": username,
                "display_name": name,
                "password_hash": self.b.pw if username else None,
            }
            for _, _, _, username, name, _ in self.cadres
        ]
        user_ids = await _insert(session, User, users)
        cadre_rows = [
            {
                "user_id": uid,
                "name": name,
                "kind": kind,
                "position": position,
                "is_leading_organ_cadre": org.is_leading_organ,
                **_tenant(org),
            }
            for uid, (org, kind, position, _, name, _) in zip(user_ids, self.cadres, strict=True)
        ]
        await _insert(session, Cadre, cadre_rows)
        grants = [
            {"user_id": uid, "role": role, **_tenant(org)}
            for uid, (org, _, _, _, _, roles) in zip(user_ids, self.cadres, strict=True)
            for role in ("cadre", *roles)
        ]
        await _insert(session, Grant, grants)
        await _insert(session, Youth, self.youths)


def _tenant(org: Org) -> dict[str, object]:
    return {"org_id": org.id, "org_path": org.path, "city_id": org.city_id}


async def _insert(
    session: AsyncSession, model: type, rows: Sequence[Mapping[str, object]]
) -> list[int]:
    """Bulk insert; the new ids in the order of `rows`."""
    if not rows:
        return []
    # Core, not the ORM's bulk insert: that leaves out None values, so rows differ in shape
    # and go in batches of one or two.
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list((await session.execute(stmt, rows)).scalars())


# How far back the demo's work goes: a full year, so that every quarter's bulletin and
# report, and both halves' assessments, have figures (the current quarter so far too).
DEMO_DAYS = 365


async def _demo_work(session: AsyncSession, rng: random.Random) -> None:
    """Every cadre keeps in touch with the youth registered at their org (since before the
    year began), and has logged contacts and activities in each month of the last year,
    with the points they earned. The demo cadre completes their 五个一 every two months;
    leading organs' cadres log the organs' kinds. 刘小伙's link to the demo cadre waits for
    him to accept it."""
    now = datetime.now(UTC)
    start = now - timedelta(days=DEMO_DAYS)
    zone = ZoneInfo(get_settings().timezone)
    cadres = (await session.scalars(sa.select(Cadre).order_by(Cadre.id))).all()
    youth_by_org: dict[int, list[Youth]] = {}
    for y in (await session.scalars(sa.select(Youth).order_by(Youth.id))).all():
        youth_by_org.setdefault(y.org_id, []).append(y)
    contacts: list[dict[str, object]] = []
    logs: list[dict[str, object]] = []
    for c in cadres:
        mine = youth_by_org.get(c.org_id, [])[:5]
        tenant = {"org_id": c.org_id, "org_path": c.org_path, "city_id": c.city_id}
        for y in mine:
            pending = c.name == DEMO_CADRE and y.mobile == "13800000001"
            contacts.append(
                {
                    "cadre_id": c.id,
                    "youth_id": y.id,
                    "status": ContactStatus.INVITED if pending else ContactStatus.ACTIVE,
                    "invited_at": now if pending else start - timedelta(days=30),
                    "accepted_at": None if pending else start - timedelta(days=29),
                    **tenant,
                }
            )
        for month in range(12):
            opens = start + timedelta(days=month * DEMO_DAYS / 12)
            planned: list[str | None]
            if c.name == DEMO_CADRE:
                planned = list(CADRE_KINDS) if month % 2 == 0 else []
            else:
                planned = [None] * rng.randint(0, 3)
            for kind in planned:
                at = opens + timedelta(days=rng.uniform(0, 29), hours=rng.randint(0, 12))
                logs.append(_log(c, mine, at, kind, rng) | tenant)
    await _insert(session, Contact, contacts)
    log_ids = await _insert(session, WorkLog, logs)
    points = [
        {
            "cadre_id": log["cadre_id"],
            "source": PointSource.CONTACT_LOG
            if log["kind"] == LogKind.CONTACT
            else PointSource.ACTIVITY_LOG,
            "source_id": log_id,
            "points": 1 if log["kind"] == LogKind.CONTACT else 5,
            "day": log["occurred_at"].astimezone(zone).date(),  # type: ignore[attr-defined]
            "created_at": log["created_at"],
            "org_id": log["org_id"],
            "org_path": log["org_path"],
            "city_id": log["city_id"],
        }
        for log_id, log in zip(log_ids, logs, strict=True)
    ]
    await _insert(session, PointEntry, points)


def _log(
    c: Cadre, mine: list[Youth], at: datetime, kind: str | None, rng: random.Random
) -> dict[str, object]:
    """One work log at `at`, written down within the hour (as a cadre would)."""
    # Every row has the same keys: a bulk insert batches only rows of the same shape.
    written = {
        "occurred_at": at,
        "created_at": at + timedelta(minutes=40),
        "updated_at": at + timedelta(minutes=40),
        "youth_id": None,
        "channel": None,
        "activity_kind": None,
        "place": "",
        "for_organ": False,
    }
    if kind is None and mine and rng.random() < 0.6:
        y = rng.choice(mine)
        return written | {
            "cadre_id": c.id,
            "kind": LogKind.CONTACT,
            "youth_id": y.id,
            "channel": rng.choice(list(Channel)),
            "content": f"与{y.name}谈心，了解学习和就业情况",
            "participant_count": 1,
            "client": rng.choice(["WEB", "MOBILE"]),
        }
    organ = c.is_leading_organ_cadre and c.kind == CadreKind.FULL_TIME
    if kind is None:
        kind = rng.choice(ORGAN_KINDS if organ else CADRE_KINDS)
    return written | {
        "cadre_id": c.id,
        "kind": LogKind.ACTIVITY,
        "activity_kind": ActivityKind(kind),
        # The organ's cadres log the organ's activities as the organ's (§二.1).
        "for_organ": organ and kind in ORGAN_KINDS,
        "content": "组织小伙伴开展活动",
        "place": "社区活动中心",
        "participant_count": len(mine),
        "client": "WEB",
    }
