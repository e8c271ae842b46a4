"""Registers in other shapes made into spec registers: the national data release registers, and an IG team's
own spreadsheet read through a mapping file. Each importer builds a ``Register`` and has the real loader
(``loaders.register``) read it back, so an import is valid exactly when a load of it would be.
"""
