"""``convene slack manifest --url https://host``: the Slack app manifest with this server's URLs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

MANIFEST = Path(__file__).with_name("manifest.yml")


def manifest(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise ValueError(
            f"--url must be the server's public base URL, like https://convene.example.com, not {url!r}"
        )
    return MANIFEST.read_text().replace("{url}", url.rstrip("/"))


def register(subparsers: Any) -> None:
    slack = subparsers.add_parser("slack", help="Slack app tools")
    tools = slack.add_subparsers(dest="slack_command", required=True)
    command = tools.add_parser("manifest", help="print the Slack app manifest for this server")
    command.add_argument("--url", required=True, help="public base URL, e.g. https://convene.example.com")
    command.set_defaults(run=_print_manifest)


def _print_manifest(args: argparse.Namespace) -> int:
    try:
        print(manifest(args.url), end="")
    except ValueError as error:
        print(error)
        return 2
    return 0
