//! The one error type of the crate.
//!
//! Every message names the parameter at fault, because the people who read them are
//! coordinators typing figures into a command line or a form, not programmers.

use thiserror::Error;

/// Result alias used throughout the crate.
pub type Result<T, E = CapacityError> = std::result::Result<T, E>;

/// Everything that can go wrong when planning capacity.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CapacityError {
    /// A parameter is out of its domain (negative rate, zero listeners, share above 1…).
    #[error("invalid {name}: {value} ({reason})")]
    InvalidParameter {
        /// The parameter's name as the user knows it (e.g. `listeners`, `arrivals_per_hour`).
        name: &'static str,
        /// The offending value, rendered for the message.
        value: String,
        /// What the value should have been.
        reason: &'static str,
    },
    /// The load is beyond what the model covers (e.g. Erlang C with as many erlangs as
    /// listeners, where the queue grows without bound).
    #[error("load beyond the model: {0}")]
    BeyondModel(String),
    /// A scenario could not be read or is inconsistent.
    #[error("scenario: {0}")]
    Scenario(String),
    /// The optimiser found no plan, or its solver failed.
    #[error("optimiser: {0}")]
    Optimiser(String),
}

impl CapacityError {
    /// Shorthand for [`CapacityError::InvalidParameter`].
    pub(crate) fn invalid(name: &'static str, value: impl ToString, reason: &'static str) -> Self {
        CapacityError::InvalidParameter {
            name,
            value: value.to_string(),
            reason,
        }
    }
}

/// Checks that `value` is finite and strictly positive.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(CapacityError::invalid(
            name,
            value,
            "must be a positive number",
        ))
    }
}

/// Checks that `value` is finite and not negative.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(CapacityError::invalid(
            name,
            value,
            "must be zero or a positive number",
        ))
    }
}

/// Checks that `value` is a probability strictly between 0 and 1.
pub(crate) fn open_unit(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(CapacityError::invalid(
            name,
            value,
            "must be strictly between 0 and 1",
        ))
    }
}

/// Checks that `value` is a probability in [0, 1].
pub(crate) fn probability(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(CapacityError::invalid(
            name,
            value,
            "must be between 0 and 1",
        ))
    }
}
