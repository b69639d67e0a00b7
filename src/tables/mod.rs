//! Output tables: their columns (type and meaning, the single source for `stancemill schema` and the
//! README's column reference) and the Arrow batch builders that fill them.
//!
//! Types are chosen for what every reader (DuckDB, pyarrow, polars, pandas) handles well:
//! `Utf8`, `Int32`/`Int64`, `Float32`, `Boolean`, `Timestamp(Microsecond)` and `List<…>`.

pub mod documents;
pub mod mentions;
pub mod paragraphs;
pub mod quotes;
pub mod rejects;
pub mod relations;
pub mod runs;
pub mod sentences;
pub mod stances;

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float32Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// A column's logical type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// UTF-8 string (short, often repeated: dictionary-encoded).
    Utf8,
    /// A short string of a row-level table that many rows repeat (an actor id, a kind, a name as
    /// written): dictionary-encoded like `Utf8`, but without min/max statistics. Every row group
    /// of such a table holds many actors and names, so its minimum and maximum never let a reader
    /// skip it, and computing them cost a comparison of every value.
    Label,
    /// A hash written as hex (`doc_id`, `content_hash`): dictionary-encoded like `Utf8`, but
    /// without min/max statistics. The values are random, so a row group's minimum and maximum
    /// span nearly every id and no reader could skip a row group by them; computing them cost a
    /// comparison of every value of the most written column of each table.
    Key,
    /// Long UTF-8 text (bodies, paragraphs, sentences): written without dictionary or statistics,
    /// which cost time and space on values that never repeat.
    Text,
    /// 32-bit integer.
    Int32,
    /// 32-bit integer that grows along a document: a position (`sentence_index`) or a character
    /// offset (`start`). Written delta-encoded without a dictionary, which suits values that
    /// rarely repeat but differ little from row to row: smaller files, and no hashing of every
    /// value into a dictionary that is then thrown away.
    Offset,
    /// 64-bit integer.
    Int64,
    /// 32-bit float.
    Float32,
    /// Boolean.
    Bool,
    /// Timestamp in microseconds, no time zone (wall clock as printed).
    Timestamp,
    /// Timestamp in microseconds, UTC.
    TimestampUtc,
    /// List of strings.
    ListUtf8,
    /// List of 32-bit integers.
    ListInt32,
}

impl ColType {
    /// The Arrow type.
    pub fn arrow(self) -> DataType {
        match self {
            ColType::Utf8 | ColType::Label | ColType::Key | ColType::Text => DataType::Utf8,
            ColType::Int32 | ColType::Offset => DataType::Int32,
            ColType::Int64 => DataType::Int64,
            ColType::Float32 => DataType::Float32,
            ColType::Bool => DataType::Boolean,
            ColType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            ColType::TimestampUtc => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            ColType::ListUtf8 => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            ColType::ListInt32 => {
                DataType::List(Arc::new(Field::new("item", DataType::Int32, true)))
            }
        }
    }

    /// The type as DuckDB shows it.
    pub fn sql(self) -> &'static str {
        match self {
            ColType::Utf8 | ColType::Label | ColType::Key | ColType::Text => "VARCHAR",
            ColType::Int32 | ColType::Offset => "INTEGER",
            ColType::Int64 => "BIGINT",
            ColType::Float32 => "FLOAT",
            ColType::Bool => "BOOLEAN",
            ColType::Timestamp => "TIMESTAMP",
            ColType::TimestampUtc => "TIMESTAMP WITH TIME ZONE",
            ColType::ListUtf8 => "VARCHAR[]",
            ColType::ListInt32 => "INTEGER[]",
        }
    }
}

/// One column.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Name.
    pub name: &'static str,
    /// Type.
    pub ty: ColType,
    /// Whether it may be null.
    pub nullable: bool,
    /// What it means.
    pub doc: &'static str,
}

/// Shorthand for a column definition.
pub const fn col(name: &'static str, ty: ColType, nullable: bool, doc: &'static str) -> Column {
    Column {
        name,
        ty,
        nullable,
        doc,
    }
}

/// One table.
#[derive(Debug)]
pub struct Table {
    /// Name (also the output folder).
    pub name: &'static str,
    /// What a row is.
    pub doc: &'static str,
    /// Columns in order.
    pub columns: &'static [Column],
}

impl Table {
    /// The Arrow schema.
    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(|c| Field::new(c.name, c.ty.arrow(), c.nullable))
                .collect::<Vec<_>>(),
        ))
    }
}

/// Every table, in output order.
pub const TABLES: &[&Table] = &[
    &documents::TABLE,
    &paragraphs::TABLE,
    &sentences::TABLE,
    &mentions::TABLE,
    &quotes::TABLE,
    &stances::TABLE,
    &relations::TABLE,
    &rejects::TABLE,
    &runs::TABLE,
];

