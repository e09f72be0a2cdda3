"""Reports (报送), bulletins (通报), campaigns (集中活动) and nominations, and the assessment (考核)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from models import AssessmentRound as RoundRow
from models import Bulletin as BulletinRow
from models import Campaign as CampaignRow
from models import CampaignKind, NominationStatus, ReportStatus, RoundHalf
from models import Nomination as NominationRow
from models import Report as ReportRow
from resolvers import assessment, bulletins, campaigns, downloads, reports
from schema.context import Info
from schema.orgs import Org, visible_org
from schema.people import Cadre
from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, pk, to_global_id


@strawberry.type(description="报送的一个版本（每次报送完整保留，附当时由数据计算的数字）")
class ReportVersion:
    version: int
    practices: str = strawberry.field(description="做法")
    experience: str = strawberry.field(description="经验")
    problems: str = strawberry.field(description="存在问题")
    next_steps: str = strawberry.field(description="下步工作安排")
    figures: JSON
    submitted_at: datetime


@strawberry.type(name="Report", description="市级团委的季度“五个一”报送")
class Report(Node):
    row: strawberry.Private[ReportRow]
    year: int
    quarter: int
    status: ReportStatus
    version: int
    late: bool = strawberry.field(description="是否晚于季度末报送")
    review_comment: str
    reviewed_at: datetime | None

    @classmethod
    def of(cls, r: ReportRow) -> Report:
        return cls(
            id=to_global_id("Report", r.id),
            row=r,
            year=r.year,
            quarter=r.quarter,
            status=r.status,
            version=r.version,
            late=r.late,
            review_comment=r.review_comment,
            reviewed_at=r.reviewed_at,
        )

    @strawberry.field
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(description="全部版本，旧的在前")
    async def versions(self, info: Info) -> list[ReportVersion]:
        return [
            ReportVersion(
                version=v.version,
                practices=v.practices,
                experience=v.experience,
                problems=v.problems,
                next_steps=v.next_steps,
                figures=JSON(v.figures),
                submitted_at=v.submitted_at,
            )
            for v in await reports.versions(info.context.ctx, self.row.id)
        ]


@strawberry.type(name="Bulletin", description="季度通报：发布后不可更改")
class Bulletin(Node):
    row: strawberry.Private[BulletinRow]
    year: int
    quarter: int
    published: bool
    published_at: datetime | None
    rows: JSON = strawberry.field(
        description="每个下级组织一行：团干部数、活跃数、积分、人均积分、联系小伙伴、五个一完成、满意度、抽查核实率、可疑标记"
    )

    @classmethod
    def of(cls, b: BulletinRow) -> Bulletin:
        return cls(
            id=to_global_id("Bulletin", b.id),
            row=b,
            year=b.year,
            quarter=b.quarter,
            published=b.published,
            published_at=b.published_at,
            rows=JSON(b.rows),
        )

    @strawberry.field
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)


@strawberry.enum(description="通报导出格式：XLSX 表格，HTML 可打印页面")
class BulletinFormat(Enum):
    XLSX = "XLSX"
    HTML = "HTML"


@strawberry.type(description="导出的通报：Base64 内容，或一次性下载链接")
class BulletinFile:
    filename: str
    content_base64: str
    download_url: str = strawberry.field(
        description="下载链接（相对于 API 地址，GET，无需登录头）：只能用一次，到 downloadExpiresAt 失效"
    )
    download_expires_at: datetime = strawberry.field(description="下载链接的失效时间")


@strawberry.type(name="Campaign", description="集中活动")
class Campaign(Node):
    row: strawberry.Private[CampaignRow]
    kind: CampaignKind
    year: int
    title: str
    starts_on: date
    ends_on: date
    phases: JSON
    selection: JSON = strawberry.field(description="最美青春故事：各级截止日期与名额")

    @classmethod
    def of(cls, c: CampaignRow) -> Campaign:
        return cls(
            id=to_global_id("Campaign", c.id),
            row=c,
            kind=c.kind,
            year=c.year,
            title=c.title,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            phases=JSON(c.phases),
            selection=JSON(c.selection),
        )


@strawberry.type(name="Nomination", description="最美青春故事推荐：县 → 市 → 省")
class Nomination(Node):
    row: strawberry.Private[NominationRow]
    nominee_name: str
    story: str
    level: str = strawberry.field(description="等待哪一级遴选：CITY 或 PROVINCE")
    status: NominationStatus
    comment: str

    @classmethod
    def of(cls, n: NominationRow) -> Nomination:
        return cls(
            id=to_global_id("Nomination", n.id),
            row=n,
            nominee_name=n.nominee_name,
            story=n.story,
            level=n.level,
            status=n.status,
            comment=n.comment,
        )

    @strawberry.field(description="推荐的县级团委")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)


@strawberry.type(description="考核项")
class RubricItem:
    code: str
    title: str
    max_points: float
    computed: bool


@strawberry.type(description="某组织某一考核项的得分")
class ItemScore:
    item: str
    points: float
    evidence: str


@strawberry.type(description="被考核组织的结果")
class OrgResult:
    org_id: strawberry.Private[int]
    total: float
    rank: int
    items: list[ItemScore]

    @strawberry.field
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.org_id)


@strawberry.type(description="团干部是否具备评优资格")
class CadreEligibility:
    cadre: Cadre
    eligible: bool
    reasons: list[str]


@strawberry.type(name="AssessmentRound", description="一轮考核（半年或年终）")
class AssessmentRound(Node):
    row: strawberry.Private[RoundRow]
    year: int
    half: RoundHalf
    closed: bool

    @classmethod
    def of(cls, r: RoundRow) -> AssessmentRound:
        return cls(
            id=to_global_id("AssessmentRound", r.id),
            row=r,
            year=r.year,
            half=r.half,
            closed=r.closed,
        )

    @strawberry.field(description="各组织总分与排名")
    async def results(self, info: Info) -> list[OrgResult]:
        return [
            OrgResult(
                org_id=x.org_id,
                total=x.total,
                rank=x.rank,
                items=[
                    ItemScore(item=k, points=p, evidence=e) for k, (p, e) in sorted(x.items.items())
                ],
            )
            for x in await assessment.results(info.context.ctx, self.row.id)
        ]

    @strawberry.field(description="团干部评优资格（考核不合格者不得参评）")
    async def cadre_eligibility(
        self, info: Info, only_ineligible: bool = False
    ) -> list[CadreEligibility]:
        rows = await assessment.eligibility(info.context.ctx, self.row.id)
        return [
            CadreEligibility(cadre=Cadre.of(e.cadre), eligible=e.eligible, reasons=e.reasons)
            for e in rows
            if not (only_ineligible and e.eligible)
        ]


@strawberry.input(description="活动阶段")
class PhaseInput:
    name: str
    starts_on: date
    ends_on: date


@strawberry.input(description="最美青春故事的各级截止日期与名额")
class SelectionInput:
    county_deadline: date
    city_deadline: date = strawberry.field(description="市级推荐截止（通知要求 10 月底前）")
    province_deadline: date
    county_quota: int
    city_quota: int
    finalists: int


@strawberry.type
class AssessmentQuery:
    @strawberry.field
    async def report(self, info: Info, id: strawberry.ID) -> Report:
        return Report.of(await reports.get(info.context.ctx, pk(id, "Report")))

    @strawberry.field(description="报送（需要 report:view）")
    async def reports(
        self,
        info: Info,
        year: int | None = None,
        quarter: int | None = None,
        status: ReportStatus | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Report]:
        page = await reports.list_reports(
            info.context.ctx, year=year, quarter=quarter, status=status, first=first, after=after
        )
        return connection(page, Report.of)

    @strawberry.field(description="某季度尚未报送的市")
    async def missing_reports(self, info: Info, year: int, quarter: int) -> list[Org]:
        return [Org.of(o) for o in await reports.missing(info.context.ctx, year, quarter)]

    @strawberry.field
    async def bulletin(self, info: Info, id: strawberry.ID) -> Bulletin:
        return Bulletin.of(await bulletins.get(info.context.ctx, pk(id, "Bulletin")))

    @strawberry.field(description="季度通报")
    async def bulletins(
        self,
        info: Info,
        under: Under = None,
        year: int | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Bulletin]:
        page = await bulletins.list_bulletins(
            info.context.ctx, under=opt_pk(under, "Org"), year=year, first=first, after=after
        )
        return connection(page, Bulletin.of)

    @strawberry.field(description="导出通报")
    async def export_bulletin(
        self, info: Info, id: strawberry.ID, format: BulletinFormat
    ) -> BulletinFile:
        ctx = info.context.ctx
        name, content = await bulletins.export(ctx, pk(id, "Bulletin"), format.value)
        link = await downloads.offer(ctx, name, content, org_path=None)
        return BulletinFile(
            filename=name,
            content_base64=content,
            download_url=link.url,
            download_expires_at=link.expires_at,
        )

    @strawberry.field(description="集中活动")
    async def campaigns(self, info: Info, year: int | None = None) -> list[Campaign]:
        return [Campaign.of(c) for c in await campaigns.list_campaigns(info.context.ctx, year)]

    @strawberry.field(description="某组织子树中与某集中活动关联的活动数")
    async def campaign_activity_count(
        self, info: Info, org_id: strawberry.ID, campaign_id: strawberry.ID
    ) -> int:
        return await campaigns.activity_counts(
            info.context.ctx, pk(org_id, "Org"), pk(campaign_id, "Campaign")
        )

    @strawberry.field(description="最美青春故事推荐")
    async def nominations(
        self,
        info: Info,
        campaign_id: strawberry.ID,
        level: str | None = None,
        status: NominationStatus | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Nomination]:
        page = await campaigns.list_nominations(
            info.context.ctx,
            campaign_id=pk(campaign_id, "Campaign"),
            level=level,
            status=status,
            first=first,
            after=after,
        )
        return connection(page, Nomination.of)

    @strawberry.field(description="考核细则（附件1，共 100 分）")
    def rubric(self) -> list[RubricItem]:
        return [
            RubricItem(code=i.code, title=i.title, max_points=i.max_points, computed=i.computed)
            for i in assessment.RUBRIC
        ]

    @strawberry.field
    async def assessment_round(self, info: Info, id: strawberry.ID) -> AssessmentRound:
        ctx = info.context.ctx
        from authz import Act

        return AssessmentRound.of(await assessment._round(ctx, pk(id, "AssessmentRound"), Act.VIEW))


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(
        description="市级团委报送季度“五个一”情况（季度最后一周起开放；逾期会被标注）"
    )
    async def submit_report(
        self,
        info: Info,
        org_id: strawberry.ID,
        year: int,
        quarter: int,
        practices: str,
        experience: str,
        problems: str,
        next_steps: str,
    ) -> Report:
        row = await reports.submit(
            info.context.ctx,
            org_id=pk(org_id, "Org"),
            year=year,
            quarter=quarter,
            practices=practices,
            experience=experience,
            problems=problems,
            next_steps=next_steps,
        )
        return Report.of(row)

    @strawberry.mutation(description="审阅报送：通过，或附意见退回（需要 report:approve）")
    async def review_report(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> Report:
        return Report.of(await reports.review(info.context.ctx, pk(id, "Report"), approve, comment))

    @strawberry.mutation(description="生成（或重新生成）季度通报草稿")
    async def generate_bulletin(
        self, info: Info, org_id: strawberry.ID, year: int, quarter: int
    ) -> Bulletin:
        return Bulletin.of(
            await bulletins.generate(info.context.ctx, pk(org_id, "Org"), year, quarter)
        )

    @strawberry.mutation(description="发布通报：此后不可更改")
    async def publish_bulletin(self, info: Info, id: strawberry.ID) -> Bulletin:
        return Bulletin.of(await bulletins.publish(info.context.ctx, pk(id, "Bulletin")))

    @strawberry.mutation(description="团省委设立集中活动")
    async def create_campaign(
        self,
        info: Info,
        kind: CampaignKind,
        year: int,
        title: str,
        starts_on: date,
        ends_on: date,
        phases: list[PhaseInput] | None = None,
        selection: SelectionInput | None = None,
    ) -> Campaign:
        c = await campaigns.create(
            info.context.ctx,
            kind=kind,
            year=year,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            phases=[
                {"name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on}
                for p in phases or []
            ],
            selection=vars(selection) if selection else None,
        )
        return Campaign.of(c)

    @strawberry.mutation(description="县级团委推荐最美青春故事")
    async def nominate_story(
        self,
        info: Info,
        campaign_id: strawberry.ID,
        org_id: strawberry.ID,
        nominee_name: str,
        story: str,
    ) -> Nomination:
        n = await campaigns.nominate(
            info.context.ctx,
            campaign_id=pk(campaign_id, "Campaign"),
            org_id=pk(org_id, "Org"),
            nominee_name=nominee_name,
            story=story,
        )
        return Nomination.of(n)

    @strawberry.mutation(
        description="本级遴选：select=true 推荐到上一级（省级为入选），false 附意见退回"
    )
    async def decide_nomination(
        self, info: Info, id: strawberry.ID, select: bool, comment: str = ""
    ) -> Nomination:
        return Nomination.of(
            await campaigns.decide(
                info.context.ctx, pk(id, "Nomination"), select=select, comment=comment
            )
        )

    @strawberry.mutation(description="开启一轮考核（对下级组织）")
    async def open_assessment(
        self, info: Info, org_id: strawberry.ID, year: int, half: RoundHalf
    ) -> AssessmentRound:
        return AssessmentRound.of(
            await assessment.open_round(info.context.ctx, pk(org_id, "Org"), year, half)
        )

    @strawberry.mutation(description="由数据计算各系统考核项（可重复计算，结束前有效）")
    async def compute_assessment(self, info: Info, id: strawberry.ID) -> AssessmentRound:
        ctx = info.context.ctx
        await assessment.compute(ctx, pk(id, "AssessmentRound"))
        from authz import Act

        return AssessmentRound.of(await assessment._round(ctx, pk(id, "AssessmentRound"), Act.VIEW))

    @strawberry.mutation(description="录入非系统考核项的得分及依据")
    async def enter_assessment_score(
        self,
        info: Info,
        id: strawberry.ID,
        org_id: strawberry.ID,
        item: str,
        points: float,
        evidence: str,
    ) -> ItemScore:
        s = await assessment.enter(
            info.context.ctx, pk(id, "AssessmentRound"), pk(org_id, "Org"), item, points, evidence
        )
        return ItemScore(item=s.item, points=float(s.points), evidence=s.evidence)

    @strawberry.mutation(description="结束本轮考核：此后不可修改")
    async def close_assessment(self, info: Info, id: strawberry.ID) -> AssessmentRound:
        return AssessmentRound.of(
            await assessment.close(info.context.ctx, pk(id, "AssessmentRound"))
        )
