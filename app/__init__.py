"""Scrutin: the election service (web API, services, models, CLI)."""
