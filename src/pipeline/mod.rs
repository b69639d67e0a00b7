//! Pipeline files: loading, `extends`, validation and the pipeline hash.
//!
//! A pipeline is read once, checked completely (every problem of every file in the `extends` chain
//! is collected, each with file, line, column and key), and turned into ready-built objects: glob
//! sets, compiled regexes, parsed enums. Stages then trust it and never re-parse a string in a hot
//! loop. The hash of the resolved pipeline goes into every output file, so tables made with different
//! settings can be told apart.

pub mod actors;
pub mod tree;

use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;

use crate::score::{ScoreConfig, ScorerChoice, TargetDef, TargetKind, Threshold};
use tree::{Loc, Node, Problem, Section};

/// `path` as written in `file`: relative paths are taken from the file's folder, so a folder of
/// pipelines and lexicons can be moved as a whole.
fn relative_to(file: &str, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() || file.starts_with('<') {
        return p.to_path_buf();
    }
    Path::new(file)
        .parent()
        .map_or_else(|| p.to_path_buf(), |d| d.join(p))
}

/// Built-in topic files, by the path a pipeline names them with.
pub const BUILTIN_TOPIC_FILES: &[(&str, &str)] =
    &[("topics.toml", include_str!("../../pipelines/topics.toml"))];

/// `[targets]`: `auto = [kinds]`, `files = [topic files]` (of `[targets.NAME]` tables, merged in
/// order, the pipeline's own tables over them) plus one table per declared target, each with
/// `actors = [1 or 2 ids]` or `terms = [phrases]` (a topic, which may also declare `aliases`,
/// `favor`, `against`, `allies` and `opponents`).
fn read_targets(
    node: Option<&Node>,
    problems: &mut Vec<Problem>,
) -> (Vec<actors::ActorKind>, Vec<(TargetDef, Loc)>) {
    use actors::ActorKind;
    let mut auto = vec![
        ActorKind::State,
        ActorKind::Organisation,
        ActorKind::Agreement,
    ];
    let mut defs = Vec::new();
    let Some(node) = node else {
        return (auto, defs);
    };
    let tree::Value::Table(t) = &node.value else {
        problems.push(Problem {
            loc: node.loc.clone(),
            key: "targets".into(),
            message: format!("expected a table, found {}", node.value.type_name()),
        });
        return (auto, defs);
    };
    let (settings, own): (
        std::collections::BTreeMap<_, _>,
        std::collections::BTreeMap<_, _>,
    ) = t
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .partition(|(k, _)| k == "auto" || k == "files");
    let wrapper = Node {
        loc: node.loc.clone(),
        value: tree::Value::Table(settings),
    };
    let mut s = Section::new("targets", Some(&wrapper), problems);
    if s.node("auto").is_some() {
        auto.clear();
        for (k, loc) in s.strings("auto", &[]) {
            match ActorKind::parse(&k) {
                Some(kind) => auto.push(kind),
                None => s.problem("auto", &loc, format!("unknown actor kind `{k}` (state, person, organisation, agreement, place, event)")),
            }
        }
    }
    let files = s.strings("files", &[]);
    s.finish();
    let from_files = actors::load_data_files(
        &files,
        "targets",
        "targets.files",
        BUILTIN_TOPIC_FILES,
        problems,
    );
    let own = Node {
        loc: node.loc.clone(),
        value: tree::Value::Table(own),
    };
    let merged = match from_files {
        Some(f) => tree::merge(f, own),
        None => own,
    };
    let tree::Value::Table(all) = &merged.value else {
        return (auto, defs);
    };
    for (key, (kloc, n)) in all {
        let path = format!("targets.{key}");
        let mut s = Section::new(&path, Some(n), problems);
        let actors = s.strings("actors", &[]);
        let terms = s.strings("terms", &[]);
        let list = |s: &mut Section<'_>, k: &'static str| -> Vec<String> {
            s.strings(k, &[]).into_iter().map(|(v, _)| v).collect()
        };
        let topic = crate::score::Topic {
            terms: terms.iter().map(|(t, _)| t.clone()).collect(),
            aliases: list(&mut s, "aliases"),
            favor: list(&mut s, "favor"),
            against: list(&mut s, "against"),
            allies: list(&mut s, "allies"),
            opponents: list(&mut s, "opponents"),
        };
        let knowledge = !(topic.aliases.is_empty()
            && topic.favor.is_empty()
            && topic.against.is_empty()
            && topic.allies.is_empty()
            && topic.opponents.is_empty());
        let kind = match (actors.len(), terms.is_empty()) {
            (1, true) if !knowledge => Some(TargetKind::Actor(actors[0].0.as_str().into())),
            (2, true) if !knowledge => Some(TargetKind::Pair(
                actors[0].0.as_str().into(),
                actors[1].0.as_str().into(),
            )),
            (0, false) => Some(TargetKind::Topic(topic)),
            (1 | 2, true) => {
                for k in ["aliases", "favor", "against", "allies", "opponents"] {
                    if let Some(n) = s.node(k) {
                        let loc = n.loc.clone();
                        s.problem(
                            k,
                            &loc,
                            "belongs to a topic (a target with `terms`), not to an actor target",
                        );
                    }
                }
                None
            }
            _ => {
                let loc = s.loc().clone();
                s.problem(
                    "",
                    &loc,
                    "a target needs either `actors` (one id, or two for a pair) or `terms`",
                );
                None
            }
        };
        s.finish();
        if let Some(kind) = kind {
            defs.push((
                TargetDef {
                    id: key.clone(),
                    kind,
                },
                kloc.clone(),
            ));
        }
    }
    (auto, defs)
}

