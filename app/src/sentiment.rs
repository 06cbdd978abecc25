//! The mood of a customer's messages (SPEC §3): a VADER compound score and its label.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    Positive,
    Neutral,
    Negative,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub label: SentimentLabel,
    pub score: f64,
}

impl Sentiment {
    /// Positive from 0.05, negative to −0.05, neutral between (SPEC §3).
    pub fn from_score(score: f64) -> Self {
        let label = if score >= 0.05 {
            SentimentLabel::Positive
        } else if score <= -0.05 {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        };
        Sentiment { label, score }
    }

    /// A smiley and the word for it: the word is what screen readers say and what colour-blind eyes read.
    pub fn face(&self) -> (&'static str, &'static str) {
        match self.label {
            SentimentLabel::Positive => ("🙂", "Positive"),
            SentimentLabel::Neutral => ("😐", "Neutral"),
            SentimentLabel::Negative => ("🙁", "Negative"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_change_exactly_at_the_thresholds() {
        assert_eq!(Sentiment::from_score(0.05).label, SentimentLabel::Positive);
        assert_eq!(Sentiment::from_score(0.0499).label, SentimentLabel::Neutral);
        assert_eq!(Sentiment::from_score(-0.0499).label, SentimentLabel::Neutral);
        assert_eq!(Sentiment::from_score(-0.05).label, SentimentLabel::Negative);
    }
}
