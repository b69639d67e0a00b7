#!/usr/bin/env python3
"""Crash test: SIGKILL a run at random moments, check what a reader sees, resume, compare.

    target/test-venv/bin/python scripts/crash_test.py [--mb 200] [--kills 20] [--seed 1]

(`bash scripts/test.sh` makes that venv with duckdb and pyarrow; CI runs this after the tests.)

1. Builds the release binary and generates the synthetic corpus (benches/gen_corpus.py, seed 1)
   of --mb MB under --work, reused when already there.
2. A clean, uninterrupted run gives the reference tables and its wall time T.
3. --kills times: starts `stancemill run ... --resume` into one output folder and SIGKILLs it after
   a random delay in [0.05, 2.5 T/units] s. After each kill, every Parquet file visible under a final name
   must read whole in DuckDB (every column of every row decoded) with the row count its footer
   gives; `_SUCCESS` must be absent unless the run had finished; every unit recorded as done must
   have its file in every table.
4. Resumes to the end, then compares every table file byte for byte with the clean run (all but
   `runs`, whose times differ) and the run totals in `runs`.
5. Ctrl-C: a SIGINT mid-run must exit 130 after finishing the unit in flight, saying how to resume;
   two SIGINTs must exit at once. Both leave only whole files, and resuming gives the clean bytes.

Exit status 0 when every check holds; the first failure stops the script with its reason.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "stancemill"
TABLES = ["documents", "paragraphs", "sentences", "mentions", "quotes", "stances", "relations", "rejects"]


def fail(msg: str) -> None:
    print(f"crash test FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def log(msg: str) -> None:
    print(msg, flush=True)


def visible_parts(out: Path) -> list[Path]:
    """Files a reader globbing `out/<table>/*.parquet` would open."""
    return sorted(p for p in out.glob("*/*.parquet") if not p.name.startswith("."))


checked: dict[tuple[str, int, int], int] = {}


def check_readable(out: Path, con: duckdb.DuckDBPyConnection) -> int:
    """Every visible file decodes whole; returns how many files are visible."""
    files = visible_parts(out)
    for f in files:
        st = f.stat()
        key = (str(f), st.st_size, st.st_mtime_ns)
        if key in checked:
            continue
        try:
            footer_rows = pq.ParquetFile(f).metadata.num_rows
            # Casting every column to text makes DuckDB read and decode all of them.
            row = con.execute(
                "select count(*), sum(length(columns(*)::varchar)) from read_parquet(?)", [str(f)]
            ).fetchone()
        except Exception as e:  # noqa: BLE001 - any reader error is the failure we look for
            fail(f"{f} is visible but does not read whole: {e}")
        if row[0] != footer_rows:
            fail(f"{f}: DuckDB read {row[0]} rows, footer says {footer_rows}")
        checked[key] = row[0]
    return len(files)


def check_units(out: Path) -> int:
    """Every unit recorded as done has its part in every table; returns the number done."""
    done = sorted(out.glob("_progress/unit-*.json"))
    for rec in done:
        n = rec.stem.split("-")[1]
        for t in TABLES:
            if not (out / t / f"part-{n}.parquet").is_file():
                fail(f"unit {n} is recorded as done but {t}/part-{n}.parquet is missing")
    return len(done)


def table_bytes(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in visible_parts(out)
        if not p.parts[-2] == "runs"
    }


def run_totals(out: Path, con: duckdb.DuckDBPyConnection):
    return con.execute(
        f"select files_seen, documents, duplicates, rejects, paragraphs, sentences, mentions, quotes "
        f"from read_parquet('{out}/runs/*.parquet')"
    ).fetchall()


def compare_with_clean(out: Path, clean: Path, ref: dict[str, bytes], con, what: str) -> None:
    if not (out / "_SUCCESS").is_file():
        fail(f"{what}: finished run has no _SUCCESS")
    got = table_bytes(out)
    if sorted(got) != sorted(ref):
        fail(f"{what}: files differ from the clean run: {sorted(set(got) ^ set(ref))[:5]}")
    for name, b in ref.items():
        if got[name] != b:
            fail(f"{what}: {name} differs from the clean run")
    if run_totals(out, con) != run_totals(clean, con):
        fail(f"{what}: run totals {run_totals(out, con)} != clean {run_totals(clean, con)}")
    log(f"  {what}: {len(ref)} table files byte-identical to the clean run, totals equal")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=200, help="corpus size in MB [200]")
    ap.add_argument("--kills", type=int, default=20, help="SIGKILLs [20]")
    ap.add_argument("--seed", type=int, default=int(time.time()), help="random seed [time]")
    ap.add_argument("--unit-mb", type=int, default=16, help="--unit-mb of the runs [16]")
    ap.add_argument("--threads", type=int, default=2, help="--threads of the runs [2]")
    ap.add_argument("--work", type=Path, default=ROOT / "target" / "crash", help="scratch folder")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    log(f"crash test: seed {args.seed} (rerun with --seed {args.seed}), {args.mb} MB, {args.kills} kills")

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = args.work
    corpus = work / f"corpus-{args.mb:g}mb"
    if not (corpus / ".complete").is_file():
        shutil.rmtree(corpus, ignore_errors=True)
        subprocess.run(
            [sys.executable, str(ROOT / "benches" / "gen_corpus.py"), "--out", str(corpus),
             "--mb", f"{args.mb:g}", "--seed", "1"],
            check=True,
        )
        (corpus / ".complete").write_text("")
    con = duckdb.connect()

    def cmd(out: Path, *extra: str) -> list[str]:
        return [str(BIN), "run", str(corpus), "--output", str(out), "--quiet",
                "--unit-mb", str(args.unit_mb), "--threads", str(args.threads), *extra]

    clean = work / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    t0 = time.monotonic()
    r = subprocess.run(cmd(clean), capture_output=True, text=True)
    t_clean = time.monotonic() - t0
    if r.returncode not in (0, 1):
        fail(f"clean run exited {r.returncode}: {r.stderr}")
    units = len(list(clean.glob("_progress/unit-*.json")))
    log(f"clean run: {t_clean:.1f} s, {units} units, {len(visible_parts(clean))} files")
    ref = table_bytes(clean)

    # --- SIGKILL at random moments -----------------------------------------------------------
    out = work / "killed"
    shutil.rmtree(out, ignore_errors=True)
    finished_early = 0
    for i in range(args.kills):
        # Up to 2.5 units' worth of time: kills land anywhere (start-up, mid-unit, while files are
        # renamed), and the run still advances between them.
        delay = rng.uniform(0.05, max(0.1, 2.5 * t_clean / units))
        p = subprocess.Popen(cmd(out, "--resume"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        finished = p.poll() is not None
        p.send_signal(signal.SIGKILL)
        p.wait()
        if finished:
            finished_early += 1
            if p.returncode not in (0, 1):
                fail(f"kill {i + 1}: the run exited {p.returncode} before the kill: {p.stderr.read()}")
        elif (out / "_SUCCESS").exists():
            fail(f"kill {i + 1}: _SUCCESS exists although the run was killed before finishing")
        n = check_readable(out, con)
        done = check_units(out)
        log(f"  kill {i + 1:2}: after {delay:5.2f} s, {done}/{units} units done, {n} visible files read whole"
            + (" (the run had finished)" if finished else ""))
    r = subprocess.run(cmd(out, "--resume"), capture_output=True, text=True)
    if r.returncode not in (0, 1):
        fail(f"final resume exited {r.returncode}: {r.stderr}")
    check_readable(out, con)
    compare_with_clean(out, clean, ref, con, f"after {args.kills} kills and --resume")

    # --- Ctrl-C ---------------------------------------------------------------------------------
    for presses in (1, 2):
        out = work / f"sigint{presses}"
        shutil.rmtree(out, ignore_errors=True)
        p = subprocess.Popen(cmd(out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(t_clean * 0.3)
        t_sig = time.monotonic()
        p.send_signal(signal.SIGINT)
        if presses == 2:
            time.sleep(0.2)
            t_sig = time.monotonic()
            p.send_signal(signal.SIGINT)
        try:
            _, err = p.communicate(timeout=max(60.0, t_clean))
        except subprocess.TimeoutExpired:
            p.kill()
            fail(f"{presses} x SIGINT: the run did not stop")
        waited = time.monotonic() - t_sig
        if p.returncode != 130:
            fail(f"{presses} x SIGINT: exit status {p.returncode}, expected 130; stderr: {err}")
        if presses == 1 and ("--resume" not in err or "finishing the unit" not in err):
            fail(f"SIGINT: no resume hint or no 'finishing the unit' message: {err}")
        if presses == 2 and waited > 2.0:
            fail(f"second SIGINT: took {waited:.1f} s to exit")
        if (out / "_SUCCESS").exists():
            fail(f"{presses} x SIGINT: _SUCCESS exists")
        n = check_readable(out, con)
        done = check_units(out)
        log(f"  {presses} x SIGINT: exit 130 {waited:.2f} s after the last signal, {done}/{units} units done, {n} files whole")
        r = subprocess.run(cmd(out, "--resume"), capture_output=True, text=True)
        if r.returncode not in (0, 1):
            fail(f"resume after SIGINT exited {r.returncode}: {r.stderr}")
        compare_with_clean(out, clean, ref, con, f"{presses} x SIGINT then --resume")
    log(f"crash test passed ({finished_early} of {args.kills} kills came after the run had finished)")


if __name__ == "__main__":
    main()
