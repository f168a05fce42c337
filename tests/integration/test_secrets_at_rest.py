"""Secrets at rest and in logs: the data folder and its files are the owner's only, sign-in tokens are
kept as hashes (and their mail's outbox row is erased once delivered), SQL errors name no values."""

from __future__ import annotations

import email
import io
import logging
import os
import stat
from dataclasses import replace
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from adapters.web.app import make_app
from bot.bootstrap import bootstrap
from bot.commands import CreateAgent, IssueAgentToken, RedeemLoginLink
from bot.errors import Unauthorized
from bot.settings import load_settings


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "navy").save(out, "PNG")
    return out.getvalue()


PNG = _png()  # a real picture: uploads are decoded and redrawn
SECRET_EMAIL = "ann.secret@example.org"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_data_folder_is_0700_and_every_file_in_it_0600_whatever_the_umask(
    tmp_path: Path, clock: Any
) -> None:
    data = tmp_path / "var"
    environ = {
        "CONVENE_DATA_DIR": str(data),
        "CONVENE_DATABASE_URL": f"sqlite+aiosqlite:///{data}/convene.db",
        "CONVENE_PUBLIC_URL": "http://convene.test",
        "CONVENE_LOG_LEVEL": "WARNING",
    }
    previous = os.umask(0)  # the most permissive umask: the modes must not depend on it
    try:
        settings = replace(load_settings(environ, tmp_path / "absent.toml"), run_workers=False)
        runtime = bootstrap(settings, clock=clock)
        await runtime.storage.migrate()
        await runtime.bus.handle(CreateAgent("alice", "Alice", "alice@example.com"))
        await runtime.bus.handle(IssueAgentToken("alice@example.com", kind="login"))
        while await runtime.dispatcher.dispatch_once():
            pass
        token = await runtime.bus.handle(IssueAgentToken("alice@example.com"))
        async with TestClient(TestServer(make_app(runtime, manage_workers=False))) as client:
            r = await client.put("/api/agent/avatar", data=PNG, headers={"Authorization": f"Bearer {token}"})
            assert r.status == 200, await r.text()
        journal = {p.name: mode(p) for p in data.glob("convene.db-*")}  # SQLite's -wal and -shm, while open
        await runtime.storage.dispose()
    finally:
        os.umask(previous)
    mails = list((data / "outbox").glob("*.eml"))
    pictures = list((data / "avatars").iterdir())
    assert len(mails) == 1 and len(pictures) == 1
    folders = {p: mode(p) for p in (data, data / "outbox", data / "avatars")}
    assert folders == dict.fromkeys(folders, 0o700)
    files = [data / "convene.db", data / "secret_key", *mails, *pictures]
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert "convene.db-wal" in journal and set(journal.values()) == {0o600}


async def test_a_sign_in_token_is_kept_only_as_a_hash_and_its_mail_leaves_no_token_behind(
    runtime: Any,
) -> None:
    await runtime.bus.handle(CreateAgent("alice", "Alice", "alice@example.com"))
    token = await runtime.bus.handle(IssueAgentToken("alice@example.com", kind="login"))

    async def stored() -> str:
        async with runtime.storage.session() as s:
            rows = (await s.execute(text("SELECT token_hash, subject FROM tokens"))).all()
            payloads = (await s.execute(text("SELECT event_type, payload FROM outbox"))).all()
        return repr(rows) + repr(payloads)

    before = await stored()
    assert token not in before and "LoginLinkIssued" in before  # waiting, sealed
    if runtime.storage.is_sqlite:
        database = Path(runtime.settings.database_url.split("///", 1)[1])
        raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        assert token.encode() not in raw

    assert await runtime.dispatcher.dispatch_once() == 1
    [path] = (Path(runtime.settings.data_dir) / "outbox").glob("*.eml")
    mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert f"/inbox/login?token={token}" in mail.get_body(("plain",)).get_content()
    after = await stored()
    assert token not in after and "sealed:" not in after  # delivered: nothing left to open
    assert '"token": ""' in after or "'token': ''" in after

    bearer = await runtime.bus.handle(RedeemLoginLink(token))
    assert bearer and bearer != token
    with pytest.raises(Unauthorized):
        await runtime.bus.handle(RedeemLoginLink(token))  # one time only


async def test_a_failed_statement_is_logged_without_its_values(runtime: Any, caplog: Any) -> None:
    """What ``log.exception`` (the dispatcher's, the web app's) prints for a SQL error: message, SQL and
    the whole chain of causes, PostgreSQL's DETAIL line included."""
    insert = text("INSERT INTO guests (id, name, email, created_at) VALUES (:id, :name, :email, :at)")
    values = {"id": "g1", "name": "Ann", "email": SECRET_EMAIL, "at": runtime.clock.now()}
    async with runtime.storage.session(write=True) as s:
        await s.execute(insert, values)
    log = logging.getLogger("storage.test")
    with caplog.at_level(logging.ERROR, logger="storage.test"):
        with pytest.raises(IntegrityError):
            try:
                async with runtime.storage.session(write=True) as s:
                    await s.execute(insert, values)  # the same primary key again
            except IntegrityError:
                log.exception("import failed")
                raise
    printed = caplog.text
    assert "IntegrityError" in printed and "INSERT INTO guests" in printed
    assert SECRET_EMAIL not in printed and "'g1'" not in printed and "=(g1)" not in printed
