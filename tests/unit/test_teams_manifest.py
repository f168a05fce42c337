"""``convene teams manifest`` writes a package Teams accepts: manifest 1.16, the bot in three scopes,
its commands, the host as valid domain, and two PNG icons of the required sizes."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from bot.cli import main

APP_ID = "00000000-0000-4000-8000-00000000c0de"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 6)
    idat_len = struct.unpack(">I", data[33:37])[0]
    rows = zlib.decompress(data[41 : 41 + idat_len])
    assert len(rows) == height * (1 + 4 * width)
    return width, height


def test_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "convene-teams.zip"
    assert (
        main(
            [
                "teams",
                "manifest",
                "--app-id",
                APP_ID,
                "--url",
                "https://convene.example.com/",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    archive = zipfile.ZipFile(out)
    assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["manifestVersion"] == "1.16" and manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["team", "personal", "groupchat"]
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert titles == [
        "help",
        "inbox",
        "assign",
        "resolve",
        "meetings",
        "link",
        "settings",
        "link-channel",
        "new",
        "invite",
    ]  # Teams lists at most ten
    assert manifest["validDomains"] == ["convene.example.com"]
    assert png_size(archive.read("color.png")) == (192, 192)
    assert png_size(archive.read("outline.png")) == (32, 32)


def test_plain_http_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.zip"
    assert (
        main(
            [
                "teams",
                "manifest",
                "--app-id",
                APP_ID,
                "--url",
                "http://convene.example.com",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "https" in capsys.readouterr().err and not out.exists()
