//! `stancemill run`: discover → cut into units → process in parallel → write in order.
//!
//! The sorted input list is cut into units (about `--unit-mb` MB or `--unit-files` inputs) and each
//! unit into chunks (at most `CHUNK_FILES` files or `CHUNK_BYTES` bytes), by rules that look only at
//! the input list, never at timing or thread count. Rayon processes a chunk with its order kept,
//! a dispatching thread hands the results to one writer thread per table, and the workers go on
//! with the next chunk meanwhile.
//! Each unit writes one `part-NNNNN.parquet` per table; when all are in place its record appears in
//! `_progress/` (see [`crate::manifest`]), so a killed run loses at most the unit in flight and
//! `--resume` continues after the last recorded unit. The rows, and the bytes of every Parquet file
//! except `runs`, are the same whatever `--threads` is and however often the run was interrupted;
//! memory is bounded by a few chunks (the one being processed, the one being handed over, two
//! queued for the writers and the one they are writing) plus the row groups being built.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::article::Reject;
use crate::manifest::{self, Manifest, UnitRecord};
use crate::output::{OutputDir, TableWriter};
use crate::pipeline::Pipeline;
use crate::stages::discover::{discover, Input};
use crate::stages::{Outcome, Processed, Stages};
use crate::tables::{self, runs::RunRow};

const CHUNK_FILES: usize = 256;
const CHUNK_BYTES: u64 = 32 << 20;

/// What to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Files and folders to read.
    pub inputs: Vec<PathBuf>,
    /// Output folder.
    pub output: PathBuf,
    /// Worker threads.
    pub threads: usize,
    /// Show the progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Stop after this many inputs.
    pub limit: Option<usize>,
    /// Write into a non-empty folder that stancemill did not make.
    pub overwrite: bool,
    /// Continue the run recorded in the output folder, skipping its finished units.
    pub resume: bool,
    /// A unit closes when its inputs reach this many bytes ...
    pub unit_bytes: u64,
    /// ... or this many inputs.
    pub unit_files: usize,
    /// Set (by a signal handler) to stop after the unit in flight.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Behave as if interrupted once this many units are done by this process (for tests).
    pub interrupt_after_units: Option<usize>,
}

