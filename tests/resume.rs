//! Units, `--resume` and the run manifest: an interrupted run leaves only complete files, and
//! resuming it gives the very bytes of an uninterrupted run; a changed pipeline, changed inputs or
//! a changed unit size make `--resume` refuse.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// 60 articles from the sample corpus's texts (with a varied closing line) and a few exact
/// duplicates placed so that a duplicate's first copy lies in an earlier unit, plus two bad files.
fn make_corpus(root: &Path) {
    let mut texts = Vec::new();
    for e in walk(&repo().join("sample_corpus")) {
        let b = std::fs::read(&e).unwrap();
        if std::str::from_utf8(&b).is_ok_and(|t| t.trim().len() > 200) {
            texts.push(b);
        }
    }
    texts.sort();
    for i in 0..60 {
        let mut b = texts[i % texts.len()].clone();
        // Every 9th file is an exact copy of an earlier one, so duplicates span units.
        if i % 9 != 8 {
            b.extend_from_slice(format!("\n\nClosing line {i}.\n").as_bytes());
        }
        let dir = root.join(format!("d{}", i % 4));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("a{i:03}.txt")), b).unwrap();
    }
    std::fs::write(root.join("d1/empty.txt"), b"").unwrap();
    std::fs::write(root.join("d2/binary.txt"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

fn run(cwd: &Path, args: &[&str], interrupt_after: Option<usize>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stancemill"));
    c.args(args).current_dir(cwd);
    if let Some(n) = interrupt_after {
        c.env("STANCEMILL_TEST_INTERRUPT_AFTER_UNITS", n.to_string());
    }
    c.output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file a reader would see (final names, no hidden files), with its bytes; `runs` excluded.
fn visible(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = walk(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .filter(|p| !p.starts_with(out.join("runs")))
        .map(|p| {
            (
                p.strip_prefix(out).unwrap().display().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn interrupted_then_resumed_equals_uninterrupted_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    make_corpus(&d.path().join("corpus"));
    let args = |out: &'static str| {
        vec![
            "run",
            "corpus",
            "--output",
            out,
            "--quiet",
            "--unit-files",
            "7",
        ]
    };
    let clean = run(d.path(), &[args("clean"), vec!["-j", "2"]].concat(), None);
    assert_eq!(code(&clean), 1, "{}", stderr(&clean));
    let clean_out = d.path().join("clean");
    assert!(clean_out.join("_SUCCESS").is_file());
    // 62 inputs in units of 7: 9 units, one part file per table each.
    for t in row_tables() {
        assert_eq!(table_files(&clean_out, t).len(), 9, "{t}");
    }

    // Stop after 3 units, as Ctrl-C would.
    let o = run(d.path(), &args("out"), Some(3));
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("stopped after 3 of 9 units"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let out = d.path().join("out");
    assert!(
        !out.join("_SUCCESS").exists(),
        "an unfinished run is not marked complete"
    );
    assert!(out.join("_manifest.json").is_file());
    for t in row_tables() {
        assert_eq!(table_files(&out, t).len(), 3, "{t}");
        read_table(&out, t); // whole and readable
    }
    // What is visible is a prefix of the clean run, byte for byte.
    let partial = visible(&out);
    let full = visible(&clean_out);
    for f in &partial {
        assert!(full.contains(f), "{} differs from the clean run", f.0);
    }

    // Resume twice more, with another thread count: first stop again, then to the end.
    let o = run(
        d.path(),
        &[args("out"), vec!["--resume", "-j", "2"]].concat(),
        Some(2),
    );
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("stopped after 5 of 9 units"),
        "{}",
        stderr(&o)
    );
    let o = run(d.path(), &[args("out"), vec!["--resume"]].concat(), None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(out.join("_SUCCESS").is_file());
    assert!(std::fs::read_to_string(out.join("_SUCCESS"))
        .unwrap()
        .contains("resumed_units=5"),);
    assert!(
        visible(&out) == full,
        "resumed output differs from the clean run"
    );

    // The run's totals count the skipped units too.
    let counts = |o: &Path| {
        let r = &rows(o, "runs")[0];
        [
            "files_seen",
            "documents",
            "duplicates",
            "rejects",
            "sentences",
        ]
        .map(|c| r[c].int().unwrap())
    };
    assert_eq!(counts(&out), counts(&clean_out));
    assert!(
        counts(&out)[2] > 0,
        "the corpus has duplicates across units"
    );

    // Resuming a finished run changes nothing.
    let o = run(d.path(), &[args("out"), vec!["--resume"]].concat(), None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(visible(&out) == full);
}

#[test]
fn resume_refuses_changed_pipeline_inputs_or_units() {
    let d = tempfile::tempdir().unwrap();
    make_corpus(&d.path().join("corpus"));
    let base = [
        "run",
        "corpus",
        "--output",
        "out",
        "--quiet",
        "--unit-mb",
        "1",
    ];
    let base = [&base[..], &["--unit-files", "10"]].concat();
    let o = run(d.path(), &base, Some(1));
    assert_eq!(code(&o), 130, "{}", stderr(&o));

    std::fs::write(
        d.path().join("p.toml"),
        "extends = \"default\"\n[stages.stance]\nfavor = 0.2\n",
    )
    .unwrap();
    let o = run(
        d.path(),
        &[&base[..], &["--resume", "--pipeline", "p.toml"]].concat(),
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("pipeline changed"), "{}", stderr(&o));

    let o = run(
        d.path(),
        &[
            &base[..5],
            &["--unit-mb", "1", "--unit-files", "11", "--resume"],
        ]
        .concat(),
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("unit size changed"), "{}", stderr(&o));

    // Same size, new content and modification time.
    let f = d.path().join("corpus/d0/a000.txt");
    let mut b = std::fs::read(&f).unwrap();
    let last = b.len() - 2;
    b[last] = b'X';
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&f, b).unwrap();
    let o = run(d.path(), &[&base[..], &["--resume"]].concat(), None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("inputs changed"), "{}", stderr(&o));
    // A refused resume touched nothing: the unit it had done is still there.
    assert_eq!(table_files(&d.path().join("out"), "documents").len(), 1);

    // Without --resume the run starts over.
    let o = run(d.path(), &base, None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(table_files(&d.path().join("out"), "documents").len(), 7);
}

#[test]
fn fresh_run_leaves_nothing_of_the_previous_one_and_cleans_leftovers() {
    let d = tempfile::tempdir().unwrap();
    make_corpus(&d.path().join("corpus"));
    let out = d.path().join("out");
    let o = run(
        d.path(),
        &["run", "corpus", "-o", "out", "--quiet", "--unit-files", "5"],
        None,
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(table_files(&out, "documents").len(), 13);
    // What a SIGKILL leaves: hidden temporary files of a unit and of its record.
    std::fs::write(
        out.join("documents/.part-00013.parquet.inprogress"),
        b"PAR1junk",
    )
    .unwrap();
    std::fs::write(out.join("_progress/.unit-00013.tmp"), b"{").unwrap();
    std::fs::write(out.join("documents/mine.csv"), b"not ours").unwrap();
    // A smaller run into the same folder: no part of the bigger one may survive.
    let o = run(
        d.path(),
        &[
            "run",
            "corpus/d0",
            "-o",
            "out",
            "--quiet",
            "--unit-files",
            "5",
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(table_files(&out, "documents").len(), 3);
    assert_eq!(table_files(&out, "rejects").len(), 3);
    assert!(!out
        .join("documents/.part-00013.parquet.inprogress")
        .exists());
    assert!(!out.join("_progress/.unit-00013.tmp").exists());
    assert!(
        out.join("documents/mine.csv").exists(),
        "never deletes what it did not make"
    );
    let docs: usize = read_table(&out, "documents")
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(docs, 15);
}

#[test]
fn never_writes_through_a_linked_table_folder() {
    let d = tempfile::tempdir().unwrap();
    make_corpus(&d.path().join("corpus"));
    let o = run(
        d.path(),
        &["run", "corpus/d0", "-o", "out", "--quiet"],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let elsewhere = d.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let docs = d.path().join("out/documents");
    std::fs::remove_dir_all(&docs).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &docs).unwrap();
    let o = run(
        d.path(),
        &["run", "corpus/d0", "-o", "out", "--quiet"],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("not a folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    // The same for the folder of unit records.
    std::fs::remove_file(&docs).unwrap();
    let progress = d.path().join("out/_progress");
    std::fs::remove_dir_all(&progress).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &progress).unwrap();
    let o = run(
        d.path(),
        &["run", "corpus/d0", "-o", "out", "--quiet"],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("is a link"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}