/// Names of every table.
pub const TABLE_NAMES: &[&str] = &[
    "documents",
    "paragraphs",
    "sentences",
    "mentions",
    "quotes",
    "stances",
    "relations",
    "rejects",
    "runs",
];

enum Buf {
    Utf8(StringBuilder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float32(Float32Builder),
    Bool(BooleanBuilder),
    Ts(TimestampMicrosecondBuilder, bool),
    ListUtf8(ListBuilder<StringBuilder>),
    ListInt32(ListBuilder<Int32Builder>),
}

/// Builds a [`RecordBatch`] row by row: each row appends one value per column, in column order.
///
/// The typed `push_*` calls move to the next column; a call of the wrong type for the column is a
/// programming error and panics, which each table's unit test catches.
pub struct BatchBuilder {
    table: &'static Table,
    schema: SchemaRef,
    bufs: Vec<Buf>,
    next: usize,
    rows: usize,
    bytes: usize,
    /// Rows and per-column string bytes of the last batch, for [`BatchBuilder::presize`].
    last: (usize, Vec<usize>),
}

impl BatchBuilder {
    /// An empty builder for `table`.
    pub fn new(table: &'static Table) -> Self {
        let bufs = table
            .columns
            .iter()
            .map(|c| match c.ty {
                ColType::Utf8 | ColType::Label | ColType::Key | ColType::Text => {
                    Buf::Utf8(StringBuilder::new())
                }
                ColType::Int32 | ColType::Offset => Buf::Int32(Int32Builder::new()),
                ColType::Int64 => Buf::Int64(Int64Builder::new()),
                ColType::Float32 => Buf::Float32(Float32Builder::new()),
                ColType::Bool => Buf::Bool(BooleanBuilder::new()),
                ColType::Timestamp => Buf::Ts(TimestampMicrosecondBuilder::new(), false),
                ColType::TimestampUtc => Buf::Ts(TimestampMicrosecondBuilder::new(), true),
                ColType::ListUtf8 => Buf::ListUtf8(ListBuilder::new(StringBuilder::new())),
                ColType::ListInt32 => Buf::ListInt32(ListBuilder::new(Int32Builder::new())),
            })
            .collect();
        BatchBuilder {
            table,
            schema: table.schema(),
            bufs,
            next: 0,
            rows: 0,
            bytes: 0,
            last: (0, Vec::new()),
        }
    }

    /// Sizes the empty builders like the last batch. Arrow's builders start empty after each
    /// batch and grow by doubling: a batch of several megabytes was copied over and over on its
    /// way up. Called once the last batch is written and dropped, so the two are not held at once.
    pub fn presize(&mut self) {
        let (rows, bytes) = (self.last.0, &self.last.1);
        for (b, &n) in self.bufs.iter_mut().zip(bytes) {
            match b {
                Buf::Utf8(b) => *b = StringBuilder::with_capacity(rows, n),
                Buf::Int32(b) => *b = Int32Builder::with_capacity(rows),
                Buf::Int64(b) => *b = Int64Builder::with_capacity(rows),
                Buf::Float32(b) => *b = Float32Builder::with_capacity(rows),
                _ => {}
            }
        }
    }

    #[inline]
    fn buf(&mut self) -> &mut Buf {
        let i = self.next;
        self.next += 1;
        if self.next == self.bufs.len() {
            self.next = 0;
            self.rows += 1;
        }
        &mut self.bufs[i]
    }

    fn mismatch(&self, want: &str) -> ! {
        let i = (self.next + self.bufs.len() - 1) % self.bufs.len();
        panic!(
            "table {}: column {} ({}) given a {want}",
            self.table.name,
            self.table.columns[i].name,
            self.table.columns[i].ty.sql()
        )
    }

    /// Appends a string (or null).
    #[inline]
    pub fn str(&mut self, v: Option<&str>) {
        self.bytes += v.map_or(0, str::len) + 4;
        match self.buf() {
            Buf::Utf8(b) => b.append_option(v),
            _ => self.mismatch("string"),
        }
    }

    /// Appends an i32 (or null).
    #[inline]
    pub fn i32(&mut self, v: Option<i32>) {
        self.bytes += 4;
        match self.buf() {
            Buf::Int32(b) => b.append_option(v),
            _ => self.mismatch("i32"),
        }
    }

    /// Appends an i64 (or null).
    #[inline]
    pub fn i64(&mut self, v: Option<i64>) {
        self.bytes += 8;
        match self.buf() {
            Buf::Int64(b) => b.append_option(v),
            _ => self.mismatch("i64"),
        }
    }

    /// Appends an f32 (or null).
    #[inline]
    pub fn f32(&mut self, v: Option<f32>) {
        self.bytes += 4;
        match self.buf() {
            Buf::Float32(b) => b.append_option(v),
            _ => self.mismatch("f32"),
        }
    }

