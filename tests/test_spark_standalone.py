"""``--engine spark`` on a standalone Spark cluster (a master and a worker started here)
gives the local engine's results: issue 15's "once against a standalone master and
worker".

The module starts ``org.apache.spark.deploy.master.Master`` and one ``Worker`` (2 cores,
1 GB) with PySpark's own ``bin/spark-class``, in a temporary directory, on free ports
of 127.0.0.1, and stops both when it ends.  ``overlap dedup`` and ``overlap scan`` with
``--engine spark --master spark://127.0.0.1:PORT`` run through the CLI's ``main`` in a
fresh driver process (one Spark application for both, to start the JVMs once), so the
driver, the executors and their Python workers are separate processes, and the
executors run in the worker's own directory, not the caller's: relative input paths
must still resolve.  Their outputs are compared byte for byte with the local engine's.
Skipped with the reason when PySpark or Java 17+ is missing or the cluster does not
come up.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from overlap.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
START_TIMEOUT = 120  # seconds for the master to see its worker (JVM starts on a busy machine)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the worker then kills its executors), SIGKILL if it does not end."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``(master URL, worker directory)`` of a running standalone master and worker."""
    from overlap.spark import check_requirements

    try:
        check_requirements()
    except ConfigError as e:
        pytest.skip(f"Spark engine not testable here: {e}")
    import pyspark

    spark_class = Path(pyspark.__file__).parent / "bin" / "spark-class"
    if not spark_class.is_file():
        pytest.skip(f"no {spark_class.name} in this PySpark install ({spark_class.parent})")
    tmp = tmp_path_factory.mktemp("standalone")
    work = tmp / "work"
    env = dict(
        os.environ, SPARK_LOCAL_IP="127.0.0.1", SPARK_LOG_DIR=str(tmp), SPARK_WORKER_DIR=str(work),
        # No REST submission server: it would take the fixed port 6066.
        SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false",
    )
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    master_log, worker_log = tmp / "master.log", tmp / "worker.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with master_log.open("wb") as out:
            procs.append(subprocess.Popen(
                [str(spark_class), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                 "--port", str(port), "--webui-port", str(_free_port())],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp))
        with worker_log.open("wb") as out:
            procs.append(subprocess.Popen(
                [str(spark_class), "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1",
                 "--cores", "2", "--memory", "1g", "--work-dir", str(work), "--webui-port", str(_free_port())],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp))
        deadline = time.monotonic() + START_TIMEOUT
        while "Registering worker" not in master_log.read_text(errors="replace"):
            ended = [p.args[1] for p in procs if p.poll() is not None]
            if ended or time.monotonic() > deadline:
                why = f"{ended[0]} exited" if ended else f"no worker registered in {START_TIMEOUT} s"
                lines = (master_log.read_text(errors="replace") + worker_log.read_text(errors="replace")).splitlines()
                pytest.skip(f"standalone Spark cluster did not start ({why}): {lines[-1] if lines else 'no log'}")
            time.sleep(0.5)
        yield url, work
    finally:
        for p in reversed(procs):  # worker first, so it does not retry a vanished master
            _stop(p)


def _run_on_cluster(commands: list[list[str]], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``overlap`` commands one after the other in one fresh driver process (one
    Spark application: the JVM and executors start once); each command's exit status
    is printed as ``rc=N``."""
    script = "import sys\nfrom overlap.cli import main\nfor args in %r:\n    print('rc=%%d' %% main(args), flush=True)\n" % commands
    # The executors' Python workers must import overlap: run this interpreter there.
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_dedup_and_scan_on_a_standalone_cluster_equal_local(
    cluster: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from overlap.cli import main

    url, work = cluster
    # The seeds, an exact copy of one (upper-cased: equal after normalisation) and a near
    # copy of another (its first 90%), each with a title to carry through.
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    texts += [("copy0", texts[0][1].upper()), ("near1", texts[1][1][: int(len(texts[1][1]) * 0.9)])]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": i, "text": t, "title": t.split("\n", 1)[0][:40]}, ensure_ascii=False)
                            + "\n" for i, t in texts), encoding="utf-8")

    def dedup(engine: str) -> list[str]:
        return ["dedup", str(feed), "-o", str(tmp_path / f"kept-{engine}.jsonl"), "--removed",
                str(tmp_path / f"removed-{engine}.jsonl"), "--keep-fields", "title", "-q"]

    # scan with a directory relative to the caller's working directory: the executors
    # run in the worker's directory and must still find the files.
    spark = ["--engine", "spark", "--master", url]
    got = _run_on_cluster([dedup("spark") + spark, ["scan", "seeds", "--json", "-q", *spark]], ROOT)
    # stdout: "rc=0" (dedup -q prints nothing), the scan's JSON, "rc=0".
    assert got.returncode == 0, got.stderr
    assert (got.stdout[:5], got.stdout[-5:]) == ("rc=0\n", "rc=0\n"), got.stdout[:300] + got.stderr
    spark_scan = got.stdout[5:-5]

    monkeypatch.chdir(ROOT)
    assert main(dedup("local")) == 0
    capsys.readouterr()
    assert main(["scan", "seeds", "--json", "-q"]) == 0
    local_scan = capsys.readouterr().out

    for what in ("kept", "removed"):
        assert (tmp_path / f"{what}-spark.jsonl").read_bytes() == (tmp_path / f"{what}-local.jsonl").read_bytes()
    removed = [json.loads(line) for line in (tmp_path / "removed-spark.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted((r["id"], r["reason"]) for r in removed) == [("copy0", "exact"), ("near1", "near-duplicate")]
    assert spark_scan == local_scan
    assert json.loads(spark_scan)["story_clusters"]
    # The jobs ran on the standalone worker: it made an application directory for them.
    assert [p.name for p in work.iterdir() if p.name.startswith("app-")]
