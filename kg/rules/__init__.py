"""Rules: load and check the YAML rule files (data/), compile token patterns, document the rules."""
