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

/// The seven article fields of a JSON record, each a `T`. `[input.json]` holds their names
/// ([`JsonFields`]: `None` tries the exporters' names), a record their values ([`Fields`]:
/// authors joined with `; `), and [`DEFAULT_NAMES`] the exporters' names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ArticleFields<T> {
    /// Article text (plain or HTML).
    pub text: T,
    /// Headline.
    pub title: T,
    /// Publication date as written.
    pub date: T,
    /// URL.
    pub url: T,
    /// Author(s): a string, or an array of strings.
    pub author: T,
    /// Site or publisher.
    pub site: T,
    /// Language code.
    pub language: T,
}

impl<T> ArticleFields<T> {
    /// One value per field, made from its `[input.json]` key (`"text"`, `"title"`, …).
    pub fn from_key(mut f: impl FnMut(&'static str) -> T) -> Self {
        ArticleFields {
            text: f("text"),
            title: f("title"),
            date: f("date"),
            url: f("url"),
            author: f("author"),
            site: f("site"),
            language: f("language"),
        }
    }

    /// Field by field, `f` of this field and the other's.
    pub fn zip<U, V>(
        &self,
        other: &ArticleFields<U>,
        mut f: impl FnMut(&T, &U) -> V,
    ) -> ArticleFields<V> {
        ArticleFields {
            text: f(&self.text, &other.text),
            title: f(&self.title, &other.title),
            date: f(&self.date, &other.date),
            url: f(&self.url, &other.url),
            author: f(&self.author, &other.author),
            site: f(&self.site, &other.site),
            language: f(&self.language, &other.language),
        }
    }
}

/// The values of a record's article fields.
pub type Fields = ArticleFields<Option<String>>;

/// The exporters' field names, tried in order for a field `[input.json]` does not name.
pub const DEFAULT_NAMES: ArticleFields<&[&str]> = ArticleFields {
    text: &[
        "text",
        "maintext",
        "content",
        "article_text",
        "articleBody",
        "body",
        "raw_text",
    ],
    title: &["title", "headline", "title_page"],
    date: &[
        "date",
        "date_publish",
        "publish_date",
        "published",
        "datePublished",
        "pubdate",
        "published_at",
    ],
    url: &["url", "source_url", "link", "canonical_url"],
    author: &["authors", "author", "byline"],
    site: &[
        "site",
        "sitename",
        "source_domain",
        "hostname",
        "publisher",
        "source",
    ],
    language: &["language", "lang"],
};

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
    Some(map.zip(&DEFAULT_NAMES, |chosen, defaults| pick(o, chosen, defaults)))
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
