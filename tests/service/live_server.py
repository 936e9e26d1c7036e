"""Kept for test modules that import it from here; the server lives in app.local_server."""

from app.local_server import free_port, live_server

__all__ = ["free_port", "live_server"]
