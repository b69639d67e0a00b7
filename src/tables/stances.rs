//! `stances`: one row per (scope, holder, target) with a stance score and its evidence.

use super::{col, BatchBuilder, ColType::*, Table};
use crate::article::Article;

/// The table.
pub const TABLE: Table = Table {
    name: "stances",
    doc: "One row per target mentioned in a scope (the document, a paragraph, a quotation), from the point of view of its holder: the author outside quotations, the speaker inside them. Targets are the pipeline's `[targets]` plus every mentioned actor of an `auto` kind (states, organisations, agreements by default).",
    columns: &[
        col("doc_id", Key, false, "Document id (joins `documents`)."),
        col("scope", Label, false, "`document`, `paragraph` or `quote`."),
        col("paragraph_index", Int32, true, "The paragraph (paragraph scope), or the quotation's paragraph (quote scope); null for document scope."),
        col("quote_index", Int32, true, "The quotation (joins `quotes`), quote scope only."),
        col("holder", Label, false, "Whose stance: `author`, the speaker's actor id (`CHN` for a Chinese ministry's spokesperson), or `unknown` for a quotation without a known speaker."),
        col("target", Label, false, "Target id: an actor id, or the name of a `[targets.NAME]` entry."),
        col("target_kind", Label, false, "`actor`, `pair` (two actors named in one sentence) or `topic` (terms)."),
        col("mentions", Int32, false, "Mentions of the target in the scope that the holder speaks about."),
        col("score", Float32, false, "Stance in [-1, 1]: (favor - against) / (favor + against + 1) over the cues near the target's mentions (valence words weighted by distance, stance cues taking the target as object, cooperation/conflict cues)."),
        col("label", Label, false, "`favor`, `against` or `neutral`, from the pipeline's `[stages.stance] favor`/`against` thresholds (neutral when no cue was found)."),
        col("confidence", Float32, false, "Confidence in [0, 1]: grows with the evidence, lowered by hedges."),
        col("evidence", ListInt32, false, "Sentence indexes the score rests on (the sentences with cues, else those naming the target)."),
        col("cues", ListUtf8, false, "The words that moved the score, strongest first."),
    ],
};

/// Appends every stance row of `a`.
pub fn push(b: &mut BatchBuilder, a: &Article) {
    for r in &a.scores.stances {
        b.str(Some(&a.doc_id));
        b.str(Some(r.scope.as_str()));
        b.i32(r.paragraph_index.map(|p| p as i32));
        b.i32(r.quote_index.map(|q| q as i32));
        b.str(Some(&r.holder));
        b.str(Some(&r.target));
        b.str(Some(r.target_kind));
        b.i32(Some(r.mentions as i32));
        b.f32(Some(r.score));
        b.str(Some(r.label.as_str()));
        b.f32(Some(r.confidence));
        let ev: Vec<i32> = r.evidence.iter().map(|&s| s as i32).collect();
        b.i32s(&ev);
        b.strs(&r.cues);
    }
}
