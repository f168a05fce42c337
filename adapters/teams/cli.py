"""``convene teams manifest --app-id … --url https://host [--out convene-teams.zip]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from adapters.teams.manifest import package


def register(subparsers: Any) -> None:
    teams = subparsers.add_parser("teams", help="Microsoft Teams tools")
    sub = teams.add_subparsers(dest="teams_command", required=True)
    manifest = sub.add_parser(
        "manifest", help="write the Teams app package (manifest.json and icons, zipped)"
    )
    manifest.add_argument("--app-id", required=True, help="the Azure bot registration's Microsoft App ID")
    manifest.add_argument("--url", required=True, help="the public https:// address of this Convene")
    manifest.add_argument("--out", default="convene-teams.zip", help="where to write the package")
    manifest.set_defaults(run=run_manifest)


def run_manifest(args: argparse.Namespace) -> int:
    try:
        data = package(args.app_id, args.url)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    Path(args.out).write_bytes(data)
    print(f"wrote {args.out}: upload it in Teams → Apps → Manage your apps → Upload an app")
    return 0
