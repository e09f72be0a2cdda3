"""Personal data (PIPL): consent when a youth joins (a guardian's under 14), who holds their
data, a download of it, deletion on request, and retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from authz import Act, Obj, errors, require_youth
from authz.errors import BadInput, Conflict, Forbidden, NotFound
from models import (
    AuthSession,
    Cadre,
    Consent,
    Contact,
    ContactStatus,
    DeletionRequest,
    DiscussionReply,
    Download,
    Flag,
    Grant,
    IdempotencyKey,
    LoginThrottle,
    Org,
    OtpCode,
    PersonalDataRead,
    RateLimitCounter,
    Rating,
    RefreshToken,
    SmsOutbox,
    SpotCheckItem,
    User,
    Voice,
    VoiceReply,
    Wish,
    WishEvent,
    WorkLog,
    WorkLogParticipant,
    Youth,
)
from resolvers.base import Ctx, clean_mobile, clean_text
from resolvers.contacts import LIVE
from resolvers.pagination import Page

POLICY_VERSION = "2026-11"
SCOPE = "联系与服务：姓名、手机号、行业；工作记录；青年之声、微心愿、评价"
GUARDIAN_AGE = 14


async def _me(ctx: Ctx) -> Youth:
    youth = await ctx.session.get(Youth, require_youth(ctx.principal))
    assert youth is not None
    return youth


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


async def accept(
    ctx: Ctx,
    *,
    policy_version: str,
    birth_date: date | None = None,
    guardian_name: str | None = None,
    guardian_mobile: str | None = None,
) -> Consent:
    youth = await _me(ctx)
    if policy_version != POLICY_VERSION:
        raise BadInput(f"请同意当前版本（{POLICY_VERSION}）的隐私政策", field="policyVersion")
    if birth_date is not None:
        if not date(1900, 1, 1) < birth_date <= datetime.now(UTC).date():
            raise BadInput("出生日期不正确", field="birthDate")
        youth.birth_date = birth_date
    minor = (
        youth.birth_date is not None
        and _age(youth.birth_date, datetime.now(UTC).date()) < GUARDIAN_AGE
    )
    if minor and not (guardian_name and guardian_mobile):
        raise BadInput(
            "未满 14 周岁，须由监护人同意（填写监护人姓名和手机号）", field="guardianName"
        )
    consent = Consent(
        youth_id=youth.id,
        policy_version=policy_version,
        scope=SCOPE,
        guardian_name=clean_text(guardian_name, "监护人姓名", max_len=50) if minor else None,
        guardian_mobile=clean_mobile(guardian_mobile or "") if minor else None,
    )
    ctx.session.add(consent)
    await ctx.session.flush()
    await ctx.audit(
        "privacy.consent",
        "Youth",
        youth.id,
        youth.org_path,
        after={"policy_version": policy_version, "guardian": minor},
    )
    return consent


async def current_consent(session: AsyncSession, youth_id: int) -> Consent | None:
    return await session.scalar(
        sa.select(Consent)
        .where(Consent.youth_id == youth_id, Consent.policy_version == POLICY_VERSION)
        .order_by(Consent.id.desc())
        .limit(1)
    )


async def require_consent(ctx: Ctx, youth: Youth) -> None:
    """A youth speaks, wishes and rates only after agreeing to the current policy."""
    if await current_consent(ctx.session, youth.id) is None:
        raise Forbidden(
            f"请先阅读并同意隐私政策（{POLICY_VERSION}）", reason=errors.CONSENT_REQUIRED
        )


@dataclass(frozen=True)
class Holders:
    cadres: list[tuple[str, str, ContactStatus]]  # (cadre, their org, the contact's status)
    roles: list[tuple[str, str]]  # (role, the org of the grant)
    reads: list[tuple[str, datetime]]  # (who, when), newest first


async def holders(ctx: Ctx) -> Holders:
    """Who holds my data: the cadres whose list I am on, the roles that may see my whole
    number over my org, and who read it lately."""
    youth = await _me(ctx)
    cadres = (
        await ctx.session.execute(
            sa.select(Cadre.name, Org.name, Contact.status)
            .join(Contact, Contact.cadre_id == Cadre.id)
            .join(Org, Org.id == Cadre.org_id)
            .where(Contact.youth_id == youth.id, Contact.status.in_(LIVE))
        )
    ).all()
    grants = (
        await ctx.session.execute(
            sa.select(Grant.role, Org.name)
            .join(Org, Org.id == Grant.org_id)
            .where(Grant.revoked_at.is_(None), Grant.org_path.ancestor_of(youth.org_path))
            .distinct()
        )
    ).all()
    roles = [
        (role, org) for role, org in grants if ctx.policy.allows(role, Obj.YOUTH, Act.VIEW_PERSONAL)
    ]
    reads = (
        await ctx.session.execute(
            sa.select(User.display_name, PersonalDataRead.at)
            .join(User, User.id == PersonalDataRead.viewer_user_id)
            .where(PersonalDataRead.youth_id == youth.id)
            .order_by(PersonalDataRead.id.desc())
            .limit(50)
        )
    ).all()
    return Holders(
        cadres=[(n, o, s) for n, o, s in cadres],
        roles=roles,
        reads=[(n, at) for n, at in reads],
    )


async def export(ctx: Ctx) -> dict[str, Any]:
    """Everything the platform holds about me, as data."""
    youth = await _me(ctx)
    s = ctx.session

    async def rows(stmt: Any) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in (await s.execute(stmt)).all()]

    def iso(v: Any) -> Any:
        return (
            v.isoformat()
            if isinstance(v, (date, datetime))
            else v.value
            if hasattr(v, "value")
            else v
        )

    data = {
        "profile": {
            "name": youth.name,
            "mobile": youth.mobile,
            "industry": youth.industry,
            "birth_date": youth.birth_date,
            "registered_at": youth.created_at,
        },
        "consents": await rows(
            sa.select(
                Consent.policy_version, Consent.scope, Consent.accepted_at, Consent.guardian_name
            ).where(Consent.youth_id == youth.id)
        ),
        "contacts": await rows(
            sa.select(
                Cadre.name.label("cadre"),
                Contact.status,
                Contact.invited_at,
                Contact.accepted_at,
                Contact.left_at,
            )
            .join(Cadre, Cadre.id == Contact.cadre_id)
            .where(Contact.youth_id == youth.id)
        ),
        "logged_contacts": await rows(
            sa.select(
                Cadre.name.label("cadre"), WorkLog.channel, WorkLog.content, WorkLog.occurred_at
            )
            .join(Cadre, Cadre.id == WorkLog.cadre_id)
            .where(WorkLog.youth_id == youth.id, WorkLog.deleted_at.is_(None))
        ),
        "voices": await rows(
            sa.select(Voice.kind, Voice.title, Voice.body, Voice.status, Voice.created_at).where(
                Voice.youth_id == youth.id
            )
        ),
        "wishes": await rows(
            sa.select(
                Wish.category, Wish.title, Wish.description, Wish.status, Wish.submitted_at
            ).where(Wish.youth_id == youth.id)
        ),
        "ratings_given": await rows(
            sa.select(Cadre.name.label("cadre"), Rating.period, Rating.score, Rating.comment)
            .join(Cadre, Cadre.id == Rating.cadre_id)
            .where(Rating.youth_id == youth.id)
        ),
        "holders": await holders(ctx),
    }

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return iso(v)

    await ctx.audit_aside("privacy.export", "Youth", youth.id, youth.org_path)
    return clean(data)


async def request_deletion(ctx: Ctx, reason: str) -> DeletionRequest:
    youth = await _me(ctx)
    pending = await ctx.session.scalar(
        sa.select(DeletionRequest.id).where(
            DeletionRequest.youth_id == youth.id, DeletionRequest.status == "PENDING"
        )
    )
    if pending:
        raise Conflict("已有待处理的删除申请")
    req = DeletionRequest(
        youth_id=youth.id,
        status="PENDING",
        reason=clean_text(reason, "原因", max_len=1000, required=False),
    )
    ctx.session.add(req)
    await ctx.session.flush()
    await ctx.audit("privacy.deletion_request", "Youth", youth.id, youth.org_path)
    return req


async def list_deletions(
    ctx: Ctx, status: str | None, *, first: int | None, after: str | None
) -> Page[DeletionRequest]:
    scope = ctx.scope(Act.MANAGE, Obj.YOUTH)
    stmt = (
        sa.select(DeletionRequest)
        .join(Youth, Youth.id == DeletionRequest.youth_id)
        .where(scope.predicate(Youth.org_path))
    )
    if status:
        stmt = stmt.where(DeletionRequest.status == status)
    return await ctx.page(stmt, DeletionRequest.id, first, after)


async def process_deletion(ctx: Ctx, request_id: int) -> DeletionRequest:
    """Erase the person, keep the counts: the youth record is anonymized, their login ends,
    their links end, the texts they wrote are removed, and their name and number are cut
    out of every text linked to them (`_scrub_linked_texts`)."""
    req = await ctx.session.get(DeletionRequest, request_id, with_for_update=True)
    youth = await ctx.session.get(Youth, req.youth_id, with_for_update=True) if req else None
    if req is None or youth is None:
        raise NotFound()
    ctx.authorize(Act.MANAGE, Obj.YOUTH, youth.org_path)
    if req.status != "PENDING":
        raise Conflict("该申请已处理")
    now = datetime.now(UTC)
    # The names they went by: the record's (it may have been corrected since they joined)
    # and their account's, longest first so that 小明同学 goes whole before 小明.
    display = await ctx.session.scalar(sa.select(User.display_name).where(User.id == youth.user_id))
    names = sorted({n for n in (youth.name, display) if n}, key=len, reverse=True)
    mobile = youth.mobile
    youth.name, youth.mobile, youth.industry, youth.birth_date = (
        "已注销用户",
        f"deleted-{youth.id}",
        "",
        None,
    )
    s = ctx.session
    if youth.user_id is not None:
        await s.execute(
            sa.update(User)
            .where(User.id == youth.user_id)
            .values(mobile=None, display_name="已注销用户", is_active=False)
        )
        await s.execute(
            sa.update(AuthSession)
            .where(AuthSession.user_id == youth.user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="deleted")
        )
    await s.execute(
        sa.update(Contact)
        .where(Contact.youth_id == youth.id, Contact.status.in_(LIVE))
        .values(status=ContactStatus.LEFT, left_at=now, left_by="YOUTH")
    )
    await _remove_own_texts(s, youth)
    await _scrub_linked_texts(s, youth, names, mobile)
    req.status, req.done_at, req.done_by = "DONE", now, ctx.principal.user_id
    await s.flush()
    await ctx.audit(
        "privacy.deletion_done", "Youth", youth.id, youth.org_path, after={"request_id": req.id}
    )
    return req


REMOVED = "[已删除]"


async def _remove_own_texts(s: AsyncSession, youth: Youth) -> None:
    """What the person wrote goes whole."""
    await s.execute(
        sa.update(Voice).where(Voice.youth_id == youth.id).values(body=REMOVED, title=REMOVED)
    )
    await s.execute(
        sa.update(Wish).where(Wish.youth_id == youth.id).values(description=REMOVED, title=REMOVED)
    )
    await s.execute(sa.update(Rating).where(Rating.youth_id == youth.id).values(comment=""))
    await s.execute(
        sa.update(Consent)
        .where(Consent.youth_id == youth.id)
        .values(guardian_name=None, guardian_mobile=None)
    )
    if youth.user_id is not None:
        for reply in (VoiceReply, DiscussionReply):
            await s.execute(
                sa.update(reply).where(reply.author_user_id == youth.user_id).values(body=REMOVED)
            )


async def _scrub_linked_texts(s: AsyncSession, youth: Youth, names: list[str], mobile: str) -> None:
    """What others wrote about the person keeps its sense without naming them: the name and
    the number (also written with spaces or dashes) are cut out of every text linked to
    them. Codes sent to the number and cached answers that carry it are removed."""
    logs = sa.union(
        sa.select(WorkLog.id).where(WorkLog.youth_id == youth.id),
        sa.select(WorkLogParticipant.log_id).where(WorkLogParticipant.youth_id == youth.id),
    ).scalar_subquery()
    voices = sa.select(Voice.id).where(Voice.youth_id == youth.id).scalar_subquery()
    wishes = sa.select(Wish.id).where(Wish.youth_id == youth.id).scalar_subquery()
    linked: list[tuple[Any, list[Any], Any]] = [
        (WorkLog, [WorkLog.content, WorkLog.place, WorkLog.deleted_reason], WorkLog.id.in_(logs)),
        (SpotCheckItem, [SpotCheckItem.notes], SpotCheckItem.log_id.in_(logs)),
        (Flag, [Flag.detail, Flag.review_note], Flag.log_id.in_(logs)),
        (VoiceReply, [VoiceReply.body], VoiceReply.voice_id.in_(voices)),
        (Wish, [Wish.evidence, Wish.reason], Wish.id.in_(wishes)),
        (WishEvent, [WishEvent.note], WishEvent.wish_id.in_(wishes)),
        (DeletionRequest, [DeletionRequest.reason], DeletionRequest.youth_id == youth.id),
    ]
    for model, columns, where in linked:
        await s.execute(
            sa.update(model)
            .where(where)
            .values({c.key: _without(c, names, mobile) for c in columns})
            .execution_options(synchronize_session=False)
        )
    await s.execute(sa.delete(SmsOutbox).where(SmsOutbox.mobile == mobile))
    await s.execute(sa.delete(OtpCode).where(OtpCode.mobile == mobile))
    await s.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.identifier.in_([mobile, f"m:{mobile}"]))
    )
    # Exports waiting to be fetched may list them and cannot be searched (an XLSX is
    # zipped): those of a subtree holding them lose their file (the link says it is gone).
    await s.execute(
        sa.update(Download)
        .where(
            Download.content.is_not(None),
            sa.or_(Download.org_path.is_(None), Download.org_path.ancestor_of(youth.org_path)),
        )
        .values(content=None)
    )
    answers = sa.cast(IdempotencyKey.response, sa.Text)
    await s.execute(
        sa.delete(IdempotencyKey).where(
            sa.or_(*(answers.contains(w, autoescape=True) for w in [mobile, *names]))
        )
    )


def _without(column: Any, names: list[str], mobile: str) -> Any:
    """The column's text with the names and the number replaced by REMOVED."""
    spaced = "[\\s-]*".join(mobile)  # 13600000001, 136 0000 0001, 136-0000-0001
    text = sa.func.regexp_replace(column, spaced, REMOVED, "g")
    for name in names:
        text = sa.func.replace(text, name, REMOVED)
    return text


