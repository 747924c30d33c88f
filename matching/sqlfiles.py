"""The SQL files of matching/sql/ (core.sqlfiles says how their markers are filled in)."""

from pathlib import Path

from core import sqlfiles
from core.sqlfiles import compact, indented

SQL_DIR = Path(__file__).with_name("sql")

__all__ = ["SQL_DIR", "compact", "indented", "render"]


def render(name: str, *, scoped: bool | None = None, **values) -> str:
    """Return matching/sql/<name>.sql with its markers filled in."""
    return sqlfiles.render(SQL_DIR, name, scoped=scoped, **values)
