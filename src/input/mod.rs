//! Input formats: what a file holds, and the records inside it.
//!
//! One discovered file is opened here: unwrapped when compressed (gzip, zstd, bzip2, by signature,
//! within the `[input]` limits), then read by its extension (`.html`/`.htm`, `.json`, `.jsonl`/
//! `.ndjson`, `.warc`) or, for any other name, by its content (`WARC/1.`, an HTML document, JSON).
//! Everything else is plain text and takes exactly the path it always took. A container yields one
//! [`Item`] per record, each with its record index: a record to run through the stages, or a bad
//! record that becomes a reject. The stages get text in the form they expect (title line, then
//! paragraphs separated by a blank line, sections by two) plus [`Hints`]: what the page or record
//! states about itself, which wins over what the metadata stage reads from the text.

pub mod compress;
pub mod dom;
pub mod html;
pub mod json;
pub mod warc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

use crate::article::Article;
use crate::pipeline::{DateOrder, InputConfig};
use compress::Codec;

/// Metadata a record states about itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hints {
    /// Headline.
    pub title: Option<String>,
    /// Publication date as written.
    pub published: Option<String>,
    /// Modification date as written (a fallback for the publication date).
    pub modified: Option<String>,
    /// Authors, `; `-separated.
    pub author: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Site or publisher.
    pub site: Option<String>,
    /// Language tag.
    pub lang: Option<String>,
    /// Comments shown.
    pub comment_count: Option<i64>,
    /// Views shown.
    pub view_count: Option<i64>,
    /// When a crawler fetched it (`WARC-Date`).
    pub captured: Option<String>,
}

/// How a record's bytes are to be read.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// Plain text: the decode stage as for any text file.
    Text,
    /// An HTML page, with the charset its transport declared.
    Html {
        /// `charset` of an HTTP `Content-Type`.
        charset: Option<String>,
    },
    /// Text already extracted (a JSON record's fields).
    Prepared(String),
}

/// One record to process.
#[derive(Clone, Debug)]
pub struct Record {
    /// Index in the file (0 for single-record files).
    pub index: u32,
    /// The record's bytes (hashed into `content_hash` and `doc_id`).
    pub raw: Vec<u8>,
    /// How to read them.
    pub payload: Payload,
    /// What the container says about the record.
    pub hints: Hints,
}

/// A record, or a record that cannot be read.
#[derive(Clone, Debug)]
pub enum Item {
    /// To process.
    Record(Box<Record>),
    /// A reject.
    Bad {
        /// Record index.
        index: u32,
        /// Reason code.
        reason: &'static str,
        /// Detail.
        message: String,
        /// Size, when known.
        bytes: u64,
    },
}

/// An opened file.
#[derive(Debug)]
pub struct Opened {
    /// `text`, `html`, `json`, `jsonl`, `warc`, with `+gzip`/`+zstd`/`+bzip2` when compressed.
    pub format: String,
    /// Its records, in order.
    pub items: Vec<Item>,
    /// Records skipped on purpose (WARC requests, metadata, redirects), one description each.
    pub skipped: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Html,
    Json,
    Jsonl,
    Warc,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Warc => "warc",
        }
    }

    fn from_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "html" | "htm" | "xhtml" | "shtml" => Format::Html,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "warc" => Format::Warc,
            _ => return None,
        })
    }

    fn sniff(bytes: &[u8]) -> Format {
        let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        if warc::looks_like_warc(b) {
            Format::Warc
        } else if html::looks_like_document(b) {
            Format::Html
        } else {
            match json::sniff(b) {
                Some(true) => Format::Jsonl,
                Some(false) => Format::Json,
                None => Format::Text,
            }
        }
    }
}

fn bad(index: u32, reason: &'static str, message: String, bytes: usize) -> Item {
    Item::Bad {
        index,
        reason,
        message,
        bytes: bytes as u64,
    }
}

