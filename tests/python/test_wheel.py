"""The wheel a user downloads, as a user meets it: built by scripts/wheel,
installed into a fresh virtual environment that has Polars and DuckDB but no
pyarrow, and read from the real broker. Run by its own ctest entry
(wheel_test), not with the other Python tests: building the wheel is a
release build of its own.

KARROW_WHEEL=path/to/karrow-*.whl tests an already built wheel instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kafka_helpers import produce

REPO = Path(__file__).resolve().parents[2]
ROWS = 10_000
SCHEMA = {"fields": [{"name": "id", "type": "int64", "nullable": False},
                     {"name": "name", "type": "utf8"},
                     {"name": "price", "type": "float64"}]}


def project_version() -> str:
    text = (REPO / "CMakeLists.txt").read_text()
    return re.search(r"project\(karrow VERSION ([0-9.]+)", text).group(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if os.environ.get("KARROW_WHEEL"):
        return Path(os.environ["KARROW_WHEEL"])
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([str(REPO / "scripts" / "wheel"), "--out", str(out)], capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory) -> Path:
    """A fresh venv (no system site-packages) with the wheel, Polars and
    DuckDB from the wheelhouse scripts/setup fills, so nothing comes from the
    network, and without pyarrow."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=300)
    pip = [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
           "--no-index", "--find-links", str(REPO / ".cache" / "wheelhouse")]
    subprocess.run(pip + [str(wheel), "polars", "duckdb"], check=True, timeout=600)
    return root


def run_python(venv: Path, code: str, cwd: Path) -> str:
    # Run outside the repository so that its python/ folder cannot be imported.
    done = subprocess.run([str(venv / "bin" / "python"), "-c", textwrap.dedent(code)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_wheel_is_manylinux_and_holds_the_cli(wheel: Path):
    assert re.fullmatch(r"karrow-[0-9.]+-cp39-abi3-manylinux_2_[0-9]+_x86_64\.whl", wheel.name), wheel.name
    import zipfile
    names = zipfile.ZipFile(wheel).namelist()
    assert "karrow/bin/karrow" in names
    assert "karrow/ray.py" in names  # karrow.ray.read_kafka: Ray's workers import it from the wheel
    assert any(re.fullmatch(r"karrow\.libs/librdkafka-[0-9a-f]+\.so\.1", n) for n in names), names


def test_version_is_one_number(venv: Path, tmp_path: Path):
    version = project_version()
    cli = subprocess.run([str(venv / "bin" / "karrow"), "--version"], capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == f"karrow {version}"
    assert run_python(venv, "import karrow; print(karrow.__version__)", tmp_path).strip() == version


def test_duckdb_and_polars_read_a_reader_without_pyarrow(venv: Path, kafka_bootstrap: str, new_topic,
                                                         tmp_path: Path):
    topic = new_topic(partitions=3)
    produce(kafka_bootstrap, topic, [
        {"value": json.dumps({"id": i, "name": f"n{i % 7}", "price": i * 0.25}).encode()} for i in range(ROWS)])
    open_reader = (f"karrow.read_kafka({topic!r}, {kafka_bootstrap!r}, format='json', "
                   f"value_schema={json.dumps(SCHEMA)!r}, stop_at_end=True, connect_timeout_ms=60000)")
    out = run_python(venv, f"""
        import importlib.util, sys
        import duckdb, polars as pl, karrow
        assert importlib.util.find_spec("pyarrow") is None, "pyarrow is installed in the test venv"

        reader = {open_reader}
        print(duckdb.sql("select count(*), sum(id), sum(price), count(distinct name) from reader").fetchall())
        with {open_reader} as reader:
            print(duckdb.from_arrow(reader).aggregate("count(*), max(id)").fetchall())
        with {open_reader} as reader:
            df = pl.DataFrame(reader)
        print(df.height, df["id"].sum(), df["price"].sum(), df.columns)
        # Polars makes a Series of every stream that is not pyarrow's own
        # (docs/python.md); its struct unnests to the frame.
        with {open_reader} as reader:
            series = pl.from_arrow(reader)
        df = series.struct.unnest()
        print(type(series).__name__, df.height, df["id"].min(), df["id"].max())
        print("pyarrow" in sys.modules)
    """, tmp_path)
    ids = ROWS * (ROWS - 1) // 2
    assert out.splitlines() == [
        f"[({ROWS}, {ids}, {ids * 0.25}, 7)]",
        f"[({ROWS}, {ROWS - 1})]",
        f"{ROWS} {ids} {ids * 0.25} ['id', 'name', 'price', '_timestamp']",
        f"Series {ROWS} 0 {ROWS - 1}",
        "False",
    ]
