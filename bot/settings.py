"""Settings, read once in ``bootstrap``: environment variables ``CONVENE_*`` over ``convene.toml``."""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bot.private_files import private_dir, write_private

PREFIX = "CONVENE_"


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///./var/convene.db"
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    secret_key: str = ""
    data_dir: str = "./var"
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = ""
    teams_app_id: str = ""
    teams_app_password: str = ""
    teams_tenant_id: str = ""
    teams_openid_metadata_url: str = ""
    teams_connector_url: str = ""
    google_client_id: str = ""
    google_client_secret: str = ""
    google_api_url: str = ""
    google_token_url: str = ""
    google_auth_url: str = ""
    ms_client_id: str = ""
    ms_client_secret: str = ""
    ms_tenant_id: str = ""
    ms_authority_url: str = ""
    ms_graph_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "starttls"  # starttls | tls | none
    mail_from: str = "Convene <convene@localhost>"
    inbound_smtp_port: int = 0  # 0: no inbound mail endpoint (replies by email)
    inbound_smtp_host: str = "127.0.0.1"
    mail_domain: str = ""  # of the Reply-To addresses; default: the domain of mail_from
    job_lease_seconds: float = 60.0
    calendar_deadline_seconds: float = 8.0  # past it, a calendar counts as unreadable for that request
    worker_poll_seconds: float = 1.0
    run_workers: bool = True
    log_level: str = "INFO"
    metrics_token: str = ""  # when set, /metrics needs it as a bearer token; else loopback only
    agent_token_idle_days: float = 30.0  # an agent API token unused this long stops working
    guest_token_idle_days: float = 90.0  # a guest session unused this long stops working
    inbound_require_dmarc: bool = False  # replies by mail need dmarc=pass from a trusted relay
    inbound_trusted_relays: str = ""  # comma-separated authserv-ids whose Authentication-Results count
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def plugin_config(self) -> dict[str, Any]:
        """What plugins see: every setting by its lower-case name, without the prefix."""
        config = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        config.update(self.extra)
        config["public_url"] = self.base_url
        return config


def _coerce(raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return str(raw)


def load_settings(environ: Mapping[str, str] | None = None, toml_path: str | Path | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    path = Path(toml_path or environ.get(PREFIX + "CONFIG", "convene.toml"))
    values: dict[str, Any] = {}
    if path.is_file():
        values.update(tomllib.loads(path.read_text()))
    for key, raw in environ.items():
        if key.startswith(PREFIX) and key != PREFIX + "CONFIG":
            values[key[len(PREFIX) :].lower()] = raw
    known = {f.name: f.default for f in fields(Settings) if f.name != "extra"}
    kwargs = {k: _coerce(v, known[k]) for k, v in values.items() if k in known}
    kwargs["extra"] = {k: v for k, v in values.items() if k not in known}
    settings = Settings(**kwargs)
    if not settings.secret_key:
        settings = _with_generated_secret(settings)
    return settings


def _with_generated_secret(settings: Settings) -> Settings:
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        private_dir(path.parent)
        write_private(path, secrets.token_urlsafe(48).encode())  # 0600 from its first byte
    from dataclasses import replace

    return replace(settings, secret_key=path.read_text().strip())
