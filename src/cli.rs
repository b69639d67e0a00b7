//! Command-line interface: flags, sub-commands and exit codes.

use std::io::Write;
use std::path::PathBuf;

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
    };
    match run(&pipeline, &opts) {
        Ok(summary) => {
            if !args.quiet {
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
