//! Test support: the member names serde's derive reads for a type, so a
//! quick scan can be checked against the serde form it stands in for.

/// The member names serde's derive reads for `T`, as it hands them to
/// `deserialize_struct` (aliases are not among them).
pub(crate) fn serde_fields<T: serde::Deserialize<'static>>() -> &'static [&'static str] {
    use serde::de::{Error, Visitor, value};
    struct Record(std::cell::Cell<&'static [&'static str]>);
    impl<'de> serde::Deserializer<'de> for &Record {
        type Error = value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
            Err(value::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, value::Error> {
            self.0.set(fields);
            Err(value::Error::custom("recorded"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let record = Record(std::cell::Cell::new(&[]));
    let _ = T::deserialize(&record);
    record.0.get()
}

/// A value of every JSON kind, to set a member to.
pub(crate) fn every_kind() -> [serde_json::Value; 9] {
    use serde_json::json;
    [
        json!(7),
        json!(-1),
        json!(1.5),
        json!("7"),
        json!(""),
        json!(null),
        json!(true),
        json!([[7]]),
        json!({"k": 1}),
    ]
}

/// `base` as text, with member `name` of the object at `path` (member names
/// and array positions) set to `v`.
pub(crate) fn with_member(base: &serde_json::Value, path: &[&str], name: &str, v: &serde_json::Value) -> String {
    use serde_json::Value;
    let mut line = base.clone();
    let at = path.iter().try_fold(&mut line, |x, k| match k.parse::<usize>() {
        Ok(i) => x.get_mut(i),
        Err(_) => x.get_mut(*k),
    });
    let Some(Value::Object(at)) = at else {
        panic!("{path:?} is no object in {base}")
    };
    at.insert(name.to_owned(), v.clone());
    line.to_string()
}
