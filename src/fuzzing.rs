//! Fuzz entry points: one function per parser, taking arbitrary bytes.
//!
//! Each function runs a parser on the input and checks the invariants its callers rely on (offsets
//! in bounds and on character boundaries, character spans that match byte ranges, indices that
//! point at existing rows, output sizes bounded by the input) with `assert!`, so a fuzzer finds
//! wrong results as well as panics. The `fuzz/` crate wraps each one for `cargo fuzz`, and
//! `tests/fuzz_replay.rs` replays the seeds and every input the fuzzers found through the same
//! functions under a plain `cargo test`. See `docs/fuzzing.md`.

use std::sync::OnceLock;

use crate::article::{Article, CharIndex, LineKind, Source};
use crate::input::{self, dom::Dom, html, json, warc, Item};
use crate::pipeline::{DateOrder, Pipeline};
use crate::stages::{dateline, metadata, segment::Segment, Outcome, Processed, Stages};

/// A fuzz target: runs on any bytes, panics when an invariant breaks.
pub type Target = fn(&[u8]);

/// The targets, by name (the `fuzz/fuzz_targets/` files and the `fuzz/seeds/` folders).
pub const TARGETS: &[(&str, Target)] = &[
    ("dateline", dateline),
    ("segment", segment),
    ("quotes", quotes),
    ("html", html),
    ("json", json),
    ("warc", warc),
];

/// Inputs longer than this are cut: the parsers' cost grows with length, and a fuzzer gains
/// nothing from slow runs (the `fuzz.sh` runs also pass `-max_len=65536`).
const MAX_INPUT: usize = 1 << 16;

fn cut(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT)]
}

// The built-in pipeline and its stages are costly to build (gazetteer automata, lexicons): once
// per process, not once per input.
fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(Pipeline::builtin)
}

fn stages() -> &'static Stages {
    static S: OnceLock<Stages> = OnceLock::new();
    S.get_or_init(|| Stages::new(pipeline()))
}

fn segmenter() -> &'static Segment {
    static S: OnceLock<Segment> = OnceLock::new();
    S.get_or_init(|| Segment::new(&pipeline().segment))
}

/// Asserts that `r` is a non-inverted byte range of `s` whose ends are character boundaries.
#[track_caller]
fn check_range(s: &str, r: (usize, usize), what: &str) {
    assert!(
        r.0 <= r.1 && r.1 <= s.len(),
        "{what}: range {r:?} outside 0..{}",
        s.len()
    );
    assert!(
        s.is_char_boundary(r.0) && s.is_char_boundary(r.1),
        "{what}: range {r:?} splits a character"
    );
}

/// Dateline, metadata line, counters and byline parsers, on every line of the input (and the
/// input as one line), with both day/month orders.
pub fn dateline(data: &[u8]) {
    let text = String::from_utf8_lossy(cut(data));
    for line in text.split('\n').chain(std::iter::once(&*text)) {
        for order in [DateOrder::Mdy, DateOrder::Dmy] {
            if let Some(hit) = dateline::parse_dateline(line, order) {
                check_date_hit(line, &hit);
            }
            if let Some(m) = metadata::meta_line(line, order) {
                if let Some((hit, raw)) = &m.date {
                    check_date_hit(line, hit);
                    assert_eq!(raw, &line[hit.span.clone()], "meta_line date text");
                }
                check_counters(line, &m.counters);
                assert!(
                    m.date.is_some()
                        || !m.authors.is_empty()
                        || m.counters.comments.is_some()
                        || m.counters.views.is_some(),
                    "meta_line accepted a line with nothing in it: {line:?}"
                );
                for a in &m.authors {
                    assert!(!a.trim().is_empty(), "empty author from {line:?}");
                }
            }
        }
        check_counters(line, &metadata::counters(line));
        for part in line.split(['|', '•', '·']) {
            if let Some(names) = metadata::byline(part) {
                assert!(!names.is_empty(), "byline: Some(empty) for {part:?}");
                for n in &names {
                    // Names are trimmed pieces of the part, never invented text.
                    assert!(
                        !n.is_empty() && part.contains(n.as_str()),
                        "byline name {n:?} not in {part:?}"
                    );
                }
            }
        }
    }
}

