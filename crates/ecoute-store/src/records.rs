//! What both backends share: rows as plain values, their conversion to domain types (a value
//! the code cannot read is [`StoreError::Corrupt`], never a panic), and the rules a write
//! checks before it touches the database. Each backend only says how to read and write rows.

use crate::{CentreCounts, Sender, StoreError, StoreResult, User};
use ecoute_domain::{
    AgeBand, Author, CentreId, Channel, ClientMessageId, Contact, ContactId, ContactKind,
    ContactState, EndReason, Gender, Message, Presence, RiskLevel, Role, StatsSheet, Timestamp,
    Transition, TransitionError, UserId, Writer,
};
use sqlx::{ColumnIndex, Decode, Row, Type};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Reads column `col` of `row`; a missing column or an undecodable value is a corrupt store.
pub(crate) fn get<'r, R, T>(row: &'r R, col: &str) -> StoreResult<T>
where
    R: Row,
    T: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    row.try_get(col)
        .map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

/// Parses a stored contact id (TEXT in SQLite).
pub(crate) fn parse_uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| StoreError::Corrupt(format!("contact id {s:?}")))
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// A contacts row.
pub(crate) struct ContactRecord {
    pub id: Uuid,
    pub centre: i64,
    pub channel: String,
    pub state: String,
    pub listener: Option<i64>,
    pub priority: i32,
    pub returning: bool,
    pub created_at: i64,
    pub queued_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub wait_seconds: Option<i64>,
    pub end_reason: Option<String>,
    pub last_seq: i64,
}

/// The columns of a [`ContactRecord`], then `FROM contacts` (an alias may follow).
pub(crate) const SELECT_CONTACT: &str = "SELECT id, centre_id, channel, state, listener_id, \
    priority, is_returning, created_at, queued_at, answered_at, ended_at, wait_seconds, \
    end_reason, last_seq FROM contacts";

/// The columns of a [`UserRecord`] from a table aliased `u` (more columns and `FROM` follow).
pub(crate) const SELECT_USER: &str =
    "SELECT u.id, u.username, u.pseudonym, u.role, u.centre_id, u.disabled, u.created_at";

/// The columns of a [`MessageRecord`], with the writing listener's pseudonym, from
/// `messages` (a `WHERE` on its columns may follow).
pub(crate) const SELECT_MESSAGE: &str =
    "SELECT m.contact_id, m.seq, m.author, m.client_id, m.body, m.at, m.listener_id, \
     u.pseudonym AS listener FROM messages m LEFT JOIN users u ON u.id = m.listener_id";

/// One row if contact `$1`'s person has been away since `$2` or earlier.
pub(crate) const PERSON_STILL_AWAY: &str = "SELECT 1 FROM contacts \
    WHERE id = $1 AND person_away_since IS NOT NULL AND person_away_since <= $2";

/// One row if listener `$1` has been away since `$2` or earlier.
pub(crate) const LISTENER_STILL_AWAY: &str = "SELECT 1 FROM listener_presence \
    WHERE user_id = $1 AND away_since IS NOT NULL AND away_since <= $2";

/// Sets listener `$1` offline at `$3` if away since `$2` or earlier and not offline yet.
pub(crate) const SET_OFFLINE_IF_AWAY: &str = "UPDATE listener_presence \
    SET presence = 'offline', changed_at = $3 WHERE user_id = $1 AND presence <> 'offline' \
    AND away_since IS NOT NULL AND away_since <= $2";

/// The columns of a [`SheetRecord`] but its themes, then `FROM stats_sheets`.
pub(crate) const SELECT_SHEET: &str = "SELECT contact_id, duration_seconds, age_band, gender, \
    contact_kind, risk, debrief_wanted FROM stats_sheets";

/// Available, enabled listeners of a centre (`$1`), and those of them with no conversation.
pub(crate) const DUTY_QUERY: &str = "SELECT COUNT(*) AS on_duty, \
    COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM contacts c \
        WHERE c.state = 'active' AND c.listener_id = u.id) THEN 0 ELSE 1 END), 0) AS free \
    FROM users u JOIN listener_presence p ON p.user_id = u.id \
    WHERE u.centre_id = $1 AND p.presence = 'available' AND NOT u.disabled";

