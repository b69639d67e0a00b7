//! Command-line interface: flags, sub-commands and exit codes.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::pipeline::Pipeline;
use crate::run::{run, RunOptions};

/// Exit code: every input became a document.
pub const EXIT_OK: i32 = 0;
/// Exit code: the run finished, but some inputs were rejected.
pub const EXIT_REJECTS: i32 = 1;
/// Exit code: fatal error (bad flags, invalid pipeline, output not writable).
pub const EXIT_FATAL: i32 = 2;

/// Turn directories of scraped news commentary into Parquet tables.
#[derive(Parser, Debug)]
#[command(name = "stancemill", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Sub-commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Process files and folders into Parquet tables under --output.
    Run(RunArgs),
    /// Print every table's columns, types and meaning.
    Schema {
        /// Print the Markdown column reference used in the README.
        #[arg(long)]
        markdown: bool,
    },
    /// Show one article as the pipeline sees it: metadata, sections, paragraphs, sentences with
    /// their actor mentions, and the quotations with their speakers.
    Explain {
        /// The article file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Pipeline: a built-in name (`default`), a file, or NAME for pipelines/NAME.toml.
        #[arg(short, long, value_name = "NAME|FILE")]
        pipeline: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check pipeline files and report every problem at once.
    Validate {
        /// Pipeline files (or built-in names).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
    },
    /// Train the learned stance (or sentiment) scorer on a gold file and write the model.
    Train(TrainArgs),
    /// Score a gold file: with a trained --model, by --cv K cross-validation of a fresh model, or
    /// with the lexicon scorer of a --pipeline; print the official measures.
    Eval(EvalArgs),
}

/// The gold file and what to read from it (`train` and `eval`).
#[derive(clap::Args, Debug)]
pub struct GoldArgs {
    /// Gold file.
    #[arg(long, value_name = "FILE")]
    pub gold: PathBuf,
    /// Its format.
    #[arg(long, value_enum)]
    pub format: crate::eval::read::Format,
    /// Stance toward the target, or sentiment (SemEval's Sentiment column; NewsMTSC is
    /// target-dependent sentiment either way) [default: stance, sentiment for newsmtsc].
    #[arg(long, value_enum)]
    pub task: Option<crate::eval::read::Task>,
}

impl GoldArgs {
    fn task(&self) -> crate::eval::read::Task {
        use crate::eval::read::{Format, Task};
        self.task.unwrap_or(if self.format == Format::Newsmtsc {
            Task::Sentiment
        } else {
            Task::Stance
        })
    }
}

/// Learned-model hyperparameters (`train`, and `eval --cv`). Defaults were chosen by
/// cross-validation on the development sets (docs/learn-eval.md).
#[derive(clap::Args, Debug)]
pub struct HyperArgs {
    /// Shuffle seed (training order; for --cv also the folds).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Hash space 2^BITS slots.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u8).range(8..=26))]
    pub bits: u8,
    /// Word n-gram orders MIN-MAX (0-0: none).
    #[arg(long, default_value = "1-3", value_parser = parse_range)]
    pub word_ngrams: (u8, u8),
    /// Character n-gram orders MIN-MAX (0-0: none).
    #[arg(long, default_value = "2-5", value_parser = parse_range)]
    pub char_ngrams: (u8, u8),
    /// Character n-grams across word boundaries instead of within words.
    #[arg(long)]
    pub char_across_words: bool,
    /// Do not add target-conditioned copies of the features.
    #[arg(long)]
    pub no_target_cond: bool,
    /// Words each side of a given span that get window features (0: none).
    #[arg(long, default_value_t = 8)]
    pub window: u8,
    /// Count repeated features linearly instead of 1 + ln(count).
    #[arg(long)]
    pub linear_tf: bool,
    /// Passes over the training data.
    #[arg(long, default_value_t = 6)]
    pub epochs: u32,
    /// L2 penalty.
    #[arg(long, default_value_t = 1e-4)]
    pub l2: f32,
    /// AdaGrad learning rate.
    #[arg(long, default_value_t = 0.05)]
    pub lr: f32,
    /// Class weighting.
    #[arg(long, value_enum, default_value = "balanced")]
    pub class_weight: crate::learn::ClassWeight,
    /// Keep the last weights instead of averaging them over all updates.
    #[arg(long)]
    pub no_average: bool,
    /// Training loss: log (logistic regression) or hinge (one-vs-rest squared hinge, a linear SVM).
    #[arg(long, value_enum, default_value = "hinge")]
    pub loss: crate::learn::train::Loss,
    /// Average this many fits with shuffle seeds SEED, SEED+1, … into one model.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub ensemble: u32,
    /// Shift the neutral class's score by an offset chosen on an inner cross-validation of the
    /// training data to maximise F_avg (f-avg) or macro-F1 [default: f-avg for semeval stance,
    /// the measure that ignores neutral's F1; off otherwise].
    #[arg(long, value_enum)]
    pub tune_neutral: Option<crate::learn::train::TuneNeutral>,
    /// Do not add the lexicon scorer's judgement (stance and tone scores, cue counts) as features.
    #[arg(long)]
    pub no_lexicon_features: bool,
}

