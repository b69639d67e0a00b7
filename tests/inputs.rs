//! HTML, JSON, JSON lines, WARC and compressed inputs, end to end through the binary: small fixtures
//! under tests/fixtures/inputs/ (an HTML page per metadata source, JSON with each mapping), WARC and
//! compressed files built here, and every bad case a reject with its record index.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;

type Row = BTreeMap<String, Val>;

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/inputs")
}

fn run(dir: &Path, args: &[&str], code: i32) -> PathBuf {
    let out = dir.join("out");
    let mut a = vec!["run", "-q", "--overwrite", "-o", out.to_str().unwrap()];
    a.extend_from_slice(args);
    run_ok(dir, &a, code);
    out
}

fn by_name<'a>(rows: &'a [Row], suffix: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["source_path"].str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no row for {suffix}"))
}

fn copy_fixture(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(fixtures().join(name), &p).unwrap();
    p
}

#[test]
fn html_metadata_from_each_source() {
    let d = tempfile::tempdir().unwrap();
    let c = d.path().join("pages");
    std::fs::create_dir(&c).unwrap();
    for f in [
        "jsonld.html",
        "opengraph.html",
        "twitter-time.htm",
        "title-tag.html",
    ] {
        copy_fixture(&c, f);
    }
    let out = run(d.path(), &["pages"], 0);
    let docs = rows(&out, "documents");
    assert_eq!(docs.len(), 4);

    let ld = by_name(&docs, "jsonld.html");
    assert_eq!(ld["source_format"].str(), Some("html"));
    assert_eq!(ld["title"].str(), Some("Ministers Meet in Beijing"));
    assert_eq!(ld["author"].str(), Some("Jane Doe; Li Wen"));
    assert_eq!(ld["published_raw"].str(), Some("2024-03-05T09:30:00+09:00"));
    assert_eq!(ld["published_at"], Val::Ts(micros("2024-03-05 09:30:00")));
    assert_eq!(ld["published_utc"], Val::Ts(micros("2024-03-05 00:30:00")));
    assert_eq!(ld["utc_offset_minutes"].int(), Some(540));
    assert_eq!(
        ld["url"].str(),
        Some("https://planet.example.com/world/ministers-meet")
    );
    assert_eq!(ld["site"].str(), Some("Daily Planet"));
    assert_eq!(ld["comment_count"].int(), Some(42));
    assert_eq!(ld["language"].str(), Some("en"));
    assert_eq!(ld["record_index"].int(), Some(0));
    let body = ld["body"].str().unwrap();
    assert!(body.starts_with("The foreign ministers of Japan"), "{body}");
    assert!(
        body.contains("\n\n\nWhat comes next\n\nA second round"),
        "the heading starts a section: {body}"
    );
    assert_eq!(ld["section_count"].int(), Some(2));
    for junk in [
        "Home",
        "Share on",
        "Related:",
        "Reader one",
        "rights reserved",
    ] {
        assert!(!body.contains(junk), "{junk} left in {body}");
    }

    let og = by_name(&docs, "opengraph.html");
    assert_eq!(
        og["encoding"].str(),
        Some("windows-1252"),
        "meta http-equiv"
    );
    assert_eq!(og["title"].str(), Some("Café Diplomacy in Paris"));
    assert_eq!(og["author"].str(), Some("Marie Curie"));
    assert_eq!(og["published_utc"], Val::Ts(micros("2023-11-02 18:00:00")));
    assert_eq!(og["site"].str(), Some("Le Monde Test"));
    assert_eq!(
        og["url"].str(),
        Some("https://lemonde.example.fr/article/cafe")
    );
    let body = og["body"].str().unwrap();
    assert!(
        body.contains("café owners said they were “delighted”"),
        "{body}"
    );
    assert!(!body.contains("cookies"), "{body}");

    let tw = by_name(&docs, "twitter-time.htm");
    assert_eq!(tw["title"].str(), Some("Talks Resume After Two Years"));
    assert_eq!(tw["author"].str(), Some("Tom Hale"));
    assert_eq!(tw["published_at"], Val::Ts(micros("2022-07-14 00:00:00")));
    assert_eq!(tw["comment_count"].int(), Some(17));
    assert_eq!(tw["view_count"].int(), Some(1204));
    let body = tw["body"].str().unwrap();
    assert!(body.starts_with("The foreign ministers"), "{body}");

    let tt = by_name(&docs, "title-tag.html");
    assert_eq!(tt["title"].str(), Some("Only A Title Tag Here"));
    assert_eq!(tt["url"], Val::Null);
    assert_eq!(tt["paragraph_count"].int(), Some(3));
    assert!(!tt["body"].str().unwrap().contains("Contact"));
}

