"""Server-side render time of every page of ``commentkit serve`` on one project (issue 26).

    python bench/web_pages.py PROJECT_DIR [--runs 15]     # prints JSON: page -> median/min/max ms

The app is driven in-process through its ASGI interface (no socket, no browser): the time is
what the server spends from request to the last byte of the page, security layer included. One
warm-up request per page, then the median of ``--runs`` ("warm": the project unchanged since
the last page, so what the app derived from it is reused) and the median of a third as many
"cold" runs (an answer file's time stamp changed before each, as after a save: everything is
read, validated and computed again). bench/run.py runs this on its
83-answer project and puts the figures in docs/benchmarks.md (target: every page < 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TARGET_MS = 50


def pages(root: Path) -> list[tuple[str, str]]:
    from commentkit.project.folder import Project

    proj = Project.open(root)
    first = proj.pack.bank.ordered()[0].id
    base = "/p/~"
    return [("Projects", "/"), ("Dashboard", f"{base}/dashboard"), ("Plan", f"{base}/plan"),
            ("Plan, core filter", f"{base}/plan?level=core"), ("Answer editor", f"{base}/answer/{first}"),
            ("Questionnaire page", f"{base}/questionnaire/1"), ("Questionnaire review", f"{base}/questionnaire/review"),
            ("Letter (preview, draft)", f"{base}/letter"), ("Check", f"{base}/check"), ("Word edits", f"{base}/word"),
            ("Association", f"{base}/association"), ("Package", f"{base}/package"),
            ("Calendar (.ics)", f"{base}/calendar.ics")]


class Driver:
    """A minimal ASGI client: GET a path, return (status, body, headers)."""

    def __init__(self, app, port: int):
        self.app, self.port, self.cookie = app, port, ""

    async def get(self, path: str):
        p, _, q = path.partition("?")
        headers = [(b"host", f"127.0.0.1:{self.port}".encode())]
        if self.cookie:
            headers.append((b"cookie", self.cookie.encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
                 "path": p, "raw_path": p.encode(), "query_string": q.encode(), "headers": headers,
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", self.port), "root_path": ""}
        out = {"status": 0, "body": b"", "headers": []}

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            if message["type"] == "http.response.start":
                out["status"], out["headers"] = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                out["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return out["status"], out["body"], out["headers"]


def _touch_one_answer(root: Path, n: int) -> None:
    """Make the project look changed (as after a save), so nothing derived from it is reused."""
    import os

    path = next(iter(sorted((root / "answers").glob("*.md"))))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1000 * (n + 1)))


async def measure(root: Path, runs: int) -> dict:
    from commentkit.web.server import make

    app, guard = make(root, port=8765)
    d = Driver(app, guard.port)
    status, _, headers = await d.get(f"/?token={guard.token}")
    cookie = next(v.decode() for k, v in headers if k == b"set-cookie")
    d.cookie = cookie.split(";", 1)[0]
    result = {}
    for name, path in pages(root):
        status, body, _ = await d.get(path)  # warm-up
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}: {body[:500]!r}")
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            await d.get(path)
            times.append(1000 * (time.perf_counter() - t))
        cold = []
        for i in range(max(3, runs // 3)):
            _touch_one_answer(root, i)
            t = time.perf_counter()
            await d.get(path)
            cold.append(1000 * (time.perf_counter() - t))
        result[name] = {"path": path, "median_ms": round(statistics.median(times), 1),
                        "min_ms": round(min(times), 1), "max_ms": round(max(times), 1), "runs": runs,
                        "cold_median_ms": round(statistics.median(cold), 1), "bytes": len(body)}
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("project", type=Path)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    print(json.dumps(asyncio.run(measure(args.project, args.runs)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