impl HyperArgs {
    /// The featurizer these flags describe, with the lexicon hook unless it is turned off.
    fn featurizer(
        &self,
        cfg: &crate::learn::TrainConfig,
    ) -> anyhow::Result<crate::learn::Featurizer> {
        let f = crate::learn::Featurizer::new(cfg.features.clone());
        Ok(if self.no_lexicon_features {
            f
        } else {
            f.with_hook(crate::eval::LEXICON_HOOK, crate::eval::lexicon_hook(None)?)
        })
    }
}

fn parse_range(s: &str) -> Result<(u8, u8), String> {
    let bad = || format!("`{s}` is not MIN-MAX with 0 <= MIN <= MAX <= 8 (e.g. 1-3)");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b): (u8, u8) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if a > b || b > 8 || (a == 0 && b != 0) {
        return Err(bad());
    }
    Ok((a, b))
}

impl HyperArgs {
    /// The training configuration these flags describe.
    pub fn config(
        &self,
        format: crate::eval::read::Format,
        task: crate::eval::read::Task,
    ) -> crate::learn::TrainConfig {
        use crate::eval::read::{Format, Task};
        use crate::learn::train::TuneNeutral;
        crate::learn::TrainConfig {
            features: crate::learn::FeatureConfig {
                bits: self.bits,
                word: self.word_ngrams,
                chars: self.char_ngrams,
                char_wb: !self.char_across_words,
                target_cond: !self.no_target_cond,
                window: self.window,
                sublinear: !self.linear_tf,
            },
            task,
            epochs: self.epochs,
            l2: self.l2,
            lr: self.lr,
            class_weight: self.class_weight,
            seed: self.seed,
            average: !self.no_average,
            loss: self.loss,
            ensemble: self.ensemble,
            tune_neutral: self.tune_neutral.unwrap_or(
                if format == Format::Semeval && task == Task::Stance {
                    TuneNeutral::FAvg
                } else {
                    TuneNeutral::Off
                },
            ),
        }
    }
}

/// `stancemill train` flags.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub gold: GoldArgs,
    /// Model file to write.
    #[arg(long, value_name = "MODEL")]
    pub out: PathBuf,
    #[command(flatten)]
    pub hyper: HyperArgs,
}

/// `stancemill eval` flags.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub gold: GoldArgs,
    /// Score with this trained model.
    #[arg(long, value_name = "MODEL", conflicts_with_all = ["cv", "pipeline"])]
    pub model: Option<PathBuf>,
    /// K-fold cross-validation: train a fresh model on K-1 folds, score the held-out fold.
    #[arg(long, value_name = "K", conflicts_with = "pipeline", value_parser = clap::value_parser!(u16).range(2..=100))]
    pub cv: Option<u16>,
    /// Score with the lexicon scorer of this pipeline (the default without --model or --cv).
    #[arg(short, long, value_name = "NAME|FILE")]
    pub pipeline: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub hyper: HyperArgs,
}

