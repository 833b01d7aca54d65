"""Load on a production-like server: gunicorn serving arportal.wsgi on a loopback port.

The in-process timings say what one request costs; this says what the
machine sustains when several staff use it at once, through a real WSGI
server with production settings (DEBUG off, hashed static files, the real
login form). The server gets the same SECRET_KEY and FIELD_ENCRYPTION_KEY as
this process (and AUDIT_HASH_KEY), so sessions and the encrypted provider
secrets keep working, and the same DATABASE_URL. The load comes from a second process
(bench/client.py), bounded in time and in requests, and only ever
goes to 127.0.0.1. gunicorn is stopped in every case, failures included.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings

CLIENT = Path(__file__).resolve().parent / "client.py"
STARTUP_SECONDS = 60
KEYS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "AUDIT_HASH_KEY", "IDENTITY_INDEX_KEY")


def server_env():
    """Production settings on plain HTTP: no TLS redirect, cookies and HSTS, which need HTTPS."""
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1",
        SANDBOX_ENABLED="0",
        LOG_LEVEL="WARNING",
    )
    # This process's keys, development defaults included: the server must read what it wrote.
    env.update({name: getattr(settings, name) for name in KEYS if getattr(settings, name, "")})
    env.setdefault("DATABASE_URL", f"sqlite:///{settings.DATABASES['default']['NAME']}")
    return env


def collectstatic(env):
    """The hashed, compressed files whitenoise serves when DEBUG is off."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_count():
    """Two per core, within the 2-4 a small machine should run."""
    return min(4, max(2, 2 * (os.cpu_count() or 1)))


@contextmanager
def gunicorn(env, workers):
    """The base URL of a running gunicorn; stopped (TERM, then KILL) on the way out."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "arportal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_answering(base, process, log)
            yield base
        finally:
            stop(process)


def wait_until_answering(base, process, log):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        try:
            if requests.get(f"{base}/login/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{tail(log)}")


def tail(log, lines=30):
    log.flush()
    return "\n".join(Path(log.name).read_text(errors="replace").splitlines()[-lines:])


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_load(paths, username, password, clients=8, seconds=20, max_requests=2000):
    """The client's JSON summary, with the server's shape added."""
    env = server_env()
    collectstatic(env)
    workers = worker_count()
    with gunicorn(env, workers) as base:
        command = [
            sys.executable,
            str(CLIENT),
            "--base",
            base,
            "--username",
            username,
            "--clients",
            str(clients),
            "--seconds",
            str(seconds),
            "--max-requests",
            str(max_requests),
            *paths,
        ]
        # Twice the load's own bound: a hung client cannot keep the benchmark (or gunicorn) alive.
        done = subprocess.run(
            command,
            env={**os.environ, "BENCH_PASSWORD": password},
            capture_output=True,
            text=True,
            timeout=2 * seconds + 120,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the load client failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stdout)
    result.update(workers=workers, worker_class="sync", max_requests=max_requests, limit_seconds=seconds)
    return result
