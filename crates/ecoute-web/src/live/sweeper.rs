//! Applies the reconnection delays: a person who does not come back ends their contact
//! (abandoned while waiting, vanished in conversation); a listener who does not come back
//! sends their conversations back to the head of the queue and goes offline. A contact whose
//! page never connected within `chat.hello_grace_seconds` leaves the queue as never
//! connected, so that joins nobody follows up cannot fill the queue for good.
//!
//! The state lives in the store (who is away since when), so that any instance's sweeper can
//! act and the guarded transitions make sure only one does. Instances also record heartbeats:
//! the sockets of an instance that died without closing them count as closed.

use ecoute_domain::{Author, Event, Timestamp, Topic, Transition, UserId};
use ecoute_store::{Away, Store, StoreError, StoreResult};
use std::sync::Arc;
use std::time::Duration;

use super::{publish, publish_contact_change};
use crate::clock;
use crate::state::AppState;

/// Sweeps forever, at a pace fitted to the shortest delay.
pub async fn run_sweeper(state: AppState) {
    let chat = &state.config.chat;
    let shortest = chat
        .person_return_seconds
        .min(chat.listener_return_seconds)
        .min(chat.hello_grace_seconds);
    let period = Duration::from_millis((shortest * 1000 / 4).clamp(200, 5000));
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        if let Err(e) = sweep_once(&state).await {
            tracing::warn!(error = %e, "sweep failed; will retry");
        }
    }
}

/// Every instance says it is alive this often…
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// …and is taken for dead, its sockets for closed, after this long without a heartbeat.
const DEAD_AFTER_MS: i64 = 15_000;

/// Records this instance's heartbeat forever, so that other instances can tell it is alive.
pub async fn run_heartbeat(state: AppState) {
    let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
    loop {
        tick.tick().await;
        let instance = i64::from(state.instance);
        if let Err(e) = state.store.heartbeat(instance, clock::now()).await {
            tracing::warn!(error = %e, "heartbeat failed; will retry");
        }
    }
}

/// One pass.
pub async fn sweep_once(state: &AppState) -> StoreResult<()> {
    let now = clock::now();
    let chat = &state.config.chat;
    let store: &Arc<dyn Store> = &state.store;

    // Sockets of an instance that died (killed, crashed) never closed: the store now counts
    // them as closed at the instance's last heartbeat, and the other side is told.
    let dead = store
        .detach_dead_instances(now.plus_millis(-DEAD_AFTER_MS))
        .await?;
    for contact in dead.persons {
        let event = Event::Connection {
            contact,
            author: Author::Person,
            away: true,
        };
        publish(state.bus.as_ref(), Topic::Contact(contact), event).await;
    }
    for listener in dead.listeners {
        for contact in store.active_for_listener(listener).await? {
            let event = Event::Connection {
                contact: contact.id,
                author: Author::Listener,
                away: true,
            };
            publish(state.bus.as_ref(), Topic::Contact(contact.id), event).await;
        }
    }

    // Joined but never connected: nobody is there to tell; the queue changes, and a listener
    // who took such a contact in the meantime is told it ended.
    let hello_cutoff = now.plus_millis(-((chat.hello_grace_seconds * 1000) as i64));
    let ghosts = store.end_never_connected(hello_cutoff, now).await?;
    for contact in &ghosts {
        publish_contact_change(state.bus.as_ref(), contact).await;
    }
    if !ghosts.is_empty() {
        tracing::info!(
            count = ghosts.len(),
            "contacts whose page never connected left the queue"
        );
        state.metrics.contacts_never_connected(ghosts.len() as u64);
    }

    let person_cutoff = now.plus_millis(-((chat.person_return_seconds * 1000) as i64));
    for id in store.persons_away_since(person_cutoff).await? {
        let away = Away::Person {
            before: person_cutoff,
        };
        match store
            .transition_if_away(id, Transition::PersonVanishes, away, now)
            .await
        {
            Ok(Some(contact)) => publish_contact_change(state.bus.as_ref(), &contact).await,
            // Back in time, or ended meanwhile by someone else: nothing to do.
            Ok(None) | Err(StoreError::Transition(_)) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }

    let listener_cutoff = now.plus_millis(-((chat.listener_return_seconds * 1000) as i64));
    for user in store.listeners_away_since(listener_cutoff).await? {
        release_listener(state, user, listener_cutoff).await?;
    }
    Ok(())
}

/// Sends the conversations of a listener absent since `cutoff` back to the queue and sets
/// them offline, unless they come back meanwhile.
async fn release_listener(state: &AppState, user: UserId, cutoff: Timestamp) -> StoreResult<()> {
    let now = clock::now();
    let away = Away::Listener {
        user,
        before: cutoff,
    };
    for contact in state.store.active_for_listener(user).await? {
        match state
            .store
            .transition_if_away(contact.id, Transition::Requeue, away, now)
            .await
        {
            Ok(Some(requeued)) => {
                tracing::info!("listener away too long: conversation back to the queue");
                publish_contact_change(state.bus.as_ref(), &requeued).await;
            }
            // Back in time: they keep their conversations and their presence.
            Ok(None) => return Ok(()),
            Err(StoreError::Transition(_)) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    if state.store.set_offline_if_away(user, cutoff, now).await? {
        if let Some(u) = state.store.user(user).await? {
            publish(
                state.bus.as_ref(),
                Topic::Centre(u.centre),
                Event::QueueChanged { centre: u.centre },
            )
            .await;
        }
    }
    Ok(())
}
