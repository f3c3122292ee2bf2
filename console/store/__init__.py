"""Persistence: SQLAlchemy models, workspace engine/migrations, repositories, blobs."""
