"""Records out of the graph as files: the RoPA and the information assets and flows register as
workbooks, CSV or JSON. What the records contain is ``queries.ropa`` and ``queries.iafr``; the graph-wide
exports (GraphML, DPV JSON-LD, registers) are pure and sit in ``loaders``."""
