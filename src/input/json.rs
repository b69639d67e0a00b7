//! JSON and JSON lines: one article per object.
//!
//! A `.json` file holds one object or an array of them; `.jsonl`/`.ndjson` one object per line
//! (blank lines are not records). Fields are found through `[input.json]`: each key names the field
//! to read, or, when not set, the first present of the names the common exporters use
//! (news-please's `maintext`/`date_publish`/`source_domain`, newspaper's `text`/`publish_date`/
//! `authors`, trafilatura's `text`/`raw_text`/`hostname`/`sitename`). Arrays (of authors) are joined
//! with `; `; a text field holding markup is read as HTML.

use serde_json::Value;

use crate::pipeline::JsonFields;

/// An object's article fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields {
    /// Article text (plain or HTML).
    pub text: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Publication date as written.
    pub date: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Authors, `; `-separated.
    pub author: Option<String>,
    /// Site or publisher.
    pub site: Option<String>,
    /// Language code.
    pub language: Option<String>,
}

/// Exporters' field names, tried in order when the pipeline names none.
pub const DEFAULT_TEXT: &[&str] = &[
    "text",
    "maintext",
    "content",
    "article_text",
    "articleBody",
    "body",
    "raw_text",
];
/// Default title fields.
pub const DEFAULT_TITLE: &[&str] = &["title", "headline", "title_page"];
/// Default date fields.
pub const DEFAULT_DATE: &[&str] = &[
    "date",
    "date_publish",
    "publish_date",
    "published",
    "datePublished",
    "pubdate",
    "published_at",
];
/// Default URL fields.
pub const DEFAULT_URL: &[&str] = &["url", "source_url", "link", "canonical_url"];
/// Default author fields.
pub const DEFAULT_AUTHOR: &[&str] = &["authors", "author", "byline"];
/// Default site fields.
pub const DEFAULT_SITE: &[&str] = &[
    "site",
    "sitename",
    "source_domain",
    "hostname",
    "publisher",
    "source",
];
/// Default language fields.
pub const DEFAULT_LANGUAGE: &[&str] = &["language", "lang"];

fn value_str(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(value_str).collect();
            parts.join("; ")
        }
        Value::Object(o) => o.get("name").and_then(value_str)?,
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn pick(
    o: &serde_json::Map<String, Value>,
    chosen: &Option<String>,
    defaults: &[&str],
) -> Option<String> {
    match chosen {
        Some(k) => o.get(k).and_then(value_str),
        None => defaults.iter().find_map(|k| o.get(*k).and_then(value_str)),
    }
}

/// Reads the article fields of one object.
pub fn fields(v: &Value, map: &JsonFields) -> Option<Fields> {
    let o = v.as_object()?;
    Some(Fields {
        text: pick(o, &map.text, DEFAULT_TEXT),
        title: pick(o, &map.title, DEFAULT_TITLE),
        date: pick(o, &map.date, DEFAULT_DATE),
        url: pick(o, &map.url, DEFAULT_URL),
        author: pick(o, &map.author, DEFAULT_AUTHOR),
        site: pick(o, &map.site, DEFAULT_SITE),
        language: pick(o, &map.language, DEFAULT_LANGUAGE),
    })
}

/// One record of a JSON file: its index, raw bytes, and the parsed value or the parse error.
pub type RawRecord = (u32, Vec<u8>, Result<Value, String>);

/// Splits a `.json` file (object or array) into records.
pub fn split_json(text: &[u8]) -> Vec<RawRecord> {
    match serde_json::from_slice::<Value>(text) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let raw = serde_json::to_vec(&v).unwrap_or_default();
                (i as u32, raw, Ok(v))
            })
            .collect(),
        Ok(v) => vec![(0, text.to_vec(), Ok(v))],
        Err(e) => vec![(0, text.to_vec(), Err(format!("not valid JSON: {e}")))],
    }
}

/// Splits a JSON-lines file into records (one per non-blank line).
pub fn split_lines(text: &[u8]) -> Vec<RawRecord> {
    let mut out = Vec::new();
    let mut index = 0u32;
    for (line_no, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = serde_json::from_slice::<Value>(line)
            .map_err(|e| format!("line {}: not valid JSON: {e}", line_no + 1));
        out.push((index, line.to_vec(), parsed));
        index += 1;
    }
    out
}

/// Whether a file without a telling extension is JSON lines (every one of its first lines an
/// object) or one JSON document.
pub fn sniff(text: &[u8]) -> Option<bool> {
    let t = text.trim_ascii_start();
    if !(t.starts_with(b"{") || t.starts_with(b"[")) {
        return None;
    }
    if serde_json::from_slice::<Value>(t).is_ok() {
        return Some(false);
    }
    let first = t.split(|&b| b == b'\n').next()?;
    serde_json::from_slice::<serde_json::Map<String, Value>>(first)
        .ok()
        .map(|_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exporter_defaults_and_mapping() {
        let news_please = serde_json::json!({"maintext": "Body.", "title": "T", "date_publish": "2020-01-02 10:00:00", "authors": ["A B", "C D"], "source_domain": "example.com", "url": "https://example.com/x"});
        let f = fields(&news_please, &JsonFields::default()).unwrap();
        assert_eq!(f.text.as_deref(), Some("Body."));
        assert_eq!(f.author.as_deref(), Some("A B; C D"));
        assert_eq!(f.date.as_deref(), Some("2020-01-02 10:00:00"));
        assert_eq!(f.site.as_deref(), Some("example.com"));
        let custom = JsonFields {
            text: Some("content".into()),
            ..JsonFields::default()
        };
        let v = serde_json::json!({"content": "Mine.", "text": "Not this."});
        assert_eq!(fields(&v, &custom).unwrap().text.as_deref(), Some("Mine."));
        assert!(fields(&serde_json::json!([1]), &custom).is_none());
    }

    #[test]
    fn splitting() {
        let recs = split_lines(b"{\"a\":1}\n\n{bad\n{\"b\":2}\r\n");
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[2].0, 2);
        assert!(recs[1].2.as_ref().unwrap_err().starts_with("line 3:"));
        assert_eq!(split_json(b"[{\"a\":1},{\"a\":2}]").len(), 2);
        assert_eq!(sniff(b"{\"a\":1}\n{\"a\":2}\n"), Some(true));
        assert_eq!(sniff(b" [{\"a\":1}]"), Some(false));
        assert_eq!(sniff(b"[Updated] A headline"), None);
    }
}
