//! The extraction stages, built once from a validated pipeline and shared by all worker threads.
//!
//! [`Stages::process`] takes one discovered file through read → decode → clean → metadata → segment
//! → language → mentions → quotes → score (tone, stance, relations) and returns an [`Outcome`]: a finished [`Article`] or a [`Reject`] that says which stage
//! refused it and why. Each stage lives in its own file with its unit tests at the bottom.

pub mod clean;
pub mod dateline;
pub mod decode;
pub mod discover;
pub mod language;
pub mod mentions;
pub mod metadata;
pub mod quotes;
pub mod segment;

use std::io::Read;

use crate::article::{Article, Reject, Source};
use crate::pipeline::{DecodeConfig, Pipeline};

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// A document.
    Doc(Box<Article>),
    /// A reject row.
    Reject(Reject),
}

/// All stages, ready to run (`Sync`: one instance serves every thread).
///
/// Order: read → decode → clean → metadata → segment → language → mentions → quotes → score.
#[derive(Debug)]
pub struct Stages {
    max_file_bytes: u64,
    decode: DecodeConfig,
    clean: clean::Clean,
    metadata: metadata::MetadataStage,
    segment: segment::Segment,
    mentions: mentions::Mentions,
    quotes: quotes::Quotes,
    score: crate::score::Scorer,
}

impl Stages {
    /// Builds every stage from `p`.
    pub fn new(p: &Pipeline) -> Stages {
        Stages {
            max_file_bytes: p.input.max_file_bytes,
            decode: p.decode.clone(),
            clean: clean::Clean::new(&p.clean),
            metadata: metadata::MetadataStage::new(&p.metadata),
            segment: segment::Segment::new(&p.segment),
            mentions: mentions::Mentions::new(&p.mentions, &p.actors),
            quotes: quotes::Quotes::new(&p.quotes, &p.actors),
            score: crate::score::Scorer::new(&p.score, p.lexicons.clone()),
        }
    }

    /// Reads and processes one file.
    pub fn process(&self, src: &Source) -> Outcome {
        let reject = |stage, reason, message: String, bytes| {
            Outcome::Reject(Reject {
                source_path: src.display.clone(),
                record_index: src.record_index,
                stage,
                reason,
                message,
                bytes,
            })
        };
        // Read at most one byte over the limit: a file that grew since discovery is still refused
        // without loading it whole.
        let mut raw = Vec::with_capacity(src.size.min(self.max_file_bytes) as usize + 1);
        let read = std::fs::File::open(&src.path)
            .and_then(|f| f.take(self.max_file_bytes + 1).read_to_end(&mut raw));
        if let Err(e) = read {
            return reject(
                "read",
                "io_error",
                format!("cannot read: {e}"),
                Some(src.size),
            );
        }
        if raw.len() as u64 > self.max_file_bytes {
            let msg = format!(
                "grew past the limit of {} bytes while being read",
                self.max_file_bytes
            );
            return reject("read", "too_large", msg, Some(raw.len() as u64));
        }
        self.process_bytes(src, &raw)
    }

    /// Processes one record already in memory.
    pub fn process_bytes(&self, src: &Source, raw: &[u8]) -> Outcome {
        let decoded = match decode::decode(raw, &self.decode) {
            Ok(d) => d,
            Err(e) => {
                return Outcome::Reject(Reject {
                    source_path: src.display.clone(),
                    record_index: src.record_index,
                    stage: "decode",
                    reason: e.reason,
                    message: e.message,
                    bytes: Some(raw.len() as u64),
                })
            }
        };
        let mut a = Article::new(src.clone(), raw, decoded.encoding, decoded.text);
        a.warnings = decoded.warnings;
        self.clean.apply(&mut a);
        self.metadata.apply(&mut a);
        self.segment.apply(&mut a);
        language::apply(&mut a);
        self.mentions.apply(&mut a);
        self.quotes.apply(&mut a);
        self.score.score(&mut a);
        if a.paragraphs.is_empty() && a.meta.title.is_none() {
            let what = if a.chrome_removed.is_empty() {
                "no text left after reading metadata".to_string()
            } else {
                format!(
                    "only page chrome ({} lines removed)",
                    a.chrome_removed.len()
                )
            };
            return Outcome::Reject(Reject {
                source_path: src.display.clone(),
                record_index: src.record_index,
                stage: "segment",
                reason: "no_text",
                message: what,
                bytes: Some(raw.len() as u64),
            });
        }
        if a.paragraphs.is_empty() {
            a.warnings.push("no_body".into());
        }
        Outcome::Doc(Box::new(a))
    }
}
