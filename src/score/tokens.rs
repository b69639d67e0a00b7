//! Word tokens for the scorers: lowercased, apostrophes folded, with byte offsets into the text.
//!
//! The lexicons are matched token by token rather than with a character automaton because every
//! scoring rule (negation scope, boosters, clause turns, distance to a target mention) counts in
//! words, so the words are needed anyway.

use crate::article::{BYTE_CLASS, B_ALNUM};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokKind {
    /// Letters and digits (with inner apostrophes: `don't`, `japan's`).
    Word,
    /// One punctuation character that ends a clause (`,` `;` `:` `(` `)` dashes) or a sentence.
    Punct(char),
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tok {
    /// Byte range in the tokenised text (offset by the `base` given to [`Tokens::push_text`]).
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Byte range of the lowercased form in [`Tokens::lower`].
    pub lo: (u32, u32),
    /// Word or punctuation.
    pub kind: TokKind,
}

/// Id of a token whose word is in no lexicon (and of punctuation).
pub const NO_ID: u32 = u32::MAX;

/// A reusable token buffer: one per worker, cleared per text, so scoring allocates nothing per word.
#[derive(Debug, Default)]
pub struct Tokens {
    /// Lowercased words, back to back.
    pub lower: String,
    /// The tokens, in order.
    pub toks: Vec<Tok>,
    /// Each token's word id in the lexicons' vocabulary ([`NO_ID`] when none): one hash lookup per
    /// token, after which every lexicon is matched by indexing.
    pub ids: Vec<u32>,
}

fn fold(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' => '\'',
        _ => c,
    }
}

impl Tokens {
    /// Empties the buffer.
    pub fn clear(&mut self) {
        self.lower.clear();
        self.toks.clear();
        self.ids.clear();
    }

    /// Looks up the word ids of the tokens added since the last call. A possessive (`japan's`)
    /// takes its stem's id when the whole form is not a word of its own.
    pub fn intern(&mut self, lookup: impl Fn(&str) -> Option<u32>) {
        for i in self.ids.len()..self.toks.len() {
            let id = if self.toks[i].kind == TokKind::Word {
                let w = self.word(i);
                lookup(w)
                    .or_else(|| w.strip_suffix("'s").and_then(&lookup))
                    .unwrap_or(NO_ID)
            } else {
                NO_ID
            };
            self.ids.push(id);
        }
    }

