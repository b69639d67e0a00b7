//! The hand-annotated gold set in `tests/fixtures/gold/` (passages written for this project):
//! precision and recall of actor mentions (exact span and actor id) and of quotation spans, and
//! the accuracy of speakers on the quotations found. Fails below 0.95 for mentions and 0.90 for
//! quote spans and speakers (the acceptance bar of the actors-and-quotations issue).

mod common;

use std::collections::BTreeMap;

use stancemill::article::Source;
use stancemill::pipeline::Pipeline;
use stancemill::stages::{Outcome, Stages};

#[derive(Default, Debug)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn p(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn r(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}

fn boundary_ok(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    let after = text[e..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric());
    before && after
}

/// Names compare without case and accents (`Erdoğan` = `Erdogan`): the actor id decides who it is.
fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn gold_set_precision_and_recall() {
    let dir = common::repo().join("tests/fixtures/gold");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "the gold set has {} passages",
        files.len()
    );
    // Body text exactly as written: no title or chrome detection on the passages.
    let mut p = Pipeline::builtin();
    p.metadata.enabled = false;
    p.clean.enabled = false;
    let stages = Stages::new(&p);
    let (mut men, mut quo) = (Counts::default(), Counts::default());
    let (mut spk_ok, mut spk_all, mut kind_ok) = (0usize, 0usize, 0usize);
    let mut report = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let gold: toml::Table = toml::from_str(&std::fs::read_to_string(f).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = gold["text"].as_str().unwrap().trim().to_string();
        let src = Source::named(&name);
        let Outcome::Doc(a) = stages.process_bytes(&src, text.as_bytes()) else {
            panic!("{name}: rejected")
        };
        assert_eq!(a.body, text, "{name}: body must equal the passage");
        // Gold mentions: located in order.
        let mut gold_m: Vec<(usize, usize, String)> = Vec::new();
        let mut at = 0;
        for m in gold
            .get("mentions")
            .and_then(|m| m.as_array())
            .cloned()
            .unwrap_or_default()
        {
            let pair = m.as_array().unwrap();
            let (surface, id) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            let mut from = at;
            let s = loop {
                let s = from
                    + text[from..]
                        .find(surface)
                        .unwrap_or_else(|| panic!("{name}: gold mention {surface:?} not found"));
                if boundary_ok(&text, s, s + surface.len()) || surface.ends_with('-') {
                    break s;
                }
                from = s + 1;
            };
            at = s + surface.len();
            gold_m.push((s, at, id.to_string()));
        }
        let pred_m: Vec<(usize, usize, String)> = a
            .mentions
            .iter()
            .map(|m| (m.bytes.0, m.bytes.1, m.actor_id.to_string()))
            .collect();
        for g in &gold_m {
            if pred_m.contains(g) {
                men.tp += 1;
            } else {
                men.fn_ += 1;
                report.push(format!(
                    "{name}: missed mention {:?} {}",
                    &text[g.0..g.1],
                    g.2
                ));
            }
        }
        for pm in &pred_m {
            if !gold_m.contains(pm) {
                men.fp += 1;
                report.push(format!(
                    "{name}: spurious mention {:?} {}",
                    &text[pm.0..pm.1],
                    pm.2
                ));
            }
        }
        // Quotes: matched by their text.
        let gold_q: Vec<BTreeMap<String, String>> = gold
            .get("quotes")
            .and_then(|q| q.as_array())
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|q| {
                q.as_table()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .collect();
        let pred_q: Vec<(String, &stancemill::article::Quote)> = a
            .quotes
            .iter()
            .map(|q| (norm(&a.body[q.bytes.0..q.bytes.1]), q))
            .collect();
        let mut used = vec![false; pred_q.len()];
        for g in &gold_q {
            let gt = norm(&g["text"]);
            match pred_q
                .iter()
                .enumerate()
                .position(|(i, (t, _))| !used[i] && *t == gt)
            {
                Some(i) => {
                    used[i] = true;
                    quo.tp += 1;
                    let q = pred_q[i].1;
                    if q.kind.as_str() == g["kind"] {
                        kind_ok += 1;
                    } else {
                        report.push(format!(
                            "{name}: quote {:?}: kind {} (gold {})",
                            g["text"],
                            q.kind.as_str(),
                            g["kind"]
                        ));
                    }
                    spk_all += 1;
                    let want_sp = g.get("speaker").cloned().unwrap_or_default();
                    let want_actor = g.get("speaker_actor").cloned().unwrap_or_default();
                    let got_sp = q.speaker.clone().unwrap_or_default();
                    let got_actor = q.speaker_actor_id.as_deref().unwrap_or("").to_string();
                    if fold(&got_sp) == fold(&want_sp) && got_actor == want_actor {
                        spk_ok += 1;
                    } else {
                        report.push(format!("{name}: quote {:?}: speaker {got_sp:?}/{got_actor:?} (gold {want_sp:?}/{want_actor:?})", g["text"]));
                    }
                }
                None => {
                    quo.fn_ += 1;
                    report.push(format!(
                        "{name}: missed quote {:?} ({})",
                        g["text"], g["kind"]
                    ));
                }
            }
        }
        for (i, (t, q)) in pred_q.iter().enumerate() {
            if !used[i] {
                quo.fp += 1;
                report.push(format!(
                    "{name}: spurious quote {t:?} ({})",
                    q.kind.as_str()
                ));
            }
        }
    }
    let speakers = spk_ok as f64 / spk_all.max(1) as f64;
    let summary = format!(
        "gold set: {} passages\nmentions: {} gold, precision {:.3}, recall {:.3}\nquote spans: {} gold, precision {:.3}, recall {:.3}; kind accuracy {:.3}\nspeakers (on quotes found): {:.3} ({spk_ok}/{spk_all})",
        files.len(),
        men.tp + men.fn_,
        men.p(),
        men.r(),
        quo.tp + quo.fn_,
        quo.p(),
        quo.r(),
        kind_ok as f64 / quo.tp.max(1) as f64,
        speakers
    );
    eprintln!("{summary}\n{}", report.join("\n"));
    assert!(
        men.p() >= 0.95 && men.r() >= 0.95,
        "{summary}\n{}",
        report.join("\n")
    );
    assert!(
        quo.p() >= 0.90 && quo.r() >= 0.90,
        "{summary}\n{}",
        report.join("\n")
    );
    assert!(speakers >= 0.90, "{summary}\n{}", report.join("\n"));
}
