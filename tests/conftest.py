"""Fixtures shared by the whole suite: the public CEB samples and a real mock platform."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ceb.codec import render_message
from locustfiles.parcels import Parcel, ParcelFactory
from peakload.embedded_mock import embedded_mock

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "public-ceb"
XML = {"Content-Type": "application/xml"}


@pytest.fixture(scope="session")
def samples() -> list[Path]:
    """The real messages in ../shared/samples/public-ceb (skips where ../shared is absent)."""
    if not SAMPLES.is_dir():
        pytest.skip(f"the public CEB samples are not here ({SAMPLES} is absent)")
    return sorted(SAMPLES.glob("*.xml"))


POSTGRES_ENV = "PEAKLOAD_TEST_POSTGRES_URL"


def make_database(backend: str, folder: Path) -> str:
    """A fresh, empty database for one mock platform: an SQLite file or a new PostgreSQL database.

    PostgreSQL runs where PEAKLOAD_TEST_POSTGRES_URL names a server the tests may create
    databases on (`.ci/run` starts a throwaway cluster and sets it).
    """
    if backend == "sqlite":
        return str(folder / "mock.db")
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"PostgreSQL backend: set {POSTGRES_ENV} (`.ci/run` starts a cluster)")
    import psycopg

    name = f"peakload_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each storage backend in turn: the platform tests run against both."""
    return request.param


@pytest.fixture(scope="session")
def platform_url(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[str]:
    """A real mock platform on a free loopback port (2 s matching timeout, 0.5 s body timeout)."""
    folder = tmp_path_factory.mktemp(f"mock-{backend}")
    with embedded_mock(make_database(backend, folder), folder / "mock.log",
                       ("--matching-timeout", "2", "--seed", "7", "--body-timeout", "0.5")) as url:
        yield url


ADMIN_TOKEN = "s3cret-drill-token"


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A mock platform with the fault-injection API on (bearer ADMIN_TOKEN)."""
    folder = tmp_path_factory.mktemp("mock-admin")
    with embedded_mock(folder / "mock.db", folder / "mock.log", ("--admin-token", ADMIN_TOKEN)) as url:
        yield url


@pytest.fixture
def client(platform_url: str) -> Iterator[httpx.Client]:
    """An HTTP client for the mock platform."""
    with httpx.Client(base_url=platform_url, timeout=10.0) as http:
        yield http


@pytest.fixture
def factory(request: pytest.FixtureRequest) -> ParcelFactory:
    """A parcel factory with identifiers unique to the test."""
    return ParcelFactory(seed=hash(request.node.nodeid) & 0xFFFF,
                         namespace=f"T{abs(hash(request.node.nodeid)) % 10**6:06d}")


def send_parcel(client: httpx.Client, factory: ParcelFactory, parcel: Parcel) -> dict[str, str]:
    """Post every message of a parcel; return message type -> document guid."""
    guids = {}
    for message_type, message in parcel.messages(factory.parties, factory.guid).items():
        response = client.post("/ceb/messages", content=render_message(message), headers=XML)
        assert response.status_code == 202, response.text
        guids[message_type.value] = message.documents[0].head.guid
    return guids


def now_china() -> dt.datetime:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
