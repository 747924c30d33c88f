"""The SQL files of matching/sql/ and how their markers are filled in.

`{{NAME}}` is replaced by a value the caller gives (a fragment this package builds: a column name from a fixed
list, a list of conditions); `{{scope COLUMN IDS}}` limits a derivation to the records of the refresh's IDS array
(scoped) or is TRUE. Values a request brings are never formatted in: they are psycopg named parameters,
`%(name)s`, bound by the driver.
"""

import re
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")

_SCOPE = re.compile(r"\{\{scope (\S+) (\w+)\}\}")
_VALUE = re.compile(r"\{\{(\w+)\}\}")


def render(name: str, *, scoped: bool | None = None, **values) -> str:
    """Return matching/sql/<name>.sql with its markers filled in (a marker without a value is an error)."""
    text = (SQL_DIR / f"{name}.sql").read_text()
    text = _SCOPE.sub(lambda m: f"{m[1]} = ANY(scope_{m[2]})" if scoped else "TRUE", text)
    return _VALUE.sub(lambda m: str(values[m[1]]), text)


def indented(sql: str, spaces: int) -> str:
    """Return SQL indented to sit inside another statement's text (for reading the rendered result)."""
    return "\n".join((" " * spaces + line) if line.strip() else "" for line in sql.strip().splitlines())


def compact(sql: str) -> str:
    """Return a statement on one line without its comments: shorter to send, and short enough for psycopg to
    cache its parsing."""
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return " ".join(" ".join(lines).split())