/// `stancemill run` flags.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Files and folders to read (folders are walked recursively, in sorted order).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output folder (created if missing).
    #[arg(short, long, value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
    /// Pipeline: a built-in name (`default`), a file, or NAME for pipelines/NAME.toml.
    #[arg(short, long, value_name = "NAME|FILE")]
    pub pipeline: Option<String>,
    /// Worker threads [default: all cores].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Process at most N inputs (in discovery order).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Write into a non-empty folder that stancemill did not create.
    #[arg(long)]
    pub overwrite: bool,
    /// Continue an interrupted run in --output: skip the units it finished. Refused when the
    /// inputs, the pipeline or the unit size changed since it started.
    #[arg(long)]
    pub resume: bool,
    /// Work is committed in units of about this many MB of input (one part file per table each).
    #[arg(long, value_name = "MB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub unit_mb: u64,
    /// ... or of at most this many input files.
    #[arg(long, value_name = "N", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub unit_files: u64,
}

/// Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Ctrl-C: the first sets the flag (the run finishes its unit and stops cleanly); a second exits at
/// once. Only complete files are ever visible under final names, so exiting at once loses at most
/// the unit in flight; its hidden temporary files are removed by the next run in that folder.
fn interrupt_flag() -> Option<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Registered first, so it sees the flag as it was before this signal set it.
        signal_hook::flag::register_conditional_shutdown(sig, EXIT_INTERRUPTED, flag.clone())
            .ok()?;
        signal_hook::flag::register(sig, flag.clone()).ok()?;
    }
    // A signal handler may not print; this thread tells the user at once that the first Ctrl-C
    // was heard (the run itself only looks at the flag between units).
    let seen = flag.clone();
    let _ = std::thread::Builder::new()
        .name("stancemill-interrupt".into())
        .spawn(move || loop {
            if seen.load(std::sync::atomic::Ordering::Relaxed) {
                eprintln!(
                    "\nstancemill: interrupted; finishing the unit in flight so it can be kept (Ctrl-C again stops at once)"
                );
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        });
    Some(flag)
}

fn print_stdout(s: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => EXIT_OK,
        // `stancemill schema | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            eprintln!("stancemill: {e}");
            EXIT_FATAL
        }
    }
}

/// Parses the process arguments, runs, and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_FATAL } else { EXIT_OK };
        }
    };
    match cli.command {
        Command::Schema { markdown } => print_stdout(&if markdown {
            crate::tables::markdown()
        } else {
            crate::tables::text()
        }),
        Command::Validate { files } => {
            let mut code = EXIT_OK;
            for f in files {
                match Pipeline::resolve(Some(&f)) {
                    Ok(p) => println!("{f}: ok (pipeline `{}`, hash {})", p.name, p.hash),
                    Err(e) => {
                        eprint!("{f}: {e}");
                        code = EXIT_FATAL;
                    }
                }
            }
            code
        }
        Command::Run(args) => run_command(args),
        Command::Train(args) => fatal_on_error(train_command(args)),
        Command::Eval(args) => fatal_on_error(eval_command(args)),
        Command::Explain {
            file,
            pipeline,
            json,
        } => {
            let p = match Pipeline::resolve(pipeline.as_deref()) {
                Ok(p) => p,
                Err(e) => {
                    eprint!("stancemill: {e}");
                    return EXIT_FATAL;
                }
            };
            if !file.is_file() {
                eprintln!("stancemill: {} is not a file", file.display());
                return EXIT_FATAL;
            }
            match crate::explain::process(&file, &p) {
                crate::stages::Outcome::Doc(a) => {
                    let out = if json {
                        crate::explain::json(&a, &p) + "\n"
                    } else {
                        use std::io::IsTerminal;
                        crate::explain::text(&a, &p, std::io::stdout().is_terminal())
                    };
                    print_stdout(&out)
                }
                crate::stages::Outcome::Reject(r) => {
                    eprint!("{}", crate::explain::rejected(&r));
                    EXIT_REJECTS
                }
            }
        }
    }
}

