//! `runs`: one row describing the run that wrote the tables beside it.
//!
//! The only table with times and thread counts in it: everything that may differ between two runs
//! over the same input is confined here, so the other tables can be byte-identical.

use super::{col, BatchBuilder, ColType::*, Table};

/// The table.
pub const TABLE: Table = Table {
    name: "runs",
    doc: "One row for the run that wrote this output folder: settings, timing and counts.",
    columns: &[
        col(
            "run_id",
            Utf8,
            false,
            "Id of the run (UTC start time and process id).",
        ),
        col("tool_version", Utf8, false, "stancemill version."),
        col(
            "schema_version",
            Int32,
            false,
            "Version of these table schemas.",
        ),
        col("pipeline", Utf8, false, "Pipeline name."),
        col(
            "pipeline_hash",
            Utf8,
            false,
            "Hash of the resolved pipeline (also in every file's metadata).",
        ),
        col(
            "pipeline_origin",
            ListUtf8,
            false,
            "Pipeline files of the `extends` chain, child first.",
        ),
        col(
            "inputs",
            ListUtf8,
            false,
            "Input paths given on the command line.",
        ),
        col("threads", Int32, false, "Worker threads."),
        col("started_at", TimestampUtc, false, "Start time."),
        col("finished_at", TimestampUtc, false, "End time."),
        col("elapsed_seconds", Float32, false, "Wall-clock duration."),
        col(
            "files_seen",
            Int64,
            false,
            "Inputs accounted for, each file or each record of a container file (JSON lines, WARC): documents + rejects.",
        ),
        col("bytes_read", Int64, false, "Bytes of input read."),
        col("documents", Int64, false, "Rows written to `documents`."),
        col("paragraphs", Int64, false, "Rows written to `paragraphs`."),
        col("sentences", Int64, false, "Rows written to `sentences`."),
        col("mentions", Int64, false, "Rows written to `mentions`."),
        col("quotes", Int64, false, "Rows written to `quotes`."),
        col("rejects", Int64, false, "Rows written to `rejects`."),
        col(
            "duplicates",
            Int64,
            false,
            "Documents whose body repeats an earlier one (`duplicate_of` set).",
        ),
        col(
            "records_skipped",
            Int64,
            false,
            "Container records that are not articles, skipped on purpose (WARC requests, metadata, redirects, non-HTML responses).",
        ),
    ],
};

/// The run's summary, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunRow {
    /// Run id.
    pub run_id: String,
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline hash.
    pub pipeline_hash: String,
    /// Pipeline files.
    pub pipeline_origin: Vec<String>,
    /// Input paths.
    pub inputs: Vec<String>,
    /// Threads.
    pub threads: usize,
    /// Start, µs since epoch.
    pub started_at: i64,
    /// End, µs since epoch.
    pub finished_at: i64,
    /// Inputs discovered.
    pub files_seen: u64,
    /// Bytes read.
    pub bytes_read: u64,
    /// Document rows.
    pub documents: u64,
    /// Paragraph rows.
    pub paragraphs: u64,
    /// Sentence rows.
    pub sentences: u64,
    /// Mention rows.
    pub mentions: u64,
    /// Quote rows.
    pub quotes: u64,
    /// Reject rows.
    pub rejects: u64,
    /// Duplicate documents.
    pub duplicates: u64,
    /// Container records skipped on purpose.
    pub records_skipped: u64,
}

/// Appends the run row.
pub fn push(b: &mut BatchBuilder, r: &RunRow) {
    b.str(Some(&r.run_id));
    b.str(Some(env!("CARGO_PKG_VERSION")));
    b.i32(Some(crate::pipeline::SCHEMA_VERSION as i32));
    b.str(Some(&r.pipeline));
    b.str(Some(&r.pipeline_hash));
    b.strs(&r.pipeline_origin);
    b.strs(&r.inputs);
    b.i32(Some(r.threads as i32));
    b.ts(Some(r.started_at));
    b.ts(Some(r.finished_at));
    b.f32(Some((r.finished_at - r.started_at) as f32 / 1e6));
    for v in [
        r.files_seen,
        r.bytes_read,
        r.documents,
        r.paragraphs,
        r.sentences,
        r.mentions,
        r.quotes,
        r.rejects,
        r.duplicates,
        r.records_skipped,
    ] {
        b.i64(Some(v as i64));
    }
}
