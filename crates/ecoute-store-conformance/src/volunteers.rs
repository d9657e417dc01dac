//! Cases of [`ecoute_store::VolunteerStore`]: applications, the pipeline, erasure, the audit.

use crate::support::*;
use ecoute_domain::{ApplicationId, CampaignCode, Candidate, EventKind, Role, Stage, StageError};
use ecoute_store::{AccountSetup, NewApplication, ReadAction, Store, StoreError};
use std::sync::Arc;

fn candidate(name: &str) -> Candidate {
    Candidate {
        name: name.into(),
        email: Some(format!("{}@example.org", name.to_lowercase())),
        phone: None,
        city: "Lyon".into(),
        availability: "Mardi soir".into(),
        motivation: "On m'a écouté un jour.".into(),
    }
}

fn new_application(name: &str, secs: i64) -> NewApplication {
    NewApplication {
        id: ApplicationId::new_random(),
        candidate: candidate(name),
        campaign: Some(CampaignCode::parse("fb-2017-11").expect("code")),
        now: at(secs),
        max_kept: 100,
    }
}

async fn coordinator(store: &dyn Store) -> ecoute_domain::UserId {
    store
        .create_user(&new_user("coord", Role::Coordinator), at(0))
        .await
        .expect("coordinator")
        .id
}

