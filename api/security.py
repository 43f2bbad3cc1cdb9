"""Passwords (argon2), signed session/bearer tokens and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from domain.directory import Role
from domain.errors import InvalidInputError


class Passwords:
    def __init__(self) -> None:
        self._hasher = PasswordHasher()

    def hash(self, password: str) -> str:
        if len(password) < 8:
            raise InvalidInputError("password must be at least 8 characters")
        return str(self._hasher.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user, or the anonymous public."""

    role: Role
    user_id: UUID | None = None
    username: str = ""
    display_name: str = ""
    via: str = "none"  # "bearer" | "cookie" | "none"
    token: str = ""

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}" if self.user_id else "citizen:anonymous"

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


PUBLIC = Principal(role=Role.PUBLIC)


class Tokens:
    def __init__(self, secret: str, max_age: int) -> None:
        self._secret = secret.encode()
        self._serializer = URLSafeTimedSerializer(secret, salt="smc-session")
        self.max_age = max_age

    def issue(self, user_id: UUID) -> str:
        return str(self._serializer.dumps(str(user_id)))

    def read(self, token: str) -> UUID | None:
        try:
            value = self._serializer.loads(token, max_age=self.max_age)
            return UUID(str(value))
        except (BadSignature, ValueError):
            return None

    def csrf_for(self, token: str) -> str:
        return hmac.new(self._secret, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_for(token), presented or "")
