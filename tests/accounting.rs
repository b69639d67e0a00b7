//! Nothing lost: a corpus with bad files mixed in. Every discovered input is a document or a reject
//! with the right reason, the run finishes, and exits 1.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn every_input_is_a_document_or_a_reject() {
    let d = tempfile::tempdir().unwrap();
    let c = d.path().join("corpus");
    let article = "Allies Meet in Tokyo\n\nDec. 2, 2017\n\nThe ministers met on Monday. They agreed on little.\n";
    let mut expect: BTreeMap<String, &str> = BTreeMap::new();
    for i in 0..20 {
        write(
            &c,
            &format!("good/{i:02}.txt"),
            format!("{article}Note {i}.\n").as_bytes(),
        );
        expect.insert(format!("good/{i:02}.txt"), "document");
    }
    let mut utf16 = Vec::new();
    for u in article.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("bad/empty.txt", vec![], "empty"),
        ("bad/spaces.txt", b"  \n\n\t \r\n".to_vec(), "empty"),
        ("bad/random.bin", (0..4000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect(), "binary"),
        ("bad/nul.txt", b"Title\n\nText with a \0 NUL byte inside.\n".to_vec(), "binary"),
        ("bad/elf", b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec(), "binary"),
        ("bad/archive.gz", b"\x1f\x8b\x08\0\0\0\0\0".to_vec(), "corrupt"),
        ("bad/chrome-only.txt", b"Leave a Reply\n\nShow Buttons\nHide Buttons\n".to_vec(), "no_text"),
        ("odd/latin1.txt", b"Caf\xe9 Diplomacy in Paris\n\nThe minister's caf\xe9 visit was \x93a success\x94, officials said. It ended well.\n".to_vec(), "document"),
        ("odd/utf16-nobom.txt", utf16, "document"),
        ("odd/title-only.txt", b"Just A Headline\n".to_vec(), "document"),
        ("odd/crlf.txt", article.replace('\n', "\r\n").into_bytes(), "document"),
    ];
    for (p, bytes, outcome) in &cases {
        write(&c, p, bytes);
        expect.insert(p.to_string(), outcome);
    }
    // Larger than the 16 MiB limit, sparse so the test stays cheap: refused unread.
    let big = std::fs::File::create(c.join("bad/huge.txt")).unwrap();
    big.set_len(17 << 20).unwrap();
    expect.insert("bad/huge.txt".into(), "too_large");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&c, c.join("odd/loop")).unwrap();
        expect.insert("odd/loop".into(), "walk_error");
        std::os::unix::fs::symlink(c.join("missing"), c.join("odd/dangling.txt")).unwrap();
        expect.insert("odd/dangling.txt".into(), "walk_error");
        if std::process::Command::new("mkfifo")
            .arg(c.join("odd/pipe.txt"))
            .status()
            .is_ok_and(|s| s.success())
        {
            expect.insert("odd/pipe.txt".into(), "not_a_file");
        }
    }
    let out = d.path().join("out");
    run_ok(
        d.path(),
        &["run", "-q", "-o", out.to_str().unwrap(), "corpus"],
        1,
    );
    let mut got: BTreeMap<String, String> = BTreeMap::new();
    for r in rows(&out, "documents") {
        got.insert(
            r["source_path"]
                .str()
                .unwrap()
                .trim_start_matches("corpus/")
                .into(),
            "document".into(),
        );
    }
    for r in rows(&out, "rejects") {
        let p = r["source_path"]
            .str()
            .unwrap()
            .trim_start_matches("corpus/")
            .to_string();
        assert!(!r["message"].str().unwrap().is_empty());
        assert!(
            got.insert(p.clone(), r["reason"].str().unwrap().into())
                .is_none(),
            "{p} twice"
        );
    }
    let want: BTreeMap<String, String> = expect
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    assert_eq!(got, want);
    let run = &rows(&out, "runs")[0];
    assert_eq!(run["files_seen"].int(), Some(want.len() as i64));
    let docs = rows(&out, "documents");
    let latin = docs
        .iter()
        .find(|r| r["source_path"].str().unwrap().ends_with("latin1.txt"))
        .unwrap();
    assert_eq!(latin["encoding"].str(), Some("windows-1252"));
    assert_eq!(latin["title"].str(), Some("Café Diplomacy in Paris"));
    let utf16 = docs
        .iter()
        .find(|r| r["source_path"].str().unwrap().ends_with("utf16-nobom.txt"))
        .unwrap();
    assert_eq!(utf16["title"].str(), Some("Allies Meet in Tokyo"));
    let title_only = docs
        .iter()
        .find(|r| r["source_path"].str().unwrap().ends_with("title-only.txt"))
        .unwrap();
    assert_eq!(title_only["warnings"].strs(), ["no_body"]);
    assert_eq!(title_only["paragraph_count"].int(), Some(0));
}
