"""Linked data: resource descriptions, dumps, VoID, DCAT, the service description, the ontology document."""
