"""GraphQL enums over the domain's own enums; the Chinese terms are in the descriptions."""

import strawberry

from authz.vocabulary import Act, Obj
from models import CadreKind, ClientKind, OrgKind, OrgLevel

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
