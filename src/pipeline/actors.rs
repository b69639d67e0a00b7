//! The gazetteer part of a pipeline: `[gazetteer] files = [...]` plus `[actors.<ID>]` tables.
//!
//! Actor files are TOML files of `[actors.<ID>]` tables (the built-in ones live in
//! `pipelines/actors/` and are compiled in). They are read with the same located tree as pipeline
//! files, so a problem in `states.toml` is reported as `pipelines/actors/states.toml:812:9: …`.
//! Files are merged in order, then the pipeline's own `[actors.*]` tables over them, key by key.

use std::path::{Path, PathBuf};

use super::tree::{self, Loc, Node, Problem, Section, Value};

/// Built-in actor files, by the path a pipeline names them with.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "actors/states.toml",
        include_str!("../../pipelines/actors/states.toml"),
    ),
    (
        "actors/leaders.toml",
        include_str!("../../pipelines/actors/leaders.toml"),
    ),
    (
        "actors/organisations.toml",
        include_str!("../../pipelines/actors/organisations.toml"),
    ),
    (
        "actors/places.toml",
        include_str!("../../pipelines/actors/places.toml"),
    ),
];

/// What an actor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// A state.
    State,
    /// A person.
    Person,
    /// An organisation or body (including a state's ministry).
    Organisation,
    /// A treaty, deal or initiative.
    Agreement,
    /// A place that is not a state (sea, island, region).
    Place,
    /// An event (war, massacre, crisis).
    Event,
}

impl ActorKind {
    /// The name used in tables and files.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::Person => "person",
            ActorKind::Organisation => "organisation",
            ActorKind::Agreement => "agreement",
            ActorKind::Place => "place",
            ActorKind::Event => "event",
        }
    }

    /// Parses a kind name.
    pub fn parse(s: &str) -> Option<ActorKind> {
        Some(match s {
            "state" => ActorKind::State,
            "person" => ActorKind::Person,
            "organisation" | "organization" => ActorKind::Organisation,
            "agreement" => ActorKind::Agreement,
            "place" => ActorKind::Place,
            "event" => ActorKind::Event,
            _ => return None,
        })
    }
}

/// One actor as the pipeline defines it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActorDef {
    /// Canonical id (`JPN`, `SHINZO_ABE`, `SOUTH_CHINA_SEA`).
    pub id: String,
    /// Kind.
    pub kind: ActorKind,
    /// Display name.
    pub name: String,
    /// Surface names.
    pub names: Vec<String>,
    /// Adjectives and demonyms.
    pub adjectives: Vec<String>,
    /// Capitals and seats of power used as metonyms.
    pub capitals: Vec<String>,
    /// Combining forms before a hyphen (`Sino`).
    pub prefixes: Vec<String>,
    /// Surfaces that match only exactly as written.
    pub case_sensitive: Vec<String>,
    /// Longer phrases containing a surface that do not mean this actor.
    pub exclude: Vec<String>,
    /// Related actors: a person's state, a ministry's state.
    pub links: Vec<String>,
    /// Office or description.
    pub role: Option<String>,
}

/// Reads every actor from the merged `actors` table, reporting problems with their locations.
pub fn read_actors(node: Option<&Node>, problems: &mut Vec<Problem>) -> Vec<ActorDef> {
    let Some(node) = node else { return Vec::new() };
    let Value::Table(entries) = &node.value else {
        problems.push(Problem {
            loc: node.loc.clone(),
            key: "actors".into(),
            message: format!(
                "expected a table of actors, found {}",
                node.value.type_name()
            ),
        });
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, (kloc, n)) in entries {
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            problems.push(Problem {
                loc: kloc.clone(),
                key: format!("actors.{id}"),
                message: "an actor id is letters, digits, `_`, `-` and `.` only".into(),
            });
            continue;
        }
        let path = format!("actors.{id}");
        let mut s = Section::new(&path, Some(n), problems);
        let kind = match s.opt_string("kind") {
            Some((k, loc)) => match ActorKind::parse(&k) {
                Some(k) => k,
                None => {
                    s.problem("kind", &loc, format!("`{k}` is not one of state, person, organisation, agreement, place, event"));
                    ActorKind::Organisation
                }
            },
            None => {
                let loc = s.loc().clone();
                s.problem(
                    "kind",
                    &loc,
                    "missing (state, person, organisation, agreement, place or event)",
                );
                ActorKind::Organisation
            }
        };
        let name = s.string("name", id);
        let list = |s: &mut Section<'_>, key: &'static str| -> Vec<String> {
            s.strings(key, &[]).into_iter().map(|(v, _)| v).collect()
        };
        let names = list(&mut s, "names");
        let adjectives = list(&mut s, "adjectives");
        let capitals = list(&mut s, "capitals");
        let prefixes = list(&mut s, "prefixes");
        let exclude = list(&mut s, "exclude");
        let links = list(&mut s, "links");
        let role = s.opt_string("role").map(|(r, _)| r);
        let cs = s.strings("case_sensitive", &[]);
        let mut case_sensitive = Vec::new();
        for (c, loc) in cs {
            if names.contains(&c) || adjectives.contains(&c) || capitals.contains(&c) {
                case_sensitive.push(c);
            } else {
                s.problem(
                    "case_sensitive",
                    &loc,
                    format!("`{c}` is not one of this actor's names, adjectives or capitals"),
                );
            }
        }
        for surface in names
            .iter()
            .chain(&adjectives)
            .chain(&capitals)
            .chain(&prefixes)
            .chain(&exclude)
        {
            if surface.trim().is_empty() || surface.trim() != surface {
                let loc = s.loc().clone();
                s.problem(
                    "names",
                    &loc,
                    format!("`{surface}`: empty, or leading/trailing spaces"),
                );
            }
        }
        s.finish();
        out.push(ActorDef {
            id: id.clone(),
            kind,
            name,
            names,
            adjectives,
            capitals,
            prefixes,
            case_sensitive,
            exclude,
            links,
            role,
        });
    }
    // Links must name actors that exist.
    let ids: std::collections::HashSet<&str> = out.iter().map(|a| a.id.as_str()).collect();
    for a in &out {
        for l in &a.links {
            if !ids.contains(l.as_str()) {
                let (kloc, _) = &entries[&a.id];
                problems.push(Problem {
                    loc: kloc.clone(),
                    key: format!("actors.{}.links", a.id),
                    message: format!("links to unknown actor `{l}`"),
                });
            }
        }
    }
    out
}

