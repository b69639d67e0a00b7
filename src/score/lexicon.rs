//! The scoring lexicons: valence words, rule modifiers, relation cues and stance cues, read from the
//! TSV files under `pipelines/lexicons/` (compiled in) and from a pipeline's own files.
//!
//! Each lexicon is a [`PhraseMap`]: entries are looked up by their first word, then the longest
//! multi-word continuation that matches wins, so `deep mistrust` beats `mistrust` and `no longer`
//! beats `no`.

use std::fmt;

use super::tokens::{entry_words, Tokens};
use crate::article::FxHashMap;

/// The shipped lexicon files, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "valence",
        include_str!("../../pipelines/lexicons/valence.tsv"),
    ),
    (
        "modifiers",
        include_str!("../../pipelines/lexicons/modifiers.tsv"),
    ),
    (
        "relations",
        include_str!("../../pipelines/lexicons/relations.tsv"),
    ),
    (
        "stance",
        include_str!("../../pipelines/lexicons/stance.tsv"),
    ),
];

/// The words of every lexicon entry, numbered.
#[derive(Clone, Debug, Default)]
pub struct Vocab {
    map: FxHashMap<Box<str>, u32>,
}

impl Vocab {
    /// The id of a word, if any entry uses it.
    pub fn get(&self, w: &str) -> Option<u32> {
        self.map.get(w).copied()
    }

    /// The id of a word, numbering it when new.
    pub fn intern(&mut self, w: &str) -> u32 {
        let n = self.map.len() as u32;
        *self.map.entry(w.into()).or_insert(n)
    }

    /// Number of distinct words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// The words after the first of a multi-word entry (as ids), with the entry's value.
type Continuations<V> = Vec<(Box<[u32]>, V)>;

/// Longest-match lookup of one- and multi-word entries, by word id.
#[derive(Clone, Debug)]
pub struct PhraseMap<V> {
    first: Vec<Continuations<V>>,
    len: usize,
}

impl<V> Default for PhraseMap<V> {
    fn default() -> Self {
        PhraseMap {
            first: Vec::new(),
            len: 0,
        }
    }
}

impl<V: Clone> PhraseMap<V> {
    /// Adds or replaces an entry given as its word ids.
    pub fn insert(&mut self, ids: &[u32], v: V) {
        let Some((&head, rest)) = ids.split_first() else {
            return;
        };
        if self.first.len() <= head as usize {
            self.first.resize_with(head as usize + 1, Vec::new);
        }
        let list = &mut self.first[head as usize];
        if let Some(slot) = list.iter_mut().find(|(r, _)| **r == *rest) {
            slot.1 = v;
            return;
        }
        self.len += 1;
        // Longest continuation first, so the first match found is the longest.
        let at = list.partition_point(|(r, _)| r.len() >= rest.len());
        list.insert(at, (rest.into(), v));
    }

    /// Removes an entry.
    pub fn remove(&mut self, ids: &[u32]) {
        let Some((&head, rest)) = ids.split_first() else {
            return;
        };
        if let Some(list) = self.first.get_mut(head as usize) {
            let before = list.len();
            list.retain(|(r, _)| **r != *rest);
            self.len -= before - list.len();
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The longest entry starting at token `i` (multi-word entries may not cross punctuation),
    /// with the number of tokens it covers.
    pub fn longest(&self, t: &Tokens, i: usize) -> Option<(usize, &V)> {
        let id = *t.ids.get(i)?;
        let list = self.first.get(id as usize)?;
        'outer: for (rest, v) in list {
            if i + rest.len() >= t.ids.len() {
                continue;
            }
            for (k, r) in rest.iter().enumerate() {
                if t.ids[i + 1 + k] != *r {
                    continue 'outer;
                }
            }
            return Some((1 + rest.len(), v));
        }
        None
    }
}

/// What a modifier does in the tone rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModKind {
    /// Flips (and weakens) valence words in its scope.
    Negator,
    /// Strengthens the next valence word.
    Intensifier,
    /// Weakens the next valence word.
    Dampener,
    /// Turns the sentence: with weight > 1 the clause after it weighs more (`but`); with weight < 1
    /// the clause it introduces weighs less (`although`).
    Contrast,
    /// Modality: lowers confidence.
    Hedge,
    /// Marks a question as rhetorical.
    Question,
    /// A reporting verb: never a valence word.
    Reporting,
}

/// One modifier entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Modifier {
    /// Its rule.
    pub kind: ModKind,
    /// Its weight (meaning depends on the kind; see `pipelines/lexicons/modifiers.tsv`).
    pub weight: f32,
}

/// One relation cue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RelationCue {
    /// Cooperation (true) or conflict (false).
    pub cooperation: bool,
    /// Strength in (0, 1].
    pub weight: f32,
    /// GDELT QuadClass 1–4 when one fits.
    pub quad_class: Option<u8>,
}

/// One directional stance cue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StanceCue {
    /// For (true) or against (false) what follows.
    pub favor: bool,
    /// Strength in (0, 1].
    pub weight: f32,
}

