"""Google Workspace for the whole organisation: a service account with domain-wide delegation.

An admin allows the service account's client ID the Calendar scopes in the Google Admin console; we
then act as each agent (``sub`` = their primary email) without any per-agent sign-in. The account is
marked by ``external_user_id == WORKSPACE`` on the agent's ``google`` connection, and no grant is
stored: a delegated access token is minted with a signed JWT (the jwt-bearer grant) and re-minted
when it expires (there is no refresh token).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from google.oauth2 import service_account

from adapters.calendars.google.oauth import SCOPES, token_url

# The OAuth scopes, plus the user's Calendar settings (the time zone, followed on every sync). The
# admin allows exactly these to the service account's client ID.
WORKSPACE_SCOPES: tuple[str, ...] = (*SCOPES, "https://www.googleapis.com/auth/calendar.settings.readonly")
WORKSPACE = "google-workspace"  # the connection kind: external_user_id of a delegated google connection


def service_account_info(config: Mapping[str, Any]) -> dict[str, Any] | None:
    """The key (JSON) from ``google_service_account_json`` or the file ``google_service_account_file``;
    None when neither is set. A configured but unreadable key is an error at start-up, not later."""
    raw = str(config.get("google_service_account_json") or "")
    path = str(config.get("google_service_account_file") or "")
    if not raw and path:
        raw = Path(path).read_text(encoding="utf-8")
    if not raw:
        return None
    info = json.loads(raw)
    if not isinstance(info, dict) or not info.get("client_email") or not info.get("private_key"):
        raise ValueError("the Google service account key needs client_email and private_key")
    return info


def delegated_credentials(
    config: Mapping[str, Any], info: Mapping[str, Any], subject: str
) -> service_account.Credentials:
    """Credentials acting as ``subject``. ``google_token_url`` (tests: the local fake) overrides the
    key file's ``token_uri``."""
    info = {
        **info,
        "token_uri": str(config.get("google_token_url") or info.get("token_uri") or token_url(config)),
    }
    credentials = service_account.Credentials.from_service_account_info(info, scopes=list(WORKSPACE_SCOPES))  # type: ignore[no-untyped-call]
    return credentials.with_subject(subject)  # type: ignore[no-untyped-call,no-any-return]
