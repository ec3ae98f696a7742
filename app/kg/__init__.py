"""The knowledge graph's sources: loading ontology, data and shapes, SHACL validation, the runtime, coverage."""