/// All four lexicons.
#[derive(Clone, Debug, Default)]
pub struct Lexicons {
    /// Word → valence in [-1, 1].
    pub valence: PhraseMap<f32>,
    /// Rule words.
    pub modifiers: PhraseMap<Modifier>,
    /// Cooperation and conflict cues.
    pub relations: PhraseMap<RelationCue>,
    /// Stance cues.
    pub stance: PhraseMap<StanceCue>,
    /// Every word of every entry.
    pub vocab: Vocab,
    /// Hash of every source text read, in order (part of the pipeline hash).
    pub digest: u64,
}

/// A problem in a lexicon file: file, line, message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexiconError {
    /// The file (or `builtin:NAME`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LexiconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

fn number(s: &str, lo: f32, hi: f32, what: &str) -> Result<f32, String> {
    let v: f32 = s
        .trim()
        .parse()
        .map_err(|_| format!("{what} `{s}` is not a number"))?;
    if !(lo..=hi).contains(&v) {
        return Err(format!("{what} {v} is outside {lo}..={hi}"));
    }
    Ok(v)
}

fn quad(s: &str) -> Result<Option<u8>, String> {
    match s.trim() {
        "-" | "" => Ok(None),
        q => match q.parse::<u8>() {
            Ok(n @ 1..=4) => Ok(Some(n)),
            _ => Err(format!("quadclass `{q}` is not 1, 2, 3, 4 or -")),
        },
    }
}

