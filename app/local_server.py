"""Run the real service under uvicorn on 127.0.0.1 in a background thread (real HTTP).

Used by `scrutin simulate` and by the end-to-end tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import httpx
import uvicorn
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(settings: Settings, port: int | None = None) -> Iterator[str]:
    app = create_app(settings)
    try:
        with serving(app, port) as base_url:
            yield base_url
    finally:
        app.state.engine.dispose()


@contextmanager
def serving(
    app: FastAPI, port: int | None = None, lifespan: Literal["auto", "on", "off"] = "on"
) -> Iterator[str]:
    """Serve an app that already exists on 127.0.0.1 (a free port) until the block ends.
    ``lifespan="off"`` leaves the app's start-up and shut-down (its scheduler) to whoever
    serves it next (``app.demo`` builds the demo this way before ``scrutin serve``)."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:  # pragma: no cover
        raise RuntimeError("the server did not start")
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def server_process(settings: Settings, port: int | None = None) -> Iterator[str]:
    """The service in its own process (uvicorn), so that a benchmark's clients and the server
    do not share one interpreter lock: closer to a real deployment than ``live_server``."""
    import os
    import subprocess
    import sys

    port = port or free_port()
    env = {
        **os.environ,
        "SCRUTIN_ENVIRONMENT": settings.environment,
        "SCRUTIN_SECRET_KEY": settings.secret_key,
        "SCRUTIN_DATABASE_URL": settings.database_url,
        "SCRUTIN_DATA_DIR": str(settings.data_dir),
        "SCRUTIN_ADMINS": settings.admins,
        "SCRUTIN_DEV_LOGIN": "true" if settings.dev_login else "false",
        "SCRUTIN_TRUSTED_PROXIES": settings.trusted_proxies,
        "SCRUTIN_DEMO": "false",
        # limits the caller chose (a simulation turns the rate limits off)
        **{
            f"SCRUTIN_{name.upper()}": str(getattr(settings, name))
            for name in type(settings).model_fields
            if name.startswith(("rate_limit_", "max_"))
        },
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
