"""Vendor the front ends' libraries from the npm registry, pinned, with checksums.

No build step and no CDN (intranets): the console and the phone pages import these files
straight from /vendor/. Each package is fetched with `npm pack <name>@<version>` (npm checks
the tarball against the registry's integrity), the listed files are copied to
web/vendor/<name>@<version>/, and web/vendor.lock.json records the tarball's integrity and
every copied file's sha256. tests/platform/test_web.py checks the committed files against
the lock, so a hand-edited or half-updated vendor directory fails the suite.

    python web/vendor.py           # fetch the pinned versions, write files and lock
    python web/vendor.py --check   # verify the committed files against the lock (no network)

To upgrade, change a version below, run the script, and look at what changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor"
LOCK = HERE / "vendor.lock.json"

# name → (exact version, files inside the package tarball). The directory name carries the
# version, so the app may let browsers cache these files for a year.
PACKAGES: dict[str, tuple[str, list[str]]] = {
    "vue": (
        "3.5.45",
        ["LICENSE", "dist/vue.esm-browser.prod.js", "dist/vue.global.prod.js"],
    ),
    "vue-router": (
        "5.5.1",
        ["LICENSE", "dist/vue-router.esm-browser.prod.js", "dist/vue-router.global.prod.js"],
    ),
    "element-plus": (
        "2.14.8",
        ["LICENSE", "dist/index.full.min.mjs", "dist/index.css", "dist/locale/zh-cn.min.mjs"],
    ),
    "echarts": ("6.1.0", ["LICENSE", "dist/echarts.esm.min.mjs", "dist/echarts.min.js"]),
    # Vant's ES build imports @vant/use, @vant/popperjs and @vue/shared (whose ES build reads
    # process.env): the phone pages use its UMD build on the global Vue build instead.
    "vant": ("4.10.2", ["LICENSE", "lib/vant.min.js", "lib/index.css"]),
}


def target(name: str, version: str, member: str) -> str:
    """Where a package file lands, relative to web/vendor/."""
    return f"{name}@{version}/{Path(member).name}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_pack(name: str, version: str, into: Path) -> tuple[Path, str]:
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    if info["version"] != version:
        raise SystemExit(f"npm gave {name}@{info['version']}, not the pinned {version}")
    return into / info["filename"], info["integrity"]


def fetch() -> None:
    old = json.loads(LOCK.read_text()) if LOCK.exists() else {"packages": {}}
    lock: dict[str, dict] = {"packages": {}}
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    VENDOR.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, members) in PACKAGES.items():
            tarball, integrity = npm_pack(name, version, Path(tmp))
            known = old["packages"].get(name, {})
            if known.get("version") == version and known.get("integrity") != integrity:
                raise SystemExit(f"{name}@{version}: the registry's tarball changed (integrity)")
            files = {}
            with tarfile.open(tarball) as tar:
                for member in members:
                    data = tar.extractfile(f"package/{member}")
                    if data is None:
                        raise SystemExit(f"{name}@{version} has no {member}")
                    dest = VENDOR / target(name, version, member)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(data.read())
                    files[target(name, version, member)] = {
                        "from": member,
                        "sha256": sha256(dest),
                        "size": dest.stat().st_size,
                    }
            lock["packages"][name] = {"version": version, "integrity": integrity, "files": files}
    LOCK.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n")


def problems() -> list[str]:
    """What differs between web/vendor/, the lock and PACKAGES; empty when all agree."""
    lock = json.loads(LOCK.read_text())["packages"]
    found = []
    if {n: v for n, (v, _) in PACKAGES.items()} != {n: p["version"] for n, p in lock.items()}:
        found.append("web/vendor.lock.json pins other versions than web/vendor.py")
    expected = {rel: meta for p in lock.values() for rel, meta in p["files"].items()}
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    found += [f"missing: {rel}" for rel in sorted(expected.keys() - present)]
    found += [f"not in the lock: {rel}" for rel in sorted(present - expected.keys())]
    found += [
        f"checksum differs: {rel}"
        for rel in sorted(expected.keys() & present)
        if sha256(VENDOR / rel) != expected[rel]["sha256"]
    ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only, no network")
    if not parser.parse_args().check:
        fetch()
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
