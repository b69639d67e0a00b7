//! The extraction stages, built once from a validated pipeline and shared by all worker threads.
//!
//! [`Stages::process_file`] takes one discovered file through read → [`input`](crate::input)
//! (decompress, format, records) and each record through decode → clean → metadata → segment →
//! language → mentions → quotes → score (tone, stance, relations), returning an [`Outcome`] per record: a finished [`Article`] or a
//! [`Reject`] that says which stage refused it and why. Each stage lives in its own file with its
//! unit tests at the bottom.

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
use crate::input::{self, Hints, Item, Payload, Record};
use crate::pipeline::{DecodeConfig, InputConfig, Pipeline};

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// A document.
    Doc(Box<Article>),
    /// A reject row.
    Reject(Reject),
}

/// What became of one file: an outcome per record, and the records skipped on purpose.
#[derive(Debug, Default)]
pub struct Processed {
    /// Documents and rejects, in record order.
    pub outcomes: Vec<Outcome>,
    /// Records that are not articles (WARC requests, metadata, redirects): counted, not rows.
    pub skipped: u64,
}

/// All stages, ready to run (`Sync`: one instance serves every thread).
///
/// Order: read → decode → clean → metadata → segment → language → mentions → quotes → score.
#[derive(Debug)]
pub struct Stages {
    max_file_bytes: u64,
    input: InputConfig,
    date_order: crate::pipeline::DateOrder,
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
        // The gazetteer automaton, the chrome regexes and the scorer's indexes take about the
        // same time to build and need nothing of each other, so they are built side by side: on
        // a small corpus, building the stages is a good part of the whole run.
        std::thread::scope(|scope| {
            let mentions = scope.spawn(|| mentions::Mentions::new(&p.mentions, &p.actors));
            let score = scope.spawn(|| {
                (
                    quotes::Quotes::new(&p.quotes, &p.actors),
                    crate::score::Scorer::for_pipeline(p),
                )
            });
            let clean = clean::Clean::new(&p.clean);
            let metadata = metadata::MetadataStage::new(&p.metadata);
            let segment = segment::Segment::new(&p.segment);
            fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
                h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
            }
            let (quotes, score) = join(score);
            Stages {
                max_file_bytes: p.input.max_file_bytes,
                input: p.input.clone(),
                date_order: p.metadata.date_order,
                decode: p.decode.clone(),
                clean,
                metadata,
                segment,
                mentions: join(mentions),
                quotes,
                score,
            }
        })
    }

    /// Reads and processes one file; for a container, its first record (`explain` shows one
    /// article).
    pub fn process(&self, src: &Source) -> Outcome {
        let mut p = self.process_file(src);
        p.outcomes.swap_remove(0)
    }

    /// Reads one file and processes every record in it (at least one outcome).
    pub fn process_file(&self, src: &Source) -> Processed {
        let raw = match self.read(src) {
            Ok(raw) => raw,
            Err(o) => {
                return Processed {
                    outcomes: vec![o],
                    skipped: 0,
                }
            }
        };
        self.process_raw(src, raw)
    }

    /// Processes the bytes of one file already in memory (named by `src.path`, whose extension
    /// picks the format as on disk): every record in it, at least one outcome. The same path as
    /// [`Stages::process_file`] after the read, so tests and fuzzing see what a run sees.
    pub fn process_raw(&self, src: &Source, raw: Vec<u8>) -> Processed {
        let name = src.path.to_string_lossy();
        let opened = input::open(&name, raw, &self.input);
        let mut outcomes = Vec::with_capacity(opened.items.len());
        for item in opened.items {
            match item {
                Item::Record(rec) => {
                    let mut s = src.clone();
                    s.record_index = rec.index;
                    outcomes.push(self.process_record(&s, *rec, &opened.format));
                }
                Item::Bad {
                    index,
                    reason,
                    message,
                    bytes,
                } => outcomes.push(Outcome::Reject(Reject {
                    source_path: src.display.clone(),
                    record_index: index,
                    stage: "read",
                    reason,
                    message,
                    bytes: Some(bytes),
                })),
            }
        }
        if outcomes.is_empty() {
            // A container with no article still needs its row: nothing found is never silent.
            let what = if opened.skipped.is_empty() {
                "no records".to_string()
            } else {
                let mut kinds: Vec<(String, usize)> = Vec::new();
                for s in &opened.skipped {
                    match kinds.iter_mut().find(|(k, _)| k == s) {
                        Some((_, n)) => *n += 1,
                        None => kinds.push((s.clone(), 1)),
                    }
                }
                let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
                format!(
                    "no article records ({} skipped: {})",
                    opened.skipped.len(),
                    list.join(", ")
                )
            };
            outcomes.push(Outcome::Reject(Reject {
                source_path: src.display.clone(),
                record_index: 0,
                stage: "read",
                reason: "no_documents",
                message: format!("{} file with {what}", opened.format),
                bytes: Some(src.size),
            }));
        }
        Processed {
            outcomes,
            skipped: opened.skipped.len() as u64,
        }
    }

    fn read(&self, src: &Source) -> Result<Vec<u8>, Outcome> {
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
            return Err(reject(
                "read",
                "io_error",
                format!("cannot read: {e}"),
                Some(src.size),
            ));
        }
        if raw.len() as u64 > self.max_file_bytes {
            let msg = format!(
                "grew past the limit of {} bytes while being read",
                self.max_file_bytes
            );
            return Err(reject("read", "too_large", msg, Some(raw.len() as u64)));
        }
        Ok(raw)
    }

    /// Processes one record of a file.
    fn process_record(&self, src: &Source, rec: Record, format: &str) -> Outcome {
        let decode_reject = |e: decode::DecodeError, n: usize| {
            Outcome::Reject(Reject {
                source_path: src.display.clone(),
                record_index: src.record_index,
                stage: "decode",
                reason: e.reason,
                message: e.message,
                bytes: Some(n as u64),
            })
        };
        let (encoding, text, warnings, hints) = match rec.payload {
            Payload::Text => {
                let mut o = self.process_bytes(src, &rec.raw);
                if let Outcome::Doc(a) = &mut o {
                    a.source_format = format.to_string();
                }
                return o;
            }
            Payload::Prepared(text) => ("UTF-8", text, Vec::new(), rec.hints),
            Payload::Html { charset } => {
                let declared = charset
                    .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
                    .or_else(|| input::html::declared_charset(&rec.raw));
                let d = match decode::decode_declared(&rec.raw, &self.decode, declared) {
                    Ok(d) => d,
                    Err(e) => return decode_reject(e, rec.raw.len()),
                };
                let ex = input::html::extract(&d.text);
                // A crawl's record URL is where the page was fetched; the page's own canonical
                // URL serves a page read from disk.
                let hints = Hints {
                    url: rec.hints.url.or(ex.meta.url),
                    captured: rec.hints.captured,
                    ..ex.meta
                };
                let mut text = String::with_capacity(ex.body.len() + 200);
                if let Some(t) = &hints.title {
                    text.push_str(t);
                    text.push_str("\n\n");
                }
                text.push_str(&ex.body);
                (d.encoding, text, d.warnings, hints)
            }
        };
        let mut a = Article::new(src.clone(), &rec.raw, encoding, decode::tidy(text));
        a.source_format = format.to_string();
        a.warnings = warnings;
        self.run_stages(a, Some(&hints))
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
        self.run_stages(a, None)
    }

    /// Clean → metadata (then the record's own metadata over it) → segment → language → mentions
    /// → quotes, and the no-text check.
    fn run_stages(&self, mut a: Article, hints: Option<&Hints>) -> Outcome {
        let src = a.source.clone();
        let raw_len = a.bytes;
        self.clean.apply(&mut a);
        self.metadata.apply(&mut a);
        if let Some(h) = hints {
            input::apply_hints(&mut a, h, self.date_order);
        }
        self.segment.apply(&mut a);
        language::apply(&mut a);
        if let Some(h) = hints {
            input::apply_lang(&mut a, h);
        }
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
                bytes: Some(raw_len),
            });
        }
        if a.paragraphs.is_empty() {
            a.warnings.push("no_body".into());
        }
        Outcome::Doc(Box::new(a))
    }
}
