"""Shared serial-port helpers: checksums, Modbus RTU framing, opening ports, the worker thread
that keeps a port open and reconnects."""
