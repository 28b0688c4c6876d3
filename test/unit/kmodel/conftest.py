from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "kmodel"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"kmodel fixtures not found at {FIXTURES}")
    return FIXTURES.resolve()
