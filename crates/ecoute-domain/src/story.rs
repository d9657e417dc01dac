//! The stories of the campaign page: a person's happy facade, then the distress it hides.
//!
//! The idea is SOS Amitié's 2017 campaign, "Tout le bonheur du monde… en apparence": three
//! people whose lives look full, and what nobody around them sees. Each story first shows
//! its facade; at the reader's gesture it reveals what is hidden, and the page says that one
//! can talk to someone. A fresh install ships the three stories below, in French and
//! English, with illustrations of its own; the texts are what a reader sees, so they avoid
//! any detail of harm and end on a way out, as suicide-prevention guidelines for the media
//! ask.

/// What a story says in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryText {
    /// The person's name and age, the story's title ("Hanna, 26").
    pub name: String,
    /// What everyone sees.
    pub facade: String,
    /// What it hides, shown once revealed.
    pub hidden: String,
}

/// One story of the campaign page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// Stable key, lowercase ASCII: names the story's illustration and its place in the page
    /// (`hanna`).
    pub key: String,
    /// The story in French.
    pub fr: StoryText,
    /// The story in English.
    pub en: StoryText,
}

/// A part of a story, for what the rules say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryPart {
    /// [`StoryText::name`].
    Name,
    /// [`StoryText::facade`].
    Facade,
    /// [`StoryText::hidden`].
    Hidden,
}

impl StoryPart {
    /// Most characters this part may have: a title, a caption, a short paragraph — what a
    /// phone shows without scrolling.
    pub fn max_chars(self) -> usize {
        match self {
            StoryPart::Name => 60,
            StoryPart::Facade => 300,
            StoryPart::Hidden => 600,
        }
    }
}

/// Why an edited story is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StoryError {
    /// No shipped story has this key (stories are edited, not added).
    #[error("there is no such story")]
    Unknown,
    /// A part is empty once trimmed.
    #[error("every part of the story must be written")]
    Empty(StoryPart),
    /// A part is longer than [`StoryPart::max_chars`].
    #[error("a part of the story is too long")]
    TooLong(StoryPart),
}

impl StoryText {
    /// A story's text as staff typed it: each part trimmed and its runs of white space (line
    /// breaks included) made one space, as the page shows one paragraph per part.
    pub fn new(name: &str, facade: &str, hidden: &str) -> Result<StoryText, StoryError> {
        let part = |value: &str, part: StoryPart| {
            let clean = value
                .split(|c: char| c.is_whitespace() || c.is_control())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if clean.is_empty() {
                Err(StoryError::Empty(part))
            } else if clean.chars().count() > part.max_chars() {
                Err(StoryError::TooLong(part))
            } else {
                Ok(clean)
            }
        };
        Ok(StoryText {
            name: part(name, StoryPart::Name)?,
            facade: part(facade, StoryPart::Facade)?,
            hidden: part(hidden, StoryPart::Hidden)?,
        })
    }
}

/// The stories the page shows: the shipped ones, in their order, each replaced by its saved
/// edit when there is one (a saved story whose key is not shipped is ignored).
pub fn current_stories(saved: &[Story]) -> Vec<Story> {
    shipped_stories()
        .into_iter()
        .map(|shipped| {
            saved
                .iter()
                .find(|s| s.key == shipped.key)
                .cloned()
                .unwrap_or(shipped)
        })
        .collect()
}

fn text(name: &str, facade: &str, hidden: &str) -> StoryText {
    StoryText {
        name: name.into(),
        facade: facade.into(),
        hidden: hidden.into(),
    }
}

