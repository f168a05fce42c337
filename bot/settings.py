"""Settings, read once in ``bootstrap``: environment variables ``CONVENE_*`` over ``convene.toml``."""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from email.utils import parseaddr
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
    google_service_account_file: str = (
        ""  # Workspace: the service account's JSON key (domain-wide delegation)
    )
    google_service_account_json: str = ""  # or the key itself
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
    mail_from_name: str = ""  # the sender guests see ("Acme Sales"); default: the name in mail_from
    inbound_smtp_port: int = 2525  # replies by email and the assistant; 0: no inbound mail endpoint
    inbound_smtp_host: str = "127.0.0.1"
    mail_domain: str = ""  # of the Reply-To addresses; default: the domain of mail_from
    assistant_address: str = ""  # invite it to an event; default assistant@<mail domain>
    # inbound mail (replies, the assistant) counts only with dmarc=pass from a trusted relay: "true" with
    # inbound_trusted_relays, or the one relay's authserv-id itself (README, "Identity and tokens")
    inbound_require_dmarc: str = ""
    job_lease_seconds: float = 60.0
    calendar_deadline_seconds: float = 8.0  # past it, a calendar counts as unreadable for that request
    worker_poll_seconds: float = 1.0
    run_workers: bool = True
    workers: int = 1  # serving processes for `convene serve` (bot/supervisor.py); above 1 needs PostgreSQL
    log_level: str = "INFO"
    metrics_token: str = ""  # when set, /metrics needs it as a bearer token; else loopback only
    # -- abuse limits, per process (README, "Security"); a count of 0 turns a limit off ---------------
    login_mails_per_address: int = 5  # sign-in mails to one address ...
    login_mails_per_address_seconds: float = 900.0  # ... per 15 minutes; past it: 202, no mail
    login_requests_per_ip: int = 20  # sign-in requests from one IP ...
    login_requests_per_ip_seconds: float = 60.0  # ... per minute; past it: 429
    guest_sessions_per_ip: int = 20  # new guest sessions from one IP ...
    guest_sessions_per_ip_seconds: float = 60.0  # ... per minute
    guest_messages_per_second: int = 10  # per guest, REST and WebSocket together
    guest_messages_per_hour: int = 300
    guest_uploads_per_hour: int = 30  # files attached by one guest (each also counts as a message)
    guest_max_upcoming_meetings: int = 3  # booked by the guest; agents are not limited
    ws_frames_per_second: int = 20  # per socket; frames past it are dropped
    ws_close_after_dropped_frames: int = 200  # dropped without a calm second between: close 4429
    trusted_proxies: tuple[str, ...] = ()  # peers whose X-Forwarded-For is believed (addresses or CIDRs)
    # ---------------------------------------------------------------------------------------------------------
    agent_token_idle_days: float = 30.0  # an agent API token unused this long stops working
    guest_token_idle_days: float = 90.0  # a guest session unused this long stops working
    inbound_trusted_relays: str = ""  # comma-separated authserv-ids whose Authentication-Results count
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def mail_domain_name(self) -> str:
        if self.mail_domain:
            return self.mail_domain
        return parseaddr(self.mail_from)[1].rpartition("@")[2] or "localhost"

    @property
    def sender_name(self) -> str:
        """The business as mail shows it: ``CONVENE_MAIL_FROM_NAME``, else mail_from's name, else Convene."""
        return self.mail_from_name or parseaddr(self.mail_from)[0] or "Convene"

    @property
    def assistant(self) -> str:
        """The assistant's address, lower-case: ``CONVENE_ASSISTANT_ADDRESS`` or assistant@<mail domain>."""
        return (self.assistant_address or f"assistant@{self.mail_domain_name}").strip().lower()

    def plugin_config(self) -> dict[str, Any]:
        """What plugins see: every setting by its lower-case name, without the prefix."""
        config = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        config.update(self.extra)
        config["public_url"] = self.base_url
        config["assistant_address"] = self.assistant
        config["mail_from_name"] = self.sender_name
        return config


def _coerce(raw: Any, default: Any) -> Any:
    if isinstance(default, tuple):  # a list in convene.toml, comma-separated in the environment
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        return tuple(str(item).strip() for item in items if str(item).strip())
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
