"""Running the executable: arguments in, progress and errors out.

runway is asked (``RUNWAY_STDERR=json``) to write its progress and any
failure on standard error as JSON lines; this module turns the first into
a progress bar and the second into :class:`ScenarioError` or
:class:`RunwayError`. Warnings (``warning: …`` lines) become Python
warnings; notes are dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
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
    by its domain) or its outputs (``out`` held another plan's results,
    now replaced)."""


@dataclass(frozen=True)
class Completed:
    """A command that ended with an accepted exit code."""

    exit_code: int
    stdout: str
    stderr: str


def call(args: Sequence[str], *, stdin: bytes | None = None, progress: bool | None = None, ok: Sequence[int] = (0,), cwd: str | None = None) -> Completed:
    """Runs ``runway ARGS``; raises unless it exits with a code in ``ok``.

    ``progress``: ``True`` shows a bar (tqdm's, when installed), ``False``
    none, ``None`` one in a notebook or a terminal. The bar is drawn here
    from runway's JSON progress lines, so runway never gets ``--quiet``,
    which would also silence the headline and tables on standard output
    (``Result.text``).
    """
    show = _wants_bar() if progress is None else progress
    argv = [find_runway_bin(), *args]
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
            _feed(proc.stdin, stdin)  # type: ignore[arg-type]
        stdout = proc.stdout.read()  # type: ignore[union-attr]
        proc.wait()
    except BaseException:
        _stop(proc)
        raise
    finally:
        reader.join()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    for message in reader.warnings:
        warnings.warn(message, RunwayWarning, stacklevel=3)
    code = proc.returncode
    text = stdout.decode("utf-8", "replace")
    if code not in ok:
        raise failure(reader.error, "".join(reader.lines), code)
    return Completed(code, text, "".join(reader.lines))


def _feed(pipe: IO[bytes], data: bytes) -> None:
    """Writes ``data`` and closes the pipe. runway may stop before reading
    it all (a bad argument): its error, not the broken pipe, then says why."""
    try:
        pipe.write(data)
        pipe.close()
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            pipe.close()


def _stop(proc: subprocess.Popen) -> None:
    """Stops runway as Ctrl-C does (SIGINT: it removes its half-written
    files), then harder if it does not stop within a few seconds."""
    with contextlib.suppress(OSError):
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def failure(error: dict | None, stderr: str, code: int) -> RunwayError:
    """The exception for a command that exited with ``code``: from its JSON
    error line (``error``) when it wrote one, else from its text."""
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


def error_in(stderr: str) -> dict | None:
    """The JSON error line in a command's standard error, if any."""
    for line in stderr.splitlines():
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and "error" in obj:
                return obj
    return None


class _Stderr(threading.Thread):
    """Reads standard error while the command runs."""

    def __init__(self, stream: IO[bytes], show: bool) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.show = show
        self.lines: list[str] = []
        self.error: dict | None = None
        self.warnings: list[str] = []
        self.bar = None

    def run(self) -> None:
        try:
            for raw in self.stream:
                line = raw.decode("utf-8", "replace")
                try:
                    self._line(line)
                except Exception:  # a bar that fails must not stop the draining
                    self.lines.append(line)
        finally:
            if self.bar is not None:
                with contextlib.suppress(Exception):
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
            # Raised by the caller's thread once the command ends.
            self.warnings.append(line[len("warning: ") :].rstrip())

    def _progress(self, done: int, total: int) -> None:
        if not self.show:
            return
        if self.bar is None:
            self.bar = _bar(total)
            if self.bar is None:
                self.show = False
                return
        # Several simulations report at once (stress, check): lines may
        # arrive a little out of order, and the bar never moves back.
        self.bar.total = max(total, done, self.bar.total or 0)
        self.bar.update(max(0, done - self.bar.n))


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
