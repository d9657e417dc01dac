//! [`VolunteerStore`]: applications to become a listener, the pipeline's events, and the
//! audit of reads of candidates' personal data.

use super::{corrupt, count, write_error, Args, Conn, Db, DbRow, Scalar};
use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
use crate::{
    AccountSetup, NewApplication, NewUser, PersonalRead, ReadAction, StoreError, StoreResult, User,
    VolunteerStore,
};
use async_trait::async_trait;
use ecoute_domain::{
    Application, ApplicationEvent, ApplicationId, CampaignCode, Candidate, EventKind, Stage,
    Timestamp, UserId, Writer,
};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// The columns of an application (a `WHERE` and a row lock may follow).
const SELECT_APPLICATION: &str = "SELECT id, received_at, campaign, stage, stage_since, \
    furthest, training_minutes, name, email, phone, city, availability, motivation, user_id \
    FROM volunteer_applications";

/// The columns of an event, with its coordinator's pseudonym (a `WHERE` on `e` may follow).
const SELECT_EVENT: &str = "SELECT e.at, e.user_id, u.pseudonym, e.kind, e.stage, e.minutes, \
    e.note FROM volunteer_events e JOIN users u ON u.id = e.user_id";

/// An event to record.
#[derive(Clone, Copy)]
enum NewEvent<'a> {
    Moved(Stage),
    Note(&'a str),
    Training(i64),
}

fn stage_of(name: &str) -> StoreResult<Stage> {
    Stage::parse(name).ok_or_else(|| corrupt("stage", name))
}

/// An application from a row of [`SELECT_APPLICATION`].
fn to_application<R: Columns + ?Sized>(row: &R) -> StoreResult<Application> {
    let campaign: Option<String> = row.get("campaign")?;
    let name: Option<String> = row.get("name")?;
    let candidate = match name {
        Some(name) => Some(Candidate {
            name,
            email: row.get("email")?,
            phone: row.get("phone")?,
            city: row.get("city")?,
            availability: row.get("availability")?,
            motivation: row.get("motivation")?,
        }),
        None => None,
    };
    Ok(Application {
        id: row.get("id")?,
        received_at: Timestamp(row.get("received_at")?),
        campaign: campaign
            .map(|c| CampaignCode::parse(&c).map_err(|_| corrupt("campaign", &c)))
            .transpose()?,
        stage: stage_of(&row.get::<String>("stage")?)?,
        stage_since: Timestamp(row.get("stage_since")?),
        furthest: stage_of(&row.get::<String>("furthest")?)?,
        training_minutes: row.get("training_minutes")?,
        candidate,
        account: row.get::<Option<i64>>("user_id")?.map(UserId),
    })
}

/// An event from a row of [`SELECT_EVENT`].
fn to_event<R: Columns + ?Sized>(row: &R) -> StoreResult<ApplicationEvent> {
    let kind: String = row.get("kind")?;
    let kind = match kind.as_str() {
        "moved" => EventKind::Moved {
            to: stage_of(&row.get::<String>("stage")?)?,
        },
        "note" => EventKind::Note {
            text: row.get("note")?,
        },
        "training" => EventKind::Training {
            minutes: row.get("minutes")?,
        },
        other => return Err(corrupt("event kind", other)),
    };
    Ok(ApplicationEvent {
        at: Timestamp(row.get("at")?),
        by: Writer {
            id: UserId(row.get("user_id")?),
            pseudonym: row.get("pseudonym")?,
        },
        kind,
    })
}