/// Waiting and active contacts per centre.
pub(crate) const CONTACT_COUNTS_QUERY: &str = "SELECT centre_id, \
    SUM(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
    SUM(CASE WHEN state = 'active' THEN 1 ELSE 0 END) AS active \
    FROM contacts WHERE state IN ('waiting', 'active') GROUP BY centre_id";

/// [`DUTY_QUERY`] for every centre at once.
pub(crate) const DUTY_COUNTS_QUERY: &str = "SELECT u.centre_id, COUNT(*) AS on_duty, \
    COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM contacts c \
        WHERE c.state = 'active' AND c.listener_id = u.id) THEN 0 ELSE 1 END), 0) AS free \
    FROM users u JOIN listener_presence p ON p.user_id = u.id \
    WHERE p.presence = 'available' AND NOT u.disabled GROUP BY u.centre_id";

/// Merges the rows of [`CONTACT_COUNTS_QUERY`] and [`DUTY_COUNTS_QUERY`] by centre, in
/// centre order.
pub(crate) fn centre_counts<R>(contacts: &[R], duty: &[R]) -> StoreResult<Vec<CentreCounts>>
where
    R: Row,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    fn slot(map: &mut BTreeMap<i64, CentreCounts>, centre: i64) -> &mut CentreCounts {
        map.entry(centre).or_insert(CentreCounts {
            centre: CentreId(centre),
            waiting: 0,
            active: 0,
            on_duty: 0,
            free: 0,
        })
    }
    let mut by_centre = BTreeMap::new();
    for row in contacts {
        let c = slot(&mut by_centre, get(row, "centre_id")?);
        c.waiting = count(get(row, "waiting")?)?;
        c.active = count(get(row, "active")?)?;
    }
    for row in duty {
        let c = slot(&mut by_centre, get(row, "centre_id")?);
        c.on_duty = count(get(row, "on_duty")?)?;
        c.free = count(get(row, "free")?)?;
    }
    Ok(by_centre.into_values().collect())
}

/// Listeners away since `$1` or earlier who still hold a presence or a conversation.
pub(crate) const LISTENERS_AWAY_QUERY: &str = "SELECT p.user_id FROM listener_presence p \
    WHERE p.away_since <= $1 AND (p.presence <> 'offline' OR EXISTS (SELECT 1 FROM contacts c \
        WHERE c.state = 'active' AND c.listener_id = p.user_id)) \
    ORDER BY p.away_since, p.user_id";

/// Records instance `$1`'s heartbeat at `$2`.
pub(crate) const HEARTBEAT: &str = "INSERT INTO instances (id, heartbeat_at) VALUES ($1, $2) \
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at";

/// Deletes the instances whose last heartbeat is at or before `$1`, returning each one's id
/// and last heartbeat. Deleting is what claims them: a concurrent caller cannot delete them
/// again, so each dead instance is processed once.
pub(crate) const DELETE_DEAD_INSTANCES: &str =
    "DELETE FROM instances WHERE heartbeat_at <= $1 RETURNING id, heartbeat_at";

/// Detaches, as of `$2`, the persons connected through instance `$1` (a connection id's
/// instance is its upper 32 bits); returns their contacts. Ended contacts are left alone:
/// nobody sweeps them, and leaving them out keeps this update off the rows the purge writes.
pub(crate) const DETACH_DEAD_PERSONS: &str = "UPDATE contacts \
    SET person_conn = NULL, person_away_since = $2 \
    WHERE (person_conn >> 32) = $1 AND person_away_since IS NULL AND state <> 'ended' \
    RETURNING id";

/// Detaches, as of `$2`, the listeners whose workspace was connected through instance `$1`;
/// returns them.
pub(crate) const DETACH_DEAD_LISTENERS: &str = "UPDATE listener_presence \
    SET conn = NULL, away_since = $2 \
    WHERE (conn >> 32) = $1 AND away_since IS NULL \
    RETURNING user_id";

/// The serve order of [`ecoute_domain::QueueEntry::serve_order`] in SQL.
pub(crate) const SERVE_ORDER: &str = "priority DESC, is_returning DESC, queued_at ASC, id ASC";

