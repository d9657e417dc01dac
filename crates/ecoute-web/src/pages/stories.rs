//! The campaign page: three stories whose happy facade, at the reader's gesture, reveals the
//! distress it hides, then the door to talk now.
//!
//! The page is the same bytes for everyone who reads it in one language: a campaign's code
//! (`?c=`) is counted here and handed on by the page's script, not written into the page. So
//! each variant is rendered and compressed once, then served from memory — the first hour
//! of a national campaign is a burst of exactly this page.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ecoute_domain::{CampaignEvent, Story};
use std::sync::{Arc, OnceLock, RwLock};

use super::{page_layout, LangQuery, Layout};
use crate::compressed::Compressed;
use crate::error::WebError;
use crate::i18n::{Lang, PageLang};
use crate::state::AppState;

/// The page's path.
pub const PATH: &str = "/stories";

/// One story as the page shows it, in the page's language.
struct StoryView {
    key: String,
    name: String,
    facade: String,
    hidden: String,
    /// Inline SVG, the shipped illustrations (none for a story without one).
    facade_svg: &'static str,
    hidden_svg: &'static str,
}

#[derive(Template)]
#[template(path = "stories.html")]
struct StoriesPage {
    layout: Layout,
    quick_exit_url: String,
    stories: Vec<StoryView>,
}
page_layout!(StoriesPage);

/// The illustrations a fresh install ships, by story key: (facade, hidden).
fn illustration(key: &str) -> (&'static str, &'static str) {
    match key {
        "hanna" => (
            include_str!("../../static/stories/hanna-facade.svg"),
            include_str!("../../static/stories/hanna-hidden.svg"),
        ),
        "antoine" => (
            include_str!("../../static/stories/antoine-facade.svg"),
            include_str!("../../static/stories/antoine-hidden.svg"),
        ),
        "henri" => (
            include_str!("../../static/stories/henri-facade.svg"),
            include_str!("../../static/stories/henri-hidden.svg"),
        ),
        _ => ("", ""),
    }
}

fn view(story: &Story, lang: Lang) -> StoryView {
    let text = match lang {
        Lang::Fr => &story.fr,
        Lang::En => &story.en,
    };
    let (facade_svg, hidden_svg) = illustration(&story.key);
    StoryView {
        key: story.key.clone(),
        name: text.name.clone(),
        facade: text.facade.clone(),
        hidden: text.hidden.clone(),
        facade_svg,
        hidden_svg,
    }
}

/// The campaign page as it is now: the stories, and the page rendered once per way of asking
/// for a language (language, named by `?lang=`, unknown language asked).
struct Rendered {
    stories: Vec<Story>,
    pages: [OnceLock<Compressed>; 8],
}

/// The campaign page, kept in memory until its stories change: an edit here replaces it at
/// once ([`StoryPages::refresh`]); an edit on another instance sharing the database, within
/// [`crate::live::STORIES_REFRESH`].
#[derive(Default)]
pub struct StoryPages(RwLock<Option<Arc<Rendered>>>);

impl StoryPages {
    fn current(&self) -> Option<Arc<Rendered>> {
        // A panic elsewhere cannot leave an Option half-written.
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Reads the stories again; if they changed, the page is rendered anew at its next
    /// request.
    pub async fn refresh(&self, state: &AppState) -> Result<(), WebError> {
        let stories = state.app.stories().await?;
        let mut current = self.0.write().unwrap_or_else(|e| e.into_inner());
        if current.as_ref().is_none_or(|r| r.stories != stories) {
            *current = Some(Arc::new(Rendered {
                stories,
                pages: Default::default(),
            }));
        }
        Ok(())
    }

    async fn get(&self, state: &AppState, lang: PageLang) -> Result<Compressed, WebError> {
        let rendered = match self.current() {
            Some(r) => r,
            None => {
                self.refresh(state).await?;
                self.current()
                    .ok_or(WebError::Internal(anyhow::anyhow!("no stories")))?
            }
        };
        let slot = &rendered.pages[usize::from(lang.lang == Lang::En)
            | usize::from(lang.explicit) << 1
            | usize::from(lang.unknown_asked) << 2];
        if let Some(page) = slot.get() {
            return Ok(page.clone());
        }
        let html = StoriesPage {
            layout: Layout::public(state, lang, PATH),
            quick_exit_url: state.config.site.quick_exit_url.clone(),
            stories: rendered
                .stories
                .iter()
                .map(|s| view(s, lang.lang))
                .collect(),
        }
        .render()?;
        // Two requests may render at once the first time: either copy is the same.
        Ok(slot
            .get_or_init(|| Compressed::new("text/html; charset=utf-8", html))
            .clone())
    }
}

/// `GET /stories` (`?c=CODE`: by a campaign's link; the view is counted under it,
/// anonymously).
pub async fn stories_page(
    State(state): State<AppState>,
    q: LangQuery,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    crate::attribution::count_by_link(&state.app, query.as_deref(), CampaignEvent::PageView);
    let page = state.story_pages.get(&state, q.page()).await?;
    Ok(page.serve(&headers, &[]))
}
