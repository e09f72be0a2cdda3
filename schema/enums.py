"""GraphQL enums over the domain's own enums; the Chinese terms are in the descriptions."""

import enum
from typing import TypeVar

import strawberry

from authz.vocabulary import Act, Obj
from models import (
    ActivityKind,
    CadreKind,
    CampaignKind,
    Channel,
    ClientKind,
    ContactStatus,
    DeletionStatus,
    FlagKind,
    FlagStatus,
    FrontEnd,
    LearnAndDoKind,
    LogKind,
    Membership,
    NominationLevel,
    NominationStatus,
    OrgKind,
    OrgLevel,
    PointSource,
    PostAudience,
    QuotaSubject,
    RecommendationKind,
    ReminderKind,
    ReportStatus,
    ResourceKind,
    RoundHalf,
    RubricFormula,
    SpotCheckMethod,
    StoryForm,
    VoiceKind,
    VoiceStatus,
    WishCategory,
    WishStatus,
)
from resolvers.contacts import RowOutcome
from resolvers.rosters import RosterOutcome
from resolvers.wishes import WishAction

E = TypeVar("E", bound=type[enum.Enum])


def domain_enum(cls: E, name: str, lead: str, **values: str) -> E:
    """`cls` as the GraphQL enum `name`: each value described by its Chinese term and
    meaning, and the type by `lead` followed by that list, so the two never disagree.
    Every value must be named here (a forgotten or misspelt one fails at import)."""
    wrapped = strawberry.enum(cls, name=name)
    definition = wrapped.__strawberry_definition__  # type: ignore[attr-defined]
    names = {v.name for v in definition.values}
    if names != set(values):
        raise ValueError(f"{name}: values {sorted(names ^ set(values))} not described")
    for value in definition.values:
        value.description = values[value.name]
    listed = "，".join(f"{key} {text}" for key, text in values.items())
    definition.description = f"{lead}：{listed}"
    return wrapped


OrgLevelEnum = domain_enum(
    OrgLevel,
    "OrgLevel",
    "组织层级",
    PROVINCE="省（团省委）",
    CITY="市（含杨凌示范区、西咸新区、韩城市）",
    COUNTY="县/区",
    GRASSROOTS="基层团委/团工委",
    GENERAL_BRANCH="团总支",
    BRANCH="团支部",
)
OrgKindEnum = domain_enum(
    OrgKind,
    "OrgKind",
    "组织类别",
    REGIONAL="地方团委",
    WORK_COMMITTEE="团工委（如省直团工委）",
    UNIVERSITY="高校团委",
    SCHOOL="中学团委",
    ENTERPRISE="企业团委",
    DEPARTMENT="机关部门",
    COMMUNITY="街道/社区/乡镇",
    ABROAD="驻外团工委",
    OTHER="其他",
)
CadreKindEnum = domain_enum(
    CadreKind,
    "CadreKind",
    "团干部类别（决定“五个一”周期：专职、挂职每两个月，兼职每季度）",
    FULL_TIME="专职",
    SECONDED="挂职",
    PART_TIME="兼职",
)
ClientKindEnum = domain_enum(
    ClientKind, "ClientKind", "客户端", WEB="电脑端", MOBILE="手机端（微信）"
)
PolicyObjectEnum = domain_enum(
    Obj,
    "PolicyObject",
    "权限对象",
    ORG="团组织",
    CADRE="团干部",
    YOUTH="小伙伴",
    GRANT="授权",
    POLICY="角色与权限",
    AUDIT="审计日志",
    WORK="工作（日志、五个一、一学一做）",
    REPORT="报送",
    QUOTA="五个一指标、积分规则与考核细则",
    GROUP="工作小组",
    VOICE="青年之声",
    WISH="微心愿与心愿池",
    RESOURCE="心愿资源",
    RATING="评价",
    POST="文化产品",
    CAMPAIGN="集中活动与推荐",
    OPERATIONS="运维（定时任务的运行情况）",
)
PolicyActionEnum = domain_enum(
    Act,
    "PolicyAction",
    "操作",
    VIEW="查看",
    MANAGE="管理（创建、修改）",
    APPROVE="审批",
    VIEW_PERSONAL="查看完整个人信息（未打码的手机号等）",
)

# Cadres' work

