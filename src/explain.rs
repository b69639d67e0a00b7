//! `stancemill explain FILE`: one article as the pipeline sees it, stage by stage.
//!
//! Text output for a terminal (mentions and quotations highlighted in colour when stdout is a
//! terminal, bracketed otherwise) or `--json` for tools. It runs exactly the stages `run` runs.

use std::fmt::Write as _;
use std::path::Path;

use crate::article::{Article, Reject, Source};
use crate::pipeline::Pipeline;
use crate::score::{tone::Tone, CueSpan, Scope};
use crate::stages::{Outcome, Stages};

/// Processes one file with `p`.
pub fn process(path: &Path, p: &Pipeline) -> Outcome {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let src = Source {
        path: path.to_path_buf(),
        display: path.display().to_string(),
        key: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size,
        record_index: 0,
    };
    Stages::new(p).process(&src)
}

/// Minimal JSON string escaping.
fn js(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn opt(s: Option<&str>) -> String {
    s.map_or_else(|| "null".into(), js)
}

fn opt_num<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "null".into(), |x| x.to_string())
}

fn ts(micros: Option<i64>) -> Option<String> {
    micros
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
}

/// The article as a JSON object.
pub fn json(a: &Article, p: &Pipeline) -> String {
    let m = &a.meta;
    let mut o = String::new();
    let _ = write!(
        o,
        "{{\"source_path\":{},\"doc_id\":{},\"pipeline\":{},\"pipeline_hash\":{},\"encoding\":{},\"bytes\":{},",
        js(&a.source.display),
        js(&a.doc_id),
        js(&p.name),
        js(&p.hash),
        js(a.encoding),
        a.bytes
    );
    let _ = write!(
        o,
        "\"metadata\":{{\"title\":{},\"published_at\":{},\"published_utc\":{},\"utc_offset_minutes\":{},\"published_raw\":{},\"author\":{},\"comment_count\":{},\"view_count\":{},\"language\":{},\"url\":{},\"site\":{},\"captured_at\":{},\"source_format\":{},\"record_index\":{}}},",
        opt(m.title.as_deref()),
        opt(ts(m.published_at).as_deref()),
        opt(ts(m.published_utc).as_deref()),
        opt_num(m.utc_offset_minutes),
        opt(m.published_raw.as_deref()),
        opt(m.author.as_deref()),
        opt_num(m.comment_count),
        opt_num(m.view_count),
        opt(m.language),
        opt(m.url.as_deref()),
        opt(m.site.as_deref()),
        opt(ts(m.captured_at).as_deref()),
        js(&a.source_format),
        a.source.record_index
    );
    let chrome: Vec<String> = a.chrome_removed.iter().map(|c| js(c)).collect();
    let warnings: Vec<String> = a.warnings.iter().map(|c| js(c)).collect();
    let _ = write!(
        o,
        "\"chrome_removed\":[{}],\"warnings\":[{}],",
        chrome.join(","),
        warnings.join(",")
    );
    let _ = write!(
        o,
        "\"word_count\":{},\"section_count\":{},\"body\":{},",
        a.word_count,
        a.section_count,
        js(&a.body)
    );
    let paras: Vec<String> = a
        .paragraphs
        .iter()
        .enumerate()
        .map(|(i, pa)| {
            let sents: Vec<String> = a
                .sentences
                .iter()
                .enumerate()
                .filter(|(_, s)| s.paragraph_index as usize == i)
                .map(|(si, s)| {
                    format!(
                        "{{\"index\":{si},\"start\":{},\"end\":{},\"text\":{},\"tone\":{}}}",
                        s.span.start,
                        s.span.end,
                        js(a.sentence_text(s)),
                        tone_json(a.scores.sentence_tone.get(si), &cue_list(a, a.scores.cues_of(si)))
                    )
                })
                .collect();
            format!(
                "{{\"index\":{i},\"section\":{},\"start\":{},\"end\":{},\"tone\":{},\"sentences\":[{}]}}",
                pa.section_index,
                pa.span.start,
                pa.span.end,
                tone_json(a.scores.paragraph_tone.get(i), &[]),
                sents.join(",")
            )
        })
        .collect();
    let _ = write!(o, "\"paragraphs\":[{}],", paras.join(","));
    let mentions: Vec<String> = a
        .mentions
        .iter()
        .map(|mm| {
            format!(
                "{{\"actor_id\":{},\"kind\":{},\"affiliation\":{},\"via\":{},\"surface\":{},\"sentence\":{},\"start\":{},\"end\":{}}}",
                js(&mm.actor_id),
                js(mm.kind.as_str()),
                opt(mm.affiliation.as_deref()),
                js(mm.via.as_str()),
                js(&a.body[mm.bytes.0..mm.bytes.1]),
                mm.sentence_index,
                mm.span.start,
                mm.span.end
            )
        })
        .collect();
    let _ = write!(o, "\"mentions\":[{}],", mentions.join(","));
    let quotes: Vec<String> = a
        .quotes
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            format!(
                "{{\"kind\":{},\"paragraph\":{},\"text\":{},\"start\":{},\"end\":{},\"speaker\":{},\"speaker_actor_id\":{},\"speaker_affiliation\":{},\"speaker_role\":{},\"cue\":{},\"tone\":{}}}",
                js(q.kind.as_str()),
                q.paragraph_index,
                js(&a.body[q.bytes.0..q.bytes.1]),
                q.span.start,
                q.span.end,
                opt(q.speaker.as_deref()),
                opt(q.speaker_actor_id.as_deref()),
                opt(q.speaker_affiliation.as_deref()),
                opt(q.speaker_role.as_deref()),
                opt(q.cue.as_deref()),
                tone_json(a.scores.quote_tone.get(qi), &[])
            )
        })
        .collect();
    let _ = write!(o, "\"quotes\":[{}],", quotes.join(","));
    let sc = &a.scores;
    let scored = !sc.sentence_cues.is_empty();
    let pct = |n: u32| 100.0 * n as f32 / a.word_count.max(1) as f32;
    let d = &sc.document_tone;
    let _ = write!(
        o,
        "\"tone\":{},\"gdelt\":{{\"positive_pct\":{},\"negative_pct\":{},\"polarity_pct\":{},\"word_count\":{}}},",
        tone_json(scored.then_some(d), &[]),
        num(pct(d.pos_words)),
        num(pct(d.neg_words)),
        num(pct(d.pos_words + d.neg_words)),
        a.word_count
    );
    let stances: Vec<String> = sc
        .stances
        .iter()
        .map(|r| {
            format!(
                "{{\"scope\":{},\"paragraph\":{},\"quote\":{},\"holder\":{},\"target\":{},\"target_kind\":{},\"mentions\":{},\"score\":{},\"label\":{},\"confidence\":{},\"evidence\":{:?},\"cues\":[{}]}}",
                js(r.scope.as_str()),
                opt_num(r.paragraph_index),
                opt_num(r.quote_index),
                js(&r.holder),
                js(&r.target),
                js(r.target_kind),
                r.mentions,
                num(r.score),
                js(r.label.as_str()),
                num(r.confidence),
                r.evidence,
                r.cues.iter().map(|c| js(c)).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    let relations: Vec<String> = sc
        .relations
        .iter()
        .map(|r| {
            format!(
                "{{\"scope\":{},\"paragraph\":{},\"actor_a\":{},\"actor_b\":{},\"co_mentions\":{},\"cooperation\":{},\"conflict\":{},\"score\":{},\"label\":{},\"quad_class\":{},\"evidence\":{:?},\"cues\":[{}]}}",
                js(r.scope.as_str()),
                opt_num(r.paragraph_index),
                js(&r.actor_a),
                js(&r.actor_b),
                r.co_mentions,
                num(r.cooperation),
                num(r.conflict),
                num(r.score),
                js(r.label),
                opt_num(r.quad_class),
                r.evidence,
                r.cues.iter().map(|c| js(c)).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    let _ = write!(
        o,
        "\"stances\":[{}],\"relations\":[{}]}}",
        stances.join(","),
        relations.join(",")
    );
    o
}

fn num(x: f32) -> String {
    format!("{x:.4}")
}

/// The words of some cues, with their contributions, in text order.
fn cue_list(a: &Article, cues: &[CueSpan]) -> Vec<(String, f32)> {
    cues.iter()
        .map(|c| {
            (
                a.body[c.bytes.0 as usize..c.bytes.1 as usize].to_string(),
                c.value,
            )
        })
        .collect()
}

fn tone_json(t: Option<&Tone>, cues: &[(String, f32)]) -> String {
    match t {
        None => "null".into(),
        Some(t) => {
            let cues: Vec<String> = cues
                .iter()
                .map(|(w, v)| format!("{{\"word\":{},\"value\":{}}}", js(w), num(*v)))
                .collect();
            format!(
                "{{\"score\":{},\"confidence\":{},\"positive\":{},\"negative\":{},\"hedged\":{},\"question\":{},\"cues\":[{}]}}",
                num(t.score()),
                num(t.confidence()),
                num(t.pos),
                num(t.neg),
                t.hedge < 1.0,
                t.question,
                cues.join(",")
            )
        }
    }
}

/// Styles for the text view.
struct Style {
    color: bool,
}

impl Style {
    fn head(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn dim(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn cue(&self, word: &str, value: f32) -> String {
        if self.color {
            let c = if value > 0.0 { "32" } else { "31" };
            format!("\x1b[{c};4m{word}\x1b[0m")
        } else {
            format!("<{word}{value:+.2}>")
        }
    }
    fn mention(&self, surface: &str, id: &str) -> String {
        if self.color {
            format!("\x1b[36;1m{surface}\x1b[0m\x1b[2m[{id}]\x1b[0m")
        } else {
            format!("[{surface}]{{{id}}}")
        }
    }
}

/// The article as text for a terminal.
pub fn text(a: &Article, p: &Pipeline, color: bool) -> String {
    let st = Style { color };
    let m = &a.meta;
    let mut o = String::new();
    let _ = writeln!(o, "{}", st.head(&format!("== {}", a.source.display)));
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "doc_id {}  pipeline {} ({})  {} bytes, {}",
            a.doc_id, p.name, p.hash, a.bytes, a.encoding
        ))
    );
    let _ = writeln!(o, "\n{}", st.head("-- metadata"));
    let none = || "-".to_string();
    let _ = writeln!(o, "title       {}", m.title.clone().unwrap_or_else(none));
    let published = match (ts(m.published_at), &m.published_raw) {
        (Some(t), Some(r)) => format!(
            "{t}  (as printed: \"{r}\"{})",
            m.utc_offset_minutes
                .map_or(String::new(), |off| format!(", UTC{off:+} min"))
        ),
        _ => none(),
    };
    let _ = writeln!(o, "published   {published}");
    let _ = writeln!(o, "author      {}", m.author.clone().unwrap_or_else(none));
    let _ = writeln!(
        o,
        "counters    comments {}, views {}",
        m.comment_count.map_or_else(none, |c| c.to_string()),
        m.view_count.map_or_else(none, |c| c.to_string())
    );
    let _ = writeln!(o, "language    {}", m.language.unwrap_or("-"));
    let _ = writeln!(
        o,
        "source      {} record {}; url {}; site {}{}",
        a.source_format,
        a.source.record_index,
        m.url.as_deref().unwrap_or("-"),
        m.site.as_deref().unwrap_or("-"),
        ts(m.captured_at).map_or(String::new(), |t| format!("; captured {t}"))
    );
    let _ = writeln!(
        o,
        "chrome      {} line(s) removed: {:?}",
        a.chrome_removed.len(),
        a.chrome_removed
    );
    if !a.warnings.is_empty() {
        let _ = writeln!(o, "warnings    {:?}", a.warnings);
    }
    let _ = writeln!(
        o,
        "\n{}",
        st.head(&format!(
            "-- body: {} sections, {} paragraphs, {} sentences, {} words, {} mentions, {} quotes",
            a.section_count,
            a.paragraphs.len(),
            a.sentences.len(),
            a.word_count,
            a.mentions.len(),
            a.quotes.len()
        ))
    );
    let mut section = u32::MAX;
    let mut mi = 0;
    for (si, s) in a.sentences.iter().enumerate() {
        let pa = &a.paragraphs[s.paragraph_index as usize];
        if pa.section_index != section {
            section = pa.section_index;
            let _ = writeln!(o, "{}", st.head(&format!("§ section {section}")));
        }
        if a.sentences
            .get(si.wrapping_sub(1))
            .is_none_or(|prev| prev.paragraph_index != s.paragraph_index)
        {
            let _ = writeln!(
                o,
                "  {}",
                st.dim(&format!(
                    "¶ paragraph {} [{}..{}]",
                    s.paragraph_index, pa.span.start, pa.span.end
                ))
            );
        }
        // The sentence with its mentions and tone cues marked (they never overlap: names carry no
        // valence).
        let mut marks: Vec<(usize, usize, Option<f32>, &str)> = Vec::new();
        while mi < a.mentions.len() && a.mentions[mi].bytes.0 < s.bytes.1 {
            let mm = &a.mentions[mi];
            marks.push((mm.bytes.0, mm.bytes.1, None, &mm.actor_id));
            mi += 1;
        }
        for c in a.scores.cues_of(si) {
            marks.push((c.bytes.0 as usize, c.bytes.1 as usize, Some(c.value), ""));
        }
        marks.sort_by_key(|m| (m.0, m.1));
        let mut line = String::new();
        let mut at = s.bytes.0;
        for (b0, b1, value, id) in marks {
            if b0 < at {
                continue;
            }
            line.push_str(&a.body[at..b0]);
            let w = &a.body[b0..b1];
            line.push_str(&match value {
                Some(v) => st.cue(w, v),
                None => st.mention(w, id),
            });
            at = b1;
        }
        line.push_str(&a.body[at..s.bytes.1]);
        let tone = a.scores.sentence_tone.get(si).map_or(String::new(), |t| {
            format!(
                "  tone {:+.2} (confidence {:.2}{}{})",
                t.score(),
                t.confidence(),
                if t.hedge < 1.0 { ", hedged" } else { "" },
                if t.question { ", question" } else { "" }
            )
        });
        let _ = writeln!(
            o,
            "    {} {}{}",
            st.dim(&format!("s{si} [{}..{}]", s.span.start, s.span.end)),
            line.replace('\n', " "),
            st.dim(&tone)
        );
        let last_of_paragraph = a
            .sentences
            .get(si + 1)
            .is_none_or(|n| n.paragraph_index != s.paragraph_index);
        if let (true, Some(t)) = (
            last_of_paragraph,
            a.scores.paragraph_tone.get(s.paragraph_index as usize),
        ) {
            let _ = writeln!(
                o,
                "  {}",
                st.dim(&format!(
                    "¶ {} tone {:+.2} (confidence {:.2})",
                    s.paragraph_index,
                    t.score(),
                    t.confidence()
                ))
            );
        }
    }
    let _ = writeln!(o, "\n{}", st.head("-- actors (mentions)"));
    let list: Vec<String> = a
        .actor_counts()
        .iter()
        .map(|(id, n)| format!("{id} ×{n}"))
        .collect();
    let _ = writeln!(o, "  {}", list.join(", "));
    let _ = writeln!(o, "\n{}", st.head("-- quotes"));
    for (i, q) in a.quotes.iter().enumerate() {
        let who = match (&q.speaker, &q.speaker_actor_id) {
            (Some(s), Some(id)) => format!("{s} ({id})"),
            (Some(s), None) => s.clone(),
            (None, Some(id)) => format!("({id})"),
            (None, None) => "speaker unknown".into(),
        };
        let extra: Vec<String> = [
            q.speaker_role.as_ref().map(|r| format!("role \"{r}\"")),
            q.speaker_affiliation.as_ref().map(|r| format!("for {r}")),
            q.cue.as_ref().map(|c| format!("cue \"{c}\"")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let _ = writeln!(
            o,
            "  q{i} {} ¶{} — {who}{}{}",
            q.kind.as_str(),
            q.paragraph_index,
            if extra.is_empty() { "" } else { "; " },
            extra.join(", ")
        );
        let _ = writeln!(
            o,
            "      “{}”{}",
            a.body[q.bytes.0..q.bytes.1].replace('\n', " "),
            a.scores
                .quote_tone
                .get(i)
                .map_or(String::new(), |t| format!("  tone {:+.2}", t.score()))
        );
    }
    scores_text(&mut o, a, &st);
    o
}

fn scores_text(o: &mut String, a: &Article, st: &Style) {
    let sc = &a.scores;
    if sc.sentence_cues.is_empty() {
        return;
    }
    let d = &sc.document_tone;
    let pct = |n: u32| 100.0 * n as f32 / a.word_count.max(1) as f32;
    let _ = writeln!(o, "\n{}", st.head("-- tone"));
    let _ = writeln!(
        o,
        "  document {:+.2} (confidence {:.2}); positive {:.1}% negative {:.1}% polarity {:.1}% of {} words",
        d.score(),
        d.confidence(),
        pct(d.pos_words),
        pct(d.neg_words),
        pct(d.pos_words + d.neg_words),
        a.word_count
    );
    let evidence = |ev: &[u32]| {
        ev.iter()
            .map(|s| format!("s{s}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = writeln!(o, "\n{}", st.head("-- stances (holder → target)"));
    for r in &sc.stances {
        let at = match (r.scope, r.paragraph_index, r.quote_index) {
            (Scope::Quote, _, Some(q)) => format!("quote q{q}"),
            (Scope::Paragraph, Some(p), _) => format!("¶{p}"),
            _ => "document".into(),
        };
        let cues: Vec<String> = r.cues.iter().map(|c| st.head(c)).collect();
        let _ = writeln!(
            o,
            "  {at:<9} {} → {} ({}): {:+.2} {} (confidence {:.2}); evidence {}; cues {}",
            r.holder,
            r.target,
            r.target_kind,
            r.score,
            r.label.as_str(),
            r.confidence,
            evidence(&r.evidence),
            if cues.is_empty() {
                "-".into()
            } else {
                cues.join(", ")
            }
        );
    }
    let _ = writeln!(o, "\n{}", st.head("-- relations (cooperation / conflict)"));
    for r in &sc.relations {
        if r.label == "neutral" && r.scope == Scope::Paragraph {
            continue;
        }
        let at = r
            .paragraph_index
            .map_or("document".into(), |p| format!("¶{p}"));
        let cues: Vec<String> = r.cues.iter().map(|c| st.head(c)).collect();
        let _ = writeln!(
            o,
            "  {at:<9} {} – {}: {} {:+.2} (cooperation {:.2}, conflict {:.2}{}), named together in {} sentence(s); evidence {}; cues {}",
            r.actor_a,
            r.actor_b,
            r.label,
            r.score,
            r.cooperation,
            r.conflict,
            r.quad_class.map_or(String::new(), |q| format!(", QuadClass {q}")),
            r.co_mentions,
            evidence(&r.evidence),
            if cues.is_empty() { "-".into() } else { cues.join(", ") }
        );
    }
}

/// Describes a rejected input for `explain`.
pub fn rejected(r: &Reject) -> String {
    format!(
        "{}: rejected at {} ({}): {}\n",
        r.source_path, r.stage, r.reason, r.message
    )
}
