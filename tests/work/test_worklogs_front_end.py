"""Which front end wrote a record is what the server sees of the request, not a flag the
caller sets at login (附件1 4.4 手机端使用; issue 16)."""

from __future__ import annotations

import sqlalchemy as sa

from models import ClientKind, WorkLog
from tests.helpers import FROM_CONSOLE, FROM_PHONE_PAGES, pk_of


async def _client(api, log_id: str) -> str:
    async with api.services.sessionmaker() as s:
        return str(await s.scalar(sa.select(WorkLog.client).where(WorkLog.id == pk_of(log_id))))


async def test_the_server_records_the_front_end_that_wrote_a_log(world) -> None:
    api = world.api
    phone_login = await api.token_for(world.cadre_user.id, client=ClientKind.MOBILE)
    # A login that calls itself MOBILE, writing through the raw API: API.
    raw = await world.contact(world.youth_ids[0], token=phone_login)
    assert await _client(api, raw) == "API"
    # The phone pages (a page of ours under /m/) and the console (elsewhere on our origin).
    phone = await world.contact(world.youth_ids[1], headers=FROM_PHONE_PAGES)
    console = await world.activity("VOLUNTEER", headers=FROM_CONSOLE)
    assert (await _client(api, phone), await _client(api, console)) == ("MOBILE", "WEB")
    # A page of another site naming /m/ is not ours.
    elsewhere = await world.contact(
        world.youth_ids[2], headers={"referer": "http://example.com/m/c"}
    )
    assert await _client(api, elsewhere) == "API"
