"""Plain domain objects and rules (no Qt, no SQLAlchemy)."""

from console.domain.models import *  # noqa: F401,F403
