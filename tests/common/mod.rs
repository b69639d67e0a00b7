//! Shared helpers for the integration tests: run the real binary in a temp folder and read its
//! Parquet output back with the parquet crate's Arrow reader (an independent reader path from the
//! writer), plus a tiny snapshot mechanism (`UPDATE_SNAPSHOTS=1 cargo test` rewrites them).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the stancemill binary with `args` in `cwd`.
pub fn stancemill(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stancemill"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .expect("run stancemill")
}

/// Like [`stancemill`], asserting the exit code.
pub fn run_ok(cwd: &Path, args: &[&str], code: i32) -> Output {
    let out = stancemill(cwd, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stancemill {args:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every table written per unit (all but `runs`, which holds times and thread counts).
pub fn row_tables() -> impl Iterator<Item = &'static str> {
    stancemill::tables::TABLES
        .iter()
        .map(|t| t.name)
        .filter(|n| *n != "runs")
}

/// The Parquet files of one table, sorted.
pub fn table_files(out: &Path, table: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out.join(table))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "parquet"));
    v.sort();
    v
}

/// Reads every batch of a table.
pub fn read_table(out: &Path, table: &str) -> Vec<RecordBatch> {
    let mut batches = Vec::new();
    for f in table_files(out, table) {
        let file = std::fs::File::open(&f).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for b in reader {
            batches.push(b.unwrap());
        }
    }
    batches
}

/// Key-value metadata of a table's first file.
pub fn file_metadata(out: &Path, table: &str) -> BTreeMap<String, String> {
    let f = &table_files(out, table)[0];
    let b = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(f).unwrap()).unwrap();
    b.metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// A cell as a plain value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Str(String),
    Int(i64),
    /// Microseconds since the epoch.
    Ts(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Val>),
}

impl Val {
    pub fn str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) | Val::Ts(i) => Some(*i),
            _ => None,
        }
    }
    pub fn list(&self) -> Vec<Val> {
        match self {
            Val::List(v) => v.clone(),
            _ => Vec::new(),
        }
    }
    pub fn strs(&self) -> Vec<String> {
        self.list()
            .iter()
            .filter_map(|v| v.str().map(String::from))
            .collect()
    }
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::Null => write!(f, "null"),
            Val::Str(s) => write!(f, "{s:?}"),
            Val::Int(i) => write!(f, "{i}"),
            Val::Ts(t) => write!(
                f,
                "{}",
                chrono::DateTime::from_timestamp_micros(*t)
                    .unwrap()
                    .naive_utc()
            ),
            Val::Float(x) => write!(f, "{x:.3}"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::List(v) => {
                write!(f, "[")?;
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
        }
    }
}

fn cell(a: &dyn Array, i: usize) -> Val {
    if a.is_null(i) {
        return Val::Null;
    }
    match a.data_type() {
        DataType::Utf8 => Val::Str(a.as_string::<i32>().value(i).to_string()),
        DataType::Int32 => Val::Int(a.as_primitive::<Int32Type>().value(i) as i64),
        DataType::Int64 => Val::Int(a.as_primitive::<Int64Type>().value(i)),
        DataType::Float32 => Val::Float(a.as_primitive::<Float32Type>().value(i) as f64),
        DataType::Boolean => Val::Bool(a.as_boolean().value(i)),
        DataType::Timestamp(_, _) => Val::Ts(a.as_primitive::<TimestampMicrosecondType>().value(i)),
        DataType::List(_) => {
            let l = a.as_list::<i32>().value(i);
            Val::List((0..l.len()).map(|j| cell(l.as_ref(), j)).collect())
        }
        other => panic!("unexpected type {other}"),
    }
}

/// All rows of a table as column-name → value maps.
pub fn rows(out: &Path, table: &str) -> Vec<BTreeMap<String, Val>> {
    let mut v = Vec::new();
    for b in read_table(out, table) {
        let schema = b.schema();
        for i in 0..b.num_rows() {
            let mut row = BTreeMap::new();
            for (c, f) in schema.fields().iter().enumerate() {
                row.insert(f.name().clone(), cell(b.column(c).as_ref(), i));
            }
            v.push(row);
        }
    }
    v
}

/// Microseconds since the epoch of `YYYY-MM-DD HH:MM:SS` (read as UTC).
pub fn micros(s: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .unwrap()
        .and_utc()
        .timestamp_micros()
}

/// Characters `start..end` of `s`.
pub fn chars(s: &str, start: i64, end: i64) -> String {
    s.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

/// Compares `actual` with `tests/snapshots/NAME`; `UPDATE_SNAPSHOTS=1` rewrites the file.
pub fn snapshot(name: &str, actual: &str) {
    let path = repo().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1 and review it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "snapshot {} differs ({} vs {} lines):\n{}\n(UPDATE_SNAPSHOTS=1 rewrites it; review the diff before committing)",
            name,
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

/// Renders rows for a snapshot, one `col=value` line per cell, skipping `skip` columns.
pub fn render(rows: &[BTreeMap<String, Val>], order: &[&str]) -> String {
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        s.push_str(&format!("# row {i}\n"));
        for c in order {
            s.push_str(&format!("{c}={}\n", r.get(*c).unwrap_or(&Val::Null)));
        }
    }
    s
}
