//! A TOML tree that remembers where every key was written.
//!
//! Pipeline files can `extends` one another, so after merging a value may come from any file of the
//! chain. Each node keeps the file, line and column it came from, which lets the reader report
//! `pipelines/x.toml:12:3: stages.clean.lines: …` for any problem, and lets [`Reader`] collect every
//! problem of every file in one pass instead of stopping at the first (what `serde` would do).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

/// Where a key or value was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    /// The file's name as the user gave it (or `<built-in default>`).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// One problem in a pipeline file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where it was found.
    pub loc: Loc,
    /// Dotted key path, e.g. `stages.clean.lines`; empty for syntax errors.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.loc, self.message)
        } else {
            write!(f, "{}: `{}`: {}", self.loc, self.key, self.message)
        }
    }
}

/// A TOML value with its location.
#[derive(Clone, Debug)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value starts.
    pub loc: Loc,
}

/// The value kinds of a pipeline file.
#[derive(Clone, Debug)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date or time literal (pipelines have no use for them; kept to report a clear error).
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table; keys map to (key location, value).
    Table(BTreeMap<String, (Loc, Node)>),
}

impl Value {
    /// The TOML name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Bool(_) => "boolean",
            Value::Datetime(_) => "datetime",
            Value::Array(_) => "array",
            Value::Table(_) => "table",
        }
    }
}

/// Maps byte offsets of one source text to line and column.
struct LineIndex<'a> {
    file: Arc<str>,
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(file: Arc<str>, src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        LineIndex { file, src, starts }
    }

    fn loc(&self, offset: usize) -> Loc {
        let offset = offset.min(self.src.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = self
            .src
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Loc {
            file: self.file.clone(),
            line,
            col,
        }
    }
}

/// Parses `src` (named `file` in messages) into a located tree, or every syntax error found.
pub fn parse(file: &str, src: &str) -> Result<Node, Vec<Problem>> {
    let index = LineIndex::new(Arc::from(file), src);
    let (table, errors) = DeTable::parse_recoverable(src);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| Problem {
                loc: index.loc(e.span().map_or(0, |s| s.start)),
                key: String::new(),
                message: first_line(e.message()),
            })
            .collect());
    }
    let loc = index.loc(0);
    Ok(Node {
        value: convert_table(&index, table.get_ref()),
        loc,
    })
}

fn first_line(s: &str) -> String {
    s.trim()
        .lines()
        .next()
        .unwrap_or("syntax error")
        .to_string()
}

fn convert_table(index: &LineIndex<'_>, t: &DeTable<'_>) -> Value {
    let mut out = BTreeMap::new();
    for (k, v) in t.iter() {
        let kloc = index.loc(k.span().start);
        out.insert(k.get_ref().to_string(), (kloc, convert(index, v)));
    }
    Value::Table(out)
}

fn convert(index: &LineIndex<'_>, v: &toml::Spanned<DeValue<'_>>) -> Node {
    let loc = index.loc(v.span().start);
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        // Out of i64 range: reported by the reader as a range problem via a float.
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Float(f64::INFINITY),
        },
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|x| convert(index, x)).collect()),
        DeValue::Table(t) => convert_table(index, t),
    };
    Node { value, loc }
}

/// Merges `child` over `base`: tables merge key by key, everything else in `child` replaces.
pub fn merge(base: Node, child: Node) -> Node {
    match (base.value, child.value) {
        (Value::Table(mut b), Value::Table(c)) => {
            for (k, (kloc, cv)) in c {
                let merged = match b.remove(&k) {
                    Some((_, bv)) => merge(bv, cv),
                    None => cv,
                };
                b.insert(k, (kloc, merged));
            }
            Node {
                value: Value::Table(b),
                loc: child.loc,
            }
        }
        (_, cv) => Node {
            value: cv,
            loc: child.loc,
        },
    }
}