#[test]
fn json_and_json_lines_with_default_and_custom_mappings() {
    let d = tempfile::tempdir().unwrap();
    let c = d.path().join("json");
    std::fs::create_dir(&c).unwrap();
    copy_fixture(&c, "news-please.jsonl");
    copy_fixture(&c, "newspaper.json");
    let out = run(d.path(), &["json"], 1);
    let docs = rows(&out, "documents");
    let rejects = rows(&out, "rejects");
    // news-please.jsonl: 5 records (the blank line is none): 2 documents, 3 rejects.
    // newspaper.json: an array of 2.
    assert_eq!(docs.len(), 4, "{docs:#?}");
    let np: Vec<&Row> = docs
        .iter()
        .filter(|r| r["source_path"].str().unwrap().ends_with(".jsonl"))
        .collect();
    assert_eq!(np[0]["record_index"].int(), Some(0));
    assert_eq!(np[0]["source_format"].str(), Some("jsonl"));
    assert_eq!(np[0]["title"].str(), Some("Ministers Meet in Beijing"));
    assert_eq!(np[0]["author"].str(), Some("Jane Doe; Li Wen"));
    assert_eq!(np[0]["site"].str(), Some("planet.example.com"));
    assert_eq!(
        np[0]["published_at"],
        Val::Ts(micros("2024-03-05 09:30:00"))
    );
    assert_eq!(np[0]["paragraph_count"].int(), Some(2));
    assert_eq!(
        np[0]["body"].str(),
        Some("The foreign ministers met on Monday, officials said.\n\nBoth sides agreed to keep talking.")
    );
    // HTML in the text field is read as HTML; the site falls back to the URL's host.
    assert_eq!(np[1]["record_index"].int(), Some(1));
    assert_eq!(
        np[1]["body"].str(),
        Some("First paragraph of the body, with bold text.\n\nSecond paragraph.")
    );
    assert_eq!(np[1]["site"].str(), Some("other.example.org"));
    let mut bad: Vec<(i64, String)> = rejects
        .iter()
        .map(|r| {
            (
                r["record_index"].int().unwrap(),
                r["reason"].str().unwrap().to_string(),
            )
        })
        .collect();
    bad.sort();
    assert_eq!(
        bad,
        [
            (2, "no_text".into()),
            (3, "bad_record".into()),
            (4, "bad_record".into())
        ]
    );
    assert!(rejects
        .iter()
        .any(|r| r["message"].str().unwrap().starts_with("line 5:")));
    let arr: Vec<&Row> = docs
        .iter()
        .filter(|r| r["source_path"].str().unwrap().ends_with(".json"))
        .collect();
    assert_eq!(arr.len(), 2);
    assert_eq!(
        arr[0]["published_utc"],
        Val::Ts(micros("2022-07-14 06:00:00"))
    );
    assert_eq!(arr[1]["record_index"].int(), Some(1));
    assert_eq!(arr[1]["source_format"].str(), Some("json"));
    let run_row = &rows(&out, "runs")[0];
    assert_eq!(
        run_row["files_seen"].int(),
        Some(7),
        "records count as inputs"
    );

    // A pipeline's [input.json] mapping.
    let m = tempfile::tempdir().unwrap();
    copy_fixture(m.path(), "mapped.jsonl");
    std::fs::write(
        m.path().join("map.toml"),
        "extends = \"default\"\n[input.json]\ntext = \"content\"\ntitle = \"headline_x\"\ndate = \"when\"\nauthor = \"by\"\nurl = \"link\"\n",
    )
    .unwrap();
    let out = run(m.path(), &["-p", "map.toml", "mapped.jsonl"], 0);
    let docs = rows(&out, "documents");
    assert_eq!(docs[0]["title"].str(), Some("Custom Fields Work"));
    assert_eq!(
        docs[0]["body"].str(),
        Some("Body from a custom field, as the pipeline maps it.")
    );
    assert_eq!(docs[0]["author"].str(), Some("Ann Lee"));
    assert_eq!(
        docs[0]["published_at"],
        Val::Ts(micros("2021-01-02 00:00:00"))
    );
    assert_eq!(docs[0]["url"].str(), Some("https://custom.example.com/x"));
    assert_eq!(docs[0]["site"].str(), Some("custom.example.com"));
}

