//! `/admin/volunteers`: coordinators (and administrators) follow the applications through
//! the association's pipeline — counts per stage, conversion per campaign, each candidate's
//! file with its moves, notes, training hours and the audit of who read it. Every page that
//! shows a candidate's personal data records the read.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ecoute_app::AppError;
use ecoute_domain::{ApplicationId, EventKind, PipelineCounts, Stage, StageError};
use ecoute_store::ReadAction;
use serde::Deserialize;

use super::written::shown_time;
use super::{page_layout, render_status, LangQuery, Layout};
use crate::auth::{Allowed, StaffSession, Volunteers};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::Texts;
use crate::state::AppState;

/// The pipeline's path.
pub const PATH: &str = "/admin/volunteers";

/// The i18n key of a stage's name.
pub fn stage_key(stage: Stage) -> &'static str {
    match stage {
        Stage::Received => "stage_received",
        Stage::FirstInterview => "stage_first_interview",
        Stage::PsychologistInterview => "stage_psychologist_interview",
        Stage::CommitteeDecision => "stage_committee_decision",
        Stage::Training => "stage_training",
        Stage::SupervisedListening => "stage_supervised_listening",
        Stage::Probation => "stage_probation",
        Stage::Active => "stage_active",
        Stage::Left => "stage_left",
    }
}

struct StageCount {
    name: String,
    count: u64,
}

struct ConversionRow {
    campaign: String,
    received: u64,
    trained: u64,
    active: u64,
}

struct Row {
    id: String,
    name: String,
    city: String,
    stage: String,
    since: String,
    campaign: String,
}

#[derive(Template)]
#[template(path = "volunteers.html")]
struct PipelinePage {
    layout: Layout,
    stages: Vec<StageCount>,
    conversion: Vec<ConversionRow>,
    rows: Vec<Row>,
    erased: usize,
}
page_layout!(PipelinePage);

/// `GET /admin/volunteers`.
pub async fn pipeline_page(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Volunteers>,
) -> Result<Response, WebError> {
    let layout = Layout::staff(&state, q.page(), PATH, &session);
    let t = &layout.t;
    let all = state.app.pipeline(session.user.id).await?;
    let counts = PipelineCounts::of(&all);
    let none = t.get("volunteers_no_campaign").to_owned();
    let page = PipelinePage {
        stages: counts
            .per_stage
            .iter()
            .map(|(stage, count)| StageCount {
                name: t.get(stage_key(*stage)).to_owned(),
                count: *count,
            })
            .collect(),
        conversion: counts
            .conversion
            .iter()
            .map(|c| ConversionRow {
                campaign: c
                    .campaign
                    .as_ref()
                    .map_or_else(|| none.clone(), |c| c.as_str().to_owned()),
                received: c.received,
                trained: c.trained,
                active: c.active,
            })
            .collect(),
        rows: all
            .iter()
            .filter_map(|a| {
                let c = a.candidate.as_ref()?;
                Some(Row {
                    id: a.id.to_string(),
                    name: c.name.clone(),
                    city: c.city.clone(),
                    stage: t.get(stage_key(a.stage)).to_owned(),
                    since: shown_time(a.stage_since),
                    campaign: a
                        .campaign
                        .as_ref()
                        .map_or_else(String::new, |c| c.as_str().to_owned()),
                })
            })
            .collect(),
        erased: all.iter().filter(|a| a.candidate.is_none()).count(),
        layout,
    };
    render_status(StatusCode::OK, &page)
}

struct EventRow {
    when: String,
    by: String,
    what: String,
    note: Option<String>,
}

struct ReadRow {
    when: String,
    by: String,
    what: String,
}

struct StageChoice {
    value: &'static str,
    name: String,
}

#[derive(Template)]
#[template(path = "volunteer_file.html")]
struct FilePage {
    layout: Layout,
    id: String,
    name: Option<String>,
    email: String,
    phone: String,
    city: String,
    availability: String,
    motivation: String,
    campaign: String,
    received: String,
    stage: String,
    hours: String,
    in_training: bool,
    /// On probation: the next step creates the account.
    may_activate: bool,
    /// Active with an account: a new link may be given.
    may_relink: bool,
    /// A one-time link just made, shown once.
    link: Option<String>,
    moves: Vec<StageChoice>,
    events: Vec<EventRow>,
    reads: Vec<ReadRow>,
    notice: Option<String>,
    error: Option<String>,
}
page_layout!(FilePage);

fn application_id(raw: &str) -> Result<ApplicationId, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// Minutes as hours for the page: `2.5`.
fn hours(minutes: i64) -> String {
    let h = minutes as f64 / 60.0;
    if minutes % 60 == 0 {
        format!("{}", minutes / 60)
    } else {
        format!("{h:.2}")
    }
}

