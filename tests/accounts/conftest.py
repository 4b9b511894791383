"""Fixtures: the small governed world of tests/governance/world.py."""
import pytest

from tests.governance.world import make_world


@pytest.fixture
def world(db):
    return make_world()
