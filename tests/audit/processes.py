"""Real processes for the recovery test and its benchmark: a private redis-server, Celery workers
and beat in their own processes (so a worker can be killed), all on the database the caller names.

The shared Redis on 6379 is never touched: the private one listens on its own port, keeps nothing
on disk (a restart loses every queued message, as a Redis without persistence does), and is
stopped when done.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


def database_url() -> str:
    """The URL of the database this process uses (the test database under pytest)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class PrivateRedis:
    """redis-server on `port`, without persistence; restart() loses all its data."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.keys() is not None:
                return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def keys(self) -> int | None:
        """How many keys it holds (None when it does not answer)."""
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "dbsize"], capture_output=True, text=True, timeout=5
        )
        return int(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip().isdigit() else None

    def queued(self, task_name: str) -> int:
        """How many messages of `task_name` wait in its lists (the queues). Not the key count: a
        beat or worker that reconnects right after a restart declares its queues again at once."""
        def cli(*args: str) -> list[str]:
            done = subprocess.run(["redis-cli", "-p", str(self.port), "--raw", *args],
                                  capture_output=True, text=True, timeout=5)
            return done.stdout.splitlines()
        lists = [key for key in cli("--scan") if cli("type", key) == ["list"]]
        return sum(task_name in message for key in lists for message in cli("lrange", key, "0", "-1"))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


class Celery:
    """A Celery worker (solo pool) or beat in its own process, on `broker` and `database`."""

    def __init__(self, *, broker: str, database: str, env: dict[str, str] | None = None):
        self.workdir = Path(tempfile.mkdtemp(prefix="celery-"))
        self.env = {
            # Not the pytest-xdist process name: it would give these processes that test process's
            # broker key prefix (config/settings/test.py), while the test talks to this private
            # broker through a plain connection, without one (the watchdog alone then ran the run).
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")},
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database,
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": "cache+memory://",
            **(env or {}),
        }
        self.processes: list[subprocess.Popen] = []

    def _start(self, *args: str, log: str) -> subprocess.Popen:
        out = open(self.workdir / log, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args], cwd=ROOT, env=self.env, stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def worker(self) -> subprocess.Popen:
        return self._start(
            "worker", "--pool=solo", "--without-mingle", "--without-gossip", "--loglevel=WARNING", log="worker.log"
        )

    def beat(self) -> subprocess.Popen:
        return self._start(
            "beat", "--loglevel=WARNING", "--max-interval=1", "-s", str(self.workdir / "beat-schedule"), log="beat.log"
        )

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.workdir.glob("*.log"))

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """As the OOM killer would: no warm shutdown, nothing acknowledged or given back."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(process)
        self.processes = []
        shutil.rmtree(self.workdir, ignore_errors=True)
