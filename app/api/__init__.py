"""Thin FastAPI routers. Domain logic lives in app.services."""
