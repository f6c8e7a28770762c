"""Web fixtures: the world is built once per test session and copied for every test."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from scheduler.web import create_app
from tests.web.builders import NOW, World, build_world, copy_world, open_world


@pytest.fixture(scope="session")
def built_world(tmp_path_factory) -> World:
    return build_world(tmp_path_factory.mktemp("web-world"))


@pytest.fixture
def world(built_world, tmp_path) -> World:
    return copy_world(built_world, tmp_path / "world")


@pytest.fixture
def store(world):
    store = open_world(world)
    yield store
    store.dispose()


@pytest.fixture
def app(world, store):
    return create_app(world.config, store, now=lambda: NOW)


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client
