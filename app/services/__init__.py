"""Use cases: phase rules, transactions. Never imports FastAPI."""
