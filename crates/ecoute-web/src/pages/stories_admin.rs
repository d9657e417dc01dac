//! `/admin/stories`: the communication team (and administrators) edit the campaign page's
//! stories, in French and English at once; the page shows an edit as soon as it is saved.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use ecoute_app::stories::StoryFields;
use ecoute_app::AppError;
use ecoute_domain::{Story, StoryError, StoryPart, StoryText};
use serde::Deserialize;

use super::{page_layout, render_status, LangQuery, Layout};
use crate::auth::{Allowed, StaffSession, Stories};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::{Lang, Texts};
use crate::state::AppState;

/// The page's path.
pub const PATH: &str = "/admin/stories";

/// One story's form: its key, and each language's text (as saved, or as typed when refused).
struct StoryForm {
    key: String,
    /// The title in the page's language.
    title: String,
    /// French, then English.
    langs: [LangForm; 2],
    /// Why this story's last edit was refused.
    error: Option<String>,
}

/// One language's fields of a story's form.
struct LangForm {
    /// `fr` or `en`: the fields' names and ids start with it.
    code: &'static str,
    /// The i18n key of the fieldset's legend.
    legend: &'static str,
    text: StoryText,
}

impl StoryForm {
    fn new(key: String, fr: StoryText, en: StoryText, lang: Lang) -> StoryForm {
        StoryForm {
            key,
            title: match lang {
                Lang::Fr => fr.name.clone(),
                Lang::En => en.name.clone(),
            },
            langs: [
                LangForm {
                    code: Lang::Fr.code(),
                    legend: legend_key(Lang::Fr),
                    text: fr,
                },
                LangForm {
                    code: Lang::En.code(),
                    legend: legend_key(Lang::En),
                    text: en,
                },
            ],
            error: None,
        }
    }
}

#[derive(Template)]
#[template(path = "stories_admin.html")]
struct StoriesAdminPage {
    layout: Layout,
    notice: Option<String>,
    stories: Vec<StoryForm>,
    /// The most characters of each part, for the fields' `maxlength`.
    max_name: usize,
    max_facade: usize,
    max_hidden: usize,
}
page_layout!(StoriesAdminPage);

/// One story's edit, both languages.
#[derive(Deserialize)]
pub struct StoryEdit {
    csrf: String,
    fr_name: String,
    fr_facade: String,
    fr_hidden: String,
    en_name: String,
    en_facade: String,
    en_hidden: String,
}

/// The i18n key of a language's fieldset legend.
fn legend_key(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "story_in_french",
        Lang::En => "story_in_english",
    }
}

/// The i18n key of why an edit is refused.
fn story_error_key(e: StoryError) -> &'static str {
    match e {
        StoryError::Unknown => "story_error_unknown",
        StoryError::Empty(_) => "story_error_empty",
        StoryError::TooLong(StoryPart::Name) => "story_error_long_name",
        StoryError::TooLong(StoryPart::Facade) => "story_error_long_facade",
        StoryError::TooLong(StoryPart::Hidden) => "story_error_long_hidden",
    }
}

async fn page(
    state: &AppState,
    q: &LangQuery,
    session: &StaffSession,
    status: StatusCode,
    notice: Option<String>,
    refused: Option<StoryForm>,
) -> Result<Response, WebError> {
    let lang = q.lang();
    let mut stories: Vec<StoryForm> = state
        .app
        .stories()
        .await?
        .into_iter()
        .map(|s: Story| StoryForm::new(s.key, s.fr, s.en, lang))
        .collect();
    if let Some(refused) = refused {
        if let Some(slot) = stories.iter_mut().find(|s| s.key == refused.key) {
            *slot = refused;
        }
    }
    render_status(
        status,
        &StoriesAdminPage {
            layout: Layout::staff(state, q.page(), PATH, session),
            notice,
            stories,
            max_name: StoryPart::Name.max_chars(),
            max_facade: StoryPart::Facade.max_chars(),
            max_hidden: StoryPart::Hidden.max_chars(),
        },
    )
}

/// `GET /admin/stories`.
pub async fn stories_page(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Stories>,
) -> Result<Response, WebError> {
    page(&state, &q, &session, StatusCode::OK, None, None).await
}

/// `POST /admin/stories/{key}`: saves one story, both languages.
pub async fn save_story(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Stories>,
    Path(key): Path<String>,
    Form(edit): Form<StoryEdit>,
) -> Result<Response, WebError> {
    session.check_csrf(&edit.csrf)?;
    let fields = |name, facade, hidden| StoryFields {
        name,
        facade,
        hidden,
    };
    let saved = state
        .app
        .edit_story(
            &key,
            fields(&edit.fr_name, &edit.fr_facade, &edit.fr_hidden),
            fields(&edit.en_name, &edit.en_facade, &edit.en_hidden),
        )
        .await;
    let t = Texts::new(q.lang());
    match saved {
        Ok(story) => {
            state.story_pages.refresh(&state).await?;
            let name = match q.lang() {
                Lang::Fr => &story.fr.name,
                Lang::En => &story.en.name,
            };
            let notice = t.with("story_saved", "name", name);
            page(&state, &q, &session, StatusCode::OK, Some(notice), None).await
        }
        Err(AppError::InvalidStory(StoryError::Unknown)) => Err(WebError::NotFound),
        Err(AppError::InvalidStory(e)) => {
            // What was typed stays in the form, with why it was refused.
            let typed = |name: &str, facade: &str, hidden: &str| StoryText {
                name: name.to_owned(),
                facade: facade.to_owned(),
                hidden: hidden.to_owned(),
            };
            let refused = StoryForm {
                error: Some(t.get(story_error_key(e)).to_owned()),
                ..StoryForm::new(
                    key,
                    typed(&edit.fr_name, &edit.fr_facade, &edit.fr_hidden),
                    typed(&edit.en_name, &edit.en_facade, &edit.en_hidden),
                    q.lang(),
                )
            };
            page(
                &state,
                &q,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(refused),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
