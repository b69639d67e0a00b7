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
    BooleanBuilder, Int32Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::types::{Float32Type, Int32Type, Int64Type};
use arrow_array::{ArrayRef, ArrowPrimitiveType, PrimitiveArray, RecordBatch, StringArray};
use arrow_buffer::{Buffer, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
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
    Utf8(Strs),
    Int32(Prim<Int32Type>),
    Int64(Prim<Int64Type>),
    Float32(Prim<Float32Type>),
    Bool(BooleanBuilder),
    Ts(TimestampMicrosecondBuilder, bool),
    ListUtf8(ListBuilder<StringBuilder>),
    ListInt32(ListBuilder<Int32Builder>),
}

/// A column of numbers: the values in a vector, the nulls in a bitmap made only once there is one.
///
/// Arrow's builders check for room twice per value and keep their buffers behind a layer of
/// their own; the writers append a few million values per 10 MB of text, and these appends were a
/// fifth of a writer thread's work. The arrays are made from the vectors without a copy.
struct Prim<T: ArrowPrimitiveType> {
    values: Vec<T::Native>,
    nulls: NullBufferBuilder,
}

impl<T: ArrowPrimitiveType> Prim<T> {
    fn with_capacity(rows: usize) -> Self {
        Prim {
            values: Vec::with_capacity(rows),
            nulls: NullBufferBuilder::new(rows),
        }
    }

    #[inline(always)]
    fn push(&mut self, v: Option<T::Native>) {
        match v {
            Some(v) => {
                self.values.push(v);
                self.nulls.append_non_null();
            }
            None => {
                self.values.push(T::Native::default());
                self.nulls.append_null();
            }
        }
    }

    fn finish(&mut self) -> PrimitiveArray<T> {
        let values = ScalarBuffer::from(std::mem::take(&mut self.values));
        PrimitiveArray::new(values, self.nulls.finish())
    }
}

/// A column of strings: their bytes one after another, where each ends, and the nulls.
struct Strs {
    data: Vec<u8>,
    /// Starts with 0; one more per value.
    ends: Vec<i32>,
    nulls: NullBufferBuilder,
}

impl Strs {
    fn with_capacity(rows: usize, bytes: usize) -> Self {
        let mut ends = Vec::with_capacity(rows + 1);
        ends.push(0);
        Strs {
            data: Vec::with_capacity(bytes),
            ends,
            nulls: NullBufferBuilder::new(rows),
        }
    }

    #[inline(always)]
    fn push(&mut self, v: Option<&str>) {
        match v {
            Some(v) => {
                self.data.extend_from_slice(v.as_bytes());
                self.nulls.append_non_null();
            }
            None => self.nulls.append_null(),
        }
        // Row groups are cut at `row_group_bytes`, far below 2 GiB per column by default; a
        // pipeline that allows more fails here, as Arrow's own builder did.
        let end = i32::try_from(self.data.len()).expect("string column over 2 GiB");
        self.ends.push(end);
    }

    fn finish(&mut self) -> StringArray {
        let ends = std::mem::replace(&mut self.ends, vec![0]);
        let offsets = OffsetBuffer::new(ScalarBuffer::from(ends));
        let data = Buffer::from_vec(std::mem::take(&mut self.data));
        // SAFETY: the bytes are whole `&str`s one after another and the offsets are where each
        // ends, so they are ascending and every value is UTF-8; checking it again would read every
        // byte of every text column once more.
        unsafe { StringArray::new_unchecked(offsets, data, self.nulls.finish()) }
    }
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
                    Buf::Utf8(Strs::with_capacity(0, 0))
                }
                ColType::Int32 | ColType::Offset => Buf::Int32(Prim::with_capacity(0)),
                ColType::Int64 => Buf::Int64(Prim::with_capacity(0)),
                ColType::Float32 => Buf::Float32(Prim::with_capacity(0)),
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
                Buf::Utf8(b) => *b = Strs::with_capacity(rows, n),
                Buf::Int32(b) => *b = Prim::with_capacity(rows),
                Buf::Int64(b) => *b = Prim::with_capacity(rows),
                Buf::Float32(b) => *b = Prim::with_capacity(rows),
                _ => {}
            }
        }
    }

    #[inline(always)]
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
    #[inline(always)]
    pub fn str(&mut self, v: Option<&str>) {
        self.bytes += v.map_or(0, str::len) + 4;
        match self.buf() {
            Buf::Utf8(b) => b.push(v),
            _ => self.mismatch("string"),
        }
    }

    /// Appends an i32 (or null).
    #[inline(always)]
    pub fn i32(&mut self, v: Option<i32>) {
        self.bytes += 4;
        match self.buf() {
            Buf::Int32(b) => b.push(v),
            _ => self.mismatch("i32"),
        }
    }

    /// Appends an i64 (or null).
    #[inline(always)]
    pub fn i64(&mut self, v: Option<i64>) {
        self.bytes += 8;
        match self.buf() {
            Buf::Int64(b) => b.push(v),
            _ => self.mismatch("i64"),
        }
    }

    /// Appends an f32 (or null).
    #[inline(always)]
    pub fn f32(&mut self, v: Option<f32>) {
        self.bytes += 4;
        match self.buf() {
            Buf::Float32(b) => b.push(v),
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
                    Buf::Utf8(b) => b.data.len(),
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
