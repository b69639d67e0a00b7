//! `quotes`: one row per quotation.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Article;

/// The table.
pub const TABLE: Table = Table {
    name: "quotes",
    doc: "One row per quotation: direct (in quotation marks) or reported (indirect speech), with its speaker when the text names one.",
    columns: &[
        col("doc_id", Key, false, "Document id (joins `documents`)."),
        col("quote_index", Offset, false, "Position in the document, from 0."),
        col("paragraph_index", Offset, false, "Paragraph where the quotation starts."),
        col("sentence_index", Offset, false, "Sentence where the quotation starts."),
        col("kind", Label, false, "`statement` (a full clause or more in quotation marks), `phrase` (a slogan or a few words in quotation marks), `reported` (indirect speech: `X said that …`, `according to X, …`)."),
        col("text", Text, false, "The quoted words: inside the marks for direct quotations (a quotation over several paragraphs keeps the breaks and reopening marks), the reported clause for indirect speech."),
        col("start", Offset, false, "First character of `text` in `documents.body` (0-based)."),
        col("end", Offset, false, "One past the last character."),
        col("speaker", Label, true, "Who says it: a gazetteer person's canonical name, else the name as written; null when the text does not say."),
        col("speaker_actor_id", Label, true, "The speaker's actor id (a gazetteer person), else the state or organisation they speak for (`CHN` for a Chinese ministry's spokesperson)."),
        col("speaker_affiliation", Label, true, "The state or organisation the speaker belongs to."),
        col("speaker_role", Label, true, "The role phrase as written (`Chinese Defense Ministry spokesperson`)."),
        col("cue", Label, true, "The reporting verb or phrase (`said`, `stated`, `according to`, `stating`)."),
        col("tone", Float32, true, "Tone of the quoted words in [-1, 1] (as `sentences.tone`)."),
    ],
};

/// Appends every quotation of `a`.
pub fn push(b: &mut BatchBuilder, a: &Article) {
    for (i, q) in a.quotes.iter().enumerate() {
        b.str(Some(&a.doc_id));
        b.i32(Some(i as i32));
        b.i32(Some(q.paragraph_index as i32));
        b.i32(Some(q.sentence_index as i32));
        b.str(Some(q.kind.as_str()));
        b.str(Some(&a.body[q.bytes.0..q.bytes.1]));
        b.i32(Some(q.span.start as i32));
        b.i32(Some(q.span.end as i32));
        b.str(q.speaker.as_deref());
        b.str(q.speaker_actor_id.as_deref());
        b.str(q.speaker_affiliation.as_deref());
        b.str(q.speaker_role.as_deref());
        b.str(q.cue.as_deref());
        b.f32(a.scores.quote_tone.get(i).map(|t| t.score()));
    }
}
