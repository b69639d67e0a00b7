//! The whole sample corpus against its hand-written manifest (`tests/data/sample_corpus_expected.tsv`):
//! every file's outcome, encoding, title, dateline, author, counters, sections, paragraphs, chrome
//! and duplicates; plus accounting (files on disk = documents + rejects).

mod common;

use std::collections::{BTreeMap, HashMap};

use common::*;

struct Expect {
    fields: HashMap<String, String>,
}

impl Expect {
    fn get(&self, k: &str) -> Option<&str> {
        self.fields
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

fn manifest() -> BTreeMap<String, Expect> {
    let text =
        std::fs::read_to_string(repo().join("tests/data/sample_corpus_expected.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            let fields: HashMap<String, String> = header
                .iter()
                .zip(cells.iter().chain(std::iter::repeat(&"")))
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect();
            (fields["path"].clone(), Expect { fields })
        })
        .collect()
}

fn rel(source_path: &str) -> String {
    source_path
        .strip_prefix("sample_corpus/")
        .unwrap_or(source_path)
        .to_string()
}

#[test]
fn sample_corpus_matches_manifest() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    // Exit 1: the corpus holds files that must become rejects.
    run_ok(
        &repo(),
        &["run", "-q", "-o", out.to_str().unwrap(), "sample_corpus"],
        1,
    );
    let docs: BTreeMap<String, BTreeMap<String, Val>> = rows(&out, "documents")
        .into_iter()
        .map(|r| (rel(r["source_path"].str().unwrap()), r))
        .collect();
    let rejects: BTreeMap<String, BTreeMap<String, Val>> = rows(&out, "rejects")
        .into_iter()
        .map(|r| (rel(r["source_path"].str().unwrap()), r))
        .collect();
    let paras = rows(&out, "paragraphs");
    let doc_ids: HashMap<String, String> = docs
        .iter()
        .map(|(p, r)| (p.clone(), r["doc_id"].str().unwrap().to_string()))
        .collect();

    let m = manifest();
    assert!(m.len() >= 25, "manifest has {} rows", m.len());
    let mut problems = Vec::new();
    let mut check = |path: &str, what: &str, got: String, want: String| {
        if got != want {
            problems.push(format!("{path}: {what}: got {got:?}, want {want:?}"));
        }
    };
    for (path, e) in &m {
        match e.get("outcome").unwrap() {
            "skipped" => {
                assert!(
                    !docs.contains_key(path) && !rejects.contains_key(path),
                    "{path} should be skipped"
                );
            }
            "reject" => {
                let r = rejects
                    .get(path)
                    .unwrap_or_else(|| panic!("{path}: expected a reject"));
                check(
                    path,
                    "reason",
                    r["reason"].str().unwrap().into(),
                    e.get("reject_reason").unwrap().into(),
                );
            }
            "document" => {
                let r = docs
                    .get(path)
                    .unwrap_or_else(|| panic!("{path}: expected a document"));
                let s = |k: &str| r[k].str().unwrap_or("").to_string();
                let n = |k: &str| r[k].int().map(|v| v.to_string()).unwrap_or_default();
                let want = |k: &str| e.get(k).unwrap_or("").to_string();
                check(path, "encoding", s("encoding"), want("encoding"));
                check(path, "title", s("title"), want("title"));
                check(
                    path,
                    "published_raw",
                    s("published_raw"),
                    want("published_raw"),
                );
                let at = r["published_at"].int().map(|t| {
                    chrono::DateTime::from_timestamp_micros(t)
                        .unwrap()
                        .naive_utc()
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string()
                });
                check(
                    path,
                    "published_at",
                    at.unwrap_or_default(),
                    want("published_at"),
                );
                check(
                    path,
                    "utc_offset_minutes",
                    n("utc_offset_minutes"),
                    want("utc_offset_minutes"),
                );
                check(path, "author", s("author"), want("author"));
                check(
                    path,
                    "comment_count",
                    n("comment_count"),
                    want("comment_count"),
                );
                check(path, "view_count", n("view_count"), want("view_count"));
                check(path, "sections", n("section_count"), want("sections"));
                check(path, "paragraphs", n("paragraph_count"), want("paragraphs"));
                check(
                    path,
                    "chrome",
                    r["chrome_removed"].strs().join(" || "),
                    want("chrome_lines"),
                );
                let dup = e
                    .get("duplicate_of")
                    .map(|p| doc_ids[p].clone())
                    .unwrap_or_default();
                check(path, "duplicate_of", s("duplicate_of"), dup);
                // Paragraph rows agree with the document row.
                let id = s("doc_id");
                let count = paras
                    .iter()
                    .filter(|p| p["doc_id"].str() == Some(&id))
                    .count();
                check(
                    path,
                    "paragraph rows",
                    count.to_string(),
                    n("paragraph_count"),
                );
            }
            other => panic!("{path}: unknown outcome {other}"),
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // Accounting: every non-hidden file on disk is a document or a reject, and nothing else is.
    let on_disk: Vec<String> = walk(&repo().join("sample_corpus"));
    let mut accounted: Vec<String> = docs.keys().chain(rejects.keys()).cloned().collect();
    accounted.sort();
    assert_eq!(accounted, on_disk);
    let run = &rows(&out, "runs")[0];
    assert_eq!(run["files_seen"].int(), Some(on_disk.len() as i64));
    assert_eq!(run["documents"].int(), Some(docs.len() as i64));
    assert_eq!(run["rejects"].int(), Some(rejects.len() as i64));
}

fn walk(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(
                    e.path()
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

#[test]
fn documents_and_rejects_snapshot() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    run_ok(
        &repo(),
        &["run", "-q", "-o", out.to_str().unwrap(), "sample_corpus"],
        1,
    );
    let docs = rows(&out, "documents");
    let cols = [
        "doc_id",
        "source_path",
        "encoding",
        "title",
        "published_at",
        "published_utc",
        "utc_offset_minutes",
        "published_raw",
        "author",
        "comment_count",
        "view_count",
        "language",
        "word_count",
        "section_count",
        "paragraph_count",
        "sentence_count",
        "chrome_removed",
        "duplicate_of",
        "warnings",
    ];
    let mut text = render(&docs, &cols);
    text.push_str("# rejects\n");
    text.push_str(&render(
        &rows(&out, "rejects"),
        &["source_path", "stage", "reason", "message", "bytes"],
    ));
    snapshot("sample_corpus_documents.txt", &text);
}