/// The built-in default pipeline, compiled in.
pub const DEFAULT_TOML: &str = include_str!("../../pipelines/default.toml");
/// The built-in chrome-line patterns, compiled in.
pub const BUILTIN_CHROME: &str = include_str!("../../pipelines/chrome.txt");
/// The built-in abbreviation list, compiled in.
pub const BUILTIN_ABBREVIATIONS: &str = include_str!("../../pipelines/abbreviations.txt");

/// Version of the table schemas written into every Parquet file's metadata.
pub const SCHEMA_VERSION: u32 = 1;

/// Every problem found while loading a pipeline.
#[derive(Debug)]
pub struct PipelineError {
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "invalid pipeline ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PipelineError {}

/// Order of day and month in all-numeric dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    /// 12/02/2017 is December 2.
    Mdy,
    /// 12/02/2017 is 12 February.
    Dmy,
}

/// `[input]`: which files are inputs and how large they may be.
#[derive(Clone, Debug)]
pub struct InputConfig {
    /// Include globs (relative to each input directory).
    pub include: Vec<String>,
    /// Exclude globs.
    pub exclude: Vec<String>,
    /// Compiled include globs.
    pub include_set: GlobSet,
    /// Compiled exclude globs.
    pub exclude_set: GlobSet,
    /// Files larger than this are rejected unread.
    pub max_file_bytes: u64,
    /// Whether hidden files and folders are inputs.
    pub hidden: bool,
    /// Whether symbolic links are followed.
    pub follow_links: bool,
    /// A compressed file may not expand past this many bytes.
    pub max_decompressed_bytes: u64,
    /// Nor past this ratio to its compressed size (once over 1 MiB).
    pub max_ratio: f64,
    /// `[input.json]`: which fields of a JSON record hold what.
    pub json: JsonFields,
}

/// `[input.json]`: the name of each article field; `None` tries the common exporters' names.
pub type JsonFields = crate::input::json::ArticleFields<Option<String>>;

/// `[stages.decode]`.
#[derive(Clone, Debug)]
pub struct DecodeConfig {
    /// Largest share of control/replacement characters a text may have.
    pub max_garbage_ratio: f64,
    /// Encoding for non-UTF-8 text with too few non-ASCII bytes for detection to be reliable.
    pub legacy_default: &'static encoding_rs::Encoding,
}

/// `[stages.clean]`.
#[derive(Clone, Debug)]
pub struct CleanConfig {
    /// Whether the stage runs.
    pub enabled: bool,
    /// Whether the built-in chrome list is used.
    pub builtin: bool,
    /// Whole chrome lines (lower-cased, trimmed).
    pub lines: Vec<String>,
    /// Extra whole-line regexes, as written.
    pub patterns: Vec<String>,
    /// Trailer-start regexes, as written.
    pub tail_markers: Vec<String>,
}

/// `[stages.metadata]`.
#[derive(Clone, Debug)]
pub struct MetadataConfig {
    /// Whether the stage runs.
    pub enabled: bool,
    /// Day/month order of numeric dates.
    pub date_order: DateOrder,
    /// Non-blank lines at the top that may hold metadata.
    pub header_lines: usize,
}

/// `[stages.segment]`.
#[derive(Clone, Debug)]
pub struct SegmentConfig {
    /// Blank lines that start a new section.
    pub section_blank_lines: usize,
    /// Extra abbreviations (same syntax as `pipelines/abbreviations.txt`).
    pub abbreviations: Vec<String>,
}

/// `[stages.mentions]`.
#[derive(Clone, Debug, Hash)]
pub struct MentionsConfig {
    /// Whether the stage runs.
    pub enabled: bool,
    /// Kinds of state bodies (`defense`) and the phrases that name them after a state
    /// (`Defense Ministry`, `Ministry of Defence`).
    pub institutions: Vec<(String, Vec<String>)>,
    /// Phrases that name one state's body on their own (`Pentagon` = `USA.defense`).
    pub standalone: Vec<(String, String)>,
}

