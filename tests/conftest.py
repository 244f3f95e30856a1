import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TZ", "UTC")

from fixture_server import FixtureServer  # noqa: E402


@pytest.fixture(scope="session")
def fixture_server():
    server = FixtureServer()
    yield server
    server.close()


@pytest.fixture
def server(fixture_server):
    fixture_server.clear()
    yield fixture_server
    fixture_server.clear()


@pytest.fixture
def quick_network(monkeypatch):
    """Short timeouts and backoff so fault tests take seconds, not minutes."""
    monkeypatch.setenv("MINEBOOK_READ_TIMEOUT", "1")
    monkeypatch.setenv("MINEBOOK_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("MINEBOOK_RETRIES", "2")
    monkeypatch.setenv("MINEBOOK_BACKOFF", "0.05")


@pytest.fixture(scope="session")
def good_snapshot(fixture_server, tmp_path_factory):
    """A data/ folder built from the fixtures by the real pipeline over HTTP."""
    from minebook.fetch import refresh

    fixture_server.clear()
    target = tmp_path_factory.mktemp("data-good")
    errors = refresh(base_url=fixture_server.base_url, data_dir=target, accessed="2026-01-01")
    assert errors == []
    return target


@pytest.fixture
def data_copy(good_snapshot, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(good_snapshot, target)
    return target


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
