"""Where the ``runway`` executable is: the one the wheel installed beside
this package, found the way ruff's and uv's Python packages find theirs."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

#: Overrides the search (a development build, a cluster's own copy).
ENV = "RUNWAY_BIN"


@functools.lru_cache(maxsize=8)
def _is_runway(path: str) -> bool:
    """Whether the program at ``path`` is this runway (PyPI has an unrelated
    package with a ``runway`` command): its ``--version`` says ``runway X``."""
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and done.stdout.startswith("runway ")


def find_runway_bin() -> str:
    """The path of the ``runway`` executable.

    Looked for in this order: ``$RUNWAY_BIN``; the scripts folder of the
    environment this package is installed in (where pip put the wheel's
    executable); the user scheme's scripts folder (``pip install --user``);
    then a ``runway`` on ``PATH`` whose ``--version`` says it is this one.

    >>> import os, runway
    >>> path = runway.find_runway_bin()      # e.g. '/home/me/.venv/bin/runway'
    >>> os.path.basename(path), os.access(path, os.X_OK)
    ('runway', True)
    """
    if ENV in os.environ:
        return os.environ[ENV]
    exe = "runway" + (sysconfig.get_config_var("EXE") or "")
    candidates = [Path(sysconfig.get_path("scripts")) / exe]
    scheme = "nt_user" if sys.platform == "win32" else ("osx_framework_user" if sys.platform == "darwin" and sys._framework else "posix_user")  # type: ignore[attr-defined]
    try:
        candidates.append(Path(sysconfig.get_path("scripts", scheme=scheme)) / exe)
    except KeyError:
        pass
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    found = shutil.which(exe)
    if found and _is_runway(found):
        return found
    raise FileNotFoundError(
        f"cannot find the runway executable (looked in {', '.join(str(c.parent) for c in candidates)} and PATH); "
        f"install the runway-sim wheel, or set {ENV} to its path"
    )
