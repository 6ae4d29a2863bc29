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
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._api import Result, _shown, read_result
from ._bin import find_runway_bin
from ._plan import Plan, given
from ._process import call, error_in, failure


class ShardError(RuntimeError):
    """A shard's command failed on a worker: its exit code and standard
    error travel back to the caller, which raises runway's own error."""

    def __init__(self, index: int, shards: int, exit_code: int, stderr: str) -> None:
        super().__init__(f"shard {index}/{shards} failed (exit {exit_code}): {stderr}")
        self.index, self.shards, self.exit_code, self.stderr = index, shards, exit_code, stderr

    def __reduce__(self):  # picklable, to cross process boundaries
        return (ShardError, (self.index, self.shards, self.exit_code, self.stderr))


def shard_task(arg: str | None, text: bytes | None, index: int, shards: int, options: Sequence[str], shared_dir: str | None) -> bytes | str:
    """One shard, run on a worker: its file's bytes, or its path in
    ``shared_dir``. Runs with ``--threads`` from ``options``: the cluster
    gives the parallelism."""
    with tempfile.TemporaryDirectory(prefix="runway-shard-") as tmp:
        work = shared_dir if shared_dir is not None else tmp
        argv = [find_runway_bin(), "run", *([arg] if arg else []), *options, "--shard", f"{index}/{shards}", "--out", work, "--quiet"]
        done = subprocess.run(argv, input=text, capture_output=True, env={**os.environ, "RUNWAY_STDERR": "json"})
        if done.returncode != 0:
            raise ShardError(index, shards, done.returncode, done.stderr.decode(errors="replace"))
        path = Path(work) / f"shard-{index}-of-{shards}.runway"
        return str(path) if shared_dir is not None else path.read_bytes()


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

    A plan given as a path is read by the workers from its absolute path
    (so it must be reachable from them; the manifest names it so); a dict or
    TOML text travels with the tasks. With ``shared_dir``, the shard files
    go to a new folder ``runway-<id>`` inside it, which stays (delete it
    once merged). The result equals ``runway.run(plan, …)`` with the same
    runs and seed: its tables byte for byte, its ``summary.json`` apart from
    the wall time. A plan that cannot be read raises ``ScenarioError``.
    """
    if shards < 1:
        raise ValueError(f"shards = {shards}: must be at least 1")
    g = given(plan)
    arg = os.path.abspath(g.arg) if g.arg not in (None, "-") else g.arg
    options = [f"--threads={threads_per_shard}"]
    for flag, value in (("--runs", runs), ("--seed", seed), ("--months", months)):
        if value is not None:
            options.append(f"{flag}={int(value)}")
    if engine not in ("dask", "ray"):
        raise ValueError(f"engine = {engine!r}: dask or ray")
    # Each call's shards in a folder of their own: two calls never mix.
    shared = os.path.join(os.fspath(shared_dir), f"runway-{uuid.uuid4().hex[:12]}") if shared_dir is not None else None
    if shared is not None:
        os.makedirs(shared)
    jobs = [(arg, g.text, i, shards, options, shared) for i in range(shards)]
    try:
        outputs = _on_dask(client, jobs) if engine == "dask" else _on_ray(address, jobs, threads_per_shard)
    except ShardError as e:
        raise failure(error_in(e.stderr), e.stderr, e.exit_code) from None
    return _merge(outputs, shards, per_run=per_run, out=out)


def _on_dask(client: Any, jobs: list[tuple]) -> list[bytes | str]:
    if client is None:
        from distributed import default_client

        client = default_client()
    futures = [client.submit(shard_task, *job, pure=False) for job in jobs]
    try:
        return client.gather(futures)
    except BaseException:
        client.cancel(futures)  # Ctrl-C or a failed shard: stop the rest
        raise


def _on_ray(address: str | None, jobs: list[tuple], threads: int) -> list[bytes | str]:
    import ray

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    remote = ray.remote(num_cpus=threads)(shard_task)
    refs = [remote.remote(*job) for job in jobs]
    try:
        return ray.get(refs)
    except ray.exceptions.RayTaskError as e:
        cause = e.cause if isinstance(getattr(e, "cause", None), ShardError) else None
        for ref in refs:
            ray.cancel(ref)
        if cause is not None:
            raise cause from None
        raise
    except BaseException:
        for ref in refs:
            ray.cancel(ref)
        raise


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