/// An application is received, read back, listed newest first; it moves one stage at a time
/// with its events (who, when, notes), logs training during training only, and can leave
/// from anywhere.
pub async fn volunteers_pipeline_moves_and_events(store: Arc<dyn Store>) {
    let coord = coordinator(&*store).await;
    let camille = store
        .create_application(&new_application("Camille", 10))
        .await
        .expect("create");
    assert_eq!(camille.stage, Stage::Received);
    assert_eq!(
        store.application(camille.id).await.expect("read"),
        Some(camille.clone())
    );
    let later = store
        .create_application(&new_application("Sacha", 20))
        .await
        .expect("create");
    assert_eq!(
        store
            .applications()
            .await
            .expect("list")
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        [later.id, camille.id]
    );
    assert!(matches!(
        store
            .move_application(camille.id, Stage::Training, coord, None, at(30))
            .await,
        Err(StoreError::Stage(StageError::NotNext { .. }))
    ));
    let mut now = 30;
    for stage in [
        Stage::FirstInterview,
        Stage::PsychologistInterview,
        Stage::CommitteeDecision,
        Stage::Training,
    ] {
        now += 10;
        let moved = store
            .move_application(camille.id, stage, coord, Some("Entretien positif"), at(now))
            .await
            .expect("move");
        assert_eq!((moved.stage, moved.stage_since), (stage, at(now)));
    }
    let trained = store
        .log_training(camille.id, coord, 180, at(100))
        .await
        .expect("hours");
    assert_eq!(trained.training_minutes, 180);
    assert!(matches!(
        store.log_training(later.id, coord, 60, at(100)).await,
        Err(StoreError::Stage(StageError::Hours))
    ));
    store
        .note_application(camille.id, coord, "Très à l'écoute.", at(110))
        .await
        .expect("note");
    let events = store.application_events(camille.id).await.expect("events");
    assert_eq!(events.len(), 4 * 2 + 2);
    assert_eq!(events[0].by.pseudonym, "P coord");
    assert_eq!(
        events[0].kind,
        EventKind::Moved {
            to: Stage::FirstInterview
        }
    );
    assert_eq!(events[8].kind, EventKind::Training { minutes: 180 });
    assert_eq!(
        events[9].kind,
        EventKind::Note {
            text: Some("Très à l'écoute.".into())
        }
    );
    let left = store
        .move_application(later.id, Stage::Left, coord, None, at(120))
        .await
        .expect("leave");
    assert_eq!((left.stage, left.furthest), (Stage::Left, Stage::Received));
    assert!(matches!(
        store
            .move_application(later.id, Stage::FirstInterview, coord, None, at(130))
            .await,
        Err(StoreError::Stage(StageError::HasLeft))
    ));
    assert!(matches!(
        store
            .move_application(
                ApplicationId::new_random(),
                Stage::Left,
                coord,
                None,
                at(130)
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

/// Erasing keeps the anonymous trace (campaign, dates, stages) and nothing personal, notes
/// included; the retention erases those who left without becoming listeners, after the
/// cutoff only; the audit records reads, newest first.
pub async fn volunteers_erasure_retention_and_audit(store: Arc<dyn Store>) {
    let coord = coordinator(&*store).await;
    let asked = store
        .create_application(&new_application("Camille", 10))
        .await
        .expect("create");
    store
        .note_application(asked.id, coord, "Disponible le mardi", at(11))
        .await
        .expect("note");
    assert!(store
        .erase_application(asked.id, at(20))
        .await
        .expect("erase"));
    assert!(!store
        .erase_application(asked.id, at(21))
        .await
        .expect("again"));
    let erased = store
        .application(asked.id)
        .await
        .expect("read")
        .expect("trace");
    assert_eq!(erased.candidate, None);
    assert_eq!(erased.campaign, asked.campaign);
    assert_eq!(
        store.application_events(asked.id).await.expect("events")[0].kind,
        EventKind::Note { text: None }
    );
    assert!(matches!(
        store
            .move_application(asked.id, Stage::FirstInterview, coord, None, at(22))
            .await,
        Err(StoreError::Stage(StageError::Erased))
    ));

    let gone = store
        .create_application(&new_application("Sacha", 30))
        .await
        .expect("create");
    store
        .move_application(gone.id, Stage::Left, coord, None, at(40))
        .await
        .expect("left");
    let staying = store
        .create_application(&new_application("Lou", 30))
        .await
        .expect("create");
    assert_eq!(
        store
            .erase_left_applications(at(39), at(50))
            .await
            .expect("retention"),
        0
    );
    assert_eq!(
        store
            .erase_left_applications(at(40), at(50))
            .await
            .expect("retention"),
        1
    );
    assert_eq!(
        store
            .application(gone.id)
            .await
            .expect("read")
            .expect("trace")
            .candidate,
        None
    );
    assert!(store
        .application(staying.id)
        .await
        .expect("read")
        .expect("kept")
        .candidate
        .is_some());

    store
        .record_personal_read(coord, None, ReadAction::List, at(60))
        .await
        .expect("audit");
    store
        .record_personal_read(coord, Some(staying.id), ReadAction::Read, at(61))
        .await
        .expect("audit");
    store
        .record_personal_read(coord, Some(staying.id), ReadAction::Erase, at(62))
        .await
        .expect("audit");
    let reads = store.personal_reads(staying.id, 10).await.expect("reads");
    assert_eq!(
        reads.iter().map(|r| (r.action, r.at)).collect::<Vec<_>>(),
        [(ReadAction::Erase, at(62)), (ReadAction::Read, at(61))]
    );
    assert_eq!(reads[0].by.pseudonym, "P coord");
    assert_eq!(reads[0].application, Some(staying.id));
}

/// At most `max_kept` applications keep their personal data; an erased one frees its place.
pub async fn volunteers_bounded(store: Arc<dyn Store>) {
    let bounded = |name: &str| NewApplication {
        max_kept: 2,
        ..new_application(name, 1)
    };
    let first = store.create_application(&bounded("A")).await.expect("one");
    store.create_application(&bounded("B")).await.expect("two");
    assert!(matches!(
        store.create_application(&bounded("C")).await,
        Err(StoreError::ApplicationsFull)
    ));
    // The same form again while full: known, not refused as full.
    assert!(matches!(
        store
            .create_application(&NewApplication {
                id: first.id,
                ..bounded("A")
            })
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .erase_application(first.id, at(2))
        .await
        .expect("erase");
    store
        .create_application(&bounded("C"))
        .await
        .expect("room again");
}

/// An application at probation becomes an active listener with their account and a one-time
/// link, in one step; the link works once, not after it expires, and a new link ends the
/// unused ones. A taken username changes nothing.
pub async fn volunteers_activation_and_setup_links(store: Arc<dyn Store>) {
    let coord = coordinator(&*store).await;
    let a = store
        .create_application(&new_application("Camille", 10))
        .await
        .expect("create");
    let setup = |token: &str, expires: i64| AccountSetup {
        token_hash: format!("hash-{token}"),
        expires_at: at(expires),
    };
    let account = new_user("camille", Role::Listener);
    assert!(matches!(
        store
            .activate_application(a.id, coord, &account, &setup("early", 1000), at(20))
            .await,
        Err(StoreError::Stage(StageError::NotNext { .. }))
    ));
    let mut now = 20;
    for stage in [
        Stage::FirstInterview,
        Stage::PsychologistInterview,
        Stage::CommitteeDecision,
        Stage::Training,
        Stage::SupervisedListening,
        Stage::Probation,
    ] {
        now += 1;
        store
            .move_application(a.id, stage, coord, None, at(now))
            .await
            .expect("move");
    }
    let taken = new_user("coord", Role::Listener);
    assert!(matches!(
        store
            .activate_application(a.id, coord, &taken, &setup("t", 1000), at(40))
            .await,
        Err(StoreError::UsernameTaken(_))
    ));
    assert_eq!(
        store
            .application(a.id)
            .await
            .expect("read")
            .expect("a")
            .stage,
        Stage::Probation,
        "nothing changed"
    );
    let (active, user) = store
        .activate_application(a.id, coord, &account, &setup("one", 1000), at(50))
        .await
        .expect("activate");
    assert_eq!(active.stage, Stage::Active);
    assert_eq!(active.account, Some(user.id));
    assert_eq!(user.role, Role::Listener);
    assert_eq!(
        store
            .application(a.id)
            .await
            .expect("read")
            .expect("a")
            .account,
        Some(user.id)
    );
    assert_eq!(
        store
            .account_setup("hash-one", at(60))
            .await
            .expect("setup")
            .map(|u| u.id),
        Some(user.id)
    );
    assert_eq!(
        store
            .account_setup("hash-one", at(1000))
            .await
            .expect("setup"),
        None,
        "expired"
    );
    // A new link: the first stops working.
    assert_eq!(
        store
            .renew_account_setup(a.id, &setup("two", 2000))
            .await
            .expect("renew"),
        user.id
    );
    assert_eq!(
        store
            .account_setup("hash-one", at(60))
            .await
            .expect("setup"),
        None
    );
    assert!(matches!(
        store
            .complete_account_setup("hash-one", "$argon2id$new", at(61))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .complete_account_setup("hash-two", "$argon2id$new", at(62))
            .await
            .expect("set"),
        user.id
    );
    let creds = store
        .credentials("camille")
        .await
        .expect("creds")
        .expect("camille");
    assert_eq!(creds.password_hash, "$argon2id$new");
    assert!(
        matches!(
            store
                .complete_account_setup("hash-two", "$argon2id$again", at(63))
                .await,
            Err(StoreError::NotFound)
        ),
        "a link works once"
    );
    // Once the password is set, no new link: it would take the account over.
    assert!(matches!(
        store.renew_account_setup(a.id, &setup("three", 3000)).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .move_application(a.id, Stage::Left, coord, None, at(70))
        .await
        .expect("left");
    assert!(matches!(
        store.renew_account_setup(a.id, &setup("four", 3000)).await,
        Err(StoreError::Stage(StageError::HasLeft))
    ));
    let other = store
        .create_application(&new_application("Sacha", 10))
        .await
        .expect("create");
    assert!(matches!(
        store.renew_account_setup(other.id, &setup("x", 100)).await,
        Err(StoreError::NotFound)
    ));
}
