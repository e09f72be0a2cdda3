"""Reports (报送), bulletins (通报), campaigns (集中活动) and nominations, and the assessment (考核)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models import AssessmentContribution as ContributionRow
from models import AssessmentRound as RoundRow
from models import Bulletin as BulletinRow
from models import BulletinLine as BulletinLineRow
from models import Cadre as CadreRow
from models import Campaign as CampaignRow
from models import (
    CampaignKind,
    NominationLevel,
    NominationStatus,
    ReportStatus,
    RoundHalf,
    StoryForm,
)
from models import Nomination as NominationRow
from models import Report as ReportRow
from resolvers import assessment, bulletins, campaigns, downloads, reports
from schema.context import Info
from schema.enums import domain_enum
from schema.orgs import Org, visible_org
from schema.people import Cadre, visible_cadre
from schema.relay import After, Connection, First, Node, Under, connection, opt_pk, pk, to_global_id
from schema.rubric import RubricVersion, visible_version

if TYPE_CHECKING:
    from schema.evidence import Evidence


@strawberry.type(description="报送附带的季度数字：报送时由系统数据算出，此后不变")
class ReportFigures:
    period_start: date = strawberry.field(description="统计区间开始（季度第一天）")
    period_end: date = strawberry.field(description="统计区间结束（季度最后一天）")
    cadres: int = strawberry.field(description="团干部数")
    active_cadres: int = strawberry.field(description="活跃团干部（区间内记过工作日志）")
    youth_in_contact: int = strawberry.field(description="联系的小伙伴（联系已确认）")
    logs: int = strawberry.field(description="工作日志数")
    five_ones_done: int = strawberry.field(description="完成“五个一”的团干部数")
    five_ones_cadres: int = strawberry.field(description="应完成“五个一”的团干部数")

    @classmethod
    def of(cls, f: dict[str, Any]) -> ReportFigures:
        start, end = f["period"]
        return cls(
            period_start=date.fromisoformat(start),
            period_end=date.fromisoformat(end),
            cadres=f["cadres"],
            active_cadres=f["active_cadres"],
            youth_in_contact=f["youth_in_contact"],
            logs=f["logs"],
            five_ones_done=f["five_ones_done"],
            five_ones_cadres=f["five_ones_cadres"],
        )


@strawberry.type(description="报送的一个版本（每次报送完整保留，附当时由数据计算的数字）")
class ReportVersion:
    version: int = strawberry.field(description="版本号，从 1 起，每次报送（含退回后重报）加 1")
    practices: str = strawberry.field(description="做法")
    experience: str = strawberry.field(description="经验")
    problems: str = strawberry.field(description="存在问题")
    next_steps: str = strawberry.field(description="下步工作安排")
    figures: ReportFigures = strawberry.field(
        description="报送时由系统数据算出的本季度数字（团干部数、活跃团干部、联系小伙伴、日志数、“五个一”完成情况），无需手填"
    )
    submitted_at: datetime = strawberry.field(description="这一版本的报送时间")


@strawberry.type(name="Report", description="市级团委的季度“五个一”报送")
class Report(Node):
    row: strawberry.Private[ReportRow]
    year: int = strawberry.field(description="年份")
    quarter: int = strawberry.field(description="季度（1–4）")
    status: ReportStatus = strawberry.field(description="报送状态：已报送、已通过或退回修改")
    version: int = strawberry.field(description="当前（最新）版本号")

    @strawberry.field(description="佐证材料（照片、文件，最多 9 个），按上传先后")
    async def evidence(
        self, info: Info
    ) -> list[Annotated[Evidence, strawberry.lazy("schema.evidence")]]:
        from schema.evidence import of_report

        return await of_report(info, self.row.id)

    late: bool = strawberry.field(description="是否晚于季度末报送")
    review_comment: str = strawberry.field(
        description="审阅意见（退回时必有；尚未审阅时为空字符串）"
    )
    reviewed_at: datetime | None = strawberry.field(description="审阅时间；尚未审阅时为 null")

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

    @strawberry.field(description="报送的市级团委；你无权查看时为 null")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(description="全部版本，旧的在前")
    async def versions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ReportVersion]:
        page = await reports.versions(info.context.ctx, self.row.id, first=first, after=after)
        return connection(
            page,
            lambda v: ReportVersion(
                version=v.version,
                practices=v.practices,
                experience=v.experience,
                problems=v.problems,
                next_steps=v.next_steps,
                figures=ReportFigures.of(v.figures),
                submitted_at=v.submitted_at,
            ),
        )


@strawberry.type(name="BulletinRow", description="季度通报的一行：一个下级组织本季度的数字")
class BulletinChildRow:
    org_id: strawberry.Private[int]
    name: str = strawberry.field(description="组织名称（生成通报时的名称）")
    cadres: int = strawberry.field(description="团干部数")
    active_cadres: int = strawberry.field(description="活跃团干部（本季度记过工作日志）")
    points: int = strawberry.field(description="本季度积分")
    points_per_cadre: float = strawberry.field(description="人均积分")
    youth_in_contact: int = strawberry.field(description="联系的小伙伴（联系已确认）")
    five_ones_done: int = strawberry.field(description="完成“五个一”的团干部数")
    five_ones_rate: float = strawberry.field(description="“五个一”完成率（0–1）")
    satisfaction: float | None = strawberry.field(
        description="满意度（小伙伴评价平均分，1–5）；本季度无评价时为 null"
    )
    spot_check_pass_rate: float | None = strawberry.field(
        description="抽查核实率（0–1）；本季度无抽查时为 null"
    )
    flags: int = strawberry.field(description="可疑标记数")

    @classmethod
    def of(cls, r: dict[str, Any]) -> BulletinChildRow:
        return cls(
            org_id=r["org_id"],
            name=r["name"],
            cadres=r["cadres"],
            active_cadres=r["active_cadres"],
            points=r["points"],
            points_per_cadre=r["points_per_cadre"],
            youth_in_contact=r["youth_in_contact"],
            five_ones_done=r["five_ones_done"],
            five_ones_rate=r["five_ones_rate"],
            satisfaction=r["satisfaction"],
            spot_check_pass_rate=r["spot_check_pass_rate"],
            flags=r["flags"],
        )

    @strawberry.field(description="该下级组织；你无权查看时为 null")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.org_id)


@strawberry.type(name="Bulletin", description="季度通报：发布后不可更改")
class Bulletin(Node):
    row: strawberry.Private[BulletinRow]
    year: int = strawberry.field(description="年份")
    quarter: int = strawberry.field(description="季度（1–4）")
    published: bool = strawberry.field(
        description="是否已发布（发布后不可更改；未发布的是草稿，可重新生成）"
    )
    published_at: datetime | None = strawberry.field(description="发布时间；草稿为 null")

    @classmethod
    def of(cls, b: BulletinRow) -> Bulletin:
        return cls(
            id=to_global_id("Bulletin", b.id),
            row=b,
            year=b.year,
            quarter=b.quarter,
            published=b.published,
            published_at=b.published_at,
        )

    @strawberry.field(description="发布通报的团组织（通报覆盖它的直接下级）；你无权查看时为 null")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(
        description="每个下级组织一行：团干部数、活跃数、积分、人均积分、联系小伙伴、五个一完成、满意度、抽查核实率、可疑标记"
    )
    def rows(self) -> list[BulletinChildRow]:
        return [BulletinChildRow.of(r) for r in self.row.rows]


@strawberry.type(
    name="BulletinLine",
    description="已发布季度通报中关于某一组织的一行：该组织（及其上级）和能看到整份通报的人可查看，兄弟组织不能",
)
class BulletinLine(Node):
    row: strawberry.Private[BulletinLineRow]
    year: int = strawberry.field(description="年度")
    quarter: int = strawberry.field(description="季度")
    published_at: datetime = strawberry.field(description="通报发布时间")
    cadres: int = strawberry.field(description="团干部数")
    active_cadres: int = strawberry.field(description="活跃团干部数（本季度有记录）")
    points: float = strawberry.field(description="积分")
    points_per_cadre: float = strawberry.field(description="人均积分")
    youth_in_contact: int = strawberry.field(description="联系小伙伴数")
    five_ones_done: int = strawberry.field(description="完成“五个一”的人数")
    five_ones_rate: float = strawberry.field(description="“五个一”完成率")
    satisfaction: float | None = strawberry.field(description="满意度（小伙伴评价均分）")
    spot_check_pass_rate: float | None = strawberry.field(description="抽查核实率")
    flags: int = strawberry.field(description="可疑标记数")

    @classmethod
    def of(cls, r: BulletinLineRow) -> BulletinLine:
        f = r.figures

        def num(key: str) -> float:
            return float(f.get(key) or 0)

        def opt(key: str) -> float | None:
            return None if f.get(key) is None else float(f[key])

        return cls(
            id=to_global_id("BulletinLine", r.id),
            row=r,
            year=r.year,
            quarter=r.quarter,
            published_at=r.published_at,
            cadres=int(num("cadres")),
            active_cadres=int(num("active_cadres")),
            points=num("points"),
            points_per_cadre=num("points_per_cadre"),
            youth_in_contact=int(num("youth_in_contact")),
            five_ones_done=int(num("five_ones_done")),
            five_ones_rate=num("five_ones_rate"),
            satisfaction=opt("satisfaction"),
            spot_check_pass_rate=opt("spot_check_pass_rate"),
            flags=int(num("flags")),
        )

    @strawberry.field(description="这一行所说的组织")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)


class BulletinFormat(Enum):
    XLSX = "XLSX"
    HTML = "HTML"
    PDF = "PDF"


domain_enum(
    BulletinFormat,
    "BulletinFormat",
    "通报导出格式",
    XLSX="Excel 表格（.xlsx）",
    HTML="可打印的网页（.html，浏览器打开后打印）",
    PDF="PDF 文档（.pdf，A4 横向，中文宋体，文字可检索）",
)


@strawberry.type(description="导出的通报：Base64 内容，或一次性下载链接")
class BulletinFile:
    filename: str = strawberry.field(description="文件名（中文，含扩展名 .xlsx、.html 或 .pdf）")
    content_base64: str = strawberry.field(
        description="文件内容的 Base64 编码（也可改用 downloadUrl 直接下载）"
    )
    download_url: str = strawberry.field(
        description="下载链接（相对于 API 地址，GET，无需登录头）：只能用一次，到 downloadExpiresAt 失效"
    )
    download_expires_at: datetime = strawberry.field(description="下载链接的失效时间")


@strawberry.type(description="集中活动的一个阶段")
class CampaignPhase:
    name: str = strawberry.field(description="阶段名称")
    starts_on: date = strawberry.field(description="阶段开始日期（含）")
    ends_on: date = strawberry.field(description="阶段结束日期（含）")

    @classmethod
    def of(cls, p: dict[str, Any]) -> CampaignPhase:
        return cls(
            name=p["name"],
            starts_on=date.fromisoformat(p["starts_on"]),
            ends_on=date.fromisoformat(p["ends_on"]),
        )


@strawberry.type(description="最美青春故事的各级截止日期与名额")
class CampaignSelection:
    county_deadline: date = strawberry.field(description="县级推荐截止日期（含）")
    city_deadline: date = strawberry.field(description="市级推荐截止日期（含）")
    province_deadline: date = strawberry.field(description="省级遴选截止日期（含）")
    county_quota: int = strawberry.field(description="每个县可推荐的名额")
    city_quota: int = strawberry.field(description="每个市可向省推荐的名额")
    finalists: int = strawberry.field(description="省级入选名额")

    @classmethod
    def of(cls, s: dict[str, Any]) -> CampaignSelection:
        return cls(
            county_deadline=date.fromisoformat(s["county_deadline"]),
            city_deadline=date.fromisoformat(s["city_deadline"]),
            province_deadline=date.fromisoformat(s["province_deadline"]),
            county_quota=int(s["county_quota"]),
            city_quota=int(s["city_quota"]),
            finalists=int(s["finalists"]),
        )


@strawberry.type(name="Campaign", description="集中活动")
class Campaign(Node):
    row: strawberry.Private[CampaignRow]
    kind: CampaignKind = strawberry.field(description="集中活动类别")
    year: int = strawberry.field(description="年份")
    title: str = strawberry.field(description="标题")
    starts_on: date = strawberry.field(description="开始日期（含）")
    ends_on: date = strawberry.field(description="结束日期（含）")
    phases: list[CampaignPhase] = strawberry.field(
        description="活动阶段，按给出的先后；没有分阶段时为空列表"
    )
    selection: CampaignSelection | None = strawberry.field(
        description="最美青春故事：各级截止日期与名额；其他类别为 null"
    )

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
            phases=[CampaignPhase.of(p) for p in c.phases],
            selection=CampaignSelection.of(c.selection) if c.selection else None,
        )


@strawberry.type(
    name="Nomination",
    description="最美青春故事推荐：县级团委推荐本县的团干部，县 → 市 → 省逐级遴选",
)
class Nomination(Node):
    row: strawberry.Private[NominationRow]
    nominee_name: str = strawberry.field(
        description="被推荐人姓名（推荐时的姓名；早期的推荐只有姓名，没有关联团干部）"
    )
    form: StoryForm | None = strawberry.field(
        description="分享形式：演讲、征文、微视频或 H5；早期只有姓名的推荐为 null"
    )
    title: str = strawberry.field(description="故事标题（早期的推荐为空字符串）")
    story: str = strawberry.field(description="推荐的故事（事迹）")
    level: NominationLevel = strawberry.field(description="等待哪一级遴选")
    status: NominationStatus = strawberry.field(description="推荐状态")
    comment: str = strawberry.field(description="遴选意见（退回时说明原因；可为空字符串）")
    updated_at: datetime = strawberry.field(description="最近一次修改或遴选的时间")

    @classmethod
    def of(cls, n: NominationRow) -> Nomination:
        return cls(
            id=to_global_id("Nomination", n.id),
            row=n,
            nominee_name=n.nominee_name,
            form=n.form,
            title=n.title,
            story=n.story,
            level=NominationLevel(n.level),
            status=n.status,
            comment=n.comment,
            updated_at=n.updated_at,
        )

    @strawberry.field(description="推荐的县级团委")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(
        description="被推荐的团干部；调用者看不到该团干部、或早期只有姓名的推荐时为 null"
    )
    async def nominee(self, info: Info) -> Cadre | None:
        return await visible_cadre(info, self.row.cadre_id)

    @strawberry.field(
        description="推荐材料（照片、PDF，微视频推荐还可有 MP4 视频，最多 9 个），按上传先后；"
        "能看到推荐的人都能看到"
    )
    async def evidence(
        self, info: Info
    ) -> list[Annotated[Evidence, strawberry.lazy("schema.evidence")]]:
        from schema.evidence import of_nomination

        return await of_nomination(info, self.row.id)


@strawberry.type(description="某组织某一考核项的得分")
class ItemScore:
    item: str = strawberry.field(description="考核项编号（附件1 的条目编号，RubricItem.code）")
    points: float = strawberry.field(description="得分（0 到该项满分）")
    evidence: str = strawberry.field(
        description="得分依据：系统计算项为计算说明，录入项为考核人员填写的依据"
    )


@strawberry.type(description="被考核组织的结果")
class OrgResult:
    org_id: strawberry.Private[int]
    total: float = strawberry.field(description="总分（满分 100）")
    rank: int = strawberry.field(description="本轮名次（1 为第一，同分同名次）")
    items: list[ItemScore] = strawberry.field(description="各考核项得分，按编号排列")

    @strawberry.field(description="被考核的团组织；你无权查看时为 null")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.org_id)


@strawberry.type(
    description="被考核组织本身的考核结果（本轮结束后可查看）：各项得分、总分、名次与参评数，不含其他组织的数字"
)
class AssessmentResult:
    org_id: strawberry.Private[int]
    rubric_version_id: strawberry.Private[int]
    year: int = strawberry.field(description="年度")
    half: RoundHalf = strawberry.field(description="半年或年终")
    closed: bool = strawberry.field(description="本轮是否已结束（结束后结果不再变化）")
    total: float = strawberry.field(description="总分")
    rank: int = strawberry.field(description="名次（并列同名次）")
    assessed: int = strawberry.field(description="本轮参评组织数")
    items: list[ItemScore] = strawberry.field(description="各考核项得分及依据")

    @strawberry.field(description="被考核的组织")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.org_id)

    @strawberry.field(description="本轮计分所用的考核细则版本（开启时冻结）")
    async def rubric_version(self, info: Info) -> RubricVersion | None:
        return await visible_version(info, self.rubric_version_id)


@strawberry.enum(description="考核项的考核对象")
class ContributionSubject(Enum):
    CADRE = strawberry.enum_value("CADRE", description="团干部")
    ORGAN = strawberry.enum_value("ORGAN", description="市、县团的领导机关")
    COUNTY = strawberry.enum_value("COUNTY", description="县级团委（最美青春故事推荐）")


@strawberry.type(
    name="AssessmentContribution",
    description="系统计算的考核项背后的一个考核对象：它为该项贡献的加权完成数与应完成数（该项得分率 = Σ完成 / Σ应完成）",
)
class AssessmentContribution(Node):
    row: strawberry.Private[ContributionRow]
    item: str = strawberry.field(description="考核项编号，如 1.2")
    subject: ContributionSubject = strawberry.field(description="考核对象的类别")
    achieved: float = strawberry.field(
        description="加权完成数（各期之和，专职与领导机关干部权重为 2）"
    )
    possible: float = strawberry.field(description="加权应完成数")

    @classmethod
    def of(cls, r: ContributionRow) -> AssessmentContribution:
        return cls(
            id=to_global_id("AssessmentContribution", r.id),
            row=r,
            item=r.item,
            subject=ContributionSubject(r.subject),
            achieved=float(r.achieved),
            possible=float(r.possible),
        )

    @strawberry.field(description="考核对象为团干部时：该团干部（调用者看得到时）")
    async def cadre(self, info: Info) -> Cadre | None:
        if self.row.cadre_id is None:
            return None
        found = await info.context.ctx.visible(CadreRow).load(self.row.cadre_id)
        return Cadre.of(found) if found is not None else None

    @strawberry.field(description="考核对象所在（或即是）的团组织（调用者看得到时）")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)


@strawberry.type(description="团干部是否具备评优资格")
class CadreEligibility:
    cadre: Cadre = strawberry.field(description="团干部")
    eligible: bool = strawberry.field(description="是否具备评优资格")
    reasons: list[str] = strawberry.field(
        description="不具备资格的原因（如“考核期内没有工作记录”）；具备资格时为空列表"
    )


@strawberry.type(name="AssessmentRound", description="一轮考核（半年或年终）")
class AssessmentRound(Node):
    row: strawberry.Private[RoundRow]
    year: int = strawberry.field(description="年份")
    half: RoundHalf = strawberry.field(description="考核轮次：半年或年终")
    closed: bool = strawberry.field(description="是否已结束（结束后得分不可修改）")

    @classmethod
    def of(cls, r: RoundRow) -> AssessmentRound:
        return cls(
            id=to_global_id("AssessmentRound", r.id),
            row=r,
            year=r.year,
            half=r.half,
            closed=r.closed,
        )

    @strawberry.field(description="开展考核的组织（考核其下级组织）")
    async def org(self, info: Info) -> Org | None:
        return await visible_org(info, self.row.org_id)

    @strawberry.field(description="开启时间")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(
        description="本轮冻结的考核细则版本（开启时已发布的最新版本；计分、明细与结果都按它）"
    )
    async def rubric_version(self, info: Info) -> RubricVersion | None:
        return await visible_version(info, self.row.rubric_version_id)

    @strawberry.field(description="各组织总分与排名")
    async def results(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[OrgResult]:
        ctx = info.context.ctx
        ranked = await assessment.results(ctx, self.row.id)  # ranked as a whole, then paged
        return connection(
            ctx.page_of(ranked, first, after),
            lambda x: OrgResult(
                org_id=x.org_id,
                total=x.total,
                rank=x.rank,
                items=[
                    ItemScore(item=k, points=p, evidence=e) for k, (p, e) in sorted(x.items.items())
                ],
            ),
        )

    @strawberry.field(description="团干部评优资格（考核不合格者不得参评）")
    async def cadre_eligibility(
        self,
        info: Info,
        only_ineligible: Annotated[
            bool,
            strawberry.argument(description="true 只列不具备资格的团干部；默认 false 全部列出"),
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[CadreEligibility]:
        ctx = info.context.ctx
        rows = await assessment.eligibility(ctx, self.row.id)  # judged as a whole, then paged
        shown = [e for e in rows if not (only_ineligible and e.eligible)]
        return connection(
            ctx.page_of(shown, first, after),
            lambda e: CadreEligibility(
                cadre=Cadre.of(e.cadre), eligible=e.eligible, reasons=e.reasons
            ),
        )


@strawberry.input(description="集中活动的一个阶段（如启动、集中开展、总结）")
class PhaseInput:
    name: str = strawberry.field(description="阶段名称")
    starts_on: date = strawberry.field(description="阶段开始日期（含）")
    ends_on: date = strawberry.field(description="阶段结束日期（含）")


@strawberry.input(description="最美青春故事的各级截止日期与名额")
class SelectionInput:
    county_deadline: date = strawberry.field(description="县级推荐截止日期（含）")
    city_deadline: date = strawberry.field(description="市级推荐截止（通知要求 10 月底前）")
    province_deadline: date = strawberry.field(description="省级遴选截止日期（含）；须县 ≤ 市 ≤ 省")
    county_quota: int = strawberry.field(description="每个县可推荐的名额（至少 1）")
    city_quota: int = strawberry.field(description="每个市可向省推荐的名额（至少 1）")
    finalists: int = strawberry.field(description="省级入选名额（至少 1）")


def _own(x: assessment.OwnResult) -> AssessmentResult:
    return AssessmentResult(
        org_id=x.org_id,
        rubric_version_id=x.round.rubric_version_id,
        year=x.round.year,
        half=x.round.half,
        closed=x.round.closed,
        total=x.total,
        rank=x.rank,
        assessed=x.assessed,
        items=[ItemScore(item=k, points=p, evidence=e) for k, (p, e) in sorted(x.items.items())],
    )


@strawberry.type
class AssessmentQuery:
    @strawberry.field(
        description="一份报送（对报送的市级团委有 report:view 的人可见，否则 NOT_FOUND）"
    )
    async def report(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="报送的全局 ID")],
    ) -> Report:
        return Report.of(await reports.get(info.context.ctx, pk(id, "Report")))

    @strawberry.field(description="报送（需要 report:view）")
    async def reports(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="只看这一年的；不给则全部")
        ] = None,
        quarter: Annotated[
            int | None, strawberry.argument(description="只看这一季度的（1–4）；不给则全部")
        ] = None,
        status: Annotated[
            ReportStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Report]:
        page = await reports.list_reports(
            info.context.ctx, year=year, quarter=quarter, status=status, first=first, after=after
        )
        return connection(page, Report.of)

    @strawberry.field(description="某季度尚未报送的市")
    async def missing_reports(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="年份")],
        quarter: Annotated[int, strawberry.argument(description="季度（1–4）")],
        first: First = None,
        after: After = None,
    ) -> Connection[Org]:
        page = await reports.missing(info.context.ctx, year, quarter, first=first, after=after)
        return connection(page, Org.of)

    @strawberry.field(
        description="一份季度通报（对发布通报的组织有 work:view 的人可见，否则 NOT_FOUND）"
    )
    async def bulletin(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="通报的全局 ID")],
    ) -> Bulletin:
        return Bulletin.of(await bulletins.get(info.context.ctx, pk(id, "Bulletin")))

    @strawberry.field(description="季度通报")
    async def bulletins(
        self,
        info: Info,
        under: Under = None,
        year: Annotated[
            int | None, strawberry.argument(description="只看这一年的；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Bulletin]:
        page = await bulletins.list_bulletins(
            info.context.ctx, under=opt_pk(under, "Org"), year=year, first=first, after=after
        )
        return connection(page, Bulletin.of)

    @strawberry.field(description="导出通报")
    async def export_bulletin(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="通报的全局 ID")],
        format: Annotated[
            BulletinFormat, strawberry.argument(description="导出格式：XLSX 表格或 HTML 可打印页面")
        ],
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

    @strawberry.field(
        description="已发布季度通报中关于本组织及下级的各行（被通报的组织查看自己的通报结果）"
    )
    async def bulletin_lines(
        self,
        info: Info,
        under: Annotated[
            strawberry.ID | None, strawberry.argument(description="只列该组织子树的行")
        ] = None,
        year: Annotated[int | None, strawberry.argument(description="年度")] = None,
        quarter: Annotated[int | None, strawberry.argument(description="季度 1–4")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[BulletinLine]:
        page = await bulletins.list_lines(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            year=year,
            quarter=quarter,
            first=first,
            after=after,
        )
        return connection(page, BulletinLine.of)

    @strawberry.field(
        description="某组织在各轮考核中的结果（被考核组织在本轮结束后查看自己的结果；考核方随时可查看）"
    )
    async def assessment_results(
        self,
        info: Info,
        org_id: Annotated[strawberry.ID, strawberry.argument(description="被考核组织的 ID")],
        first: First = None,
        after: After = None,
    ) -> Connection[AssessmentResult]:
        ctx = info.context.ctx
        org = pk(org_id, "Org")
        page = await assessment.rounds_of(ctx, org, first, after)
        results = {r.id: await assessment.own_result(ctx, r, org) for r in page.rows}
        return connection(page, lambda r: _own(results[r.id]))

    @strawberry.field(
        description="某被考核组织各系统计算项背后的考核对象及其贡献（考核方随时可查看；被考核组织在本轮结束后查看本组织的）"
    )
    async def assessment_contributions(
        self,
        info: Info,
        org_id: Annotated[strawberry.ID, strawberry.argument(description="被考核组织的 ID")],
        year: Annotated[int | None, strawberry.argument(description="年度")] = None,
        half: Annotated[RoundHalf | None, strawberry.argument(description="半年或年终")] = None,
        item: Annotated[
            str | None, strawberry.argument(description="考核项编号，如 1.2；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AssessmentContribution]:
        page = await assessment.contributions(
            info.context.ctx,
            org_id=pk(org_id, "Org"),
            year=year,
            half=half,
            item=item,
            first=first,
            after=after,
        )
        return connection(page, AssessmentContribution.of)

    @strawberry.field(description="集中活动")
    async def campaigns(
        self,
        info: Info,
        year: Annotated[
            int | None, strawberry.argument(description="只看这一年的；不给则全部")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Campaign]:
        page = await campaigns.list_campaigns(info.context.ctx, year, first=first, after=after)
        return connection(page, Campaign.of)

    @strawberry.field(description="某组织子树中与某集中活动关联的活动数")
    async def campaign_activity_count(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="统计这个团组织及其下级（全局 ID）")
        ],
        campaign_id: Annotated[strawberry.ID, strawberry.argument(description="集中活动的全局 ID")],
    ) -> int:
        return await campaigns.activity_counts(
            info.context.ctx, pk(org_id, "Org"), pk(campaign_id, "Campaign")
        )

    @strawberry.field(description="最美青春故事推荐")
    async def nominations(
        self,
        info: Info,
        campaign_id: Annotated[
            strawberry.ID, strawberry.argument(description="最美青春故事活动的全局 ID")
        ],
        level: Annotated[
            NominationLevel | None,
            strawberry.argument(description="只看等待这一级遴选的；不给则全部"),
        ] = None,
        status: Annotated[
            NominationStatus | None, strawberry.argument(description="只看这个状态的；不给则全部")
        ] = None,
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

    @strawberry.field(description="考核轮次列表（需要 work:view；只列你可查看工作的子树内的）")
    async def assessment_rounds(
        self,
        info: Info,
        under: Under = None,
        year: Annotated[int | None, strawberry.argument(description="只列该年度的")] = None,
        closed: Annotated[
            bool | None, strawberry.argument(description="true 只列已结束的，false 只列进行中的")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AssessmentRound]:
        page = await assessment.list_rounds(
            info.context.ctx,
            under=opt_pk(under, "Org"),
            year=year,
            closed=closed,
            first=first,
            after=after,
        )
        return connection(page, AssessmentRound.of)

    @strawberry.field(
        description="一轮考核（对开启考核的组织有 work:view 的人可见，否则 NOT_FOUND）"
    )
    async def assessment_round(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="考核轮次的全局 ID")],
    ) -> AssessmentRound:
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
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="报送的市级团委（全局 ID）")
        ],
        year: Annotated[int, strawberry.argument(description="年份")],
        quarter: Annotated[int, strawberry.argument(description="季度（1–4）")],
        practices: Annotated[str, strawberry.argument(description="做法")],
        experience: Annotated[str, strawberry.argument(description="经验")],
        problems: Annotated[str, strawberry.argument(description="存在问题")],
        next_steps: Annotated[str, strawberry.argument(description="下步工作安排")],
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
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="报送的全局 ID")],
        approve: Annotated[bool, strawberry.argument(description="true 通过，false 退回修改")],
        comment: Annotated[
            str, strawberry.argument(description="审阅意见（退回时应写明原因）")
        ] = "",
    ) -> Report:
        return Report.of(await reports.review(info.context.ctx, pk(id, "Report"), approve, comment))

    @strawberry.mutation(description="生成（或重新生成）季度通报草稿")
    async def generate_bulletin(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="发布通报的团组织（全局 ID），通报覆盖它的直接下级"),
        ],
        year: Annotated[int, strawberry.argument(description="年份")],
        quarter: Annotated[int, strawberry.argument(description="季度（1–4）")],
    ) -> Bulletin:
        return Bulletin.of(
            await bulletins.generate(info.context.ctx, pk(org_id, "Org"), year, quarter)
        )

    @strawberry.mutation(description="发布通报：此后不可更改")
    async def publish_bulletin(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="通报的全局 ID")],
    ) -> Bulletin:
        return Bulletin.of(await bulletins.publish(info.context.ctx, pk(id, "Bulletin")))

    @strawberry.mutation(description="团省委设立集中活动")
    async def create_campaign(
        self,
        info: Info,
        kind: Annotated[CampaignKind, strawberry.argument(description="集中活动类别")],
        year: Annotated[int, strawberry.argument(description="年份")],
        title: Annotated[str, strawberry.argument(description="标题")],
        starts_on: Annotated[date, strawberry.argument(description="开始日期（含）")],
        ends_on: Annotated[
            date, strawberry.argument(description="结束日期（含），不得早于开始日期")
        ],
        phases: Annotated[
            list[PhaseInput] | None, strawberry.argument(description="活动阶段（可选）")
        ] = None,
        selection: Annotated[
            SelectionInput | None,
            strawberry.argument(
                description="最美青春故事的各级截止日期与名额（YOUTH_STORY 必填，其他类别不用）"
            ),
        ] = None,
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

    @strawberry.mutation(
        description="县级团委推荐本县（及下级组织）的一名团干部的最美青春故事，送市级遴选"
    )
    async def nominate_story(
        self,
        info: Info,
        campaign_id: Annotated[
            strawberry.ID, strawberry.argument(description="最美青春故事活动的全局 ID")
        ],
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="推荐的县级团委（全局 ID）")
        ],
        cadre_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="被推荐的团干部（全局 ID），须属于该县级团委及其下级"),
        ],
        form: Annotated[
            StoryForm, strawberry.argument(description="分享形式：演讲、征文、微视频或 H5")
        ],
        title: Annotated[str, strawberry.argument(description="故事标题（最多 100 字）")],
        story: Annotated[
            str, strawberry.argument(description="推荐的故事（事迹，最多 20000 字，可分段）")
        ],
    ) -> Nomination:
        n = await campaigns.nominate(
            info.context.ctx,
            campaign_id=pk(campaign_id, "Campaign"),
            org_id=pk(org_id, "Org"),
            cadre_id=pk(cadre_id, "Cadre"),
            form=form,
            title=title,
            story=story,
        )
        return Nomination.of(n)

    @strawberry.mutation(
        description="修改推荐（被推荐人、形式、标题、故事）：推荐单位在市级遴选前可改；"
        "不给的字段不变（记入审计）"
    )
    async def update_nomination(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="推荐的全局 ID")],
        cadre_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="换一名被推荐的团干部（全局 ID）；不给则不变"),
        ] = None,
        form: Annotated[
            StoryForm | None, strawberry.argument(description="分享形式；不给则不变")
        ] = None,
        title: Annotated[str | None, strawberry.argument(description="标题；不给则不变")] = None,
        story: Annotated[str | None, strawberry.argument(description="故事；不给则不变")] = None,
    ) -> Nomination:
        n = await campaigns.update(
            info.context.ctx,
            pk(id, "Nomination"),
            cadre_id=opt_pk(cadre_id, "Cadre"),
            form=form,
            title=title,
            story=story,
        )
        return Nomination.of(n)

    @strawberry.mutation(
        description="本级遴选：select=true 推荐到上一级（省级为入选），false 附意见退回"
    )
    async def decide_nomination(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="推荐的全局 ID")],
        select: Annotated[
            bool, strawberry.argument(description="true 推荐到上一级（省级为入选），false 退回")
        ],
        comment: Annotated[
            str, strawberry.argument(description="遴选意见（退回时应写明原因）")
        ] = "",
    ) -> Nomination:
        return Nomination.of(
            await campaigns.decide(
                info.context.ctx, pk(id, "Nomination"), select=select, comment=comment
            )
        )

    @strawberry.mutation(description="开启一轮考核（对下级组织）")
    async def open_assessment(
        self,
        info: Info,
        org_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="开启考核的团组织（全局 ID），考核它的直接下级"),
        ],
        year: Annotated[int, strawberry.argument(description="年份（2000–2100）")],
        half: Annotated[RoundHalf, strawberry.argument(description="考核轮次：半年或年终")],
    ) -> AssessmentRound:
        return AssessmentRound.of(
            await assessment.open_round(info.context.ctx, pk(org_id, "Org"), year, half)
        )

    @strawberry.mutation(description="由数据计算各系统考核项（可重复计算，结束前有效）")
    async def compute_assessment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="考核轮次的全局 ID")],
    ) -> AssessmentRound:
        ctx = info.context.ctx
        await assessment.compute(ctx, pk(id, "AssessmentRound"))
        from authz import Act

        return AssessmentRound.of(await assessment._round(ctx, pk(id, "AssessmentRound"), Act.VIEW))

    @strawberry.mutation(description="录入非系统考核项的得分及依据")
    async def enter_assessment_score(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="考核轮次的全局 ID")],
        org_id: Annotated[
            strawberry.ID, strawberry.argument(description="被考核的团组织（全局 ID）")
        ],
        item: Annotated[
            str,
            strawberry.argument(
                description="考核项编号（RubricItem.code，只能是 computed=false 的项）"
            ),
        ],
        points: Annotated[float, strawberry.argument(description="得分（0 到该项满分）")],
        evidence: Annotated[str, strawberry.argument(description="得分依据（材料、督查记录等）")],
    ) -> ItemScore:
        s = await assessment.enter(
            info.context.ctx, pk(id, "AssessmentRound"), pk(org_id, "Org"), item, points, evidence
        )
        return ItemScore(item=s.item, points=float(s.points), evidence=s.evidence)

    @strawberry.mutation(description="结束本轮考核：此后不可修改")
    async def close_assessment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="考核轮次的全局 ID")],
    ) -> AssessmentRound:
        return AssessmentRound.of(
            await assessment.close(info.context.ctx, pk(id, "AssessmentRound"))
        )
