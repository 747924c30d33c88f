"""HSDS fixtures: the official specification and the real San Francisco listings, read from ../shared
(beside the project; never copied into it)."""

import json
from pathlib import Path

import pytest
from django.conf import settings

SHARED = Path(settings.BASE_DIR).parent / "shared"


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    path = Path(settings.HSDS_SPEC_DIR)
    assert (path / "schema").is_dir(), f"the HSDS specification is expected at {path} (HSDS_SPEC_DIR)"
    return path


@pytest.fixture(scope="session")
def sf_file() -> Path:
    path = SHARED / "real-data" / "sf-service-guide.hsds3.json"
    assert path.is_file(), f"the real San Francisco listings are expected at {path}"
    return path


@pytest.fixture(scope="session")
def sf_services(sf_file) -> list[dict]:
    return json.loads(sf_file.read_text())


@pytest.fixture
def write_json(tmp_path):
    """Write data as a JSON file in a temporary folder; return its path."""

    def write(data, name: str = "services.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data))
        return path

    return write
