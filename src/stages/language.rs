//! Language: which language the body is written in, by its most frequent function words.
//!
//! Reads: the body (its first 400 words). Adds: `Metadata::language` as an ISO 639-1 code, or none
//! when no language is clearly ahead. Function words are a reliable signal on news prose of a few
//! hundred words and cost one pass with no model; it recognises the major European languages that
//! share the Latin script, which is what the later (English) lexicon stages need to know.

use std::ops::ControlFlow;
use std::sync::LazyLock;

use crate::article::{Article, ProbeTable};

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

/// Function words packed into one integer each ([`pack`]), by a multiply-shift hash (no string
/// hashing), with the set of languages each belongs to. Two words in five of a sample are
/// function words, hence a table read with no branch.
type Index = ProbeTable<u64, u8>;

const INDEX_BITS: u32 = 9;

fn slot(k: u64) -> usize {
    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - INDEX_BITS)) as usize
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let n = LANGS.iter().map(|(_, w)| w.len()).sum::<usize>();
    let mut ix = Index::new(1 << INDEX_BITS, n);
    for (lang, (_, words)) in LANGS.iter().enumerate() {
        for w in *words {
            let k = pack(w.as_bytes()).expect("function words are short");
            *ix.entry(slot(k), k) |= 1 << lang;
        }
    }
    ix
});

/// A word of at most 8 bytes as one integer (0 never occurs: words are not empty); `None` for
/// longer words, which are no function word.
fn pack(w: &[u8]) -> Option<u64> {
    if w.len() > 8 {
        return None;
    }
    let mut buf = [0u8; 8];
    buf[..w.len()].copy_from_slice(w);
    Some(u64::from_le_bytes(buf))
}

/// The most likely language of `text` (from its first [`SAMPLE_WORDS`] words), or `None`.
pub fn detect(text: &str) -> Option<&'static str> {
    // The sample is read from a prefix that holds it in ordinary text, so that the letter mask
    // is not built over the whole body; from the whole text when the prefix runs out first.
    let mut end = SAMPLE_BYTES.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    sample(text, end).unwrap_or_else(|| sample(text, text.len()).flatten())
}

/// Bytes of text that usually hold [`SAMPLE_WORDS`] words.
const SAMPLE_BYTES: usize = 4096;

/// [`detect`] from the words of `text[..end]`; `None` when they are fewer than the sample and
/// the text goes on (a word may be cut at `end`, and more words follow).
fn sample(text: &str, end: usize) -> Option<Option<&'static str>> {
    let mut by_mask = [0u32; 256];
    let mut words = 0u32;
    let mut lower = String::new();
    let b = text.as_bytes();
    // Words are runs of letters, read from a bit mask of the letters (one pass of vector
    // compares; a byte-by-byte walk mispredicted every word boundary).
    let letters = crate::article::char_bits(&text[..end], true);
    // The first and the last letter of each run of letters, whose k-th bits bound the k-th word
    // (two searches through the mask per word cost more than the rest of the word's work).
    let ends = crate::article::ends_of(&letters);
    let starts = crate::article::starts_of(letters);
    // A word cut by the end of the prefix: the sample must be taken from the whole text.
    let mut cut = false;
    crate::article::for_each_word(&starts, &ends, |st, i| {
        if words as usize == SAMPLE_WORDS {
            return ControlFlow::Break(());
        }
        if i == end && end < b.len() {
            cut = true;
            return ControlFlow::Break(());
        }
        words += 1;
        let len = i - st;
        // A short word is read at once, and is ASCII when no byte has its top bit.
        let raw = if len <= 8 {
            crate::article::swar::load_low(b, st, len)
        } else {
            0
        };
        let key = if len <= 8 && raw & crate::article::swar::HIGH == 0 {
            // ASCII letters only, so setting bit 5 of each byte lower-cases them.
            raw | (0x2020_2020_2020_2020 >> (8 * (8 - len)))
        } else if len > 8 && b[st..i].is_ascii() {
            return ControlFlow::Continue(());
        } else {
            lower.clear();
            lower.extend(text[st..i].chars().flat_map(char::to_lowercase));
            match pack(lower.as_bytes()) {
                Some(k) => k,
                None => return ControlFlow::Continue(()),
            }
        };
        // Counted by language set; the languages' scores are summed from the sets once, after
        // the sample, instead of a loop over the languages at every word.
        by_mask[usize::from(INDEX.get(slot(key), key))] += 1;
        ControlFlow::Continue(())
    });
    if cut {
        return None;
    }
    if (words as usize) < SAMPLE_WORDS && end < b.len() {
        return None;
    }
    let mut scores = [0u32; LANGS.len()];
    for (mask, &n) in by_mask.iter().enumerate().skip(1) {
        for (l, s) in scores.iter_mut().enumerate() {
            *s += n * (mask as u32 >> l & 1);
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
    Some((top >= 3 && top * 16 >= words && top * 2 > second * 3).then_some(LANGS[best].0))
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
    fn the_prefix_sample_is_the_whole_text_sample() {
        // Texts around and past the prefix, with words cut at its end, few words, and the
        // prefix ending inside a multi-byte character.
        let parts = [
            "the ",
            "und ",
            "le ",
            "el ",
            "réforme ",
            "x",
            "Japan",
            ". ",
            "\n",
            "é",
            "東",
            " ",
            "1234 ",
            "—",
        ];
        for text in crate::article::mixed_strings(&parts, 7, 400, 2500) {
            assert_eq!(
                detect(&text),
                sample(&text, text.len()).flatten(),
                "{text:?}"
            );
        }
        // The last word of the sample, which makes the text English (25 of 400 words), is cut at
        // the prefix's end.
        let mut text = "the ".repeat(24);
        for k in 0..SAMPLE_WORDS - 25 {
            let len = if k == SAMPLE_WORDS - 26 {
                SAMPLE_BYTES - 3 - text.len()
            } else {
                9
            };
            text.push_str(&"x".repeat(len));
            text.push(' ');
        }
        assert_eq!(text.len(), SAMPLE_BYTES - 2);
        text.push_str("the more words");
        assert_eq!(detect(&text), Some("en"));
        for n in [4090, 4095, 4096, 4097, 4100] {
            let text = "x".repeat(n) + " the and of to in";
            assert_eq!(detect(&text), sample(&text, text.len()).flatten());
        }
    }

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
