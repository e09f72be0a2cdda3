"""The front ends' files: vendored libraries match their lock, and the app serves the console at
/, the phone pages at /m/ and the libraries at /vendor/ without shadowing the API's paths."""

from __future__ import annotations

import importlib.util
import json
import re

from app.settings import ROOT
from tests.conftest import METRICS_TOKEN


def _vendor_module():
    spec = importlib.util.spec_from_file_location("web_vendor", ROOT / "web" / "vendor.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vendored_files_match_the_lock() -> None:
    vendor = _vendor_module()
    assert vendor.problems() == []
    lock = json.loads((ROOT / "web" / "vendor.lock.json").read_text())["packages"]
    for name, (version, members) in vendor.PACKAGES.items():
        assert lock[name]["integrity"].startswith("sha512-")
        assert sorted(m["from"] for m in lock[name]["files"].values()) == sorted(members)
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly"


def test_a_changed_vendored_file_is_caught(tmp_path, monkeypatch) -> None:
    vendor = _vendor_module()
    copy = tmp_path / "vendor"
    for rel in json.loads(vendor.LOCK.read_text())["packages"]["vue"]["files"]:
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes((vendor.VENDOR / rel).read_bytes())
    (copy / "vue@3.5.45" / "vue.esm-browser.prod.js").write_text("tampered")
    (copy / "stray.js").write_text("")
    monkeypatch.setattr(vendor, "VENDOR", copy)
    found = vendor.problems()
    assert "checksum differs: vue@3.5.45/vue.esm-browser.prod.js" in found
    assert "not in the lock: stray.js" in found
    assert "missing: echarts@6.1.0/echarts.esm.min.mjs" in found


async def test_console_at_root_and_its_client_routes(api) -> None:
    for path in ("/", "/orgs/42", "/policy/grants?x=1"):
        r = await api.client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["cache-control"] == "no-cache"
        assert '<script type="importmap">' in r.text
    module = await api.client.get("/console/main.js")
    assert module.status_code == 200
    assert module.headers["content-type"].startswith("text/javascript")


async def test_api_paths_are_not_shadowed(api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    metrics = await api.client.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert metrics.headers["content-type"].startswith("text/plain")
    page = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert "GraphiQL" in page.text
    for path in ("/graphql/x", "/files/abc", "/vendor/nope.js", "/console/nope.js", "/x.js"):
        r = await api.client.get(path)
        assert r.status_code == 404, path
        assert "importmap" not in r.text


async def test_vendor_files_are_cached_and_typed(api) -> None:
    page = (await api.client.get("/")).text
    imports = json.loads(re.search(r'importmap">(.*?)</script>', page, re.S).group(1))["imports"]
    for url in [*imports.values(), "/vendor/element-plus@2.14.8/index.css"]:
        r = await api.client.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        kind = "text/css" if url.endswith(".css") else "text/javascript"
        assert r.headers["content-type"].startswith(kind), url


async def test_phone_pages_at_m(api) -> None:
    r = await api.client.get("/m", follow_redirects=False)
    assert r.status_code in (307, 308) and r.headers["location"].endswith("/m/")
    for path in ("/m/", "/m/wishes/12"):
        r = await api.client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), path
    assert (await api.client.get("/m/missing.js")).status_code == 404
