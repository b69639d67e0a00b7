//! `mentions`: one row per actor mention.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Article;

/// The table.
pub const TABLE: Table = Table {
    name: "mentions",
    doc: "One row per mention of a gazetteer actor (state, person, organisation, agreement, place, event) in the body.",
    columns: &[
        col("doc_id", Key, false, "Document id (joins `documents`)."),
        col("mention_index", Offset, false, "Position in the document, from 0."),
        col("sentence_index", Offset, false, "Sentence it is in (joins `sentences` with `doc_id`)."),
        col("paragraph_index", Offset, false, "Paragraph it is in."),
        col("actor_id", Label, false, "Canonical actor id: ISO 3166-1 alpha-3 for states (`JPN`), `GIVEN_FAMILY` for persons (`SHINZO_ABE`), acronyms for organisations and agreements (`NATO`, `TPP`), `UPPER_SNAKE` for places and events, `<STATE>.<body>` for a state's ministry (`CHN.defense`)."),
        col("actor_kind", Label, false, "`state`, `person`, `organisation`, `agreement`, `place` or `event`."),
        col("affiliation", Label, true, "The state or organisation the actor belongs to: a leader's state, a ministry's state."),
        col("via", Label, false, "How the surface names the actor: `name`, `adjective`, `capital` (metonym), `prefix` (`Sino-`), `institution`."),
        col("surface", Label, false, "The text as written (`Japan`, `Japanese`, `Tokyo`, `Sino`, `Trans-Pacific Partnership (TPP)`)."),
        col("start", Offset, false, "First character in `documents.body` (0-based)."),
        col("end", Offset, false, "One past the last character."),
    ],
};

/// Appends every mention of `a`.
pub fn push(b: &mut BatchBuilder, a: &Article) {
    for (i, m) in a.mentions.iter().enumerate() {
        let s = &a.sentences[m.sentence_index as usize];
        b.str(Some(&a.doc_id));
        b.i32(Some(i as i32));
        b.i32(Some(m.sentence_index as i32));
        b.i32(Some(s.paragraph_index as i32));
        b.str(Some(&m.actor_id));
        b.str(Some(m.kind.as_str()));
        b.str(m.affiliation.as_deref());
        b.str(Some(m.via.as_str()));
        b.str(Some(&a.body[m.bytes.0..m.bytes.1]));
        b.i32(Some(m.span.start as i32));
        b.i32(Some(m.span.end as i32));
    }
}
