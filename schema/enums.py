"""GraphQL enums over the domain's own enums; the Chinese terms are in the descriptions."""

import enum

import strawberry

from authz.vocabulary import Act, Obj
from models import (
    ActivityKind,
    CadreKind,
    CampaignKind,
    Channel,
    ClientKind,
    ContactStatus,
    FlagKind,
    FlagStatus,
    LearnAndDoKind,
    LogKind,
    NominationStatus,
    OrgKind,
    OrgLevel,
    PointSource,
    PostAudience,
    QuotaSubject,
    ReportStatus,
    ResourceKind,
    RoundHalf,
    SpotCheckMethod,
    VoiceKind,
    VoiceStatus,
    WishCategory,
    WishStatus,
)
from resolvers.contacts import RowOutcome
from resolvers.wishes import WishAction

OrgLevelEnum = strawberry.enum(
    OrgLevel,
    name="OrgLevel",
    description="组织层级：PROVINCE 省，CITY 市（含杨凌示范区、西咸新区、韩城市），COUNTY 县/区，"
    "GRASSROOTS 基层团委/团工委，GENERAL_BRANCH 团总支，BRANCH 团支部",
)
OrgKindEnum = strawberry.enum(
    OrgKind,
    name="OrgKind",
    description="组织类别：REGIONAL 地方团委，WORK_COMMITTEE 团工委，UNIVERSITY 高校团委，SCHOOL 中学团委，"
    "ENTERPRISE 企业团委，DEPARTMENT 机关部门，COMMUNITY 街道/社区/乡镇，ABROAD 驻外团工委，OTHER 其他",
)
CadreKindEnum = strawberry.enum(
    CadreKind,
    name="CadreKind",
    description="团干部类别：FULL_TIME 专职，SECONDED 挂职，PART_TIME 兼职",
)
ClientKindEnum = strawberry.enum(
    ClientKind, name="ClientKind", description="客户端：WEB 电脑端，MOBILE 手机端（微信）"
)
PolicyObjectEnum = strawberry.enum(
    Obj,
    name="PolicyObject",
    description="权限对象：org 团组织，cadre 团干部，youth 小伙伴，grant 授权，policy 角色与权限，"
    "audit 审计日志，work 工作（日志、五个一、一学一做），report 报送",
)
PolicyActionEnum = strawberry.enum(
    Act,
    name="PolicyAction",
    description="操作：view 查看，manage 管理，approve 审批，view_personal 查看完整个人信息",
)

# Cadres' work

ContactStatusEnum = strawberry.enum(
    ContactStatus,
    name="ContactStatus",
    description="联系状态：INVITED 待小伙伴确认，ACTIVE 已联系，LEFT 已结束（任一方均可随时结束）",
)
LogKindEnum = strawberry.enum(
    LogKind, name="LogKind", description="日志类别：CONTACT 联系记录，ACTIVITY 活动记录"
)
ChannelEnum = strawberry.enum(
    Channel,
    name="Channel",
    description="联系方式：FACE_TO_FACE 面对面，PHONE 电话，WECHAT 微信，QQ，WEIBO 微博，OTHER 其他",
)
ActivityKindEnum = strawberry.enum(
    ActivityKind,
    name="ActivityKind",
    description="活动类型。团干部“五个一”：PRACTICAL_DEED 办一件实事，LEAGUE_LESSON 上一堂团课，"
    "HEART_TALK 谈心谈话，VOLUNTEER 志愿服务，CULTURE_SPORTS 文体活动；领导机关“五个一”："
    "ORGAN_OPEN_DAY 机关开放，FACE_TO_FACE 面对面，VOLUNTEER 集中志愿服务，SHARING “1+100”分享，"
    "SELF_DESIGNED 自主设计的集体活动",
)
QuotaSubjectEnum = strawberry.enum(
    QuotaSubject,
    name="QuotaSubject",
    description="“五个一”对象：FULL_TIME 专职团干部，SECONDED 挂职团干部，PART_TIME 兼职团干部，"
    "LEADING_ORGAN 市县领导机关",
)
LearnAndDoKindEnum = strawberry.enum(
    LearnAndDoKind,
    name="LearnAndDoKind",
    description="一学一做参与类型：STUDY 学习，ORG_LIFE_MEETING 组织生活会，OATH_RENEWAL 重温入团誓词，"
    "VOLUNTEER 志愿服务，ONLINE_THEME_DAY 网上主题团日，LEAGUE_LESSON 团课",
)
PointSourceEnum = strawberry.enum(
    PointSource,
    name="PointSource",
    description="积分来源：CONTACT_LOG 联系日志，ACTIVITY_LOG 活动日志，CONTACT_ACCEPTED 小伙伴确认联系，"
    "LEARN_AND_DO 一学一做记录",
)
RowOutcomeEnum = strawberry.enum(
    RowOutcome,
    name="ImportRowOutcome",
    description="导入结果：INVITED 已邀请（新号码，或在你无权查看之处已登记，不作区分），"
    "MATCHED 按手机号匹配到你有权查看的小伙伴并邀请，"
    "UNCHANGED 已在名单中或对方已退出，REJECTED 有误未导入",
)


