"""SQL kept in .sql files beside the code that runs it, and how their markers are filled in.

`{{NAME}}` is replaced by a value the caller gives (a fragment the package builds: a column name from a fixed
list, a list of conditions); `{{scope COLUMN IDS}}` limits a derivation to the records of the refresh's IDS array
(scoped) or is TRUE. Values a request brings are never formatted in: they are psycopg named parameters,
`%(name)s`, bound by the driver.
"""

import re
from pathlib import Path

_SCOPE = re.compile(r"\{\{scope (\S+) (\w+)\}\}")
_VALUE = re.compile(r"\{\{(\w+)\}\}")


def render(directory: Path, name: str, *, scoped: bool | None = None, **values) -> str:
    """Return <directory>/<name>.sql with its markers filled in (a marker without a value is an error)."""
    text = (directory / f"{name}.sql").read_text()
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