async fn file_page(
    state: &AppState,
    q: &LangQuery,
    session: &StaffSession,
    id: ApplicationId,
    status: StatusCode,
    shown: Shown,
) -> Result<Response, WebError> {
    let file = state.app.application_file(id, session.user.id).await?;
    let path = format!("{PATH}/{id}");
    let layout = Layout::staff(state, q.page(), &path, session);
    let t = &layout.t;
    let a = &file.application;
    let c = a.candidate.as_ref();
    let text =
        |f: fn(&ecoute_domain::Candidate) -> Option<String>| c.and_then(f).unwrap_or_default();
    let mut moves: Vec<StageChoice> = a
        .stage
        .next()
        .filter(|s| *s != Stage::Active)
        .into_iter()
        .chain((a.stage != Stage::Left).then_some(Stage::Left))
        .map(|s| StageChoice {
            value: s.as_str(),
            name: t.get(stage_key(s)).to_owned(),
        })
        .collect();
    if c.is_none() {
        moves.clear();
    }
    let page = FilePage {
        id: id.to_string(),
        name: c.map(|c| c.name.clone()),
        email: text(|c| c.email.clone()),
        phone: text(|c| c.phone.clone()),
        city: text(|c| Some(c.city.clone())),
        availability: text(|c| Some(c.availability.clone())),
        motivation: text(|c| Some(c.motivation.clone())),
        campaign: a.campaign.as_ref().map_or_else(
            || t.get("volunteers_no_campaign").to_owned(),
            |c| c.as_str().to_owned(),
        ),
        received: shown_time(a.received_at),
        stage: t.get(stage_key(a.stage)).to_owned(),
        hours: hours(a.training_minutes),
        in_training: a.stage == Stage::Training && c.is_some(),
        may_activate: a.stage == Stage::Probation && c.is_some(),
        may_relink: a.stage == Stage::Active && a.account.is_some(),
        link: shown.link,
        moves,
        events: file
            .events
            .iter()
            .map(|e| {
                let (what, note) = match &e.kind {
                    EventKind::Moved { to } => (t.get(stage_key(*to)).to_owned(), None),
                    EventKind::Note { text } => (
                        t.get("volunteers_event_note").to_owned(),
                        Some(
                            text.clone()
                                .unwrap_or_else(|| t.get("volunteers_note_erased").to_owned()),
                        ),
                    ),
                    EventKind::Training { minutes } => (
                        t.with("volunteers_event_training", "hours", hours(*minutes)),
                        None,
                    ),
                };
                EventRow {
                    when: shown_time(e.at),
                    by: e.by.pseudonym.clone(),
                    what,
                    note,
                }
            })
            .collect(),
        reads: file
            .reads
            .iter()
            .map(|r| ReadRow {
                when: shown_time(r.at),
                by: r.by.pseudonym.clone(),
                what: t
                    .get(match r.action {
                        ReadAction::List => "volunteers_read_list",
                        ReadAction::Read => "volunteers_read_read",
                        ReadAction::Erase => "volunteers_read_erase",
                    })
                    .to_owned(),
            })
            .collect(),
        notice: shown.notice,
        error: shown.error,
        layout,
    };
    render_status(status, &page)
}

/// What the file page shows besides the file.
#[derive(Default)]
struct Shown {
    notice: Option<String>,
    error: Option<String>,
    link: Option<String>,
}

/// `GET /admin/volunteers/{id}` (`?done=…`: what was just done).
pub async fn file(
    State(state): State<AppState>,
    q: LangQuery,
    RawQuery(query): RawQuery,
    Allowed { session, .. }: Allowed<Volunteers>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = application_id(&id)?;
    let t = Texts::new(q.lang());
    let done = query
        .as_deref()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")));
    let notice = match done {
        Some("moved") => Some(t.get("volunteers_done_moved").to_owned()),
        Some("noted") => Some(t.get("volunteers_done_noted").to_owned()),
        Some("trained") => Some(t.get("volunteers_done_trained").to_owned()),
        Some("erased") => Some(t.get("volunteers_done_erased").to_owned()),
        _ => None,
    };
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    file_page(&state, &q, &session, id, StatusCode::OK, shown).await
}

/// A move through the pipeline.
#[derive(Deserialize)]
pub struct MoveForm {
    csrf: String,
    to: String,
    #[serde(default)]
    note: String,
}

/// A note.
#[derive(Deserialize)]
pub struct NoteForm {
    csrf: String,
    note: String,
}

/// Training hours.
#[derive(Deserialize)]
pub struct TrainingForm {
    csrf: String,
    hours: String,
}

