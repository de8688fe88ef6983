"""The workspace's locks: Host header, sign-in, CSRF, cookies, security headers, one JSON
error shape, the refusal to serve off loopback without analysts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jianghu.cli import app as cli
from jianghu.store import open_store
from jianghu.store.analysts import add_analyst, audit_entries
from tests.web.conftest import csrf_of, make_client

runner = CliRunner()


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/search?q=料", "/api/v1/search?q=料", "/login", "/static/app.css", "/nope"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp, path
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_a_foreign_host_header_is_refused(client: TestClient) -> None:
    r = client.get("/api/v1/search?q=料", headers={"host": "evil.example.com"})
    assert r.status_code == 400
    assert r.json() == {
        "error": {"status": 400, "code": "bad_request", "message": "unknown Host header"}
    }
    assert client.get("/api/v1/health", headers={"host": "127.0.0.1:8411"}).status_code == 200
    assert client.get("/api/v1/health", headers={"host": "localhost"}).status_code == 200


def test_loopback_without_analysts_is_the_local_analyst_with_csrf(client: TestClient) -> None:
    assert client.get("/api/v1/me").json()["analyst"].startswith("local")
    # A state-changing request needs the session's CSRF token.
    r = client.post("/logout")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    token = csrf_of(client)
    cookie = client.cookies.get("jianghu_session")
    assert cookie
    r = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert r.status_code == 303


def test_session_cookie_is_httponly_and_strict(client: TestClient) -> None:
    r = client.get("/search")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_with_analysts_everyone_signs_in(market_url: str) -> None:
    with open_store(market_url) as store:
        token = add_analyst(store, "alice")
    with make_client(market_url) as c:
        assert c.get("/api/v1/search?q=料").status_code == 401
        assert c.get("/search", follow_redirects=False).headers["location"] == "/login"
        r = c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.json()["analyst"] == "alice"
        bad = c.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
        wrong = c.post("/login", content="token=nope",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert wrong.status_code == 401 and "unknown or disabled" in wrong.text
        r = c.post("/login", content=f"token={token}", follow_redirects=False,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert r.status_code == 303
        assert c.get("/api/v1/me").json()["analyst"] == "alice"
    with open_store(market_url) as store:
        actions = [(e.who, e.action) for e in audit_entries(store)]
    assert ("alice", "signed in") in actions and ("cli", "analyst added") in actions


def test_errors_have_one_shape(client: TestClient) -> None:
    cases = [("/api/v1/nope", 404), ("/api/v1/search?limit=0", 422),
             ("/api/v1/search?q=%20", 400), ("/api/v1/search?q=x&category=y", 400)]  # fmt: skip
    for path, status in cases:
        r = client.get(path)
        assert r.status_code == status, path
        body = r.json()
        assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
        assert body["error"]["status"] == status


def test_openapi_schema_is_versioned(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "v1" and "/api/v1/search" in schema["paths"]


def test_serve_refuses_other_addresses_without_analysts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    r = runner.invoke(cli, ["serve", "--db", url, "--host", "0.0.0.0"])
    assert r.exit_code == 2
    assert r.stderr.strip() == (
        "error: --host 0.0.0.0: off loopback every analyst signs in; add one first with "
        "'jianghu users add NAME'"
    )
    added = runner.invoke(cli, ["users", "add", "bob", "--db", url])
    assert added.exit_code == 0 and len(added.stdout.strip()) >= 40
    assert runner.invoke(cli, ["users", "list", "--db", url]).stdout.split() == ["bob"]
    dup = runner.invoke(cli, ["users", "add", "bob", "--db", url])
    assert dup.exit_code == 2 and "exists already" in dup.stderr
