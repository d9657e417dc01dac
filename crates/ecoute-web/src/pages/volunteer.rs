//! The campaign's third door: `/volunteer`, the application to become a listener. Anyone may
//! apply: the form is refused from another site, and applications draw on a budget shared by
//! everyone (nothing about who applies is counted or kept beyond what they write).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ecoute_app::AppError;
use ecoute_domain::volunteer::Field;
use ecoute_domain::{ApplicationError, ApplicationId, CandidateInput};
use serde::Deserialize;

use super::{page_layout, render_status, LangQuery, Layout};
use crate::error::WebError;
use crate::forms::Form;
use crate::i18n::Texts;
use crate::state::AppState;

/// The page's path.
pub const PATH: &str = "/volunteer";

/// What was typed, shown again when refused.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    token: String,
    name: String,
    email: String,
    phone: String,
    city: String,
    availability: String,
    motivation: String,
    consent: Option<String>,
    campaign: Option<String>,
}

#[derive(Template)]
#[template(path = "volunteer.html")]
struct VolunteerPage {
    layout: Layout,
    quick_exit_url: String,
    form: ApplicationForm,
    error: Option<String>,
    /// The field the error is about (its id), for `aria-invalid`.
    invalid: &'static str,
    /// The application was received.
    received: bool,
    max_name: usize,
    max_email: usize,
    max_phone: usize,
    max_city: usize,
    max_availability: usize,
    max_motivation: usize,
    /// Days after leaving that the data is erased.
    erase_days: usize,
}
page_layout!(VolunteerPage);

impl VolunteerPage {
    fn new(state: &AppState, q: &LangQuery, form: ApplicationForm) -> VolunteerPage {
        VolunteerPage {
            layout: Layout::public(state, q.page(), PATH),
            quick_exit_url: state.config.site.quick_exit_url.clone(),
            form,
            error: None,
            invalid: "",
            received: false,
            max_name: Field::Name.max_chars(),
            max_email: Field::Email.max_chars(),
            max_phone: Field::Phone.max_chars(),
            max_city: Field::City.max_chars(),
            max_availability: Field::Availability.max_chars(),
            max_motivation: Field::Motivation.max_chars(),
            erase_days: state.config.volunteer.erase_left_after_days as usize,
        }
    }
}

/// The id of a form field.
fn field_id(field: Field) -> &'static str {
    match field {
        Field::Name => "name",
        Field::Email => "email",
        Field::Phone => "phone",
        Field::City => "city",
        Field::Availability => "availability",
        Field::Motivation => "motivation",
    }
}

/// Why the form is refused, in the page's words, and the field concerned.
fn refusal(t: &Texts, e: ApplicationError) -> (String, &'static str) {
    match e {
        ApplicationError::Missing(f) => (t.get("volunteer_error_missing").to_owned(), field_id(f)),
        ApplicationError::TooLong(f) => (t.get("volunteer_error_long").to_owned(), field_id(f)),
        ApplicationError::BadEmail => (t.get("volunteer_error_email").to_owned(), "email"),
        ApplicationError::BadPhone => (t.get("volunteer_error_phone").to_owned(), "phone"),
        ApplicationError::NoContact => (t.get("volunteer_error_contact").to_owned(), "email"),
        ApplicationError::NoConsent => (t.get("volunteer_error_consent").to_owned(), "consent"),
    }
}

/// `GET /volunteer` (`?c=` or `?via=`: by a campaign, counted as for the other doors).
pub async fn volunteer_page(
    State(state): State<AppState>,
    q: LangQuery,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let query = query.as_deref();
    let campaign = crate::attribution::door_campaign(&state.app, query);
    let form = ApplicationForm {
        token: uuid::Uuid::new_v4().simple().to_string(),
        campaign: campaign.map(String::from),
        ..ApplicationForm::default()
    };
    render_status(StatusCode::OK, &VolunteerPage::new(&state, &q, form))
}

/// `POST /volunteer`: records the application.
pub async fn apply(
    State(state): State<AppState>,
    q: LangQuery,
    headers: HeaderMap,
    Form(form): Form<ApplicationForm>,
) -> Result<Response, WebError> {
    let id: ApplicationId = form
        .token
        .parse()
        .map_err(|_| WebError::BadRequest("the form's token is malformed".into()))?;
    if !crate::joins::same_site(&headers, &state.config.public_url) {
        return Err(WebError::CrossSite);
    }
    state
        .applications
        .take(state.clock.now())
        .map_err(|wait| WebError::RateLimited {
            retry_after: crate::joins::whole_seconds(wait),
        })?;
    let input = CandidateInput {
        name: &form.name,
        email: &form.email,
        phone: &form.phone,
        city: &form.city,
        availability: &form.availability,
        motivation: &form.motivation,
        consent: form.consent.as_deref() == Some("on"),
    };
    let campaign = state.app.campaign_of(form.campaign.as_deref());
    let t = Texts::new(q.lang());
    match state.app.apply(id, &input, campaign).await {
        Ok(_) => {
            let page = VolunteerPage {
                received: true,
                ..VolunteerPage::new(&state, &q, ApplicationForm::default())
            };
            render_status(StatusCode::OK, &page)
        }
        Err(AppError::InvalidApplication(e)) => {
            let (error, invalid) = refusal(&t, e);
            let page = VolunteerPage {
                error: Some(error),
                invalid,
                ..VolunteerPage::new(&state, &q, form)
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AppError::ApplicationsFull) => {
            let page = VolunteerPage {
                error: Some(t.get("volunteer_full").to_owned()),
                ..VolunteerPage::new(&state, &q, form)
            };
            render_status(StatusCode::SERVICE_UNAVAILABLE, &page)
        }
        Err(e) => Err(e.into()),
    }
}