/// The three stories a fresh install ships: Hanna, Antoine and Henri.
pub fn shipped_stories() -> Vec<Story> {
    vec![
        Story {
            key: "hanna".into(),
            fr: text(
                "Hanna, 26 ans",
                "La première au club, chaque matin à six heures. Sur toutes les photos de \
                 l'équipe, c'est elle qui rit le plus fort.",
                "Depuis sa rupture, elle ne dort presque plus. Elle court pour ne plus penser. \
                 Le soir, seule, elle se demande à quoi bon. Personne ne le voit : elle n'en \
                 parle à personne.",
            ),
            en: text(
                "Hanna, 26",
                "First at the club every morning at six. In every team photo, she is the one \
                 laughing loudest.",
                "Since her break-up she hardly sleeps. She runs so as not to think. At night, \
                 alone, she wonders what the point is. Nobody sees it: she tells no one.",
            ),
        },
        Story {
            key: "antoine".into(),
            fr: text(
                "Antoine, 41 ans",
                "Une promotion cette année, deux enfants qui l'adorent, des dîners entre amis \
                 le samedi soir.",
                "Au travail, la pression ne le lâche plus. Il se sent un imposteur, épuisé, et \
                 n'ose pas le dire à sa femme. Il a l'impression de porter tout cela seul.",
            ),
            en: text(
                "Antoine, 41",
                "A promotion this year, two children who adore him, dinners with friends on \
                 Saturday nights.",
                "At work the pressure never lets up. He feels like a fraud, worn out, and does \
                 not dare tell his wife. He feels he carries it all alone.",
            ),
        },
        Story {
            key: "henri".into(),
            fr: text(
                "Henri, 72 ans",
                "Le grand-père qui fait rire toute la famille aux déjeuners du dimanche.",
                "Depuis la mort de sa femme, les semaines sont longues et silencieuses. Il ne \
                 veut pas inquiéter ses enfants. Certains soirs, il n'a parlé à personne de la \
                 journée.",
            ),
            en: text(
                "Henri, 72",
                "The grandfather who makes the whole family laugh at Sunday lunch.",
                "Since his wife died, the weeks are long and silent. He does not want to worry \
                 his children. Some evenings he has not spoken to anyone all day.",
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edited_text_is_one_clean_paragraph_within_bounds() {
        let t = StoryText::new(
            "  Hanna,\t26 ",
            "Première\r\n au club.",
            "Elle\u{0} se tait.",
        )
        .expect("valid");
        assert_eq!(t.name, "Hanna, 26");
        assert_eq!(t.facade, "Première au club.");
        assert_eq!(t.hidden, "Elle se tait.");
        assert_eq!(
            StoryText::new(" \n ", "x", "y"),
            Err(StoryError::Empty(StoryPart::Name))
        );
        let long = "é".repeat(StoryPart::Hidden.max_chars() + 1);
        assert_eq!(
            StoryText::new("a", "b", &long),
            Err(StoryError::TooLong(StoryPart::Hidden))
        );
        let exact = "é".repeat(StoryPart::Hidden.max_chars());
        assert!(StoryText::new("a", "b", &exact).is_ok());
    }

    #[test]
    fn the_page_shows_the_shipped_stories_as_last_saved() {
        let mut hanna = shipped_stories().remove(0);
        hanna.fr.name = "Hanna, 27 ans".into();
        let stranger = Story {
            key: "zoe".into(),
            ..hanna.clone()
        };
        let current = current_stories(&[stranger, hanna.clone()]);
        assert_eq!(current.len(), 3);
        assert_eq!(current[0], hanna);
        assert_eq!(current[1..], shipped_stories()[1..]);
    }

    #[test]
    fn three_stories_in_both_languages() {
        let stories = shipped_stories();
        let keys: Vec<&str> = stories.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["hanna", "antoine", "henri"]);
        for story in &stories {
            assert!(story.key.bytes().all(|b| b.is_ascii_lowercase()));
            for t in [&story.fr, &story.en] {
                assert!(!t.name.is_empty() && !t.facade.is_empty() && !t.hidden.is_empty());
                // One paragraph each: the page shows them as they are.
                assert!(!t.hidden.contains('\n') && !t.facade.contains('\n'));
            }
            assert_ne!(story.fr, story.en);
        }
    }
}
