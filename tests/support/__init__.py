"""Test helpers that start real processes: the central server, a throw-away PostgreSQL."""
