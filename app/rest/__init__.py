"""The REST layer's core: the table of kinds, models, lookups, labels, search, as-of dates, JSON-LD."""
