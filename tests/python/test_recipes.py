"""The scale-out recipes of docs/scale.md, run as written (docs/recipes/).

Slurm runs for real on a single-node cluster started by the test.
Kubernetes and AWS Batch cannot start here (no container engine): their
files are parsed and checked, and each container's command is run as the
scheduler would, once per index with JOB_COMPLETION_INDEX or
AWS_BATCH_JOB_ARRAY_INDEX set, its volumes mapped to folders. Only the run
count is lowered for the test."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, summary_without_wall_time

RECIPES = ROOT / "docs" / "recipes"
PLAN = ROOT / "scenarios" / "ai-api.toml"
RUNS = 20_000


def lowered(text: str) -> str:
    """The recipe with a test's run count instead of 10,000,000."""
    assert "--runs 10000000" in text
    return text.replace("--runs 10000000", f"--runs {RUNS}")


def shards_in(command: str) -> int:
    return int(re.search(r"--shard \S+/(\d+)", command).group(1))


def single(cli, folder: Path, plan: Path) -> Path:
    cli("run", str(plan), "--runs", str(RUNS), "--out", str(folder))
    return folder


def assert_same(merged: Path, one: Path) -> None:
    for table in ("monthly.csv", "runs.csv"):
        assert (merged / table).read_bytes() == (one / table).read_bytes(), table
    assert summary_without_wall_time(merged) == summary_without_wall_time(one)


def test_every_recipe_is_shown_in_docs_as_it_is_tested():
    scale = (ROOT / "docs" / "scale.md").read_text()
    recipes = sorted(p for p in RECIPES.rglob("*") if p.is_file())
    assert len(recipes) == 7, recipes
    for recipe in recipes:
        assert recipe.read_text().strip() in scale, f"docs/scale.md does not show {recipe.relative_to(ROOT)} as it is"


def run_container(command: list[str], env: dict, volumes: dict[str, Path]) -> None:
    """A container's command with its mount points mapped to folders."""
    assert command[:2] == ["sh", "-c"], command
    script = command[2]
    for mount, folder in volumes.items():
        script = script.replace(mount, str(folder))
    done = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_kubernetes_indexed_job_runs_each_index_then_the_merge(cli, tmp_path, bin_env):
    shards_job = yaml.safe_load((RECIPES / "kubernetes" / "shards.yaml").read_text())
    merge_job = yaml.safe_load((RECIPES / "kubernetes" / "merge.yaml").read_text())
    for job in (shards_job, merge_job):
        assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job"
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    spec = shards_job["spec"]
    assert spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    command = [container["command"][0], container["command"][1], lowered(container["command"][2])]
    assert spec["completions"] == shards_in(command[2])
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert mounts == {"/plans", "/results"}
    plans, results = tmp_path / "plans", tmp_path / "results"
    plans.mkdir()
    shutil.copy(PLAN, plans / "plan.toml")
    volumes = {"/plans": plans, "/results": results}
    for index in range(spec["completions"]):
        run_container(command, {**bin_env, "JOB_COMPLETION_INDEX": str(index)}, volumes)
    run_container(merge_job["spec"]["template"]["spec"]["containers"][0]["command"], bin_env, volumes)
    assert_same(results / "plan", single(cli, tmp_path / "single", plans / "plan.toml"))


def test_aws_batch_array_job_runs_each_index_then_the_merge(cli, tmp_path, bin_env):
    definition = json.loads((RECIPES / "aws-batch" / "job-definition.json").read_text())
    submit = json.loads((RECIPES / "aws-batch" / "submit-shards.json").read_text())
    merge = json.loads((RECIPES / "aws-batch" / "submit-merge.json").read_text())
    assert submit["jobDefinition"] == definition["jobDefinitionName"] == merge["jobDefinition"]
    if "FARGATE" in definition.get("platformCapabilities", []):
        # Fargate refuses a job definition without the role that pulls the image.
        assert definition["containerProperties"]["executionRoleArn"].startswith("arn:aws:iam::")
    assert merge["dependsOn"] == [{"jobId": "ARRAY_JOB_ID"}]
    properties = definition["containerProperties"]
    command = properties["command"][:2] + [lowered(properties["command"][2])]
    size = submit["arrayProperties"]["size"]
    assert 2 <= size <= 10_000 and size == shards_in(command[2])
    mounted = {m["sourceVolume"]: m["containerPath"] for m in properties["mountPoints"]}
    assert set(mounted) == {v["name"] for v in properties["volumes"]}
    plans, results = tmp_path / "plans", tmp_path / "results"
    plans.mkdir()
    shutil.copy(PLAN, plans / "plan.toml")
    volumes = {mounted["plans"]: plans, mounted["results"]: results}
    for index in range(size):
        run_container(command, {**bin_env, "AWS_BATCH_JOB_ARRAY_INDEX": str(index)}, volumes)
    run_container(merge["containerOverrides"]["command"], bin_env, volumes)
    assert_same(results / "plan", single(cli, tmp_path / "single", plans / "plan.toml"))


@pytest.mark.cluster
def test_slurm_job_array_and_dependent_merge_on_a_real_cluster(cli, tmp_path, bin_env):
    from slurm_cluster import single_node_slurm

    work = tmp_path / "plan"
    work.mkdir()
    shutil.copy(PLAN, work / "plan.toml")
    for name in ("shard.sbatch", "submit.sh"):
        (work / name).write_text((RECIPES / "slurm" / name).read_text())
    (work / "shard.sbatch").write_text(lowered((work / "shard.sbatch").read_text()))
    with single_node_slurm(tmp_path / "slurm") as cluster:
        env = {**cluster.env, "PATH": bin_env["PATH"]}
        done = subprocess.run(["sh", "submit.sh"], cwd=work, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        merge_job = done.stdout.strip().splitlines()[-1].split(";")[0]
        cluster.wait_for([merge_job], timeout=120)
    shards = sorted((work / "shards").glob("*.runway"))
    assert len(shards) == 16, shards
    # The single run from the same folder, so the manifest names the plan alike.
    one = subprocess.run(["runway", "run", "plan.toml", "--runs", str(RUNS), "--out", str(tmp_path / "single"), "--quiet"], cwd=work, env=bin_env)
    assert one.returncode == 0
    assert_same(work / "results", tmp_path / "single")
