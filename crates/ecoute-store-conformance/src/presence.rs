//! Cases of [`ecoute_store::PresenceStore`]: presence, workspace connections, duty counts.

use crate::support::*;
use ecoute_domain::{CentreId, Presence, Transition, UserId};
use ecoute_store::{CentreCounts, Store};
use std::sync::Arc;

/// Presence defaults to offline and can be set; the listener's workspace connection follows
/// the same stale-connection rule as the person's; an away listener is reported while they
/// still hold a presence other than offline or a conversation.
pub async fn presence_and_listener_connections(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 3).await;
    assert_eq!(
        store.presence(ls[0]).await.expect("presence"),
        Presence::Offline
    );
    store
        .set_presence(ls[0], Presence::Available, at(1))
        .await
        .expect("set");
    assert_eq!(
        store.presence(ls[0]).await.expect("presence"),
        Presence::Available
    );
    store
        .set_presence(ls[0], Presence::Pause, at(2))
        .await
        .expect("set");
    assert_eq!(
        store.presence(ls[0]).await.expect("presence"),
        Presence::Pause
    );
    assert_not_found(
        store
            .set_presence(UserId(9_999), Presence::Available, at(1))
            .await,
    );
    // Since when: the same presence again keeps its time; another one starts anew.
    assert_eq!(
        store.presence_since(ls[2]).await.expect("since"),
        (Presence::Offline, None)
    );
    store
        .set_presence(ls[2], Presence::Available, at(3))
        .await
        .expect("set");
    store
        .set_presence(ls[2], Presence::Available, at(4))
        .await
        .expect("set again");
    assert_eq!(
        store.presence_since(ls[2]).await.expect("since"),
        (Presence::Available, Some(at(3)))
    );
    store
        .set_presence(ls[2], Presence::Pause, at(5))
        .await
        .expect("pause");
    store
        .set_presence(ls[2], Presence::Available, at(6))
        .await
        .expect("back");
    assert_eq!(
        store.presence_since(ls[2]).await.expect("since"),
        (Presence::Available, Some(at(6)))
    );

    store.attach_listener(ls[0], 10).await.expect("attach");
    assert_eq!(
        store.presence(ls[0]).await.expect("presence"),
        Presence::Pause,
        "connecting does not change presence"
    );
    store
        .attach_listener(ls[0], 11)
        .await
        .expect("second device");
    assert!(!store
        .detach_listener(ls[0], 10, at(5))
        .await
        .expect("stale"));
    assert!(store
        .listeners_away_since(at(100))
        .await
        .expect("away")
        .is_empty());
    assert!(store
        .detach_listener(ls[0], 11, at(5))
        .await
        .expect("detach"));
    store.attach_listener(ls[1], 20).await.expect("attach");
    assert_eq!(
        store.presence(ls[1]).await.expect("presence"),
        Presence::Offline
    );
    store
        .set_presence(ls[1], Presence::Available, at(7))
        .await
        .expect("set");
    assert!(store
        .detach_listener(ls[1], 20, at(8))
        .await
        .expect("detach"));

    assert!(store
        .listeners_away_since(at(4))
        .await
        .expect("away")
        .is_empty());
    assert_eq!(
        store.listeners_away_since(at(5)).await.expect("away"),
        vec![ls[0]]
    );
    assert_eq!(
        store.listeners_away_since(at(8)).await.expect("away"),
        vec![ls[0], ls[1]]
    );
    store.attach_listener(ls[0], 12).await.expect("back");
    assert_eq!(
        store.listeners_away_since(at(9)).await.expect("away"),
        vec![ls[1]]
    );
    // Once released (offline, no conversation) a listener is no longer reported away…
    store
        .set_presence(ls[1], Presence::Offline, at(10))
        .await
        .expect("set");
    assert!(store
        .listeners_away_since(at(10))
        .await
        .expect("away")
        .is_empty());
    // …unless a conversation is still theirs.
    waiting(&*store, 11).await;
    take(&*store, ls[1], 12).await;
    assert_eq!(
        store.listeners_away_since(at(12)).await.expect("away"),
        vec![ls[1]]
    );
    assert!(!store
        .detach_listener(UserId(9_999), 1, at(9))
        .await
        .expect("unknown listener"));
}

/// On duty: available, enabled listeners of the centre; free: those with no conversation.
pub async fn duty_counts_available_and_free(store: Arc<dyn Store>) {
    assert_eq!(store.duty(CENTRE).await.expect("duty"), Default::default());
    assert_eq!(store.live_counts().await.expect("counts"), vec![]);
    let ls = listeners(&*store, 5).await;
    for l in &ls[..4] {
        store
            .set_presence(*l, Presence::Available, at(1))
            .await
            .expect("set");
    }
    store
        .set_presence(ls[4], Presence::Pause, at(1))
        .await
        .expect("set");
    let duty = store.duty(CENTRE).await.expect("duty");
    assert_eq!((duty.on_duty, duty.free), (4, 4));

    waiting(&*store, 2).await;
    waiting(&*store, 3).await;
    take(&*store, ls[0], 4).await;
    take(&*store, ls[0], 5).await;
    let duty = store.duty(CENTRE).await.expect("duty");
    assert_eq!(
        (duty.on_duty, duty.free),
        (4, 3),
        "two chats make one listener busy"
    );

    store.set_disabled(ls[1], true).await.expect("disable");
    store
        .set_presence(ls[2], Presence::Offline, at(6))
        .await
        .expect("set");
    let duty = store.duty(CENTRE).await.expect("duty");
    assert_eq!((duty.on_duty, duty.free), (2, 1));

    // The same, with the queue and the conversations, for every centre at once; ended
    // contacts do not count.
    waiting(&*store, 7).await;
    let done = waiting(&*store, 8).await;
    store
        .transition(done.id, Transition::PersonEnds, at(9))
        .await
        .expect("leave");
    let expected = CentreCounts {
        centre: CENTRE,
        waiting: 1,
        active: 2,
        on_duty: 2,
        free: 1,
    };
    assert_eq!(store.live_counts().await.expect("counts"), vec![expected]);
    assert_eq!(
        store.duty(CentreId(2)).await.expect("duty"),
        Default::default()
    );
}