/// Reads a table key by key, recording type problems and, on [`Section::finish`], unknown keys.
///
/// Every getter marks its key as known; whatever was not asked for is reported as unknown, so the
/// list of accepted keys is exactly the code that reads them and cannot drift from it.
pub struct Section<'a> {
    path: String,
    loc: Loc,
    entries: Option<&'a BTreeMap<String, (Loc, Node)>>,
    used: Vec<&'static str>,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Section<'a> {
    /// A section for the table `node` at dotted `path` (`""` for the root).
    pub fn new(path: &str, node: Option<&'a Node>, problems: &'a mut Vec<Problem>) -> Self {
        let mut entries = None;
        let mut loc = Loc {
            file: Arc::from("<pipeline>"),
            line: 1,
            col: 1,
        };
        if let Some(n) = node {
            loc = n.loc.clone();
            match &n.value {
                Value::Table(t) => entries = Some(t),
                other => problems.push(Problem {
                    loc: n.loc.clone(),
                    key: path.to_string(),
                    message: format!("expected a table, found {}", other.type_name()),
                }),
            }
        }
        Section {
            path: path.to_string(),
            loc,
            entries,
            used: Vec::new(),
            problems,
        }
    }

    fn full(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{}", self.path, key)
        }
    }

    /// The raw node under `key`, marking it known.
    pub fn node(&mut self, key: &'static str) -> Option<&'a Node> {
        self.used.push(key);
        self.entries.and_then(|e| e.get(key)).map(|(_, n)| n)
    }

    /// Records a problem about `key`'s value.
    pub fn problem(&mut self, key: &str, loc: &Loc, message: impl Into<String>) {
        let key = self.full(key);
        self.problems.push(Problem {
            loc: loc.clone(),
            key,
            message: message.into(),
        });
    }

    fn wrong(&mut self, key: &str, node: &Node, want: &str) {
        let msg = format!("expected {want}, found {}", node.value.type_name());
        self.problem(key, &node.loc, msg);
    }

    /// A string, or `default` when absent.
    pub fn string(&mut self, key: &'static str, default: &str) -> String {
        match self.node(key) {
            None => default.to_string(),
            Some(Node {
                value: Value::Str(s),
                ..
            }) => s.clone(),
            Some(n) => {
                self.wrong(key, n, "a string");
                default.to_string()
            }
        }
    }

    /// An optional string.
    pub fn opt_string(&mut self, key: &'static str) -> Option<(String, Loc)> {
        match self.node(key) {
            None => None,
            Some(Node {
                value: Value::Str(s),
                loc,
            }) => Some((s.clone(), loc.clone())),
            Some(n) => {
                self.wrong(key, n, "a string");
                None
            }
        }
    }

    /// A boolean, or `default`.
    pub fn bool(&mut self, key: &'static str, default: bool) -> bool {
        match self.node(key) {
            None => default,
            Some(Node {
                value: Value::Bool(b),
                ..
            }) => *b,
            Some(n) => {
                self.wrong(key, n, "true or false");
                default
            }
        }
    }

    /// An integer in `range`, or `default`.
    pub fn int(
        &mut self,
        key: &'static str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> i64 {
        match self.node(key) {
            None => default,
            Some(Node {
                value: Value::Int(i),
                loc,
            }) => {
                if range.contains(i) {
                    *i
                } else {
                    let msg = format!(
                        "{i} is out of range (allowed {} to {})",
                        range.start(),
                        range.end()
                    );
                    self.problem(key, loc, msg);
                    default
                }
            }
            Some(n) => {
                self.wrong(key, n, "an integer");
                default
            }
        }
    }

    /// A number (integer or float) in `range`, or `default`.
    pub fn float(
        &mut self,
        key: &'static str,
        default: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> f64 {
        let (v, loc) = match self.node(key) {
            None => return default,
            Some(Node {
                value: Value::Float(f),
                loc,
            }) => (*f, loc),
            Some(Node {
                value: Value::Int(i),
                loc,
            }) => (*i as f64, loc),
            Some(n) => {
                self.wrong(key, n, "a number");
                return default;
            }
        };
        if range.contains(&v) {
            v
        } else {
            let msg = format!(
                "{v} is out of range (allowed {} to {})",
                range.start(),
                range.end()
            );
            self.problem(key, loc, msg);
            default
        }
    }

    /// An array of strings with the location of each, or `default`.
    pub fn strings(&mut self, key: &'static str, default: &[&str]) -> Vec<(String, Loc)> {
        match self.node(key) {
            None => default
                .iter()
                .map(|s| (s.to_string(), self.loc.clone()))
                .collect(),
            Some(Node {
                value: Value::Array(items),
                ..
            }) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match &item.value {
                        Value::Str(s) => out.push((s.clone(), item.loc.clone())),
                        other => {
                            let msg =
                                format!("item {i}: expected a string, found {}", other.type_name());
                            self.problem(key, &item.loc, msg);
                        }
                    }
                }
                out
            }
            Some(n) => {
                self.wrong(key, n, "an array of strings");
                Vec::new()
            }
        }
    }

    /// A table whose keys are free (`[stages.mentions.institutions]`): each key with its location
    /// and value node, in key order.
    pub fn entries(&mut self, key: &'static str) -> Vec<(String, Loc, &'a Node)> {
        match self.node(key) {
            None => Vec::new(),
            Some(Node {
                value: Value::Table(t),
                ..
            }) => t
                .iter()
                .map(|(k, (kloc, n))| (k.clone(), kloc.clone(), n))
                .collect(),
            Some(n) => {
                self.wrong(key, n, "a table");
                Vec::new()
            }
        }
    }

    /// A nested table as its own section (absent tables read as empty).
    pub fn table(&mut self, key: &'static str) -> Section<'_> {
        let node = self.node(key);
        let path = self.full(key);
        Section::new(&path, node, self.problems)
    }

    /// The location of this section (for problems about the section as a whole).
    pub fn loc(&self) -> &Loc {
        &self.loc
    }

    /// Reports every key that no getter asked for.
    pub fn finish(self) {
        let Some(entries) = self.entries else { return };
        let mut known: Vec<&str> = self.used.clone();
        known.sort_unstable();
        known.dedup();
        for (k, (kloc, _)) in entries {
            if !known.contains(&k.as_str()) {
                let msg = format!("unknown key (known here: {})", known.join(", "));
                let key = if self.path.is_empty() {
                    k.clone()
                } else {
                    format!("{}.{}", self.path, k)
                };
                self.problems.push(Problem {
                    loc: kloc.clone(),
                    key,
                    message: msg,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_lines_and_char_columns() {
        let src = "a = 1\n[t]\n  \"é\" = \"x\"\n";
        let n = parse("f.toml", src).unwrap();
        let Value::Table(t) = &n.value else { panic!() };
        let (_, tn) = &t["t"];
        let Value::Table(inner) = &tn.value else {
            panic!()
        };
        let (kloc, v) = &inner["é"];
        assert_eq!((kloc.line, kloc.col), (3, 3));
        assert_eq!((v.loc.line, v.loc.col), (3, 9));
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let errs = parse("bad.toml", "a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(errs[0].loc.file.as_ref(), "bad.toml");
        assert_eq!(errs[0].loc.line, 2);
    }

    #[test]
    fn merge_overrides_scalars_and_merges_tables() {
        let base = parse("base", "x = 1\n[t]\na = 1\nb = [1]\n").unwrap();
        let child = parse("child", "[t]\nb = [2, 3]\nc = true\n").unwrap();
        let m = merge(base, child);
        let mut problems = Vec::new();
        let mut root = Section::new("", Some(&m), &mut problems);
        assert_eq!(root.int("x", 0, 0..=9), 1);
        let mut t = root.table("t");
        assert_eq!(t.int("a", 0, 0..=9), 1);
        assert!(t.bool("c", false));
        let b = t.node("b").unwrap();
        assert_eq!(b.loc.file.as_ref(), "child");
        t.finish();
        root.finish();
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn every_unknown_key_and_type_error_is_reported_at_once() {
        let src = "nmae = \"x\"\n[s]\nflag = 3\nother = 1\n";
        let n = parse("p.toml", src).unwrap();
        let mut problems = Vec::new();
        let mut root = Section::new("", Some(&n), &mut problems);
        let _ = root.string("name", "");
        let mut s = root.table("s");
        assert!(!s.bool("flag", false));
        s.finish();
        root.finish();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text
            .iter()
            .any(|t| t.starts_with("p.toml:3:8: `s.flag`: expected true or false")));
        assert!(text
            .iter()
            .any(|t| t.starts_with("p.toml:4:1: `s.other`: unknown key")));
        assert!(text
            .iter()
            .any(|t| t.starts_with("p.toml:1:1: `nmae`: unknown key")));
    }
}
