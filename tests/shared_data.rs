//! Real data from `../shared/data` (never copied into the repo): skipped with a printed reason when
//! absent. The BBC corpus: 2,225 articles, line 1 the headline, paragraphs after a blank line.

mod common;

use std::collections::HashMap;

use common::*;

#[test]
fn bbc_corpus_reads_completely_and_correctly() {
    let bbc = repo().join("../shared/data/bbc");
    if !bbc.is_dir() {
        eprintln!("skipped: {} not present", bbc.display());
        return;
    }
    let d = tempfile::tempdir().unwrap();
    // Only the articles (the folder also holds README.TXT).
    std::fs::write(
        d.path().join("bbc.toml"),
        "extends = \"default\"\nname = \"bbc\"\n[input]\ninclude = [\"*/*.txt\"]\n",
    )
    .unwrap();
    let out = d.path().join("out");
    run_ok(
        d.path(),
        &[
            "run",
            "-q",
            "-p",
            "bbc.toml",
            "-o",
            out.to_str().unwrap(),
            bbc.to_str().unwrap(),
        ],
        0,
    );
    let docs = rows(&out, "documents");
    assert_eq!(docs.len(), 2225);
    assert!(rows(&out, "rejects").is_empty());
    let raw_dups = docs.len()
        - docs
            .iter()
            .map(|r| r["content_hash"].str().unwrap())
            .collect::<std::collections::HashSet<_>>()
            .len();
    assert_eq!(
        raw_dups, 98,
        "the data README lists 98 exact duplicate pairs"
    );
    let paras = rows(&out, "paragraphs");
    let mut per_doc: HashMap<&str, usize> = HashMap::new();
    for p in &paras {
        *per_doc.entry(p["doc_id"].str().unwrap()).or_default() += 1;
    }
    let mut title_mismatch = Vec::new();
    let mut para_mismatch = Vec::new();
    for r in &docs {
        let path = r["source_path"].str().unwrap();
        let raw = std::fs::read(path).unwrap();
        let text = String::from_utf8(raw.clone())
            .unwrap_or_else(|_| raw.iter().map(|&b| b as char).collect());
        let first = text.lines().next().unwrap().trim();
        if r["title"].str() != Some(first) {
            title_mismatch.push(format!("{path}: {:?} vs {first:?}", r["title"]));
        }
        // Paragraphs: non-empty blocks after the headline.
        let blocks = text
            .split('\n')
            .skip(1)
            .collect::<Vec<_>>()
            .split(|l| l.trim().is_empty())
            .filter(|b| !b.is_empty())
            .count();
        let got = per_doc
            .get(r["doc_id"].str().unwrap())
            .copied()
            .unwrap_or(0);
        if got != blocks {
            para_mismatch.push(format!("{path}: {got} paragraphs, file has {blocks}"));
        }
        assert_eq!(r["language"].str(), Some("en"), "{path}");
    }
    assert!(
        title_mismatch.is_empty(),
        "{} titles differ:\n{}",
        title_mismatch.len(),
        title_mismatch[..title_mismatch.len().min(10)].join("\n")
    );
    assert!(
        para_mismatch.is_empty(),
        "{} paragraph counts differ:\n{}",
        para_mismatch.len(),
        para_mismatch[..para_mismatch.len().min(10)].join("\n")
    );
    let pound = docs
        .iter()
        .find(|r| r["source_path"].str().unwrap().ends_with("sport/199.txt"))
        .unwrap();
    assert_eq!(pound["encoding"].str(), Some("windows-1252"));
    assert!(pound["body"].str().unwrap().contains('£'));
}
