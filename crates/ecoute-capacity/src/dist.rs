//! Duration distributions: handle times, patience, redial delays.

use rand::Rng;
use rand_distr::{Exp1, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::error::{CapacityError, Result};

/// A distribution of durations in seconds.
///
/// Scenario files write them in minutes, e.g.
/// `{ distribution = "lognormal", mean_minutes = 20, cv = 0.8 }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    /// Exponential with the given mean: memoryless, as the Erlang formulas assume.
    Exponential {
        /// Mean, in minutes.
        mean_minutes: f64,
    },
    /// Log-normal with the given mean and coefficient of variation (standard deviation
    /// over mean): the usual shape of measured call durations, with a long right tail.
    Lognormal {
        /// Mean, in minutes.
        mean_minutes: f64,
        /// Coefficient of variation (standard deviation / mean).
        cv: f64,
    },
    /// Always the same duration.
    Fixed {
        /// The duration, in minutes.
        minutes: f64,
    },
}

impl Dist {
    /// An exponential distribution with the given mean in seconds.
    pub fn exponential_secs(mean_secs: f64) -> Self {
        Dist::Exponential {
            mean_minutes: mean_secs / 60.0,
        }
    }

    /// Checks the parameters; `name` says which distribution this is in error messages
    /// (the scenario file's table, e.g. `handle` or `redial.delay`), and the value names
    /// the field at fault (`mean_minutes = -1`).
    pub fn validate(&self, name: &'static str) -> Result<()> {
        let bad = |field: &str, value: f64, reason| {
            CapacityError::invalid(name, format!("{field} = {value}"), reason)
        };
        let is_positive = |x: f64| x.is_finite() && x > 0.0;
        match *self {
            Dist::Exponential { mean_minutes } => {
                if !is_positive(mean_minutes) {
                    return Err(bad(
                        "mean_minutes",
                        mean_minutes,
                        "must be a positive number",
                    ));
                }
            }
            Dist::Lognormal { mean_minutes, cv } => {
                if !is_positive(mean_minutes) {
                    return Err(bad(
                        "mean_minutes",
                        mean_minutes,
                        "must be a positive number",
                    ));
                }
                if !is_positive(cv) {
                    return Err(bad("cv", cv, "must be a positive number"));
                }
            }
            Dist::Fixed { minutes } => {
                if !(minutes.is_finite() && minutes >= 0.0) {
                    return Err(bad("minutes", minutes, "must be zero or a positive number"));
                }
            }
        }
        Ok(())
    }

    /// Mean of the distribution, in seconds.
    pub fn mean_secs(&self) -> f64 {
        60.0 * match *self {
            Dist::Exponential { mean_minutes } | Dist::Lognormal { mean_minutes, .. } => {
                mean_minutes
            }
            Dist::Fixed { minutes } => minutes,
        }
    }

    /// A sampler with the parameters precomputed, for the simulator's inner loop.
    pub(crate) fn sampler(&self) -> Sampler {
        match *self {
            Dist::Exponential { .. } => Sampler::Exponential {
                mean: self.mean_secs(),
            },
            Dist::Lognormal { cv, .. } => {
                // If ln X ~ N(m, s²) then E[X] = exp(m + s²/2) and cv² = exp(s²) − 1.
                let s2 = (1.0 + cv * cv).ln();
                Sampler::Lognormal {
                    m: self.mean_secs().ln() - s2 / 2.0,
                    s: s2.sqrt(),
                }
            }
            Dist::Fixed { .. } => Sampler::Fixed {
                secs: self.mean_secs(),
            },
        }
    }
}

/// [`Dist`] with its parameters turned into what sampling needs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sampler {
    Exponential { mean: f64 },
    Lognormal { m: f64, s: f64 },
    Fixed { secs: f64 },
}

impl Sampler {
    /// Draws one duration in seconds.
    #[inline]
    pub(crate) fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        match *self {
            Sampler::Exponential { mean } => {
                let e: f64 = rng.sample(Exp1);
                mean * e
            }
            Sampler::Lognormal { m, s } => {
                let z: f64 = rng.sample(StandardNormal);
                (m + s * z).exp()
            }
            Sampler::Fixed { secs } => secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn samplers_have_the_stated_mean() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for d in [
            Dist::Exponential { mean_minutes: 3.0 },
            Dist::Lognormal {
                mean_minutes: 20.0,
                cv: 0.8,
            },
            Dist::Fixed { minutes: 1.0 },
        ] {
            let s = d.sampler();
            let n = 200_000;
            let mean = (0..n).map(|_| s.sample(&mut rng)).sum::<f64>() / f64::from(n);
            let rel = (mean - d.mean_secs()).abs() / d.mean_secs();
            assert!(rel < 0.01, "{d:?}: mean {mean}");
        }
    }

    #[test]
    fn validation_names_the_parameter() {
        let err = Dist::Exponential { mean_minutes: -1.0 }
            .validate("patience")
            .expect_err("negative mean");
        assert!(err.to_string().contains("patience"), "{err}");
    }
}