fn check_date_hit(line: &str, hit: &dateline::DateHit) {
    let r = (hit.span.start, hit.span.end);
    check_range(line, r, "dateline span");
    assert!(r.0 < r.1, "empty dateline span in {line:?}");
    let year = chrono::Datelike::year(&hit.local);
    assert!(
        (1900..=2100).contains(&year),
        "year {year} from {line:?} (the parser promises a sane year)"
    );
    if let Some(m) = hit.offset_minutes {
        // Real zones lie within UTC-12..UTC+14; anything past ±18 h is a parsing error.
        assert!(m.abs() <= 18 * 60, "offset {m} min from {line:?}");
    }
    // The value must convert to the tables' microseconds without overflow.
    let _ = dateline::micros(hit.local);
}

fn check_counters(line: &str, c: &metadata::Counters) {
    for s in &c.spans {
        check_range(line, (s.start, s.end), "counter span");
        assert!(s.start < s.end, "empty counter span in {line:?}");
    }
    for n in [c.comments, c.views].into_iter().flatten() {
        assert!(n >= 0, "negative count {n} from {line:?}");
    }
    let found = usize::from(c.comments.is_some()) + usize::from(c.views.is_some());
    assert!(
        c.spans.len() >= found,
        "count without a span in {line:?}: {c:?}"
    );
}

/// The sentence splitter on each paragraph of the input, and the whole text pipeline (decode,
/// clean, metadata, segment) with its paragraph and sentence invariants.
pub fn segment(data: &[u8]) {
    let data = cut(data);
    let text = String::from_utf8_lossy(data);
    let seg = segmenter();
    for p in text.split("\n\n").chain(std::iter::once(&*text)) {
        check_sentences(p, &seg.sentences(p));
    }
    check_processed_text(data);
}

/// The sentence ranges of paragraph `p`: sorted, disjoint, trimmed, non-empty, and together they
/// hold every non-space character (sentences split only at white space).
fn check_sentences(p: &str, sents: &[(usize, usize)]) {
    let mut prev = 0usize;
    for &(s, e) in sents {
        check_range(p, (s, e), "sentence");
        assert!(s < e, "empty sentence {s}..{e} in {p:?}");
        assert!(s >= prev, "sentences overlap or are out of order in {p:?}");
        let t = &p[s..e];
        assert_eq!(t, t.trim(), "sentence not trimmed in {p:?}");
        assert!(
            p[prev..s].trim().is_empty(),
            "text {:?} between sentences is lost",
            &p[prev..s]
        );
        prev = e;
    }
    assert!(
        p[prev..].trim().is_empty(),
        "text {:?} after the last sentence is lost",
        &p[prev..]
    );
}

/// The whole pipeline on the input as a text file; quotations and mentions checked with the rest.
pub fn quotes(data: &[u8]) {
    check_processed_text(cut(data));
}

fn check_processed_text(data: &[u8]) {
    let o = stages().process_bytes(&Source::named("f.txt"), data);
    check_outcome(&o);
}

