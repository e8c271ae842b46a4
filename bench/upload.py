"""Peak memory and time of loading a large register through the API (``POST /api/registers``).

    python bench/upload.py [--scale 4] [--seed 1] [--register DIR] [--repeat 1]

Writes the synthetic England at ``--scale`` (x4 is about 50 MB of CSV) unless ``--register`` names a
folder, zips its CSV files, starts ``icsgraph serve`` on an empty data directory in its own process, and
posts the zip. The server's resident memory is read from ``/proc`` (Linux): before the upload, and its
high-water mark after. Prints one JSON object of figures. Not part of the tests: speed is measured here,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-write-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def memory_mib(pid: int) -> dict[str, float]:
    """The process's resident memory now (VmRSS) and its peak so far (VmHWM), in MiB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0]) / 1024
    return figures


def synthesise(folder: Path, scale: int, seed: int) -> None:
    command = [sys.executable, "-m", "app.cli", "synth", "--out", str(folder), "--seed", str(seed)]
    subprocess.run([*command, "--scale", str(scale)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def zipped(register: Path, target: Path) -> tuple[int, int]:
    """The register's CSV files in one zip; its size and the unpacked size, in bytes."""
    unpacked = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(register.glob("*.csv")):
            archive.write(path, path.name)
            unpacked += path.stat().st_size
    return target.stat().st_size, unpacked


def upload_once(archive: Path, unpacked: int, work: Path) -> dict[str, Any]:
    data = work / f"data-{time.monotonic_ns()}"
    port = free_port()
    environment = {
        **os.environ,
        "ICSGRAPH_WRITE_TOKEN": TOKEN,
        "ICSGRAPH_MAX_UPLOAD": str(max(50_000_000, unpacked)),
        "NEO4J_URI": "",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--data", str(data), "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.2)
        before = memory_mib(server.pid)
        started = time.perf_counter()
        with archive.open("rb") as file:
            response = httpx.post(
                f"{base}/api/registers",
                files={"file": ("bench.zip", file, "application/zip")},
                data={"name": "bench"},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=600,
            )
        elapsed = time.perf_counter() - started
        after = memory_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    if response.status_code != 200:
        raise SystemExit(f"upload refused ({response.status_code}): {response.text[:2000]}")
    loaded = response.json()["loaded"]
    growth = after["VmHWM"] - before["VmRSS"]
    return {
        "status": response.status_code,
        "seconds": round(elapsed, 2),
        "rows": sum(loaded["counts"].values()),
        "server_rss_before_mib": round(before["VmRSS"], 1),
        "server_peak_mib": round(after["VmHWM"], 1),
        "server_rss_after_mib": round(after["VmRSS"], 1),
        "peak_growth_mib": round(growth, 1),
        "peak_growth_per_unpacked_byte": round(growth * 2**20 / unpacked, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=4, help="synthetic England times N (default 4: ~50 MB)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--register", type=Path, help="a register folder to upload instead of a synthetic one")
    parser.add_argument("--repeat", type=int, default=1, help="uploads, each to a fresh server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="icsgraph-bench-upload-") as temporary:
        work = Path(temporary)
        register = args.register
        if register is None:
            register = work / "register"
            synthesise(register, args.scale, args.seed)
        archive = work / "register.zip"
        size, unpacked = zipped(register, archive)
        runs = [upload_once(archive, unpacked, work) for _ in range(args.repeat)]
    figures = {"zip_bytes": size, "unpacked_bytes": unpacked, "runs": runs}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
