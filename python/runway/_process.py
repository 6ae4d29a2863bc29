"""Running the executable: arguments in, progress and errors out.

runway is asked (``RUNWAY_STDERR=json``) to write its progress and any
failure on standard error as JSON lines; this module turns the first into
a progress bar and the second into :class:`ScenarioError` or
:class:`RunwayError`. Warnings (``warning: …`` lines) become Python
warnings; notes are dropped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import warnings
from dataclasses import dataclass
from typing import IO, Sequence

from ._bin import find_runway_bin
from ._errors import Problem, RunwayError, ScenarioError


class RunwayWarning(UserWarning):
    """A warning runway printed about a plan (e.g. a distribution truncated
    by its domain)."""


@dataclass(frozen=True)
class Completed:
    """A command that ended with an accepted exit code."""

    exit_code: int
    stdout: str
    stderr: str


def call(args: Sequence[str], *, stdin: bytes | None = None, progress: bool | None = None, ok: Sequence[int] = (0,), cwd: str | None = None) -> Completed:
    """Runs ``runway ARGS``; raises unless it exits with a code in ``ok``.

    ``progress``: ``True`` shows a bar (tqdm's, when installed), ``False``
    passes ``--quiet``, ``None`` shows one in a notebook or a terminal.
    """
    show = _wants_bar() if progress is None else progress
    argv = [find_runway_bin(), *args] + ([] if show else ["--quiet"])
    env = {**os.environ, "RUNWAY_STDERR": "json"}
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    # Standard error is read by its own thread as lines arrive; runway reads
    # all of standard input before it writes much to standard output, so
    # writing one and then reading the other cannot deadlock.
    reader = _Stderr(proc.stderr, show)  # type: ignore[arg-type]
    reader.start()
    try:
        if stdin is not None:
            with proc.stdin:  # type: ignore[union-attr]
                try:
                    proc.stdin.write(stdin)  # type: ignore[union-attr]
                except BrokenPipeError:
                    pass  # runway stopped early; its error says why
        stdout = proc.stdout.read()  # type: ignore[union-attr]
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        reader.join()
        proc.stdout.close()  # type: ignore[union-attr]
    code = proc.returncode
    text = stdout.decode("utf-8", "replace")
    if code not in ok:
        raise _failure(reader, code)
    return Completed(code, text, "".join(reader.lines))


def _failure(reader: "_Stderr", code: int) -> RunwayError:
    stderr = "".join(reader.lines)
    error = reader.error
    if error is None:
        message = stderr.strip() or f"runway exited with code {code}"
        return RunwayError(message, code, stderr)
    problems = [
        Problem(file=s["file"], line=p.get("line"), key=p.get("key", ""), value=p.get("value", ""), message=p["message"])
        for s in error.get("scenarios", [])
        for p in s["problems"]
    ]
    if problems:
        return ScenarioError(error["error"], code, stderr, problems)
    return RunwayError(error["error"], code, stderr)


class _Stderr(threading.Thread):
    """Reads standard error while the command runs."""

    def __init__(self, stream: IO[bytes], show: bool) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.show = show
        self.lines: list[str] = []
        self.error: dict | None = None
        self.bar = None

    def run(self) -> None:
        try:
            for raw in self.stream:
                self._line(raw.decode("utf-8", "replace"))
        finally:
            if self.bar is not None:
                self.bar.close()

    def _line(self, line: str) -> None:
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict) and "progress" in obj:
                self._progress(obj["progress"], obj["total"])
                return
            if isinstance(obj, dict) and "error" in obj:
                self.error = obj
                self.lines.append("error: " + obj["error"] + "\n")
                return
        self.lines.append(line)
        if line.startswith("warning: "):
            warnings.warn(line[len("warning: ") :].rstrip(), RunwayWarning, stacklevel=4)

    def _progress(self, done: int, total: int) -> None:
        if not self.show:
            return
        if self.bar is None:
            self.bar = _bar(total)
            if self.bar is None:
                self.show = False
                return
        self.bar.total = max(total, done)
        self.bar.update(done - self.bar.n)


def _bar(total: int):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="run", unit_scale=True, leave=False, desc="runway")


def _wants_bar() -> bool:
    """A bar by default only where someone watches: a notebook, or a
    terminal on standard error."""
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
