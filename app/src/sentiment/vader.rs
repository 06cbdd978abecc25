//! VADER sentiment, ported line by line from the reference implementation (Python `vaderSentiment`
//! 3.3.2, MIT licence, see `VADER-LICENSE.txt`), lexicons included. The Rust crate `vader_sentiment`
//! predates 3.3.2 and disagrees with it on a sizeable share of sentences (see `../shared/ENV.md`), so
//! this port keeps the reference's quirks on purpose — `but` handling via `list.index`, Python's
//! `isupper`, `strip(string.punctuation)` — and `tests` compare it with committed reference scores.

use std::collections::HashMap;
use std::sync::LazyLock;

const B_INCR: f64 = 0.293;
const B_DECR: f64 = -0.293;
const C_INCR: f64 = 0.733;
const N_SCALAR: f64 = -0.74;

const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

const BOOSTERS_UP: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerable",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormous",
    "enormously",
    "entirely",
    "especially",
    "exceptional",
    "exceptionally",
    "extreme",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "frackin",
    "fracking",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fuckin",
    "fucking",
    "fuggin",
    "fugging",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredible",
    "incredibly",
    "intensely",
    "major",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "total",
    "totally",
    "tremendous",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utter",
    "utterly",
    "very",
];

const BOOSTERS_DOWN: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "just enough",
    "kind of",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginal",
    "marginally",
    "occasional",
    "occasionally",
    "partly",
    "scarce",
    "scarcely",
    "slight",
    "slightly",
    "somewhat",
    "sort of",
    "sorta",
    "sortof",
    "sort-of",
];

const SPECIAL_CASES: &[(&str, f64)] = &[
    ("the shit", 3.0),
    ("the bomb", 3.0),
    ("bad ass", 1.5),
    ("badass", 1.5),
    ("bus stop", 0.0),
    ("yeah right", -2.0),
    ("kiss of death", -1.5),
    ("to die for", 3.0),
    ("beating heart", 3.5),
];

/// ASCII punctuation, as Python's `string.punctuation`.
const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

struct Lexicons {
    words: HashMap<String, f64>,
    /// Single-character emojis and their descriptions (the reference only ever matches one character).
    emojis: HashMap<char, String>,
}

static LEXICONS: LazyLock<Lexicons> = LazyLock::new(|| {
    let mut words = HashMap::new();
    for line in include_str!("vader_lexicon.txt").trim_end_matches('\n').split('\n') {
        if line.is_empty() {
            continue;
        }
        let mut fields = line.trim().split('\t');
        if let (Some(word), Some(measure)) = (fields.next(), fields.next()) {
            words.insert(word.to_string(), measure.parse().expect("the lexicon holds numbers"));
        }
    }
    let mut emojis = HashMap::new();
    for line in include_str!("emoji_utf8_lexicon.txt").trim_end_matches('\n').split('\n') {
        let mut fields = line.trim().split('\t');
        if let (Some(emoji), Some(description)) = (fields.next(), fields.next()) {
            let mut chars = emoji.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                emojis.insert(c, description.to_string());
            }
        }
    }
    Lexicons { words, emojis }
});

fn booster(word_lower: &str) -> Option<f64> {
    if BOOSTERS_UP.contains(&word_lower) {
        Some(B_INCR)
    } else if BOOSTERS_DOWN.contains(&word_lower) {
        Some(B_DECR)
    } else {
        None
    }
}

fn special_case(phrase: &str) -> Option<f64> {
    SPECIAL_CASES.iter().find(|(p, _)| *p == phrase).map(|(_, v)| *v)
}

