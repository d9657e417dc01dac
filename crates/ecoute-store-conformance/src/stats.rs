//! Cases of [`ecoute_store::StatsStore`]: the anonymous statistics sheets.

use crate::support::*;
use ecoute_domain::{ContactId, StatsSheet, Transition, TransitionError};
use ecoute_store::{Store, StoreError};
use std::sync::Arc;

/// A sheet is saved once by the contact's last listener and read back as saved.
pub async fn sheet_save_read_and_conflict(store: Arc<dyn Store>) {
    let l = listener(&*store, "sam").await;
    let c = ended(&*store, l, 0, 10, 1090).await;
    assert_eq!(store.sheet(c.id).await.expect("sheet"), None);
    store
        .save_sheet(&sheet(c.id), l, at(1100))
        .await
        .expect("save");
    assert_eq!(store.sheet(c.id).await.expect("sheet"), Some(sheet(c.id)));
    let other = StatsSheet {
        themes: vec!["other".into()],
        ..sheet(c.id)
    };
    assert!(matches!(
        store.save_sheet(&other, l, at(1200)).await,
        Err(StoreError::SheetExists)
    ));
    assert_eq!(
        store.sheet(c.id).await.expect("sheet"),
        Some(sheet(c.id)),
        "the first sheet stays"
    );
}

/// No sheet for a contact still going on, nor by another listener, nor for an unknown one.
pub async fn sheet_refusals(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    let going = waiting(&*store, 0).await;
    assert_transition(
        store.save_sheet(&sheet(going.id), ls[0], at(1)).await,
        TransitionError::NotYourContact,
    );
    take(&*store, ls[0], 2).await;
    assert_transition(
        store.save_sheet(&sheet(going.id), ls[0], at(3)).await,
        TransitionError::NotEnded,
    );
    let done = store
        .transition(going.id, Transition::PersonEnds, at(4))
        .await
        .expect("end");
    assert_transition(
        store.save_sheet(&sheet(done.id), ls[1], at(5)).await,
        TransitionError::NotYourContact,
    );
    let abandoned = waiting(&*store, 10).await;
    store
        .transition(abandoned.id, Transition::PersonEnds, at(11))
        .await
        .expect("abandon");
    assert_transition(
        store.save_sheet(&sheet(abandoned.id), ls[0], at(12)).await,
        TransitionError::NotYourContact,
    );
    assert_not_found(
        store
            .save_sheet(&sheet(ContactId::new_random()), ls[0], at(5))
            .await,
    );
    assert_eq!(store.sheet(going.id).await.expect("sheet"), None);
}

/// What a listener still owes: their ended, answered contacts without a sheet.
pub async fn pending_sheets_lists_what_is_owed(store: Arc<dyn Store>) {
    let ls = listeners(&*store, 2).await;
    assert!(store
        .pending_sheets(ls[0])
        .await
        .expect("pending")
        .is_empty());
    let first = ended(&*store, ls[0], 0, 1, 100).await;
    let second = ended(&*store, ls[0], 200, 201, 300).await;
    ended(&*store, ls[1], 400, 401, 500).await;
    let gone = waiting(&*store, 600).await;
    store
        .transition(gone.id, Transition::PersonEnds, at(601))
        .await
        .expect("abandon");
    waiting(&*store, 700).await;
    take(&*store, ls[0], 701).await; // still talking: not owed yet

    let owed = store.pending_sheets(ls[0]).await.expect("pending");
    assert_eq!(
        owed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![first.id, second.id]
    );
    assert_eq!(owed[0], first);
    store
        .save_sheet(&sheet(first.id), ls[0], at(800))
        .await
        .expect("save");
    let owed = store.pending_sheets(ls[0]).await.expect("pending");
    assert_eq!(
        owed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id]
    );
    assert_eq!(store.pending_sheets(ls[1]).await.expect("pending").len(), 1);
}
