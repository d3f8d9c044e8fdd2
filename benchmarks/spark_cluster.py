"""Start a standalone Spark cluster on 127.0.0.1 from the pyspark distribution: one master, one worker.

Run ``python benchmarks/spark_cluster.py`` (``--cores 2 --memory 6g``). pip's pyspark has no
``sbin`` scripts, so both daemons are started with ``bin/spark-class`` of the installed package,
bound to 127.0.0.1 on free ports, with their web UIs off. The script waits until the worker has
registered with the master (the master's log says ``Registering worker``), prints the master URL
(``spark://127.0.0.1:PORT``) on a line of its own, then keeps both running until it is
interrupted (Ctrl-C, SIGTERM) or, with ``--run CMD ...``, until that command ends: the command
gets the URL in ``SPARK_MASTER_URL`` and wherever an argument is ``{master}``::

    python benchmarks/spark_cluster.py --run python benchmarks/scale.py --spark-master {master}

Both daemons are stopped on exit (SIGTERM, then SIGKILL after ``--stop-timeout`` seconds). The
executors run ``PYSPARK_PYTHON`` (set to this interpreter unless already set) for the Python UDFs.
Logs go to ``--log-dir`` (default: a temporary directory).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"the process exited ({process.returncode}); see {log}")
        time.sleep(0.25)
    raise TimeoutError(f"no {text!r} in {log} after {timeout:.0f} s")


class Cluster:
    """A master and one worker on 127.0.0.1; ``with Cluster() as url:`` starts and stops them."""

    def __init__(
        self, *, cores: int = 2, memory: str = "6g", log_dir: Path | None = None,
        start_timeout: float = 90, stop_timeout: float = 20,
    ) -> None:  # fmt: skip
        self.cores, self.memory = cores, memory
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="spark-cluster-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.start_timeout, self.stop_timeout = start_timeout, stop_timeout
        self.processes: list[subprocess.Popen[bytes]] = []
        self.url = ""

    def _spawn(self, name: str, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        home = spark_home()
        env = {
            **os.environ,
            "SPARK_HOME": str(home),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOG_DIR": str(self.log_dir),
            "SPARK_WORKER_DIR": str(self.log_dir / "work"),
        }
        env.setdefault("PYSPARK_PYTHON", sys.executable)
        log = self.log_dir / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [str(home / "bin" / "spark-class"), *args],
                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )  # fmt: skip
        self.processes.append(process)
        return process, log

    def start(self) -> str:
        port = free_port()
        self.url = f"spark://127.0.0.1:{port}"
        master, master_log = self._spawn(
            "master", "org.apache.spark.deploy.master.Master",
            "--host", "127.0.0.1", "--port", str(port), "--webui-port", "0",
        )  # fmt: skip
        _wait_for(master_log, "I have been elected leader", master, self.start_timeout)
        self._spawn(
            "worker", "org.apache.spark.deploy.worker.Worker", self.url,
            "--host", "127.0.0.1", "--cores", str(self.cores), "--memory", self.memory,
            "--webui-port", "0", "--work-dir", str(self.log_dir / "work"),
        )  # fmt: skip
        _wait_for(master_log, "Registering worker", master, self.start_timeout)
        return self.url

    def stop(self) -> None:
        for process in reversed(self.processes):  # the worker first, then the master
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # its own session: spark-class and the JVM
        deadline = time.monotonic() + self.stop_timeout
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes.clear()

    def __enter__(self) -> str:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2, help="the worker's cores (default: 2)")
    parser.add_argument("--memory", default="6g", help="the worker's memory (default: 6g)")
    parser.add_argument("--log-dir", help="the daemons' logs (default: a temporary directory)")
    parser.add_argument("--start-timeout", type=float, default=90, help="seconds (default: 90)")
    parser.add_argument("--stop-timeout", type=float, default=20, help="seconds (default: 20)")
    parser.add_argument("--run", nargs=argparse.REMAINDER, help="run this command, then stop")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the cluster on SIGTERM too
    cluster = Cluster(
        cores=args.cores, memory=args.memory, log_dir=args.log_dir and Path(args.log_dir),
        start_timeout=args.start_timeout, stop_timeout=args.stop_timeout,
    )  # fmt: skip
    status = 0
    with cluster as url:
        print(url, flush=True)
        print(f"(logs in {cluster.log_dir}; Ctrl-C stops the cluster)", file=sys.stderr, flush=True)
        try:
            if args.run:
                command = [url if a == "{master}" else a for a in args.run]
                env = {**os.environ, "SPARK_MASTER_URL": url, "SPARK_LOCAL_IP": "127.0.0.1"}
                env.setdefault("PYSPARK_PYTHON", sys.executable)
                status = subprocess.run(command, env=env, check=False).returncode
            else:
                while True:
                    time.sleep(3600)
        except KeyboardInterrupt:
            status = 130
    raise SystemExit(status)


if __name__ == "__main__":
    main()
