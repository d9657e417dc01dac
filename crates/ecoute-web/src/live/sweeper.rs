//! Applies the reconnection delays: a person who does not come back ends their contact
//! (abandoned while waiting, vanished in conversation); a listener who does not come back
//! sends their conversations back to the head of the queue and goes offline.
//!
//! The state lives in the store (who is away since when), so that any instance's sweeper can
//! act and the guarded transitions make sure only one does.

use ecoute_domain::{Event, Presence, Topic, Transition, UserId};
use ecoute_store::{Store, StoreError, StoreResult};
use std::sync::Arc;
use std::time::Duration;

use super::{publish, publish_contact_change};
use crate::clock;
use crate::state::AppState;

/// Sweeps forever, at a pace fitted to the shortest delay.
pub async fn run_sweeper(state: AppState) {
    let chat = &state.config.chat;
    let shortest = chat.person_return_seconds.min(chat.listener_return_seconds);
    let period = Duration::from_millis((shortest * 1000 / 4).clamp(200, 5000));
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        if let Err(e) = sweep_once(&state).await {
            tracing::warn!(error = %e, "sweep failed; will retry");
        }
    }
}

/// One pass.
pub async fn sweep_once(state: &AppState) -> StoreResult<()> {
    let now = clock::now();
    let chat = &state.config.chat;
    let store: &Arc<dyn Store> = &state.store;

    let person_cutoff = now.plus_millis(-((chat.person_return_seconds * 1000) as i64));
    for id in store.persons_away_since(person_cutoff).await? {
        match store.transition(id, Transition::PersonVanishes, now).await {
            Ok(contact) => publish_contact_change(state.bus.as_ref(), &contact).await,
            // Ended meanwhile by someone else: nothing to do.
            Err(StoreError::Transition(_)) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }

    let listener_cutoff = now.plus_millis(-((chat.listener_return_seconds * 1000) as i64));
    for user in store.listeners_away_since(listener_cutoff).await? {
        release_listener(state, user).await?;
    }
    Ok(())
}

/// Sends an absent listener's conversations back to the queue and sets them offline.
async fn release_listener(state: &AppState, user: UserId) -> StoreResult<()> {
    let now = clock::now();
    for contact in state.store.active_for_listener(user).await? {
        match state
            .store
            .transition(contact.id, Transition::Requeue, now)
            .await
        {
            Ok(requeued) => {
                tracing::info!("listener away too long: conversation back to the queue");
                publish_contact_change(state.bus.as_ref(), &requeued).await;
            }
            Err(StoreError::Transition(_)) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    if state.store.presence(user).await? != Presence::Offline {
        state
            .store
            .set_presence(user, Presence::Offline, now)
            .await?;
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