impl ContactRecord {
    /// The domain contact.
    pub fn into_contact(self) -> StoreResult<Contact> {
        let state = match self.state.as_str() {
            "waiting" => ContactState::Waiting,
            "active" => ContactState::Active {
                listener: UserId(
                    self.listener
                        .ok_or_else(|| corrupt("active contact without listener", ""))?,
                ),
            },
            "ended" => {
                let reason = self.end_reason.as_deref().unwrap_or("");
                ContactState::Ended {
                    reason: EndReason::parse(reason)
                        .ok_or_else(|| corrupt("end reason", reason))?,
                }
            }
            other => return Err(corrupt("contact state", other)),
        };
        Ok(Contact {
            id: ContactId(self.id),
            centre: CentreId(self.centre),
            channel: Channel::parse(&self.channel)
                .ok_or_else(|| corrupt("channel", &self.channel))?,
            state,
            listener: self.listener.map(UserId),
            priority: self.priority,
            returning: self.returning,
            created_at: Timestamp(self.created_at),
            queued_at: Timestamp(self.queued_at),
            answered_at: self.answered_at.map(Timestamp),
            ended_at: self.ended_at.map(Timestamp),
            wait_seconds: self.wait_seconds,
            last_seq: self.last_seq,
        })
    }
}

/// The stored name of a state and its end reason, the inverse of [`ContactRecord::into_contact`].
pub(crate) fn state_columns(state: ContactState) -> (&'static str, Option<&'static str>) {
    match state {
        ContactState::Ended { reason } => ("ended", Some(reason.as_str())),
        other => (other.name(), None),
    }
}

/// A users row.
pub(crate) struct UserRecord {
    pub id: i64,
    pub username: String,
    pub pseudonym: String,
    pub role: String,
    pub centre: i64,
    pub disabled: bool,
    pub created_at: i64,
}

impl UserRecord {
    /// The domain account.
    pub fn into_user(self) -> StoreResult<User> {
        Ok(User {
            id: UserId(self.id),
            role: Role::parse(&self.role).ok_or_else(|| corrupt("role", &self.role))?,
            username: self.username,
            pseudonym: self.pseudonym,
            centre: CentreId(self.centre),
            disabled: self.disabled,
            created_at: Timestamp(self.created_at),
        })
    }
}

/// A messages row.
pub(crate) struct MessageRecord {
    pub contact: Uuid,
    pub seq: i64,
    pub author: String,
    pub client_id: String,
    pub body: String,
    pub at: i64,
    /// The listener who wrote it.
    pub listener_id: Option<i64>,
    /// Their pseudonym (from the join with `users`).
    pub listener: Option<String>,
}

impl MessageRecord {
    /// The domain message.
    pub fn into_message(self) -> StoreResult<Message> {
        Ok(Message {
            contact: ContactId(self.contact),
            seq: self.seq,
            author: Author::parse(&self.author).ok_or_else(|| corrupt("author", &self.author))?,
            client_id: ClientMessageId::parse(&self.client_id)
                .map_err(|_| corrupt("client message id", &self.client_id))?,
            body: self.body,
            at: Timestamp(self.at),
            listener: match (self.listener_id, self.listener) {
                (Some(id), Some(pseudonym)) => Some(Writer {
                    id: UserId(id),
                    pseudonym,
                }),
                _ => None,
            },
        })
    }
}

/// A stats_sheets row with its themes in order.
pub(crate) struct SheetRecord {
    pub contact: Uuid,
    pub duration_seconds: i64,
    pub themes: Vec<String>,
    pub age_band: String,
    pub gender: String,
    pub contact_kind: String,
    pub risk: String,
    pub debrief_wanted: bool,
}

impl SheetRecord {
    /// The domain sheet.
    pub fn into_sheet(self) -> StoreResult<StatsSheet> {
        Ok(StatsSheet {
            contact: ContactId(self.contact),
            duration_seconds: self.duration_seconds,
            themes: self.themes,
            age_band: AgeBand::parse(&self.age_band)
                .ok_or_else(|| corrupt("age band", &self.age_band))?,
            gender: Gender::parse(&self.gender).ok_or_else(|| corrupt("gender", &self.gender))?,
            contact_kind: ContactKind::parse(&self.contact_kind)
                .ok_or_else(|| corrupt("contact kind", &self.contact_kind))?,
            risk: RiskLevel::parse(&self.risk).ok_or_else(|| corrupt("risk", &self.risk))?,
            debrief_wanted: self.debrief_wanted,
        })
    }
}

