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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATA = ROOT / "bench" / ".data"
SEED = 2026


def step(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def phase(name: str, register: Path, uri: str | None = None) -> dict[str, Any]:
    """One phase's figures; a phase that fails is recorded with its error and the run goes on."""
    step(f"{name} {register.name}")
    command = [PYTHON, str(ROOT / "bench" / "phase.py"), name, str(register)] + (["--neo4j", uri] if uri else [])
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        step(f"{name} {register.name} FAILED: {error}")
        return {"failed": error}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


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
    instance = os.environ.get("NEO4J_INSTANCE")
    pid_file = ROOT / ".neo4j" / (f"instances/{instance}" if instance else "") / "server.pid"
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


async def hammer(host: str, port: int, path: str, total: int, concurrency: int) -> tuple[float, list[float], int]:
    """``total`` GETs of ``path`` over ``concurrency`` keep-alive connections; wall time, latencies, errors.

    A bare HTTP/1.1 client on asyncio streams, not httpx: on a 2-core machine the load generator shares
    the CPU with the server, and a general client's own parsing would be most of what is measured.
    """
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n".encode()
    latencies: list[float] = []
    sizes: set[int] = set()
    errors = 0
    left = total

    async def worker() -> None:
        nonlocal errors, left
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while left > 0:
                left -= 1
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                sizes.add(len(body))
                latencies.append(time.perf_counter() - started)
                errors += not head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()

    left = concurrency  # one request per connection first: opens them and fills the answer cache
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    latencies.clear()
    errors = 0
    left = total
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    step(f"api: {len(latencies)} answers of {sorted(sizes)} bytes")
    return wall, latencies, errors


def api(register: Path, total: int = 3000, concurrency: int = 32) -> dict[str, Any]:
    step("api: load the national register and serve it")
    embedded = {key: value for key, value in os.environ.items() if key != "NEO4J_URI"}
    with tempfile.TemporaryDirectory() as data:
        subprocess.run(
            [PYTHON, "-m", "app.cli", "load", str(register), "--data", data],
            check=True,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
            env=embedded,
        )
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "app.cli", "serve", "--data", data, "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=embedded,
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
            path = "/api/queries/practices-shcr-only"
            wall, latencies, errors = asyncio.run(hammer("127.0.0.1", port, path, total, concurrency))
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
    """The markdown table; a figure whose phase failed reads "failed" (the error is in results.json)."""
    lines = ["| measure | national (x1) | x10 | target |", "| --- | --- | --- | --- |"]
    one, ten = results["x1"], results["x10"]

    def cell(figure: Callable[[], str]) -> str:
        try:
            return figure()
        except (KeyError, TypeError, ZeroDivisionError):
            return "failed"

    def row(label: str, a: Callable[[], str], b: Callable[[], str] = lambda: "", target: str = "") -> None:
        lines.append(f"| {label} | {cell(a)} | {cell(b)} | {target} |")

    def load(scale: dict[str, Any], kind: str) -> str:
        figures = scale[kind]
        return f"{figures['load_s']:.2f} s ({figures['rows'] / figures['load_s']:,.0f} rows/s)"

    def timing(scale: dict[str, Any], name: str) -> str:
        cells = []
        for kind in ("embedded", "neo4j"):
            q = cell(lambda k=kind: "{median_ms:.1f} / {p95_ms:.1f} ms".format(**scale[k]["queries"][name]))
            cells.append(f"{q} {kind}")
        return "; ".join(cells)

    row("register rows", lambda: f"{one['parse']['rows']:,}", lambda: f"{ten['parse']['rows']:,}")
    row("parse only (floor)", lambda: f"{one['parse']['seconds']:.2f} s", lambda: f"{ten['parse']['seconds']:.2f} s")
    row("load into embedded", lambda: load(one, "embedded"), lambda: load(ten, "embedded"), "< 5 s; within 3x parse")
    row("load into neo4j", lambda: load(one, "neo4j"), lambda: load(ten, "neo4j"), "< 15 s")
    row(
        "embedded load / parse-only",
        lambda: f"{one['embedded']['load_s'] / one['parse']['seconds']:.1f}x",
        lambda: f"{ten['embedded']['load_s'] / ten['parse']['seconds']:.1f}x",
        "<= 3x",
    )
    row(
        "x10 load / x1 load",
        lambda: f"{ten['embedded']['load_s'] / one['embedded']['load_s']:.1f}x embedded",
        lambda: f"{ten['neo4j']['load_s'] / one['neo4j']['load_s']:.1f}x neo4j",
        "<= 12x",
    )
    naive = results["naive"]
    row(
        f"naive per-row MERGE loader (extrapolated from a sample of {naive.get('sample_rows', 0):,} rows)",
        lambda: f"{naive['extrapolated_s']:.0f} s ({naive['rows_per_s']:,.0f} rows/s)",
        target=">= 20x slower than ours",
    )
    row(
        "Neo4j load speed-up over naive",
        lambda: f"{naive['extrapolated_s'] / one['neo4j']['load_s']:.0f}x",
        target=">= 20x",
    )
    row(
        "headline reachability floor (scipy csgraph)",
        lambda: f"{one['floor']['median_ms']:.1f} ms",
        lambda: f"{ten['floor']['median_ms']:.1f} ms",
    )
    import queries

    for name in [*queries.CATALOGUE, "practices-shcr-only (all ICBs)"]:
        target = "< 100 ms; <= 5x floor" if name.startswith("practices-shcr-only") else "< 500 ms"
        row(f"query `{name}` median / p95", lambda n=name: timing(one, n), lambda n=name: timing(ten, n), target)
    # The floor answers for all of England, so it is compared with the all-ICB headline.
    headline = "practices-shcr-only (all ICBs)"
    row(
        "headline (all ICBs) embedded / floor",
        lambda: f"{one['embedded']['queries'][headline]['median_ms'] / one['floor']['median_ms']:.1f}x",
        lambda: f"{ten['embedded']['queries'][headline]['median_ms'] / ten['floor']['median_ms']:.1f}x",
        "<= 5x",
    )
    api = results["api"]
    row(
        f"API headline, {api.get('concurrency')} concurrent clients, {api.get('requests', 0):,} requests",
        lambda: f"{api['rps']:,.0f} req/s, p99 {api['p99_ms']:.1f} ms, {api['errors']} errors",
        target="> 500 req/s",
    )
    row(
        "peak memory (embedded process)",
        lambda: f"{one['embedded']['peak_mib']:,.0f} MiB",
        lambda: f"{ten['embedded']['peak_mib']:,.0f} MiB",
        "< 4 GiB",
    )
    row(
        "peak memory (Neo4j client process)",
        lambda: f"{one['neo4j']['peak_mib']:,.0f} MiB",
        lambda: f"{ten['neo4j']['peak_mib']:,.0f} MiB",
    )
    row(
        "peak memory (Neo4j JVM, resident, whole run)",
        lambda: "",
        lambda: f"{results['jvm_peak_mib']:,.0f} MiB",
        "< 4 GiB",
    )
    row("peak memory (API server)", lambda: f"{api['server_peak_mib']:,.0f} MiB")
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
