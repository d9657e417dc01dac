//! [`SupervisionStore`]: alerts, supervisors' notes, the audit of conversation reads, and the
//! live board's reads.

use super::{corrupt, count, get, to_contact, write_error, Args, Conn, Db, DbRow, Scalar};
use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
use crate::{NewAlert, Ongoing, RosterEntry, StoreError, StoreResult, SupervisionStore};
use async_trait::async_trait;
use ecoute_domain::triage::TriageLevel;
use ecoute_domain::{
    Alert, AlertId, AlertKind, AnsweredShare, CentreId, Contact, ContactId, ContactState,
    ConversationRead, Presence, PriorityChange, Timestamp, TransitionError, TriageRecord, UserId,
    Whisper,
};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// The columns of an alert with its listener's pseudonym, from `alerts a` (a `WHERE` follows).
const SELECT_ALERT: &str = "SELECT a.id, a.centre_id, a.contact_id, a.listener_id, \
    u.pseudonym AS listener_pseudonym, a.kind, a.raised_at, a.resolved_by, a.resolved_at \
    FROM alerts a LEFT JOIN users u ON u.id = a.listener_id";

/// The columns of a triage record (a `WHERE` follows).
const SELECT_TRIAGE: &str = "SELECT s.contact_id, s.version, s.level, s.other, s.triggers, s.at \
    FROM triage_scores s";

fn to_triage<R: Columns + ?Sized>(row: &R) -> StoreResult<TriageRecord> {
    let level = |col: &str| -> StoreResult<TriageLevel> {
        let name: String = row.get(col)?;
        TriageLevel::parse(&name).ok_or_else(|| corrupt("triage level", &name))
    };
    let triggers: String = row.get("triggers")?;
    Ok(TriageRecord {
        version: row.get("version")?,
        level: level("level")?,
        other: level("other")?,
        triggers: triggers
            .split('\n')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        at: Timestamp(row.get("at")?),
    })
}

/// The columns of a whisper with its writer's pseudonym (a `WHERE` follows).
const SELECT_WHISPER: &str = "SELECT w.contact_id, w.seq, w.from_id, u.pseudonym, w.body, w.at \
    FROM whispers w JOIN users u ON u.id = w.from_id";

fn to_alert<R: Columns + ?Sized>(row: &R) -> StoreResult<Alert> {
    let kind: String = row.get("kind")?;
    let resolved_by: Option<i64> = row.get("resolved_by")?;
    let resolved_at: Option<i64> = row.get("resolved_at")?;
    Ok(Alert {
        id: AlertId(row.get("id")?),
        centre: CentreId(row.get("centre_id")?),
        contact: row.get("contact_id")?,
        listener: row.get::<Option<i64>>("listener_id")?.map(UserId),
        listener_pseudonym: row.get("listener_pseudonym")?,
        kind: AlertKind::parse(&kind).ok_or_else(|| corrupt("alert kind", &kind))?,
        raised_at: Timestamp(row.get("raised_at")?),
        resolved: match (resolved_by, resolved_at) {
            (Some(by), Some(at)) => Some((UserId(by), Timestamp(at))),
            (None, None) => None,
            _ => return Err(corrupt("alert resolution", "half set")),
        },
    })
}

fn to_whisper<R: Columns + ?Sized>(row: &R) -> StoreResult<Whisper> {
    Ok(Whisper {
        contact: row.get("contact_id")?,
        seq: row.get("seq")?,
        from: UserId(row.get("from_id")?),
        from_pseudonym: row.get("pseudonym")?,
        body: row.get("body")?,
        at: Timestamp(row.get("at")?),
    })
}

