"""Shards on real engines: a Dask LocalCluster and a local Ray run four
shards of a plan as tasks; the merge is byte-identical to one run."""

from __future__ import annotations

import filecmp
import tomllib
from pathlib import Path

import pytest

import runway
import runway.distributed
from conftest import ROOT, summary_without_wall_time

# Absolute: workers read the plan from where they run, and the manifest
# names it as given.
PLAN = str(ROOT / "scenarios" / "ai-api.toml")
RUNS = 6000  # 6 blocks of 1,024 runs (the last one short) over 4 shards


def single_run(cli, folder: Path) -> Path:
    cli("run", PLAN, "--runs", str(RUNS), "--format", "parquet", "--out", str(folder))
    return folder


def assert_same_outputs(merged: Path, single: Path) -> None:
    for table in ("monthly.parquet", "runs.parquet"):
        assert filecmp.cmp(merged / table, single / table, shallow=False), table
    assert summary_without_wall_time(merged) == summary_without_wall_time(single)


@pytest.mark.cluster
def test_dask_local_cluster_shards_merge_to_one_run(cli, tmp_path):
    import distributed  # the test extra installs it: missing, the test fails
    single = single_run(cli, tmp_path / "single")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        result = runway.distributed.run(PLAN, runs=RUNS, shards=4, client=client, out=tmp_path / "dask")
        assert_same_outputs(tmp_path / "dask", single)
        # Shards written to a folder every worker reaches instead of sent back.
        shared = tmp_path / "shared"
        shared.mkdir()
        runway.distributed.run(PLAN, runs=RUNS, shards=4, client=client, shared_dir=shared, out=tmp_path / "dask-shared")
        (call_dir,) = shared.iterdir()  # each call's shards in a folder of their own
        assert sorted(p.name for p in call_dir.iterdir()) == [f"shard-{i}-of-4.runway" for i in range(4)]
        assert_same_outputs(tmp_path / "dask-shared", single)
        # A plan the workers cannot read raises as runway.run would.
        with pytest.raises(runway.ScenarioError) as caught:
            runway.distributed.run({**tomllib.loads(Path(PLAN).read_text()), "churn": {"base": 2}}, runs=RUNS, shards=2, client=client)
        assert [p.key for p in caught.value.problems] == ["churn.base"]
        # A dict plan travels with the tasks.
        plan = tomllib.loads(Path(PLAN).read_text())
        from_dict = runway.distributed.run(plan, runs=RUNS, shards=3, client=client)
    assert from_dict.runs.equals(result.runs)
    assert result.runs.height == RUNS


@pytest.mark.cluster
def test_ray_local_shards_merge_to_one_run(cli, tmp_path):
    import ray  # the test extra installs it: missing, the test fails
    single = single_run(cli, tmp_path / "single")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        runway.distributed.run(PLAN, runs=RUNS, shards=4, engine="ray", out=tmp_path / "ray")
    finally:
        ray.shutdown()
    assert_same_outputs(tmp_path / "ray", single)


def test_bad_arguments_are_refused_before_any_task():
    with pytest.raises(ValueError, match="shards"):
        runway.distributed.run(PLAN, shards=0, client=object())
    with pytest.raises(ValueError, match="engine"):
        runway.distributed.run(PLAN, shards=2, engine="spark")
