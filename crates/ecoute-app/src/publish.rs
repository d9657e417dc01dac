//! Publish-after-commit: every use case commits first, then tells the bus. A failed publish is
//! logged, not returned: the change itself is committed, and clients re-read the state when
//! they reconnect.

use ecoute_domain::{Contact, ContactEvent, Event, Message, MessageEvent, Topic};
use ecoute_store::EventBus;

/// Publishes, logging (not failing) when the bus is down.
pub async fn publish(bus: &dyn EventBus, topic: Topic, event: Event) {
    if let Err(e) = bus.publish(topic, event).await {
        tracing::warn!(error = %e, "event bus publish failed");
    }
}

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