/// The HTML parser and extractor on the input as text, and the whole pipeline on it as an
/// `.html` file.
pub fn html(data: &[u8]) {
    let data = cut(data);
    let text = String::from_utf8_lossy(data);
    let dom = Dom::parse(&text);
    check_dom(&dom);
    let decoded = input::dom::decode_entities(&text);
    // A character reference is never shorter than what it stands for, but allow for a table entry
    // that expands (`&nbsp` without `;`) before calling it a blow-up.
    assert!(
        decoded.len() <= 2 * text.len() + 16,
        "entity decoding grew {} bytes to {}",
        text.len(),
        decoded.len()
    );
    let ex = html::extract(&text);
    // The body is built from the page's text and a few separators per element: it cannot outgrow
    // the page by more than a small factor (no duplicated subtrees, no runaway output).
    assert!(
        ex.body.len() <= 3 * text.len() + 64,
        "extracted {} bytes from {} bytes of HTML",
        ex.body.len(),
        text.len()
    );
    let frag = html::fragment_text(&text);
    assert!(
        frag.len() <= 3 * text.len() + 64,
        "fragment text of {} bytes from {} bytes",
        frag.len(),
        text.len()
    );
    // Extraction is deterministic (the run's byte-identical output depends on it).
    assert_eq!(
        html::extract(&text).body,
        ex.body,
        "extract is not deterministic"
    );
    check_processed(&stages().process_raw(&Source::named("f.html"), data.to_vec()));
}

/// The tree is well formed: node 0 is the root, each node is the child of its parent exactly
/// once, and children come after their parent in the arena (walks terminate).
fn check_dom(dom: &Dom) {
    let n = dom.nodes.len();
    assert!(n >= 1 && dom.nodes[0].parent == 0, "no root");
    let mut seen = vec![false; n];
    for (i, node) in dom.nodes.iter().enumerate() {
        for &c in &node.children {
            assert!(c > i && c < n, "child {c} of node {i} out of order");
            assert_eq!(dom.nodes[c].parent, i, "child {c} has another parent");
            assert!(!seen[c], "node {c} is a child twice");
            seen[c] = true;
        }
        if node.is_text() {
            assert!(node.children.is_empty(), "text node {i} has children");
        }
    }
    assert!(
        seen.iter().skip(1).all(|&s| s),
        "a node is not reachable from the root"
    );
}

/// The JSON splitters and sniffer, the `.json`/`.jsonl` openers, and the whole pipeline on the
/// input as a `.jsonl` and a `.json` file.
pub fn json(data: &[u8]) {
    let data = cut(data);
    let lines = json::split_lines(data);
    for (i, (index, raw, _)) in lines.iter().enumerate() {
        assert_eq!(*index as usize, i, "jsonl record indices not dense");
        assert!(!raw.contains(&b'\n'), "a jsonl record spans lines");
        assert!(
            !raw.iter().all(u8::is_ascii_whitespace),
            "a blank line became a record"
        );
    }
    let whole = json::split_json(data);
    // Only an empty array holds no record (found by fuzzing: `[]`); the file still gets its
    // `no_documents` reject row (checked below).
    assert!(
        !whole.is_empty()
            || matches!(serde_json::from_slice(data), Ok(serde_json::Value::Array(a)) if a.is_empty()),
        "split_json returned no record"
    );
    for (i, (index, _, _)) in whole.iter().enumerate() {
        assert_eq!(*index as usize, i, "json record indices not dense");
    }
    if json::sniff(data) == Some(false) {
        assert!(
            serde_json::from_slice::<serde_json::Value>(data.trim_ascii_start()).is_ok(),
            "sniffed as one JSON document but does not parse"
        );
    }
    let cfg = &pipeline().input;
    for name in ["x.jsonl", "x.json"] {
        let opened = input::open(name, data.to_vec(), cfg);
        check_items(&opened.items);
        if !opened.format.contains('+') {
            // Uncompressed: one item per record the splitter found, each a record or a reject.
            let expect = if name == "x.jsonl" {
                lines.len()
            } else {
                whole.len()
            };
            assert_eq!(
                opened.items.len(),
                expect,
                "{name}: records lost or invented"
            );
        }
    }
    check_processed(&stages().process_raw(&Source::named("f.jsonl"), data.to_vec()));
    let p = stages().process_raw(&Source::named("f.json"), data.to_vec());
    check_processed(&p);
    if whole.is_empty() {
        assert!(
            matches!(&p.outcomes[..], [Outcome::Reject(r)] if r.reason == "no_documents"),
            "a JSON file without records must give one no_documents reject"
        );
    }
}

