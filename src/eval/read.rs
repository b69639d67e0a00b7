//! Readers for the gold formats. Every reader returns [`Gold`] records in file order; a malformed
//! row is an error naming the file and the 1-based line where the row starts.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use super::{Example, Label};

/// A gold file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// SemEval-2016 Task 6: tab-separated `ID Target Tweet Stance Opinion-towards Sentiment`,
    /// header line, cp1252, no quoting.
    Semeval,
    /// VAST: RFC 4180 CSV with columns `Tweet`, `Target`, `Stance` (0 against, 1 favor, 2 none),
    /// optional `seen?`.
    Vast,
    /// NewsMTSC: JSON lines, one sentence with a list of targets (`from`, `to`, `mention`,
    /// `polarity` 2.0/4.0/6.0); one example per target.
    Newsmtsc,
    /// Generic CSV: header with `text`, `label`, optional `target`, `start`, `end`.
    Csv,
}

impl Format {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Semeval => "semeval",
            Format::Vast => "vast",
            Format::Newsmtsc => "newsmtsc",
            Format::Csv => "csv",
        }
    }
}

/// What is being predicted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Task {
    /// Stance toward the target (for NewsMTSC: sentiment toward the mention, the same labels).
    Stance,
    /// Sentiment: SemEval's `Sentiment` column (tone of the whole tweet); NewsMTSC's polarity.
    Sentiment,
}

impl Task {
    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Task::Stance => "stance",
            Task::Sentiment => "sentiment",
        }
    }
}

/// One gold example with what the metrics and the cross-validation folds need besides the text.
#[derive(Clone, Debug)]
pub struct Gold {
    /// The example (its `label` is always `Some` for gold read from these formats).
    pub ex: Example,
    /// VAST `seen?`: `Some(false)` for a zero-shot topic.
    pub seen: Option<bool>,
    /// 1-based line where the record starts.
    pub line: usize,
}

/// Reads a gold file.
pub fn read(path: &Path, format: Format, task: Task) -> Result<Vec<Gold>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&bytes, &path.display().to_string(), format, task)
}

/// Parses a gold file's bytes; `name` is used in error messages.
pub fn parse(bytes: &[u8], name: &str, format: Format, task: Task) -> Result<Vec<Gold>> {
    let out = match format {
        Format::Semeval => semeval(bytes, name, task),
        Format::Vast => {
            if task == Task::Sentiment {
                bail!("{name}: VAST has no sentiment labels (use --task stance)");
            }
            vast(bytes, name)
        }
        Format::Newsmtsc => newsmtsc(bytes, name),
        Format::Csv => generic_csv(bytes, name),
    }?;
    if out.is_empty() {
        bail!("{name}: no examples");
    }
    Ok(out)
}

fn utf8<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str> {
    let s = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        anyhow!("{name}:{line}: not valid UTF-8")
    })?;
    Ok(s.strip_prefix('\u{feff}').unwrap_or(s))
}

fn semeval(bytes: &[u8], name: &str, task: Task) -> Result<Vec<Gold>> {
    // The published files are cp1252 (a dozen stray high bytes in the training file); decoding
    // them as cp1252 is lossless for ASCII and never fails.
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let row = raw.strip_suffix('\r').unwrap_or(raw);
        if row.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = row.split('\t').collect();
        if line == 1 {
            if f.first().map(|s| s.trim()) != Some("ID") || f.get(1) != Some(&"Target") {
                bail!("{name}:1: expected the header `ID<TAB>Target<TAB>Tweet<TAB>Stance...`");
            }
            continue;
        }
        let need = if task == Task::Sentiment { 6 } else { 4 };
        if f.len() < need {
            bail!(
                "{name}:{line}: expected {need} tab-separated fields (ID, Target, Tweet, Stance{}), found {}",
                if need == 6 { ", Opinion towards, Sentiment" } else { "" },
                f.len()
            );
        }
        let label = match task {
            Task::Stance => match f[3].trim() {
                "FAVOR" => Label::Favor,
                "AGAINST" => Label::Against,
                "NONE" => Label::Neutral,
                other => bail!("{name}:{line}: unknown stance `{other}` (FAVOR, AGAINST, NONE)"),
            },
            Task::Sentiment => match f[5].trim() {
                "POSITIVE" => Label::Favor,
                "NEGATIVE" => Label::Against,
                "NEITHER" => Label::Neutral,
                other => bail!(
                    "{name}:{line}: unknown sentiment `{other}` (POSITIVE, NEGATIVE, NEITHER)"
                ),
            },
        };
        out.push(Gold {
            ex: Example {
                text: f[2].to_string(),
                target: f[1].trim().to_string(),
                span: None,
                label: Some(label),
            },
            seen: None,
            line,
        });
    }
    Ok(out)
}

