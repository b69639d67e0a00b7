//! stancemill: directories of scraped news commentary in, Parquet tables out.
//!
//! The binary is a thin shell over this library: [`pipeline`] loads and validates a pipeline file,
//! [`stages`] holds one module per extraction stage, [`tables`] defines every output table, and
//! [`run`] wires them into a parallel, deterministic, streaming run that [`output`] writes safely.

pub mod article;
pub mod cli;
pub mod output;
pub mod pipeline;
pub mod run;
pub mod stages;
pub mod tables;
