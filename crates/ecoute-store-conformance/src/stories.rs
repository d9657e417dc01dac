//! Cases of [`ecoute_store::StoryStore`]: the campaign page's stories as staff edited them;
//! and the role that edits them, which every backend's schema accepts.

use crate::support::*;
use ecoute_domain::{shipped_stories, Role};
use ecoute_store::Store;
use std::sync::Arc;

/// Nothing is saved on a fresh store; a saved story is read back whole, saved again it is
/// replaced, and stories are listed by key.
pub async fn stories_save_replace_and_list(store: Arc<dyn Store>) {
    assert!(store.saved_stories().await.expect("list").is_empty());
    let mut shipped = shipped_stories();
    let mut hanna = shipped.remove(0);
    hanna.fr.hidden = "Personne ne sait qu'elle ne dort plus — « rien » ne va.".into();
    hanna.en.name = "Hanna, 27".into();
    store.save_story(&hanna, at(1)).await.expect("save");
    let henri = shipped.pop().expect("henri");
    store.save_story(&henri, at(2)).await.expect("save");
    assert_eq!(
        store.saved_stories().await.expect("list"),
        vec![hanna.clone(), henri.clone()]
    );
    hanna.fr.facade = "Toujours la première au club.".into();
    store.save_story(&hanna, at(3)).await.expect("save again");
    assert_eq!(
        store.saved_stories().await.expect("list"),
        vec![hanna, henri]
    );
}

/// Every role can be stored and read back, the communication role included (its migration
/// widened the schema's check on both backends).
pub async fn every_role_is_stored(store: Arc<dyn Store>) {
    for (i, role) in Role::ALL.into_iter().enumerate() {
        let user = store
            .create_user(&new_user(&format!("staff{i}"), role), at(1))
            .await
            .expect("create");
        assert_eq!(store.user(user.id).await.expect("read"), Some(user.clone()));
        assert_eq!(user.role, role);
    }
}