/// Python's `str.isspace` for one character.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.isupper`: at least one cased character, and no lower-case one.
fn is_upper(word: &str) -> bool {
    let mut cased = false;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

fn lower(word: &str) -> String {
    word.to_lowercase()
}

fn negated(word_lower: &str) -> bool {
    NEGATE.contains(&word_lower) || word_lower.contains("n't")
}

fn normalize(score: f64) -> f64 {
    (score / (score * score + 15.0).sqrt()).clamp(-1.0, 1.0)
}

fn strip_punc_if_word(token: &str) -> &str {
    let stripped = token.trim_matches(|c| PUNCTUATION.contains(c));
    if stripped.chars().count() <= 2 { token } else { stripped }
}

fn scalar_inc_dec(word: &str, valence: f64, is_cap_diff: bool) -> f64 {
    let Some(mut scalar) = booster(&lower(word)) else { return 0.0 };
    if valence < 0.0 {
        scalar *= -1.0;
    }
    if is_upper(word) && is_cap_diff {
        if valence > 0.0 {
            scalar += C_INCR;
        } else {
            scalar -= C_INCR;
        }
    }
    scalar
}

/// Python's `round(x, 4)`, which the reference applies to its compound score, for values that are not
/// exact binary ties (compound scores, results of a square root, practically never are).
pub fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

/// The VADER compound score of `text`, in [−1, 1], unrounded (the reference rounds to 4 decimals).
pub fn compound(text: &str) -> f64 {
    let lex = &*LEXICONS;
    // emojis become their descriptions
    let mut expanded = String::with_capacity(text.len());
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(description) = lex.emojis.get(&c) {
            if !prev_space {
                expanded.push(' ');
            }
            expanded.push_str(description);
            prev_space = false;
        } else {
            expanded.push(c);
            prev_space = c == ' ';
        }
    }
    let text = expanded.trim_matches(is_space);
    let words: Vec<&str> = text.split(is_space).filter(|w| !w.is_empty()).map(strip_punc_if_word).collect();
    let lowered: Vec<String> = words.iter().map(|w| lower(w)).collect();
    let upper_count = words.iter().filter(|w| is_upper(w)).count();
    let is_cap_diff = upper_count > 0 && upper_count < words.len();

    let mut sentiments: Vec<f64> = Vec::with_capacity(words.len());
    for i in 0..words.len() {
        if booster(&lowered[i]).is_some() {
            sentiments.push(0.0);
            continue;
        }
        if i + 1 < words.len() && lowered[i] == "kind" && lowered[i + 1] == "of" {
            sentiments.push(0.0);
            continue;
        }
        sentiments.push(valence(lex, &words, &lowered, i, is_cap_diff));
    }
    but_check(&lowered, &mut sentiments);
    score(&sentiments, text)
}

fn valence(lex: &Lexicons, words: &[&str], lowered: &[String], i: usize, is_cap_diff: bool) -> f64 {
    let Some(&base) = lex.words.get(&lowered[i]) else { return 0.0 };
    let in_lexicon = |w: &str| lex.words.contains_key(w);
    let mut valence = base;
    if lowered[i] == "no" && i != words.len() - 1 && in_lexicon(&lowered[i + 1]) {
        valence = 0.0;
    }
    if (i > 0 && lowered[i - 1] == "no")
        || (i > 1 && lowered[i - 2] == "no")
        || (i > 2 && lowered[i - 3] == "no" && (lowered[i - 1] == "or" || lowered[i - 1] == "nor"))
    {
        valence = base * N_SCALAR;
    }
    if is_upper(words[i]) && is_cap_diff {
        if valence > 0.0 {
            valence += C_INCR;
        } else {
            valence -= C_INCR;
        }
    }
    for start_i in 0..3 {
        if i > start_i && !in_lexicon(&lowered[i - (start_i + 1)]) {
            let mut s = scalar_inc_dec(words[i - (start_i + 1)], valence, is_cap_diff);
            if start_i == 1 && s != 0.0 {
                s *= 0.95;
            }
            if start_i == 2 && s != 0.0 {
                s *= 0.9;
            }
            valence += s;
            valence = negation_check(valence, lowered, start_i, i);
            if start_i == 2 {
                valence = special_idioms_check(valence, lowered, i);
            }
        }
    }
    least_check(lex, valence, lowered, i)
}

fn least_check(lex: &Lexicons, valence: f64, lowered: &[String], i: usize) -> f64 {
    let prev_is_least = |i: usize| !lex.words.contains_key(&lowered[i - 1]) && lowered[i - 1] == "least";
    if i > 1 && prev_is_least(i) {
        if lowered[i - 2] != "at" && lowered[i - 2] != "very" {
            return valence * N_SCALAR;
        }
        valence
    } else if i > 0 && prev_is_least(i) {
        valence * N_SCALAR
    } else {
        valence
    }
}

