"""The named questions and IG checks. Importing this package fills the catalogue."""

from queries import headline as headline
from queries.registry import CATALOGUE, NamedQuery, ParamError, UnknownQuery, get

__all__ = ["CATALOGUE", "NamedQuery", "ParamError", "UnknownQuery", "get"]
