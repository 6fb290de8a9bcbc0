"""Query and path parameters become typed values within bounds; anything else, and any unknown
route or method, is a 4xx with the JSON error object (in process, through httpx's ASGI transport)."""

import asyncio

import httpx
import pytest

from mock_platform.app import create_app
from mock_platform.settings import Settings

HUGE = "9" * 5000
INT64_MAX = 2**63 - 1


def ask(tmp_path, *paths: str, method: str = "GET") -> list[httpx.Response]:
    """Each path asked of a fresh platform, started and stopped as uvicorn would."""
    app = create_app(Settings(database=str(tmp_path / "mock.db")))

    async def scenario() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://127.0.0.1") as client:
                return [await client.request(method, path) for path in paths]

    return asyncio.run(scenario())


BAD = [
    ("/ceb/receipts?receiver=R&after=" + HUGE, "after"),
    ("/ceb/receipts?receiver=R&limit=" + HUGE, "limit"),
    (f"/ceb/receipts?receiver=R&after={INT64_MAX + 1}", "after"),
    ("/ceb/receipts?receiver=R&after=-1", "after"),
    ("/ceb/receipts?receiver=R&after=1e3", "after"),
    ("/ceb/receipts?receiver=R&after=1_000", "after"),
    ("/ceb/receipts?receiver=R&after=%201", "after"),
    ("/ceb/receipts?receiver=R&after=%EF%BC%91", "after"),  # a full-width digit
    ("/ceb/receipts?receiver=R&limit=0", "limit"),
    ("/ceb/receipts", "receiver"),
    ("/ceb/receipts?receiver=R%00", "receiver"),
    ("/ceb/receipts?receiver=" + "R" * 201, "receiver"),
    ("/stats/daily?date=99991231", "date"),
    ("/stats/daily?date=20240230", "date"),
    ("/stats/daily?date=2024-01-01", "date"),
    ("/stats/daily?date=19691231", "date"),
    ("/stats/daily?date=" + HUGE, "date"),
    ("/ceb/inventories/C%00?agentCode=A", "copNo"),
    ("/ceb/inventories/C?agentCode=" + "A" * 201, "agentCode"),
    ("/ceb/inventories/C", "agentCode"),
    ("/ceb/orders/E/%01", "orderNo"),
    ("/bonded/stock/a%20b", "emsNo"),
    ("/bonded/stock/" + "B" * 31, "emsNo"),
]


@pytest.mark.parametrize("path,field", BAD, ids=[f"{field}-{i}" for i, (_, field) in enumerate(BAD)])
def test_a_parameter_out_of_bounds_is_a_400_naming_it(tmp_path, path, field):
    [response] = ask(tmp_path, path)
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "bad_parameter", "detail": response.json()["detail"], "field": field}
    assert response.json()["detail"].startswith(f"{field}: ")


def test_parameters_at_their_bounds_are_answered(tmp_path):
    answers = ask(tmp_path, f"/ceb/receipts?receiver=R&after={INT64_MAX}&limit={INT64_MAX}",
                  "/ceb/receipts?receiver=R&after=&limit=", "/stats/daily?date=19700101",
                  "/stats/daily?date=29991231", "/stats/daily?date=", "/bonded/stock/" + "B" * 30,
                  "/ceb/inventories/C?agentCode=A&copNo=%00")  # the path's copNo, not the query's
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 404, 404], [a.text for a in answers]
    assert answers[0].json() == {"receipts": [], "next": str(INT64_MAX)}
    assert answers[2].json()["date"] == "19700101"
    assert answers[6].json()["error"] == "not_found"


@pytest.mark.parametrize("method,path,status,code", [
    ("GET", "/nowhere", 404, "not_found"),
    ("GET", "/ceb/receipts/extra", 404, "not_found"),
    ("GET", "/bonded/stock/..%2F..%2Fetc", 404, "not_found"),
    ("DELETE", "/healthz", 405, "method_not_allowed"),
    ("PUT", "/ceb/messages", 405, "method_not_allowed"),
])
def test_unknown_routes_and_methods_answer_the_json_error(tmp_path, method, path, status, code):
    [response] = ask(tmp_path, path, method=method)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == code
    if status == 405:
        assert response.headers["allow"]
