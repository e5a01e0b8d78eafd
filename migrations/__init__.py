"""Alembic migrations of the complaintctl schema (installed as complaintctl_migrations)."""
