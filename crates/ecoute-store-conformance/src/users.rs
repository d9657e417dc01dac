//! Cases of [`ecoute_store::UserStore`]: staff accounts.

use crate::support::*;
use ecoute_domain::{Role, UserId};
use ecoute_store::{NewSession, Store, StoreError};
use std::sync::Arc;

/// Accounts are created, read back by id and by username, listed and counted; a taken
/// username is a conflict.
pub async fn users_create_read_and_conflict(store: Arc<dyn Store>) {
    assert_eq!(store.count_users().await.expect("count"), 0);
    let zoe = store
        .create_user(&new_user("zoe", Role::Supervisor), at(1))
        .await
        .expect("create");
    let anne = store
        .create_user(&new_user("anne", Role::Listener), at(2))
        .await
        .expect("create");
    assert_ne!(zoe.id, anne.id);
    assert_eq!(zoe.username, "zoe");
    assert_eq!(zoe.pseudonym, "P zoe");
    assert_eq!(zoe.role, Role::Supervisor);
    assert_eq!(zoe.centre, CENTRE);
    assert!(!zoe.disabled);
    assert_eq!(zoe.created_at, at(1));

    assert_eq!(store.user(zoe.id).await.expect("user"), Some(zoe.clone()));
    assert_eq!(store.user(UserId(9_999)).await.expect("user"), None);

    let creds = store
        .credentials("zoe")
        .await
        .expect("credentials")
        .expect("known user");
    assert_eq!(creds.user, zoe);
    assert_eq!(creds.password_hash, "$argon2id$hash-of-zoe");
    assert!(store
        .credentials("nobody")
        .await
        .expect("credentials")
        .is_none());

    let names: Vec<_> = store
        .list_users()
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["anne", "zoe"]);
    assert_eq!(store.count_users().await.expect("count"), 2);

    match store
        .create_user(&new_user("zoe", Role::Listener), at(3))
        .await
    {
        Err(StoreError::UsernameTaken(name)) => assert_eq!(name, "zoe"),
        other => panic!("expected UsernameTaken, got {other:?}"),
    }
    assert_eq!(store.count_users().await.expect("count"), 2);
}

/// The password hash can be replaced; disabling an account ends its sessions and re-enabling
/// does not bring them back; both refuse an unknown account.
pub async fn users_password_and_disable_end_sessions(store: Arc<dyn Store>) {
    let id = listener(&*store, "camille").await;
    store
        .set_password_hash(id, "$argon2id$new")
        .await
        .expect("set hash");
    let creds = store
        .credentials("camille")
        .await
        .expect("creds")
        .expect("user");
    assert_eq!(creds.password_hash, "$argon2id$new");
    assert_not_found(store.set_password_hash(UserId(9_999), "x").await);

    for token in ["t1", "t2"] {
        store
            .create_session(&NewSession {
                token_hash: token.into(),
                user: id,
                csrf_token: format!("csrf-{token}"),
                created_at: at(0),
                expires_at: at(3600),
            })
            .await
            .expect("session");
    }
    assert!(store
        .session("t1", at(10))
        .await
        .expect("session")
        .is_some());

    store.set_disabled(id, true).await.expect("disable");
    assert!(
        store
            .user(id)
            .await
            .expect("user")
            .expect("exists")
            .disabled
    );
    assert!(store
        .session("t1", at(10))
        .await
        .expect("session")
        .is_none());
    store.set_disabled(id, false).await.expect("enable");
    assert!(
        !store
            .user(id)
            .await
            .expect("user")
            .expect("exists")
            .disabled
    );
    assert!(
        store
            .session("t2", at(10))
            .await
            .expect("session")
            .is_none(),
        "disabling ended the sessions for good"
    );
    assert_not_found(store.set_disabled(UserId(9_999), true).await);
}
