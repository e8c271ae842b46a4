"""Generators of synthetic registers, apart from the loaders that read real ones.

``synthesise`` builds the register for all of England (``england``) from the parts of this package:
the records being built and shared legal bases (``records``), the national bodies (``national``), one
ICS's choices (``ics``), the flows each organisation sends (``sources``) and the IG defects planted in
it (``defects``). ``describe`` writes the README that goes beside the register.
"""

from loaders.synth.england import ANCHOR, NAME, RATES, TIER_COUNTS, Planted, Synthesis, Tier, describe, synthesise

__all__ = ["ANCHOR", "NAME", "RATES", "TIER_COUNTS", "Planted", "Synthesis", "Tier", "describe", "synthesise"]
