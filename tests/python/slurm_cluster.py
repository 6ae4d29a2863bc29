"""A throwaway single-node Slurm cluster for integration tests.

Usage::

    with single_node_slurm(tmp_path / "slurm") as cluster:
        # Any client works with cluster.env (it carries SLURM_CONF) ...
        out = subprocess.run(["sbatch", "--parsable", "--wrap", "true"],
                             env=cluster.env, capture_output=True, text=True,
                             check=True)
        job = out.stdout.strip().split(";")[0]
        # ... or use the helpers; wait_for() raises SlurmError with details.
        array = cluster.sbatch("--array=0-3", "--wrap", "true")
        cluster.wait_for([job, array], timeout=60)

Everything lives inside ``workdir``: the MUNGE key and socket, ``slurm.conf``,
the controller's state directory, slurmd's spool directory, all pid and log
files.  Nothing under /etc, /run or /var is read or written, so a cluster can
be started while a system-wide munged/Slurm exists, and each run starts from
an empty state.  The three daemons (munged, slurmctld, slurmd) run in the
foreground as children of this process and are stopped by process id on exit,
even when the body of the ``with`` block raises.

Startup takes about 0.3-1.5 s; a trivial job is scheduled within ~1-2 s.

Requirements: Linux, running as root (SlurmUser=root; munged wants its key
owned by the user running it; jobs run as the submitting user), and the
Debian/Ubuntu packages ``munge``, ``slurmctld``, ``slurmd`` and
``slurm-client`` (written against Slurm 22.05.8 / munge 0.5.15).  Standard
library only; Python 3.10+.

Cleanup guarantees: on a normal exit or an exception, leftover jobs are
cancelled, the daemons are stopped, and any surviving slurmstepd (plus its
job) is killed.  If this *process* is SIGKILLed, the daemons still die (see
_die_with_parent), but a job that was running at that moment keeps running
until it ends on its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SlurmCluster", "SlurmError", "single_node_slurm"]

#: Job states after which a job will never run again.  Anything other than
#: COMPLETED among these is a failure for :meth:`SlurmCluster.wait_for`.
TERMINAL_STATES = frozenset(
    {
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "TIMEOUT",
        "NODE_FAIL",
        "OUT_OF_MEMORY",
        "PREEMPTED",
        "BOOT_FAIL",
        "DEADLINE",
        "REVOKED",
        "SPECIAL_EXIT",
    }
)

# Environment variables that make Slurm clients behave differently (e.g. when
# the test suite itself runs inside a Slurm job); they are dropped from the
# environment handed to clients and daemons.
_SLURM_ENV_PREFIXES = ("SLURM_", "SBATCH_", "SALLOC_", "SRUN_", "SQUEUE_", "SINFO_", "SCONTROL_")


class SlurmError(RuntimeError):
    """A daemon failed to start or died, or a job did not complete."""


def _tail(path: Path, lines: int = 25) -> str:
    """Last ``lines`` lines of ``path`` (or a note saying it is missing)."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"<cannot read {path}: {exc.strerror}>"
    return "\n".join(text.splitlines()[-lines:]) or "<empty>"


def _free_port() -> int:
    """A TCP port that is free right now (the kernel's choice).

    Using fresh ports instead of Slurm's defaults (6817/6818) keeps us clear of
    a system-wide Slurm and of sockets left in TIME_WAIT by the previous run.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """``preexec_fn`` for the daemons: SIGKILL them if this process dies.

    ``finally`` blocks do not run when the test runner is SIGKILLed (or gets an
    unhandled SIGTERM); PR_SET_PDEATHSIG makes the kernel clean up instead.
    Caveat: the signal fires when the *thread* that started the daemon exits,
    so enter the context manager in a thread that outlives the cluster.
    Best effort: silently does nothing where prctl is unavailable.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 == PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - never fail the fork over this
        pass


