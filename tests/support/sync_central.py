"""The sync tests' and ``scripts/bench sync``'s name for the one server helper
(:mod:`tests.support.central_server`): the real ``central serve`` process on loopback."""

from tests.support.central_server import CentralServer, free_port, kiosk_registry

__all__ = ["CentralServer", "free_port", "kiosk_registry"]
