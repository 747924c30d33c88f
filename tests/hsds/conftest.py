"""HSDS fixtures: the specification's facts the project keeps (hsds/specification/), and the real San Francisco
listings and official examples kept in tests/hsds/fixtures/ (README.md there names their sources)."""

import json
from pathlib import Path

import pytest

from hsds import spec

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The HSDS 3.1 schemas (schema/, datapackage.json) imports and exports are checked against."""
    return spec.SPEC_DIR


@pytest.fixture(scope="session")
def official_examples() -> Path:
    return FIXTURES / "hsds-3.0-examples"


@pytest.fixture(scope="session")
def official_3_1_examples() -> Path:
    return FIXTURES / "hsds-3.1-examples"


@pytest.fixture(scope="session")
def sf_file() -> Path:
    return FIXTURES / "sf-service-guide.hsds3.json"


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
