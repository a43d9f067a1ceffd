"""Shared helpers for the benchmarks: isolated configuration, latency statistics and the
accounts service as a real ``nameko run`` subprocess.

Importing this module first pins the benchmarks to their own databases (``sbbench_*``) and
RabbitMQ vhost (``switchboard_bench``), whatever the calling shell exports: the benchmarks
drop and recreate their database, so they must never point at a development or test one.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VHOST = os.environ.get("SB_BENCH_VHOST", "switchboard_bench")
os.environ["SB_DB_PREFIX"] = os.environ.get("SB_BENCH_DB_PREFIX", "sbbench")
os.environ["AMQP_URI"] = os.environ.get(
    "SB_BENCH_AMQP_URI", f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
)
os.environ.pop("ACCOUNTS_DATABASE_URL", None)  # would bypass the sbbench prefix
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")  # same as the services use
os.environ.setdefault("SB_ENV", "development")  # a fixed development key is fine here
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message="\\s*Eventlet is deprecated")
logging.getLogger("amqp").setLevel(logging.ERROR)  # "Received method ... during closing"

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = Path(__file__).resolve().parent / ".logs"


# -- statistics -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Stats:
    n: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, samples_ms: list[float]) -> Stats:
        if len(samples_ms) < 2:
            value = samples_ms[0] if samples_ms else float("nan")
            return cls(len(samples_ms), value, value, value, value)
        cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
        return cls(len(samples_ms), statistics.median(samples_ms), cuts[94], cuts[98],
                   max(samples_ms))


def timed_ms(fn: Callable[[], Any]) -> float:
    """Wall-clock milliseconds of one call."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def measure(fn: Callable[[], Any], runs: int, warmups: int = 3,
            budget_s: float = 30.0) -> Stats:
    """``warmups`` untimed calls, then up to ``runs`` timed ones (fewer if over budget)."""
    for _ in range(warmups):
        fn()
    samples: list[float] = []
    deadline = time.monotonic() + budget_s
    while len(samples) < runs and (len(samples) < 5 or time.monotonic() < deadline):
        samples.append(timed_ms(fn))
    return Stats.of(samples)


def machine_load() -> str:
    """CPUs and load average: other work on the machine skews every number here."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} (1 min) {five:.2f} (5 min)"


def heading(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


# -- infrastructure ---------------------------------------------------------------------------
def amqp_uri() -> str:
    return os.environ["AMQP_URI"]


def ensure_vhost(vhost: str = VHOST) -> None:
    """Create the benchmark vhost with rabbitmqctl when it is available (run.sh does too)."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        return
    listed = subprocess.run([ctl, "-q", "list_vhosts"], capture_output=True, text=True,  # noqa: S603
                            check=False).stdout.split()
    if vhost not in listed:
        subprocess.run([ctl, "-q", "add_vhost", vhost], check=True)  # noqa: S603
    subprocess.run([ctl, "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],  # noqa: S603
                   check=True, capture_output=True)


def check_bench_url(url: str) -> None:
    """Refuse to drop a database that is not a benchmark's (its name starts with the
    benchmark prefix, sbbench or SB_BENCH_DB_PREFIX)."""
    name = url.rsplit("/", 1)[-1]
    if not name.startswith(os.environ["SB_DB_PREFIX"] + "_"):
        raise RuntimeError(f"not a benchmark database: {name}")


def fresh_accounts_database() -> str:
    """Drop and recreate ``sbbench_accounts`` at the Alembic head; returns its URL."""
    from sbcommon.config import database_url
    from sbcommon.migrate import drop_database, upgrade

    url = database_url("accounts")
    check_bench_url(url)
    drop_database(url)
    upgrade("accounts", url)
    return url


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so ``finally`` blocks (and ``stop_everything``, at exit)
    stop the subprocesses."""
    def _raise(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _raise)


# -- processes: whatever a benchmark starts, it stops ---------------------------------------------
_STARTED: list[Any] = []


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM it when the benchmark dies, even by SIGKILL.
    (Linux ties this to the thread that forked: spawn from the main thread.)"""
    import ctypes

    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(args: list[str], log_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a subprocess that ``stop_everything`` (run at exit) will stop."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log,  # noqa: S603
                                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    _STARTED.append(proc)
    return proc


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop_everything() -> None:
    """Stop every process this benchmark started and left running (newest first)."""
    while _STARTED:
        stop_process(_STARTED.pop())


atexit.register(stop_everything)


# -- a service as a subprocess ---------------------------------------------------------------
class ServiceProcess:
    """``nameko run`` of one service, with the benchmark environment and its own log file."""

    def __init__(self, name: str, module: str, **extra_env: str):
        self.name = name
        self.module = module
        self.env = {**os.environ, "SB_LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore",
                    **extra_env}
        self.log_path = LOG_DIR / f"{name}-{os.getpid()}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def nameko_env(self) -> dict[str, str]:
        """The environment plus this process's worker pool for deploy/config/nameko.yml."""
        from sbcommon.config import max_workers

        return {**self.env, "SB_MAX_WORKERS": str(max_workers(self.name, self.env))}

    def start(self) -> None:
        self.proc = spawn([sys.executable, "-m", "nameko", "run", "--config",
                           str(ROOT / "deploy" / "config" / "nameko.yml"), self.module],
                          self.log_path, self.nameko_env())

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def log_tail(self, chars: int = 3000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-chars:]


def wait_rpc_ready(service: ServiceProcess, timeout: float = 60.0) -> None:
    """Poll ``<service>.health`` until it answers ok."""
    from nameko.standalone.rpc import ClusterRpcProxy

    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if not service.alive():
            raise RuntimeError(f"{service.name} exited:\n{service.log_tail()}")
        try:
            with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=3) as proxy:
                last = getattr(proxy, service.name).health()
            if last.get("status") == "ok":
                return
        except Exception as exc:  # UnknownService until its queue exists, timeouts
            last = exc
        time.sleep(0.5)
    raise RuntimeError(f"{service.name} not ready: {last!r}\n{service.log_tail()}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(base_url: str, timeout: float = 60.0) -> None:
    """Poll the gateway until it answers (any status)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base_url}/health", timeout=5)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"no HTTP answer from {base_url}")


@contextmanager
def running_accounts(**extra_env: str) -> Iterator[ServiceProcess]:
    """The accounts service running against the benchmark database and vhost."""
    service = ServiceProcess("accounts", "services.accounts.service", **extra_env)
    service.start()
    try:
        wait_rpc_ready(service)
        yield service
    finally:
        service.stop()


@contextmanager
def rpc_proxy(timeout: float = 30.0) -> Iterator[Any]:
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=timeout) as proxy:
        yield proxy
