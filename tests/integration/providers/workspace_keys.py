"""A service account key pair made for the test run (cryptography), in the JSON form Google issues
key files in; the local fake Google gets the public half to verify the signed JWTs against."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .fake_google import FakeGoogle

SERVICE_ACCOUNT = "convene@convene-test.iam.gserviceaccount.com"


def new_key_pair() -> tuple[str, bytes]:
    """(private key PEM as in a key file, public key PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def key_file(private_pem: str, token_uri: str) -> dict[str, Any]:
    return {
        "type": "service_account",
        "project_id": "convene-test",
        "private_key_id": "test-key-1",
        "private_key": private_pem,
        "client_email": SERVICE_ACCOUNT,
        "client_id": "111111111111111111111",
        "token_uri": token_uri,
    }


def trust(fake: FakeGoogle, public_pem: bytes, *users: str) -> None:
    """The admin's side: the service account is allowed domain-wide delegation for these users."""
    fake.service_account_email = SERVICE_ACCOUNT
    fake.service_account_public_key = public_pem
    fake.workspace_users.update(u.lower() for u in users)


def key_json(private_pem: str, fake: FakeGoogle) -> str:
    return json.dumps(key_file(private_pem, f"{fake.base_url}/token"))