/// Loads the actor files named by `[gazetteer] files` (a node that remembers which file it was
/// written in, so relative paths resolve against that file) and merges them in order.
pub fn load_files(files: &[(String, Loc)], problems: &mut Vec<Problem>) -> Option<Node> {
    load_data_files(files, "actors", "gazetteer.files", BUILTIN_FILES, problems)
}

/// Reads data files of `[<section>.*]` tables (actor files, topic files) named by a pipeline key
/// (`problem_key`) and merges them in order. A file named from a built-in pipeline is the
/// compiled-in copy; one named from a file on disk is read relative to it (falling back to the
/// compiled-in copy of the same name). Problems name the data file, line and key.
pub fn load_data_files(
    files: &[(String, Loc)],
    section: &'static str,
    problem_key: &str,
    builtin: &[(&str, &'static str)],
    problems: &mut Vec<Problem>,
) -> Option<Node> {
    let mut merged: Option<Node> = None;
    for (f, loc) in files {
        let builtin_origin = loc.file.starts_with('<');
        let (name, src): (String, std::borrow::Cow<'static, str>) = if builtin_origin {
            match builtin.iter().find(|(p, _)| p == f) {
                Some((p, s)) => (
                    format!("<built-in>/pipelines/{p}"),
                    std::borrow::Cow::Borrowed(*s),
                ),
                None => {
                    problems.push(Problem {
                        loc: loc.clone(),
                        key: problem_key.into(),
                        message: format!("no built-in {section} file `{f}`"),
                    });
                    continue;
                }
            }
        } else {
            let base: PathBuf = Path::new(loc.file.as_ref())
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let p = base.join(f);
            match std::fs::read_to_string(&p) {
                Ok(s) => (p.display().to_string(), std::borrow::Cow::Owned(s)),
                Err(e) => {
                    // A file a built-in pipeline names, extended from disk: fall back to the copy compiled in.
                    if let Some((bp, s)) = builtin.iter().find(|(bp, _)| bp == f) {
                        (
                            format!("<built-in>/pipelines/{bp}"),
                            std::borrow::Cow::Borrowed(*s),
                        )
                    } else {
                        problems.push(Problem {
                            loc: loc.clone(),
                            key: problem_key.into(),
                            message: format!("cannot read `{}`: {e}", p.display()),
                        });
                        continue;
                    }
                }
            }
        };
        let node = match tree::parse(&name, &src) {
            Ok(n) => n,
            Err(mut errs) => {
                problems.append(&mut errs);
                continue;
            }
        };
        // A data file holds `[<section>.*]` and nothing else.
        let mut sec = Section::new("", Some(&node), problems);
        let tables = sec.node(section).cloned();
        sec.finish();
        if let Some(a) = tables {
            merged = Some(match merged {
                None => a,
                Some(m) => tree::merge(m, a),
            });
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_parse_and_validate() {
        let mut problems = Vec::new();
        let files: Vec<(String, Loc)> = BUILTIN_FILES
            .iter()
            .map(|(p, _)| {
                (
                    p.to_string(),
                    Loc {
                        file: "<built-in default>".into(),
                        line: 1,
                        col: 1,
                    },
                )
            })
            .collect();
        let node = load_files(&files, &mut problems);
        let actors = read_actors(node.as_ref(), &mut problems);
        assert!(
            problems.is_empty(),
            "{}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(actors.len() > 400, "{}", actors.len());
        let states = actors.iter().filter(|a| a.kind == ActorKind::State).count();
        assert!(
            states >= 197,
            "every UN member and observer plus Taiwan and Kosovo: {states}"
        );
        for id in [
            "USA", "JPN", "CHN", "PRK", "KOR", "TWN", "IND", "PHL", "XKX", "PSE", "VAT",
        ] {
            assert!(
                actors
                    .iter()
                    .any(|a| a.id == id && a.kind == ActorKind::State),
                "{id}"
            );
        }
    }

    #[test]
    fn problems_in_actor_files_are_located() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a.toml");
        std::fs::write(
            &f,
            "[actors.X]\nkind = \"planet\"\nnames = [\"X\"]\nlinks = [\"NOPE\"]\ncolor = 1\n",
        )
        .unwrap();
        let mut problems = Vec::new();
        let loc = Loc {
            file: d.path().join("p.toml").display().to_string().into(),
            line: 1,
            col: 1,
        };
        let node = load_files(&[("a.toml".into(), loc)], &mut problems);
        read_actors(node.as_ref(), &mut problems);
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let file = f.display().to_string();
        assert!(
            text.iter()
                .any(|t| t.starts_with(&format!("{file}:2:8: `actors.X.kind`"))),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with(&format!("{file}:5:1: `actors.X.color`: unknown key"))),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("links to unknown actor `NOPE`")),
            "{text:?}"
        );
    }
}