@strawberry.enum(description="导出格式")
class ExportFormat(enum.Enum):
    XLSX = "XLSX"
    CSV = "CSV"


# Youth services

VoiceKindEnum = strawberry.enum(
    VoiceKind,
    name="VoiceKind",
    description="青年之声类别：OPINION 意见，SUGGESTION 建议，QUESTION 咨询",
)
VoiceStatusEnum = strawberry.enum(
    VoiceStatus, name="VoiceStatus", description="状态：OPEN 待回复，ANSWERED 已回复，CLOSED 已关闭"
)
WishCategoryEnum = strawberry.enum(
    WishCategory,
    name="WishCategory",
    description="心愿类别：STUDY 学习，EMPLOYMENT 就业创业，LIFE 生活困难，HEALTH 身心健康，CULTURE 文体，OTHER 其他",
)
WishStatusEnum = strawberry.enum(
    WishStatus,
    name="WishStatus",
    description="心愿状态：SUBMITTED 已提交，ACCEPTED 团干部已认领，ESCALATED 进入心愿池，CLAIMED 资源方已认领，"
    "FULFILLED 已实现待确认，CONFIRMED 小伙伴已确认，WITHDRAWN 已撤回，REJECTED 未受理",
)
WishActionEnum = strawberry.enum(
    WishAction,
    name="WishAction",
    description="心愿操作：ACCEPT 认领，REJECT 不予受理（须说明原因），ESCALATE 提交心愿池，CLAIM 以资源认领，"
    "FULFIL 实现（须附实现情况），CONFIRM 小伙伴确认，WITHDRAW 小伙伴撤回",
)
ResourceKindEnum = strawberry.enum(
    ResourceKind,
    name="ResourceKind",
    description="资源类别：COMPANY 爱心企业，VOLUNTEER 志愿者，FUND 资金，OTHER 其他",
)
PostAudienceEnum = strawberry.enum(
    PostAudience,
    name="PostAudience",
    description="推送对象：MY_YOUTH 我联系的小伙伴，SUBTREE 某组织及下级的小伙伴",
)

# Checking and assessment

SpotCheckMethodEnum = strawberry.enum(
    SpotCheckMethod,
    name="SpotCheckMethod",
    description="抽查方式：PHONE 电话，ON_SITE 实地，COMMISSIONED 委托调查",
)
FlagKindEnum = strawberry.enum(
    FlagKind,
    name="FlagKind",
    description="可疑标记：NEAR_DUPLICATE 内容高度雷同，BURST 超出个人能力的密集记录，UNCONFIRMED 长期未获小伙伴确认，"
    "DENIED 小伙伴否认，SPOT_CHECK_FAILED 抽查未能核实",
)
FlagStatusEnum = strawberry.enum(
    FlagStatus,
    name="FlagStatus",
    description="标记状态：OPEN 待复核（不计积分），CLEARED 复核通过（恢复积分），UPHELD 复核属实",
)
CampaignKindEnum = strawberry.enum(
    CampaignKind,
    name="CampaignKind",
    description="集中活动：OPEN_DAY 开放日，LECTURE 宣讲，YOUTH_STORY 最美青春故事，SERVICE_MONTH 服务青年月",
)
NominationStatusEnum = strawberry.enum(
    NominationStatus,
    name="NominationStatus",
    description="推荐状态：PENDING 待本级遴选，RETURNED 退回下级，FINALIST 省级入选",
)
ReportStatusEnum = strawberry.enum(
    ReportStatus,
    name="ReportStatus",
    description="报送状态：SUBMITTED 已报送，APPROVED 已通过，RETURNED 退回修改",
)
RoundHalfEnum = strawberry.enum(
    RoundHalf, name="RoundHalf", description="考核轮次：MID_YEAR 半年，YEAR_END 年终"
)
