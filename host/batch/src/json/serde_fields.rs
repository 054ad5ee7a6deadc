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
