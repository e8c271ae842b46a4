"""Settings from the command line and the environment, with sensible defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


def default_data_dir() -> Path:
    configured = os.environ.get("ICSGRAPH_DATA")
    return Path(configured) if configured else Path(user_data_dir("icsgraph", appauthor=False))


@dataclass(frozen=True, slots=True)
class Neo4jSettings:
    uri: str
    user: str | None = None
    password: str | None = None
    database: str | None = None

    @classmethod
    def from_env(cls, uri: str | None = None) -> Neo4jSettings | None:
        uri = uri or os.environ.get("NEO4J_URI")
        if not uri:
            return None
        return cls(
            uri=uri,
            user=os.environ.get("NEO4J_USER"),
            password=os.environ.get("NEO4J_PASSWORD"),
            database=os.environ.get("NEO4J_DATABASE"),
        )


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path | None = field(default_factory=default_data_dir)
    neo4j: Neo4jSettings | None = None
    write_token: str | None = field(default_factory=lambda: os.environ.get("ICSGRAPH_WRITE_TOKEN") or None)
    read_token: str | None = field(default_factory=lambda: os.environ.get("ICSGRAPH_READ_TOKEN") or None)
    max_upload_bytes: int = field(default_factory=lambda: int(number("ICSGRAPH_MAX_UPLOAD", 50_000_000, "bytes")))
    # How long a write waits for another process writing the same data directory.
    lock_timeout: float = field(default_factory=lambda: number("ICSGRAPH_LOCK_TIMEOUT", 60.0, "seconds"))
    # The scoped tokens file (default: tokens.json in the data directory).
    tokens: Path | None = field(
        default_factory=lambda: Path(os.environ["ICSGRAPH_TOKENS"]) if os.environ.get("ICSGRAPH_TOKENS") else None
    )
    # Writes each token may make per minute (0: no limit).
    write_rate: float = field(default_factory=lambda: number("ICSGRAPH_WRITE_RATE", 30.0, "writes per minute"))


class SettingsError(ValueError):
    """A setting in the environment cannot be used; the message names it and what it should be."""


def number(variable: str, default: float, unit: str) -> float:
    """A non-negative number from the environment variable, else ``default``."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    try:
        parsed = float(value)
    except ValueError:
        raise SettingsError(f"{variable}={value!r} is not a number of {unit}; set it to e.g. {default:g}") from None
    if not 0 <= parsed < 1e15:
        raise SettingsError(f"{variable}={value!r} is out of range; set it to a number of {unit} from 0")
    return parsed


def demo_registers() -> list[Path]:
    """The bundled demo registers, national bodies first so the ICS registers can name them."""
    folders = sorted(p for p in DEMO_DIR.iterdir() if p.is_dir() and (p / "flows.csv").exists())
    return sorted(folders, key=lambda p: (p.name != "national", p.name))