/// `[stages.quotes]`.
#[derive(Clone, Debug, Hash)]
pub struct QuotesConfig {
    /// Whether the stage runs.
    pub enabled: bool,
    /// Reporting verbs (`said`, `stated`, `warned`, …), each form listed.
    pub verbs: Vec<String>,
    /// A quotation of at least this many words is a statement (shorter: a statement only when it
    /// reads as a sentence, else a phrase).
    pub statement_min_words: usize,
}

/// Parquet compression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// zstd at a level.
    Zstd(i32),
    /// Uncompressed.
    None,
}

/// `[output]`.
#[derive(Clone, Debug)]
pub struct OutputConfig {
    /// Tables to write.
    pub tables: Vec<String>,
    /// Compression codec.
    pub compression: Compression,
    /// Row-group row limit.
    pub row_group_rows: usize,
    /// Row-group byte limit (buffered, uncompressed estimate).
    pub row_group_bytes: usize,
}

/// A learned stance model named by the pipeline, loaded once.
#[derive(Clone)]
pub struct LoadedModel {
    /// The model.
    pub model: std::sync::Arc<crate::learn::Model>,
    /// Hash of the model file (part of the pipeline hash).
    pub digest: u64,
}

impl fmt::Debug for LoadedModel {
    // The weights are megabytes of floats: show what identifies the model instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoadedModel({:016x})", self.digest)
    }
}

/// A loaded, validated pipeline.
#[derive(Clone, Debug)]
pub struct Pipeline {
    /// `name` from the file.
    pub name: String,
    /// `description` from the file.
    pub description: String,
    /// Where it came from: `built-in` or the file paths of the chain, child first.
    pub origin: Vec<String>,
    /// Hex hash of the resolved settings and built-in data.
    pub hash: String,
    /// `[input]`.
    pub input: InputConfig,
    /// `[stages.decode]`.
    pub decode: DecodeConfig,
    /// `[stages.clean]`.
    pub clean: CleanConfig,
    /// `[stages.metadata]`.
    pub metadata: MetadataConfig,
    /// `[stages.segment]`.
    pub segment: SegmentConfig,
    /// `[stages.mentions]`.
    pub mentions: MentionsConfig,
    /// `[stages.quotes]`.
    pub quotes: QuotesConfig,
    /// The gazetteer: `[gazetteer] files` merged with `[actors.*]`.
    pub actors: Vec<actors::ActorDef>,
    /// Tone, stance and relation settings.
    pub score: ScoreConfig,
    /// The lexicons `[lexicons]` names, loaded and checked.
    pub lexicons: std::sync::Arc<crate::score::lexicon::Lexicons>,
    /// The model `[stages.stance] scorer = { model = … }` names, loaded.
    pub model: Option<LoadedModel>,
    /// `[output]`.
    pub output: OutputConfig,
}

const BUILTIN_NAME: &str = "<built-in default>";
const MAX_EXTENDS_DEPTH: usize = 8;

impl Pipeline {
    /// The built-in default pipeline.
    pub fn builtin() -> Pipeline {
        Self::resolve(None).expect("the built-in pipeline is valid")
    }

    /// Resolves `--pipeline NAME|FILE` (or `None` for the default): an existing file path, the name of
    /// a built-in pipeline (`default`), or `pipelines/NAME.toml` under the current directory.
    pub fn resolve(spec: Option<&str>) -> Result<Pipeline, PipelineError> {
        let root = match spec {
            None | Some("default") => load_chain(BUILTIN_NAME, DEFAULT_TOML, None, 0)?,
            Some(s) => {
                let path = locate(s).ok_or_else(|| single_problem(
                    s,
                    format!("no pipeline file `{s}` and no built-in pipeline of that name (built-in: default; also tried pipelines/{s}.toml)"),
                ))?;
                load_file(&path, 0)?
            }
        };
        build(root)
    }

    /// Loads and validates one file.
    pub fn from_file(path: &Path) -> Result<Pipeline, PipelineError> {
        build(load_file(path, 0)?)
    }
}

fn single_problem(file: &str, message: String) -> PipelineError {
    PipelineError {
        problems: vec![Problem {
            loc: Loc {
                file: file.into(),
                line: 1,
                col: 1,
            },
            key: String::new(),
            message,
        }],
    }
}

fn locate(spec: &str) -> Option<PathBuf> {
    let p = PathBuf::from(spec);
    if p.is_file() {
        return Some(p);
    }
    let named = PathBuf::from("pipelines").join(format!("{spec}.toml"));
    named.is_file().then_some(named)
}

/// A loaded chain: the merged tree plus the origins.
struct Chain {
    node: Node,
    origin: Vec<String>,
}

fn load_file(path: &Path, depth: usize) -> Result<Chain, PipelineError> {
    let name = path.display().to_string();
    let src = std::fs::read_to_string(path)
        .map_err(|e| single_problem(&name, format!("cannot read pipeline file: {e}")))?;
    load_chain(&name, &src, path.parent(), depth)
}

