//! Replays the fuzz seeds and every input the fuzzers found (`fuzz/seeds/<target>/*`,
//! `fuzz/regressions/<target>/*`) through the same invariant checks the fuzz targets run
//! (`stancemill::fuzzing`), on the stable toolchain: CI's regression test for the fuzzers, with no
//! fuzzing run needed. See docs/fuzzing.md.

use std::path::{Path, PathBuf};

use stancemill::fuzzing::TARGETS;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, for every folder there, checked against the target list
/// (a misspelt folder would otherwise be skipped without a word).
fn inputs(kind: &str) -> Vec<(String, PathBuf)> {
    let dir = root().join(kind);
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    for e in entries {
        let e = e.expect("read_dir entry");
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "{}: no fuzz target named {name:?}",
            e.path().display()
        );
        for f in std::fs::read_dir(e.path()).expect("target folder") {
            let p = f.expect("read_dir entry").path();
            if p.is_file() {
                out.push((name.clone(), p));
            }
        }
    }
    out.sort();
    out
}

/// Runs every input through its target; returns the failures (file and panic message).
fn replay(files: &[(String, PathBuf)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (target, path) in files {
        let run = TARGETS.iter().find(|(t, _)| t == target).expect("known").1;
        let data = std::fs::read(path).expect("read input");
        if let Err(e) = std::panic::catch_unwind(|| run(&data)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{target} {}: {msg}", path.display()));
        }
    }
    failures
}

#[test]
fn seeds_pass_every_target() {
    let files = inputs("seeds");
    // Every target has seeds: a wrong path must not make this test pass on nothing.
    for (t, _) in TARGETS {
        let n = files.iter().filter(|(x, _)| x == t).count();
        assert!(
            n >= 3,
            "only {n} seed files for target {t} under fuzz/seeds/{t}"
        );
    }
    let failures = replay(&files);
    assert!(failures.is_empty(), "seeds fail:\n{}", failures.join("\n"));
}

#[test]
fn found_inputs_stay_fixed() {
    let files = inputs("regressions");
    let failures = replay(&files);
    assert!(
        failures.is_empty(),
        "{} of {} fuzz regressions fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
