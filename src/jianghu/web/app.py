"""The web application: security middleware, error shape, routers and static assets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from jianghu.store.analysts import analyst_of, has_analysts
from jianghu.web import errors, security
from jianghu.web.config import WebConfig
from jianghu.web.deps import StorePool
from jianghu.web.sessions import Sessions

STATIC = Path(__file__).with_name("static")
API_VERSION = "v1"


def create_app(config: WebConfig) -> FastAPI:
    stores = StorePool(config.db_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        stores.close()

    app = FastAPI(
        title="jianghu",
        version=API_VERSION,
        description="The analysts' workspace over a jianghu store. Every list takes "
        'limit and offset; every error is {"error": {"status", "code", "message"}}.',
        docs_url=None,  # the interactive docs load scripts from a CDN; the schema stays
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.stores = stores
    app.state.sessions = Sessions()

    def auth_required() -> bool:
        return has_analysts(stores.get())

    def token_owner(token: str) -> str | None:
        return analyst_of(stores.get(), token)

    errors.install(app)
    security.install(app, config, app.state.sessions, auth_required, token_owner)
    from jianghu.web import routes_actors, routes_alerts, routes_auth, routes_messages

    for module in (routes_auth, routes_messages, routes_actors, routes_alerts):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
