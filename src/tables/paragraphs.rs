//! `paragraphs`: one row per paragraph of the body.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Article;

/// The table.
pub const TABLE: Table = Table {
    name: "paragraphs",
    doc: "One row per body paragraph. `substr(body, start + 1, \"end\" - start)` (DuckDB) or `body[start:end]` (Python) gives `text` back.",
    columns: &[
        col("doc_id", Key, false, "Document id (joins `documents`)."),
        col("paragraph_index", Offset, false, "Position in the document, from 0."),
        col("section_index", Offset, false, "Section it belongs to, from 0."),
        col("start", Offset, false, "First character in `documents.body` (0-based, in Unicode characters)."),
        col("end", Offset, false, "One past the last character (end-exclusive)."),
        col("text", Text, false, "The paragraph's text; lines of a wrapped paragraph keep their line breaks."),
        col("word_count", Int32, false, "Words in the paragraph."),
        col("sentence_count", Int32, false, "Sentences in the paragraph."),
        col("tone", Float32, true, "Tone in [-1, 1] (as `documents.tone`, over the paragraph's sentences)."),
        col("tone_confidence", Float32, true, "Confidence in `tone`, in [0, 1]."),
    ],
};

/// Appends every paragraph of `a`.
pub fn push(b: &mut BatchBuilder, a: &Article) {
    let mut sentences = a.sentences.iter().peekable();
    for (i, p) in a.paragraphs.iter().enumerate() {
        let mut n = 0;
        while sentences
            .next_if(|s| s.paragraph_index as usize == i)
            .is_some()
        {
            n += 1;
        }
        b.str(Some(&a.doc_id));
        b.i32(Some(i as i32));
        b.i32(Some(p.section_index as i32));
        b.i32(Some(p.span.start as i32));
        b.i32(Some(p.span.end as i32));
        b.str(Some(a.paragraph_text(p)));
        b.i32(Some(p.word_count as i32));
        b.i32(Some(n));
        let t = a.scores.paragraph_tone.get(i);
        b.f32(t.map(|t| t.score()));
        b.f32(t.map(|t| t.confidence()));
    }
}
