//! `documents`: one row per article.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Article;

/// The table.
pub const TABLE: Table = Table {
    name: "documents",
    doc: "One row per article: where it came from, its metadata, its cleaned body and counts.",
    columns: &[
        col("doc_id", Key, false, "Stable id: hash of the source key (input folder name + path below it), record index and raw content. Joins every table."),
        col("source_path", Utf8, false, "Path of the input file as discovered (input argument joined with the path below it)."),
        col("record_index", Int32, false, "Index of the record inside its file (0 for one-article files)."),
        col("source_format", Utf8, false, "Input format: `text`, `html`, `json`, `jsonl` or `warc`, with `+gzip`, `+zstd` or `+bzip2` when the file is compressed (`warc+gzip`)."),
        col("content_hash", Key, false, "xxh3-128 of the raw record bytes, hex."),
        col("bytes", Int64, false, "Size of the raw record in bytes."),
        col("encoding", Utf8, false, "Encoding the bytes were decoded from (`UTF-8`, `UTF-16LE`, `UTF-16BE`, `windows-1252`, …)."),
        col("title", Text, true, "Headline: the first real line, when it reads like one."),
        col("body", Text, false, "Cleaned text: paragraphs joined by a blank line (`\\n\\n`), sections by two (`\\n\\n\\n`); no title, dateline, byline or chrome. All offsets point into it."),
        col("published_at", Timestamp, true, "Publication date and time as printed (wall clock, no zone); midnight when only a date is given."),
        col("published_utc", TimestampUtc, true, "The same instant in UTC; only when the dateline states a zone or offset."),
        col("utc_offset_minutes", Int32, true, "The stated offset from UTC in minutes (`+09:00` = 540, `GMT` = 0)."),
        col("published_raw", Utf8, true, "The dateline's date text as printed, e.g. `December 2, 2017 12:58 pm`."),
        col("author", Utf8, true, "Author names from the byline, `; `-separated, as printed."),
        col("site", Utf8, true, "Site or publisher: the page's `og:site_name` or JSON-LD publisher, a JSON record's site field, else the URL's host (null for plain text)."),
        col("url", Utf8, true, "URL of the article: `WARC-Target-URI`, a JSON record's URL field, or an HTML page's canonical URL (null for plain text)."),
        col("captured_at", TimestampUtc, true, "When a crawler fetched the page (`WARC-Date`); null for other inputs."),
        col("comment_count", Int64, true, "Reader comments shown on the page (`75 comments`, `No Comments` = 0)."),
        col("view_count", Int64, true, "Views shown on the page (`Views: 133`)."),
        col("language", Utf8, true, "ISO 639-1 code of the body's language (en, fr, de, es, it, pt, nl), null when unsure."),
        col("word_count", Int32, false, "Words in the body (tokens with a letter or digit)."),
        col("section_count", Int32, false, "Sections (groups of paragraphs separated by two or more blank lines)."),
        col("paragraph_count", Int32, false, "Paragraphs in the body."),
        col("sentence_count", Int32, false, "Sentences in the body."),
        col("mention_count", Int32, false, "Actor mentions in the body (rows in `mentions`)."),
        col("actors", ListUtf8, false, "Distinct actor ids mentioned, most mentioned first (ties by id)."),
        col("quote_count", Int32, false, "Quotations (rows in `quotes`)."),
        col("tone", Float32, true, "Tone of the body in [-1, 1] from the valence lexicon and its rules (negation, boosters, contrast, questions; slogans in quotation marks excluded): (pos - neg) / (pos + neg + 1) over every sentence's cues. Null when scoring is off."),
        col("tone_confidence", Float32, true, "Confidence in `tone`, in [0, 1]: grows with the amount of evidence, lowered by hedges (`could`, `might`)."),
        col("positive_pct", Float32, true, "GDELT-style: percentage of the body's words that carry positive valence."),
        col("negative_pct", Float32, true, "GDELT-style: percentage of the body's words that carry negative valence."),
        col("polarity_pct", Float32, true, "GDELT-style: `positive_pct + negative_pct`, how emotionally charged the text is."),
        col("chrome_removed", ListUtf8, false, "Page-chrome lines removed by the clean stage, in order."),
        col("duplicate_of", Key, true, "doc_id of the first document (in input order) with an identical body; null for the first."),
        col("warnings", ListUtf8, false, "Non-fatal notes: `encoding_detected:NAME`, `replacement_chars:N`, `date_order_swapped`, `no_body`."),
    ],
};

/// Appends one article.
pub fn push(b: &mut BatchBuilder, a: &Article, duplicate_of: Option<&str>) {
    let m = &a.meta;
    b.str(Some(&a.doc_id));
    b.str(Some(&a.source.display));
    b.i32(Some(a.source.record_index as i32));
    b.str(Some(&a.source_format));
    b.str(Some(&a.content_hash));
    b.i64(Some(a.bytes as i64));
    b.str(Some(a.encoding));
    b.str(m.title.as_deref());
    b.str(Some(&a.body));
    b.ts(m.published_at);
    b.ts(m.published_utc);
    b.i32(m.utc_offset_minutes);
    b.str(m.published_raw.as_deref());
    b.str(m.author.as_deref());
    b.str(m.site.as_deref());
    b.str(m.url.as_deref());
    b.ts(m.captured_at);
    b.i64(m.comment_count);
    b.i64(m.view_count);
    b.str(m.language);
    b.i32(Some(a.word_count as i32));
    b.i32(Some(a.section_count as i32));
    b.i32(Some(a.paragraphs.len() as i32));
    b.i32(Some(a.sentences.len() as i32));
    b.i32(Some(a.mentions.len() as i32));
    let ranked: Vec<&str> = a.actor_counts().into_iter().map(|(id, _)| id).collect();
    b.strs(&ranked);
    b.i32(Some(a.quotes.len() as i32));
    let scored =
        a.scores.sentence_tone.len() == a.sentences.len() && !a.scores.sentence_cues.is_empty();
    let t = &a.scores.document_tone;
    let pct = |n: u32| 100.0 * n as f32 / a.word_count.max(1) as f32;
    b.f32(scored.then(|| t.score()));
    b.f32(scored.then(|| t.confidence()));
    b.f32(scored.then(|| pct(t.pos_words)));
    b.f32(scored.then(|| pct(t.neg_words)));
    b.f32(scored.then(|| pct(t.pos_words + t.neg_words)));
    b.strs(&a.chrome_removed);
    b.str(duplicate_of);
    b.strs(&a.warnings);
}