impl RunOptions {
    /// Options with the defaults of `stancemill run`, for library users and tests.
    pub fn new(inputs: Vec<PathBuf>, output: PathBuf) -> RunOptions {
        RunOptions {
            inputs,
            output,
            threads: 1,
            progress: false,
            limit: None,
            overwrite: false,
            resume: false,
            unit_bytes: manifest::DEFAULT_UNIT_BYTES,
            unit_files: manifest::DEFAULT_UNIT_FILES,
            interrupt: None,
            interrupt_after_units: None,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct RunSummary {
    /// The row written to `runs`.
    pub row: RunRow,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Units of the run.
    pub units: usize,
    /// Units an earlier, interrupted run had finished (skipped by `--resume`).
    pub resumed_units: usize,
    /// Units finished when this process stopped; fewer than `units` when it was interrupted.
    pub units_done: usize,
}

impl RunSummary {
    /// True when the run stopped early (Ctrl-C) and left work for `--resume`.
    pub fn interrupted(&self) -> bool {
        self.units_done < self.units
    }
}

impl RunSummary {
    /// Human-readable summary for the end of a run.
    pub fn render(&self, output: &std::path::Path) -> String {
        let r = &self.row;
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mb = r.bytes_read as f64 / 1e6;
        format!(
            "{} files seen: {} documents ({} duplicates), {} rejects\n\
             rows: documents {}, paragraphs {}, sentences {}, mentions {}, quotes {}, rejects {}\n\
             {:.1} MB in {:.2}s = {:.1} MB/s, {:.0} docs/s, {} threads\n\
             tables in {}{}",
            r.files_seen,
            r.documents,
            r.duplicates,
            r.rejects,
            r.documents,
            r.paragraphs,
            r.sentences,
            r.mentions,
            r.quotes,
            r.rejects,
            mb,
            secs,
            mb / secs,
            r.documents as f64 / secs,
            r.threads,
            output.display(),
            if r.rejects > 0 {
                format!(
                    "\nexit status 1: {} inputs were rejected; see why with\n  duckdb -c \"select source_path, reason, message from '{}/rejects/*.parquet'\"",
                    r.rejects,
                    output.display()
                )
            } else {
                String::new()
            }
        )
    }
}

fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// One processed chunk, shared by every table's writer thread.
///
/// A container file (JSON lines, WARC) gives many outcomes, so a chunk's outcomes are its files'
/// records, flattened in order.
struct Chunk {
    outcomes: Vec<Outcome>,
    /// For each outcome, the doc_id of the first document with the same body, if any.
    duplicate_of: Vec<Option<String>>,
}

/// Counts and duplicate detection: sequential, in input order, so "first" and every count are
/// the same whatever the thread count.
#[derive(Default)]
struct Ledger {
    first_body: HashMap<u128, String>,
    row: RunRow,
    /// Bodies first seen in the current unit, for its record.
    new_bodies: Vec<(u128, String)>,
}

impl Ledger {
    /// Takes in what a finished unit of an earlier run saw, as if this run had processed it.
    fn restore(&mut self, rec: UnitRecord) {
        manifest::add_counts(&mut self.row, &rec.counts);
        self.first_body.extend(rec.first_bodies);
    }

    fn account(&mut self, files: Vec<Processed>) -> Chunk {
        let mut outcomes = Vec::with_capacity(files.len());
        for f in files {
            self.row.records_skipped += f.skipped;
            outcomes.extend(f.outcomes);
        }
        let mut duplicate_of = Vec::with_capacity(outcomes.len());
        for o in &outcomes {
            self.row.files_seen += 1;
            match o {
                Outcome::Reject(r) => {
                    self.row.rejects += 1;
                    if r.stage != "discover" {
                        self.row.bytes_read += r.bytes.unwrap_or(0);
                    }
                    duplicate_of.push(None);
                }
                Outcome::Doc(a) => {
                    self.row.documents += 1;
                    self.row.bytes_read += a.bytes;
                    self.row.paragraphs += a.paragraphs.len() as u64;
                    self.row.sentences += a.sentences.len() as u64;
                    self.row.mentions += a.mentions.len() as u64;
                    self.row.quotes += a.quotes.len() as u64;
                    let dup = match self.first_body.get(&a.body_hash) {
                        Some(first) => Some(first.clone()),
                        None => {
                            self.first_body.insert(a.body_hash, a.doc_id.clone());
                            self.new_bodies.push((a.body_hash, a.doc_id.clone()));
                            None
                        }
                    };
                    self.row.duplicates += u64::from(dup.is_some());
                    duplicate_of.push(dup);
                }
            }
        }
        Chunk {
            outcomes,
            duplicate_of,
        }
    }
}

/// Appends one chunk's rows for one table.
fn write_rows(table: &str, w: &mut TableWriter, chunk: &Chunk) -> Result<()> {
    for (o, dup) in chunk.outcomes.iter().zip(&chunk.duplicate_of) {
        match (table, o) {
            ("documents", Outcome::Doc(a)) => {
                tables::documents::push(w.builder(), a, dup.as_deref())
            }
            ("paragraphs", Outcome::Doc(a)) => tables::paragraphs::push(w.builder(), a),
            ("sentences", Outcome::Doc(a)) => tables::sentences::push(w.builder(), a),
            ("mentions", Outcome::Doc(a)) => tables::mentions::push(w.builder(), a),
            ("quotes", Outcome::Doc(a)) => tables::quotes::push(w.builder(), a),
            ("stances", Outcome::Doc(a)) => tables::stances::push(w.builder(), a),
            ("relations", Outcome::Doc(a)) => tables::relations::push(w.builder(), a),
            ("rejects", Outcome::Reject(r)) => tables::rejects::push(w.builder(), r),
            _ => continue,
        }
        w.row_done()?;
    }
    Ok(())
}

/// A table's writer on its own thread: tables encode and compress in parallel, each in input order.
struct TableThread {
    tx: mpsc::SyncSender<Arc<Chunk>>,
    handle: std::thread::JoinHandle<Result<u64>>,
}

impl TableThread {
    fn spawn(name: &'static str, mut w: TableWriter) -> Result<TableThread> {
        let (tx, rx) = mpsc::sync_channel::<Arc<Chunk>>(2);
        let handle = std::thread::Builder::new()
            .name(format!("stancemill-{name}"))
            .spawn(move || -> Result<u64> {
                lower_priority();
                for chunk in rx {
                    write_rows(name, &mut w, &chunk)?;
                }
                w.close()
            })
            .context("cannot start a writer thread")?;
        Ok(TableThread { tx, handle })
    }

    fn finish(self) -> Result<u64> {
        drop(self.tx);
        self.handle
            .join()
            .map_err(|_| anyhow::anyhow!("a writer thread panicked"))?
    }
}

/// Accounts each processed chunk (counts, duplicate bodies) and hands it to every table's
/// writer, on its own thread: the workers go on with the next chunk meanwhile instead of waiting
/// while a writer's channel is full. Chunks pass one at a time (a rendezvous channel), so at most
/// one more chunk is in memory than without it, and they reach the writers in order.
///
/// Started for one unit; joining it gives the ledger back, and whether every chunk reached every
/// writer.
fn spawn_dispatcher(
    mut ledger: Ledger,
    writers: &[TableThread],
) -> Result<(mpsc::SyncSender<Vec<Processed>>, Dispatcher)> {
    let (tx, rx) = mpsc::sync_channel::<Vec<Processed>>(0);
    let senders: Vec<_> = writers.iter().map(|w| w.tx.clone()).collect();
    let handle = std::thread::Builder::new()
        .name("stancemill-dispatch".into())
        .spawn(move || {
            for outcomes in rx {
                let shared = Arc::new(ledger.account(outcomes));
                // A writer that stopped on an error closes its channel.
                if senders.iter().any(|w| w.send(shared.clone()).is_err()) {
                    return (ledger, false);
                }
            }
            (ledger, true)
        })
        .context("cannot start a thread")?;
    Ok((tx, handle))
}

/// The dispatching thread of [`spawn_dispatcher`].
type Dispatcher = std::thread::JoinHandle<(Ledger, bool)>;

/// Gives the calling thread a lower scheduling priority (nice 10), on Linux.
///
/// The writers are one thread per table. When a chunk arrives they all wake at once, and with
/// equal priority the scheduler would share the workers' cores with them, so the workers, which
/// set the pace, would wait while compression that could run later takes their turn (measured:
/// about a tenth of the wall time with `--threads 1` on two cores). Writers cannot fall behind
/// for long: the channels hold two chunks, then the next send waits for them.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread; a failure leaves the priority as it was.
    unsafe {
        // Linux keeps a nice value per thread, and `gettid` names this one.
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Closes unit `unit` in the background: lets every table's writer finish its file, makes the
/// renames durable, then records the unit as done. The next unit is processed meanwhile, so the
/// cores do not idle while the last row groups of a unit are compressed. The caller joins one
/// closer before starting the next, so records appear in unit order and at most one unit's
/// writers are held in memory besides the one being filled. Returns the number of units done.
fn close_unit(
    writers: Vec<TableThread>,
    root: &std::path::Path,
    tables: &[String],
    unit: usize,
    record: UnitRecord,
) -> Result<std::thread::JoinHandle<Result<usize>>> {
    let root = root.to_path_buf();
    let tables = tables.to_vec();
    std::thread::Builder::new()
        .name(format!("stancemill-close-{unit}"))
        .spawn(move || -> Result<usize> {
            finish_all(writers)?;
            for t in &tables {
                manifest::sync_dir(&root.join(t));
            }
            record.write(&root, unit)?;
            Ok(unit + 1)
        })
        .context("cannot start a thread")
}

/// Lets every writer finish its file. Every one is joined even when one failed, so no thread
/// outlives the run; the first error is returned.
fn finish_all(writers: Vec<TableThread>) -> Result<()> {
    let results: Vec<Result<u64>> = writers.into_iter().map(TableThread::finish).collect();
    results.into_iter().try_for_each(|r| r.map(drop))
}

/// Waits for a unit's closing thread; `None` when there was none.
fn join_closer(h: Option<std::thread::JoinHandle<Result<usize>>>) -> Result<Option<usize>> {
    h.map(|h| {
        h.join()
            .map_err(|_| anyhow::anyhow!("a unit's closing thread panicked"))?
    })
    .transpose()
}

/// Splits inputs into chunks by count and size only (deterministic), the same rule as units.
fn chunks(inputs: &[Input]) -> impl Iterator<Item = &[Input]> {
    manifest::plan_units(inputs, CHUNK_BYTES, CHUNK_FILES)
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(move |r| &inputs[r])
}

fn process_one(stages: &Stages, inp: &Input) -> Processed {
    match inp {
        Input::Rejected(r) => Processed {
            outcomes: vec![Outcome::Reject(r.clone())],
            skipped: 0,
        },
        Input::File(src) => {
            // A bug in a stage must cost one file, not the run: it becomes a reject.
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                stages.process_file(src)
            })) {
                Ok(o) => o,
                Err(e) => {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "panic".into());
                    Processed {
                        outcomes: vec![Outcome::Reject(Reject {
                            source_path: src.display.clone(),
                            record_index: src.record_index,
                            stage: "process",
                            reason: "internal_error",
                            message: format!("stancemill bug, please report: {msg}"),
                            bytes: Some(src.size),
                        })],
                        skipped: 0,
                    }
                }
            }
        }
    }
}