#[async_trait]
impl<D> SupervisionStore for SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    Option<i64>: Scalar<Db<D>>,
    for<'q> &'q str: Encode<'q, Db<D>> + Type<Db<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
    usize: ColumnIndex<DbRow<D>>,
{
    async fn raise_alert(&self, new: &NewAlert) -> StoreResult<(Alert, bool)> {
        let new = new.clone();
        self.write(move |tx| {
            let new = new.clone();
            Box::pin(async move {
                let contact = Self::lock_contact(tx, new.contact).await?;
                let open = format!(
                    "{SELECT_ALERT} WHERE a.contact_id = $1 AND a.kind = $2 \
                     AND a.resolved_at IS NULL"
                );
                let args = [new.contact.into(), new.kind.as_str().into()];
                if let Some(row) = tx.optional(&open, &args).await? {
                    return Ok((to_alert(&row)?, false));
                }
                tx.exec(
                    "INSERT INTO alerts (id, centre_id, contact_id, listener_id, kind, raised_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        new.id.0.into(),
                        contact.centre.0.into(),
                        new.contact.into(),
                        new.listener.map(|u| u.0).into(),
                        new.kind.as_str().into(),
                        new.now.0.into(),
                    ],
                )
                .await
                // The contact is locked, so only a missing listener can fail here.
                .map_err(|e| write_error(e, "this alert is already open"))?;
                let row = tx.one(&open, &args).await?;
                Ok((to_alert(&row)?, true))
            })
        })
        .await
    }

    async fn alert(&self, id: AlertId) -> StoreResult<Option<Alert>> {
        sqlx::query(&format!("{SELECT_ALERT} WHERE a.id = $1"))
            .bind(D::id(id.0))
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(to_alert)
            .transpose()
    }

    async fn resolve_alert(&self, id: AlertId, by: UserId, now: Timestamp) -> StoreResult<Alert> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    "UPDATE alerts SET resolved_by = $2, resolved_at = $3 \
                     WHERE id = $1 AND resolved_at IS NULL",
                    &[id.0.into(), by.0.into(), now.0.into()],
                )
                .await
                .map_err(|e| write_error(e, "alert update refused"))?;
                let row = tx
                    .optional(&format!("{SELECT_ALERT} WHERE a.id = $1"), &[id.0.into()])
                    .await?
                    .ok_or(StoreError::NotFound)?;
                to_alert(&row)
            })
        })
        .await
    }

    async fn open_alerts(&self, centre: CentreId) -> StoreResult<Vec<Alert>> {
        sqlx::query(&format!(
            "{SELECT_ALERT} WHERE a.centre_id = $1 AND a.resolved_at IS NULL \
             ORDER BY a.raised_at, a.id"
        ))
        .bind(centre.0)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_alert)
        .collect()
    }

    async fn add_whisper(
        &self,
        contact: ContactId,
        from: UserId,
        body: &str,
        now: Timestamp,
    ) -> StoreResult<Whisper> {
        let body = body.to_owned();
        self.write(move |tx| {
            let body = body.clone();
            Box::pin(async move {
                let c = Self::lock_contact(tx, contact).await?;
                match c.state {
                    ContactState::Active { .. } => {}
                    ContactState::Ended { .. } => {
                        return Err(TransitionError::AlreadyEnded.into());
                    }
                    ContactState::Waiting => return Err(TransitionError::NotActive.into()),
                }
                let seq: i64 = tx
                    .one(
                        "SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM whispers \
                         WHERE contact_id = $1",
                        &[contact.into()],
                    )
                    .await?
                    .get("seq")?;
                tx.exec(
                    "INSERT INTO whispers (contact_id, seq, from_id, body, at) \
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        contact.into(),
                        seq.into(),
                        from.0.into(),
                        body.as_str().into(),
                        now.0.into(),
                    ],
                )
                .await
                .map_err(|e| write_error(e, "this note is already written"))?;
                let row = tx
                    .one(
                        &format!("{SELECT_WHISPER} WHERE w.contact_id = $1 AND w.seq = $2"),
                        &[contact.into(), seq.into()],
                    )
                    .await?;
                to_whisper(&row)
            })
        })
        .await
    }

    async fn whispers(&self, contact: ContactId) -> StoreResult<Vec<Whisper>> {
        sqlx::query(&format!(
            "{SELECT_WHISPER} WHERE w.contact_id = $1 ORDER BY w.seq"
        ))
        .bind(D::id(contact.0))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_whisper)
        .collect()
    }

    async fn record_conversation_read(
        &self,
        reader: UserId,
        contact: ContactId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    "INSERT INTO conversation_reads (at, reader_id, contact_id) \
                     VALUES ($1, $2, $3)",
                    &[now.0.into(), reader.0.into(), contact.into()],
                )
                .await
                .map_err(|e| write_error(e, "read already recorded"))?;
                Ok(())
            })
        })
        .await
    }

    async fn record_triage(
        &self,
        contact: ContactId,
        record: &TriageRecord,
    ) -> StoreResult<TriageRecord> {
        let record = record.clone();
        self.write(move |tx| {
            let record = record.clone();
            Box::pin(async move {
                Self::lock_contact(tx, contact).await?;
                let stored = tx
                    .optional(
                        &format!("{SELECT_TRIAGE} WHERE s.contact_id = $1"),
                        &[contact.into()],
                    )
                    .await?
                    .as_ref()
                    .map(to_triage)
                    .transpose()?;
                let merged = match &stored {
                    Some(earlier) => earlier.merged(&record),
                    None => record,
                };
                // One trigger per line: a trigger never holds one.
                let triggers = merged
                    .triggers
                    .iter()
                    .map(|t| t.replace(['\n', '\r'], " "))
                    .collect::<Vec<_>>()
                    .join("\n");
                let args = [
                    contact.into(),
                    merged.version.as_str().into(),
                    merged.level.as_str().into(),
                    merged.other.as_str().into(),
                    triggers.as_str().into(),
                    merged.at.0.into(),
                ];
                let sql = if stored.is_some() {
                    "UPDATE triage_scores SET version = $2, level = $3, other = $4, \
                     triggers = $5, at = $6 WHERE contact_id = $1"
                } else {
                    "INSERT INTO triage_scores (contact_id, version, level, other, triggers, at) \
                     VALUES ($1, $2, $3, $4, $5, $6)"
                };
                tx.exec(sql, &args)
                    .await
                    .map_err(|e| write_error(e, "triage already recorded"))?;
                Ok(merged)
            })
        })
        .await
    }

    async fn triage(&self, contact: ContactId) -> StoreResult<Option<TriageRecord>> {
        sqlx::query(&format!("{SELECT_TRIAGE} WHERE s.contact_id = $1"))
            .bind(D::id(contact.0))
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(to_triage)
            .transpose()
    }

    async fn waiting_triage(
        &self,
        centre: CentreId,
    ) -> StoreResult<Vec<(ContactId, TriageRecord)>> {
        sqlx::query(&format!(
            "{SELECT_TRIAGE} JOIN contacts c ON c.id = s.contact_id \
             WHERE c.centre_id = $1 AND c.state = 'waiting'"
        ))
        .bind(centre.0)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| Ok((row.get("contact_id")?, to_triage(row)?)))
        .collect()
    }

    async fn set_priority_by_hand(
        &self,
        contact: ContactId,
        by: UserId,
        priority: i32,
        now: Timestamp,
    ) -> StoreResult<(Contact, i32)> {
        self.write(move |tx| {
            Box::pin(async move {
                let before = Self::lock_contact(tx, contact).await?;
                match before.state {
                    ContactState::Waiting => {}
                    ContactState::Ended { .. } => return Err(TransitionError::AlreadyEnded.into()),
                    ContactState::Active { .. } => return Err(TransitionError::NotWaiting.into()),
                }
                let after = before.with_priority(priority)?;
                Self::write_contact(tx, &after).await?;
                tx.exec(
                    "INSERT INTO priority_changes (at, user_id, contact_id, from_priority, \
                     to_priority) VALUES ($1, $2, $3, $4, $5)",
                    &[
                        now.0.into(),
                        by.0.into(),
                        contact.into(),
                        i64::from(before.priority).into(),
                        i64::from(priority).into(),
                    ],
                )
                .await
                .map_err(|e| write_error(e, "priority change refused"))?;
                Ok((after, before.priority))
            })
        })
        .await
    }

    async fn transfer_contact(
        &self,
        contact: ContactId,
        to: UserId,
        capacity: u32,
    ) -> StoreResult<(Contact, UserId)> {
        self.write(move |tx| {
            Box::pin(async move {
                let before = Self::lock_contact(tx, contact).await?;
                let after = before.after_transfer(to)?;
                let from = before.state.listener().ok_or(TransitionError::NotActive)?;
                let held: i64 = tx
                    .one(
                        "SELECT COUNT(*) AS n FROM contacts WHERE state = 'active' \
                         AND listener_id = $1",
                        &[to.0.into()],
                    )
                    .await?
                    .get("n")?;
                if count(held)? >= u64::from(capacity) {
                    return Err(StoreError::AtCapacity);
                }
                Self::write_contact(tx, &after)
                    .await
                    .map_err(|e| write_error(e, "transfer refused"))?;
                Ok((after, from))
            })
        })
        .await
    }

    async fn priority_changes(&self, limit: u32) -> StoreResult<Vec<PriorityChange>> {
        sqlx::query(
            "SELECT p.at, p.user_id, u.pseudonym, p.contact_id, p.from_priority, p.to_priority \
             FROM priority_changes p JOIN users u ON u.id = p.user_id \
             ORDER BY p.at DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            let priority = |col: &str| -> StoreResult<i32> {
                let n: i64 = row.get(col)?;
                i32::try_from(n).map_err(|_| corrupt("priority", &n.to_string()))
            };
            Ok(PriorityChange {
                at: Timestamp(row.get("at")?),
                by: UserId(row.get("user_id")?),
                by_pseudonym: row.get("pseudonym")?,
                contact: row.get("contact_id")?,
                from: priority("from_priority")?,
                to: priority("to_priority")?,
            })
        })
        .collect()
    }

    async fn conversation_reads(&self, limit: u32) -> StoreResult<Vec<ConversationRead>> {
        sqlx::query(
            "SELECT r.at, r.reader_id, u.pseudonym, r.contact_id \
             FROM conversation_reads r JOIN users u ON u.id = r.reader_id \
             ORDER BY r.at DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            Ok(ConversationRead {
                at: Timestamp(row.get("at")?),
                reader: UserId(row.get("reader_id")?),
                reader_pseudonym: row.get("pseudonym")?,
                contact: row.get("contact_id")?,
            })
        })
        .collect()
    }

    async fn in_progress(&self, centre: CentreId) -> StoreResult<Vec<Ongoing>> {
        sqlx::query(
            "SELECT c.id, c.centre_id, c.channel, c.state, c.listener_id, c.priority, \
             c.is_returning, c.created_at, c.queued_at, c.answered_at, c.ended_at, \
             c.wait_seconds, c.end_reason, c.last_seq, u.pseudonym \
             FROM contacts c JOIN users u ON u.id = c.listener_id \
             WHERE c.centre_id = $1 AND c.state = 'active' \
             ORDER BY c.answered_at, c.id",
        )
        .bind(centre.0)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            Ok(Ongoing {
                contact: to_contact(row)?,
                listener_pseudonym: row.get("pseudonym")?,
            })
        })
        .collect()
    }

    async fn roster(&self, centre: CentreId) -> StoreResult<Vec<RosterEntry>> {
        sqlx::query(
            "SELECT u.id, u.pseudonym, p.presence, p.changed_at, p.away_since, \
             (SELECT COUNT(*) FROM contacts c WHERE c.state = 'active' \
              AND c.listener_id = u.id) AS conversations \
             FROM users u JOIN listener_presence p ON p.user_id = u.id \
             WHERE u.centre_id = $1 AND NOT u.disabled AND p.presence <> 'offline' \
             ORDER BY u.pseudonym, u.id",
        )
        .bind(centre.0)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|row| {
            let presence: String = row.get("presence")?;
            let conversations = count(get(row, "conversations")?)?;
            let away: Option<i64> = row.get("away_since")?;
            Ok(RosterEntry {
                user: UserId(row.get("id")?),
                pseudonym: row.get("pseudonym")?,
                presence: Presence::parse(&presence)
                    .ok_or_else(|| corrupt("presence", &presence))?,
                conversations: u32::try_from(conversations)
                    .map_err(|_| corrupt("conversation count", &conversations.to_string()))?,
                since: row.get::<Option<i64>>("changed_at")?.map(Timestamp),
                away: away.is_some(),
            })
        })
        .collect()
    }

    async fn answered_share(
        &self,
        centre: CentreId,
        since: Timestamp,
    ) -> StoreResult<AnsweredShare> {
        let row = sqlx::query(
            "SELECT \
             COALESCE(SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS answered, \
             COALESCE(SUM(CASE WHEN answered_at IS NOT NULL OR state = 'ended' \
                 THEN 1 ELSE 0 END), 0) AS settled \
             FROM contacts WHERE centre_id = $1 AND channel = 'chat' AND created_at >= $2 \
             AND (end_reason IS NULL OR end_reason <> 'never_connected')",
        )
        .bind(centre.0)
        .bind(since.0)
        .fetch_one(&self.read)
        .await?;
        Ok(AnsweredShare {
            answered: count(get(&row, "answered")?)?,
            settled: count(get(&row, "settled")?)?,
        })
    }
}