fn run_command(args: RunArgs) -> i32 {
    let pipeline = match Pipeline::resolve(args.pipeline.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprint!("stancemill: {e}");
            return EXIT_FATAL;
        }
    };
    let threads = args
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opts = RunOptions {
        inputs: args.inputs,
        output: args.output.clone(),
        threads,
        progress: !args.quiet,
        limit: args.limit,
        overwrite: args.overwrite,
        resume: args.resume,
        unit_bytes: args.unit_mb << 20,
        unit_files: args.unit_files as usize,
        interrupt: interrupt_flag(),
        // Tests interrupt a run at a known point through the same path as Ctrl-C.
        interrupt_after_units: std::env::var("STANCEMILL_TEST_INTERRUPT_AFTER_UNITS")
            .ok()
            .and_then(|v| v.parse().ok()),
    };
    match run(&pipeline, &opts) {
        Ok(summary) if summary.interrupted() => {
            eprintln!(
                "stancemill: stopped after {} of {} units; {} holds only complete files, but not all of them (no _SUCCESS).\n\
                 continue with the same command and --resume:\n  {} --resume",
                summary.units_done,
                summary.units,
                args.output.display(),
                std::env::args()
                    .filter(|a| a != "--resume")
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            EXIT_INTERRUPTED
        }
        Ok(summary) => {
            if !args.quiet {
                if summary.resumed_units > 0 {
                    eprintln!(
                        "resumed: {} of {} units were already done",
                        summary.resumed_units, summary.units
                    );
                }
                eprintln!("{}", summary.render(&args.output));
            }
            if summary.row.rejects > 0 {
                EXIT_REJECTS
            } else {
                EXIT_OK
            }
        }
        Err(e) => {
            eprintln!("stancemill: {e:#}");
            EXIT_FATAL
        }
    }
}

fn fatal_on_error(r: anyhow::Result<i32>) -> i32 {
    r.unwrap_or_else(|e| {
        eprintln!("stancemill: {e:#}");
        EXIT_FATAL
    })
}

fn train_command(args: TrainArgs) -> anyhow::Result<i32> {
    let start = std::time::Instant::now();
    let task = args.gold.task();
    let gold = crate::eval::read::read(&args.gold.gold, args.gold.format, task)?;
    let cfg = args.hyper.config(args.gold.format, task);
    let examples: Vec<crate::eval::Example> = gold.into_iter().map(|g| g.ex).collect();
    let model = crate::learn::train(&examples, args.hyper.featurizer(&cfg)?, &cfg)?;
    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes)
        .map_err(|e| anyhow::anyhow!("cannot write model {}: {e}", args.out.display()))?;
    let mut counts = std::collections::BTreeMap::new();
    for e in &examples {
        *counts
            .entry(e.label.map_or("?", |l| l.as_str()))
            .or_insert(0usize) += 1;
    }
    let targets: std::collections::BTreeSet<&str> =
        examples.iter().map(|e| e.target.as_str()).collect();
    let classes: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let tuned = if cfg.tune_neutral == crate::learn::train::TuneNeutral::Off {
        String::new()
    } else {
        format!(
            "; neutral offset {} for {}",
            model.neutral_offset(),
            cfg.tune_neutral.name()
        )
    };
    eprintln!(
        "trained {} model on {} examples ({}; {} targets{tuned}) in {:.1} s: {} ({} bytes)",
        task.name(),
        examples.len(),
        classes.join(", "),
        targets.len(),
        start.elapsed().as_secs_f64(),
        args.out.display(),
        bytes.len()
    );
    Ok(EXIT_OK)
}

fn eval_command(args: EvalArgs) -> anyhow::Result<i32> {
    use crate::eval::runner;
    let task = args.gold.task();
    let format = args.gold.format;
    let gold = crate::eval::read::read(&args.gold.gold, format, task)?;
    let report = if let Some(path) = &args.model {
        let model = crate::eval::load_model(path)?;
        if model.config().task != task {
            eprintln!(
                "stancemill: note: model {} was trained for {}, scoring {}",
                path.display(),
                model.config().task.name(),
                task.name()
            );
        }
        runner::evaluate(
            &gold,
            &model,
            format,
            task,
            &format!("learned model {}", path.display()),
        )?
    } else if let Some(k) = args.cv {
        let cfg = args.hyper.config(format, task);
        runner::cross_validate(
            &gold,
            format,
            task,
            usize::from(k),
            args.hyper.seed,
            &args.hyper.featurizer(&cfg)?,
            &cfg,
        )?
    } else {
        let scorer = crate::eval::lexicon_scorer(args.pipeline.as_deref())?;
        runner::evaluate(
            &gold,
            scorer.as_ref(),
            format,
            task,
            &format!("lexicon {}", args.pipeline.as_deref().unwrap_or("default")),
        )?
    };
    Ok(print_stdout(&if args.json {
        report.json().to_string() + "\n"
    } else {
        report.text()
    }))
}