fn progress_bar(total: u64, files: usize, show: bool) -> ProgressBar {
    let target = if show {
        ProgressDrawTarget::stderr_with_hz(8)
    } else {
        ProgressDrawTarget::hidden()
    };
    let pb = ProgressBar::with_draw_target(Some(total), target);
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    pb.set_message(format!("0/{files} files"));
    pb
}

/// The manifest of this run and the units already done, after checking a `--resume` is safe.
fn start_or_resume(
    out: &OutputDir,
    now: &Manifest,
    resume: bool,
    ledger: &mut Ledger,
) -> Result<usize> {
    if resume {
        if let Some(old) = Manifest::read(&out.root)? {
            if let Some(why) = old.mismatch(now) {
                bail!(
                    "refusing to resume the run in {}: {why}. Resuming would mix rows of two different runs; run without --resume to start over",
                    out.root.display()
                );
            }
            // Units are done in order, so the done ones are a prefix; a record after a gap (there
            // should be none) is not trusted.
            let mut done = 0;
            while done < now.units as usize {
                let Some(rec) = UnitRecord::read(&out.root, done)? else {
                    break;
                };
                ledger.restore(rec);
                done += 1;
            }
            manifest::remove_records_from(&out.root, done)?;
            out.remove_parts_from(done)?;
            return Ok(done);
        }
    }
    // A fresh start: nothing of an earlier run may stay beside the new files.
    manifest::clear(&out.root)?;
    out.remove_parts_from(0)?;
    now.write(&out.root)?;
    Ok(0)
}