/// One CSV record: its fields and the 1-based line where it starts.
#[derive(Debug, PartialEq)]
pub struct CsvRecord {
    /// Field values, unquoted.
    pub fields: Vec<String>,
    /// 1-based line of the record's first character.
    pub line: usize,
}

/// Splits RFC 4180 CSV: comma-separated, fields optionally in double quotes with `""` for a quote,
/// quoted fields may hold commas and line breaks, records end at LF or CRLF. Blank lines are
/// skipped. An unterminated quote or text after a closing quote is an error naming the line.
pub fn csv_records(text: &str, name: &str) -> Result<Vec<CsvRecord>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut start_line = 1usize;
    let mut at_field_start = true;
    let mut record_has_content = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => {
                let open_line = line;
                record_has_content = true;
                at_field_start = false;
                loop {
                    match chars.next() {
                        None => bail!("{name}:{open_line}: quoted field is never closed"),
                        Some('"') => {
                            if chars.peek() == Some(&'"') {
                                chars.next();
                                field.push('"');
                            } else {
                                break;
                            }
                        }
                        Some(ch) => {
                            if ch == '\n' {
                                line += 1;
                            }
                            field.push(ch);
                        }
                    }
                }
                match chars.peek() {
                    None | Some(',') | Some('\n') | Some('\r') => {}
                    Some(other) => bail!(
                        "{name}:{line}: unexpected `{other}` after a closing quote (a quote inside a quoted field is written \"\")"
                    ),
                }
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
                record_has_content = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if record_has_content || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    out.push(CsvRecord {
                        fields: std::mem::take(&mut fields),
                        line: start_line,
                    });
                }
                line += 1;
                start_line = line;
                at_field_start = true;
                record_has_content = false;
            }
            c => {
                field.push(c);
                at_field_start = false;
                record_has_content = true;
            }
        }
    }
    if record_has_content || !field.is_empty() {
        fields.push(field);
        out.push(CsvRecord {
            fields,
            line: start_line,
        });
    }
    Ok(out)
}

/// A CSV file as header + records, with column lookup by name.
struct Table {
    header: Vec<String>,
    rows: Vec<CsvRecord>,
}

impl Table {
    fn parse(bytes: &[u8], name: &str) -> Result<Table> {
        let mut recs = csv_records(utf8(bytes, name)?, name)?.into_iter();
        let header = recs
            .next()
            .ok_or_else(|| anyhow!("{name}: empty file (expected a header row)"))?
            .fields
            .into_iter()
            .map(|h| h.trim().to_string())
            .collect();
        let t = Table {
            header,
            rows: recs.collect(),
        };
        for r in &t.rows {
            if r.fields.len() != t.header.len() {
                bail!(
                    "{name}:{}: expected {} fields as in the header, found {}",
                    r.line,
                    t.header.len(),
                    r.fields.len()
                );
            }
        }
        Ok(t)
    }

    /// Column index by name (case-insensitive).
    fn col(&self, names: &[&str]) -> Option<usize> {
        self.header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    }

    fn need(&self, names: &[&str], name: &str) -> Result<usize> {
        self.col(names).ok_or_else(|| {
            anyhow!(
                "{name}:1: no `{}` column in the header ({})",
                names[0],
                self.header.join(", ")
            )
        })
    }
}

fn vast(bytes: &[u8], name: &str) -> Result<Vec<Gold>> {
    let t = Table::parse(bytes, name)?;
    let (ct, cg, cs) = (
        t.need(&["Tweet", "post"], name)?,
        t.need(&["Target", "topic_str"], name)?,
        t.need(&["Stance", "label"], name)?,
    );
    let cseen = t.col(&["seen?"]);
    let mut out = Vec::with_capacity(t.rows.len());
    for r in &t.rows {
        let f = &r.fields;
        let label = match f[cs].trim() {
            "0" => Label::Against,
            "1" => Label::Favor,
            "2" => Label::Neutral,
            other => bail!(
                "{name}:{}: unknown Stance `{other}` (0 against, 1 favor, 2 none)",
                r.line
            ),
        };
        let seen = match cseen.map(|c| f[c].trim()) {
            None | Some("") => None,
            Some("0") => Some(false),
            Some("1") => Some(true),
            Some(other) => bail!("{name}:{}: unknown seen? `{other}` (0 or 1)", r.line),
        };
        out.push(Gold {
            ex: Example {
                text: f[ct].clone(),
                target: f[cg].trim().to_string(),
                span: None,
                label: Some(label),
            },
            seen,
            line: r.line,
        });
    }
    Ok(out)
}

