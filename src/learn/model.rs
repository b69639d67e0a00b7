//! The trained model and its file format.
//!
//! # File format (version 1), all integers and floats little-endian
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `SMSTANCE` |
//! | 4 | u32 format version (1) |
//! | 4 | u32 length `H` of the header |
//! | H | header: UTF-8 `key=value` lines in a fixed order (see [`Model::header`]): task, label order, featurizer settings, training hyperparameters, number of training examples |
//! | 12 | bias, 3 × f32 in label order |
//! | 4 | u32 number `S` of stored slots |
//! | S × 16 | per slot with any non-zero weight, ascending: u32 slot, 3 × f32 weights in label order |
//! | 8 | u64 xxh3-64 of every byte before it |
//!
//! Slots whose three weights are all zero are left out, so a model is as large as the features it
//! saw (about 16 bytes each), not as the hash space. Floats in the header are written with Rust's
//! shortest round-trip formatting, so the file is a pure function of the model.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use super::features::{FeatureConfig, Featurizer};
use super::train::{probs, ClassWeight, Loss, TrainConfig, TuneNeutral};
use crate::eval::read::Task;
use crate::eval::{Example, Judgement, Label, StanceScorer};

const MAGIC: &[u8; 8] = b"SMSTANCE";
const VERSION: u32 = 1;
/// The label order the weights are stored in; checked on load.
const LABELS: &str = "against,neutral,favor";

/// A trained linear stance (or sentiment) model over the three labels (squared-hinge or logistic).
#[derive(Clone, Debug)]
pub struct Model {
    featurizer: Featurizer,
    cfg: TrainConfig,
    examples: usize,
    bias: [f32; 3],
    w: Vec<f32>,
    neutral_offset: f32,
}

impl Model {
    /// Wraps trained weights (`w.len() == 3 · 2^bits`, slot-major).
    pub fn new(
        featurizer: Featurizer,
        cfg: TrainConfig,
        examples: usize,
        bias: [f32; 3],
        w: Vec<f32>,
    ) -> Model {
        assert_eq!(w.len(), featurizer.dim() * 3);
        Model {
            featurizer,
            cfg,
            examples,
            bias,
            w,
            neutral_offset: 0.0,
        }
    }

    /// Records the neutral offset that [`TrainConfig::tune_neutral`] chose (already part of the
    /// bias; kept in the header to show what tuning did).
    pub fn with_neutral_offset(mut self, offset: f32) -> Model {
        self.neutral_offset = offset;
        self
    }

    /// The neutral offset chosen in training (0 without tuning).
    pub fn neutral_offset(&self) -> f32 {
        self.neutral_offset
    }

    /// The training settings.
    pub fn config(&self) -> &TrainConfig {
        &self.cfg
    }

    /// Number of training examples.
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// The name of the dense-feature hook the model was trained with, if any: attach it with
    /// [`Model::attach_hook`] before scoring.
    pub fn required_hook(&self) -> Option<&str> {
        self.featurizer.hook_name()
    }

    /// Attaches the dense-feature hook named in the file (`name` must match).
    pub fn attach_hook(
        mut self,
        name: &str,
        hook: std::sync::Arc<super::features::DenseHook>,
    ) -> Result<Model> {
        if self.required_hook() != Some(name) {
            bail!(
                "model was trained with hook {:?}, not `{name}`",
                self.required_hook()
            );
        }
        self.featurizer = Featurizer::new(self.cfg.features.clone()).with_hook(name, hook);
        Ok(self)
    }

    /// Class probabilities in [`Label::ALL`] order.
    pub fn probabilities(&self, ex: &Example) -> [f32; 3] {
        let x = self
            .featurizer
            .featurize(&super::train::prepare(ex, self.cfg.task));
        probs(&self.w, &self.bias, &x)
    }