/// Parses a stored presence.
pub(crate) fn parse_presence(s: &str) -> StoreResult<Presence> {
    Presence::parse(s).ok_or_else(|| corrupt("presence", s))
}

/// The contact after `transition` at `now`, following [`ContactState::apply`] and filling the
/// times statistics need. `Take` is refused here: only `take_next` may take, so that no
/// contact is ever answered out of queue order or over a listener's capacity.
pub(crate) fn after_transition(
    contact: &Contact,
    transition: Transition,
    now: Timestamp,
) -> StoreResult<Contact> {
    if matches!(transition, Transition::Take { .. }) {
        return Err(StoreError::Conflict(
            "a contact is taken with take_next, in queue order".into(),
        ));
    }
    let state = contact.state.apply(transition)?;
    let mut next = contact.clone();
    next.state = state;
    match state {
        ContactState::Waiting => {
            // Requeue: back at the head of its priority, as a returning person. The last
            // listener stays recorded (they answered), only the state no longer names them.
            next.returning = true;
            next.queued_at = now;
        }
        ContactState::Ended { .. } => {
            next.ended_at = Some(now);
            if next.answered_at.is_none() {
                next.wait_seconds = Some(now.seconds_since(contact.created_at));
            }
        }
        ContactState::Active { .. } => {
            return Err(StoreError::Conflict(
                "a contact is taken with take_next, in queue order".into(),
            ))
        }
    }
    Ok(next)
}

/// The contact after `listener` takes it at `now`.
pub(crate) fn after_take(
    contact: &Contact,
    listener: UserId,
    now: Timestamp,
) -> StoreResult<Contact> {
    let state = contact.state.apply(Transition::Take { listener })?;
    let mut next = contact.clone();
    next.state = state;
    next.listener = Some(listener);
    if next.answered_at.is_none() {
        next.answered_at = Some(now);
        next.wait_seconds = Some(now.seconds_since(contact.created_at));
    }
    Ok(next)
}

/// Whether `sender` may write in `contact` now: the person while waiting or in conversation,
/// a listener only in their own conversation.
pub(crate) fn check_may_write(
    contact: &Contact,
    sender: Sender,
) -> Result<Author, TransitionError> {
    match (contact.state, sender) {
        (ContactState::Ended { .. }, _) => Err(TransitionError::AlreadyEnded),
        (_, Sender::Person) => Ok(Author::Person),
        (ContactState::Active { listener }, Sender::Listener(who)) if listener == who => {
            Ok(Author::Listener)
        }
        (_, Sender::Listener(_)) => Err(TransitionError::NotYourContact),
    }
}

/// Whether `listener` may file the statistics sheet of `contact`: it must have ended and they
/// must be the last listener who answered it.
pub(crate) fn check_may_file_sheet(
    contact: &Contact,
    listener: UserId,
) -> Result<(), TransitionError> {
    if contact.listener != Some(listener) || contact.answered_at.is_none() {
        return Err(TransitionError::NotYourContact);
    }
    match contact.state {
        ContactState::Ended { .. } => Ok(()),
        // The domain has no "not ended yet" refusal; "not in conversation" is the closest
        // there is, and the web layer only needs to know that the rules refused.
        _ => Err(TransitionError::NotActive),
    }
}

/// The refusal of a resend whose id the other side of the conversation already used.
pub(crate) fn check_resend(existing: &Message, sender: Sender) -> StoreResult<()> {
    let author = match sender {
        Sender::Person => Author::Person,
        Sender::Listener(_) => Author::Listener,
    };
    if existing.author == author {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "this message id is already used by the other side of the conversation".into(),
        ))
    }
}