ContactStatusEnum = domain_enum(
    ContactStatus,
    "ContactStatus",
    "联系状态（任一方均可随时结束）",
    INVITED="待小伙伴确认",
    ACTIVE="已联系",
    LEFT="已结束",
)
LogKindEnum = domain_enum(LogKind, "LogKind", "日志类别", CONTACT="联系记录", ACTIVITY="活动记录")
ChannelEnum = domain_enum(
    Channel,
    "Channel",
    "联系方式",
    FACE_TO_FACE="面对面",
    PHONE="电话",
    WECHAT="微信",
    QQ="QQ（腾讯即时通讯）",
    WEIBO="微博",
    OTHER="其他",
)
ActivityKindEnum = domain_enum(
    ActivityKind,
    "ActivityKind",
    "活动类型（前五种为团干部“五个一”，VOLUNTEER 及后四种为市县领导机关“五个一”）",
    PRACTICAL_DEED="办一件实事（团干部）",
    LEAGUE_LESSON="上一堂团课（团干部）",
    HEART_TALK="谈心谈话（团干部）",
    VOLUNTEER="志愿服务（团干部）；领导机关为集中志愿服务",
    CULTURE_SPORTS="文体活动（团干部）",
    ORGAN_OPEN_DAY="机关开放（领导机关）",
    FACE_TO_FACE="面对面（领导机关）",
    SHARING="“1+100”分享（领导机关）",
    SELF_DESIGNED="自主设计的集体活动（领导机关）",
)
QuotaSubjectEnum = domain_enum(
    QuotaSubject,
    "QuotaSubject",
    "“五个一”对象",
    FULL_TIME="专职团干部",
    SECONDED="挂职团干部",
    PART_TIME="兼职团干部",
    LEADING_ORGAN="市县领导机关",
)
LearnAndDoKindEnum = domain_enum(
    LearnAndDoKind,
    "LearnAndDoKind",
    "一学一做参与类型",
    STUDY="学习",
    ORG_LIFE_MEETING="组织生活会",
    OATH_RENEWAL="重温入团誓词",
    VOLUNTEER="志愿服务",
    ONLINE_THEME_DAY="网上主题团日",
    LEAGUE_LESSON="团课",
    SELF_REVIEW="组织自查整顿",
    SELECT_MODELS="评选先进典型",
    VANGUARD_POST="创建团员先锋岗（队）",
)
RecommendationKindEnum = domain_enum(
    RecommendationKind,
    "RecommendationKind",
    "一学一做典型推荐的类别",
    EXPERIENCE="好经验",
    PRACTICE="好做法",
    MODEL="先进典型",
)
PointSourceEnum = domain_enum(
    PointSource,
    "PointSource",
    "积分来源",
    CONTACT_LOG="联系日志",
    ACTIVITY_LOG="活动日志",
    CONTACT_ACCEPTED="小伙伴确认联系",
    LEARN_AND_DO="一学一做记录",
)
RosterOutcomeEnum = domain_enum(
    RosterOutcome,
    "RosterImportOutcome",
    "名册导入结果",
    CREATED="新建（试运行时为将新建）",
    UNCHANGED="已存在，未改动",
    REJECTED="有误（整个文件不写入）",
)
MembershipEnum = domain_enum(
    Membership,
    "Membership",
    "政治面貌（团的统计口径）",
    LEAGUE_MEMBER="团员（14–28 周岁）",
    YOUTH="青年（非团员）",
)
RowOutcomeEnum = domain_enum(
    RowOutcome,
    "ImportRowOutcome",
    "导入结果",
    INVITED="已邀请（新号码，或在你无权查看之处已登记，不作区分）",
    MATCHED="按手机号匹配到你有权查看的小伙伴并邀请",
    UNCHANGED="已在名单中或对方已退出",
    REJECTED="有误未导入",
)


class ExportFormat(enum.Enum):
    XLSX = "XLSX"
    CSV = "CSV"


domain_enum(
    ExportFormat,
    "ExportFormat",
    "导出格式",
    XLSX="Excel 表格（.xlsx）",
    CSV="逗号分隔文本（.csv，UTF-8 带 BOM，Excel 可直接打开）",
)


# Youth services

VoiceKindEnum = domain_enum(
    VoiceKind,
    "VoiceKind",
    "青年之声类别",
    OPINION="意见",
    SUGGESTION="建议",
    QUESTION="咨询",
)
VoiceStatusEnum = domain_enum(
    VoiceStatus,
    "VoiceStatus",
    "青年之声状态",
    OPEN="待回复",
    ANSWERED="已回复",
    CLOSED="已关闭",
)
WishCategoryEnum = domain_enum(
    WishCategory,
    "WishCategory",
    "心愿类别",
    STUDY="学习",
    EMPLOYMENT="就业创业",
    LIFE="生活困难",
    HEALTH="身心健康",
    CULTURE="文体",
    OTHER="其他",
)
WishStatusEnum = domain_enum(
    WishStatus,
    "WishStatus",
    "心愿状态",
    SUBMITTED="已提交",
    ACCEPTED="团干部已认领",
    ESCALATED="进入心愿池（由领导机关对接资源）",
    CLAIMED="资源方已认领",
    FULFILLED="已实现，待小伙伴确认",
    CONFIRMED="小伙伴已确认实现",
    WITHDRAWN="小伙伴已撤回",
    REJECTED="未受理",
)
WishActionEnum = domain_enum(
    WishAction,
    "WishAction",
    "心愿操作",
    ACCEPT="认领",
    REJECT="不予受理（须说明原因）",
    ESCALATE="提交心愿池",
    CLAIM="以资源认领",
    FULFIL="实现（须附实现情况）",
    CONFIRM="小伙伴确认",
    WITHDRAW="小伙伴撤回",
)
ResourceKindEnum = domain_enum(
    ResourceKind,
    "ResourceKind",
    "资源类别",
    COMPANY="爱心企业",
    VOLUNTEER="志愿者",
    FUND="资金",
    OTHER="其他",
)
PostAudienceEnum = domain_enum(
    PostAudience,
    "PostAudience",
    "推送对象",
    MY_YOUTH="我联系的小伙伴",
    SUBTREE="某组织及下级的小伙伴",
)

