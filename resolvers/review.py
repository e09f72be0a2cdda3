"""The review a record goes through on its way up, shared by quarterly reports (报送, the
province reviews a city's) and implementation plans (实施方案, the committee above approves):

    (new) ─submit→ SUBMITTED ─approve→ APPROVED (final: no more submissions)
                   SUBMITTED ─return with a comment→ RETURNED ─submit→ SUBMITTED …

Each submission is a new version. Who may submit and who may review is the caller's to
decide (authz/) before it moves the record; the moves and their audit are here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from authz import errors
from authz.errors import Conflict
from models import ReportStatus
from resolvers.base import Ctx, clean_text


class Reviewed(Protocol):
    id: int
    org_path: str
    status: ReportStatus
    version: int
    review_comment: str
    reviewed_by: int | None
    reviewed_at: datetime | None


@dataclass(frozen=True)
class Review:
    """One kind of reviewed record: its name in the audit log and its messages."""

    entity_type: str
    action_prefix: str  # of the audit action: "report" → "report.review"
    final: str  # submitting one that was approved
    not_pending: str  # reviewing one that awaits no review
    comment_label: str  # the review comment's name in an error

    def submit(self, row: Reviewed) -> None:
        """A new version awaiting review: the first, or one after a return."""
        if row.status == ReportStatus.APPROVED:
            raise Conflict(self.final, reason=errors.ILLEGAL_TRANSITION)
        row.version += 1
        row.status = ReportStatus.SUBMITTED

    async def review(self, ctx: Ctx, row: Reviewed, approve: bool, comment: str) -> None:
        """Approve, or return with a comment (required then); audited."""
        if row.status != ReportStatus.SUBMITTED:
            raise Conflict(self.not_pending, reason=errors.ILLEGAL_TRANSITION)
        row.review_comment = clean_text(
            comment, self.comment_label, max_len=2000, required=not approve
        )
        row.status = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
        row.reviewed_by, row.reviewed_at = ctx.principal.user_id, datetime.now(UTC)
        await ctx.session.flush()
        await ctx.audit(
            f"{self.action_prefix}.review",
            self.entity_type,
            row.id,
            row.org_path,
            {"status": ReportStatus.SUBMITTED.value},
            {"status": row.status.value, "comment": row.review_comment},
        )


REPORT = Review(
    entity_type="Report",
    action_prefix="report",
    final="该季度报送已通过，不能再修改",
    not_pending="只能审阅已报送、待审阅的报送",
    comment_label="审阅意见",
)
PLAN = Review(
    entity_type="ImplementationPlan",
    action_prefix="plan",
    final="该年度实施方案已通过",
    not_pending="只能审批已报送、待审批的实施方案",
    comment_label="审批意见",
)
