//! Azure's content-filter categories, read back from a result line when its
//! choice finished with `content_filter`.
//!
//! Invariant: only categories marked `filtered: true` are named, in file
//! order; anything that is not a category map gives `None`, never an error
//! (the row's status is already decided).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::First;

/// Azure `choices[0].content_filter_results` of a result line:
/// `"filtered: hate, self_harm"` for the categories with `filtered: true`
/// (in file order, `self-harm` spelled `self_harm`); `None` when there are
/// none, none is filtered, or the value is not a map.
#[cold]
#[inline(never)]
pub(super) fn filtered_categories(line: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Line<'a> {
        #[serde(borrow)]
        response: Option<Resp<'a>>,
    }
    #[derive(Deserialize)]
    struct Resp<'a> {
        #[serde(borrow)]
        body: Option<Body<'a>>,
    }
    #[derive(Deserialize)]
    struct Body<'a> {
        #[serde(borrow)]
        choices: Option<First<Choice<'a>>>,
    }
    #[derive(Deserialize)]
    struct Choice<'a> {
        #[serde(borrow)]
        content_filter_results: Option<&'a RawValue>,
    }
    let l: Line = serde_json::from_slice(line).ok()?;
    let raw = l.response?.body?.choices?.0?.content_filter_results?;
    use serde::de::{MapAccess, Visitor};
    #[derive(Deserialize)]
    struct Cat {
        #[serde(default)]
        filtered: bool,
    }
    struct Names(Vec<String>);
    impl<'de> Deserialize<'de> for Names {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Names;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object of categories")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Names, A::Error> {
                    let mut out = Vec::new();
                    while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                        // Non-category entries (e.g. `custom_blocklists`) are skipped.
                        let cat: serde_json::Value = map.next_value()?;
                        if serde_json::from_value::<Cat>(cat).is_ok_and(|c| c.filtered) {
                            out.push(k.replace('-', "_"));
                        }
                    }
                    Ok(Names(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    let names = serde_json::from_str::<Names>(raw.get()).ok()?.0;
    (!names.is_empty()).then(|| format!("filtered: {}", names.join(", ")))
}
