//! What the cases share: a clock, accounts, contacts, messages and assertions.

use ecoute_domain::{
    AgeBand, CentreId, Channel, ClientMessageId, ConnectionId, Contact, ContactId, ContactKind,
    Gender, MessageBody, Pseudonym, RiskLevel, Role, StatsSheet, Timestamp, Transition,
    TransitionError, UserId, Username,
};
use ecoute_store::{Appended, NewContact, NewUser, Sender, Store, StoreError, TakeOutcome};

/// An arbitrary origin for the tests' clocks.
pub(crate) const T0: Timestamp = Timestamp(1_700_000_000_000);

pub(crate) const CENTRE: CentreId = CentreId::DEFAULT;

/// `secs` seconds after the origin.
pub(crate) fn at(secs: i64) -> Timestamp {
    T0.plus_millis(secs * 1000)
}

pub(crate) fn new_user(name: &str, role: Role) -> NewUser {
    NewUser {
        username: Username::parse(name).expect("valid username"),
        pseudonym: Pseudonym::parse(&format!("P {name}")).expect("valid pseudonym"),
        role,
        password_hash: format!("$argon2id$hash-of-{name}"),
        centre: CENTRE,
    }
}

pub(crate) async fn listener(store: &dyn Store, name: &str) -> UserId {
    store
        .create_user(&new_user(name, Role::Listener), at(0))
        .await
        .expect("create listener")
        .id
}

pub(crate) async fn listeners(store: &dyn Store, n: usize) -> Vec<UserId> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(listener(store, &format!("listener{i}")).await);
    }
    ids
}

pub(crate) fn new_contact(secs: i64) -> NewContact {
    let id = ContactId::new_random();
    NewContact {
        id,
        centre: CENTRE,
        channel: Channel::Chat,
        resume_hash: format!("resume-{id}"),
        now: at(secs),
        max_waiting: 1000,
    }
}

pub(crate) async fn waiting(store: &dyn Store, secs: i64) -> Contact {
    store
        .create_contact(&new_contact(secs))
        .await
        .expect("create contact")
}

pub(crate) async fn take(store: &dyn Store, who: UserId, secs: i64) -> Contact {
    match store
        .take_next(CENTRE, who, 10, at(secs))
        .await
        .expect("take_next")
    {
        TakeOutcome::Taken(c) => c,
        other => panic!("expected a contact, got {other:?}"),
    }
}

/// A contact taken by `who` at `answer` and ended by them at `end` (seconds).
pub(crate) async fn ended(
    store: &dyn Store,
    who: UserId,
    arrive: i64,
    answer: i64,
    end: i64,
) -> Contact {
    let c = waiting(store, arrive).await;
    let taken = take(store, who, answer).await;
    assert_eq!(taken.id, c.id, "the only waiting contact is taken");
    store
        .transition(c.id, Transition::ListenerEnds { listener: who }, at(end))
        .await
        .expect("end")
}

/// Background tasks stopped when the test ends, even by a panic (they would otherwise keep
/// using a store whose database is being removed).
pub(crate) struct AbortOnDrop<T>(pub(crate) Vec<tokio::task::JoinHandle<T>>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

pub(crate) fn cid(s: &str) -> ClientMessageId {
    ClientMessageId::parse(s).expect("valid client id")
}

pub(crate) fn body(s: &str) -> MessageBody {
    MessageBody::parse(s, MessageBody::DEFAULT_MAX_CHARS).expect("valid body")
}

pub(crate) async fn say(store: &dyn Store, c: ContactId, sender: Sender, id: &str) -> Appended {
    store
        .append_message(c, sender, &cid(id), &body(&format!("text {id}")), at(50))
        .await
        .expect("append")
}

pub(crate) fn sheet(contact: ContactId) -> StatsSheet {
    StatsSheet {
        contact,
        duration_seconds: 18 * 60,
        themes: vec!["solitude".into(), "grief".into()],
        age_band: AgeBand::From60To74,
        gender: Gender::Woman,
        contact_kind: ContactKind::First,
        risk: RiskLevel::Moderate,
        debrief_wanted: true,
    }
}

pub(crate) fn assert_transition(
    result: Result<impl std::fmt::Debug, StoreError>,
    want: TransitionError,
) {
    match result {
        Err(StoreError::Transition(got)) => assert_eq!(got, want),
        other => panic!("expected Transition({want:?}), got {other:?}"),
    }
}

pub(crate) fn assert_conflict(result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(StoreError::Conflict(msg)) => assert!(!msg.is_empty()),
        other => panic!("expected Conflict, got {other:?}"),
    }
}

pub(crate) fn assert_not_found(result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// A connection of `instance` (its id as the web layer builds it).
pub(crate) fn conn(instance: i64, local: u32) -> i64 {
    ConnectionId::new(u32::try_from(instance).expect("31-bit instance"), local).0
}

/// A count of `n` times `event` on day `day` for `campaign`.
pub fn count(
    campaign: Option<&ecoute_domain::CampaignCode>,
    day: i64,
    event: ecoute_domain::CampaignEvent,
    n: u64,
) -> ecoute_domain::CampaignCount {
    ecoute_domain::CampaignCount {
        campaign: campaign.cloned(),
        day: ecoute_domain::Day(day),
        event,
        count: n,
    }
}
