"""The benchmark suite: `make bench`. Not part of the tests: it measures, it does not assert.

Generates the synthetic national register (scale 1 and 10; ``BENCH_SCALES=1`` for national only), then
measures, each phase in its own process: parse-only (the floor of a load), the embedded and Neo4j loads,
the naive per-row MERGE loader on a sample (extrapolated, and labelled so), every named query on both
stores, the headline's reachability as one sparse-matrix traversal, one ICS-sized register reloaded
into the national graph on both stores, the peers (DuckDB over the CSV files, plain networkx) on the
same data, and the API under concurrent load on loopback. Prints a markdown table, each target met or
missed, and a warning for any peer whose answer differs from ours; writes them with the raw figures to
bench/results.json. ``BENCH_RESUME=1`` carries on a run cut short.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import disagreements, table

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATA = ROOT / "bench" / ".data"
SEED = 2026


def step(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


PARTIAL = DATA / "partial.json"


def phase(name: str, register: Path, uri: str | None = None) -> dict[str, Any]:
    """One phase's figures; a phase that fails is recorded with its error and the run goes on.

    Each phase's figures are kept in bench/.data/partial.json as it ends: with BENCH_RESUME=1, a run cut
    short starts again after the last phase that finished."""
    key = f"{name} {register.name}" + (" neo4j" if uri else "")
    done_before = json.loads(PARTIAL.read_text()) if PARTIAL.exists() else {}
    if os.environ.get("BENCH_RESUME") and key in done_before and "failed" not in done_before[key]:
        step(f"{key}: kept from the run cut short")
        return dict(done_before[key])
    figures = run_phase(name, register, uri)
    PARTIAL.write_text(json.dumps({**done_before, key: figures}, indent=1))
    return figures


def run_phase(name: str, register: Path, uri: str | None) -> dict[str, Any]:
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
    if os.environ.get("BENCH_RESUME") and (out / "flows.csv").exists():
        return out
    step(f"synth --scale {scale} -> {out.relative_to(ROOT)}")
    subprocess.run(
        [PYTHON, "-m", "app.cli", "synth", "--out", str(out), "--seed", str(SEED), "--scale", str(scale)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return out


def heap_mib(options: str) -> float | None:
    """The JVM's maximum heap from its options (the last -Xmx wins), in MiB.

    >>> heap_mib("-Xms256m -Xmx4g"), heap_mib("-Xmx3072m"), heap_mib("")
    (4096.0, 3072.0, None)
    """
    found = None
    for option in options.split():
        if option.startswith("-Xmx"):
            size = option[4:].lower()
            scale = {"g": 1024.0, "m": 1.0, "k": 1 / 1024}.get(size[-1:], 1 / 1024 / 1024)
            found = float(size.rstrip("gmk")) * scale
    return found


def jvm_proc() -> Path | None:
    """/proc's folder of the project's Neo4j JVM (scripts/neo4j.sh's instance), if it runs on this machine."""
    instance = os.environ.get("NEO4J_INSTANCE")
    pid_file = ROOT / ".neo4j" / (f"instances/{instance}" if instance else "") / "server.pid"
    try:
        proc = Path(f"/proc/{pid_file.read_text().strip()}")
    except OSError:
        return None
    return proc if proc.exists() else None


def jvm_heap_mib() -> float | None:
    """The heap the running JVM was started with, from its command line (what scripts/neo4j.sh gave it)."""
    proc = jvm_proc()
    try:
        return heap_mib((proc / "cmdline").read_text().replace("\0", " ")) if proc else None
    except OSError:
        return None


def jvm_peak_mib() -> float | None:
    """The JVM's peak resident memory so far (VmHWM): heap, page cache and native memory together."""
    proc = jvm_proc()
    try:
        status = (proc / "status").read_text() if proc else ""
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def scales() -> list[int]:
    """The scales to run: BENCH_SCALES (e.g. "1" for a quick run), by default national and x10."""
    chosen = os.environ.get("BENCH_SCALES", "1 10").replace(",", " ").split()
    if not chosen or any(scale not in ("1", "10") for scale in chosen):
        sys.exit(f"bench: BENCH_SCALES={os.environ['BENCH_SCALES']!r}: give 1, 10 or both, e.g. BENCH_SCALES=1")
    return sorted({int(scale) for scale in chosen})


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


def main() -> None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        sys.exit("bench: NEO4J_URI is not set; run `make bench`, which starts the project's Neo4j")
    DATA.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": f"{os.cpu_count()} cores", "when": time.strftime("%Y-%m-%d %H:%M")}
    # The heap the server was started with, read from the JVM itself; else what the script was asked for.
    results["heap_mib"] = jvm_heap_mib() or heap_mib(f"-Xmx{os.environ.get('NEO4J_HEAP', '4g')}")
    step(f"Neo4j server heap: {results['heap_mib']:,.0f} MiB")
    results["load"] = os.getloadavg()
    peaks: list[float] = []
    for scale in scales():
        register = synth(scale)
        figures = results[f"x{scale}"] = {}
        for key, name, on_neo4j in (
            ("parse", "parse", False),
            ("embedded", "embedded", False),
            ("neo4j", "neo4j", True),
            ("floor", "floor", False),
            ("cut", "cut", False),
            ("reload-embedded", "reload", False),
            ("reload-neo4j", "reload", True),
            ("duckdb", "duckdb", False),
            ("networkx", "networkx", False),
        ):
            figures[key] = phase(name, register, uri if on_neo4j else None)
            if on_neo4j:
                # Read as the run goes: a JVM that runs out of memory exits (-XX:+ExitOnOutOfMemoryError).
                peaks += [peak] if (peak := jvm_peak_mib()) else []
                if "failed" in figures[key] and jvm_proc() is None:
                    step("the Neo4j server is no longer running (out of heap?); see .neo4j/instances/bench/server.log")
        if scale == 1:  # before x10, which may take the server down
            results["naive"] = phase("naive", register, uri)
            results["api"] = api(register)
    results["jvm_peak_mib"] = max(peaks, default=None)
    results["load_after"] = os.getloadavg()
    results["table"] = table(results)
    results["disagreements"] = disagreements(results)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2))
    PARTIAL.unlink(missing_ok=True)
    print(results["table"])
    before, after = results["load"][0], results["load_after"][0]
    print(f"\n{results['machine']}; load average {before:.1f} before the run, {after:.1f} after")
    for line in results["disagreements"]:
        print(f"\nWARNING: {line}")


if __name__ == "__main__":
    main()
