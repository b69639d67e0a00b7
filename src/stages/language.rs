//! Language: which language the body is written in, by its most frequent function words.
//!
//! Reads: the body (its first 400 words). Adds: `Metadata::language` as an ISO 639-1 code, or none
//! when no language is clearly ahead. Function words are a reliable signal on news prose of a few
//! hundred words and cost one pass with no model; it recognises the major European languages that
//! share the Latin script, which is what the later (English) lexicon stages need to know.

use std::sync::LazyLock;

use crate::article::{Article, FxHashMap};

const LANGS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "in", "is", "that", "for", "with", "was", "on", "as", "by",
            "it", "are", "this", "from", "has", "have", "its",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "des", "et", "est", "une", "du", "que", "dans", "pour", "qui",
            "sur", "au", "pas", "avec", "ce", "sont", "aux", "par",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "das", "ist", "den", "nicht", "mit", "sich", "des", "auf", "für",
            "ein", "eine", "dem", "von", "zu", "auch", "im", "wird",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "y", "que", "en", "del", "se", "por", "una", "con", "para", "es",
            "su", "al", "lo", "como", "más", "pero", "sus",
        ],
    ),
    (
        "it",
        &[
            "il", "di", "che", "è", "la", "per", "gli", "della", "una", "con", "non", "del",
            "sono", "alla", "nel", "anche", "dei", "le", "si", "come",
        ],
    ),
    (
        "pt",
        &[
            "o", "os", "de", "que", "não", "uma", "do", "da", "em", "para", "com", "se", "por",
            "mais", "as", "dos", "das", "ao", "foi", "é",
        ],
    ),
    (
        "nl",
        &[
            "de", "het", "een", "en", "van", "is", "dat", "niet", "op", "te", "zijn", "voor",
            "met", "ook", "aan", "er", "maar", "als", "bij", "wordt",
        ],
    ),
];

const SAMPLE_WORDS: usize = 400;

/// Function word -> bit set of the languages it belongs to.
static INDEX: LazyLock<FxHashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut m = FxHashMap::default();
    for (i, (_, words)) in LANGS.iter().enumerate() {
        for w in *words {
            *m.entry(*w).or_insert(0u8) |= 1 << i;
        }
    }
    m
});

/// Detects the language of `text`; `None` when unsure.
pub fn detect(text: &str) -> Option<&'static str> {
    let mut scores = [0u32; LANGS.len()];
    let mut words = 0u32;
    let mut lower = String::new();
    let tokens = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty());
    for w in tokens.take(SAMPLE_WORDS) {
        words += 1;
        let key = if w.bytes().all(|b| b.is_ascii_lowercase()) {
            w
        } else {
            lower.clear();
            lower.extend(w.chars().flat_map(char::to_lowercase));
            lower.as_str()
        };
        if let Some(&mask) = INDEX.get(key) {
            for (i, s) in scores.iter_mut().enumerate() {
                *s += u32::from(mask >> i & 1);
            }
        }
    }
    let (best, &top) = scores
        .iter()
        .enumerate()
        .max_by_key(|(i, s)| (**s, std::cmp::Reverse(*i)))?;
    let second = scores
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(0);
    // At least 3 hits and a sixteenth of the words (lists of names and fixtures have few
    // function words), and clearly ahead of the runner-up.
    (top >= 3 && top * 16 >= words && top * 2 > second * 3).then_some(LANGS[best].0)
}

/// Sets the article's language from its body (or title when the body is empty).
pub fn apply(a: &mut Article) {
    let src = if a.body.is_empty() {
        a.meta.title.as_deref().unwrap_or("")
    } else {
        &a.body
    };
    a.meta.language = detect(src);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_major_languages() {
        assert_eq!(detect("The Japan – US alliance is one of the most important relations for the US security interests."), Some("en"));
        assert_eq!(detect("Le gouvernement a annoncé que la réforme des retraites est une priorité pour les Français."), Some("fr"));
        assert_eq!(detect("Die Regierung hat angekündigt, dass die Reform für das Land nicht einfach wird und auch Zeit braucht."), Some("de"));
        assert_eq!(detect("El gobierno anunció que la reforma de las pensiones es una prioridad para los ciudadanos del país."), Some("es"));
        assert_eq!(detect("東京と北京の関係"), None);
        assert_eq!(detect("Tokyo Beijing"), None);
    }
}