/// Items of an opened file: record indices increase, rejects say why.
fn check_items(items: &[Item]) {
    let mut last: Option<u32> = None;
    for it in items {
        let index = match it {
            Item::Record(r) => r.index,
            Item::Bad {
                index,
                reason,
                message,
                ..
            } => {
                assert!(!reason.is_empty() && !message.is_empty(), "silent reject");
                *index
            }
        };
        if let Some(l) = last {
            assert!(index > l, "record index {index} after {l}");
        }
        last = Some(index);
    }
}

/// The WARC record reader and the whole pipeline on the input as a `.warc` file.
pub fn warc(data: &[u8]) {
    let data = cut(data);
    let mut last: Option<u32> = None;
    let mut spanned = 0u64;
    for e in warc::records(data) {
        let index = match e {
            warc::Entry::Html { index, payload, .. } => {
                // At most the record itself, or what its gzip payload inflates to (capped).
                assert!(
                    payload.len() <= data.len().max(64 << 20),
                    "payload of {} bytes from {} input bytes",
                    payload.len(),
                    data.len()
                );
                Some(index)
            }
            warc::Entry::Skipped { what } => {
                assert!(!what.is_empty(), "skipped record without a kind");
                None
            }
            warc::Entry::Bad {
                index,
                message,
                bytes,
            } => {
                assert!(!message.is_empty(), "bad record without a message");
                spanned += bytes;
                Some(index)
            }
        };
        if let Some(i) = index {
            if let Some(l) = last {
                assert!(i > l, "record index {i} after {l}");
            }
            last = Some(i);
        }
    }
    // Bad records are disjoint stretches of the buffer, whatever their headers claim.
    assert!(
        spanned <= data.len() as u64,
        "bad records span {spanned} bytes of {}",
        data.len()
    );
    let opened = input::open("x.warc", data.to_vec(), &pipeline().input);
    check_items(&opened.items);
    check_processed(&stages().process_raw(&Source::named("f.warc"), data.to_vec()));
}

fn check_processed(p: &Processed) {
    assert!(!p.outcomes.is_empty(), "a file without an outcome");
    p.outcomes.iter().for_each(check_outcome);
}

fn check_outcome(o: &Outcome) {
    match o {
        Outcome::Doc(a) => check_article(a),
        Outcome::Reject(r) => {
            assert!(
                !r.stage.is_empty() && !r.reason.is_empty(),
                "reject without stage or reason: {r:?}"
            );
        }
    }
}