    /// The lowercased text of token `i`.
    pub fn word(&self, i: usize) -> &str {
        let (a, b) = self.toks[i].lo;
        &self.lower[a as usize..b as usize]
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Tokenises `text` (whose first byte is at `base` in the caller's coordinates) and appends.
    pub fn push_text(&mut self, text: &str, base: usize) {
        let bytes = text.as_bytes();
        let mut word: Option<(usize, u32)> = None; // (start byte, lower start)
                                                   // Inside a hashtag, camel case separates words (`#NotReadyForHillary`), which is how
                                                   // tweets write phrases; elsewhere `McDonald` or `iPhone` stay whole.
        let mut hashtag = false;
        let mut prev_lower = false;
        let mut next = 0;
        while next < bytes.len() {
            let i = next;
            // A run of ASCII letters and digits (most of news text) is copied and lower-cased at
            // once; a hashtag's camel case and everything else go character by character.
            if !hashtag && BYTE_CLASS[bytes[i] as usize] == B_ALNUM {
                let run = bytes[i..]
                    .iter()
                    .position(|&x| BYTE_CLASS[x as usize] != B_ALNUM)
                    .unwrap_or(bytes.len() - i);
                next = i + run;
                if word.is_none() {
                    word = Some((i, self.lower.len() as u32));
                }
                let n = self.lower.len();
                self.lower.push_str(&text[i..next]);
                self.lower[n..].make_ascii_lowercase();
                prev_lower = !bytes[next - 1].is_ascii_uppercase();
                continue;
            }
            let raw = text[i..].chars().next().expect("char boundary");
            next = i + raw.len_utf8();
            let c = fold(raw);
            if crate::article::is_alnum(c) {
                let upper = if c.is_ascii() {
                    c.is_ascii_uppercase()
                } else {
                    c.is_uppercase()
                };
                if hashtag && prev_lower && upper {
                    if let Some((s, ls)) = word.take() {
                        self.toks.push(Tok {
                            start: base + s,
                            end: base + i,
                            lo: (ls, self.lower.len() as u32),
                            kind: TokKind::Word,
                        });
                    }
                }
                prev_lower = !upper;
                if word.is_none() {
                    word = Some((i, self.lower.len() as u32));
                }
                if c.is_ascii() {
                    self.lower.push(c.to_ascii_lowercase());
                } else {
                    self.lower.extend(c.to_lowercase());
                }
                continue;
            }
            // An apostrophe between letters stays inside the word (`don't`, `japan's`).
            if c == '\'' && word.is_some() {
                if let Some(n) = text[next..].chars().next() {
                    if n.is_alphanumeric() {
                        self.lower.push('\'');
                        continue;
                    }
                }
            }
            if let Some((s, ls)) = word.take() {
                self.toks.push(Tok {
                    start: base + s,
                    end: base + i,
                    lo: (ls, self.lower.len() as u32),
                    kind: TokKind::Word,
                });
            }
            hashtag = c == '#';
            prev_lower = false;
            if matches!(
                c,
                ',' | ';'
                    | ':'
                    | '('
                    | ')'
                    | '.'
                    | '?'
                    | '!'
                    | '\u{2013}'
                    | '\u{2014}'
                    | '"'
                    | '\u{201C}'
                    | '\u{201D}'
                    | '\n'
            ) {
                let lo = self.lower.len() as u32;
                self.toks.push(Tok {
                    start: base + i,
                    end: base + i + c.len_utf8(),
                    lo: (lo, lo),
                    kind: TokKind::Punct(c),
                });
            }
        }
        if let Some((s, ls)) = word {
            self.toks.push(Tok {
                start: base + s,
                end: base + text.len(),
                lo: (ls, self.lower.len() as u32),
                kind: TokKind::Word,
            });
        }
    }

    /// Index of the first token starting at or after byte `at`.
    pub fn first_at(&self, at: usize) -> usize {
        self.toks.partition_point(|t| t.start < at)
    }
}

/// Whether a punctuation token ends a clause for the negation and contrast rules.
pub fn is_clause_break(k: TokKind) -> bool {
    matches!(k, TokKind::Punct(c) if c != '"' && c != '\u{201C}' && c != '\u{201D}')
}

/// Splits a lexicon entry into the words [`Tokens`] would give for it (hyphens split words, as in
/// the text).
pub fn entry_words(entry: &str) -> Vec<String> {
    let mut t = Tokens::default();
    t.push_text(entry, 0);
    (0..t.len())
        .filter(|&i| t.toks[i].kind == TokKind::Word)
        .map(|i| t.word(i).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let mut t = Tokens::default();
        t.push_text(s, 0);
        (0..t.len())
            .map(|i| match t.toks[i].kind {
                TokKind::Word => t.word(i).to_string(),
                TokKind::Punct(c) => format!("<{c}>"),
            })
            .collect()
    }

    #[test]
    fn words_apostrophes_hyphens_and_clause_marks() {
        assert_eq!(
            words("Japan’s PM doesn't—Sino-Japanese 'ties', “now”"),
            [
                "japan's", "pm", "doesn't", "<—>", "sino", "japanese", "ties", "<,>", "<“>", "now",
                "<”>"
            ]
        );
    }

    #[test]
    fn hashtags_split_at_camel_case() {
        assert_eq!(
            words("#NotReadyForHillary McDonald #blessed"),
            ["not", "ready", "for", "hillary", "mcdonald", "blessed"]
        );
    }

    #[test]
    fn offsets_slice_the_text_with_a_base() {
        let text = "Él dijo: ¡No!";
        let mut t = Tokens::default();
        t.push_text(text, 10);
        let first = t.toks[0];
        assert_eq!(&text[first.start - 10..first.end - 10], "Él");
        assert_eq!(t.word(0), "él");
        assert_eq!(t.first_at(10 + text.find("No").unwrap()), 3);
    }

    #[test]
    fn entries_split_like_text() {
        assert_eq!(entry_words("Well-being"), ["well", "being"]);
        assert_eq!(entry_words("no longer"), ["no", "longer"]);
    }
}