    /// The header lines, in their fixed order.
    pub fn header(&self) -> String {
        let f = &self.cfg.features;
        let c = &self.cfg;
        format!(
            "task={}\nlabels={LABELS}\nbits={}\nword_ngrams={}-{}\nchar_ngrams={}-{}\nchar_wb={}\ntarget_cond={}\nwindow={}\nsublinear={}\nhook={}\nepochs={}\nl2={}\nlr={}\nclass_weight={}\naverage={}\nloss={}\nensemble={}\ntune_neutral={}\nneutral_offset={}\nseed={}\nexamples={}\n",
            c.task.name(),
            f.bits,
            f.word.0,
            f.word.1,
            f.chars.0,
            f.chars.1,
            u8::from(f.char_wb),
            u8::from(f.target_cond),
            f.window,
            u8::from(f.sublinear),
            self.featurizer.hook_name().unwrap_or(""),
            c.epochs,
            c.l2,
            c.lr,
            c.class_weight.name(),
            u8::from(c.average),
            c.loss.name(),
            c.ensemble,
            c.tune_neutral.name(),
            self.neutral_offset,
            c.seed,
            self.examples
        )
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = self.header();
        let mut o = Vec::new();
        o.extend_from_slice(MAGIC);
        o.extend_from_slice(&VERSION.to_le_bytes());
        o.extend_from_slice(&(header.len() as u32).to_le_bytes());
        o.extend_from_slice(header.as_bytes());
        for b in self.bias {
            o.extend_from_slice(&b.to_le_bytes());
        }
        let slots: Vec<usize> = (0..self.featurizer.dim())
            .filter(|&s| self.w[s * 3..s * 3 + 3].iter().any(|&x| x != 0.0))
            .collect();
        o.extend_from_slice(&(slots.len() as u32).to_le_bytes());
        for s in slots {
            o.extend_from_slice(&(s as u32).to_le_bytes());
            for k in 0..3 {
                o.extend_from_slice(&self.w[s * 3 + k].to_le_bytes());
            }
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&o);
        o.extend_from_slice(&sum.to_le_bytes());
        o
    }

    /// Writes the model file.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_bytes())
            .with_context(|| format!("cannot write model {}", path.display()))
    }

    /// Reads and validates a model file.
    pub fn load(path: &Path) -> Result<Model> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read model {}", path.display()))?;
        Model::from_bytes(&bytes).with_context(|| format!("invalid model file {}", path.display()))
    }

    /// Parses and validates model bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            bail!("not a stancemill model (no `SMSTANCE` magic)");
        }
        if bytes.len() < 8 + 4 + 4 + 12 + 4 + 8 {
            bail!("truncated ({} bytes)", bytes.len());
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        if xxhash_rust::xxh3::xxh3_64(body).to_le_bytes() != tail {
            bail!("checksum mismatch: the file is damaged or truncated");
        }
        let mut r = Reader { b: body, at: 8 };
        let version = r.u32()?;
        if version != VERSION {
            bail!("format version {version}; this stancemill reads version {VERSION}");
        }
        let hlen = r.u32()? as usize;
        let header =
            std::str::from_utf8(r.take(hlen)?).map_err(|_| anyhow!("header is not UTF-8"))?;
        let (featurizer, cfg, examples, neutral_offset) = parse_header(header)?;
        let bias = [r.f32()?, r.f32()?, r.f32()?];
        let n = r.u32()? as usize;
        let dim = featurizer.dim();
        let mut w = vec![0f32; dim * 3];
        let mut last: Option<usize> = None;
        for _ in 0..n {
            let s = r.u32()? as usize;
            if s >= dim || last.is_some_and(|l| s <= l) {
                bail!("weight slot {s} out of order or outside the 2^bits hash space");
            }
            last = Some(s);
            for k in 0..3 {
                w[s * 3 + k] = r.f32()?;
            }
        }
        if r.at != body.len() {
            bail!("{} unexpected bytes after the weights", body.len() - r.at);
        }
        if bias.iter().chain(&w).any(|x| !x.is_finite()) {
            bail!("non-finite weight");
        }
        Ok(Model {
            featurizer,
            cfg,
            examples,
            bias,
            w,
            neutral_offset,
        })
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let s = self
            .b
            .get(self.at..self.at.saturating_add(n))
            .ok_or_else(|| anyhow!("truncated at byte {}", self.at))?;
        self.at += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
}