fn negation_check(valence: f64, lowered: &[String], start_i: usize, i: usize) -> f64 {
    let w = |back: usize| lowered[i - back].as_str();
    match start_i {
        0 if negated(w(1)) => valence * N_SCALAR,
        1 => {
            if w(2) == "never" && (w(1) == "so" || w(1) == "this") {
                valence * 1.25
            } else if w(2) == "without" && w(1) == "doubt" {
                valence
            } else if negated(w(2)) {
                valence * N_SCALAR
            } else {
                valence
            }
        }
        2 => {
            // the reference's precedence: (never and (so or this)) or (so or this)
            if (w(3) == "never" && (w(2) == "so" || w(2) == "this")) || (w(1) == "so" || w(1) == "this") {
                valence * 1.25
            } else if w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt") {
                valence
            } else if negated(w(3)) {
                valence * N_SCALAR
            } else {
                valence
            }
        }
        _ => valence,
    }
}

fn special_idioms_check(mut valence: f64, lowered: &[String], i: usize) -> f64 {
    let w = |k: usize| lowered[k].as_str();
    let onezero = format!("{} {}", w(i - 1), w(i));
    let twoonezero = format!("{} {} {}", w(i - 2), w(i - 1), w(i));
    let twoone = format!("{} {}", w(i - 2), w(i - 1));
    let threetwoone = format!("{} {} {}", w(i - 3), w(i - 2), w(i - 1));
    let threetwo = format!("{} {}", w(i - 3), w(i - 2));
    for seq in [&onezero, &twoonezero, &twoone, &threetwoone, &threetwo] {
        if let Some(v) = special_case(seq) {
            valence = v;
            break;
        }
    }
    if lowered.len() - 1 > i
        && let Some(v) = special_case(&format!("{} {}", w(i), w(i + 1)))
    {
        valence = v;
    }
    if lowered.len() - 1 > i + 1
        && let Some(v) = special_case(&format!("{} {} {}", w(i), w(i + 1), w(i + 2)))
    {
        valence = v;
    }
    for n_gram in [&threetwoone, &threetwo, &twoone] {
        if let Some(b) = booster(n_gram) {
            valence += b;
        }
    }
    valence
}

/// The reference's contrastive "but": it walks the list and finds each value again with `list.index`,
/// so equal values are found at their first position. Reproduced exactly.
fn but_check(lowered: &[String], sentiments: &mut [f64]) {
    let Some(bi) = lowered.iter().position(|w| w == "but") else { return };
    for k in 0..sentiments.len() {
        let sentiment = sentiments[k];
        let si = sentiments.iter().position(|&s| s == sentiment).unwrap_or(k);
        if si < bi {
            sentiments[si] = sentiment * 0.5;
        } else if si > bi {
            sentiments[si] = sentiment * 1.5;
        }
    }
}

fn punctuation_emphasis(text: &str) -> f64 {
    let ep = text.matches('!').count().min(4) as f64 * 0.292;
    let qm = match text.matches('?').count() {
        0 | 1 => 0.0,
        n @ 2..=3 => n as f64 * 0.18,
        _ => 0.96,
    };
    ep + qm
}

fn score(sentiments: &[f64], text: &str) -> f64 {
    if sentiments.is_empty() {
        return 0.0;
    }
    let mut sum: f64 = 0.0;
    for s in sentiments {
        sum += s;
    }
    let emphasis = punctuation_emphasis(text);
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    normalize(sum)
}

#[cfg(test)]
mod tests {
    use super::{compound, round4};
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Reference {
        text: String,
        compound: f64,
    }

    /// Every sentence of the fixture scores exactly as vaderSentiment 3.3.2 scored it (rounded to 4
    /// decimals, as the reference reports). The fixture and the script that made it are in
    /// `app/tests/fixtures/`.
    #[test]
    fn scores_match_the_reference_implementation() {
        let fixture: Vec<Reference> =
            serde_json::from_str(include_str!("../../tests/fixtures/vader_reference.json")).unwrap();
        assert!(fixture.len() >= 300, "a few hundred sentences");
        let mismatches: Vec<String> = fixture
            .iter()
            .filter(|r| round4(compound(&r.text)) != r.compound)
            .map(|r| format!("{:?}: reference {} here {}", r.text, r.compound, compound(&r.text)))
            .collect();
        assert!(mismatches.is_empty(), "{} of {} differ:\n{}", mismatches.len(), fixture.len(), mismatches.join("\n"));
    }

    #[test]
    fn the_classic_examples_point_the_right_way() {
        assert!(compound("VADER is smart, handsome, and funny.") > 0.5);
        assert!(compound("VADER is not smart, handsome, nor funny.") < 0.0);
        assert_eq!(compound(""), 0.0);
        assert_eq!(compound("   "), 0.0);
    }
}