/// Runs the pipeline over the inputs and writes every table.
pub fn run(p: &Pipeline, opts: &RunOptions) -> Result<RunSummary> {
    let t0 = Instant::now();
    let started_at = now_micros();
    for i in &opts.inputs {
        if std::fs::symlink_metadata(i).is_err() {
            bail!("input {} does not exist", i.display());
        }
    }
    let out = OutputDir::prepare(&opts.output, opts.overwrite)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .thread_name(|i| format!("stancemill-worker-{i}"))
        .build()
        .context("cannot start worker threads")?;
    // The stages (gazetteer automata, lexicons, regexes) are built while the inputs are found;
    // neither needs the other, and on a large corpus both take a noticeable fraction of a second.
    let (stages, inputs) = std::thread::scope(|s| {
        let stages = s.spawn(|| Stages::new(p));
        let inputs = discover(&opts.inputs, &p.input, opts.limit);
        let stages = stages
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (stages, inputs)
    });
    let total: u64 = inputs.iter().map(Input::size).sum();
    let units = manifest::plan_units(&inputs, opts.unit_bytes, opts.unit_files);
    let wants = |name: &str| p.output.tables.iter().any(|t| t == name);
    let now = Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        pipeline: p.name.clone(),
        pipeline_hash: p.hash.clone(),
        files: inputs.len() as u64,
        bytes: total,
        fingerprint: manifest::fingerprint(&inputs),
        unit_bytes: opts.unit_bytes,
        unit_files: opts.unit_files as u64,
        units: units.len() as u64,
        tables: p.output.tables.clone(),
    };
    let mut ledger = Ledger::default();
    let skipped_units = start_or_resume(&out, &now, opts.resume, &mut ledger)?;
    out.drop_tables_except(&p.output.tables)?;

    let pb = progress_bar(total, inputs.len(), opts.progress);
    let mut done_files: usize = units[..skipped_units].iter().map(|u| u.len()).sum();
    pb.inc(inputs[..done_files].iter().map(Input::size).sum());
    let interrupted = |processed: usize| {
        opts.interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
            || opts.interrupt_after_units.is_some_and(|n| processed >= n)
    };
    // The unit whose files are being closed while the next one is processed.
    let mut closing: Option<std::thread::JoinHandle<Result<usize>>> = None;
    for (k, unit) in units.iter().enumerate().skip(skipped_units) {
        if interrupted(k - skipped_units) {
            break;
        }
        let mut writers = Vec::new();
        // Every table but `runs` (written once, at the end) gets its writer thread.
        for table in tables::TABLES.iter().copied() {
            if table.name != "runs" && wants(table.name) {
                writers.push(TableThread::spawn(
                    table.name,
                    TableWriter::create(&out, table, p, k)?,
                )?);
            }
        }
        let before = ledger.row.clone();
        ledger.new_bodies.clear();
        let (to_dispatch, dispatcher) = spawn_dispatcher(std::mem::take(&mut ledger), &writers)?;
        let mut failed = false;
        for chunk in chunks(&inputs[unit.clone()]) {
            let outcomes: Vec<Processed> =
                pool.install(|| chunk.par_iter().map(|i| process_one(&stages, i)).collect());
            // The dispatcher stops when a writer did; the writer's join below reports why.
            if to_dispatch.send(outcomes).is_err() {
                failed = true;
                break;
            }
            done_files += chunk.len();
            pb.inc(chunk.iter().map(Input::size).sum());
            pb.set_message(format!("{done_files}/{} files", inputs.len()));
        }
        drop(to_dispatch);
        let (returned, delivered) = dispatcher
            .join()
            .map_err(|_| anyhow::anyhow!("the dispatching thread panicked"))?;
        ledger = returned;
        failed |= !delivered;
        let previous = join_closer(closing.take());
        if failed {
            finish_all(writers)?;
            bail!("a table writer stopped early");
        }
        previous?;
        let record = UnitRecord {
            counts: manifest::sub_counts(&ledger.row, &before),
            first_bodies: std::mem::take(&mut ledger.new_bodies),
        };
        closing = Some(close_unit(writers, &out.root, &p.output.tables, k, record)?);
    }
    let units_done = join_closer(closing)?.unwrap_or(skipped_units);
    pb.finish_and_clear();
    let mut row = ledger.row;
    let summary_of = |row: RunRow| RunSummary {
        row,
        elapsed: t0.elapsed(),
        units: units.len(),
        resumed_units: skipped_units,
        units_done,
    };
    if units_done < units.len() {
        return Ok(summary_of(row));
    }

    row.run_id = format!(
        "{}-{:x}",
        chrono::DateTime::from_timestamp_micros(started_at)
            .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
            .unwrap_or_default(),
        std::process::id()
    );
    row.pipeline = p.name.clone();
    row.pipeline_hash = p.hash.clone();
    row.pipeline_origin = p.origin.clone();
    row.inputs = opts
        .inputs
        .iter()
        .map(|i| i.display().to_string())
        .collect();
    row.threads = opts.threads;
    row.started_at = started_at;
    row.finished_at = now_micros();
    if wants("runs") {
        let mut w = TableWriter::create(&out, &tables::runs::TABLE, p, 0)?;
        tables::runs::push(w.builder(), &row);
        w.row_done()?;
        w.close()?;
        manifest::sync_dir(&out.root.join("runs"));
    }
    let summary = summary_of(row);
    out.success(&format!(
        "run_id={}\ndocuments={}\nrejects={}\npipeline_hash={}\nunits={}\nresumed_units={}\n",
        summary.row.run_id,
        summary.row.documents,
        summary.row.rejects,
        p.hash,
        units.len(),
        skipped_units
    ))?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Source;

    fn file(size: u64) -> Input {
        Input::File(Source {
            path: "x".into(),
            display: "x".into(),
            key: "x".into(),
            size,
            record_index: 0,
        })
    }

    #[test]
    fn chunking_depends_only_on_inputs() {
        let inputs: Vec<Input> = (0..600).map(|_| file(10)).collect();
        let c: Vec<usize> = chunks(&inputs).map(|c| c.len()).collect();
        assert_eq!(c, [256, 256, 88]);
        let big: Vec<Input> = (0..5).map(|_| file(20 << 20)).collect();
        let c: Vec<usize> = chunks(&big).map(|c| c.len()).collect();
        assert_eq!(c, [2, 2, 1]);
        assert_eq!(chunks(&[]).count(), 0);
    }
}
