//! Hashed sparse features for the learned scorer.
//!
//! Per example: word 1..=N-grams and character M..=K-grams (within words by default) of the
//! normalised text (lower-cased, URLs dropped, `@mentions` → `@user`, hashtags kept whole and also
//! split into their words), the words of the target, and for target-dependent examples (a span is
//! given) the mention masked as one `<t>` token plus the words in a window left and right of it.
//! Every feature is hashed into `2^bits` slots twice: plain, and conditioned on the normalised
//! target, so one model holds a general and a per-target part. Extra dense features (the lexicon
//! scorer's) come from an optional hook.
//!
//! Hashing uses xxh3 with fixed seeds and a fixed mixing function, so the same example always gives
//! the same vector on every machine and thread count.

use std::sync::Arc;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::eval::Example;

/// Featurizer settings; they are stored in the model file, which is why they are plain numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureConfig {
    /// Hash space is `2^bits` slots (per class in the model).
    pub bits: u8,
    /// Word n-gram orders, inclusive; `(0, 0)` for none.
    pub word: (u8, u8),
    /// Character n-gram orders, inclusive; `(0, 0)` for none.
    pub chars: (u8, u8),
    /// Character n-grams only within words (each word padded with a space on either side, as
    /// scikit-learn's `char_wb`), instead of across the whole text.
    pub char_wb: bool,
    /// Also hash every feature together with the target.
    pub target_cond: bool,
    /// Words on each side of a given span that get position-marked window features (0: none).
    pub window: u8,
    /// Damp repeated features: a feature seen `c` times counts `1 + ln c` instead of `c`.
    pub sublinear: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            bits: 20,
            word: (1, 3),
            chars: (2, 5),
            char_wb: true,
            target_cond: true,
            window: 8,
            sublinear: true,
        }
    }
}

/// Extra named dense features for an example, appended after the hashed n-grams without
/// normalisation (e.g. lexicon tone score, positive/negative counts near the target).
pub type DenseHook = dyn Fn(&Example) -> Vec<(String, f32)> + Send + Sync;

/// A sparse feature vector: slot indices ascending and unique, with their values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseVec {
    /// Slot indices, strictly ascending.
    pub idx: Vec<u32>,
    /// Values, one per index.
    pub val: Vec<f32>,
}

/// Turns examples into [`SparseVec`]s.
#[derive(Clone)]
pub struct Featurizer {
    /// The settings.
    pub cfg: FeatureConfig,
    hook: Option<(String, Arc<DenseHook>)>,
}

impl std::fmt::Debug for Featurizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Featurizer")
            .field("cfg", &self.cfg)
            .field("hook", &self.hook.as_ref().map(|h| &h.0))
            .finish()
    }
}

// Namespace seeds: distinct so that e.g. the word `ab` and the character bigram `ab` differ.
const NS_WORD: u64 = 0x5157_4f52_4400_0000;
const NS_CHAR: u64 = 0x4348_4152_0000_0000;
const NS_HASHTAG: u64 = 0x4841_5348_0000_0000;
const NS_TARGET_WORD: u64 = 0x5457_4f52_4400_0000;
const NS_LEFT: u64 = 0x4c45_4654_0000_0000;
const NS_RIGHT: u64 = 0x5249_4748_5400_0000;
const NS_BIAS: u64 = 0x4249_4153_0000_0000;
const NS_OVERLAP: u64 = 0x4f56_4552_0000_0000;
const NS_LOCAL: u64 = 0x4c4f_4341_4c00_0000;
const NS_DENSE: u64 = 0x4445_4e53_4500_0000;

/// The token standing for the masked mention.
const MASK: &str = "<t>";

