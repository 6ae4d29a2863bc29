"""Shared fixtures of the Python package's tests (run by .ci/run against the
installed wheel; see docs/python.md)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import runway

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch):
    """Plans are named relative to the repository, as in the docs."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def cli():
    """Runs the installed executable directly, as a user would (no package
    code between): ``cli("run", ...)`` returns the completed process."""
    exe = runway.find_runway_bin()

    def call(*args: str, input: bytes | None = None, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        done = subprocess.run([exe, *args, "--quiet"], input=input, capture_output=True, cwd=ROOT)
        assert done.returncode in ok, done.stderr.decode()
        return done

    return call


def summary_without_wall_time(folder: Path) -> dict:
    """summary.json with the one field allowed to differ between runs."""
    summary = json.loads((Path(folder) / "summary.json").read_text())
    summary["manifest"].pop("wall_time_s")
    return summary


def without_wall_time(manifest: dict) -> dict:
    return {k: v for k, v in manifest.items() if k != "wall_time_s"}


@pytest.fixture
def bin_env():
    """The executable's path, for subprocesses that need it on PATH."""
    exe = Path(runway.find_runway_bin())
    return {**os.environ, "PATH": f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