/// Opens one file's bytes: unwraps compression, finds the format, splits records.
pub fn open(name: &str, raw: Vec<u8>, cfg: &InputConfig) -> Opened {
    let raw_len = raw.len();
    let inner_name = Codec::strip_suffix(name).map_or(name, |(n, _)| n);
    let (bytes, codec, broken) = match Codec::sniff(&raw) {
        None => (raw, None, None),
        Some(c) => match compress::inflate(&raw, c, cfg) {
            Ok(i) => (i.bytes, Some(c), i.broken),
            Err(r) => {
                return Opened {
                    format: format!("unknown+{}", c.name()),
                    items: vec![bad(0, r.reason, r.message, raw.len())],
                    skipped: Vec::new(),
                }
            }
        },
    };
    let format = Format::from_name(inner_name).unwrap_or_else(|| Format::sniff(&bytes));
    let label = match codec {
        Some(c) => format!("{}+{}", format.name(), c.name()),
        None => format.name().to_string(),
    };
    if let (Some(err), Some(c)) = (&broken, codec) {
        // Only a WARC can use what came before the break: its records stand alone.
        if format != Format::Warc || bytes.is_empty() {
            return Opened {
                format: label,
                items: vec![bad(
                    0,
                    "corrupt",
                    format!(
                        "{}-compressed data is corrupt or truncated: {err}",
                        c.name()
                    ),
                    raw_len,
                )],
                skipped: Vec::new(),
            };
        }
    }
    let mut skipped = Vec::new();
    let items = match format {
        Format::Text => vec![Item::Record(Box::new(Record {
            index: 0,
            raw: bytes,
            payload: Payload::Text,
            hints: Hints::default(),
        }))],
        Format::Html => vec![Item::Record(Box::new(Record {
            index: 0,
            raw: bytes,
            payload: Payload::Html { charset: None },
            hints: Hints::default(),
        }))],
        Format::Json | Format::Jsonl => {
            let recs = if format == Format::Json {
                json::split_json(&bytes)
            } else {
                json::split_lines(&bytes)
            };
            recs.into_iter()
                .map(|(i, raw, v)| json_record(i, raw, v, cfg))
                .collect()
        }
        Format::Warc => {
            let mut items = Vec::new();
            let mut last_index = None;
            for e in warc::records(&bytes) {
                match e {
                    warc::Entry::Html {
                        index,
                        url,
                        date,
                        charset,
                        payload,
                    } => {
                        last_index = Some(index);
                        items.push(Item::Record(Box::new(Record {
                            index,
                            raw: payload,
                            payload: Payload::Html { charset },
                            hints: Hints {
                                url,
                                captured: date,
                                ..Hints::default()
                            },
                        })))
                    }
                    warc::Entry::Skipped { what } => skipped.push(what),
                    warc::Entry::Bad {
                        index,
                        message,
                        bytes,
                    } => {
                        last_index = Some(index);
                        items.push(Item::Bad {
                            index,
                            reason: "bad_record",
                            message,
                            bytes,
                        })
                    }
                }
            }
            if let (Some(err), Some(c)) = (broken, codec) {
                let index = last_index.map_or(0, |i| i + 1);
                items.push(bad(
                    index,
                    "bad_record",
                    format!(
                        "{}-compressed stream breaks off after the records before this one: {err}",
                        c.name()
                    ),
                    0,
                ));
            }
            items
        }
    };
    Opened {
        format: label,
        items,
        skipped,
    }
}

fn json_record(
    index: u32,
    raw: Vec<u8>,
    v: Result<serde_json::Value, String>,
    cfg: &InputConfig,
) -> Item {
    let v = match v {
        Ok(v) => v,
        Err(e) => return bad(index, "bad_record", e, raw.len()),
    };
    let Some(f) = json::fields(&v, &cfg.json) else {
        return bad(
            index,
            "bad_record",
            "not a JSON object (one article per object)".into(),
            raw.len(),
        );
    };
    let Some(text) = f.text.as_deref() else {
        let wanted = cfg
            .json
            .text
            .clone()
            .unwrap_or_else(|| json::DEFAULT_NAMES.text.join("`, `"));
        return bad(
            index,
            "no_text",
            format!("no article text: none of the fields `{wanted}` is a non-empty string (set [input.json] text)"),
            raw.len(),
        );
    };
    let body = if html::looks_like_markup(text) {
        if html::looks_like_document(text.as_bytes()) {
            html::extract(text).body
        } else {
            html::fragment_text(text)
        }
    } else {
        text.to_string()
    };
    let mut prepared = String::new();
    if let Some(t) = &f.title {
        prepared.push_str(&dom::collapse_ws(t));
        prepared.push_str("\n\n");
    }
    prepared.push_str(&body);
    Item::Record(Box::new(Record {
        index,
        raw,
        payload: Payload::Prepared(prepared),
        hints: Hints {
            title: f.title.map(|t| dom::collapse_ws(&t)),
            published: f.date,
            author: f.author,
            url: f.url.clone(),
            site: f.site.or_else(|| f.url.as_deref().and_then(html::url_host)),
            lang: f.language,
            ..Hints::default()
        },
    }))
}

/// Parses a structured date (`2024-05-01`, `2024-05-01T10:00:00+02:00`, RFC 2822) or, failing
/// that, a printed one: (wall clock µs, UTC µs, offset minutes).
pub fn parse_date(s: &str, order: DateOrder) -> Option<(i64, Option<i64>, Option<i32>)> {
    let t = s.trim();
    let with_offset = DateTime::parse_from_rfc3339(t)
        .or_else(|_| DateTime::parse_from_rfc3339(&t.replacen(' ', "T", 1)))
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z"))
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M%:z"))
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M%z"))
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S %z"))
        .or_else(|_| DateTime::parse_from_rfc2822(t));
    if let Ok(d) = with_offset {
        return Some(from_offset(d));
    }
    let t_noz = t.trim_end_matches('Z');
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t_noz, f) {
            let us = n.and_utc().timestamp_micros();
            // A trailing `Z` states UTC.
            return Some(if t.ends_with('Z') {
                (us, Some(us), Some(0))
            } else {
                (us, None, None)
            });
        }
    }
    let date_part = t.get(..10).unwrap_or(t);
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(date_part, f) {
            if date_part.len() == t.len() || !t.as_bytes()[10].is_ascii_digit() {
                let us = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros();
                return Some((us, None, None));
            }
        }
    }
    let hit = crate::stages::dateline::parse_dateline(t, order)?;
    let local = crate::stages::dateline::micros(hit.local);
    Some((
        local,
        hit.offset_minutes
            .map(|m| local - i64::from(m) * 60_000_000),
        hit.offset_minutes,
    ))
}

