"""SQLAlchemy 2.0 and Alembic live here and nowhere else."""
