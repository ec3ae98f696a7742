"""The store seam: the protocol and answer type, the embedded Oxigraph store, the remote SPARQL store, query workers."""