fn from_offset(d: DateTime<FixedOffset>) -> (i64, Option<i64>, Option<i32>) {
    let local = d.naive_local().and_utc().timestamp_micros();
    (
        local,
        Some(d.timestamp_micros()),
        Some(d.offset().local_minus_utc() / 60),
    )
}

/// ISO 639-1 codes a page's `lang` may name (`language` holds `&'static str`).
const LANGS: &[&str] = &[
    "en", "fr", "de", "es", "it", "pt", "nl", "ru", "zh", "ja", "ko", "ar", "hi", "tr", "pl", "sv",
    "da", "no", "nb", "fi", "cs", "sk", "el", "he", "id", "ms", "uk", "ro", "hu", "vi", "th", "fa",
    "ur", "bn", "ta", "te", "mr", "bg", "hr", "sr", "sl", "lt", "lv", "et", "ca", "eu", "gl", "tl",
    "sw", "af",
];

/// Applies a record's hints to an article after the metadata stage (they win over the text), and
/// marks the title line as metadata so it is not body.
pub fn apply_hints(a: &mut Article, h: &Hints, order: DateOrder) {
    if let Some(t) = &h.title {
        let want = dom::collapse_ws(t);
        let first = a
            .lines
            .iter()
            .position(|l| l.kind != crate::article::LineKind::Blank);
        if let Some(i) = first {
            let l = a.lines[i];
            if dom::collapse_ws(&a.text[l.start..l.end]) == want {
                a.lines[i].kind = crate::article::LineKind::Meta;
            }
        }
        a.meta.title = Some(want);
    }
    let date = h
        .published
        .as_deref()
        .and_then(|d| parse_date(d, order).map(|p| (d, p)))
        .or_else(|| {
            h.modified
                .as_deref()
                .and_then(|d| parse_date(d, order).map(|p| (d, p)))
        });
    if let Some((raw, (local, utc, offset))) = date {
        a.meta.published_at = Some(local);
        a.meta.published_utc = utc;
        a.meta.utc_offset_minutes = offset;
        a.meta.published_raw = Some(raw.trim().to_string());
    }
    if let Some(au) = &h.author {
        a.meta.author = Some(au.clone());
    }
    if h.url.is_some() {
        a.meta.url = h.url.clone();
    }
    a.meta.site = h
        .site
        .clone()
        .or_else(|| a.meta.url.as_deref().and_then(html::url_host));
    if h.comment_count.is_some() {
        a.meta.comment_count = h.comment_count;
    }
    if h.view_count.is_some() {
        a.meta.view_count = h.view_count;
    }
    a.meta.captured_at = h
        .captured
        .as_deref()
        .and_then(|c| DateTime::parse_from_rfc3339(c.trim()).ok())
        .map(|d| d.timestamp_micros());
}

/// After language detection: the page's declared language when detection had no answer.
pub fn apply_lang(a: &mut Article, h: &Hints) {
    if a.meta.language.is_some() {
        return;
    }
    let Some(tag) = &h.lang else { return };
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    a.meta.language = LANGS.iter().find(|l| **l == primary).copied();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let o = DateOrder::Mdy;
        let (l, u, off) = parse_date("2024-05-01T10:30:00+02:00", o).unwrap();
        assert_eq!(u.unwrap() - l, -2 * 3600 * 1_000_000);
        assert_eq!(off, Some(120));
        let (l, u, _) = parse_date("2024-05-01T10:30:00Z", o).unwrap();
        assert_eq!(Some(l), u);
        let (l, u, _) = parse_date("2024-05-01", o).unwrap();
        assert_eq!((l, u), (1_714_521_600_000_000, None));
        assert!(parse_date("2024-05-01 10:30:00", o).is_some());
        assert!(parse_date("Wed, 01 May 2024 10:30:00 GMT", o).is_some());
        assert!(parse_date("May 1, 2024", o).is_some());
        assert!(parse_date("yesterday", o).is_none());
    }

    #[test]
    fn formats_by_name_and_content() {
        assert_eq!(Format::from_name("a/b.HTM"), Some(Format::Html));
        assert_eq!(Format::from_name("x.ndjson"), Some(Format::Jsonl));
        assert_eq!(Format::from_name("x.txt"), None);
        assert_eq!(Format::sniff(b"WARC/1.1\r\n"), Format::Warc);
        assert_eq!(
            Format::sniff(b"\xef\xbb\xbf <!DOCTYPE html><html>"),
            Format::Html
        );
        assert_eq!(
            Format::sniff(b"Headline\n\n<b>not a page</b>"),
            Format::Text
        );
    }
}
