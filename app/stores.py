"""Opening the store that settings ask for: the embedded one by default, Neo4j when a URI is given."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from app.settings import Settings
from graph.memory import MemoryStore
from graph.model import ReferenceData, Register
from graph.store import Store
from loaders.reference import load_reference
from loaders.register import validate_together


@cache
def reference_data() -> ReferenceData:
    """The bundled national reference data, read once per process."""
    return load_reference()


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
    validate_together(reference, store.loaded(), list(registers))
    store.replace(registers)
