"""Records out of the graph as files: the RoPA and the information assets and flows register as workbooks,
CSV or JSON (``records``), and the flows as DPV JSON-LD (``dpv``), which names the agreements governing each
flow (``queries.agreements``). What the records contain is ``queries.ropa`` and ``queries.iafr``; GraphML and
the registers written back need no query, so they are pure writers in ``loaders``."""
