"""Validating one change to the loaded graph (a register loaded, replaced or removed), reading only what
it touches.

The rule is ``validate_together``'s: after the change, every register must check out against all the
others. Checking the incoming register against the others needs only the ids it defines or names, which
the store reads for it (``Store.neighbourhood``). The others stay sound unless the change takes away, or
changes the kind of, an id one of them may name (the neighbourhood's ``taken``): a conflict between the
incoming register and another (an id defined differently, an organisation against a system) shows on
the incoming register's side too. Only then, or for several registers at once, or to list every problem
of a change that fails (with the other registers' rows, which the store does not keep), is the whole
graph read and checked as before: so the verdict and every message are exactly ``validate_together``'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.model import ReferenceData, Register
from graph.store import Store
from loaders.register import InvalidRegister, check_against, validate_together


def narrow(
    reference: ReferenceData, store: Store, incoming: Sequence[Register], removing: Sequence[str] = ()
) -> str | None:
    """The store's version if the change is sound by what it touches alone; None when the whole graph
    must be checked (the change failed its narrow check, strands ids, or is of several registers)."""
    if len(incoming) + len(removing) != 1:
        return None
    hood = store.neighbourhood(incoming, removing)
    if hood.taken:
        return None
    try:
        for register in incoming:
            check_against(register, hood.others, hood.defined)
    except InvalidRegister:
        return None  # the whole check lists every problem, on both sides, as it always has
    return hood.version


def check_change(
    reference: ReferenceData, store: Store, incoming: Sequence[Register], removing: Sequence[str] = ()
) -> str:
    """Raise ``InvalidRegister`` unless the change leaves a sound graph; else the store's version it was
    checked at, for ``Store.replace`` or ``Store.remove`` (``validated_at``) to refuse the write if
    another writer has changed the graph since."""
    version = store.version()
    checked = narrow(reference, store, incoming, removing)
    if checked is not None:
        return checked
    loaded = store.loaded()
    if removing:
        validate_together(reference, {}, [r for name, r in loaded.items() if name not in removing])
    else:
        validate_together(reference, loaded, list(incoming))
    return version
