//! Becoming a listener (see [`ecoute_domain::volunteer`]): a candidate applies from the
//! campaign's third door; coordinators read the applications and move them through the
//! association's pipeline. Every access to a candidate's personal data is audited (who, when,
//! which application); the data is erased on request and, for those who left without becoming
//! listeners, after the configured days.

use ecoute_domain::volunteer::{MAX_NOTE_CHARS, SETUP_LINK_DAYS};
use ecoute_domain::{
    Application, ApplicationEvent, ApplicationId, CampaignCode, CampaignEvent, Candidate,
    CandidateInput, CentreId, Password, Pseudonym, Role, Stage, StageError, Timestamp, UserId,
    Username,
};
use ecoute_store::{
    AccountSetup, NewApplication, NewUser, PersonalRead, ReadAction, StoreError, User,
};
use sha2::{Digest, Sha256};

use crate::hash_password;

use crate::{App, AppError, AppResult};

/// The settings of the volunteer pipeline.
#[derive(Debug, Clone)]
pub struct VolunteerSettings {
    /// Applications kept with their personal data at most; beyond, new ones are refused.
    pub max_kept: u64,
    /// Days after leaving the pipeline (without becoming a listener) that a candidate's
    /// personal data is erased.
    pub erase_left_after_days: u64,
}

impl Default for VolunteerSettings {
    fn default() -> Self {
        VolunteerSettings {
            max_kept: 5_000,
            erase_left_after_days: 365,
        }
    }
}

/// One application as a coordinator reads it.
#[derive(Debug, Clone)]
pub struct ApplicationFile {
    /// The application.
    pub application: Application,
    /// What happened to it, in order.
    pub events: Vec<ApplicationEvent>,
    /// The audited accesses to it, newest first.
    pub reads: Vec<PersonalRead>,
}

/// 32 random bytes, hex: a one-time link's token (or a password nobody knows).
fn random_hex() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::Hash(format!("random source: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What the store keeps of a link's token.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Accesses shown with an application.
const READS_SHOWN: u32 = 50;

fn note(text: &str) -> AppResult<Option<&str>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_NOTE_CHARS
        || text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(AppError::InvalidNote);
    }
    Ok(Some(text))
}

impl App {
    /// Records an application sent from the form `id` (the form's random token: the same
    /// form sent twice records one application), counted (anonymously) under the campaign
    /// that brought the candidate.
    pub async fn apply(
        &self,
        id: ApplicationId,
        input: &CandidateInput<'_>,
        campaign: Option<CampaignCode>,
    ) -> AppResult<Application> {
        let candidate = Candidate::validate(input)?;
        let created = self
            .store
            .create_application(&NewApplication {
                id,
                candidate,
                campaign: campaign.clone(),
                now: self.now(),
                max_kept: self.settings.volunteer.max_kept,
            })
            .await;
        match created {
            Ok(application) => {
                self.count(campaign.as_ref(), CampaignEvent::Application);
                Ok(application)
            }
            // The same form again: received already.
            Err(StoreError::Conflict(_)) => Ok(self
                .store
                .application(id)
                .await?
                .ok_or(AppError::NotFound)?),
            Err(e) => Err(e.into()),
        }
    }

    /// Every application, newest first, for `coordinator` (an audited read of the list).
    pub async fn pipeline(&self, coordinator: UserId) -> AppResult<Vec<Application>> {
        self.store
            .record_personal_read(coordinator, None, ReadAction::List, self.now())
            .await?;
        Ok(self.store.applications().await?)
    }

    /// One application in full for `coordinator` (an audited read).
    pub async fn application_file(
        &self,
        id: ApplicationId,
        coordinator: UserId,
    ) -> AppResult<ApplicationFile> {
        let application = self
            .store
            .application(id)
            .await?
            .ok_or(AppError::NotFound)?;
        if application.candidate.is_some() {
            self.store
                .record_personal_read(coordinator, Some(id), ReadAction::Read, self.now())
                .await?;
        }
        Ok(ApplicationFile {
            events: self.store.application_events(id).await?,
            reads: self.store.personal_reads(id, READS_SHOWN).await?,
            application,
        })
    }

    /// Moves an application to `to`, with an optional note saying why. Becoming active is
    /// [`App::activate_application`]: it creates the account.
    pub async fn move_application(
        &self,
        id: ApplicationId,
        to: Stage,
        by: UserId,
        why: &str,
    ) -> AppResult<Application> {
        if to == Stage::Active {
            return Err(AppError::Stage(StageError::NeedsAccount));
        }
        let why = note(why)?;
        let moved = self
            .store
            .move_application(id, to, by, why, self.now())
            .await?;
        // A listener who leaves the association keeps no access.
        if let (Stage::Left, Some(account)) = (to, moved.account) {
            self.set_disabled(account, true, None).await?;
        }
        Ok(moved)
    }

    /// Makes the candidate an active listener: their account (role listener, no password
    /// yet) and a one-time link to set the password, valid
    /// [`ecoute_domain::volunteer::SETUP_LINK_DAYS`] days. Returns the link's token, shown
    /// once to the coordinator, who hands it on.
    pub async fn activate_application(
        &self,
        id: ApplicationId,
        by: UserId,
        username: &str,
        pseudonym: &str,
    ) -> AppResult<(Application, User, String)> {
        let username = Username::parse(username)?;
        let pseudonym = Pseudonym::parse(pseudonym)?;
        // A password nobody knows, until the link sets theirs.
        let unusable = hash_password(random_hex()?).await?;
        let account = NewUser {
            username,
            pseudonym,
            role: Role::Listener,
            password_hash: unusable,
            centre: CentreId::DEFAULT,
        };
        let (token, setup) = self.new_setup()?;
        let (application, user) = self
            .store
            .activate_application(id, by, &account, &setup, self.now())
            .await?;
        tracing::info!(user = user.id.0, "a candidate became an active listener");
        Ok((application, user, token))
    }