/// Maps a failed write: a uniqueness violation becomes [`StoreError::Conflict`] with
/// `conflict`, a missing referenced row (foreign key) [`StoreError::NotFound`].
pub(crate) fn write_error(e: sqlx::Error, conflict: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(conflict.to_owned());
        }
        if db.is_foreign_key_violation() {
            return StoreError::NotFound;
        }
    }
    StoreError::Database(e)
}

/// Converts a count read from the database.
pub(crate) fn count(n: i64) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative count {n}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(state: ContactState) -> Contact {
        Contact {
            id: ContactId(Uuid::nil()),
            centre: CentreId::DEFAULT,
            channel: Channel::Chat,
            state,
            listener: state.listener(),
            priority: 0,
            returning: false,
            created_at: Timestamp(0),
            queued_at: Timestamp(0),
            answered_at: state.listener().map(|_| Timestamp(30_000)),
            ended_at: None,
            wait_seconds: state.listener().map(|_| 30),
            last_seq: 0,
        }
    }

    #[test]
    fn state_columns_round_trip() {
        for state in [
            ContactState::Waiting,
            ContactState::Active {
                listener: UserId(3),
            },
            ContactState::Ended {
                reason: EndReason::PersonVanished,
            },
        ] {
            let (name, reason) = state_columns(state);
            let c = contact(state);
            let rec = ContactRecord {
                id: Uuid::nil(),
                centre: 1,
                channel: "chat".into(),
                state: name.into(),
                listener: state.listener().map(|u| u.0).or(Some(3)),
                priority: 0,
                returning: false,
                created_at: 0,
                queued_at: 0,
                answered_at: c.answered_at.map(|t| t.0),
                ended_at: None,
                wait_seconds: c.wait_seconds,
                end_reason: reason.map(str::to_owned),
                last_seq: 0,
            };
            assert_eq!(rec.into_contact().expect("allowed").state, state);
        }
    }

    #[test]
    fn unreadable_values_are_corrupt_not_panics() {
        let rec = ContactRecord {
            id: Uuid::nil(),
            centre: 1,
            channel: "chat".into(),
            state: "active".into(),
            listener: None,
            priority: 0,
            returning: false,
            created_at: 0,
            queued_at: 0,
            answered_at: None,
            ended_at: None,
            wait_seconds: None,
            end_reason: None,
            last_seq: 0,
        };
        assert!(matches!(rec.into_contact(), Err(StoreError::Corrupt(_))));
        assert!(matches!(parse_uuid("nope"), Err(StoreError::Corrupt(_))));
        assert!(matches!(
            parse_presence("busy"),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn requeue_and_ends_fill_the_times() {
        let active = contact(ContactState::Active {
            listener: UserId(3),
        });
        let back =
            after_transition(&active, Transition::Requeue, Timestamp(90_000)).expect("allowed");
        assert_eq!(back.state, ContactState::Waiting);
        assert!(back.returning);
        assert_eq!(back.queued_at, Timestamp(90_000));
        assert_eq!(back.listener, Some(UserId(3)));
        assert_eq!(back.wait_seconds, Some(30));

        let waiting = contact(ContactState::Waiting);
        let gone =
            after_transition(&waiting, Transition::PersonEnds, Timestamp(75_000)).expect("allowed");
        assert_eq!(gone.wait_seconds, Some(75));
        assert_eq!(gone.ended_at, Some(Timestamp(75_000)));

        assert!(matches!(
            after_transition(
                &waiting,
                Transition::Take {
                    listener: UserId(1)
                },
                Timestamp(1)
            ),
            Err(StoreError::Conflict(_))
        ));
    }

    #[test]
    fn who_may_write() {
        let active = contact(ContactState::Active {
            listener: UserId(3),
        });
        assert_eq!(
            check_may_write(&active, Sender::Listener(UserId(3))),
            Ok(Author::Listener)
        );
        assert_eq!(
            check_may_write(&active, Sender::Listener(UserId(4))),
            Err(TransitionError::NotYourContact)
        );
        let waiting = contact(ContactState::Waiting);
        assert_eq!(
            check_may_write(&waiting, Sender::Person),
            Ok(Author::Person)
        );
        assert_eq!(
            check_may_write(&waiting, Sender::Listener(UserId(3))),
            Err(TransitionError::NotYourContact)
        );
    }
}