impl<D: Dialect> SqlStore<D> {
    /// Application `id` inside a write transaction, locked until it ends.
    async fn lock_application(tx: &mut D::Writer, id: ApplicationId) -> StoreResult<Application> {
        let row = tx
            .optional(
                &format!("{SELECT_APPLICATION} WHERE id = $1{}", D::ROW_LOCK),
                &[id.into()],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        to_application(&row)
    }

    /// Appends an event to the locked application `id`.
    async fn add_event(
        tx: &mut D::Writer,
        id: ApplicationId,
        by: UserId,
        now: Timestamp,
        event: NewEvent<'_>,
    ) -> StoreResult<()> {
        let (kind, stage, minutes, note) = match event {
            NewEvent::Moved(stage) => ("moved", Some(stage), None, None),
            NewEvent::Note(note) => ("note", None, None, Some(note)),
            NewEvent::Training(minutes) => ("training", None, Some(minutes), None),
        };
        let seq: i64 = tx
            .one(
                "SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM volunteer_events \
                 WHERE application_id = $1",
                &[id.into()],
            )
            .await?
            .get("seq")?;
        tx.exec(
            "INSERT INTO volunteer_events \
             (application_id, seq, at, user_id, kind, stage, minutes, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                id.into(),
                seq.into(),
                now.0.into(),
                by.0.into(),
                kind.into(),
                stage.map(Stage::as_str).into(),
                minutes.into(),
                note.into(),
            ],
        )
        .await
        .map_err(|e| write_error(e, "event already recorded"))?;
        Ok(())
    }

    /// Records a one-time link for `user`.
    async fn insert_setup(
        tx: &mut D::Writer,
        user: UserId,
        setup: &AccountSetup,
    ) -> StoreResult<()> {
        tx.exec(
            "INSERT INTO account_setups (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            &[
                setup.token_hash.as_str().into(),
                user.0.into(),
                setup.expires_at.0.into(),
            ],
        )
        .await
        .map_err(|e| write_error(e, "this link exists already"))?;
        Ok(())
    }

    /// Erases the personal data of the applications matching `condition` (on
    /// `volunteer_applications`, not yet erased), and their notes; how many.
    async fn erase_where(
        tx: &mut D::Writer,
        condition: &str,
        args: &[crate::query::Arg<'_>],
        now: Timestamp,
    ) -> StoreResult<u64> {
        let mut all = args.to_vec();
        all.push(now.0.into());
        let at = all.len();
        tx.exec(
            &format!(
                "UPDATE volunteer_events SET note = NULL WHERE kind = 'note' AND application_id \
                 IN (SELECT id FROM volunteer_applications WHERE erased_at IS NULL AND {condition})"
            ),
            args,
        )
        .await?;
        tx.exec(
            &format!(
                "UPDATE volunteer_applications SET name = NULL, email = NULL, phone = NULL, \
                 city = NULL, availability = NULL, motivation = NULL, erased_at = ${at} \
                 WHERE erased_at IS NULL AND {condition}"
            ),
            &all,
        )
        .await
    }
}

#[async_trait]
impl<D> VolunteerStore for SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    for<'q> &'q str: Encode<'q, Db<D>> + Type<Db<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
{
    async fn create_application(&self, new: &NewApplication) -> StoreResult<Application> {
        let new = new.clone();
        self.write(move |tx| {
            let new = new.clone();
            Box::pin(async move {
                // The same form again is no new application, whatever the count now.
                if tx
                    .optional(
                        "SELECT 1 AS known FROM volunteer_applications WHERE id = $1",
                        &[new.id.into()],
                    )
                    .await?
                    .is_some()
                {
                    return Err(StoreError::Conflict(
                        "an application with this id exists".into(),
                    ));
                }
                // Count and insert as one step: the default centre's row is locked first, as
                // joins of the queue do (SQLite: the write transaction holds the lock).
                tx.optional(
                    &format!("SELECT id FROM centres WHERE id = $1{}", D::ROW_LOCK),
                    &[ecoute_domain::CentreId::DEFAULT.0.into()],
                )
                .await?;
                let kept: i64 = tx
                    .one(
                        "SELECT COUNT(*) AS n FROM volunteer_applications \
                         WHERE erased_at IS NULL",
                        &[],
                    )
                    .await?
                    .get("n")?;
                if count(kept)? >= new.max_kept {
                    return Err(StoreError::ApplicationsFull);
                }
                let c = &new.candidate;
                let received = Stage::Received.as_str();
                tx.exec(
                    "INSERT INTO volunteer_applications (id, received_at, campaign, stage, \
                     stage_since, furthest, training_minutes, name, email, phone, city, \
                     availability, motivation) \
                     VALUES ($1, $2, $3, $4, $2, $4, 0, $5, $6, $7, $8, $9, $10)",
                    &[
                        new.id.into(),
                        new.now.0.into(),
                        new.campaign.as_ref().map(CampaignCode::as_str).into(),
                        received.into(),
                        c.name.as_str().into(),
                        c.email.as_deref().into(),
                        c.phone.as_deref().into(),
                        c.city.as_str().into(),
                        c.availability.as_str().into(),
                        c.motivation.as_str().into(),
                    ],
                )
                .await
                .map_err(|e| write_error(e, "an application with this id exists"))?;
                Ok(Application {
                    id: new.id,
                    received_at: new.now,
                    campaign: new.campaign.clone(),
                    stage: Stage::Received,
                    stage_since: new.now,
                    furthest: Stage::Received,
                    training_minutes: 0,
                    candidate: Some(new.candidate.clone()),
                    account: None,
                })
            })
        })
        .await
    }

