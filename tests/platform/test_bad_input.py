"""Bad input on every mutation: a clear code, and not one byte written anywhere."""

from __future__ import annotations

import sqlalchemy as sa

from schema import build_schema
from tests.helpers import add_user, add_youth, gid, snapshot, standard_tree


async def test_every_mutation_refuses_bad_input_and_writes_nothing(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    cadre = await add_user(api.services, "c1", org=tree["A1"], roles=("cadre",))
    youth = await add_youth(api.services, "小张", "13800001111", tree["A1"])
    token = await api.token_for(admin.id)
    a1, b = gid("Org", tree["A1"].id), gid("Org", tree["B"].id)
    cases: dict[str, tuple[str, dict, str, bool]] = {
        # name: (document, variables, expected code, with token)
        "login": (
            'mutation { login(username: " ", password: "") { accessToken } }',
            {},
            "BAD_USER_INPUT",
            False,
        ),
        "requestLoginCode": (
            'mutation { requestLoginCode(mobile: "12") { retryAfterSeconds } }',
            {},
            "BAD_USER_INPUT",
            False,
        ),
        "loginWithCode": (
            'mutation { loginWithCode(mobile: "abc", code: "1") { accessToken } }',
            {},
            "BAD_USER_INPUT",
            False,
        ),
        "refreshToken": (
            'mutation { refreshToken(refreshToken: "") { accessToken } }',
            {},
            "UNAUTHENTICATED",
            False,
        ),
        "logout": ("mutation { logout }", {}, "UNAUTHENTICATED", False),
        "createOrg": (
            'mutation($p: ID!) { createOrg(input: {parentId: $p, code: "bad code!", name: "x", level: BRANCH, kind: OTHER}) { id } }',
            {"p": a1},
            "BAD_USER_INPUT",
            True,
        ),
        "updateOrg": (
            'mutation($id: ID!) { updateOrg(input: {id: $id, name: ""}) { id } }',
            {"id": a1},
            "BAD_USER_INPUT",
            True,
        ),
        "moveOrg": (
            'mutation($id: ID!) { moveOrg(id: $id, newParentId: "xx") { id } }',
            {"id": a1},
            "BAD_USER_INPUT",
            True,
        ),
        "deactivateOrg": (
            'mutation { deactivateOrg(id: "bm90IGFuIGlk") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "reactivateOrg": ('mutation { reactivateOrg(id: "") { id } }', {}, "BAD_USER_INPUT", True),
        "createCadre": (
            'mutation($o: ID!) { createCadre(input: {orgId: $o, name: "x", kind: FULL_TIME, username: "ok_name", password: "123"}) { id } }',
            {"o": a1},
            "BAD_USER_INPUT",
            True,
        ),
        "updateCadre": (
            'mutation($id: ID!) { updateCadre(input: {id: $id, name: "  "}) { id } }',
            {"id": gid("Cadre", 1)},
            "BAD_USER_INPUT",
            True,
        ),
        "createYouth": (
            'mutation($o: ID!) { createYouth(input: {orgId: $o, name: "x", mobile: "999"}) { id } }',
            {"o": a1},
            "BAD_USER_INPUT",
            True,
        ),
        "updateYouth": (
            'mutation($id: ID!) { updateYouth(input: {id: $id, name: "'
            + "长" * 51
            + '"}) { id } }',
            {"id": gid("Youth", youth.id)},
            "BAD_USER_INPUT",
            True,
        ),
        "createRole": (
            'mutation { createRole(name: "1bad", title: "x") { name } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "deleteRole": ('mutation { deleteRole(name: "no_such_role") }', {}, "NOT_FOUND", True),
        "addPermission": (
            'mutation { addPermission(role: "no_such_role", object: ORG, action: VIEW) { name } }',
            {},
            "NOT_FOUND",
            True,
        ),
        "removePermission": (
            'mutation { removePermission(role: "cadre", object: ORG, action: "VIEW") { name } }',
            {},
            "GRAPHQL_VALIDATION_FAILED",
            True,
        ),
        "grantRole": (
            'mutation($o: ID!) { grantRole(userId: "%%", role: "cadre", orgId: $o) { id } }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "revokeGrant": (
            'mutation { revokeGrant(id: "Z3JhbnQ6OTk5OQ==") { id } }',
            {},
            "NOT_FOUND",
            True,
        ),
        # Cadres' work (the admin is also a cadre at the province).
        "addYouthToMyList": (
            'mutation { addYouthToMyList(name: "x", mobile: "1380000") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "acceptContact": (
            'mutation { acceptContact(id: "bad") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "leaveContact": (
            "mutation($id: ID!) { leaveContact(id: $id) { id } }",
            {"id": gid("Contact", 1)},
            "FORBIDDEN",
            True,
        ),
        "removeContact": (
            "mutation($id: ID!) { removeContact(id: $id) { id } }",
            {"id": gid("Contact", 999)},
            "NOT_FOUND",
            True,
        ),
        "importYouth": (
            'mutation { importYouth(input: {filename: "a.xlsx", contentBase64: "@@@"}) { written } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "importOrgs": (
            'mutation { importOrgs(input: {filename: "a.csv", contentBase64: "@@@", dryRun: false}) { written } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "importCadres": (
            'mutation { importCadres(input: {filename: "a.csv", contentBase64: "@@@", initialPassword: "Start2026a", dryRun: false}) { written } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "setYouthIndustry": (
            'mutation($y: ID!) { setYouthIndustry(youthIds: [$y], industry: "") { id } }',
            {"y": gid("Youth", youth.id)},
            "BAD_USER_INPUT",
            True,
        ),
        "logContact": (
            'mutation($y: ID!) { logContact(input: {youthId: $y, channel: PHONE, content: "x", occurredAt: "2020-01-01T00:00:00+08:00"}) { id } }',
            {"y": gid("Youth", youth.id)},
            "NOT_FOUND",
            True,
        ),
        "logActivity": (
            'mutation { logActivity(input: {kind: VOLUNTEER, content: "x", occurredAt: "2999-01-01T00:00:00+08:00"}) { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "updateWorkLog": (
            'mutation($id: ID!) { updateWorkLog(input: {id: $id, content: "x"}) { id } }',
            {"id": gid("WorkLog", 1)},
            "NOT_FOUND",
            True,
        ),
        "deleteWorkLog": (
            'mutation($id: ID!) { deleteWorkLog(id: $id, reason: "x") { id } }',
            {"id": gid("WorkLog", 1)},
            "NOT_FOUND",
            True,
        ),
        "setQuotaRule": (
            "mutation { setQuotaRule(input: {subject: FULL_TIME, periodMonths: 5}) { minCount } }",
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "chooseLearnAndDo": (
            "mutation($o: ID!) { chooseLearnAndDo(year: 1999, guidedOrgId: $o, joinedBranchId: $o) { year } }",
            {"o": a1},
            "BAD_USER_INPUT",
            True,
        ),
        "recordLearnAndDo": (
            'mutation { recordLearnAndDo(kind: STUDY, occurredOn: "2999-01-01") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "setLearnAndDoWorkPlan": (
            'mutation { setLearnAndDoWorkPlan(plan: " ") { workPlan } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "recommendLearnAndDoModel": (
            'mutation($o: ID!) { recommendLearnAndDoModel(kind: MODEL, sourceOrgId: $o, title: "x", description: "y", recommendedOn: "2999-05-01") { title } }',
            {"o": a1},
            "BAD_USER_INPUT",
            True,
        ),
        "createWorkingGroup": (
            'mutation($o: ID!) { createWorkingGroup(input: {orgId: $o, name: "g", leaderCadreId: "x", responsibleOrgId: $o}) { id } }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "setWorkingGroupMembers": (
            "mutation($id: ID!) { setWorkingGroupMembers(id: $id, memberCadreIds: []) { id } }",
            {"id": gid("WorkingGroup", 9)},
            "NOT_FOUND",
            True,
        ),
        "dissolveWorkingGroup": (
            'mutation { dissolveWorkingGroup(id: "") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "recordSharingEvent": (
            'mutation($o: ID!) { recordSharingEvent(orgId: $o, title: " ", heldOn: "2026-01-01") { id } }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "addSecretary": (
            "mutation($c: ID!) { addSecretary(secretaryCadreId: $c) { id } }",
            {"c": gid("Cadre", 999)},
            "NOT_FOUND",
            True,
        ),
        "setPointRule": (
            "mutation { setPointRule(source: CONTACT_LOG, points: -1, dailyCap: 5) { points } }",
            {},
            "BAD_USER_INPUT",
            True,
        ),
        # Youth services.
        "sendVoice": (
            'mutation { sendVoice(kind: OPINION, title: "t", body: "b", cadreId: "x") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "replyVoice": (
            'mutation { replyVoice(id: "x", body: "b") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "closeVoice": (
            "mutation($id: ID!) { closeVoice(id: $id) { id } }",
            {"id": gid("Voice", 9)},
            "NOT_FOUND",
            True,
        ),
        "submitWish": (
            'mutation { submitWish(cadreId: "x", category: LIFE, title: "t", description: "d") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "actOnWish": (
            "mutation($id: ID!) { actOnWish(id: $id, action: ACCEPT) { id } }",
            {"id": gid("Wish", 9)},
            "NOT_FOUND",
            True,
        ),
        "addResource": (
            'mutation($o: ID!) { addResource(orgId: $o, donor: "d", kind: FUND, capacity: 0, validFrom: "2026-01-01", validUntil: "2026-12-31") { id } }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "rateCadre": (
            'mutation { rateCadre(cadreId: "x", score: 9) { count } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "publishPost": (
            'mutation { publishPost(audience: MY_YOUTH, title: " ") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "markPostRead": ('mutation { markPostRead(id: "x") { id } }', {}, "BAD_USER_INPUT", True),
        "openDiscussion": (
            'mutation { openDiscussion(title: "") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "replyDiscussion": (
            'mutation { replyDiscussion(id: "x", body: "b") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "moderateReply": (
            'mutation { moderateReply(id: "x", hidden: true) }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "closeDiscussion": (
            "mutation($id: ID!) { closeDiscussion(id: $id) { id } }",
            {"id": gid("Discussion", 9)},
            "NOT_FOUND",
            True,
        ),
        # Checking and assessment.
        "confirmContact": (
            'mutation { confirmContact(logId: "x", confirmed: true) }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "detectFlags": (
            'mutation($o: ID!) { detectFlags(orgId: $o, dateFrom: "2026-02-01", dateTo: "2026-01-01") { burst } }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "reviewFlag": (
            'mutation($id: ID!) { reviewFlag(id: $id, decision: OPEN, note: "x") { id } }',
            {"id": gid("Flag", 1)},
            "BAD_USER_INPUT",
            True,
        ),
        "drawSpotCheck": (
            'mutation($o: ID!) { drawSpotCheck(orgId: $o, method: PHONE, sampleSize: 0, seed: 1, dateFrom: "2026-01-01", dateTo: "2026-02-01") { id } }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "recordSpotCheck": (
            'mutation { recordSpotCheck(itemId: "x", reached: true) { reached } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "submitReport": (
            'mutation($o: ID!) { submitReport(orgId: $o, year: 2026, quarter: 5, practices: "a", experience: "b", problems: "c", nextSteps: "d") { id } }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "reviewReport": (
            "mutation($id: ID!) { reviewReport(id: $id, approve: false) { id } }",
            {"id": gid("Report", 9)},
            "NOT_FOUND",
            True,
        ),
        "generateBulletin": (
            "mutation($o: ID!) { generateBulletin(orgId: $o, year: 2026, quarter: 0) { id } }",
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "publishBulletin": (
            "mutation($id: ID!) { publishBulletin(id: $id) { id } }",
            {"id": gid("Bulletin", 9)},
            "NOT_FOUND",
            True,
        ),
        "createCampaign": (
            'mutation { createCampaign(kind: LECTURE, year: 2026, title: "t", startsOn: "2026-05-01", endsOn: "2026-04-01") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "nominateStory": (
            'mutation($o: ID!) { nominateStory(campaignId: "x", orgId: $o, cadreId: "x", form: ESSAY, title: "t", story: "s") { id } }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "proposeRubricVersion": (
            "mutation { proposeRubricVersion(items: []) { id } }",
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "updateRubricDraft": (
            "mutation($id: ID!) { updateRubricDraft(id: $id, items: []) { id } }",
            {"id": gid("RubricVersion", 9)},
            "NOT_FOUND",
            True,
        ),
        "publishRubricVersion": (
            "mutation($id: ID!) { publishRubricVersion(id: $id) { id } }",
            {"id": gid("RubricVersion", 9)},
            "NOT_FOUND",
            True,
        ),
        "updateNomination": (
            'mutation($id: ID!) { updateNomination(id: $id, title: "t") { id } }',
            {"id": gid("Nomination", 9)},
            "NOT_FOUND",
            True,
        ),
        "decideNomination": (
            "mutation($id: ID!) { decideNomination(id: $id, select: true) { id } }",
            {"id": gid("Nomination", 9)},
            "NOT_FOUND",
            True,
        ),
        "openAssessment": (
            'mutation { openAssessment(orgId: "x", year: 2026, half: MID_YEAR) { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "computeAssessment": (
            "mutation($id: ID!) { computeAssessment(id: $id) { id } }",
            {"id": gid("AssessmentRound", 9)},
            "NOT_FOUND",
            True,
        ),
        "enterAssessmentScore": (
            'mutation($id: ID!, $o: ID!) { enterAssessmentScore(id: $id, orgId: $o, item: "3", points: 1, evidence: "e") { points } }',
            {"id": gid("AssessmentRound", 9), "o": b},
            "NOT_FOUND",
            True,
        ),
        "closeAssessment": (
            'mutation { closeAssessment(id: "x") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        # Personal data.
        "acceptPrivacyPolicy": (
            'mutation { acceptPrivacyPolicy(policyVersion: "1999") { scope } }',
            {},
            "FORBIDDEN",
            True,
        ),
        "requestDataDeletion": (
            'mutation { requestDataDeletion(reason: "x") { id } }',
            {},
            "FORBIDDEN",
            True,
        ),
        "processDataDeletion": (
            'mutation { processDataDeletion(id: "x") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        # Policy management.
        "applyPolicyChange": (
            "mutation { applyPolicyChange(changes: []) { gainedCount } }",
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "delegateRole": (
            'mutation($o: ID!) { delegateRole(toUserId: "x", role: "cadre", orgId: $o, startsAt: "2026-01-01T00:00:00+08:00", endsAt: "2026-01-02T00:00:00+08:00") }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "setFieldRule": (
            'mutation { setFieldRule(role: "cadre", object: YOUTH, field: "password", maxDistance: 1) }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "grantFieldAccess": (
            'mutation($o: ID!) { grantFieldAccess(userId: "x", object: YOUTH, field: "mobile", orgId: $o, reason: "r") }',
            {"o": b},
            "BAD_USER_INPUT",
            True,
        ),
        "revokeFieldAccess": (
            "mutation($id: ID!) { revokeFieldAccess(id: $id) }",
            {"id": gid("FieldGrant", 9)},
            "NOT_FOUND",
            True,
        ),
        "importPolicy": (
            "mutation { importPolicy(document: {version: 2}) { permissions } }",
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "requestPolicyChange": (
            'mutation { requestPolicyChange(input: {kind: SET_FIELD_RULE, role: "cadre"}) { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "approvePolicyChange": (
            'mutation { approvePolicyChange(id: "%%") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "rejectPolicyChange": (
            'mutation { rejectPolicyChange(id: "x", note: "x") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "closeSpotCheck": (
            'mutation { closeSpotCheck(id: "%%") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        # Evidence and implementation plans.
        "attachEvidence": (  # neither a log nor a report named
            'mutation { attachEvidence(input: {filename: "a.pdf", contentBase64: "JVBERi0="}) { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "removeEvidence": (
            'mutation { removeEvidence(id: "%%") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
        "submitImplementationPlan": (
            'mutation($o: ID!) { submitImplementationPlan(orgId: $o, year: 2026, title: " ", content: "c") { id } }',
            {"o": a1},
            "BAD_USER_INPUT",
            True,
        ),
        "reviewImplementationPlan": (
            'mutation { reviewImplementationPlan(id: "%%", approve: true, comment: "") { id } }',
            {},
            "BAD_USER_INPUT",
            True,
        ),
    }
    declared = set(build_schema()._schema.mutation_type.fields)
    assert declared == set(cases), f"mutations without a bad-input case: {declared - set(cases)}"
    before = await snapshot(api.services)
    for name, (doc, variables, code, with_token) in cases.items():
        r = await api.gql(doc, variables, token=token if with_token else None)
        assert r.codes == [code], (name, r.body)
        assert not (r.body.get("data") or {}).get(name), name
        assert await snapshot(api.services) == before, f"{name} wrote something"
    assert cadre.id


async def test_the_audit_log_cannot_be_rewritten(api) -> None:
    tree = await standard_tree(api.services)
    admin = await add_user(api.services, "padmin", org=tree["P"], roles=("province_admin",))
    r = await api.gql(
        'mutation($id: ID!) { updateOrg(input: {id: $id, name: "改名"}) { name } }',
        {"id": gid("Org", tree["A"].id)},
        token=await api.token_for(admin.id),
    )
    assert r.data
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        async with api.services.engine.connect() as conn:
            try:
                await conn.execute(sa.text(statement))
            except sa.exc.DBAPIError as exc:
                assert "append-only" in str(exc)
            else:
                raise AssertionError(f"{statement} was allowed")
    async with api.services.engine.connect() as conn:
        assert (
            await conn.scalar(sa.text("SELECT count(*) FROM audit_log WHERE action = 'org.update'"))
            == 1
        )
