"""``wardgate serve`` as a real process: on SIGTERM it stops accepting connections, lets every in-flight stream
finish, and exits 0 within ``server.shutdown_grace_seconds``."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest
import yaml

from support.gated_mock import GatedMock
from support.servers import free_port, serve_in_thread

STREAMS = 50
GRACE = 20.0
START_TIMEOUT = 30.0
WARDGATE = (sys.executable, "-m", "wardgate")


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    key: str
    log: Path
    upstream: GatedMock

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def wait_ready(served: Served, log: IO[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=1) as client:
        while True:
            if served.process.poll() is not None:
                log.flush()
                raise RuntimeError(f"wardgate serve exited early:\n{served.output()}")
            try:
                if client.get(f"http://127.0.0.1:{served.port}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"wardgate serve not ready after {START_TIMEOUT}s:\n{served.output()}")
            time.sleep(0.02)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    upstream = GatedMock(delay_per_chunk=0.05)
    with serve_in_thread(upstream, lifespan="off") as upstream_port:
        data_dir = tmp_path / "data"
        config_file = tmp_path / "wardgate.yaml"
        config = {
            "server": {"host": "127.0.0.1", "shutdown_grace_seconds": GRACE},
            "storage": {"data_dir": str(data_dir)},
            "upstreams": {"mock": {"base_url": f"http://127.0.0.1:{upstream_port}/v1", "passthrough": True}},
        }
        config_file.write_text(yaml.safe_dump(config))
        created = subprocess.run(
            [
                *WARDGATE,
                "keys",
                "create",
                "--config",
                str(config_file),
                "--data-dir",
                str(data_dir),
                "--name",
                "x",
                "--json",
            ],
            capture_output=True,
            check=True,
            timeout=START_TIMEOUT,
        )
        key = json.loads(created.stdout)["key"]
        port = free_port()
        log_path = tmp_path / "serve.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*WARDGATE, "serve", "--config", str(config_file), "--port", str(port), "--log-level", "warning"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            result = Served(process, port, key, log_path, upstream)
            try:
                wait_ready(result, log)
                yield result
            finally:
                upstream.release()
                if process.poll() is None:
                    process.kill()
                process.wait(timeout=START_TIMEOUT)


async def until(predicate: object, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    assert callable(predicate)
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def refused(port: int) -> bool:
    """Whether a new TCP connection to ``port`` is refused (one accepted in the meantime is closed at once)."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    await writer.wait_closed()
    return False


async def test_sigterm_lets_every_stream_finish(served: Served) -> None:
    first_chunk = [asyncio.Event() for _ in range(STREAMS)]
    body = {"model": "mock-small", "messages": [{"role": "user", "content": "tell me about graceful shutdown"}]}

    async def one_stream(client: httpx.AsyncClient, index: int) -> bytes:
        received = b""
        async with client.stream(
            "POST",
            f"{served.base_url}/chat/completions",
            json={**body, "stream": True},
            headers={"authorization": f"Bearer {served.key}"},
        ) as resp:
            assert resp.status_code == 200
            async for chunk in resp.aiter_raw():
                received += chunk
                if b"\n\n" in received:
                    first_chunk[index].set()
        return received

    limits = httpx.Limits(max_connections=STREAMS * 2, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=GRACE * 2, limits=limits) as client:
        tasks = [asyncio.create_task(one_stream(client, i)) for i in range(STREAMS)]
        try:
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in first_chunk)), timeout=30)
            assert not any(task.done() for task in tasks), "every stream must still be in flight"
            await until(lambda: served.upstream.held == STREAMS, within=10, what="every stream held at the gate")

            served.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()

            # New connections are refused while the old streams are still open.
            deadline = time.monotonic() + 5
            while not await refused(served.port):
                assert time.monotonic() < deadline, "the listener still accepts connections after SIGTERM"
                await asyncio.sleep(0.02)
            assert not any(task.done() for task in tasks), "in-flight streams must not be cut"
            assert served.process.poll() is None

            served.upstream.release()
            results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=GRACE)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    for raw in results:
        text = raw.decode()
        assert text.endswith("data: [DONE]\n\n"), text[-300:]
        assert '"error"' not in text
        events = [line for line in text.split("\n") if line.startswith("data: ")]
        content = "".join(json.loads(event[6:])["choices"][0]["delta"].get("content") or "" for event in events[:-1])
        assert content.startswith("Mock answer to: tell me about graceful shutdown")
        assert content.endswith("keeps tests and demos reproducible."), "the whole answer arrived"

    await until(lambda: served.process.poll() is not None, within=GRACE, what="the process to exit")
    assert time.monotonic() - signalled < GRACE
    assert served.process.returncode == 0, served.output()
