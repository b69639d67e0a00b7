//! `rejects`: one row per input that did not become a document.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Reject;

/// The table.
pub const TABLE: Table = Table {
    name: "rejects",
    doc: "One row per input (file or record) that did not become a document, with the reason.",
    columns: &[
        col("source_path", Utf8, false, "Path of the input as discovered."),
        col("record_index", Int32, false, "Record inside the file (0 for whole files)."),
        col("stage", Utf8, false, "Stage that refused it: `discover`, `read`, `decode` or `segment`."),
        col("reason", Utf8, false, "Stable code: `walk_error`, `not_a_file`, `too_large`, `io_error`, `empty`, `binary`, `undecodable`, `no_text`."),
        col("message", Utf8, false, "Human-readable detail."),
        col("bytes", Int64, true, "Size in bytes, when known."),
    ],
};

/// Appends one reject.
pub fn push(b: &mut BatchBuilder, r: &Reject) {
    b.str(Some(&r.source_path));
    b.i32(Some(r.record_index as i32));
    b.str(Some(r.stage));
    b.str(Some(r.reason));
    b.str(Some(&r.message));
    b.i64(r.bytes.map(|x| x as i64));
}
