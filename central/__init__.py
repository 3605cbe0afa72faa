"""The central server: gates pull their registry from it and push every decision to it.

``docs/central.md`` describes the package; ``docs/sync-api.md`` is the wire contract.
"""
