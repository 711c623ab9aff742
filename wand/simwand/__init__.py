"""A wand in software: the firmware's pipeline, sample for sample.

Each module mirrors one file of the portable C++ core in
``firmware/magic_wand/src/wand_core/`` (resampler, features, spotter, core), in the
same integer arithmetic, so a recorded stream yields the same events on the chip and
here; ``tests/test_core_equivalence.py`` runs both and compares them.
"""
