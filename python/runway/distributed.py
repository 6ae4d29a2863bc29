"""A plan's runs split into shards on a cluster you already run: each
shard is one ``runway run --shard I/N`` task on a Dask or Ray worker, then
one ``runway merge`` here. The merge is byte-identical to a single run
(runway cuts shards on its 1,024-run blocks and replays them in order), so
the cluster changes how soon results arrive, never what they are.

Workers need this package installed (the wheel carries the executable).
Shard files come back to the caller as bytes, which suits a local or small
cluster; with ``shared_dir`` (a folder every worker and the caller can
reach: NFS, a mounted bucket) they are written there instead and only
their paths travel.

For example (tests/python/test_distributed.py runs this)::

    import runway.distributed
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        r = runway.distributed.run("/plans/plan.toml", runs=1_000_000, shards=8, client=client)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._api import Result, _shown, read_result
from ._bin import find_runway_bin
from ._plan import Plan, given
from ._process import call


def shard_task(arg: str | None, text: bytes | None, index: int, shards: int, options: Sequence[str], shared_dir: str | None) -> bytes | str:
    """One shard, run on a worker: its file's bytes, or its path in
    ``shared_dir``. Runs single-threaded: the cluster gives parallelism."""
    work = tempfile.mkdtemp(prefix="runway-shard-") if shared_dir is None else shared_dir
    argv = [find_runway_bin(), "run", *([arg] if arg else []), *options, "--shard", f"{index}/{shards}", "--out", work, "--quiet"]
    done = subprocess.run(argv, input=text, capture_output=True, env={**os.environ, "RUNWAY_STDERR": "json"})
    if done.returncode != 0:
        raise RuntimeError(f"shard {index}/{shards} failed (exit {done.returncode}): {done.stderr.decode(errors='replace')}")
    path = Path(work) / f"shard-{index}-of-{shards}.runway"
    if shared_dir is not None:
        return str(path)
    data = path.read_bytes()
    path.unlink()
    os.rmdir(work)
    return data


def run(
    plan: Plan = None,
    *,
    shards: int,
    client: Any = None,
    engine: str = "dask",
    address: str | None = None,
    runs: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    threads_per_shard: int = 1,
    shared_dir: str | os.PathLike[str] | None = None,
    per_run: bool = True,
    out: str | os.PathLike[str] | None = None,
) -> Result:
    """Runs ``plan`` as ``shards`` tasks on a cluster and merges them.

    - ``engine="dask"``: tasks go to ``client`` (a ``distributed.Client``;
      the current default client when ``None``).
    - ``engine="ray"``: tasks are Ray remote functions; Ray is started
      (``ray.init(address=address)``) unless it already runs.

    A plan given as a path is read by the workers from that path (so it
    must be reachable from them); a dict or TOML text travels with the
    tasks. The result equals ``runway.run(plan, …)`` with the same runs and
    seed, byte for byte in its files.
    """
    if shards < 1:
        raise ValueError(f"shards = {shards}: must be at least 1")
    g = given(plan)
    arg = os.path.abspath(g.arg) if g.arg not in (None, "-") else g.arg
    options = [f"--threads={threads_per_shard}"]
    for flag, value in (("--runs", runs), ("--seed", seed), ("--months", months)):
        if value is not None:
            options.append(f"{flag}={int(value)}")
    shared = os.fspath(shared_dir) if shared_dir is not None else None
    jobs = [(arg, g.text, i, shards, options, shared) for i in range(shards)]
    if engine == "dask":
        outputs = _on_dask(client, jobs)
    elif engine == "ray":
        outputs = _on_ray(address, jobs)
    else:
        raise ValueError(f"engine = {engine!r}: dask or ray")
    return _merge(outputs, shards, per_run=per_run, out=out)


def _on_dask(client: Any, jobs: list[tuple]) -> list[bytes | str]:
    if client is None:
        from distributed import default_client

        client = default_client()
    futures = [client.submit(shard_task, *job, pure=False, key=f"runway-shard-{job[2]}-of-{job[3]}-{os.getpid()}-{id(jobs)}") for job in jobs]
    return client.gather(futures)


def _on_ray(address: str | None, jobs: list[tuple]) -> list[bytes | str]:
    import ray

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    remote = ray.remote(num_cpus=1)(shard_task)
    return ray.get([remote.remote(*job) for job in jobs])


def _merge(outputs: list[bytes | str], shards: int, *, per_run: bool, out: str | os.PathLike[str] | None) -> Result:
    """Joins the shards' files with ``runway merge`` and reads the result."""
    with tempfile.TemporaryDirectory(prefix="runway-merge-") as tmp:
        files = []
        for i, o in enumerate(outputs):
            if isinstance(o, bytes):
                path = Path(tmp) / f"shard-{i}-of-{shards}.runway"
                path.write_bytes(o)
                files.append(str(path))
            else:
                files.append(o)
        folder = Path(out) if out is not None else Path(tmp) / "merged"
        args = ["merge", *files, "--format", "parquet", "--out", str(folder)] + ([] if per_run else ["--no-runs"])
        done = call(args, progress=False)
        return read_result(folder, text=_shown(done.stdout, keep=out is not None), keep=out is not None)