/// splitmix64's finaliser: a fixed, well-mixing 64-bit permutation.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Lower-cased, whitespace-collapsed target: "Hillary  Clinton" and "hillary clinton" are one.
pub fn normalise_target(t: &str) -> String {
    t.split_whitespace()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalised text pieces: the word tokens, hashtags, and the string for character n-grams.
#[derive(Debug, Default, PartialEq)]
pub struct Normalised {
    /// Word tokens (lower-case; hashtags split into words; `!`/`?` runs kept as one token).
    pub words: Vec<String>,
    /// Whole hashtags, lower-case, with `#`.
    pub hashtags: Vec<String>,
    /// Lower-case text without URLs, mentions as `@user`, single spaces.
    pub chars: String,
}

fn is_url(w: &str) -> bool {
    let l = w.trim_start_matches(|c: char| !c.is_alphanumeric());
    let l = l.get(..8).unwrap_or(l).to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https:/") || l.starts_with("www.")
}

/// Splits a hashtag body at lower→upper case changes and letter↔digit changes:
/// `HillaryForPrison2016` → `hillary for prison 2016`; all-caps stays whole.
fn split_hashtag(body: &str, out: &mut Vec<String>) {
    let cs: Vec<char> = body.chars().collect();
    let mut cur = String::new();
    for (i, &c) in cs.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur).to_lowercase());
            }
            continue;
        }
        if let Some(&p) = i.checked_sub(1).and_then(|j| cs.get(j)) {
            let boundary = (p.is_lowercase() && c.is_uppercase())
                || (p.is_alphabetic() && c.is_numeric())
                || (p.is_numeric() && c.is_alphabetic())
                // `USAToday` → `usa today`: the last capital of a run starts the next word.
                || (p.is_uppercase()
                    && c.is_uppercase()
                    && cs.get(i + 1).is_some_and(|n| n.is_lowercase()));
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur).to_lowercase());
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur.to_lowercase());
    }
}

/// Word tokens of one whitespace-free chunk: letter/digit/apostrophe runs, and `!`/`?` runs.
fn word_tokens(chunk: &str, out: &mut Vec<String>) {
    let mut cur = String::new();
    let mut punct = String::new();
    for c in chunk.chars() {
        if c.is_alphanumeric() || ((c == '\'' || c == '’') && !cur.is_empty()) {
            if !punct.is_empty() {
                out.push(std::mem::take(&mut punct));
            }
            cur.extend(c.to_lowercase().map(|c| if c == '’' { '\'' } else { c }));
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur).trim_end_matches('\'').to_string());
            }
            if (c == '!' || c == '?') && !punct.contains(c) {
                punct.push(c);
            }
        }
    }
    if !punct.is_empty() {
        out.push(punct);
    }
    if !cur.is_empty() {
        out.push(cur.trim_end_matches('\'').to_string());
    }
}

/// Tweet- and news-aware normalisation of `text`.
pub fn normalise(text: &str) -> Normalised {
    let mut n = Normalised::default();
    for chunk in text.split_whitespace() {
        if is_url(chunk) {
            continue;
        }
        if chunk == MASK {
            n.words.push(MASK.into());
            push_chars(&mut n.chars, MASK);
            continue;
        }
        if let Some(rest) = chunk.strip_prefix('@') {
            if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                n.words.push("@user".into());
                push_chars(&mut n.chars, "@user");
                continue;
            }
        }
        if let Some(rest) = chunk.strip_prefix('#') {
            let body: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !body.is_empty() {
                n.hashtags.push(format!("#{}", body.to_lowercase()));
                split_hashtag(&body, &mut n.words);
                push_chars(&mut n.chars, &chunk.to_lowercase());
                continue;
            }
        }
        word_tokens(chunk, &mut n.words);
        push_chars(&mut n.chars, &chunk.to_lowercase());
    }
    n
}

fn push_chars(s: &mut String, w: &str) {
    if !s.is_empty() {
        s.push(' ');
    }
    s.push_str(w);
}

/// Accumulates hashed features, plain and target-conditioned.
struct Sink {
    mask: u64,
    target: Option<u64>,
    out: Vec<(u32, f32)>,
}

impl Sink {
    fn add(&mut self, h: u64, v: f32) {
        self.out.push(((mix(h) & self.mask) as u32, v));
        if let Some(t) = self.target {
            self.out.push(((mix(h ^ t) & self.mask) as u32, v));
        }
    }
}

impl Featurizer {
    /// A featurizer without a dense hook.
    pub fn new(cfg: FeatureConfig) -> Featurizer {
        Featurizer { cfg, hook: None }
    }

