//! The word-at-a-time search against the plain one.

use super::quote_or_backslash;

/// Every offset of varied texts, including bytes above 0x7f next to the
/// bytes sought (where a borrow could flag the wrong byte), short tails and
/// runs longer than the word-at-a-time window.
#[test]
fn quote_or_backslash_finds_the_first_one() {
    let mut seed = 0x853c_49e6_748f_ea9b_u64;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let alphabet = b"ab\"\\\x80\xff\x21\x5b\x5d\x01 ";
    for _ in 0..5_000 {
        let len = rand(90);
        let rare = 1 + rand(40);
        let text: Vec<u8> = (0..len)
            .map(|_| match rand(rare) {
                0 => alphabet[rand(4) + 2],
                _ => alphabet[rand(alphabet.len())].max(b'a'),
            })
            .collect();
        for from in 0..=text.len() {
            let want = text[from..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .map(|p| from + p);
            assert_eq!(quote_or_backslash(&text, from), want, "{text:?} from {from}");
        }
    }
}
