"""Shared serial-port helpers: checksums, Modbus RTU framing, opening ports, reconnect delays."""
