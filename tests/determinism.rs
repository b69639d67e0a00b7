//! Same input + same pipeline = byte-identical tables, whatever `--threads` is and however often
//! it runs. Only `runs` (times, thread count) may differ.

mod common;

use std::path::Path;

use common::*;

/// A corpus of several chunks: the sample corpus's articles, varied, plus its bad files.
fn make_corpus(root: &Path) -> usize {
    let sample = repo().join("sample_corpus");
    let mut templates = Vec::new();
    let mut stack = vec![sample.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                templates.push(std::fs::read(e.path()).unwrap());
            }
        }
    }
    templates.sort();
    let mut n = 0;
    for i in 0..700 {
        let t = &templates[i % templates.len()];
        let dir = root.join(format!("site{}/{:02}", i % 7, i % 13));
        std::fs::create_dir_all(&dir).unwrap();
        let mut bytes = t.clone();
        // Vary UTF-8 texts so most bodies differ; every 10th stays a duplicate.
        if i % 10 != 0 && std::str::from_utf8(t).is_ok() && !t.is_empty() {
            bytes.extend_from_slice(
                format!("\n\nA closing line number {i} for variety.\n").as_bytes(),
            );
        }
        std::fs::write(dir.join(format!("a{i:04}.txt")), bytes).unwrap();
        n += 1;
    }
    n
}

fn parquet_bytes(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for t in row_tables() {
        for f in table_files(out, t) {
            v.push((
                f.strip_prefix(out).unwrap().display().to_string(),
                std::fs::read(&f).unwrap(),
            ));
        }
    }
    v
}

#[test]
fn thread_count_and_reruns_do_not_change_bytes() {
    let d = tempfile::tempdir().unwrap();
    let corpus = d.path().join("corpus");
    let n = make_corpus(&corpus);
    let mut reference: Option<Vec<(String, Vec<u8>)>> = None;
    // The last run writes again into the folder of the second: a rerun over its own output.
    for (i, threads) in ["1", "2", "8", "2"].iter().enumerate() {
        let out = d.path().join(format!("out{}", if i == 3 { 1 } else { i }));
        run_ok(
            d.path(),
            &[
                "run",
                "-q",
                "-j",
                threads,
                "-o",
                out.to_str().unwrap(),
                // Several units, so unit boundaries are covered too.
                "--unit-files",
                "200",
                "corpus",
            ],
            1,
        );
        let run = &rows(&out, "runs")[0];
        assert_eq!(run["files_seen"].int(), Some(n as i64));
        assert_eq!(run["threads"].int(), Some(threads.parse().unwrap()));
        let files = parquet_bytes(&out);
        assert_eq!(files.len(), 8 * 4, "8 tables, 4 units");
        match &reference {
            None => reference = Some(files),
            Some(r) => {
                for ((name_a, a), (name_b, b)) in r.iter().zip(&files) {
                    assert_eq!(name_a, name_b);
                    assert!(a == b, "{name_a} differs with --threads {threads}");
                }
            }
        }
    }
    // Duplicates point at the first copy in input order.
    let out = d.path().join("out0");
    let docs = rows(&out, "documents");
    let dups = docs
        .iter()
        .filter(|r| r["duplicate_of"] != Val::Null)
        .count();
    assert!(dups > 50, "{dups}");
    for (i, r) in docs.iter().enumerate() {
        if let Some(first) = r["duplicate_of"].str() {
            let j = docs
                .iter()
                .position(|x| x["doc_id"].str() == Some(first))
                .unwrap();
            assert!(j < i);
            assert_eq!(docs[j]["duplicate_of"], Val::Null);
            assert_eq!(docs[j]["body"], r["body"]);
        }
    }
}