@dataclass
class _Daemon:
    """One foreground daemon: its command line, log files and process."""

    name: str
    argv: list[str]
    #: The daemon's stdout+stderr (never a pipe: nobody would drain it).
    output: Path
    #: The daemon's own log file, if it writes one.  Slurm daemons run with
    #: -D log to both; but errors before the log file is opened (e.g. a bad
    #: slurm.conf) only reach stderr, hence ``output``.
    log: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        # A new session keeps terminal signals (Ctrl-C) away from the daemons;
        # we stop them ourselves, in order, in stop().
        with self.output.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tails(self, lines: int = 25, both: bool = False) -> str:
        """Tail of the log file (or of stdout/stderr if there is no log yet)."""
        files = [self.log] if self.log and self.log.exists() and self.log.stat().st_size else []
        if both or not files:
            files.append(self.output)
        return "\n".join(f"--- {self.name}: {p} ---\n{_tail(p, lines)}" for p in files)

    def check_alive(self) -> None:
        """Raise (with the log tails) if the daemon has exited."""
        if self.proc is not None and self.proc.poll() is not None:
            raise SlurmError(
                f"{self.name} exited with status {self.proc.returncode}\n"
                f"{self.log_tails(both=True)}"
            )

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, wait up to ``grace`` seconds, then SIGKILL.  Idempotent."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class SlurmCluster:
    """Handle yielded by :func:`single_node_slurm`."""

    workdir: Path
    conf: Path
    #: Environment for Slurm clients (sbatch, squeue, scontrol, ...): the
    #: current environment minus inherited SLURM_*/SBATCH_* variables, plus
    #: SLURM_CONF pointing at this cluster's slurm.conf.
    env: dict[str, str]
    nodename: str
    daemons: list[_Daemon] = field(default_factory=list)

    # -- helpers ---------------------------------------------------------

    def run(self, *argv: str, check: bool = True, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Run a Slurm client command against this cluster; capture its output."""
        proc = subprocess.run(
            list(argv), env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and proc.returncode != 0:
            raise SlurmError(
                f"{' '.join(argv)} failed with status {proc.returncode}:\n"
                f"{proc.stdout}{proc.stderr}\n{self.log_tails()}"
            )
        return proc

    def sbatch(self, *args: str) -> str:
        """``sbatch --parsable ARGS``; returns the job id (without cluster name)."""
        out = self.run("sbatch", "--parsable", *args).stdout.strip()
        return out.split(";")[0]  # --parsable prints "jobid[;cluster]"

    def log_tails(self, lines: int = 25) -> str:
        """Tails of every daemon's log files, for error messages."""
        return "\n".join(d.log_tails(lines) for d in self.daemons)

    def check_daemons(self) -> None:
        """Raise :class:`SlurmError` if any daemon has died."""
        for daemon in self.daemons:
            daemon.check_alive()

    def job_records(self, job_id: str | int) -> list[dict[str, str]]:
        """Parsed ``scontrol -o show job JOB_ID`` records.

        For an array job id this returns one record per array task that has
        started (each with its own JobId, ``ArrayJobId=<id>`` and
        ``ArrayTaskId=<n>``; the array's own id ends up on the last task to
        start), plus, while some tasks have not started yet, one PENDING
        record for all of them (``ArrayTaskId=2-3``; before anything ran:
        ``ArrayTaskId=0-3``).  So "every record COMPLETED" means "the whole
        array is done".  A single task can be queried as ``<id>_<n>``.  Values may contain spaces (Command=,
        Reason=...), so only the fields we need are extracted, with regexes.
        Raises SlurmError if the id is unknown (never existed or purged after
        MinJobAge).
        """
        proc = self.run("scontrol", "-o", "show", "job", str(job_id), check=False)
        if proc.returncode != 0 or not proc.stdout.strip():
            self.check_daemons()  # a dead daemon is the better explanation
            raise SlurmError(
                f"scontrol show job {job_id} failed (unknown or purged job?): "
                f"{proc.stdout}{proc.stderr}".strip()
                + "\n"
                + self.log_tails()
            )
        records = []
        for line in proc.stdout.splitlines():
            if not line.strip():
                continue
            rec = {"_line": line}
            for key in ("JobId", "ArrayJobId", "ArrayTaskId", "JobState", "Reason", "ExitCode", "StdOut", "StdErr"):
                m = re.search(rf"(?:^|\s){key}=(\S*)", line)
                if m:
                    rec[key] = m.group(1)
            records.append(rec)
        return records

    def wait_for(self, job_ids: Iterable[str | int], timeout: float = 60.0, poll: float = 0.25) -> None:
        """Block until every job in ``job_ids`` (array jobs: every task) is COMPLETED.

        Raises :class:`SlurmError` with the offending job record(s), the tail of
        their stdout/stderr files and of the daemon logs if a job ends in any
        other terminal state (FAILED, CANCELLED, TIMEOUT, ...), is stuck on a
        dependency that can never be satisfied, a daemon dies, or ``timeout``
        seconds pass.
        """
        pending = [str(j) for j in job_ids]
        deadline = time.monotonic() + timeout
        last: dict[str, list[dict[str, str]]] = {}
        while True:
            self.check_daemons()
            still = []
            for job in pending:
                records = last[job] = self.job_records(job)
                for rec in records:
                    state = rec.get("JobState", "?")
                    if state in TERMINAL_STATES and state != "COMPLETED":
                        self._fail(f"job {job} ended in state {state}", records)
                    if state == "PENDING" and rec.get("Reason") == "DependencyNeverSatisfied":
                        self._fail(f"job {job} can never run (DependencyNeverSatisfied)", records)
                if not all(r.get("JobState") == "COMPLETED" for r in records):
                    still.append(job)
            pending = still
            if not pending:
                return
            if time.monotonic() > deadline:
                self._fail(
                    f"timed out after {timeout:g}s waiting for jobs {pending}",
                    [r for job in pending for r in last.get(job, [])],
                )
            time.sleep(poll)

    def _fail(self, message: str, records: list[dict[str, str]]) -> None:
        parts = [message]
        for rec in records:
            parts.append(rec["_line"])
            for key in ("StdOut", "StdErr"):
                path = rec.get(key)
                if key == "StdErr" and path == rec.get("StdOut"):
                    continue  # the default: both in one file, shown once
                if path and Path(path).is_file():
                    parts.append(f"--- {key} {path} ---\n{_tail(Path(path), 10)}")
        parts.append(self.log_tails())
        raise SlurmError("\n".join(parts))


def _write_slurm_conf(workdir: Path, nodename: str, munge_socket: Path) -> Path:
    """Write a minimal single-node slurm.conf into ``workdir``; return its path."""
    cpus = os.cpu_count() or 1
    # RealMemory (MB) must not exceed what slurmd detects, or the node is
    # drained as "Low RealMemory"; stay a bit below the physical total.
    total_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    real_memory = max(1, int(total_mb * 0.9))
    conf = workdir / "slurm.conf"
    conf.write_text(
        f"""\
# Generated by tests/python/slurm_cluster.py -- single-node test cluster.
ClusterName=runwaytest
# host(address): no DNS lookup needed for the controller's address.
SlurmctldHost={nodename}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
# Our private munged (used by both auth/munge and cred/munge).
AuthInfo=socket={munge_socket}
StateSaveLocation={workdir}/state
SlurmdSpoolDir={workdir}/spool
SlurmctldPidFile={workdir}/slurmctld.pid
SlurmdPidFile={workdir}/slurmd.pid
SlurmctldLogFile={workdir}/slurmctld.log
SlurmdLogFile={workdir}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: plain /proc-based process tracking, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# A node coming back (or first registering) becomes usable at once.
ReturnToService=2
# Keep finished jobs visible to `scontrol show job` long enough to poll them
# (a too-short MinJobAge makes wait_for() race with the purge).
MinJobAge=300
# Schedule at once on submit/completion (default: batch every 3 s, which
# adds ~3 s per array wave / dependency step).
SchedulerParameters=batch_sched_delay=0
# Seconds between SIGTERM and SIGKILL when a job is cancelled/times out.
KillWait=5
# Cancel jobs whose dependency can never be satisfied instead of leaving them
# PENDING forever.
DependencyParameters=kill_invalid_depend
# Trust the node line below instead of draining on small hardware mismatches.
SlurmdParameters=config_overrides
NodeName={nodename} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={real_memory} State=UNKNOWN
PartitionName=debug Nodes={nodename} Default=YES MaxTime=INFINITE State=UP
"""
    )
    return conf


def _wait_until(what: str, ready, timeout: float, daemons: list[_Daemon], poll: float = 0.1) -> None:
    """Poll ``ready()`` until true; raise with log tails on timeout or a dead daemon."""
    deadline = time.monotonic() + timeout
    while True:
        for daemon in daemons:
            daemon.check_alive()
        if ready():
            return
        if time.monotonic() > deadline:
            tails = "\n".join(d.log_tails() for d in daemons)
            raise SlurmError(f"timed out after {timeout:g}s waiting for {what}\n{tails}")
        time.sleep(poll)


@contextlib.contextmanager
def single_node_slurm(workdir: Path, startup_timeout: float = 20.0) -> Iterator[SlurmCluster]:
    """Start munged + slurmctld + slurmd in ``workdir``; yield a :class:`SlurmCluster`.

    ``workdir`` is created if needed; state/spool directories inside it are
    wiped first so a reused workdir never resurrects old jobs.  On exit all
    three daemons are stopped by pid (SIGTERM, then SIGKILL after 5 s), in the
    order slurmd, slurmctld, munged, whatever happened in the body.
    """
    workdir = Path(workdir).resolve()
    if any(c.isspace() for c in str(workdir)):
        # slurm.conf has no quoting for paths.
        raise ValueError(f"workdir must not contain whitespace: {workdir!r}")
    workdir.mkdir(parents=True, exist_ok=True)
    nodename = socket.gethostname().split(".")[0]  # what slurmd/slurmctld call "this host"

    # Fresh state every time (a reused workdir would otherwise bring back jobs).
    for sub in ("state", "spool", "munge"):
        shutil.rmtree(workdir / sub, ignore_errors=True)
    (workdir / "state").mkdir()
    (workdir / "spool").mkdir()
    # munged insists the socket's directory is world-searchable (0755).  It
    # also wants every ancestor to be; pytest's tmp_path parents are 0700, so
    # we pass --force, which downgrades that check to a warning.
    (workdir / "munge").mkdir(mode=0o755)
    for name in ("munged.log", "slurmctld.log", "slurmd.log", "slurmctld.out", "slurmd.out"):
        (workdir / name).unlink(missing_ok=True)

    # MUNGE key: 1 KiB of randomness, owned by us (root), mode 0400 -- munged
    # refuses keys readable by others.
    key = workdir / "munge" / "munge.key"
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    with os.fdopen(fd, "wb") as f:
        f.write(os.urandom(1024))
    munge_socket = workdir / "munge" / "munge.socket"

    conf = _write_slurm_conf(workdir, nodename, munge_socket)
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SLURM_ENV_PREFIXES)}
    env["SLURM_CONF"] = str(conf)

    munged = _Daemon(
        "munged",
        [
            "munged",
            "--foreground",  # stay our child so we can stop it by pid
            "--force",  # tolerate non-world-searchable ancestors of the socket
            f"--key-file={key}",
            f"--socket={munge_socket}",
            f"--pid-file={workdir / 'munge' / 'munged.pid'}",
            f"--seed-file={workdir / 'munge' / 'munged.seed'}",
            # No --log-file: in the foreground munged logs to stderr only,
            # which start() captures in munged.log.
        ],
        output=workdir / "munged.log",
    )
    # -D: foreground.  -f: our config (SLURM_CONF in env says the same).
    slurmctld = _Daemon(
        "slurmctld",
        ["slurmctld", "-D", "-f", str(conf)],
        output=workdir / "slurmctld.out",
        log=workdir / "slurmctld.log",
    )
    slurmd = _Daemon(
        "slurmd",
        ["slurmd", "-D", "-f", str(conf)],
        output=workdir / "slurmd.out",
        log=workdir / "slurmd.log",
    )
    cluster = SlurmCluster(workdir=workdir, conf=conf, env=env, nodename=nodename)

    try:
        cluster.daemons.append(munged)
        munged.start(env)
        _wait_until("munged's socket", munge_socket.exists, startup_timeout, [munged])

        cluster.daemons.append(slurmctld)
        slurmctld.start(env)
        cluster.daemons.append(slurmd)
        slurmd.start(env)

        def node_idle() -> bool:
            # Fails (non-zero) until slurmctld listens; then reports the node
            # as unknown*/idle*/down until slurmd registers, then "idle".
            try:
                proc = subprocess.run(
                    ["sinfo", "-h", "-o", "%T"], env=env, capture_output=True, text=True, timeout=10
                )
            except subprocess.TimeoutExpired:
                return False
            return proc.returncode == 0 and proc.stdout.split() == ["idle"]

        _wait_until(f"node {nodename} to become idle", node_idle, startup_timeout, cluster.daemons, poll=0.2)
        yield cluster
    finally:
        # 1. Cancel leftover jobs while the daemons can still do it cleanly.
        # 2. Stop daemons in reverse start order: slurmd first (so it does not
        #    log errors about a vanished controller), munged last (the others
        #    need it until they are gone).
        # 3. Kill any slurmstepd (and its job) that survived: a job's
        #    slurmstepd is a daemon of its own that outlives slurmd by design,
        #    e.g. when slurmd died mid-job and scancel could not reach it.
        # Each step is guarded so a failure never skips the later ones.
        with contextlib.suppress(Exception):
            if slurmctld.alive() and slurmd.alive():
                _cancel_all(cluster)
        for daemon in reversed(cluster.daemons):
            with contextlib.suppress(Exception):
                daemon.stop()
        with contextlib.suppress(Exception):
            _kill_orphaned_steps(conf)


