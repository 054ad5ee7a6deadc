use super::StrPairs;

fn pairs(json: &str) -> Vec<(String, String)> {
    serde_json::from_str::<StrPairs>(json).map(|p| p.0).expect("an object")
}

#[test]
fn every_value_is_kept_strings_decoded_the_rest_as_their_json_text_from_the_file() {
    let got = pairs(r#"{"s":"x\ny","n":3,"f":0.5,"b":true,"z":null,"l":[1, "a"],"o":{"k": null, "m": [true]}}"#);
    let want: Vec<(String, String)> = [
        ("s", "x\ny"),
        ("n", "3"),
        ("f", "0.5"),
        ("b", "true"),
        ("z", "null"),
        ("l", r#"[1, "a"]"#),
        ("o", r#"{"k": null, "m": [true]}"#),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn key_order_is_file_order() {
    let got = pairs(r#"{"b":"1","a":2}"#);
    assert_eq!(got[0].0, "b");
    assert_eq!(got[1].0, "a");
}

#[test]
fn a_non_object_is_an_error() {
    assert!(serde_json::from_str::<StrPairs>("[1]").is_err());
}
