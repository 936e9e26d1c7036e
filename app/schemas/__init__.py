"""Pydantic request/response schemas for the HTTP API."""