    async fn application(&self, id: ApplicationId) -> StoreResult<Option<Application>> {
        sqlx::query(&format!("{SELECT_APPLICATION} WHERE id = $1"))
            .bind(D::id(id.0))
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(to_application)
            .transpose()
    }

    async fn applications(&self) -> StoreResult<Vec<Application>> {
        sqlx::query(&format!(
            "{SELECT_APPLICATION} ORDER BY received_at DESC, id"
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_application)
        .collect()
    }

    async fn application_events(&self, id: ApplicationId) -> StoreResult<Vec<ApplicationEvent>> {
        sqlx::query(&format!(
            "{SELECT_EVENT} WHERE e.application_id = $1 ORDER BY e.seq"
        ))
        .bind(D::id(id.0))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_event)
        .collect()
    }

    async fn move_application(
        &self,
        id: ApplicationId,
        to: Stage,
        by: UserId,
        note: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Application> {
        let note = note.map(str::to_owned);
        self.write(move |tx| {
            let note = note.clone();
            Box::pin(async move {
                let current = Self::lock_application(tx, id).await?;
                let moved = current.after_move(to, now)?;
                tx.exec(
                    "UPDATE volunteer_applications SET stage = $2, stage_since = $3, \
                     furthest = $4 WHERE id = $1",
                    &[
                        id.into(),
                        moved.stage.as_str().into(),
                        now.0.into(),
                        moved.furthest.as_str().into(),
                    ],
                )
                .await?;
                Self::add_event(tx, id, by, now, NewEvent::Moved(to)).await?;
                if let Some(note) = note.as_deref() {
                    Self::add_event(tx, id, by, now, NewEvent::Note(note)).await?;
                }
                Ok(moved)
            })
        })
        .await
    }

    async fn activate_application(
        &self,
        id: ApplicationId,
        by: UserId,
        account: &NewUser,
        setup: &AccountSetup,
        now: Timestamp,
    ) -> StoreResult<(Application, User)> {
        let (account, setup) = (account.clone(), setup.clone());
        self.write(move |tx| {
            let (account, setup) = (account.clone(), setup.clone());
            Box::pin(async move {
                let current = Self::lock_application(tx, id).await?;
                let mut active = current.after_move(Stage::Active, now)?;
                let user = Self::insert_user(tx, &account, now).await?;
                active.account = Some(user.id);
                tx.exec(
                    "UPDATE volunteer_applications SET stage = $2, stage_since = $3, \
                     furthest = $2, user_id = $4 WHERE id = $1",
                    &[
                        id.into(),
                        Stage::Active.as_str().into(),
                        now.0.into(),
                        user.id.0.into(),
                    ],
                )
                .await?;
                Self::add_event(tx, id, by, now, NewEvent::Moved(Stage::Active)).await?;
                Self::insert_setup(tx, user.id, &setup).await?;
                Ok((active, user))
            })
        })
        .await
    }

    async fn renew_account_setup(
        &self,
        id: ApplicationId,
        setup: &AccountSetup,
    ) -> StoreResult<UserId> {
        let setup = setup.clone();
        self.write(move |tx| {
            let setup = setup.clone();
            Box::pin(async move {
                let current = Self::lock_application(tx, id).await?;
                let user = current.account.ok_or(StoreError::NotFound)?;
                // Only for an active listener who never set a password: once they have, a
                // new link would let whoever holds it take the account over.
                if current.stage != Stage::Active || current.candidate.is_none() {
                    return Err(StoreError::Stage(ecoute_domain::StageError::HasLeft));
                }
                if tx
                    .optional(
                        "SELECT 1 AS used FROM account_setups \
                         WHERE user_id = $1 AND used_at IS NOT NULL",
                        &[user.0.into()],
                    )
                    .await?
                    .is_some()
                {
                    return Err(StoreError::Conflict(
                        "this listener has set their password; an administrator resets it".into(),
                    ));
                }
                // One link at a time: a new one ends the others not used yet.
                tx.exec(
                    "DELETE FROM account_setups WHERE user_id = $1 AND used_at IS NULL",
                    &[user.0.into()],
                )
                .await?;
                Self::insert_setup(tx, user, &setup).await?;
                Ok(user)
            })
        })
        .await
    }

    async fn note_application(
        &self,
        id: ApplicationId,
        by: UserId,
        note: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let note = note.to_owned();
        self.write(move |tx| {
            let note = note.clone();
            Box::pin(async move {
                let current = Self::lock_application(tx, id).await?;
                if current.candidate.is_none() {
                    return Err(StoreError::Stage(ecoute_domain::StageError::Erased));
                }
                Self::add_event(tx, id, by, now, NewEvent::Note(&note)).await
            })
        })
        .await
    }

    async fn log_training(
        &self,
        id: ApplicationId,
        by: UserId,
        minutes: i64,
        now: Timestamp,
    ) -> StoreResult<Application> {
        self.write(move |tx| {
            Box::pin(async move {
                let mut current = Self::lock_application(tx, id).await?;
                current.may_log_training(minutes)?;
                current.training_minutes += minutes;
                tx.exec(
                    "UPDATE volunteer_applications SET training_minutes = $2 WHERE id = $1",
                    &[id.into(), current.training_minutes.into()],
                )
                .await?;
                Self::add_event(tx, id, by, now, NewEvent::Training(minutes)).await?;
                Ok(current)
            })
        })
        .await
    }

    async fn erase_application(&self, id: ApplicationId, now: Timestamp) -> StoreResult<bool> {
        self.write(move |tx| {
            Box::pin(
                async move { Ok(Self::erase_where(tx, "id = $1", &[id.into()], now).await? > 0) },
            )
        })
        .await
    }

    async fn erase_left_applications(
        &self,
        left_before: Timestamp,
        now: Timestamp,
    ) -> StoreResult<u64> {
        self.write(move |tx| {
            Box::pin(async move {
                Self::erase_where(
                    tx,
                    "stage = 'left' AND furthest <> 'active' AND stage_since <= $1",
                    &[left_before.0.into()],
                    now,
                )
                .await
            })
        })
        .await
    }

    async fn record_personal_read(
        &self,
        by: UserId,
        application: Option<ApplicationId>,
        action: ReadAction,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    "INSERT INTO personal_data_reads (at, user_id, application_id, action) \
                     VALUES ($1, $2, $3, $4)",
                    &[
                        now.0.into(),
                        by.0.into(),
                        application.into(),
                        action.as_str().into(),
                    ],
                )
                .await
                .map_err(|e| write_error(e, "read already recorded"))?;
                Ok(())
            })
        })
        .await
    }

    async fn personal_reads(
        &self,
        application: ApplicationId,
        limit: u32,
    ) -> StoreResult<Vec<PersonalRead>> {
        sqlx::query(
            "SELECT r.at, r.user_id, u.pseudonym, r.application_id, r.action \
             FROM personal_data_reads r JOIN users u ON u.id = r.user_id \
             WHERE r.application_id = $1 ORDER BY r.at DESC LIMIT $2",
        )
        .bind(D::id(application.0))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            let action: String = row.get("action")?;
            Ok(PersonalRead {
                at: Timestamp(row.get("at")?),
                by: Writer {
                    id: UserId(row.get("user_id")?),
                    pseudonym: row.get("pseudonym")?,
                },
                application: row.get("application_id")?,
                action: ReadAction::parse(&action)
                    .ok_or_else(|| corrupt("read action", &action))?,
            })
        })
        .collect()
    }
}
