"""The organiser page comes from package data: built with setuptools' own ``build_py`` from
pyproject.toml's package settings (what a wheel's library holds), the templates, the static
files and the Alembic revisions are there, and a hub run from that layout alone serves the
page and migrates a new database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from sync.hub.app import create_app
from sync.hub.dashboard import CSV_TABLES
from sync.hub.db import HubDB
from sync.reports import event_to_dict
from tests.conftest import EVENT, ROOT, SESSIONS
from tests.hub.serving import served

ORGANISER = "organiser-token-for-page-tests"

BUILD = """
import sys, tomllib
from setuptools import Distribution, find_packages

config = tomllib.load(open("pyproject.toml", "rb"))["tool"]["setuptools"]
dist = Distribution({
    "name": "accueil",
    "script_name": "setup.py",
    "packages": find_packages(include=config["packages"]["find"]["include"]),
    "package_data": config["package-data"],
    "py_modules": config["py-modules"],
})
command = dist.get_command_obj("build_py")
command.build_lib = sys.argv[1]
dist.run_command("build_py")
"""

SERVE = """
import asyncio, json, sys
import httpx
import sync.hub.app
from sync.hub.app import create_app
from sync.hub.db import HubDB

library, database = sys.argv[1:3]
db = HubDB("sqlite:///" + database)

async def main():
    transport = httpx.ASGITransport(app=create_app(db, "t0ken"))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        page = await client.get("/dashboard", headers={"Authorization": "Bearer t0ken"})
        login = await client.get("/dashboard")
        script = await client.get("/dashboard/dashboard.js")
        style = await client.get("/dashboard/dashboard.css")
    return {
        "module": sync.hub.app.__file__,
        "revision": db.migration.after,
        "page": [page.status_code, page.text, page.headers.get("content-security-policy")],
        "login": [login.status_code, login.text],
        "script": [script.status_code, script.text, script.headers["content-type"]],
        "style": [style.status_code, style.text, style.headers["content-type"]],
    }

print(json.dumps(asyncio.run(main())))
db.close()
"""


def test_the_page_renders_from_an_installed_layout(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    built = subprocess.run(
        [sys.executable, "-c", BUILD, str(library)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-1500:]
    for shipped in (
        "sync/hub/templates/dashboard.html",
        "sync/hub/templates/login.html",
        "sync/hub/static/dashboard.js",
        "sync/hub/static/dashboard.css",
        "sync/hub/migrations/env.py",
        "sync/hub/migrations/script.py.mako",
        "sync/hub/migrations/versions/0001_first.py",
    ):
        assert (library / shipped).is_file(), shipped

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(library)  # before the editable install of the source tree
    ran = subprocess.run(
        [sys.executable, "-P", "-c", SERVE, str(library), str(tmp_path / "hub.db")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    got = json.loads(ran.stdout.strip().splitlines()[-1])
    assert got["module"].startswith(str(library))
    assert got["revision"] == "0001"
    status, page, csp = got["page"]
    assert status == 200 and csp and "script-src 'self'" in csp
    assert '<h1 id="event">Accueil hub</h1>' in page
    assert '<script src="/dashboard/dashboard.js" defer></script>' in page
    for table in CSV_TABLES:
        assert f'href="/dashboard/csv/{table}.csv"' in page
    assert got["login"][0] == 200 and 'action="/dashboard/login"' in got["login"][1]
    source = ROOT / "sync/hub/static"
    assert got["script"][:2] == [200, (source / "dashboard.js").read_text()]
    assert got["script"][2].startswith("text/javascript")
    assert got["style"][:2] == [200, (source / "dashboard.css").read_text()]
    assert got["style"][2].startswith("text/css")


@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", 'Symposium " onload="x', "Smart & <b>City</b>"]
)
def test_the_event_name_is_text_on_the_page_never_markup(tmp_path: Path, name: str) -> None:
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        db.set_event_definition(event_to_dict(replace(EVENT, name=name), SESSIONS))
        with served(create_app(db, ORGANISER)) as client:
            page = client.get("/dashboard", headers={"Authorization": f"Bearer {ORGANISER}"})
        assert page.status_code == 200
        assert name not in page.text
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f'<h1 id="event">{escaped.replace(chr(34), "&#34;")}</h1>' in page.text
    finally:
        db.close()


def test_a_file_that_is_not_the_pages_is_not_served(tmp_path: Path) -> None:
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        with served(create_app(db, ORGANISER)) as client:
            for name in ("..%2Fapp.py", "dashboard.html", "%2E%2E%2F%2E%2E%2Fpyproject.toml"):
                assert client.get(f"/dashboard/{name}").status_code == 404, name
    finally:
        db.close()
