//! `sentences`: one row per sentence of the body.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Article;

/// The table.
pub const TABLE: Table = Table {
    name: "sentences",
    doc: "One row per sentence. Offsets work as for paragraphs.",
    columns: &[
        col("doc_id", Utf8, false, "Document id (joins `documents`)."),
        col(
            "sentence_index",
            Int32,
            false,
            "Position in the document, from 0.",
        ),
        col(
            "paragraph_index",
            Int32,
            false,
            "Paragraph it belongs to (joins `paragraphs` with `doc_id`).",
        ),
        col(
            "start",
            Int32,
            false,
            "First character in `documents.body` (0-based, in Unicode characters).",
        ),
        col(
            "end",
            Int32,
            false,
            "One past the last character (end-exclusive).",
        ),
        col("text", Text, false, "The sentence's text."),
        col("word_count", Int32, false, "Words in the sentence."),
    ],
};

/// Appends every sentence of `a`.
pub fn push(b: &mut BatchBuilder, a: &Article) {
    for (i, s) in a.sentences.iter().enumerate() {
        b.str(Some(&a.doc_id));
        b.i32(Some(i as i32));
        b.i32(Some(s.paragraph_index as i32));
        b.i32(Some(s.span.start as i32));
        b.i32(Some(s.span.end as i32));
        b.str(Some(a.sentence_text(s)));
        b.i32(Some(s.word_count as i32));
    }
}