# Checking and assessment

SpotCheckMethodEnum = domain_enum(
    SpotCheckMethod,
    "SpotCheckMethod",
    "抽查方式",
    PHONE="电话",
    ON_SITE="实地",
    COMMISSIONED="委托调查",
)
FlagKindEnum = domain_enum(
    FlagKind,
    "FlagKind",
    "可疑标记",
    NEAR_DUPLICATE="内容高度雷同",
    BURST="一小时内按最短用时也做不完的密集记录",
    UNCONFIRMED="长期未获小伙伴确认",
    DENIED="小伙伴否认",
    SPOT_CHECK_FAILED="抽查未能核实",
    DENIAL_PATTERN="多次被小伙伴否认的干部尚无人确认的联系",
)
FlagStatusEnum = domain_enum(
    FlagStatus,
    "FlagStatus",
    "标记状态",
    OPEN="待复核（不计积分）",
    CLEARED="复核通过（恢复积分）",
    UPHELD="复核属实",
)
CampaignKindEnum = domain_enum(
    CampaignKind,
    "CampaignKind",
    "集中活动",
    OPEN_DAY="开放日（五四前后领导机关向青年开放）",
    LECTURE="宣讲（团干部为联系的青年讲课）",
    YOUTH_STORY="最美青春故事（7–11 月，县→市→省逐级推荐）",
    SERVICE_MONTH="服务青年月（元旦春节前后服务困难青年）",
)
RubricFormulaEnum = domain_enum(
    RubricFormula,
    "RubricFormula",
    "考核项的计分方式（各方式按附件1 的解读见 docs/assessment.md）",
    ORGAN_FIVE_ONES="市、县领导机关每一期“五个一”是否完成（1.1）",
    CADRE_FIVE_ONES="团干部每一期“五个一”是否完成（1.2，重点对象加权）",
    ORGAN_WORKING_GROUPS="市级领导机关的工作小组与每季度分享会、县级领导机关干部联系基层书记（1.3）",
    ORGAN_OPEN_DAY="领导机关组织集中开放日（2.1）",
    CADRE_CAMPAIGN="团干部参加参数 campaign 指定的集中活动（2.2、2.4）",
    COUNTY_NOMINATION="县级团委推荐最美青春故事（2.3）",
    CADRE_MONTHS_USED="团干部每月使用系统（4.1）",
    CADRE_YOUTH="团干部联系青年数对参数 youthPerCadre（4.2）",
    CADRE_ACTIVITIES="团干部活动数对每期“五个一”指标（4.3）",
    CADRE_MONTHS_ON_MOBILE="团干部每月用手机端写入记录（服务端记录的前端，4.4）",
    CADRE_LEARN_AND_DO="专职与领导机关团干部选定并参与“一学一做”（4.5）",
    MANUAL="不由系统计算，考核人员录入得分与依据（如 3）",
)
NominationStatusEnum = domain_enum(
    NominationStatus,
    "NominationStatus",
    "推荐状态",
    PENDING="待本级遴选",
    RETURNED="退回下级",
    FINALIST="省级入选",
)
FrontEndEnum = domain_enum(
    FrontEnd,
    "FrontEnd",
    "写入记录的前端（服务器按请求判断）",
    WEB="电脑端管理台",
    MOBILE="手机端页面（/m/）",
    API="直接调用 API（不经本平台的页面）",
)
StoryFormEnum = domain_enum(
    StoryForm,
    "StoryForm",
    "最美青春故事的分享形式（通知三.3）",
    SPEECH="演讲",
    ESSAY="征文",
    MICRO_VIDEO="微视频（可上传 MP4 视频作为材料）",
    H5="H5 页面",
)
NominationLevelEnum = domain_enum(
    NominationLevel,
    "NominationLevel",
    "推荐所在的遴选层级（由哪一级决定）",
    CITY="市级遴选",
    PROVINCE="省级遴选",
)
DeletionStatusEnum = domain_enum(
    DeletionStatus,
    "DeletionRequestStatus",
    "个人信息删除申请状态",
    PENDING="待处理",
    DONE="已删除（已匿名化）",
)
ReportStatusEnum = domain_enum(
    ReportStatus,
    "ReportStatus",
    "报送状态",
    SUBMITTED="已报送",
    APPROVED="已通过",
    RETURNED="退回修改",
)
RoundHalfEnum = domain_enum(RoundHalf, "RoundHalf", "考核轮次", MID_YEAR="半年", YEAR_END="年终")
ReminderKindEnum = domain_enum(
    ReminderKind,
    "ReminderKind",
    "到期提醒的种类",
    REPORT_WINDOW="季度报送窗口已开放、本市尚未报送",
    FIVE_ONES_DUE="本周期“五个一”即将截止、尚未完成",
)
