"""Scoped API tokens: a file of salted hashes, never the tokens themselves.

``$ICSGRAPH_TOKENS``, by default ``tokens.json`` in the data directory. Each token has a name (who holds
it, for the audit log), a role (reader, writer or admin), for a writer the globs of the register names it
may write, when it was made and last used, a public id, and the scrypt hash of the token with its own
salt. A token reads ``icsgraph_<id>_<secret>``: the id finds its entry, so checking a token costs one
hash, however many there are; the 256-bit secret is shown once, when it is made, and kept nowhere.

The file is rewritten whole and atomically under its folder's ``DataLock``; a server reads it again when
it changes, so a token added or revoked from the command line counts at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.state import DataLock, LockTimeout, write_atomically

TOKENS_FILE = "tokens.json"
ROLES = ("reader", "writer", "admin")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
TOKEN = re.compile(r"^icsgraph_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
# scrypt at n=2**14, r=8: 16 MiB and some tens of milliseconds per check; a verified token is then
# remembered (as a keyed hash, in memory) until the file changes.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
TOUCH_EVERY = 60.0


class TokenError(ValueError):
    """A token cannot be added or revoked as asked; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Token:
    """One token's entry: everything but the token."""

    name: str
    role: str
    registers: tuple[str, ...]
    created: str
    id: str
    salt: str
    hash: str
    last_used: str | None = None

    def public(self) -> dict[str, Any]:
        """What ``token list`` shows: never the hash, salt or id."""
        return {
            "name": self.name,
            "role": self.role,
            "registers": list(self.registers),
            "created": self.created,
            "last_used": self.last_used,
        }


def hashed(secret: str, salt: bytes) -> str:
    return hashlib.scrypt(secret.encode(), salt=salt, **SCRYPT).hex()


class TokensFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._tokens: list[Token] = []
        # A keyed hash of each token checked already -> the (id, hash) it matched: a token revoked, or made
        # again under its name, no longer matches.
        self._verified: dict[bytes, tuple[str, str]] = {}
        self._key = secrets.token_bytes(32)

    def exists(self) -> bool:
        return self.path.exists()

    def tokens(self) -> list[Token]:
        """Every token's entry, read again when the file has changed."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return []
        signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if signature != self._signature:
                self._tokens = self._read()
                self._signature = signature
            return list(self._tokens)

    def _read(self) -> list[Token]:
        try:
            records = json.loads(self.path.read_bytes())["tokens"]
            return [Token(**{**record, "registers": tuple(record["registers"])}) for record in records]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise TokenError(
                f"{self.path}: unreadable ({error}); restore it from a backup, or move it aside and add the "
                "tokens again"
            ) from error

    def _write(self, tokens: Sequence[Token]) -> None:
        document = {"tokens": [asdict(token) for token in tokens]}
        write_atomically(self.path, json.dumps(document, indent=1).encode())
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)

    def add(self, name: str, role: str, registers: Sequence[str] = ()) -> tuple[Token, str]:
        """Make a token; returns its entry and the token itself, which is kept nowhere."""
        if not NAME.match(name):
            raise TokenError(
                f"token name {name!r}: use letters, digits, '.', '_', '@' and '-' (up to 64), e.g. gm-practices-ig"
            )
        if role not in ROLES:
            raise TokenError(f"role {role!r}: use one of {', '.join(ROLES)}")
        globs = tuple(dict.fromkeys(g.strip() for g in registers if g.strip()))
        if role == "writer" and not globs:
            raise TokenError("a writer needs --registers GLOB (e.g. 'gm-*'; '*' for every register)")
        if role != "writer" and globs:
            raise TokenError(f"--registers scopes a writer; a {role} is not limited to registers")
        with DataLock.of(self.path.parent).hold():
            tokens = self.tokens()
            if any(token.name == name for token in tokens):
                raise TokenError(f"a token named {name!r} exists; revoke it first (icsgraph token revoke {name})")
            identifier, secret, salt = secrets.token_hex(6), secrets.token_urlsafe(32), secrets.token_bytes(16)
            text = f"icsgraph_{identifier}_{secret}"
            created = datetime.now(UTC).isoformat(timespec="seconds")
            token = Token(name, role, globs, created, identifier, salt.hex(), hashed(text, salt))
            self._write([*tokens, token])
        return token, text

    def revoke(self, name: str) -> Token:
        with DataLock.of(self.path.parent).hold():
            tokens = self.tokens()
            gone = [token for token in tokens if token.name == name]
            if not gone:
                names = ", ".join(token.name for token in tokens) or "none"
                raise TokenError(f"no token named {name!r}; the tokens are: {names}")
            self._write([token for token in tokens if token.name != name])
        return gone[0]

    def verify(self, text: str) -> Token | None:
        """The entry of a valid token, else None; notes when it was used (at most once a minute)."""
        match = TOKEN.match(text.strip())
        if not match:
            return None
        by_id = {token.id: token for token in self.tokens()}
        token = by_id.get(match.group(1))
        if token is None:
            return None
        key = hmac.new(self._key, text.encode(), "sha256").digest()
        if self._verified.get(key) != (token.id, token.hash):
            if not hmac.compare_digest(hashed(text, bytes.fromhex(token.salt)), token.hash):
                return None
            self._verified[key] = (token.id, token.hash)
        self._touch(token)
        return token

    def _touch(self, token: Token) -> None:
        """Write down when the token was last used, unless that was a minute ago or less or the file is
        being written: this is a note for ``token list``, never worth waiting for."""
        used = datetime.now(UTC)
        if token.last_used and (used - datetime.fromisoformat(token.last_used)).total_seconds() < TOUCH_EVERY:
            return
        stamp = used.isoformat(timespec="seconds")
        with contextlib.suppress(LockTimeout, OSError), DataLock.of(self.path.parent).hold(timeout=0):
            tokens = self.tokens()
            self._write([replace(t, last_used=stamp) if t.id == token.id else t for t in tokens])


def tokens_path(configured: Path | None, data_dir: Path | None) -> Path | None:
    """The tokens file: ``$ICSGRAPH_TOKENS`` when set, else ``tokens.json`` in the data directory."""
    if configured is not None:
        return configured
    return data_dir / TOKENS_FILE if data_dir is not None else None