/// Parses a label word: favor/against/neutral/none/positive/negative/neither, case-insensitive,
/// or -1/0/1.
pub fn parse_label(s: &str) -> Option<Label> {
    match s.trim().to_ascii_lowercase().as_str() {
        "favor" | "favour" | "positive" | "pos" | "1" | "+1" => Some(Label::Favor),
        "against" | "negative" | "neg" | "-1" => Some(Label::Against),
        "neutral" | "none" | "neither" | "neu" | "0" => Some(Label::Neutral),
        _ => None,
    }
}

fn generic_csv(bytes: &[u8], name: &str) -> Result<Vec<Gold>> {
    let t = Table::parse(bytes, name)?;
    let ct = t.need(&["text"], name)?;
    let cl = t.need(&["label"], name)?;
    let cg = t.col(&["target"]);
    let (cs, ce) = (t.col(&["start"]), t.col(&["end"]));
    if cs.is_some() != ce.is_some() {
        bail!("{name}:1: `start` and `end` columns go together");
    }
    let mut out = Vec::with_capacity(t.rows.len());
    for r in &t.rows {
        let f = &r.fields;
        let label = parse_label(&f[cl]).ok_or_else(|| {
            anyhow!(
                "{name}:{}: unknown label `{}` (favor/against/neutral/none/positive/negative/neither or -1/0/1)",
                r.line,
                f[cl]
            )
        })?;
        let text = f[ct].clone();
        let span = match (cs, ce) {
            (Some(s), Some(e)) if !f[s].trim().is_empty() || !f[e].trim().is_empty() => {
                let num = |c: usize, what: &str| -> Result<usize> {
                    f[c].trim().parse().map_err(|_| {
                        anyhow!("{name}:{}: {what} `{}` is not a number", r.line, f[c])
                    })
                };
                let (a, b) = (num(s, "start")?, num(e, "end")?);
                check_span(a, b, &text).map_err(|m| anyhow!("{name}:{}: {m}", r.line))?;
                Some((a, b))
            }
            _ => None,
        };
        out.push(Gold {
            ex: Example {
                text,
                target: cg.map(|c| f[c].trim().to_string()).unwrap_or_default(),
                span,
                label: Some(label),
            },
            seen: None,
            line: r.line,
        });
    }
    Ok(out)
}

fn check_span(a: usize, b: usize, text: &str) -> std::result::Result<(), String> {
    let n = text.chars().count();
    if a > b || b > n {
        return Err(format!(
            "span {a}..{b} is outside the text ({n} characters)"
        ));
    }
    Ok(())
}

/// The characters `[a, b)` of `s`.
pub fn char_slice(s: &str, a: usize, b: usize) -> &str {
    let byte = |i: usize| s.char_indices().nth(i).map_or(s.len(), |(p, _)| p);
    &s[byte(a)..byte(b)]
}

fn newsmtsc(bytes: &[u8], name: &str) -> Result<Vec<Gold>> {
    let text = utf8(bytes, name)?;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| anyhow!("{name}:{line}: bad JSON: {e}"))?;
        let sentence = v
            .get("sentence_normalized")
            .or_else(|| v.get("sentence"))
            .and_then(|s| s.as_str())
            .ok_or_else(|| anyhow!("{name}:{line}: no `sentence_normalized` string"))?;
        let targets = v
            .get("targets")
            .and_then(|t| t.as_array())
            .ok_or_else(|| anyhow!("{name}:{line}: no `targets` list"))?;
        for (k, t) in targets.iter().enumerate() {
            let at = |what: &str| anyhow!("{name}:{line}: target {}: {what}", k + 1);
            let num = |key: &str| {
                t.get(key)
                    .and_then(|x| x.as_u64())
                    .map(|x| x as usize)
                    .ok_or_else(|| at(&format!("no integer `{key}`")))
            };
            let (a, b) = (num("from")?, num("to")?);
            let mention = t
                .get("mention")
                .and_then(|m| m.as_str())
                .ok_or_else(|| at("no `mention` string"))?;
            let polarity = t
                .get("polarity")
                .and_then(|p| p.as_f64())
                .ok_or_else(|| at("no numeric `polarity`"))?;
            let label = match polarity {
                2.0 => Label::Against,
                4.0 => Label::Neutral,
                6.0 => Label::Favor,
                p => return Err(at(&format!("polarity {p} is not 2.0, 4.0 or 6.0"))),
            };
            check_span(a, b, sentence).map_err(|m| at(&m))?;
            // `from`/`to` are character offsets in the published data (checked on all 8,739
            // targets: as byte offsets 1,698 of them would not match the mention).
            let got = char_slice(sentence, a, b);
            if got != mention {
                return Err(at(&format!(
                    "characters {a}..{b} are `{got}`, not the mention `{mention}`"
                )));
            }
            out.push(Gold {
                ex: Example {
                    text: sentence.to_string(),
                    target: mention.to_string(),
                    span: Some((a, b)),
                    label: Some(label),
                },
                seen: None,
                line,
            });
        }
    }
    Ok(out)
}