_OLD_JOB_RUNS = sa.text("""
    DELETE FROM procrastinate_jobs j
    WHERE j.status IN ('succeeded', 'failed', 'cancelled', 'aborted')
      AND NOT EXISTS (SELECT 1 FROM procrastinate_periodic_defers d WHERE d.job_id = j.id)
      AND NOT EXISTS (SELECT 1 FROM procrastinate_events e
                      WHERE e.job_id = j.id AND e.at > now() - make_interval(days => :days))""")


async def purge(session: AsyncSession, settings: Any) -> dict[str, int]:
    """Retention: what is kept only for a while is removed after it."""
    now = datetime.now(UTC)
    out = {}
    for name, stmt in (
        (
            "otp_codes",
            sa.delete(OtpCode).where(
                OtpCode.created_at < now - timedelta(days=settings.retain_otp_days)
            ),
        ),
        (
            "sms_outbox",
            sa.delete(SmsOutbox).where(
                SmsOutbox.created_at < now - timedelta(days=settings.retain_otp_days)
            ),
        ),
        ("refresh_tokens", sa.delete(RefreshToken).where(RefreshToken.expires_at < now)),
        (
            "rate_limit_counters",
            sa.delete(RateLimitCounter).where(RateLimitCounter.expires_at < now),
        ),
        (
            # An export nobody downloaded in time: its file goes, the row stays for the audit.
            "downloads",
            sa.update(Download)
            .where(Download.expires_at < now, Download.content.is_not(None))
            .values(content=None),
        ),
        (
            "idempotency_keys",
            sa.delete(IdempotencyKey).where(
                IdempotencyKey.created_at < now - timedelta(hours=settings.retain_idempotency_hours)
            ),
        ),
        (
            "personal_data_reads",
            sa.delete(PersonalDataRead).where(
                PersonalDataRead.at < now - timedelta(days=settings.retain_data_reads_days)
            ),
        ),
    ):
        out[name] = (await session.execute(stmt)).rowcount or 0  # type: ignore[attr-defined]
    # Finished runs of the scheduled jobs whose last event is older than the retention
    # (their events go with them); the newest run of each job is always kept.
    out["scheduled_job_runs"] = (
        await session.execute(_OLD_JOB_RUNS, {"days": settings.retain_job_days})
    ).rowcount or 0  # type: ignore[attr-defined]
    old_sessions = sa.select(AuthSession.id).where(
        AuthSession.revoked_at < now - timedelta(days=settings.retain_sessions_days)
    )
    await session.execute(sa.delete(RefreshToken).where(RefreshToken.session_id.in_(old_sessions)))
    out["auth_sessions"] = 0  # kept: they count activation and mobile use (附件1 item 4)
    return out
