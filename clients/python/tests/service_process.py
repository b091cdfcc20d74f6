"""A real redis-server and a real redisession service for the tests, each on a free port.

Redis keeps nothing on disk. The service runs from the repository's TypeScript sources (``node --import tsx``,
as the TypeScript tests run it) with two stores on that Redis: ``string`` and ``hash`` (16 buckets, so that
sessions share buckets), plus ``default`` (a string store). Both processes are stopped when the tests end.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STORES = ("default", "string", "hash")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_redis(process: subprocess.Popen[bytes], port: int) -> None:
    # redis-server prints "Ready to accept connections" once it listens; read its log until then.
    assert process.stdout is not None
    for line in process.stdout:
        if b"Ready to accept connections" in line:
            return
    raise RuntimeError(f"redis-server on port {port} exited before it was ready (code {process.wait()})")


@dataclass
class Service:
    """The running processes; ``target`` is the service's gRPC address."""

    redis: subprocess.Popen[bytes]
    server: subprocess.Popen[bytes]
    target: str
    redis_port: int
    directory: str

    def stop(self) -> None:
        for process in (self.server, self.redis):
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_service() -> Service:
    """Starts redis-server, then the service on it, and waits until both listen."""
    directory = tempfile.mkdtemp(prefix="redisession-pytest-")
    redis_server = os.environ.get("REDIS_SERVER", "redis-server")
    redis_port = free_port()
    redis = subprocess.Popen(
        [
            redis_server,
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            directory,
            "--loglevel",
            "notice",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_redis(redis, redis_port)
    except BaseException:
        redis.kill()
        raise
    config = Path(directory) / "redisession.yaml"
    config.write_text(
        "redis:\n"
        f"  default: {{ url: 'redis://127.0.0.1:{redis_port}' }}\n"
        "stores:\n"
        "  default: { strategy: string, prefix: 'py-default:' }\n"
        "  string: { strategy: string, prefix: 'py-string:' }\n"
        "  hash: { strategy: hash, prefix: 'py-hash:', bucketBits: 4 }\n"
        "server:\n"
        "  metrics: { enabled: false }\n"
        "  sweep: { intervalMs: 0 }\n"
    )
    node = os.environ.get("NODE", "node")
    server = subprocess.Popen(
        [
            node,
            "--import",
            "tsx",
            "src/cli/main.ts",
            "serve",
            "--config",
            str(config),
            "--port",
            "0",
            "--host",
            "127.0.0.1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None,
    )
    assert server.stdout is not None
    for raw in server.stdout:
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if record.get("msg") == "redisession listening" and isinstance(record.get("port"), int):
            service = Service(redis, server, f"127.0.0.1:{record['port']}", redis_port, directory)
            # Keep reading its log, or the pipe fills and the service blocks on a write.
            _drain(server)
            return service
    code = server.wait()
    redis.kill()
    raise RuntimeError(f"redisession serve exited before listening (code {code})")


_shared: Service | None = None


def shared_service() -> Service:
    """The run's one service, started on first use (tests/conftest.py stops it when pytest ends)."""
    global _shared
    if _shared is None:
        _shared = start_service()
    return _shared


def stop_shared_service() -> None:
    global _shared
    if _shared is not None:
        _shared.stop()
        _shared = None


def _drain(process: subprocess.Popen[bytes]) -> None:
    import threading

    def read() -> None:
        assert process.stdout is not None
        for _ in process.stdout:
            pass

    threading.Thread(target=read, daemon=True, name="service-log").start()


def redis_command(port: int, *args: bytes) -> bytes:
    """Sends one command to the test Redis (RESP, by hand: the package depends on no Redis client) and answers
    the first line of the reply."""
    request = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(arg), arg) for arg in args)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = connection.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.split(b"\r\n", 1)[0]
