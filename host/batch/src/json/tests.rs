use super::*;

#[derive(serde::Deserialize)]
struct T<'a> {
    #[serde(borrow)]
    s: Option<Str<'a>>,
    #[serde(borrow)]
    c: Option<LooseStr<'a>>,
    f: Option<First<u32>>,
}

#[test]
fn borrows_unless_escaped() {
    let Ok(t) = parse_object::<T>(br#"{"s":"plain","c":429,"f":[7,[1,2],{"x":1}]}"#) else {
        panic!("parse failed")
    };
    assert!(matches!(t.s, Some(Str(Cow::Borrowed("plain")))));
    assert!(matches!(t.c.as_ref().map(|c| c.0.as_ref()), Some("429")));
    assert!(matches!(t.f, Some(First(Some(7)))));
    let Ok(t) = parse_object::<T>(br#"{"s":"a\"b","f":[]}"#) else {
        panic!("parse failed")
    };
    assert!(matches!(&t.s, Some(Str(Cow::Owned(s))) if s == "a\"b"));
    assert!(matches!(t.f, Some(First(None))));
}

#[derive(serde::Deserialize)]
struct W<'a> {
    #[serde(borrow)]
    t: Option<Text<'a>>,
    #[serde(default)]
    n: Tok,
}

fn text(json: &str) -> Result<Option<String>, LineError> {
    parse_object::<W>(json.as_bytes()).map(|w| w.t.map(|t| t.0.into_owned()))
}

#[test]
fn text_unescapes_like_serde_json() {
    let cases = [
        r#""plain""#,
        r#""q\"uo\\te\/ \b\f\n\r\t""#,
        r#""\u00e9 caf\u00E9 \ud83d\ude00 日本 שלום \u0000""#,
        r#""{\"label\":\"positive\",\"confidence\":0.93}""#,
    ];
    for c in cases {
        let want: String = serde_json::from_str(c).unwrap_or_default();
        assert_eq!(text(&format!(r#"{{"t":{c}}}"#)), Ok(Some(want)), "{c}");
    }
    assert!(matches!(
        parse_object::<W>(br#"{"t":"x"}"#).map(|w| w.t.map(|t| t.0)),
        Ok(Some(Cow::Borrowed("x")))
    ));
    // An escape at every offset around the first 16 bytes' look.
    for k in 0..40 {
        for esc in [r#"\""#, r#"\\"#, r#"\u00e9"#, r#"\n"#] {
            let c = format!(r#""{}{esc}{}{esc}""#, "a".repeat(k), "b".repeat(k % 7));
            let want: String = serde_json::from_str(&c).unwrap_or_default();
            assert_eq!(text(&format!(r#"{{"t":{c}}}"#)), Ok(Some(want)), "{c}");
        }
    }
    assert_eq!(text(r#"{"t":null}"#), Ok(None));
    assert!(matches!(text(r#"{"t":5}"#), Err(LineError::WrongShape(m)) if m.contains("expected a string")));
    assert!(matches!(text(r#"{"t":"\ud800x"}"#), Err(LineError::WrongShape(m)) if m.contains("surrogate")));
    assert!(matches!(text(r#"{"t":"\udc00"}"#), Err(LineError::WrongShape(m)) if m.contains("surrogate")));
    let n = |j: &str| parse_object::<W>(j.as_bytes()).map(|w| w.n.0);
    assert!(matches!(n(r#"{"n":null}"#), Err(LineError::WrongShape(_))));
    assert_eq!(n(r#"{}"#), Ok(0));
    assert_eq!(n(r#"{"n":42}"#), Ok(42));
    assert!(matches!(n(r#"{"n":-1}"#), Err(LineError::WrongShape(_))));
}

#[test]
fn non_objects() {
    let e = parse_object::<T>(b"[1,2]").err();
    assert_eq!(
        e,
        Some(LineError::WrongShape("expected a JSON object, found an array".into()))
    );
    assert!(matches!(
        parse_object::<T>(b"nope").err(),
        Some(LineError::Malformed(_))
    ));
    assert!(matches!(
        parse_object::<T>(br#"{"s":5}"#).err(),
        Some(LineError::WrongShape(m)) if m.contains("expected a string")
    ));
}
