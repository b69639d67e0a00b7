//! Random text built from the pieces the stages react to (quotation marks, reporting verbs,
//! pronouns, names, abbreviations, dashes, paragraph breaks, non-ASCII) must never make a stage
//! panic, and every offset must slice the body. A fixed-seed generator keeps it reproducible.

use stancemill::article::Source;
use stancemill::pipeline::Pipeline;
use stancemill::stages::{Outcome, Stages};

const PIECES: &[&str] = &[
    "“",
    "”",
    "\"",
    "'",
    "’",
    "‘",
    ",",
    ".",
    ":",
    ";",
    " ",
    " ",
    " ",
    "\n",
    "\n\n",
    "\n\n\n",
    "said",
    "told",
    "reporters",
    "that",
    "according to",
    "he",
    "she",
    "He",
    "Abe",
    "Shinzo Abe",
    "Trump's",
    "U.S.",
    "US",
    "us",
    "Mr.",
    "Japan",
    "Japanese",
    "China’s",
    "Sino-",
    "Chinese Defense Ministry",
    "spokesperson",
    "Ren Guoquiang",
    "Foreign Minister",
    "–",
    "—",
    "…",
    "...",
    "é",
    "中国",
    "the",
    "a",
    "deal",
    "(TPP)",
    "Trans-Pacific Partnership",
    "South China Sea",
    "al-Harbi",
    "Dec. 2, 2017",
    "12:58 pm",
    "75 comments",
    "Leave a Reply",
    "By Jane Doe",
    "1.5",
    "No. 10",
    "- ",
    "2. ",
    "!",
    "?",
    "\t",
    "\u{a0}",
    "Ω",
    "Ⅻ",
    "İ",
    "ß",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn chars(s: &str, a: u32, b: u32) -> String {
    s.chars().skip(a as usize).take((b - a) as usize).collect()
}

#[test]
fn random_texts_never_panic_and_offsets_hold() {
    let stages = Stages::new(&Pipeline::builtin());
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for case in 0..2000 {
        let n = 1 + (rng.next() % 120) as usize;
        let text: String = (0..n)
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect();
        let src = Source::named(&format!("r{case}"));
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            stages.process_bytes(&src, text.as_bytes())
        }));
        let out = out.unwrap_or_else(|_| panic!("case {case} panicked on {text:?}"));
        let Outcome::Doc(a) = out else { continue };
        for s in &a.sentences {
            assert_eq!(
                chars(&a.body, s.span.start, s.span.end),
                a.sentence_text(s),
                "case {case}: {text:?}"
            );
        }
        for m in &a.mentions {
            assert_eq!(
                chars(&a.body, m.span.start, m.span.end),
                &a.body[m.bytes.0..m.bytes.1],
                "case {case}: {text:?}"
            );
        }
        for q in &a.quotes {
            assert_eq!(
                chars(&a.body, q.span.start, q.span.end),
                &a.body[q.bytes.0..q.bytes.1],
                "case {case}: {text:?}"
            );
            assert!(q.paragraph_index < a.paragraphs.len() as u32);
        }
    }
}
