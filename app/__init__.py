"""natokg: an open knowledge graph of NATO's partnerships, served over SPARQL and REST."""

__version__ = "0.1.0"
