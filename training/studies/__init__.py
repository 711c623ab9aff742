"""Studies: the experiments behind the product's choices (few-shot recognisers, the
reject class, the spotter's rest rule, the stroke vocabulary). Each is run by hand or by
`wand bench`; no product module imports from here (tests/test_layout.py checks)."""
