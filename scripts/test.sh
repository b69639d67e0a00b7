#!/usr/bin/env bash
# The test command (README): installs what the tests need, then runs every test.
#   bash scripts/test.sh            # all tests
#   bash scripts/test.sh --test cli # extra arguments go to `cargo test`
# The DuckDB/pyarrow consumer test needs Python packages: they go into a venv under target/, so a
# fresh machine with only Rust and Python 3 passes everything.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${STANCEMILL_VENV:-target/test-venv}"
if ! "$venv/bin/python" -c "import duckdb, pyarrow" 2>/dev/null; then
  echo "installing duckdb and pyarrow into $venv ..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "duckdb==2.0.1" "pyarrow==26.0.1"
fi
export STANCEMILL_PYTHON="$PWD/$venv/bin/python"
cargo test "$@"