def _cancel_all(cluster: SlurmCluster, timeout: float = 10.0) -> None:
    """Cancel every job still queued or running and wait until they are gone.

    Without this, a body that raised mid-job would leave its slurmstepd and job
    processes running after slurmd is stopped.
    """

    def queued() -> set[str]:
        # %F: the array job id for array tasks (plain job id otherwise);
        # cancelling it cancels every task.  Includes COMPLETING jobs.
        proc = cluster.run("squeue", "-h", "-o", "%F", check=False, timeout=10)
        return set(proc.stdout.split()) if proc.returncode == 0 else set()

    jobs = queued()
    if not jobs:
        return
    cluster.run("scancel", *sorted(jobs), check=False, timeout=10)
    deadline = time.monotonic() + timeout
    while queued() and time.monotonic() < deadline:
        time.sleep(0.2)


def _kill_orphaned_steps(conf: Path) -> None:
    """SIGKILL this cluster's surviving slurmstepd processes and their jobs.

    slurmd starts each slurmstepd with only SLURM_CONF in its environment, so
    "comm is slurmstepd and SLURM_CONF is our conf" identifies ours and no one
    else's.  slurmstepd daemonizes into a session of its own that also holds
    the job's processes (batch script and children), so we kill every process
    of that session, by process id.  The zombies this leaves are reaped by
    init (here PID 1 may take a second or two).
    """
    needle = f"SLURM_CONF={conf}".encode()
    sessions = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if Path(entry.path, "comm").read_text().strip() != "slurmstepd":
                continue
            if needle in Path(entry.path, "environ").read_bytes().split(b"\0"):
                sessions.add(os.getsid(int(entry.name)))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    sessions.discard(os.getsid(0))  # never our own session
    if not sessions:
        return
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if os.getsid(int(entry.name)) in sessions:
                    os.kill(int(entry.name), signal.SIGKILL)
