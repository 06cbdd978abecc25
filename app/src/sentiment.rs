//! The mood of a customer's messages (SPEC §3): a VADER compound score and its label.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod vader;

/// The score of one inbound message: VADER's compound score as the reference reports it (4 decimals),
/// or none when a language detector is confident the text is not English (short or ambiguous text
/// counts as English: a wrong score is worse than none, but no score for English mail is worse still).
#[cfg(feature = "ssr")]
pub fn score_message(text: &str) -> Option<f64> {
    if let Some(info) = whatlang::detect(text)
        && info.is_reliable()
        && info.lang() != whatlang::Lang::Eng
    {
        return None;
    }
    Some(vader::round4(vader::compound(text)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    Positive,
    Neutral,
    Negative,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sentiment {
    pub label: SentimentLabel,
    pub score: f64,
}

/// A score from this up is positive, from its negative down negative, neutral between (SPEC §3).
pub const LABEL_THRESHOLD: f64 = 0.05;

impl Sentiment {
    /// Positive from 0.05, negative to −0.05, neutral between (SPEC §3).
    pub fn from_score(score: f64) -> Self {
        let label = if score >= LABEL_THRESHOLD {
            SentimentLabel::Positive
        } else if score <= -LABEL_THRESHOLD {
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

    #[cfg(feature = "ssr")]
    #[test]
    fn only_confidently_foreign_text_goes_unscored() {
        assert!(
            score_message("Hallo, leider ist mein Paket immer noch nicht angekommen. Können Sie bitte nachsehen?")
                .is_none()
        );
        assert!(
            score_message("Bonjour, je n'ai toujours pas reçu ma commande, pouvez-vous vérifier le suivi ?").is_none()
        );
        assert!(score_message("Thank you so much, the parcel arrived early and everything is perfect!").unwrap() > 0.5);
        assert!(score_message("ok").is_some(), "short text counts as English");
        assert!(score_message("Merci!").is_some(), "too short to be sure");
        assert!(score_message("This is terrible service, nobody answers my emails!").unwrap() < -0.05);
    }

    #[test]
    fn labels_change_exactly_at_the_thresholds() {
        assert_eq!(Sentiment::from_score(0.05).label, SentimentLabel::Positive);
        assert_eq!(Sentiment::from_score(0.0499).label, SentimentLabel::Neutral);
        assert_eq!(Sentiment::from_score(-0.0499).label, SentimentLabel::Neutral);
        assert_eq!(Sentiment::from_score(-0.05).label, SentimentLabel::Negative);
    }
}
