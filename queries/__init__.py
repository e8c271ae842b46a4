"""The named questions and IG checks. Importing this package fills the catalogue."""

from queries import chain as chain
from queries import checks as checks
from queries import checks_destinations as checks_destinations
from queries import checks_dspt as checks_dspt
from queries import checks_roles as checks_roles
from queries import copies as copies
from queries import coverage as coverage
from queries import deprivation as deprivation
from queries import headline as headline
from queries import lineage as lineage
from queries.registry import CATALOGUE, NamedQuery, ParamError, UnknownQuery, get

__all__ = ["CATALOGUE", "NamedQuery", "ParamError", "UnknownQuery", "get"]
