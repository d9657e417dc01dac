//! What runs in the background: live queue snapshots, the sweeper that applies the
//! reconnection delays, and the purge of conversation text.

mod purge;
mod queue_board;
mod sweeper;

pub use purge::run_purge;
pub use queue_board::QueueBoards;
pub use sweeper::{run_heartbeat, run_sweeper};

use std::time::Instant;

use ecoute_domain::{
    ClientMessageId, Contact, ContactEvent, ContactId, Event, Message, MessageBody, MessageEvent,
    Topic,
};
use ecoute_store::{Appended, EventBus, Sender, StoreResult};

use crate::clock;
use crate::state::AppState;

/// Tells both sides of a conversation, and the centre's queue, that a contact changed state.
pub async fn publish_contact_change(bus: &dyn EventBus, contact: &Contact) {
    let event = Event::Contact {
        contact: ContactEvent::from(contact),
    };
    publish(bus, Topic::Contact(contact.id), event).await;
    publish(
        bus,
        Topic::Centre(contact.centre),
        Event::QueueChanged {
            centre: contact.centre,
        },
    )
    .await;
}

/// Tells both sides of a conversation that a message is committed. Called before the sender's
/// ack, and again for a resend: if the first announcement was lost (the sender's instance died
/// between commit and publish), the resend repairs it; receivers drop what they already have.
pub async fn announce_message(bus: &dyn EventBus, message: &Message) {
    let event = Event::Message {
        message: MessageEvent::from(message),
    };
    publish(bus, Topic::Contact(message.contact), event).await;
}

/// Commits a message, counts it, and announces it: what both sides do before their ack.
pub async fn commit_message(
    state: &AppState,
    contact: ContactId,
    sender: Sender,
    client_id: &ClientMessageId,
    body: &MessageBody,
) -> StoreResult<Appended> {
    let started = Instant::now();
    let appended = state
        .store
        .append_message(contact, sender, client_id, body, clock::now())
        .await?;
    if appended.created {
        state
            .metrics
            .message_committed(appended.message.author, started.elapsed());
    }
    announce_message(state.bus.as_ref(), &appended.message).await;
    Ok(appended)
}

/// Publishes, logging (not failing) when the bus is down: the change itself is committed, and
/// clients re-read the state when they reconnect.
pub async fn publish(bus: &dyn EventBus, topic: Topic, event: Event) {
    if let Err(e) = bus.publish(topic, event).await {
        tracing::warn!(error = %e, "event bus publish failed");
    }
}