    /// A new one-time link for the account an active application became (the unused
    /// earlier ones stop working); its token.
    pub async fn renew_setup_link(&self, id: ApplicationId) -> AppResult<String> {
        let (token, setup) = self.new_setup()?;
        self.store.renew_account_setup(id, &setup).await?;
        Ok(token)
    }

    fn new_setup(&self) -> AppResult<(String, AccountSetup)> {
        let token = random_hex()?;
        let expires_at = Timestamp(self.now().0 + SETUP_LINK_DAYS * 86_400_000);
        Ok((
            token.clone(),
            AccountSetup {
                token_hash: token_hash(&token),
                expires_at,
            },
        ))
    }

    /// The account a one-time link opens, if it still works.
    pub async fn setup_link_account(&self, token: &str) -> AppResult<User> {
        self.store
            .account_setup(&token_hash(token), self.now())
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Sets the password of the link's account and uses the link up.
    pub async fn complete_setup(&self, token: &str, password: &str) -> AppResult<UserId> {
        let password = Password::parse(password)?;
        // Checked before the slow hash: an unknown link costs nothing.
        self.setup_link_account(token).await?;
        let hash = hash_password(password.expose().to_owned()).await?;
        Ok(self
            .store
            .complete_account_setup(&token_hash(token), &hash, self.now())
            .await?)
    }

    /// Adds a note about the applicant.
    pub async fn note_application(
        &self,
        id: ApplicationId,
        by: UserId,
        text: &str,
    ) -> AppResult<()> {
        let text = note(text)?.ok_or(AppError::InvalidNote)?;
        Ok(self
            .store
            .note_application(id, by, text, self.now())
            .await?)
    }

    /// Logs `minutes` of training.
    pub async fn log_training(
        &self,
        id: ApplicationId,
        by: UserId,
        minutes: i64,
    ) -> AppResult<Application> {
        Ok(self.store.log_training(id, by, minutes, self.now()).await?)
    }

    /// Erases a candidate's personal data (their request), audited as `by`'s.
    pub async fn erase_application(&self, id: ApplicationId, by: UserId) -> AppResult<()> {
        self.store
            .application(id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.store
            .record_personal_read(by, Some(id), ReadAction::Erase, self.now())
            .await?;
        self.store.erase_application(id, self.now()).await?;
        tracing::info!("a candidate's personal data was erased on request");
        Ok(())
    }

    /// Erases the personal data of candidates who left the pipeline, without becoming
    /// listeners, the configured days ago; how many.
    pub async fn erase_expired_applications(&self) -> AppResult<u64> {
        let days = self.settings.volunteer.erase_left_after_days;
        let ms = i64::try_from(days.saturating_mul(86_400_000)).unwrap_or(i64::MAX);
        let now = self.now();
        Ok(self
            .store
            .erase_left_applications(Timestamp(now.0.saturating_sub(ms)), now)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::app;
    use crate::AppError;
    use ecoute_domain::{ApplicationError, ApplicationId, CandidateInput, Stage};
    use ecoute_store::ReadAction;

    fn input() -> CandidateInput<'static> {
        CandidateInput {
            name: "Camille",
            email: "camille@example.org",
            phone: "",
            city: "Lyon",
            availability: "Le mardi soir",
            motivation: "On m'a écoutée un jour.",
            consent: true,
        }
    }

    #[tokio::test]
    async fn an_application_is_received_read_with_an_audit_moved_and_erased() {
        let (app, clock) = app().await;
        let coord = app
            .create_account(crate::accounts::AccountFields {
                username: "coord",
                pseudonym: "Coord",
                role: "coordinator",
                password: "a long password here",
                centre: ecoute_domain::CentreId::DEFAULT,
            })
            .await
            .expect("account")
            .id;
        assert!(matches!(
            app.apply(
                ApplicationId::new_random(),
                &CandidateInput {
                    consent: false,
                    ..input()
                },
                None
            )
            .await,
            Err(AppError::InvalidApplication(ApplicationError::NoConsent))
        ));
        let form = ApplicationId::new_random();
        let sent = app.apply(form, &input(), None).await.expect("apply");
        let again = app
            .apply(form, &input(), None)
            .await
            .expect("the same form again");
        assert_eq!(again.id, sent.id);
        assert_eq!(app.pipeline(coord).await.expect("list").len(), 1);
        app.move_application(sent.id, Stage::FirstInterview, coord, "  ")
            .await
            .expect("move");
        assert!(matches!(
            app.note_application(sent.id, coord, "").await,
            Err(AppError::InvalidNote)
        ));
        let file = app.application_file(sent.id, coord).await.expect("read");
        assert_eq!(file.application.stage, Stage::FirstInterview);
        assert_eq!(file.events.len(), 1, "an empty reason is no note");
        assert_eq!(file.reads[0].action, ReadAction::Read);

        app.move_application(sent.id, Stage::Left, coord, "Retire sa candidature")
            .await
            .expect("left");
        clock.advance(std::time::Duration::from_secs(364 * 86_400));
        assert_eq!(
            app.erase_expired_applications().await.expect("retention"),
            0
        );
        clock.advance(std::time::Duration::from_secs(86_400));
        assert_eq!(
            app.erase_expired_applications().await.expect("retention"),
            1
        );
        let file = app.application_file(sent.id, coord).await.expect("trace");
        assert_eq!(file.application.candidate, None);
        app.erase_application(sent.id, coord)
            .await
            .expect("erase again is harmless");
    }
}