/// The erasure's form.
#[derive(Deserialize)]
pub struct EraseForm {
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// After a change: the file again, saying what was done.
fn done(q: &LangQuery, id: ApplicationId, what: &str) -> Response {
    let lang = q.query().replacen('?', "&", 1);
    Redirect::to(&format!("{PATH}/{id}?done={what}{lang}")).into_response()
}

/// A refusal of the pipeline, in the page's words.
fn refused_text(t: &Texts, e: &AppError) -> Option<String> {
    Some(match e {
        AppError::Stage(StageError::NotNext { .. }) => {
            t.get("volunteers_error_not_next").to_owned()
        }
        AppError::Stage(StageError::HasLeft) => t.get("volunteers_error_left").to_owned(),
        AppError::Stage(StageError::Erased) => t.get("volunteers_error_erased").to_owned(),
        AppError::Stage(StageError::Hours) => t.get("volunteers_error_hours").to_owned(),
        AppError::Stage(StageError::NeedsAccount) => t.get("volunteers_error_account").to_owned(),
        AppError::UsernameTaken(name) => t.with("volunteers_error_username_taken", "name", name),
        AppError::InvalidAccount(_) => t.get("volunteers_error_account_fields").to_owned(),
        AppError::InvalidNote => t.get("volunteers_error_note").to_owned(),
        _ => return None,
    })
}

/// Shows the file again with why `result` was refused, or goes on to it with `what` done.
async fn after<T>(
    state: &AppState,
    q: &LangQuery,
    session: &StaffSession,
    id: ApplicationId,
    what: &str,
    result: Result<T, AppError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(done(q, id, what)),
        Err(e) => match refused_text(&Texts::new(q.lang()), &e) {
            Some(error) => {
                let status = if matches!(
                    e,
                    AppError::InvalidNote
                        | AppError::InvalidAccount(_)
                        | AppError::Stage(StageError::Hours | StageError::NeedsAccount)
                ) {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::CONFLICT
                };
                let shown = Shown {
                    error: Some(error),
                    ..Shown::default()
                };
                file_page(state, q, session, id, status, shown).await
            }
            None => Err(e.into()),
        },
    }
}

/// `POST /admin/volunteers/{id}/move`.
pub async fn move_to(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Volunteers>,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let id = application_id(&id)?;
    let to = Stage::parse(&form.to)
        .ok_or_else(|| WebError::Unprocessable(format!("unknown stage {:?}", form.to)))?;
    let moved = state
        .app
        .move_application(id, to, session.user.id, &form.note)
        .await;
    after(&state, &q, &session, id, "moved", moved).await
}

/// `POST /admin/volunteers/{id}/note`.
pub async fn note(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Volunteers>,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let id = application_id(&id)?;
    let noted = state
        .app
        .note_application(id, session.user.id, &form.note)
        .await;
    after(&state, &q, &session, id, "noted", noted).await
}

/// `POST /admin/volunteers/{id}/training`: hours as typed (`2`, `1.5`, `1,5`).
pub async fn training(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Volunteers>,
    Path(id): Path<String>,
    Form(form): Form<TrainingForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let id = application_id(&id)?;
    let minutes = form
        .hours
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite())
        .map_or(-1, |h| (h * 60.0).round() as i64);
    let logged = state.app.log_training(id, session.user.id, minutes).await;
    after(&state, &q, &session, id, "trained", logged).await
}

/// `POST /admin/volunteers/{id}/erase`: the candidate's personal data, for good.
pub async fn erase(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Volunteers>,
    Path(id): Path<String>,
    Form(form): Form<EraseForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let id = application_id(&id)?;
    if form.confirm.as_deref() != Some("on") {
        return Err(WebError::Unprocessable(
            "tick the box saying the data is erased for good".into(),
        ));
    }
    let erased = state.app.erase_application(id, session.user.id).await;
    after(&state, &q, &session, id, "erased", erased).await
}

/// The activation's form: the new listener's account.
#[derive(Deserialize)]
pub struct ActivateForm {
    csrf: String,
    username: String,
    pseudonym: String,
}

/// The link a token makes, as the new listener opens it.
fn setup_link(state: &AppState, token: &str) -> String {
    format!(
        "{}{}?token={token}",
        state.config.public_url,
        super::welcome::PATH
    )
}

/// `POST /admin/volunteers/{id}/activate`: the candidate becomes an active listener; their
/// account is created and its one-time link shown, once.
pub async fn activate(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Volunteers>,
    Path(id): Path<String>,
    Form(form): Form<ActivateForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let id = application_id(&id)?;
    let activated = state
        .app
        .activate_application(id, session.user.id, &form.username, &form.pseudonym)
        .await;
    match activated {
        Ok((_, _, token)) => {
            let t = Texts::new(q.lang());
            let shown = Shown {
                notice: Some(t.get("volunteers_done_activated").to_owned()),
                link: Some(setup_link(&state, &token)),
                ..Shown::default()
            };
            file_page(&state, &q, &session, id, StatusCode::OK, shown).await
        }
        Err(e) => after(&state, &q, &session, id, "moved", Err::<(), _>(e)).await,
    }
}

/// `POST /admin/volunteers/{id}/link`: a new one-time link (the unused ones stop working).
pub async fn relink(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Volunteers>,
    Path(id): Path<String>,
    Form(form): Form<super::inbox::CsrfForm>,
) -> Result<Response, WebError> {
    session.check_csrf(form.csrf())?;
    let id = application_id(&id)?;
    let token = state.app.renew_setup_link(id).await?;
    let t = Texts::new(q.lang());
    let shown = Shown {
        notice: Some(t.get("volunteers_done_relinked").to_owned()),
        link: Some(setup_link(&state, &token)),
        ..Shown::default()
    };
    file_page(&state, &q, &session, id, StatusCode::OK, shown).await
}
