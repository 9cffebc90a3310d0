"""Spark sessions for the Spark driver: requirements check and a quiet, ready session.

``spark_session(master="local[2]", *, config=None) -> SparkSession``
    A quiet session (no UI, log level ERROR) with the settings ``scan_spark`` expects.
``check_requirements() -> None``
    ``ConfigError`` with a one-line install hint when PySpark or Java 17+ is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["JAVA_HINT", "PYSPARK_HINT", "check_requirements", "spark_session"]

PYSPARK_HINT = "the Spark engine needs PySpark: pip install 'overlap[spark]'"
JAVA_HINT = "the Spark engine needs Java 17+ (set JAVA_HOME or put java on PATH): apt-get install openjdk-17-jre-headless"


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    for line in (out.stderr + out.stdout).splitlines():
        if "version" in line and '"' in line:
            v = line.split('"')[1]
            head = v.split(".")[1] if v.startswith("1.") else v.split(".")[0]
            digits = "".join(ch for ch in head if ch.isdigit())
            return int(digits) if digits else None
    return None


def check_requirements() -> None:
    """Raise ``ConfigError`` (one line, with the install command) if PySpark or Java 17+ is missing.

    Cost: one ``java -version`` subprocess.
    """
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigError(PYSPARK_HINT) from None
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home and os.path.exists(os.path.join(home, "bin", "java")) else shutil.which("java")
    if java is None:
        raise ConfigError(JAVA_HINT)
    major = _java_major(java)
    if major is None or major < 17:
        raise ConfigError(f"{JAVA_HINT} (found {java}, version {major or 'unknown'})")


_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _log4j_file() -> Path:
    """Spark's log configuration, written in a private directory of this process.

    Not a fixed name in the shared temporary directory: another user could plant a file
    there that this process would then hand to the JVM.  The directory (also holding the
    JVM's start-up log) is made once per process with ``tempfile.mkdtemp`` (mode 0700).
    """
    global _PRIVATE_DIR
    if _PRIVATE_DIR is None:
        _PRIVATE_DIR = Path(tempfile.mkdtemp(prefix="overlap-spark-"))
        (_PRIVATE_DIR / "log4j2.properties").write_text(_LOG4J, encoding="utf-8")
    return _PRIVATE_DIR / "log4j2.properties"


_PRIVATE_DIR: Path | None = None


def spark_session(master: str | None = "local[2]", *, config: dict[str, str] | None = None) -> Any:
    """A SparkSession for ``scan_spark``: no UI, log level ERROR, this Python on the workers.

    ``master``: ``"local[N]"``, ``"spark://host:7077"``, ``"yarn"``...; ``None`` leaves it to
    ``spark-submit`` (``local[*]`` when not run under it).  ``config`` adds or overrides Spark settings.  An existing active
    session is reused as it is (``getOrCreate``).  Cost: a JVM start (seconds).
    """
    check_requirements()
    from pyspark.sql import SparkSession

    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = "local[*]"  # plain python, not under spark-submit: use this machine

    log4j = _log4j_file()
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.python.worker.reuse": "true",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log4j}",
    }
    if (master is None or master.startswith("local")) and "PYSPARK_PYTHON" not in os.environ:
        # Local workers must run this interpreter (the one overlap is installed in).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    conf.update(config or {})
    from pyspark import SparkConf, SparkContext

    if SparkContext._active_spark_context is None:
        # Start the JVM ourselves so its start-up banner and log go to a file, not the
        # terminal: a CLI's stderr should carry overlap's own messages only.
        sconf = SparkConf().setAppName("overlap")
        if master is not None:
            sconf.setMaster(master)
        for k, v in conf.items():
            sconf.set(k, v)
        from pyspark.java_gateway import launch_gateway

        log = open(log4j.parent / "spark.log", "ab")
        gateway = launch_gateway(sconf, popen_kwargs={"stdout": log, "stderr": log})  # type: ignore[no-untyped-call]
        SparkContext(conf=sconf, gateway=gateway)
    builder = SparkSession.builder.appName("overlap")
    if master is not None:
        builder = builder.master(master)
    for k, v in conf.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
