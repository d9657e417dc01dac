//! Cases of [`ecoute_store::SessionStore`]: staff login sessions.

use crate::support::*;
use ecoute_domain::UserId;
use ecoute_store::{NewSession, Store};
use std::sync::Arc;

/// A session is found until it expires, with its account; logout and the expiry sweep delete
/// it; ending an unknown session is fine.
pub async fn sessions_expire_and_end(store: Arc<dyn Store>) {
    let id = listener(&*store, "lea").await;
    let new = |token: &str, expires: i64| NewSession {
        token_hash: token.into(),
        user: id,
        csrf_token: format!("csrf-{token}"),
        created_at: at(0),
        expires_at: at(expires),
    };
    store
        .create_session(&new("short", 60))
        .await
        .expect("create");
    store
        .create_session(&new("long", 7200))
        .await
        .expect("create");
    assert_conflict(store.create_session(&new("long", 10)).await);
    assert_not_found(
        store
            .create_session(&NewSession {
                user: UserId(9_999),
                ..new("orphan", 60)
            })
            .await,
    );

    let s = store
        .session("short", at(59))
        .await
        .expect("session")
        .expect("live");
    assert_eq!(s.user.id, id);
    assert_eq!(s.user.username, "lea");
    assert_eq!(s.csrf_token, "csrf-short");
    assert_eq!(s.expires_at, at(60));
    assert!(store
        .session("short", at(60))
        .await
        .expect("session")
        .is_none());
    assert!(store
        .session("nope", at(0))
        .await
        .expect("session")
        .is_none());

    assert_eq!(
        store.delete_expired_sessions(at(60)).await.expect("sweep"),
        1
    );
    assert_eq!(
        store.delete_expired_sessions(at(60)).await.expect("sweep"),
        0
    );
    assert!(store
        .session("long", at(61))
        .await
        .expect("session")
        .is_some());
    store.delete_session("long").await.expect("logout");
    assert!(store
        .session("long", at(61))
        .await
        .expect("session")
        .is_none());
    store
        .delete_session("long")
        .await
        .expect("logout twice is fine");
}