#[test]
fn json_mapping_problems_name_file_line_and_key() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("bad.toml");
    std::fs::write(
        &p,
        "extends = \"default\"\n[input]\nmax_compression_ratio = 1\n[input.json]\ntext = 3\nbody = \"x\"\n",
    )
    .unwrap();
    let out = stancemill(d.path(), &["validate", p.to_str().unwrap()]);
    let err =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    let f = p.display().to_string();
    assert!(
        err.contains(&format!("{f}:3:25: `input.max_compression_ratio`")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{f}:5:8: `input.json.text`: expected a string")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{f}:6:1: `input.json.body`: unknown key")),
        "{err}"
    );
}

const PAGE: &str = "<html><head><title>Page {N} | Crawl Test</title></head><body><article><p>Page {N}: the foreign ministers of Japan and China met in Beijing on Monday, officials said, and agreed to keep talking.</p><p>Caf\u{e9} owners nearby said they were pleased.</p></article></body></html>";

fn warc_record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}>\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-05-01T10:00:00Z\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http_page(n: usize, charset: &str) -> Vec<u8> {
    let html = PAGE.replace("{N}", &n.to_string());
    let body = if charset == "iso-8859-1" {
        encoding_rs::WINDOWS_1252.encode(&html).0.into_owned()
    } else {
        html.into_bytes()
    };
    let mut b = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={charset}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    b.extend(body);
    b
}

/// A crawl of 8 records: warcinfo, request, 3 pages (one latin-1), a PNG, a redirect and one page
/// whose length is wrong. Returns the records.
fn crawl() -> Vec<Vec<u8>> {
    let mut damaged = warc_record("response", "https://example.com/3", &http_page(3, "utf-8"));
    // Content-Length says more than there is: the record runs into the next one.
    let pos = memchr_find(&damaged, b"Content-Length: ").unwrap() + 16;
    damaged[pos] = b'9';
    vec![
        warc_record("warcinfo", "", b"software: stancemill-test\r\n"),
        warc_record(
            "request",
            "https://example.com/1",
            b"GET /1 HTTP/1.1\r\n\r\n",
        ),
        warc_record("response", "https://example.com/1", &http_page(1, "utf-8")),
        warc_record(
            "response",
            "https://example.com/2",
            &http_page(2, "iso-8859-1"),
        ),
        warc_record(
            "response",
            "https://example.com/logo.png",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n",
        ),
        warc_record(
            "response",
            "https://example.com/old",
            b"HTTP/1.1 301 Moved\r\nLocation: /new\r\n\r\n",
        ),
        damaged,
        warc_record("response", "https://example.com/4", &http_page(4, "utf-8")),
    ]
}

