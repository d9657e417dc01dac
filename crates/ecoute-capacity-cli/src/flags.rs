//! Flag values checked as clap parses them, so that every refusal names the flag the user
//! typed (`invalid value '-1' for '--handle-secs <HANDLE_SECS>': …`), and the renaming of
//! the errors the crate can only raise later (`budget_hours_per_week` → the flag).

use ecoute_capacity::sim::MAX_HORIZON_DAYS;
use ecoute_capacity::CapacityError;

fn number(s: &str, ok: impl Fn(f64) -> bool, reason: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if x.is_finite() && ok(x) {
        Ok(x)
    } else {
        Err(reason.to_string())
    }
}

/// A number above zero.
pub fn positive(s: &str) -> Result<f64, String> {
    number(s, |x| x > 0.0, "must be a positive number")
}

/// Zero or a number above it.
pub fn non_negative(s: &str) -> Result<f64, String> {
    number(s, |x| x >= 0.0, "must be zero or a positive number")
}

/// A share strictly between 0 and 1, such as 0.5.
pub fn share(s: &str) -> Result<f64, String> {
    number(
        s,
        |x| x > 0.0 && x < 1.0,
        "must be a share strictly between 0 and 1, such as 0.5",
    )
}

/// A fraction from 0 to 1.
pub fn fraction(s: &str) -> Result<f64, String> {
    number(s, |x| (0.0..=1.0).contains(&x), "must be from 0 to 1")
}

/// A probability above zero, at most 1 (a recall, a precision).
pub fn above_zero_to_one(s: &str) -> Result<f64, String> {
    number(
        s,
        |x| x > 0.0 && x <= 1.0,
        "must be above 0 and at most 1, such as 0.88",
    )
}

/// Days to simulate: positive, at most ten years.
pub fn days(s: &str) -> Result<f64, String> {
    number(
        s,
        |x| x > 0.0 && x <= MAX_HORIZON_DAYS,
        "must be a positive number of days, at most 3660 (ten years), as the simulator steps \
         through every half hour",
    )
}

/// Renames the parameter of a crate error to the flag the user typed, from pairs
/// `(parameter, flag)`; other errors pass unchanged.
pub fn rename(
    flags: &'static [(&'static str, &'static str)],
) -> impl Fn(CapacityError) -> CapacityError {
    move |e| match e {
        CapacityError::InvalidParameter {
            name,
            value,
            reason,
        } => CapacityError::InvalidParameter {
            name: flags
                .iter()
                .find(|(parameter, _)| *parameter == name)
                .map_or(name, |(_, flag)| flag),
            value,
            reason,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_refuse_with_their_reason() {
        assert_eq!(positive("2.5"), Ok(2.5));
        assert!(positive("0").is_err());
        assert!(positive("NaN").is_err());
        assert!(non_negative("-1")
            .expect_err("negative")
            .contains("zero or"));
        assert!(share("1").is_err() && share("0.5").is_ok());
        assert!(fraction("1").is_ok() && fraction("1.1").is_err());
        assert!(above_zero_to_one("1").is_ok() && above_zero_to_one("0").is_err());
        assert!(days("3661").expect_err("long").contains("3660"));
        assert!(days("abc").expect_err("text").contains("not a number"));
    }
}
