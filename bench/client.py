"""The load generator of the benchmark: a separate process, so the server's CPU time is not ours.

Run by bench/load.py as `python bench/client.py ...`; it only
needs `requests`, never Django. It logs in through the real login form
(GET /login/ for the CSRF cookie and token, then POST), then `--clients`
threads share that session and request the given paths round-robin until
`--seconds` have passed or `--max-requests` were sent, whichever comes first:
the load is always bounded. Redirects are not followed, so a lost session
counts as an error instead of a fast login page. Prints one JSON object.

The password comes from the BENCH_PASSWORD environment variable, never from
the command line, where `ps` would show it.
"""

import argparse
import json
import math
import os
import re
import statistics
import sys
import threading
import time

import requests

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(base, username, password):
    """A logged-in session, through the same form a person uses."""
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=30)
    page.raise_for_status()
    token = TOKEN.search(page.text)
    if token is None:
        raise SystemExit("the login page has no CSRF token")
    answer = session.post(
        f"{base}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"login failed: {answer.status_code}")
    return session


class Budget:
    """Hands out request slots until the time or the count runs out."""

    def __init__(self, seconds, max_requests):
        self.deadline = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


def client(base, cookies, paths, offset, budget, results):
    """One simulated user: its own connection, the shared login."""
    session = requests.Session()
    session.cookies.update(cookies)
    index = offset
    while budget.take():
        path = paths[index % len(paths)]
        index += 1
        started = time.perf_counter()
        try:
            status = session.get(f"{base}{path}", allow_redirects=False, timeout=30).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        results.append((path, status, time.perf_counter() - started))


def run(base, username, password, paths, clients, seconds, max_requests):
    cookies = login(base, username, password).cookies
    budget = Budget(seconds, max_requests)
    results = []  # list.append is atomic under the GIL
    threads = [threading.Thread(target=client, args=(base, cookies, paths, i, budget, results)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return summary(results, elapsed, clients)


def summary(results, elapsed, clients):
    latencies = sorted(seconds for _, _, seconds in results)
    errors = [(path, status) for path, status, _ in results if status != 200]
    return {
        "clients": clients,
        "requests": len(results),
        "seconds": elapsed,
        "rps": len(results) / elapsed if elapsed else 0,
        "median_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": latencies[math.ceil(0.95 * len(latencies)) - 1] * 1000 if latencies else None,
        "errors": len(errors),
        "error_samples": [f"{path} -> {status}" for path, status in errors[:5]],
        "per_path": {
            path: statistics.median(s for p, _, s in results if p == path) * 1000
            for path in sorted({p for p, _, _ in results})
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8123")
    parser.add_argument("--username", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=2000)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if not args.base.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise SystemExit("the load only ever goes to this machine (127.0.0.1)")
    password = os.environ["BENCH_PASSWORD"]
    result = run(args.base, args.username, password, args.paths, args.clients, args.seconds, args.max_requests)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
