//! The learned stance scorer: hashed n-gram features ([`features`]), a linear model (squared hinge
//! or logistic) trained by seeded AdaGrad ([`train`]), and the model file ([`model`]).
//!
//! ```
//! use stancemill::eval::{Example, Label, StanceScorer};
//! use stancemill::learn::{train, FeatureConfig, Featurizer, TrainConfig};
//!
//! let ex = |t: &str, l| Example { text: t.into(), target: "cats".into(), span: None, label: Some(l) };
//! let data: Vec<Example> = (0..20)
//!     .flat_map(|_| [ex("I love cats", Label::Favor), ex("I hate cats", Label::Against)])
//!     .collect();
//! let cfg = TrainConfig { features: FeatureConfig { bits: 12, ..Default::default() }, ..Default::default() };
//! let model = train(&data, Featurizer::new(cfg.features.clone()), &cfg).unwrap();
//! assert_eq!(model.stance(&ex("love", Label::Favor)).label, Label::Favor);
//! ```

pub mod features;
pub mod model;
pub mod train;

pub use features::{DenseHook, FeatureConfig, Featurizer, SparseVec};
pub use model::Model;
pub use train::{train, ClassWeight, Loss, TrainConfig};