impl Lexicons {
    /// Reads one lexicon's text into `self`; later entries replace earlier ones, and a line `!term`
    /// removes a term (so a pipeline can take out a shipped entry).
    pub fn add(&mut self, which: &str, file: &str, text: &str) -> Result<(), Vec<LexiconError>> {
        let mut errors = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let err = |message: String| LexiconError {
                file: file.to_string(),
                line: n + 1,
                message,
            };
            let cols: Vec<&str> = line.split('\t').collect();
            // modifiers lead with their kind; the others lead with the term.
            let term_col = usize::from(which == "modifiers");
            let Some(term) = cols.get(term_col) else {
                errors.push(err("expected tab-separated columns".into()));
                continue;
            };
            if let Some(t) = term.trim().strip_prefix('!') {
                let ids: Option<Vec<u32>> =
                    entry_words(t).iter().map(|w| self.vocab.get(w)).collect();
                if let Some(words) = ids {
                    match which {
                        "valence" => self.valence.remove(&words),
                        "modifiers" => self.modifiers.remove(&words),
                        "relations" => self.relations.remove(&words),
                        _ => self.stance.remove(&words),
                    }
                }
                continue;
            }
            let words = entry_words(term);
            if words.is_empty() {
                errors.push(err(format!("`{term}` has no words")));
                continue;
            }
            let words: Vec<u32> = words.iter().map(|w| self.vocab.intern(w)).collect();
            let want = match which {
                "valence" => 2,
                "modifiers" | "stance" => 3,
                _ => 4,
            };
            if cols.len() != want {
                errors.push(err(format!(
                    "expected {want} tab-separated columns, found {}",
                    cols.len()
                )));
                continue;
            }
            let r: Result<(), String> = (|| {
                match which {
                    "valence" => {
                        let v = number(cols[1], -1.0, 1.0, "valence")?;
                        self.valence.insert(&words, v);
                    }
                    "modifiers" => {
                        let kind = match cols[0].trim() {
                            "negator" => ModKind::Negator,
                            "intensifier" => ModKind::Intensifier,
                            "dampener" => ModKind::Dampener,
                            "contrast" => ModKind::Contrast,
                            "hedge" => ModKind::Hedge,
                            "question" => ModKind::Question,
                            "reporting" => ModKind::Reporting,
                            k => return Err(format!("unknown modifier kind `{k}` (negator, intensifier, dampener, contrast, hedge, question, reporting)")),
                        };
                        let weight = number(cols[2], -2.0, 3.0, "weight")?;
                        self.modifiers.insert(&words, Modifier { kind, weight });
                    }
                    "relations" => {
                        let cooperation = match cols[1].trim() {
                            "cooperation" => true,
                            "conflict" => false,
                            p => {
                                return Err(format!(
                                    "polarity `{p}` is not `cooperation` or `conflict`"
                                ))
                            }
                        };
                        let weight = number(cols[2], 0.0, 1.0, "weight")?;
                        let quad_class = quad(cols[3])?;
                        self.relations.insert(
                            &words,
                            RelationCue {
                                cooperation,
                                weight,
                                quad_class,
                            },
                        );
                    }
                    _ => {
                        let favor = match cols[1].trim() {
                            "favor" => true,
                            "against" => false,
                            d => {
                                return Err(format!("direction `{d}` is not `favor` or `against`"))
                            }
                        };
                        let weight = number(cols[2], 0.0, 1.0, "weight")?;
                        self.stance.insert(&words, StanceCue { favor, weight });
                    }
                }
                Ok(())
            })();
            if let Err(m) = r {
                errors.push(err(m));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Loads the lexicons a pipeline names: for each lexicon a list of sources, `builtin` for the
    /// shipped file, else a path.
    pub fn load(sources: &[(String, Vec<String>)]) -> Result<Lexicons, Vec<LexiconError>> {
        let mut lex = Lexicons::default();
        let mut errors = Vec::new();
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for (which, files) in sources {
            for f in files {
                let (name, text) = if f == "builtin" {
                    let text = BUILTIN
                        .iter()
                        .find(|(n, _)| n == which)
                        .map(|(_, t)| t.to_string())
                        .unwrap_or_default();
                    (format!("builtin:{which}"), text)
                } else {
                    let p = std::path::Path::new(f);
                    match std::fs::read_to_string(p) {
                        Ok(t) => (p.display().to_string(), t),
                        Err(e) => {
                            errors.push(LexiconError {
                                file: p.display().to_string(),
                                line: 0,
                                message: format!("cannot read lexicon: {e}"),
                            });
                            continue;
                        }
                    }
                };
                h.update(which.as_bytes());
                h.update(text.as_bytes());
                if let Err(e) = lex.add(which, &name, &text) {
                    errors.extend(e);
                }
            }
        }
        lex.digest = h.digest();
        if errors.is_empty() {
            Ok(lex)
        } else {
            Err(errors)
        }
    }

    /// Tokenises `text` (first byte at `base`) into `t` with word ids from the vocabulary.
    pub fn tokenize(&self, text: &str, base: usize, t: &mut Tokens) {
        t.push_text(text, base);
        t.intern(|w| self.vocab.get(w));
    }

    /// The shipped lexicons.
    pub fn builtin() -> Lexicons {
        let all: Vec<(String, Vec<String>)> = BUILTIN
            .iter()
            .map(|(n, _)| (n.to_string(), vec!["builtin".to_string()]))
            .collect();
        Lexicons::load(&all).expect("the shipped lexicons are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, i32)]) -> (Vocab, PhraseMap<i32>) {
        let mut v = Vocab::default();
        let mut m = PhraseMap::default();
        for (e, x) in entries {
            let ids: Vec<u32> = entry_words(e).iter().map(|w| v.intern(w)).collect();
            m.insert(&ids, *x);
        }
        (v, m)
    }

    fn toks(v: &Vocab, s: &str) -> Tokens {
        let mut t = Tokens::default();
        t.push_text(s, 0);
        t.intern(|w| v.get(w));
        t
    }

    #[test]
    fn longest_entry_wins_and_possessives_match_their_stem() {
        let (v, mut m) = map(&[("mistrust", 1), ("deep mistrust", 2), ("deep", 3)]);
        let t = toks(&v, "a deep mistrust, deep. Mistrust's");
        assert_eq!(m.longest(&t, 1), Some((2, &2)));
        assert_eq!(m.longest(&t, 4), Some((1, &3)));
        assert_eq!(m.longest(&t, 6), Some((1, &1)));
        assert_eq!(m.longest(&t, 0), None);
        let ids: Vec<u32> = ["deep", "mistrust"]
            .iter()
            .map(|w| v.get(w).unwrap())
            .collect();
        m.remove(&ids);
        assert_eq!(m.longest(&t, 1), Some((1, &3)));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn multi_word_entries_do_not_cross_punctuation_or_the_end() {
        let (v, m) = map(&[("cut ties", 1)]);
        assert_eq!(m.longest(&toks(&v, "cut, ties"), 0), None);
        assert_eq!(m.longest(&toks(&v, "cut"), 0), None);
        assert_eq!(m.longest(&toks(&v, "cut ties"), 0), Some((2, &1)));
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let mut l = Lexicons::default();
        let e = l
            .add("valence", "v.tsv", "# header\ngood\t0.5\nbad\tx\nugly\t2\n")
            .unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].to_string(), "v.tsv:3: valence `x` is not a number");
        assert!(e[1].message.contains("outside"), "{}", e[1]);
        let e = l
            .add("modifiers", "m.tsv", "sometimes\tmaybe\t0.5\n")
            .unwrap_err();
        assert!(e[0].message.contains("unknown modifier kind `sometimes`"));
        let e = l
            .add("relations", "r.tsv", "ally\tcooperation\t0.5\t7\n")
            .unwrap_err();
        assert!(e[0].message.contains("quadclass"));
    }

    #[test]
    fn later_files_override_and_bang_removes() {
        let mut l = Lexicons::default();
        l.add("valence", "a", "good\t0.5\nparty\t0.3\n").unwrap();
        l.add("valence", "b", "good\t0.8\n!party\n").unwrap();
        let mut t = Tokens::default();
        l.tokenize("good party", 0, &mut t);
        assert_eq!(l.valence.longest(&t, 0), Some((1, &0.8)));
        assert_eq!(l.valence.longest(&t, 1), None);
    }

    #[test]
    fn shipped_lexicons_load() {
        let l = Lexicons::builtin();
        assert!(l.valence.len() > 3000, "{}", l.valence.len());
        assert!(l.relations.len() > 200);
        assert!(l.stance.len() > 100);
        let mut t = Tokens::default();
        l.tokenize("not", 0, &mut t);
        assert_eq!(l.modifiers.longest(&t, 0).unwrap().1.kind, ModKind::Negator);
    }
}