fn load_chain(
    name: &str,
    src: &str,
    dir: Option<&Path>,
    depth: usize,
) -> Result<Chain, PipelineError> {
    let node = tree::parse(name, src).map_err(|problems| PipelineError { problems })?;
    let extends = match &node.value {
        tree::Value::Table(t) => t.get("extends").cloned(),
        _ => None,
    };
    let Some((_, ext)) = extends else {
        return Ok(Chain {
            node,
            origin: vec![name.to_string()],
        });
    };
    let problem = |message: String| PipelineError {
        problems: vec![Problem {
            loc: ext.loc.clone(),
            key: "extends".into(),
            message,
        }],
    };
    let tree::Value::Str(parent) = &ext.value else {
        return Err(problem(format!(
            "expected a string, found {}",
            ext.value.type_name()
        )));
    };
    if depth >= MAX_EXTENDS_DEPTH {
        return Err(problem(format!(
            "`extends` chain deeper than {MAX_EXTENDS_DEPTH} (a cycle?)"
        )));
    }
    let base = if parent == "default" {
        load_chain(BUILTIN_NAME, DEFAULT_TOML, None, depth + 1)?
    } else {
        // Relative to the extending file, so a folder of pipelines can be moved as a whole.
        let p = dir.map_or_else(|| PathBuf::from(parent), |d| d.join(parent));
        if !p.is_file() {
            return Err(problem(format!(
                "cannot find `{}` (relative to this file; or use \"default\")",
                p.display()
            )));
        }
        load_file(&p, depth + 1)?
    };
    let mut origin = vec![name.to_string()];
    origin.extend(base.origin);
    Ok(Chain {
        node: tree::merge(base.node, node),
        origin,
    })
}

fn globset(sec: &mut Section<'_>, key: &'static str, default: &[&str]) -> (Vec<String>, GlobSet) {
    let items = sec.strings(key, default);
    let mut b = GlobSetBuilder::new();
    let mut out = Vec::new();
    for (g, loc) in items {
        match Glob::new(&g) {
            Ok(glob) => {
                b.add(glob);
                out.push(g);
            }
            Err(e) => sec.problem(key, &loc, format!("bad glob `{g}`: {}", e.kind())),
        }
    }
    let set = b.build().unwrap_or_else(|_| GlobSet::empty());
    (out, set)
}

/// Compiles a whole-line, case-insensitive regex as the clean stage uses it.
pub fn line_regex(pattern: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .case_insensitive(true)
        .size_limit(1 << 22)
        .build()
}

fn regexes(sec: &mut Section<'_>, key: &'static str) -> Vec<String> {
    let items = sec.strings(key, &[]);
    let mut out = Vec::new();
    for (p, loc) in items {
        match line_regex(&p) {
            Ok(_) => out.push(p),
            Err(e) => {
                let msg = e.to_string();
                let last = msg.lines().last().unwrap_or("invalid").trim().to_string();
                sec.problem(key, &loc, format!("bad regular expression `{p}`: {last}"));
            }
        }
    }
    out
}

