"""The benchmark suite: `make bench`. Not part of the tests: it measures, it does not assert.

Generates the synthetic national register (scale 1 and 10), then measures, each phase in its own
process: parse-only (the floor of a load), the embedded and Neo4j loads, the naive per-row MERGE
loader on a sample (extrapolated, and labelled so), every named query on both stores, the headline's
reachability as one sparse-matrix traversal, and the API under concurrent load on loopback. Prints a
markdown table and writes it with the raw figures to bench/results.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATA = ROOT / "bench" / ".data"
SEED = 2026


def step(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def phase(name: str, register: Path, uri: str | None = None) -> dict[str, Any]:
    step(f"{name} {register.name}")
    command = [PYTHON, str(ROOT / "bench" / "phase.py"), name, str(register)] + (["--neo4j", uri] if uri else [])
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def synth(scale: int) -> Path:
    out = DATA / f"national-x{scale}"
    step(f"synth --scale {scale} -> {out.relative_to(ROOT)}")
    subprocess.run(
        [PYTHON, "-m", "app.cli", "synth", "--out", str(out), "--seed", str(SEED), "--scale", str(scale)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return out


def jvm_peak_mib() -> float | None:
    pid_file = ROOT / ".neo4j" / "server.pid"
    try:
        status = Path(f"/proc/{pid_file.read_text().strip()}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def hammer(url: str, total: int, concurrency: int) -> tuple[float, list[float], int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            response = await client.get(url)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await client.get(url)  # the first answer fills the cache
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return wall, latencies, errors


def api(register: Path, total: int = 3000, concurrency: int = 32) -> dict[str, Any]:
    step("api: load the national register and serve it")
    with tempfile.TemporaryDirectory() as data:
        subprocess.run(
            [PYTHON, "-m", "app.cli", "load", str(register), "--data", data],
            check=True,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "app.cli", "serve", "--data", data, "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NEO4J_URI": ""},
        )
        try:
            import httpx

            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            url = f"http://127.0.0.1:{port}/api/queries/practices-shcr-only"
            wall, latencies, errors = asyncio.run(hammer(url, total, concurrency))
            peak = Path(f"/proc/{server.pid}/status").read_text()
            rss = next(int(line.split()[1]) / 1024 for line in peak.splitlines() if line.startswith("VmHWM:"))
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies.sort()
    return {
        "requests": total,
        "concurrency": concurrency,
        "rps": total / wall,
        "errors": errors,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
        "server_peak_mib": rss,
    }


def table(results: dict[str, Any]) -> str:
    lines = ["| measure | national (x1) | x10 | target |", "| --- | --- | --- | --- |"]
    one, ten = results["x1"], results["x10"]

    def row(label: str, a: str, b: str, target: str = "") -> None:
        lines.append(f"| {label} | {a} | {b} | {target} |")

    row("register rows", f"{one['parse']['rows']:,}", f"{ten['parse']['rows']:,}")
    row("parse only (floor)", f"{one['parse']['seconds']:.2f} s", f"{ten['parse']['seconds']:.2f} s")
    for kind, target in (("embedded", "< 5 s; within 3x parse"), ("neo4j", "< 15 s")):
        a, b = one[kind], ten[kind]
        row(
            f"load into {kind}",
            f"{a['load_s']:.2f} s ({a['rows'] / a['load_s']:,.0f} rows/s)",
            f"{b['load_s']:.2f} s ({b['rows'] / b['load_s']:,.0f} rows/s)",
            target,
        )
    row(
        "embedded load / parse-only",
        f"{one['embedded']['load_s'] / one['parse']['seconds']:.1f}x",
        f"{ten['embedded']['load_s'] / ten['parse']['seconds']:.1f}x",
        "<= 3x",
    )
    naive = results["naive"]
    row(
        f"naive per-row MERGE loader (extrapolated from a sample of {naive['sample_rows']:,} rows)",
        f"{naive['extrapolated_s']:.0f} s ({naive['rows_per_s']:,.0f} rows/s)",
        "",
        ">= 20x slower than ours",
    )
    row("Neo4j load speed-up over naive", f"{naive['extrapolated_s'] / one['neo4j']['load_s']:.0f}x", "", ">= 20x")
    row(
        "headline reachability floor (scipy csgraph)",
        f"{one['floor']['median_ms']:.1f} ms",
        f"{ten['floor']['median_ms']:.1f} ms",
    )
    for name in one["embedded"]["queries"]:
        cells = []
        for scale in (one, ten):
            e, n = scale["embedded"]["queries"][name], scale["neo4j"]["queries"][name]
            cells.append(
                f"{e['median_ms']:.1f} / {e['p95_ms']:.1f} ms embedded; "
                f"{n['median_ms']:.1f} / {n['p95_ms']:.1f} ms neo4j"
            )
        target = "< 100 ms; <= 5x floor" if name == "practices-shcr-only" else "< 500 ms"
        row(f"query `{name}` median / p95", cells[0], cells[1], target)
    headline = one["embedded"]["queries"]["practices-shcr-only"]["median_ms"]
    row(
        "headline embedded / floor",
        f"{headline / one['floor']['median_ms']:.1f}x",
        f"{ten['embedded']['queries']['practices-shcr-only']['median_ms'] / ten['floor']['median_ms']:.1f}x",
        "<= 5x",
    )
    a = results["api"]
    row(
        f"API headline, {a['concurrency']} concurrent clients, {a['requests']:,} requests",
        f"{a['rps']:,.0f} req/s, p99 {a['p99_ms']:.1f} ms, {a['errors']} errors",
        "",
        "> 500 req/s",
    )
    row(
        "peak memory (embedded process)",
        f"{one['embedded']['peak_mib']:,.0f} MiB",
        f"{ten['embedded']['peak_mib']:,.0f} MiB",
        "< 4 GiB",
    )
    row(
        "peak memory (Neo4j client process / JVM)",
        f"{one['neo4j']['peak_mib']:,.0f} MiB",
        f"{ten['neo4j']['peak_mib']:,.0f} MiB / {results.get('jvm_peak_mib') or 0:,.0f} MiB JVM",
    )
    row("peak memory (API server)", f"{a['server_peak_mib']:,.0f} MiB", "")
    return "\n".join(lines)


def main() -> None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        sys.exit("bench: NEO4J_URI is not set; run `make bench`, which starts the project's Neo4j")
    results: dict[str, Any] = {"machine": f"{os.cpu_count()} cores", "when": time.strftime("%Y-%m-%d %H:%M")}
    for scale in (1, 10):
        register = synth(scale)
        results[f"x{scale}"] = {
            "parse": phase("parse", register),
            "embedded": phase("embedded", register),
            "neo4j": phase("neo4j", register, uri),
            "floor": phase("floor", register),
        }
    results["naive"] = phase("naive", DATA / "national-x1", uri)
    results["jvm_peak_mib"] = jvm_peak_mib()
    results["api"] = api(DATA / "national-x1")
    results["table"] = table(results)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2))
    print(results["table"])


if __name__ == "__main__":
    main()
