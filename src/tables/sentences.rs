//! `sentences`: one row per sentence of the body.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Article;

/// The table.
pub const TABLE: Table = Table {
    name: "sentences",
    doc: "One row per sentence. Offsets work as for paragraphs.",
    columns: &[
        col("doc_id", Key, false, "Document id (joins `documents`)."),
        col(
            "sentence_index",
            Offset,
            false,
            "Position in the document, from 0.",
        ),
        col(
            "paragraph_index",
            Offset,
            false,
            "Paragraph it belongs to (joins `paragraphs` with `doc_id`).",
        ),
        col(
            "start",
            Offset,
            false,
            "First character in `documents.body` (0-based, in Unicode characters).",
        ),
        col(
            "end",
            Offset,
            false,
            "One past the last character (end-exclusive).",
        ),
        col("text", Text, false, "The sentence's text."),
        col("word_count", Int32, false, "Words in the sentence."),
        col("tone", Float32, true, "Tone in [-1, 1]: (pos - neg) / (pos + neg + 1) over the sentence's valence cues after negation, boosters, contrast and question rules."),
        col("tone_confidence", Float32, true, "Confidence in `tone`, in [0, 1] (hedges and questions lower it)."),
        col("tone_cues", ListUtf8, true, "The words that moved `tone`, strongest first."),
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
        let t = a.scores.sentence_tone.get(i);
        b.f32(t.map(|t| t.score()));
        b.f32(t.map(|t| t.confidence()));
        if t.is_some() {
            let cues = crate::score::cue_words(&a.body, a.scores.cues_of(i).iter().copied(), 16);
            b.strs(&cues);
        } else {
            b.null_list();
        }
    }
}
