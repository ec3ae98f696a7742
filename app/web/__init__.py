"""The web layer: the FastAPI app, its routes, pages, negotiation responses, the fast lane and the prefork server."""
