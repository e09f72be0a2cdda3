"""The typed vocabulary of authorization: what can be acted on, and how."""

from __future__ import annotations

import enum


class Obj(enum.StrEnum):
    ORG = "org"  # 团组织
    CADRE = "cadre"  # 团干部
    YOUTH = "youth"  # 小伙伴
    GRANT = "grant"  # 授权
    POLICY = "policy"  # 角色与权限
    AUDIT = "audit"  # 审计日志
    WORK = "work"  # 工作日志、五个一、一学一做
    REPORT = "report"  # 报送
    QUOTA = "quota"  # 五个一指标、积分规则与考核细则（附件1）
    GROUP = "group"  # 工作小组
    VOICE = "voice"  # 青年之声
    WISH = "wish"  # 微心愿与心愿池
    RESOURCE = "resource"  # 心愿资源
    RATING = "rating"  # 评价
    POST = "post"  # 文化产品
    CAMPAIGN = "campaign"  # 集中活动与推荐
    OPERATIONS = "operations"  # 运维：定时任务的运行情况


class Act(enum.StrEnum):
    VIEW = "view"  # 查看
    MANAGE = "manage"  # 管理（创建、修改）
    APPROVE = "approve"  # 审批
    VIEW_PERSONAL = "view_personal"  # 查看完整个人信息（手机号）