fn memchr_find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn bzip2(b: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn zstd(b: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(b, ruzstd::encoding::CompressionLevel::Fastest)
}

#[test]
fn warc_in_every_wrapping() {
    let d = tempfile::tempdir().unwrap();
    let c = d.path().join("crawl");
    std::fs::create_dir(&c).unwrap();
    let recs = crawl();
    let plain: Vec<u8> = recs.concat();
    std::fs::write(c.join("a.warc"), &plain).unwrap();
    let members: Vec<u8> = recs.iter().flat_map(|r| gzip(r)).collect();
    std::fs::write(c.join("b.warc.gz"), members).unwrap();
    std::fs::write(c.join("c.warc.gz"), gzip(&plain)).unwrap();
    std::fs::write(c.join("d.warc.zst"), zstd(&plain)).unwrap();
    std::fs::write(c.join("e.warc.bz2"), bzip2(&plain)).unwrap();
    // Sniffed by content, whatever the name says.
    std::fs::write(c.join("f.dat"), &plain).unwrap();
    // A gzip file cut in the middle of record 7: the records before the cut still count.
    let whole = gzip(&plain);
    std::fs::write(c.join("g.warc.gz"), &whole[..whole.len() * 15 / 16]).unwrap();

    let out = run(d.path(), &["crawl"], 1);
    let docs = rows(&out, "documents");
    let rejects = rows(&out, "rejects");
    for (f, format) in [
        ("a.warc", "warc"),
        ("b.warc.gz", "warc+gzip"),
        ("c.warc.gz", "warc+gzip"),
        ("d.warc.zst", "warc+zstd"),
        ("e.warc.bz2", "warc+bzip2"),
        ("f.dat", "warc"),
    ] {
        let mine: Vec<&Row> = docs
            .iter()
            .filter(|r| r["source_path"].str().unwrap().ends_with(f))
            .collect();
        let idx: Vec<i64> = mine
            .iter()
            .map(|r| r["record_index"].int().unwrap())
            .collect();
        assert_eq!(idx, [2, 3, 7], "{f}");
        assert!(
            mine.iter()
                .all(|r| r["source_format"].str() == Some(format)),
            "{f}"
        );
        assert_eq!(mine[0]["url"].str(), Some("https://example.com/1"));
        assert_eq!(mine[0]["site"].str(), Some("example.com"));
        assert_eq!(mine[0]["title"].str(), Some("Page 1"));
        assert_eq!(
            mine[0]["captured_at"],
            Val::Ts(micros("2024-05-01 10:00:00"))
        );
        assert_eq!(
            mine[0]["published_at"],
            Val::Null,
            "a capture is no publication"
        );
        assert_eq!(
            mine[1]["encoding"].str(),
            Some("windows-1252"),
            "HTTP charset"
        );
        assert!(mine[1]["body"].str().unwrap().contains("Café owners"));
        let bad: Vec<&Row> = rejects
            .iter()
            .filter(|r| r["source_path"].str().unwrap().ends_with(f))
            .collect();
        assert_eq!(bad.len(), 1, "{f}: {bad:#?}");
        assert_eq!(bad[0]["record_index"].int(), Some(6));
        assert_eq!(bad[0]["reason"].str(), Some("bad_record"));
        assert!(bad[0]["message"].str().unwrap().contains("Content-Length"));
    }
    let cut_docs = docs
        .iter()
        .filter(|r| r["source_path"].str().unwrap().ends_with("g.warc.gz"))
        .count();
    let cut_rejects: Vec<&Row> = rejects
        .iter()
        .filter(|r| r["source_path"].str().unwrap().ends_with("g.warc.gz"))
        .collect();
    assert_eq!(cut_docs, 2, "pages 1 and 2 came through whole");
    assert!(!cut_rejects.is_empty());
    assert!(cut_rejects
        .iter()
        .any(|r| r["message"].str().unwrap().contains("truncated")
            || r["message"].str().unwrap().contains("breaks off")));
    let run_row = &rows(&out, "runs")[0];
    assert_eq!(
        run_row["files_seen"].int(),
        Some((docs.len() + rejects.len()) as i64)
    );
    // warcinfo, request, PNG and redirect in each of the six whole files, and those of the cut one.
    assert!(run_row["records_skipped"].int().unwrap() >= 24);
}

#[test]
fn compressed_pages_bombs_and_broken_streams() {
    let d = tempfile::tempdir().unwrap();
    let c = d.path().join("c");
    std::fs::create_dir(&c).unwrap();
    let page = std::fs::read(fixtures().join("jsonld.html")).unwrap();
    std::fs::write(c.join("p.html.gz"), gzip(&page)).unwrap();
    std::fs::write(c.join("p.html.zst"), zstd(&page)).unwrap();
    std::fs::write(c.join("p.html.bz2"), bzip2(&page)).unwrap();
    let jsonl = std::fs::read(fixtures().join("mapped.jsonl")).unwrap();
    std::fs::write(c.join("q.jsonl.gz"), gzip(&jsonl)).unwrap();
    std::fs::write(
        c.join("t.txt.gz"),
        gzip(b"Allies Meet in Tokyo\n\nThe ministers met on Monday.\n"),
    )
    .unwrap();
    // 64 MiB of zeros in about 64 KiB: refused after the first MiBs, never held whole.
    std::fs::write(c.join("bomb.txt.gz"), gzip(&vec![0u8; 64 << 20])).unwrap();
    let full = gzip(&page);
    std::fs::write(c.join("cut.html.gz"), &full[..full.len() / 2]).unwrap();
    std::fs::write(c.join("junk.zst"), b"\x28\xb5\x2f\xfd not really zstd").unwrap();
    let out = run(d.path(), &["c"], 1);
    let docs = rows(&out, "documents");
    for (f, format) in [
        ("p.html.gz", "html+gzip"),
        ("p.html.zst", "html+zstd"),
        ("p.html.bz2", "html+bzip2"),
        ("q.jsonl.gz", "jsonl+gzip"),
        ("t.txt.gz", "text+gzip"),
    ] {
        let r = by_name(&docs, f);
        assert_eq!(r["source_format"].str(), Some(format));
        assert!(r["title"].str().is_some(), "{f}");
    }
    assert_eq!(
        by_name(&docs, "p.html.zst")["title"].str(),
        Some("Ministers Meet in Beijing")
    );
    assert_eq!(
        by_name(&docs, "t.txt.gz")["body"].str(),
        Some("The ministers met on Monday.")
    );
    let rejects = rows(&out, "rejects");
    assert_eq!(rejects.len(), 3, "{rejects:#?}");
    assert_eq!(
        by_name(&rejects, "bomb.txt.gz")["reason"].str(),
        Some("decompression_bomb")
    );
    assert_eq!(
        by_name(&rejects, "cut.html.gz")["reason"].str(),
        Some("corrupt")
    );
    assert!(by_name(&rejects, "cut.html.gz")["message"]
        .str()
        .unwrap()
        .contains("corrupt or truncated"));
    assert_eq!(
        by_name(&rejects, "junk.zst")["reason"].str(),
        Some("corrupt")
    );
}

/// Every file under ../shared/data/warc: fully read or rejected record by record, never a panic.
#[test]
fn shared_warc_files_are_read_or_rejected_record_by_record() {
    let warc = repo().join("../shared/data/warc");
    if !warc.is_dir() {
        eprintln!("skipped: {} not present", warc.display());
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let out = run(d.path(), &[warc.to_str().unwrap()], 1);
    let docs = rows(&out, "documents");
    let rejects = rows(&out, "rejects");
    assert!(
        rejects
            .iter()
            .all(|r| r["reason"].str() != Some("internal_error")),
        "{rejects:#?}"
    );
    assert!(rejects
        .iter()
        .all(|r| !r["message"].str().unwrap().is_empty()));
    let mut files: Vec<String> = Vec::new();
    for e in walk(&warc) {
        let name = e.to_string_lossy().to_string();
        let seen = docs
            .iter()
            .chain(&rejects)
            .any(|r| r["source_path"].str() == Some(&name));
        assert!(seen, "{name} is neither a document nor a reject");
        files.push(name);
    }
    let aeb = docs
        .iter()
        .filter(|r| {
            r["source_path"]
                .str()
                .unwrap()
                .ends_with("aeb_news_181.warc.gz")
        })
        .count();
    if files.iter().any(|f| f.ends_with("aeb_news_181.warc.gz")) {
        assert_eq!(aeb, 181, "one document per page of the constructed WARC");
    }
    // The damaged crawl records are rejects, each with its record index and a reason.
    for r in rejects
        .iter()
        .filter(|r| r["source_path"].str().unwrap().contains("real_malformed"))
    {
        assert!(r["record_index"].int().is_some());
        assert!(
            matches!(r["reason"].str(), Some("bad_record") | Some("no_documents")),
            "{r:?}"
        );
    }
    let run_row = &rows(&out, "runs")[0];
    assert_eq!(
        run_row["files_seen"].int(),
        Some((docs.len() + rejects.len()) as i64)
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
