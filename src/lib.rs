//! stancemill: directories of scraped news commentary in, Parquet tables out.
//!
//! The binary is a thin shell over this library: [`pipeline`] loads and validates a pipeline file,
//! [`stages`] holds one module per extraction stage, [`tables`] defines every output table, and
//! [`run`] wires them into a parallel, deterministic, streaming run that [`output`] writes safely.
//!
//! The stages can also be used on one text directly:
//!
//! ```
//! use stancemill::article::Source;
//! use stancemill::pipeline::Pipeline;
//! use stancemill::stages::{Outcome, Stages};
//!
//! let stages = Stages::new(&Pipeline::builtin());
//! let src = Source::named("note.txt");
//! let text = "Allies Meet in Tokyo\n\nDec. 2, 2017 9:30 am\nBy Jane Doe\n\nMr. Abe met U.S. officials. They agreed.\n\nLeave a Reply\n";
//! let Outcome::Doc(a) = stages.process_bytes(&src, text.as_bytes()) else { panic!() };
//! assert_eq!(a.meta.title.as_deref(), Some("Allies Meet in Tokyo"));
//! assert_eq!(a.meta.author.as_deref(), Some("Jane Doe"));
//! assert_eq!(a.body, "Mr. Abe met U.S. officials. They agreed.");
//! assert_eq!(a.sentences.len(), 2);
//! assert_eq!(a.chrome_removed, ["Leave a Reply"]);
//! ```

pub mod article;
pub mod cli;
pub mod eval;
pub mod explain;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
pub mod learn;
pub mod manifest;
pub mod output;
pub mod pipeline;
pub mod run;
pub mod score;
pub mod stages;
pub mod tables;
