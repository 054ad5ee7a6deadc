//! [`Config`]: the `init` key/value pairs, with typed, self-explaining accessors.
//!
//! Invariant: every failure is a `JudgeError::Config` that names the key, so the
//! user sees which setting to fix. When a key is given twice, the last value wins.

use std::fmt::Display;
use std::str::FromStr;

use crate::JudgeError;

/// The judge's configuration as the host passed it to `init` (`@file` values arrive
/// as the file's content).
#[derive(Debug, Clone, Default)]
pub struct Config {
    pairs: Vec<(String, String)>,
}

impl Config {
    /// Wraps the raw pairs.
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Config { pairs }
    }

    /// The value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The value of `key`, or a `Config` error naming it.
    pub fn require(&self, key: &str) -> Result<&str, JudgeError> {
        self.get(key)
            .ok_or_else(|| JudgeError::Config(format!("missing required config key `{key}`")))
    }

    /// The required value of `key`, parsed as `T`.
    pub fn parse<T>(&self, key: &str) -> Result<T, JudgeError>
    where
        T: FromStr,
        T::Err: Display,
    {
        parse_value(key, self.require(key)?)
    }

    /// The value of `key` parsed as `T`, or `default` when the key is absent.
    pub fn parse_or<T>(&self, key: &str, default: T) -> Result<T, JudgeError>
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.get(key) {
            Some(value) => parse_value(key, value),
            None => Ok(default),
        }
    }

    /// All pairs, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn parse_value<T>(key: &str, value: &str) -> Result<T, JudgeError>
where
    T: FromStr,
    T::Err: Display,
{
    value.trim().parse().map_err(|e| {
        let mut shown: String = value.chars().take(64).collect();
        if shown.len() < value.len() {
            shown.push('…');
        }
        JudgeError::Config(format!(
            "config key `{key}`: cannot parse {shown:?} as {}: {e}",
            short_type_name::<T>()
        ))
    })
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> Config {
        Config::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn get_require_parse() {
        let c = cfg(&[("a", "1"), ("b", " 2.5 "), ("a", "3")]);
        assert_eq!(c.get("a"), Some("3"));
        assert_eq!(c.parse::<f64>("b").ok(), Some(2.5));
        assert_eq!(c.parse_or::<u32>("zz", 7).ok(), Some(7));
        match c.require("missing") {
            Err(JudgeError::Config(m)) => assert!(m.contains("`missing`")),
            other => panic!("unexpected {other:?}"),
        }
        match c.parse::<u32>("b") {
            Err(JudgeError::Config(m)) => assert!(m.contains("`b`") && m.contains("u32"), "{m}"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
