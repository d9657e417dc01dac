//! The campaign page's stories: reading them as the page shows them, and staff's edits.

use crate::{App, AppError, AppResult};
use ecoute_domain::{current_stories, shipped_stories, Story, StoryError, StoryText};

/// One language of an edit, as typed.
#[derive(Debug, Clone, Copy)]
pub struct StoryFields<'a> {
    /// The title ("Hanna, 26").
    pub name: &'a str,
    /// What everyone sees.
    pub facade: &'a str,
    /// What it hides.
    pub hidden: &'a str,
}

impl App {
    /// The stories the campaign page shows: the shipped ones, each as staff last saved it.
    pub async fn stories(&self) -> AppResult<Vec<Story>> {
        Ok(current_stories(&self.store.saved_stories().await?))
    }

    /// Saves staff's edit of the shipped story `key`, both languages at once. Each part is
    /// made one clean paragraph; [`AppError::InvalidStory`] names what breaks the rules
    /// (nothing is saved then).
    pub async fn edit_story(
        &self,
        key: &str,
        fr: StoryFields<'_>,
        en: StoryFields<'_>,
    ) -> AppResult<Story> {
        if !shipped_stories().iter().any(|s| s.key == key) {
            return Err(AppError::InvalidStory(StoryError::Unknown));
        }
        let text = |f: StoryFields<'_>| StoryText::new(f.name, f.facade, f.hidden);
        let story = Story {
            key: key.to_owned(),
            fr: text(fr)?,
            en: text(en)?,
        };
        self.store.save_story(&story, self.now()).await?;
        tracing::info!(story = key, "story edited");
        Ok(story)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::app;

    #[tokio::test]
    async fn an_edit_shows_and_a_bad_one_saves_nothing() {
        let (app, _clock) = app().await;
        assert_eq!(app.stories().await.expect("stories"), shipped_stories());
        let fields = |name| StoryFields {
            name,
            facade: "Toujours là pour les autres.",
            hidden: "Personne ne lui demande comment elle va.",
        };
        let saved = app
            .edit_story("hanna", fields("Hanna,\n27 ans"), fields("Hanna, 27"))
            .await
            .expect("edit");
        assert_eq!(saved.fr.name, "Hanna, 27 ans");
        let stories = app.stories().await.expect("stories");
        assert_eq!(stories[0], saved);
        assert_eq!(stories[1..], shipped_stories()[1..]);

        assert!(matches!(
            app.edit_story("zoe", fields("Zoé"), fields("Zoé")).await,
            Err(AppError::InvalidStory(StoryError::Unknown))
        ));
        assert!(matches!(
            app.edit_story("antoine", fields(" "), fields("Antoine"))
                .await,
            Err(AppError::InvalidStory(StoryError::Empty(_)))
        ));
        assert_eq!(
            app.stories().await.expect("stories")[1],
            shipped_stories()[1]
        );
    }
}