fn build(chain: Chain) -> Result<Pipeline, PipelineError> {
    let mut problems = Vec::new();
    let node = chain.node;
    let mut root = Section::new("", Some(&node), &mut problems);
    let _ = root.node("extends");
    let name = root.string("name", "unnamed");
    let description = root.string("description", "");

    let input = {
        let mut s = root.table("input");
        let (include, include_set) = globset(&mut s, "include", &["**"]);
        let (exclude, exclude_set) = globset(&mut s, "exclude", &[]);
        let max_file_bytes = s.int("max_file_bytes", 16 << 20, 1..=(1 << 40)) as u64;
        let hidden = s.bool("hidden", false);
        let follow_links = s.bool("follow_links", true);
        let max_decompressed_bytes =
            s.int("max_decompressed_bytes", 256 << 20, 1024..=(1 << 40)) as u64;
        let max_ratio = s.int("max_compression_ratio", 100, 2..=1_000_000) as f64;
        let json = {
            let mut j = s.table("json");
            let f = JsonFields::from_key(|k| {
                let v = j.opt_string(k).map(|(v, _)| v);
                v.filter(|v| !v.is_empty())
            });
            j.finish();
            f
        };
        s.finish();
        InputConfig {
            include,
            exclude,
            include_set,
            exclude_set,
            max_file_bytes,
            hidden,
            follow_links,
            max_decompressed_bytes,
            max_ratio,
            json,
        }
    };

    let mut stages = root.table("stages");
    let decode = {
        let mut s = stages.table("decode");
        let ratio = match s.node("max_garbage_ratio") {
            None => 0.05,
            Some(Node {
                value: tree::Value::Float(f),
                loc,
            }) => {
                if (0.0..=1.0).contains(f) {
                    *f
                } else {
                    let loc = loc.clone();
                    s.problem(
                        "max_garbage_ratio",
                        &loc,
                        format!("{f} is not between 0 and 1"),
                    );
                    0.05
                }
            }
            Some(n) => {
                let (loc, ty) = (n.loc.clone(), n.value.type_name());
                s.problem(
                    "max_garbage_ratio",
                    &loc,
                    format!("expected a number between 0 and 1, found {ty}"),
                );
                0.05
            }
        };
        let legacy_default = match s.opt_string("legacy_default") {
            None => encoding_rs::WINDOWS_1252,
            Some((label, loc)) => match encoding_rs::Encoding::for_label(label.as_bytes()) {
                Some(e)
                    if e != encoding_rs::UTF_8
                        && e != encoding_rs::UTF_16LE
                        && e != encoding_rs::UTF_16BE =>
                {
                    e
                }
                _ => {
                    s.problem("legacy_default", &loc, format!("`{label}` is not a legacy single- or multi-byte encoding label (e.g. \"windows-1252\", \"iso-8859-2\", \"shift_jis\")"));
                    encoding_rs::WINDOWS_1252
                }
            },
        };
        s.finish();
        DecodeConfig {
            max_garbage_ratio: ratio,
            legacy_default,
        }
    };
    let clean = {
        let mut s = stages.table("clean");
        let enabled = s.bool("enabled", true);
        let builtin = s.bool("builtin", true);
        let lines = s
            .strings("lines", &[])
            .into_iter()
            .map(|(l, _)| l.trim().to_lowercase())
            .collect();
        let patterns = regexes(&mut s, "patterns");
        let tail_markers = regexes(&mut s, "tail_markers");
        s.finish();
        CleanConfig {
            enabled,
            builtin,
            lines,
            patterns,
            tail_markers,
        }
    };
    let metadata = {
        let mut s = stages.table("metadata");
        let enabled = s.bool("enabled", true);
        let date_order = match s.opt_string("date_order") {
            None => DateOrder::Mdy,
            Some((v, loc)) => match v.as_str() {
                "mdy" => DateOrder::Mdy,
                "dmy" => DateOrder::Dmy,
                _ => {
                    s.problem(
                        "date_order",
                        &loc,
                        format!("`{v}` is not one of \"mdy\", \"dmy\""),
                    );
                    DateOrder::Mdy
                }
            },
        };
        let header_lines = s.int("header_lines", 8, 0..=100) as usize;
        s.finish();
        MetadataConfig {
            enabled,
            date_order,
            header_lines,
        }
    };
    let segment = {
        let mut s = stages.table("segment");
        let section_blank_lines = s.int("section_blank_lines", 2, 2..=100) as usize;
        let mut abbreviations = Vec::new();
        for (a, loc) in s.strings("abbreviations", &[]) {
            match crate::stages::segment::parse_abbreviation(&a) {
                Ok(_) => abbreviations.push(a),
                Err(e) => s.problem("abbreviations", &loc, e),
            }
        }
        s.finish();
        SegmentConfig {
            section_blank_lines,
            abbreviations,
        }
    };
    let mentions = {
        let mut s = stages.table("mentions");
        let enabled = s.bool("enabled", true);
        let mut institutions = Vec::new();
        for (body, loc, n) in s.entries("institutions") {
            match &n.value {
                tree::Value::Array(items) => {
                    let phrases: Vec<String> = items
                        .iter()
                        .filter_map(|i| match &i.value {
                            tree::Value::Str(p) => Some(p.clone()),
                            _ => None,
                        })
                        .collect();
                    if phrases.len() != items.len() || phrases.is_empty() {
                        s.problem(
                            "institutions",
                            &loc,
                            format!("`{body}`: expected a non-empty array of phrases"),
                        );
                    }
                    institutions.push((body, phrases));
                }
                other => s.problem(
                    "institutions",
                    &loc,
                    format!(
                        "`{body}`: expected an array of phrases, found {}",
                        other.type_name()
                    ),
                ),
            }
        }
        let mut standalone = Vec::new();
        for (phrase, loc, n) in s.entries("standalone") {
            match &n.value {
                tree::Value::Str(id) => standalone.push((phrase, id.clone())),
                other => s.problem(
                    "standalone",
                    &loc,
                    format!(
                        "`{phrase}`: expected an actor id string, found {}",
                        other.type_name()
                    ),
                ),
            }
        }
        s.finish();
        MentionsConfig {
            enabled,
            institutions,
            standalone,
        }
    };
    let quotes = {
        let mut s = stages.table("quotes");
        let enabled = s.bool("enabled", true);
        let verbs = s
            .strings("verbs", &[])
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        let statement_min_words = s.int("statement_min_words", 6, 1..=100) as usize;
        s.finish();
        QuotesConfig {
            enabled,
            verbs,
            statement_min_words,
        }
    };
    let mut loaded_model: Option<LoadedModel> = None;
    let (tone_enabled, stance_enabled, window, favor, against, unnamed, scorer) = {
        let tone_enabled = {
            let mut s = stages.table("tone");
            let e = s.bool("enabled", true);
            s.finish();
            e
        };
        let mut s = stages.table("stance");
        let enabled = s.bool("enabled", true);
        let window = s.int("window", 8, 1..=100) as usize;
        let favor = s.float("favor", 0.1, 0.0..=1.0) as f32;
        let against = s.float("against", -0.1, -1.0..=0.0) as f32;
        let unnamed = s.float("unnamed_factor", 2.0, 1.0..=100.0) as f32;
        let scorer = match s.node("scorer") {
            None => ScorerChoice::Lexicon,
            Some(Node {
                value: tree::Value::Str(v),
                ..
            }) if v == "lexicon" => ScorerChoice::Lexicon,
            Some(Node {
                value: tree::Value::Table(t),
                loc,
            }) if t.len() == 1 && t.contains_key("model") => match &t["model"].1.value {
                tree::Value::Str(m) => {
                    let path = relative_to(&loc.file, m);
                    // Read once: the same bytes are parsed and hashed into the pipeline hash.
                    let loaded = std::fs::read(&path)
                        .map_err(|e| anyhow::anyhow!("cannot read model {}: {e}", path.display()))
                        .and_then(|bytes| {
                            crate::eval::load_model_bytes(&bytes, &path).map(|m| (m, bytes))
                        });
                    match loaded {
                        Ok((model, bytes)) => {
                            loaded_model = Some(LoadedModel {
                                model: std::sync::Arc::new(model),
                                digest: xxhash_rust::xxh3::xxh3_64(&bytes),
                            });
                        }
                        Err(e) => s.problem("scorer", loc, format!("model `{m}`: {e:#}")),
                    }
                    ScorerChoice::Model(path)
                }
                other => {
                    let msg = format!("`model`: expected a file path, found {}", other.type_name());
                    s.problem("scorer", loc, msg);
                    ScorerChoice::Lexicon
                }
            },
            Some(n) => {
                let loc = n.loc.clone();
                s.problem(
                    "scorer",
                    &loc,
                    "expected \"lexicon\" or { model = \"path/to/model\" }",
                );
                ScorerChoice::Lexicon
            }
        };
        s.finish();
        (
            tone_enabled,
            enabled,
            window,
            favor,
            against,
            unnamed,
            scorer,
        )
    };
    let relations_enabled = {
        let mut s = stages.table("relations");
        let e = s.bool("enabled", true);
        s.finish();
        e
    };
    stages.finish();

    let lexicon_sources = {
        let mut s = root.table("lexicons");
        let mut out = Vec::new();
        for (name, _) in crate::score::lexicon::BUILTIN {
            let key: &'static str = name;
            let files = s
                .strings(key, &["builtin"])
                .into_iter()
                .map(|(f, loc)| {
                    if f == "builtin" {
                        f
                    } else {
                        relative_to(&loc.file, &f).display().to_string()
                    }
                })
                .collect();
            out.push((name.to_string(), files));
        }
        s.finish();
        out
    };

    let targets_node = root.node("targets").cloned();

    let gazetteer_files = {
        let mut s = root.table("gazetteer");
        let files = s.strings("files", &[]);
        s.finish();
        files
    };
    let actors_node = root.node("actors").cloned();

    let output = {
        let mut s = root.table("output");
        let known = crate::tables::TABLE_NAMES;
        let mut tables = Vec::new();
        for (t, loc) in s.strings("tables", known) {
            if known.contains(&t.as_str()) {
                if !tables.contains(&t) {
                    tables.push(t);
                }
            } else {
                s.problem(
                    "tables",
                    &loc,
                    format!("unknown table `{t}` (known: {})", known.join(", ")),
                );
            }
        }
        let level = s.int("zstd_level", 3, 1..=22) as i32;
        let compression = match s.opt_string("compression") {
            None => Compression::Zstd(level),
            Some((c, loc)) => match c.as_str() {
                "zstd" => Compression::Zstd(level),
                "none" => Compression::None,
                _ => {
                    s.problem(
                        "compression",
                        &loc,
                        format!("`{c}` is not one of \"zstd\", \"none\""),
                    );
                    Compression::Zstd(level)
                }
            },
        };
        let row_group_rows = s.int("row_group_rows", 131_072, 1024..=(1 << 24)) as usize;
        let row_group_bytes = s.int("row_group_bytes", 64 << 20, 1 << 20..=(1 << 32)) as usize;
        s.finish();
        OutputConfig {
            tables,
            compression,
            row_group_rows,
            row_group_bytes,
        }
    };
    root.finish();
    let (auto_targets, target_defs) = read_targets(targets_node.as_ref(), &mut problems);

    // The lexicons are parsed on another thread while the gazetteer files are: they are the two
    // largest parts of a pipeline, independent of each other, and every run waits for both.
    let (actors, lexicons) = std::thread::scope(|scope| {
        let lexicons = scope.spawn(|| crate::score::lexicon::Lexicons::load(&lexicon_sources));
        // The gazetteer: files first, in order, then the pipeline's own `[actors.*]` over them.
        let mut merged = actors::load_files(&gazetteer_files, &mut problems);
        if let Some(own) = actors_node {
            merged = Some(match merged {
                Some(m) => tree::merge(m, own.clone()),
                None => own.clone(),
            });
        }
        let actors = actors::read_actors(merged.as_ref(), &mut problems);
        for (phrase, id) in &mentions.standalone {
            let state = id.split('.').next().unwrap_or("");
            if !actors.iter().any(|a| a.id == state) {
                problems.push(Problem {
                    loc: Loc {
                        file: chain.origin[0].as_str().into(),
                        line: 1,
                        col: 1,
                    },
                    key: "stages.mentions.standalone".into(),
                    message: format!("`{phrase}` names unknown actor `{state}`"),
                });
            }
        }

        for (t, loc) in &target_defs {
            let ids: Vec<&str> = match &t.kind {
                TargetKind::Actor(a) => vec![a],
                TargetKind::Pair(a, b) => vec![a, b],
                TargetKind::Topic(_) => vec![],
            };
            for id in ids {
                if !actors.iter().any(|a| a.id == id) {
                    problems.push(Problem {
                        loc: loc.clone(),
                        key: format!("targets.{}.actors", t.id),
                        message: format!("unknown actor `{id}` (not in the gazetteer)"),
                    });
                }
            }
        }
        let lexicons = match lexicons
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
        {
            Ok(l) => l,
            Err(errors) => {
                for e in errors {
                    problems.push(Problem {
                        loc: Loc {
                            file: e.file.as_str().into(),
                            line: e.line.max(1),
                            col: 1,
                        },
                        key: "lexicons".into(),
                        message: e.message,
                    });
                }
                crate::score::lexicon::Lexicons::default()
            }
        };
        (actors, lexicons)
    });
    let score = ScoreConfig {
        enabled: tone_enabled,
        stance: stance_enabled,
        window,
        favor: Threshold(favor),
        against: Threshold(against),
        unnamed_factor: Threshold(unnamed),
        scorer,
        targets: target_defs.into_iter().map(|(t, _)| t).collect(),
        auto_targets,
        relations: relations_enabled,
        lexicons: lexicon_sources,
    };

    if !problems.is_empty() {
        problems.sort_by(|a, b| {
            (a.loc.file.as_ref(), a.loc.line, a.loc.col).cmp(&(
                b.loc.file.as_ref(),
                b.loc.line,
                b.loc.col,
            ))
        });
        return Err(PipelineError { problems });
    }
    let mut p = Pipeline {
        name,
        description,
        origin: chain.origin,
        hash: String::new(),
        input,
        decode,
        clean,
        metadata,
        segment,
        mentions,
        quotes,
        actors,
        score,
        lexicons: std::sync::Arc::new(lexicons),
        model: loaded_model,
        output,
    };
    p.hash = p.compute_hash();
    Ok(p)
}

