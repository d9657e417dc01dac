//! The anonymous statistics sheet, filled in by the listener after a contact.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_domain::{
    AgeBand, Channel, Contact, ContactId, ContactKind, Gender, RiskLevel, StatsSheet,
    StatsSheetError, StatsSheetInput,
};
use serde::Deserialize;

use super::{page_layout, render_status, LangQuery, Layout};
use crate::auth::{Allowed, Listening, StaffSession};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::{Arg, Lang, PageLang, Texts};
use crate::state::AppState;

/// One checkbox or radio button.
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

/// A group of radio buttons.
struct ChoiceField {
    name: &'static str,
    options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "sheet.html")]
struct SheetPage {
    layout: Layout,
    contact_id: String,
    label: String,
    error: Option<String>,
    duration_minutes: i64,
    themes: Vec<Choice>,
    choice_fields: Vec<ChoiceField>,
    debrief_wanted: bool,
    /// The sheet of a written reply, just sent.
    written: bool,
}
page_layout!(SheetPage);

/// The table key of a closed choice's label: `choice_` and its code.
fn choice_key(value: &str) -> String {
    format!("choice_{value}")
}

fn field(lang: Lang, name: &'static str, values: &[&'static str], selected: &str) -> ChoiceField {
    ChoiceField {
        name,
        options: values
            .iter()
            .map(|v| Choice {
                value: (*v).to_owned(),
                label: Texts::new(lang).get(&choice_key(v)).to_owned(),
                checked: *v == selected,
            })
            .collect(),
    }
}

fn names<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

fn sheet_form(
    state: &AppState,
    page_lang: PageLang,
    session: &StaffSession,
    contact: &Contact,
    input: &StatsSheetInput,
    error: Option<String>,
) -> SheetPage {
    let path = format!("/listener/sheet/{}", contact.id);
    let lang = page_lang.lang;
    let layout = Layout::staff(state, page_lang, &path, session);
    let themes = state
        .themes
        .iter()
        .map(|t| Choice {
            value: t.code.clone(),
            label: match lang {
                Lang::Fr => t.fr.clone(),
                Lang::En => t.en.clone(),
            },
            checked: input.themes.contains(&t.code),
        })
        .collect();
    SheetPage {
        layout,
        contact_id: contact.id.to_string(),
        label: contact.id.person_label(),
        error,
        duration_minutes: input.duration_minutes,
        themes,
        choice_fields: vec![
            field(
                lang,
                "age_band",
                &names(AgeBand::ALL, AgeBand::as_str),
                &input.age_band,
            ),
            field(
                lang,
                "gender",
                &names(Gender::ALL, Gender::as_str),
                &input.gender,
            ),
            field(
                lang,
                "contact_kind",
                &names(ContactKind::ALL, ContactKind::as_str),
                &input.contact_kind,
            ),
            field(
                lang,
                "risk",
                &names(RiskLevel::ALL, RiskLevel::as_str),
                &input.risk,
            ),
        ],
        debrief_wanted: input.debrief_wanted,
        written: contact.channel == Channel::Message,
    }
}

/// The contact if `session`'s listener may fill its sheet now.
async fn own_ended_contact(
    state: &AppState,
    session: &StaffSession,
    contact_id: &str,
) -> Result<Contact, WebError> {
    let id: ContactId = contact_id.parse().map_err(|_| WebError::NotFound)?;
    // Not theirs is 404, ongoing or already filled a refusal (see `From<AppError>`).
    Ok(state.app.sheet_contact(id, session.user.id).await?)
}

/// `GET /listener/sheet/{contact_id}`.
pub async fn sheet_page(
    State(state): State<AppState>,
    q: LangQuery,
    Path(contact_id): Path<String>,
    Allowed { session, .. }: Allowed<Listening>,
) -> Result<Response, WebError> {
    let contact = own_ended_contact(&state, &session, &contact_id).await?;
    let minutes = (contact.talk_seconds(state.clock.now()).unwrap_or(0) + 59) / 60;
    // Nothing is chosen in advance: each estimate and the risk are the listener's own
    // choice ("unknown" and "not assessed" included), so that no sheet can be saved without
    // an assessment.
    let input = StatsSheetInput {
        duration_minutes: minutes,
        ..Default::default()
    };
    let page = sheet_form(&state, q.page(), &session, &contact, &input, None);
    render_status(StatusCode::OK, &page)
}

/// The sheet form as posted. Every field may be missing: a missing answer is refused by
/// the sheet's own rules, with the form again and the field named (a missing token by the
/// CSRF check).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SheetForm {
    csrf: String,
    duration_minutes: String,
    themes: Vec<String>,
    age_band: String,
    gender: String,
    contact_kind: String,
    risk: String,
    debrief_wanted: Option<String>,
}

/// What the sheet page says about a refused sheet, in its language.
fn sheet_error_text(lang: Lang, e: &StatsSheetError) -> String {
    let t = Texts::new(lang);
    match e {
        StatsSheetError::Duration => t.get("sheet_error_duration").to_owned(),
        StatsSheetError::NoTheme => t.get("sheet_error_no_theme").to_owned(),
        StatsSheetError::UnknownTheme(code) => {
            t.format("sheet_error_unknown_theme", &[("theme", Arg::Text(code))])
        }
        // The field's name is its label's key.
        StatsSheetError::Choice(field) => {
            t.format("sheet_error_choice", &[("field", Arg::Text(t.get(field)))])
        }
    }
}

/// `POST /listener/sheet/{contact_id}`.
pub async fn save_sheet(
    State(state): State<AppState>,
    q: LangQuery,
    Path(contact_id): Path<String>,
    Allowed { session, .. }: Allowed<Listening>,
    Form(form): Form<SheetForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let contact = own_ended_contact(&state, &session, &contact_id).await?;
    let input = StatsSheetInput {
        duration_minutes: form.duration_minutes.trim().parse().unwrap_or(-1),
        themes: form.themes.into_iter().take(64).collect(),
        age_band: form.age_band,
        gender: form.gender,
        contact_kind: form.contact_kind,
        risk: form.risk,
        debrief_wanted: form.debrief_wanted.is_some(),
    };
    let sheet = match StatsSheet::validate(contact.id, &input, &state.themes) {
        Ok(s) => s,
        Err(e) => {
            let page = sheet_form(
                &state,
                q.page(),
                &session,
                &contact,
                &input,
                Some(sheet_error_text(q.lang(), &e)),
            );
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    // A sheet saved meanwhile (another tab) is refused as already filled.
    state.app.file_sheet(&sheet, session.user.id).await?;
    // The workspace then says it was saved, and after a hard conversation offers a pause.
    let saved = if sheet.calls_for_care() {
        "sheet-care"
    } else {
        "sheet"
    };
    let lang = q.query().replacen('?', "&", 1);
    // A written reply's sheet goes back to the inbox, unless the workspace offers a pause.
    let back = if contact.channel == Channel::Message && saved == "sheet" {
        "/listener/inbox"
    } else {
        "/listener"
    };
    Ok(Redirect::to(&format!("{back}?saved={saved}{lang}")).into_response())
}
