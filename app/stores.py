"""Opening the store that settings ask for: the embedded one by default, Neo4j when a URI is given."""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from platformdirs import user_cache_dir

import loaders
from app.settings import Settings
from graph import model
from graph.memory import MemoryStore
from graph.model import ReferenceData, Register
from graph.state import write_atomically
from graph.store import Store
from loaders.change import check_change
from loaders.dspt import dspt_file
from loaders.reference import load_reference, reference_root


@cache
def reference_data() -> ReferenceData:
    """The bundled national reference data, read once per process.

    Parsing the national files takes a second or two (mostly the PCN workbook), so the parsed result
    is cached in the user cache directory, keyed by every reference file's size and modification time
    and by the loader code itself: any change to either reads the files afresh.
    """
    root = reference_root()
    files = sorted(p for p in root.rglob("*") if p.is_file())
    statuses = dspt_file(root)  # $ICSGRAPH_DSPT may name a file outside the root
    if statuses is not None and statuses.is_file():
        files.append(statuses)
    code = [*sorted(Path(loaders.__file__).parent.glob("*.py")), Path(model.__file__)]
    key = hashlib.sha1()
    for path in files + code:
        stat = path.stat()
        key.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    cache_file = Path(user_cache_dir("icsgraph", appauthor=False)) / f"reference-{key.hexdigest()[:16]}.pickle"
    try:
        cached = pickle.loads(cache_file.read_bytes())
        if isinstance(cached, ReferenceData):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    reference = load_reference(root)
    # A read-only home is no reason to fail; the next run parses again.
    with contextlib.suppress(OSError):
        write_atomically(cache_file, pickle.dumps(reference, protocol=pickle.HIGHEST_PROTOCOL))
    return reference


def open_store(settings: Settings, reference: ReferenceData | None = None) -> Store:
    reference = reference or reference_data()
    if settings.neo4j is not None:
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore.connect(
            settings.neo4j.uri, reference, settings.neo4j.user, settings.neo4j.password, settings.neo4j.database
        )
    return MemoryStore(reference, settings.data_dir)


def load_into(store: Store, reference: ReferenceData, registers: Sequence[Register]) -> None:
    """Validate the registers against everything loaded, then load them as one step."""
    store.replace(registers, validated_at=check_change(reference, store, list(registers)))