impl Pipeline {
    /// Hash of everything that changes the rows: the resolved settings (not where they were written)
    /// plus the compiled-in data they use and the schema version.
    fn compute_hash(&self) -> String {
        let settings = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}|{:?}|{:?}|{:x}|{:x}",
            (
                &self.input.include,
                &self.input.exclude,
                self.input.max_file_bytes,
                self.input.hidden,
                self.input.follow_links,
                self.input.max_decompressed_bytes,
                self.input.max_ratio,
                &self.input.json,
            ),
            self.decode,
            self.clean,
            self.metadata,
            self.segment,
            self.mentions,
            self.quotes,
            self.actors,
            BUILTIN_CHROME,
            BUILTIN_ABBREVIATIONS,
            (SCHEMA_VERSION, &self.output.compression),
            self.score,
            self.lexicons.digest,
            self.model.as_ref().map_or(0, |m| m.digest),
        );
        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(settings.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn builtin_is_valid_and_hash_is_stable() {
        let a = Pipeline::builtin();
        let b = Pipeline::resolve(Some("default")).unwrap();
        assert_eq!(a.hash, b.hash);
        assert_eq!(a.name, "default");
        assert_eq!(a.input.max_file_bytes, 16 << 20);
        assert_eq!(a.output.tables.len(), crate::tables::TABLE_NAMES.len());
    }

    #[test]
    fn extends_merges_and_changes_hash() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "uk.toml",
            "extends = \"default\"\nname = \"uk\"\n[stages.metadata]\ndate_order = \"dmy\"\n",
        );
        let uk = Pipeline::from_file(&p).unwrap();
        assert_eq!(uk.metadata.date_order, DateOrder::Dmy);
        assert_eq!(uk.segment.section_blank_lines, 2, "inherited");
        assert_ne!(uk.hash, Pipeline::builtin().hash);
        assert_eq!(uk.origin.len(), 2);
        // A chain through a relative file.
        let q = write(
            dir.path(),
            "child.toml",
            "extends = \"uk.toml\"\nname = \"child\"\n",
        );
        let child = Pipeline::from_file(&q).unwrap();
        assert_eq!(child.metadata.date_order, DateOrder::Dmy);
        assert_eq!(child.hash, uk.hash, "the name does not change rows");
    }

    #[test]
    fn all_problems_reported_with_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "bad.toml",
            "name = \"bad\"\ncolour = 1\n[input]\nmax_file_bytes = -5\ninclude = [\"a[\"]\n[stages.clean]\npatterns = [\"(unclosed\"]\n[stages.metadata]\ndate_order = \"ymd\"\n[stages.segmnt]\n[output]\ntables = [\"docs\"]\n",
        );
        let err = Pipeline::from_file(&p).unwrap_err();
        let text = err.to_string();
        let f = p.display().to_string();
        for needle in [
            format!("{f}:2:1: `colour`: unknown key"),
            format!("{f}:4:18: `input.max_file_bytes`: -5 is out of range"),
            format!("{f}:5:12: `input.include`: bad glob"),
            format!("{f}:7:13: `stages.clean.patterns`: bad regular expression"),
            format!("{f}:9:14: `stages.metadata.date_order`"),
            format!("{f}:10:9: `stages.segmnt`: unknown key"),
            format!("{f}:12:11: `output.tables`: unknown table `docs`"),
        ] {
            assert!(text.contains(&needle), "missing {needle:?} in:\n{text}");
        }
        assert_eq!(err.problems.len(), 7, "{text}");
    }

    #[test]
    fn missing_parent_and_cycles_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.toml", "extends = \"nope.toml\"\n");
        let e = Pipeline::from_file(&p).unwrap_err().to_string();
        assert!(e.contains(":1:11: `extends`: cannot find"), "{e}");
        let c = write(dir.path(), "c.toml", "extends = \"c.toml\"\n");
        let e = Pipeline::from_file(&c).unwrap_err().to_string();
        assert!(e.contains("chain deeper"), "{e}");
        let e = Pipeline::resolve(Some("no-such-pipeline"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no pipeline file `no-such-pipeline`"), "{e}");
    }

    #[test]
    fn topic_targets_come_from_files_and_the_pipeline_overrides_them() {
        use crate::score::{TargetKind, Topic};
        let topic = |p: &Pipeline, id: &str| -> Topic {
            match p.score.targets.iter().find(|t| t.id == id).map(|t| &t.kind) {
                Some(TargetKind::Topic(t)) => t.clone(),
                other => panic!("{id}: {other:?}"),
            }
        };
        let builtin = Pipeline::builtin();
        for id in [
            "climate_change",
            "abortion",
            "feminism",
            "atheism",
            "hillary_clinton",
            "donald_trump",
            "immigration",
            "gun_control",
            "free_trade",
            "lgbt_rights",
            "death_penalty",
            "brexit",
            "nuclear_power",
            "vaccination",
        ] {
            let t = topic(&builtin, id);
            assert!(
                !t.terms.is_empty() && !t.favor.is_empty() && !t.against.is_empty(),
                "{id}"
            );
        }
        assert!(topic(&builtin, "climate_change")
            .aliases
            .contains(&"Climate Change is a Real Concern".to_string()));

        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "mine.toml",
            "[targets.rail]\nterms = [\"railways\"]\nfavor = [\"more trains\"]\nopponents = [\"motorways\"]\n",
        );
        let p = write(
            dir.path(),
            "p.toml",
            "extends = \"default\"\n[targets]\nfiles = [\"topics.toml\", \"mine.toml\"]\n[targets.rail]\nfavor = [\"rail investment\"]\n[targets.brexit]\naliases = [\"UK exit\"]\n",
        );
        let p = Pipeline::from_file(&p).unwrap();
        let rail = topic(&p, "rail");
        assert_eq!(rail.terms, ["railways"]);
        assert_eq!(
            rail.favor,
            ["rail investment"],
            "the pipeline's list replaces the file's"
        );
        assert_eq!(rail.opponents, ["motorways"]);
        assert_eq!(topic(&p, "brexit").aliases, ["UK exit"]);
        assert!(!topic(&p, "brexit").favor.is_empty(), "other keys kept");
        assert_ne!(p.hash, builtin.hash);
        // No files: no topics.
        let q = write(
            dir.path(),
            "q.toml",
            "extends = \"default\"\n[targets]\nfiles = []\n",
        );
        let q = Pipeline::from_file(&q).unwrap();
        assert!(q.score.targets.is_empty(), "{:?}", q.score.targets);
    }
}