    /// Appends a bool (or null).
    pub fn bool(&mut self, v: Option<bool>) {
        self.bytes += 1;
        match self.buf() {
            Buf::Bool(b) => b.append_option(v),
            _ => self.mismatch("bool"),
        }
    }

    /// Appends a timestamp in microseconds (or null).
    pub fn ts(&mut self, v: Option<i64>) {
        self.bytes += 8;
        match self.buf() {
            Buf::Ts(b, _) => b.append_option(v),
            _ => self.mismatch("timestamp"),
        }
    }

    /// Appends a list of strings.
    pub fn strs<S: AsRef<str>>(&mut self, v: &[S]) {
        self.bytes += v.iter().map(|s| s.as_ref().len() + 4).sum::<usize>() + 4;
        match self.buf() {
            Buf::ListUtf8(b) => {
                for s in v {
                    b.values().append_value(s.as_ref());
                }
                b.append(true);
            }
            _ => self.mismatch("string list"),
        }
    }

    /// Appends a null list.
    pub fn null_list(&mut self) {
        self.bytes += 4;
        match self.buf() {
            Buf::ListUtf8(b) => b.append(false),
            Buf::ListInt32(b) => b.append(false),
            _ => self.mismatch("null list"),
        }
    }

    /// Appends a list of i32.
    pub fn i32s(&mut self, v: &[i32]) {
        self.bytes += v.len() * 4 + 4;
        match self.buf() {
            Buf::ListInt32(b) => {
                b.values().append_slice(v);
                b.append(true);
            }
            _ => self.mismatch("i32 list"),
        }
    }

    /// Complete rows appended since the last [`BatchBuilder::finish`].
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Rough size of the buffered data, for flushing decisions.
    pub fn approx_bytes(&self) -> usize {
        self.bytes
    }

    /// Takes the rows so far as a batch and starts empty again.
    pub fn finish(&mut self) -> RecordBatch {
        assert_eq!(
            self.next, 0,
            "table {}: a row was left half-written",
            self.table.name
        );
        self.last = (
            self.rows,
            self.bufs
                .iter()
                .map(|b| match b {
                    Buf::Utf8(b) => b.values_slice().len(),
                    _ => 0,
                })
                .collect(),
        );
        let arrays: Vec<ArrayRef> = self
            .bufs
            .iter_mut()
            .map(|b| -> ArrayRef {
                match b {
                    Buf::Utf8(b) => Arc::new(b.finish()),
                    Buf::Int32(b) => Arc::new(b.finish()),
                    Buf::Int64(b) => Arc::new(b.finish()),
                    Buf::Float32(b) => Arc::new(b.finish()),
                    Buf::Bool(b) => Arc::new(b.finish()),
                    Buf::Ts(b, utc) => {
                        let a = b.finish();
                        if *utc {
                            Arc::new(a.with_timezone("UTC"))
                        } else {
                            Arc::new(a)
                        }
                    }
                    Buf::ListUtf8(b) => Arc::new(b.finish()),
                    Buf::ListInt32(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        self.bytes = 0;
        RecordBatch::try_new(self.schema.clone(), arrays).unwrap_or_else(|e| {
            panic!(
                "table {}: batch does not match its schema: {e}",
                self.table.name
            )
        })
    }
}

/// Markdown column reference of every table (the README embeds this between markers).
pub fn markdown() -> String {
    let mut s = String::new();
    for t in TABLES {
        s.push_str(&format!(
            "### `{}`\n\n{}\n\n| column | type | null | meaning |\n|---|---|---|---|\n",
            t.name, t.doc
        ));
        for c in t.columns {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                c.ty.sql(),
                if c.nullable { "yes" } else { "no" },
                c.doc
            ));
        }
        s.push('\n');
    }
    s
}

/// Plain-text schema for the terminal.
pub fn text() -> String {
    let mut s = String::new();
    for t in TABLES {
        s.push_str(&format!("{}: {}\n", t.name, t.doc));
        let w = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let tw = t
            .columns
            .iter()
            .map(|c| c.ty.sql().len())
            .max()
            .unwrap_or(0);
        for c in t.columns {
            s.push_str(&format!(
                "  {:w$}  {:tw$}  {}{}\n",
                c.name,
                c.ty.sql(),
                if c.nullable { "" } else { "(never null) " },
                c.doc,
            ));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_tables() {
        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        assert_eq!(names, TABLE_NAMES);
        for t in TABLES {
            assert!(!t.columns.is_empty());
            let mut seen = std::collections::HashSet::new();
            for c in t.columns {
                assert!(seen.insert(c.name), "{}.{} twice", t.name, c.name);
                assert!(!c.doc.is_empty(), "{}.{} undocumented", t.name, c.name);
            }
        }
    }

    #[test]
    #[should_panic(expected = "column doc_id (VARCHAR) given a i32")]
    fn wrong_type_panics() {
        let mut b = BatchBuilder::new(&paragraphs::TABLE);
        b.i32(Some(1));
    }
}
