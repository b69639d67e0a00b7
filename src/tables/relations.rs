//! `relations`: cooperation and conflict between pairs of actors, per paragraph and document.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Article;

/// The table.
pub const TABLE: Table = Table {
    name: "relations",
    doc: "One row per pair of actors named in the same sentence (directly or through a compound: `Sino-Japanese`, `Japan – US alliance`), for the document and for each paragraph. Persons and state bodies count for the state or organisation they belong to.",
    columns: &[
        col("doc_id", Key, false, "Document id (joins `documents`)."),
        col("scope", Label, false, "`document` or `paragraph`."),
        col("paragraph_index", Int32, true, "The paragraph (paragraph scope); null for document scope."),
        col("actor_a", Label, false, "One actor id (the smaller of the two)."),
        col("actor_b", Label, false, "The other actor id."),
        col("co_mentions", Int32, false, "Sentences in the scope that name both."),
        col("cooperation", Float32, false, "Cooperation in [0, 1): 1 - e^-sum of the cooperation cues given to the pair (relation cues such as `alliance`, `deepen mutual trust`; positive words count 0.4)."),
        col("conflict", Float32, false, "Conflict in [0, 1), likewise (`sanctions`, `tensions`, `missile launch`; negative words count 0.4). A negated cue counts for the other side."),
        col("score", Float32, false, "Net in [-1, 1]: (cooperation - conflict) / (cooperation + conflict + 1) over the sums."),
        col("label", Label, false, "`cooperation` (score >= 0.2), `conflict` (<= -0.2), `mixed` (both present, in between) or `neutral` (no cues)."),
        col("quad_class", Int32, true, "GDELT QuadClass with the most cue weight: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict; null when no cue has one."),
        col("evidence", ListInt32, false, "Sentence indexes with cues for the pair (without cues: the sentences naming both)."),
        col("cues", ListUtf8, false, "The cue words, strongest first."),
    ],
};

/// Appends every relation row of `a`.
pub fn push(b: &mut BatchBuilder, a: &Article) {
    for r in &a.scores.relations {
        b.str(Some(&a.doc_id));
        b.str(Some(r.scope.as_str()));
        b.i32(r.paragraph_index.map(|p| p as i32));
        b.str(Some(&r.actor_a));
        b.str(Some(&r.actor_b));
        b.i32(Some(r.co_mentions as i32));
        b.f32(Some(r.cooperation));
        b.f32(Some(r.conflict));
        b.f32(Some(r.score));
        b.str(Some(r.label));
        b.i32(r.quad_class.map(i32::from));
        let ev: Vec<i32> = r.evidence.iter().map(|&s| s as i32).collect();
        b.i32s(&ev);
        b.strs(&r.cues);
    }
}
