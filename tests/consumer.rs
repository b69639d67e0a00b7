//! Reads the tables with real consumers: DuckDB and pyarrow (Python), via
//! `tests/consumer/check_tables.py`. The Python comes from `STANCEMILL_PYTHON` (set by
//! `scripts/test.sh`, which installs duckdb and pyarrow in a venv) or `python3`. Without those
//! packages the test is skipped with a printed reason, except under CI (`CI=true`), where it fails.

mod common;

use common::*;

#[test]
fn duckdb_and_pyarrow_read_every_table() {
    let python = std::env::var("STANCEMILL_PYTHON").unwrap_or_else(|_| "python3".into());
    let has = std::process::Command::new(&python)
        .args(["-c", "import duckdb, pyarrow"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        let msg =
            format!("{python} cannot import duckdb and pyarrow (scripts/test.sh installs them)");
        assert!(std::env::var("CI").is_err(), "{msg}");
        eprintln!("skipped: {msg}");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    run_ok(
        &repo(),
        &["run", "-q", "-o", out.to_str().unwrap(), "sample_corpus"],
        1,
    );
    let o = std::process::Command::new(&python)
        .arg(repo().join("tests/consumer/check_tables.py"))
        .arg(&out)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    eprintln!("{text}");
}