fn parse_header(h: &str) -> Result<(Featurizer, TrainConfig, usize, f32)> {
    let mut kv = std::collections::BTreeMap::new();
    for line in h.lines() {
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| anyhow!("header line `{line}` is not key=value"))?;
        kv.insert(k, v);
    }
    let get = |k: &str| {
        kv.get(k)
            .copied()
            .ok_or_else(|| anyhow!("header has no `{k}`"))
    };
    fn num<T: std::str::FromStr>(k: &str, v: &str) -> Result<T> {
        v.parse()
            .map_err(|_| anyhow!("header `{k}={v}` is not a valid number"))
    }
    let range = |k: &str| -> Result<(u8, u8)> {
        let v = get(k)?;
        let (a, b) = v
            .split_once('-')
            .ok_or_else(|| anyhow!("header `{k}={v}` is not MIN-MAX"))?;
        Ok((num(k, a)?, num(k, b)?))
    };
    if get("labels")? != LABELS {
        bail!("label order `{}` is not `{LABELS}`", get("labels")?);
    }
    let task = match get("task")? {
        "stance" => Task::Stance,
        "sentiment" => Task::Sentiment,
        t => bail!("unknown task `{t}`"),
    };
    let bits: u8 = num("bits", get("bits")?)?;
    if !(8..=26).contains(&bits) {
        bail!("bits={bits} outside 8..=26");
    }
    let flag = |k: &str| -> Result<bool> {
        match get(k)? {
            "0" => Ok(false),
            "1" => Ok(true),
            v => bail!("header `{k}={v}` is not 0 or 1"),
        }
    };
    let features = FeatureConfig {
        bits,
        word: range("word_ngrams")?,
        chars: range("char_ngrams")?,
        // Files written before the key existed used n-grams across words.
        char_wb: match kv.get("char_wb") {
            Some(_) => flag("char_wb")?,
            None => false,
        },
        target_cond: flag("target_cond")?,
        window: num("window", get("window")?)?,
        sublinear: flag("sublinear")?,
    };
    let class_weight = match get("class_weight")? {
        "none" => ClassWeight::None,
        "balanced" => ClassWeight::Balanced,
        v => bail!("unknown class_weight `{v}`"),
    };
    let cfg = TrainConfig {
        features: features.clone(),
        task,
        epochs: num("epochs", get("epochs")?)?,
        l2: num("l2", get("l2")?)?,
        lr: num("lr", get("lr")?)?,
        class_weight,
        seed: num("seed", get("seed")?)?,
        average: flag("average")?,
        // Files written before these keys existed were trained with the log loss, one shuffle.
        loss: match kv.get("loss").copied().unwrap_or("log") {
            "log" => Loss::Log,
            "hinge" => Loss::Hinge,
            v => bail!("unknown loss `{v}`"),
        },
        ensemble: match kv.get("ensemble") {
            Some(v) => num("ensemble", v)?,
            None => 1,
        },
        tune_neutral: match kv.get("tune_neutral").copied().unwrap_or("off") {
            "off" => TuneNeutral::Off,
            "f-avg" => TuneNeutral::FAvg,
            "macro-f1" => TuneNeutral::MacroF1,
            v => bail!("unknown tune_neutral `{v}`"),
        },
    };
    let neutral_offset: f32 = match kv.get("neutral_offset") {
        Some(v) => num("neutral_offset", v)?,
        None => 0.0,
    };
    let mut f = Featurizer::new(features);
    let hook = get("hook")?;
    if !hook.is_empty() {
        // The hook is code, not data: record its name so that scoring without it fails loudly.
        f = f.with_hook(hook, std::sync::Arc::new(missing_hook));
    }
    Ok((f, cfg, num("examples", get("examples")?)?, neutral_offset))
}

fn missing_hook(_: &Example) -> Vec<(String, f32)> {
    // Scoring without the hook would silently give wrong probabilities.
    panic!("this model needs its dense-feature hook: call Model::attach_hook before scoring")
}

/// For [`StanceScorer::stance`]: `score` = P(favor) − P(against), `label` the most probable class,
/// `confidence` its probability. [`StanceScorer::tone`] scores the text with an empty target: for a
/// model trained with `--task sentiment` that is exactly what it was trained on (sentiment training
/// drops the targets of span-less examples); for a stance model it is the target-independent part
/// of the stance model, a rough polarity at best.
impl StanceScorer for Model {
    fn stance(&self, ex: &Example) -> Judgement {
        let p = self.probabilities(ex);
        let mut best = 0;
        for k in 1..3 {
            if p[k] > p[best] {
                best = k;
            }
        }
        Judgement {
            score: (p[Label::Favor.index()] - p[Label::Against.index()]).clamp(-1.0, 1.0),
            label: Label::from_index(best),
            confidence: p[best],
        }
    }

    fn tone(&self, text: &str) -> Judgement {
        self.stance(&Example {
            text: text.to_string(),
            target: String::new(),
            span: None,
            label: None,
        })
    }
}