/// Every offset of a finished article: lines in `text`; paragraphs, sentences, mentions and
/// quotations in `body`, on character boundaries, with character spans that match the byte ranges
/// and indices that point at existing rows; score rows one per sentence, paragraph, quotation.
pub fn check_article(a: &Article) {
    for l in &a.lines {
        check_range(&a.text, (l.start, l.end), "line");
        if l.kind == LineKind::Text {
            assert!(
                !a.line(l).trim().is_empty(),
                "blank line classified as text"
            );
        }
    }
    let body = &a.body;
    assert_eq!(a.body_chars as usize, body.chars().count(), "body_chars");
    let idx = CharIndex::new(body);
    let span_ok = |b: (usize, usize), s: crate::article::Span, what: &str| {
        check_range(body, b, what);
        assert_eq!(
            (s.start, s.end),
            (idx.char_at(b.0), idx.char_at(b.1)),
            "{what}: character span does not match byte range {b:?}"
        );
    };

    let mut prev_end = 0usize;
    let mut words = 0u32;
    for (i, p) in a.paragraphs.iter().enumerate() {
        span_ok(p.bytes, p.span, "paragraph");
        assert!(p.bytes.0 < p.bytes.1, "empty paragraph {i}");
        assert!(p.bytes.0 >= prev_end, "paragraphs overlap");
        assert!(p.section_index < a.section_count.max(1), "section index");
        prev_end = p.bytes.1;
        words += p.word_count;
    }
    assert_eq!(words, a.word_count, "paragraph word counts do not add up");

    let mut prev = (0u32, 0usize);
    for (i, s) in a.sentences.iter().enumerate() {
        span_ok(s.bytes, s.span, "sentence");
        assert!(s.bytes.0 < s.bytes.1, "empty sentence {i}");
        let p = a
            .paragraphs
            .get(s.paragraph_index as usize)
            .unwrap_or_else(|| panic!("sentence {i}: no paragraph {}", s.paragraph_index));
        assert!(
            p.bytes.0 <= s.bytes.0 && s.bytes.1 <= p.bytes.1,
            "sentence {i} outside its paragraph"
        );
        assert!(
            (s.paragraph_index, s.bytes.0) >= prev,
            "sentences out of order"
        );
        prev = (s.paragraph_index, s.bytes.1);
        let t = a.sentence_text(s);
        assert!(!t.trim().is_empty() && t == t.trim(), "sentence {i}: {t:?}");
    }
    for (pi, p) in a.paragraphs.iter().enumerate() {
        let sum: u32 = a
            .sentences
            .iter()
            .filter(|s| s.paragraph_index as usize == pi)
            .map(|s| s.word_count)
            .sum();
        assert_eq!(sum, p.word_count, "paragraph {pi}: sentence words");
    }

    let mut prev_m = 0usize;
    for (i, m) in a.mentions.iter().enumerate() {
        span_ok(m.bytes, m.span, "mention");
        assert!(m.bytes.0 < m.bytes.1, "empty mention {i}");
        assert!(m.bytes.0 >= prev_m, "mentions not in body order");
        prev_m = m.bytes.0;
        assert!(
            (m.sentence_index as usize) < a.sentences.len(),
            "mention {i}: no sentence {}",
            m.sentence_index
        );
        assert!(!m.actor_id.is_empty(), "mention {i} without actor");
    }

    let mut prev_q = 0usize;
    for (i, q) in a.quotes.iter().enumerate() {
        span_ok(q.bytes, q.span, "quote");
        // The `quotes` table writes `body[bytes]` as the quotation's text: it must hold words.
        let t = &body[q.bytes.0..q.bytes.1];
        assert!(!t.trim().is_empty(), "quote {i} is empty: {:?}", q.bytes);
        assert!(q.bytes.0 >= prev_q, "quotes not in body order");
        prev_q = q.bytes.0;
        assert!(
            (q.paragraph_index as usize) < a.paragraphs.len(),
            "quote {i}: no paragraph {}",
            q.paragraph_index
        );
        // The paragraph where it starts: the quote's words begin at or after that paragraph.
        assert!(
            a.paragraphs[q.paragraph_index as usize].bytes.0 <= q.bytes.0,
            "quote {i} starts before its paragraph"
        );
        for (what, s) in [
            ("speaker", &q.speaker),
            ("speaker_role", &q.speaker_role),
            ("cue", &q.cue),
        ] {
            if let Some(s) = s {
                assert!(!s.trim().is_empty(), "quote {i}: empty {what}");
            }
        }
    }

    let sc = &a.scores;
    for (what, tones, n) in [
        ("sentence", &sc.sentence_tone, a.sentences.len()),
        ("paragraph", &sc.paragraph_tone, a.paragraphs.len()),
        ("quote", &sc.quote_tone, a.quotes.len()),
    ] {
        assert!(
            tones.is_empty() || tones.len() == n,
            "{} {what} tones for {n} rows",
            tones.len()
        );
        for t in tones {
            let v = t.score();
            assert!(
                v.is_finite() && (-1.0..=1.0).contains(&v),
                "{what} tone {v}"
            );
        }
    }
    let t = sc.document_tone.score();
    assert!(
        t.is_finite() && (-1.0..=1.0).contains(&t),
        "document tone {t}"
    );
}
