from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "kmodel"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"kmodel fixtures not found at {FIXTURES} (../shared must sit beside the repo)")
    return FIXTURES.resolve()
