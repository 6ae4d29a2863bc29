#!/usr/bin/env python3
"""What scale-out costs, measured: a plan's runs as one process against the
same runs as shards on a local Dask cluster, and `runway merge` against
the number of shards (docs/scale.md quotes its output).

    python benches/scale.py [--plan FILE] [--runs N] [--shards 16] [--merge 16,256,1000]

Needs the runway-sim wheel and `distributed` installed in the Python that
runs it (docs/python.md), and GNU time at /usr/bin/time. Prints a Markdown
report on stdout, progress on stderr. Every run uses --no-runs (monthly
table and summary; the per-run table of 10,000,000 runs is ~2 GB of
Parquet), so one process and the merge write the same files.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import runway
import runway.distributed

ROOT = Path(__file__).resolve().parents[1]


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one process under GNU time."""
    with tempfile.NamedTemporaryFile() as t:
        start = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name, *argv], check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        return wall, int(Path(t.name).read_text().split()[-1]) / 1024


def one_process(exe: str, plan: str, runs: int, out: Path) -> tuple[float, float]:
    return timed([exe, "run", plan, "--runs", str(runs), "--no-runs", "--format", "parquet", "--out", str(out), "--quiet"])


def on_dask(plan: str, runs: int, shards: int, work: Path) -> dict:
    """The plan as `shards` tasks on 2 single-threaded Dask workers, shard
    files in a shared folder; each shard's peak RSS from a GNU time wrapper."""
    from distributed import Client, LocalCluster

    rss_dir = work / "rss"
    rss_dir.mkdir()
    wrapper = work / "timed-runway"
    wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/time -f %M -o "{rss_dir}/$$" "{runway.find_runway_bin()}" "$@"\n')
    wrapper.chmod(0o755)
    os.environ["RUNWAY_BIN"] = str(wrapper)
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            start = time.perf_counter()
            runway.distributed.run(plan, runs=runs, shards=shards, client=client, shared_dir=work / "shards", per_run=False, out=work / "merged")
            wall = time.perf_counter() - start
            worker_rss = client.run(lambda: __import__("psutil").Process().memory_info().rss)
    finally:
        del os.environ["RUNWAY_BIN"]
    shard_rss = [int(p.read_text().split()[-1]) / 1024 for p in rss_dir.iterdir()]
    return {"wall": wall, "shard_rss": shard_rss, "worker_rss": [v / 2**20 for v in worker_rss.values()]}


def merge_time(exe: str, plan: str, runs: int, shards: int, work: Path) -> tuple[float, float, float]:
    """(merge wall s, merge peak MiB, shard files GiB) for `shards` shards."""
    folder = work / f"shards-{shards}"
    for i in range(shards):
        subprocess.run([exe, "run", plan, "--runs", str(runs), "--shard", f"{i}/{shards}", "--out", str(folder), "--quiet"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 2**30
    wall, rss = timed([exe, "merge", str(folder), "--no-runs", "--format", "parquet", "--out", str(work / f"merged-{shards}"), "--quiet"])
    shutil.rmtree(folder)
    return wall, rss, size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plan", default=str(ROOT / "scenarios" / "saas-baseline.toml"))
    ap.add_argument("--runs", type=int, default=10_000_000)
    ap.add_argument("--shards", type=int, default=16)
    ap.add_argument("--merge", default="16,256,1000", help="shard counts to time `runway merge` at")
    ap.add_argument("--merge-runs", type=int, default=1_000_000)
    a = ap.parse_args()
    exe = runway.find_runway_bin()
    with tempfile.TemporaryDirectory(prefix="runway-scale-") as tmp:
        work = Path(tmp)
        print(f"one process, {a.runs:,} runs ...", file=sys.stderr)
        wall, rss = one_process(exe, a.plan, a.runs, work / "one")
        print(f"dask, {a.shards} shards ...", file=sys.stderr)
        dask = on_dask(a.plan, a.runs, a.shards, work)
        same = filecmp.cmp(work / "one" / "monthly.parquet", work / "merged" / "monthly.parquet", shallow=False)
        print(f"# Scale-out: {Path(a.plan).name}, {a.runs:,} runs × its horizon, {os.cpu_count()} cores\n")
        print("| how | wall s | peak memory |")
        print("|---|---:|---|")
        print(f"| one process (all cores) | {wall:.1f} | {rss:.0f} MiB |")
        print(
            f"| {a.shards} shards on a Dask LocalCluster (2 workers × 1 thread) | {dask['wall']:.1f} "
            f"| per shard process {min(dask['shard_rss']):.0f}–{max(dask['shard_rss']):.0f} MiB; "
            f"per worker process {min(dask['worker_rss']):.0f}–{max(dask['worker_rss']):.0f} MiB |"
        )
        print(f"\nmonthly.parquet of the merge {'equals' if same else 'DIFFERS FROM'} the one process's, byte for byte.\n")
        print(f"## `runway merge`, {a.merge_runs:,} runs\n")
        print("| shards | merge wall s | merge peak memory | shard files |")
        print("|---:|---:|---:|---:|")
        for n in (int(x) for x in a.merge.split(",")):
            print(f"merge of {n} shards ...", file=sys.stderr)
            w, r, size = merge_time(exe, a.plan, a.merge_runs, n, work)
            print(f"| {n} | {w:.2f} | {r:.0f} MiB | {size:.2f} GiB |")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