    /// Adds a dense-feature hook; `name` is recorded in the model file so that a model trained
    /// with the hook is not used without it.
    pub fn with_hook(mut self, name: &str, hook: Arc<DenseHook>) -> Featurizer {
        self.hook = Some((name.to_string(), hook));
        self
    }

    /// The hook's name, if any.
    pub fn hook_name(&self) -> Option<&str> {
        self.hook.as_ref().map(|h| h.0.as_str())
    }

    /// Number of slots.
    pub fn dim(&self) -> usize {
        1usize << self.cfg.bits
    }

    /// The feature vector of `ex`: n-gram features L2-normalised, then the hook's dense features.
    pub fn featurize(&self, ex: &Example) -> SparseVec {
        let c = &self.cfg;
        let target = normalise_target(&ex.target);
        // Conditioning on a masked mention would undo the masking, so span examples get plain
        // features only.
        let th = (!target.is_empty() && c.target_cond && ex.span.is_none())
            .then(|| xxh3_64(target.as_bytes()) | 1);
        let mut sink = Sink {
            mask: (1u64 << c.bits) - 1,
            target: th,
            out: Vec::with_capacity(512),
        };

        // Mask the mention when a span is given, so that the model learns the context rather than
        // who is mentioned (NewsMTSC's mentions are mostly seen once).
        let span_bytes = ex.span.and_then(|(a, b)| {
            let mut it = ex
                .text
                .char_indices()
                .map(|(p, _)| p)
                .chain([ex.text.len()]);
            let pa = it.nth(a)?;
            let pb = if b > a { it.nth(b - a - 1)? } else { pa };
            Some((pa, pb))
        });
        let masked;
        let text = match span_bytes {
            Some((a, b)) => {
                masked = format!("{} {MASK} {}", &ex.text[..a], &ex.text[b..]);
                masked.as_str()
            }
            None => ex.text.as_str(),
        };
        let n = normalise(text);
        let toks: Vec<u64> = n.words.iter().map(|w| xxh3_64(w.as_bytes())).collect();

        sink.add(NS_BIAS, 1.0);
        let (wmin, wmax) = c.word;
        if wmin >= 1 {
            for order in wmin as usize..=wmax as usize {
                for g in toks.windows(order) {
                    let h = g
                        .iter()
                        .fold(NS_WORD ^ order as u64, |h, &t| mix(h ^ t).rotate_left(5));
                    sink.add(h, 1.0);
                }
            }
        }
        for t in &n.hashtags {
            sink.add(xxh3_64_with_seed(t.as_bytes(), NS_HASHTAG), 1.0);
        }
        let (cmin, cmax) = c.chars;
        if cmin >= 1 {
            // Word-bounded n-grams see every word with a space on both sides, the text's first
            // and last words too.
            let padded;
            let chars = if c.char_wb {
                padded = format!(" {} ", n.chars);
                padded.as_str()
            } else {
                n.chars.as_str()
            };
            let cs: Vec<usize> = chars
                .char_indices()
                .map(|(p, _)| p)
                .chain([chars.len()])
                .collect();
            let nc = cs.len() - 1;
            for order in cmin as usize..=cmax as usize {
                for i in 0..nc.saturating_sub(order - 1) {
                    let s = &chars.as_bytes()[cs[i]..cs[i + order]];
                    // Within words: a space may only mark where the word starts or ends.
                    if c.char_wb && s.len() > 2 && s[1..s.len() - 1].contains(&b' ') {
                        continue;
                    }
                    sink.add(xxh3_64_with_seed(s, NS_CHAR ^ order as u64), 1.0);
                }
            }
        }
        // The target's own words (plain only: conditioned they would just be the target bias),
        // and whether they occur in the text, which tells VAST's topics that are discussed from
        // those that are only related.
        let tgt_words = normalise(&target).words;
        if !tgt_words.is_empty() {
            let saved = sink.target.take();
            let words: std::collections::BTreeSet<&String> = n.words.iter().collect();
            let mut hits = 0;
            for w in &tgt_words {
                sink.add(xxh3_64_with_seed(w.as_bytes(), NS_TARGET_WORD), 1.0);
                hits += usize::from(words.contains(w));
            }
            let share = (4 * hits).div_ceil(tgt_words.len()) as u64;
            sink.target = saved;
            sink.add(NS_OVERLAP ^ share, 1.0);
        }
        let mut v = normalised(merge(sink.out, c.sublinear));

        // The window around the masked mention is its own block, normalised on its own: within the
        // whole-sentence block its few features would be drowned by hundreds of n-grams, yet they
        // are what tells two mentions of one sentence apart.
        // Without a span the window is around the first word that shares a stem with a content
        // word of the target (`abortion` in `Legalization of Abortion`, `vaccines` for the VAST
        // topic `vaccine`): what is said next to the topic carries over to unseen topics.
        let anchor = if span_bytes.is_some() {
            n.words.iter().position(|w| w == MASK)
        } else {
            let stems: Vec<&str> = tgt_words
                .iter()
                .filter(|w| w.chars().count() >= 4 && !STOP.contains(&w.as_str()))
                .map(|w| stem(w))
                .collect();
            n.words.iter().position(|w| stems.contains(&stem(w)))
        };
        if c.window > 0 {
            if let Some(at) = anchor {
                let w = c.window as usize;
                let mut local = Sink {
                    mask: sink.mask,
                    target: None,
                    out: Vec::with_capacity(64),
                };
                let (lo, hi) = (at.saturating_sub(w), (at + 1 + w).min(toks.len()));
                for (d, t) in toks[lo..at].iter().rev().enumerate() {
                    local.add(NS_LEFT ^ *t, 1.0);
                    if d < 2 {
                        local.add(NS_LEFT ^ mix(*t ^ (d as u64 + 1)), 1.0);
                    }
                }
                for (d, t) in toks[at + 1..hi].iter().enumerate() {
                    local.add(NS_RIGHT ^ *t, 1.0);
                    if d < 2 {
                        local.add(NS_RIGHT ^ mix(*t ^ (d as u64 + 1)), 1.0);
                    }
                }
                // Word n-grams of the window, the `<t>` token included (`<t> blamed`, `praised <t>`).
                for order in wmin.max(1) as usize..=wmax.max(1) as usize {
                    for g in toks[lo..hi].windows(order) {
                        let h = g
                            .iter()
                            .fold(NS_LOCAL ^ order as u64, |h, &t| mix(h ^ t).rotate_left(5));
                        local.add(h, 1.0);
                    }
                }
                let l = normalised(merge(local.out, c.sublinear));
                let mut both: Vec<(u32, f32)> = v.idx.into_iter().zip(v.val).collect();
                both.extend(l.idx.into_iter().zip(l.val));
                v = merge(both, false);
            }
        }

        if let Some((_, hook)) = &self.hook {
            let mut extra: Vec<(u32, f32)> = hook(ex)
                .into_iter()
                .filter(|(_, x)| x.is_finite())
                .map(|(name, x)| {
                    let h = mix(xxh3_64_with_seed(name.as_bytes(), NS_DENSE));
                    ((h & sink.mask) as u32, x)
                })
                .collect();
            extra.extend(v.idx.iter().copied().zip(v.val.iter().copied()));
            v = merge(extra, false);
        }
        v
    }
}

/// Words of a target too common to anchor a window.
const STOP: &[&str] = &[
    "that", "this", "with", "from", "have", "been", "they", "their", "about", "real", "should",
    "would",
];

/// A crude stem: the first five characters (`legalization`/`legalize`, `vaccine`/`vaccines`).
fn stem(w: &str) -> &str {
    w.char_indices().nth(5).map_or(w, |(p, _)| &w[..p])
}

/// Scales to unit L2 norm.
fn normalised(mut v: SparseVec) -> SparseVec {
    let norm = v.val.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.val.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// Sorts by slot and adds up collisions.
fn merge(mut f: Vec<(u32, f32)>, sublinear: bool) -> SparseVec {
    // Stable, so that colliding values are always added in the same order.
    f.sort_by_key(|p| p.0);
    let mut v = SparseVec::default();
    for (i, x) in f {
        if v.idx.last() == Some(&i) {
            *v.val.last_mut().unwrap() += x;
        } else {
            v.idx.push(i);
            v.val.push(x);
        }
    }
    if sublinear {
        for x in &mut v.val {
            if *x > 1.0 {
                *x = 1.0 + x.ln();
            }
        }
    }
    v
}
