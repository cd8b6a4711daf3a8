"""Shared pytest fixtures for tests/py. Keep fixtures additive: each one is opt-in by name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stepfunctions_local import MotoServer, TaskServices


@pytest.fixture(scope="session")
def sfn_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MotoServer, TaskServices]]:
    """moto_server executing state machines, with its Task calls (Lambda, QuickSight) sent to a loopback stand-in."""
    services = TaskServices()
    services.start()
    log: Path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    moto = MotoServer(services.port, log)
    try:
        yield moto, services
    finally:
        moto.stop()
        services.stop()


@pytest.fixture
def task_services(sfn_local: tuple[MotoServer, TaskServices]) -> TaskServices:
    """The Task stand-in, emptied for each test, with moto reset as well."""
    moto, services = sfn_local
    moto.reset()
    services.reset()
    return services
