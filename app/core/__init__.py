"""The core: errors, vocabulary IRIs, the table of formats, settings. It knows no web framework."""
