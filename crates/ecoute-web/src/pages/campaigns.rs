//! The campaigns page (administrators): what each campaign brought, counted without tracking,
//! and the form that declares one.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ecoute_app::AppError;
use ecoute_domain::{CampaignCodeError, CampaignError, CampaignEvent, CampaignReport, Day};
use serde::Deserialize;

use super::{page_layout, render_status, LangQuery, Layout};
use crate::auth::{Allowed, Campaigns, StaffSession};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::{Arg, Texts};
use crate::state::AppState;

/// Height of the tallest bar of a comparison chart, in the SVG's units.
const BAR_MAX: f64 = 100.0;

/// One bar of a before / during / after chart.
struct Bar {
    label: String,
    /// The average as shown ("3.4"), or "—" for a period not begun.
    value: String,
    x: u32,
    y: f64,
    height: f64,
}

/// One campaign's row and chart.
struct CampaignView {
    code: String,
    name: String,
    from: String,
    to: String,
    /// The campaign page by its link.
    page_link: String,
    /// The chat page by its link.
    link: String,
    /// How many came by its links, per event, in the order of the table's columns.
    totals: Vec<u64>,
    bars: Vec<Bar>,
    /// "Conversations per day over periods of N days".
    chart_title: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    layout: Layout,
    /// Column headings: the events' names.
    events: Vec<&'static str>,
    campaigns: Vec<CampaignView>,
    notice: Option<&'static str>,
    error: Option<String>,
    /// The form's values when refused, so that nothing typed is lost.
    form: NewCampaignForm,
}
page_layout!(CampaignsPage);

/// The declaration form.
#[derive(Deserialize, Default, Clone)]
pub struct NewCampaignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The i18n key of an event's name.
fn event_key(event: CampaignEvent) -> &'static str {
    match event {
        CampaignEvent::PageView => "event_page_view",
        CampaignEvent::Reveal => "event_reveal",
        CampaignEvent::ConversationStarted => "event_conversation_started",
        CampaignEvent::MessageWritten => "event_message_written",
        CampaignEvent::Application => "event_application",
    }
}

/// The i18n key of a campaign rule's text.
fn campaign_error_key(e: &CampaignError) -> &'static str {
    match e {
        CampaignError::Code(CampaignCodeError::Empty | CampaignCodeError::BadCharacter) => {
            "campaign_error_code"
        }
        CampaignError::Code(CampaignCodeError::TooLong { .. }) => "campaign_error_code_long",
        CampaignError::Name { .. } => "campaign_error_name",
        CampaignError::EndsBeforeStart => "campaign_error_dates",
    }
}

fn view(report: &CampaignReport, t: &Texts, public_url: &str) -> CampaignView {
    let c = &report.campaign;
    let periods = report.conversations;
    let values = [
        ("period_before", periods.before),
        ("period_during", periods.during),
        ("period_after", periods.after),
    ];
    let top = values
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max);
    let bars = values
        .iter()
        .zip(0u32..)
        .map(|((key, value), i)| {
            let height = match value {
                Some(v) if top > 0.0 => v / top * BAR_MAX,
                _ => 0.0,
            };
            Bar {
                label: t.get(key).to_owned(),
                value: value.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}")),
                x: 20 + i * 90,
                y: 20.0 + BAR_MAX - height,
                height,
            }
        })
        .collect();
    CampaignView {
        code: c.code.to_string(),
        name: c.name.clone(),
        from: c.starts.iso(),
        to: c.ends.iso(),
        page_link: format!("{}/stories?c={}", public_url.trim_end_matches('/'), c.code),
        link: format!("{}/?c={}", public_url.trim_end_matches('/'), c.code),
        totals: report.totals.to_vec(),
        bars,
        chart_title: t.format(
            "campaign_comparison",
            &[("days", Arg::Number(periods.days))],
        ),
    }
}

async fn page(
    state: &AppState,
    q: &LangQuery,
    session: &StaffSession,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<String>,
    form: NewCampaignForm,
) -> Result<Response, WebError> {
    let t = Texts::new(q.lang());
    let campaigns = state
        .app
        .campaign_reports()
        .await?
        .iter()
        .map(|r| view(r, &t, &state.config.public_url))
        .collect();
    let layout = Layout::staff(state, q.page(), "/admin/campaigns", session);
    let notice = notice.map(|k| layout.t.get(k));
    render_status(
        status,
        &CampaignsPage {
            layout,
            events: CampaignEvent::ALL
                .iter()
                .map(|e| t.get(event_key(*e)))
                .collect(),
            campaigns,
            notice,
            error,
            form,
        },
    )
}

/// `GET /admin/campaigns`.
pub async fn campaigns_page(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Campaigns>,
) -> Result<Response, WebError> {
    page(
        &state,
        &q,
        &session,
        StatusCode::OK,
        None,
        None,
        NewCampaignForm::default(),
    )
    .await
}

/// `POST /admin/campaigns`: declares a campaign.
pub async fn declare_campaign(
    State(state): State<AppState>,
    q: LangQuery,
    Allowed { session, .. }: Allowed<Campaigns>,
    Form(form): Form<NewCampaignForm>,
) -> Result<Response, WebError> {
    session.check_csrf(&form.csrf)?;
    let t = Texts::new(q.lang());
    let refused = |status, key: &str| (status, None, Some(t.get(key).to_owned()));
    let (status, notice, error) = match (Day::parse_iso(&form.from), Day::parse_iso(&form.to)) {
        (Some(from), Some(to)) => {
            match state
                .app
                .declare_campaign(&form.code, &form.name, from, to)
                .await
            {
                Ok(_) => (StatusCode::CREATED, Some("campaign_created"), None),
                Err(AppError::InvalidCampaign(e)) => {
                    refused(StatusCode::UNPROCESSABLE_ENTITY, campaign_error_key(&e))
                }
                Err(AppError::CampaignExists(code)) => (
                    StatusCode::CONFLICT,
                    None,
                    Some(t.format("campaign_error_taken", &[("code", Arg::Text(&code))])),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        _ => refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "campaign_error_date_format",
        ),
    };
    let kept = if error.is_some() {
        NewCampaignForm {
            csrf: String::new(),
            ..form
        }
    } else {
        NewCampaignForm::default()
    };
    page(&state, &q, &session, status, notice, error, kept).await
}
