//! The conformance suite: what every store backend must do, written once against
//! [`ecoute_store::Store`], one file per store trait. Test support only; nothing here ships.
//!
//! Each case is a `pub async fn` taking a fresh, empty store. A backend's test file runs
//! every case with [`conformance_tests!`], so each backend gets the same named tests:
//!
//! ```text
//! async fn fresh_store() -> Option<ecoute_store_conformance::Fixture> { /* … */ }
//! ecoute_store_conformance::conformance_tests!(fresh_store);
//! ```
//!
//! `tests/sqlite.rs` and `tests/postgres.rs` do so. A feature that adds a store method adds
//! its cases to the file of its trait and to the list in [`conformance_tests!`];
//! `tests/every_case_runs.rs` fails when a case is missing from that list or a backend does
//! not run it.

// Test support: a panic is how a case fails.
#![allow(clippy::unwrap_used)]

pub mod campaigns;
pub mod contacts;
pub mod instances;
pub mod messages;
pub mod pg;
pub mod presence;
pub mod sessions;
pub mod stats;
pub mod stories;
pub mod supervision;
mod support;
pub mod transfer;
pub mod users;
pub mod volunteers;
pub mod written;

use ecoute_store::Store;
use std::sync::Arc;

/// A fresh, empty store for one test, and what must be cleaned up after it (run on drop, so
/// also when the test panics).
pub struct Fixture {
    /// The store under test.
    pub store: Arc<dyn Store>,
    cleanup: Option<Box<dyn FnOnce() + Send>>,
}

impl Fixture {
    /// A store and its cleanup (deleting a file, dropping a schema…).
    pub fn new(store: Arc<dyn Store>, cleanup: impl FnOnce() + Send + 'static) -> Self {
        Fixture {
            store,
            cleanup: Some(Box::new(cleanup)),
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            cleanup();
        }
    }
}

/// Expands to one `#[tokio::test]` per conformance case: the one list of every case, by
/// store trait. `$fresh` names an `async fn() -> Option<Fixture>` giving a fresh store for
/// each test (`None`: the backend is not configured here, and the test returns after saying
/// so).
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@cases $fresh;
            // cases: begin
            users::users_create_read_and_conflict,
            users::users_password_and_disable_end_sessions,
            sessions::sessions_expire_and_end,
            contacts::contacts_create_read_and_resume,
            contacts::create_contact_holds_max_waiting_under_a_burst,
            contacts::never_connected_contacts_leave_the_queue,
            contacts::queue_order_priority_returning_arrival,
            contacts::take_next_capacity_and_empty,
            contacts::take_next_is_atomic,
            contacts::transitions_end_by_person_and_listener,
            contacts::transitions_refused,
            contacts::requeue_goes_to_the_head_as_returning,
            contacts::abandonment_sets_wait_seconds,
            contacts::set_priority_rules,
            contacts::active_and_recent_talk_times,
            contacts::person_attach_detach_and_away,
            contacts::guarded_transitions_yield_to_a_return,
            messages::append_numbers_without_gaps,
            messages::append_resend_is_idempotent,
            messages::messages_name_the_listener_who_wrote_them,
            messages::append_refusals,
            messages::concurrent_appends_get_consecutive_seqs,
            messages::concurrent_refusals_are_each_their_own,
            messages::purge_respects_cutoff_and_keeps_sheets,
            presence::presence_and_listener_connections,
            presence::duty_counts_available_and_free,
            stats::sheet_save_read_and_conflict,
            stats::sheet_refusals,
            stats::pending_sheets_lists_what_is_owed,
            campaigns::campaigns_create_list_and_conflict,
            campaigns::campaign_counts_add_up,
            stories::stories_save_replace_and_list,
            stories::every_role_is_stored,
            written::written_open_find_and_resend,
            written::written_claims_drafts_and_replies,
            written::written_concurrent_claims_have_one_winner,
            written::written_inbox_order,
            written::written_bounds,
            written::written_delete_and_purge,
            volunteers::volunteers_pipeline_moves_and_events,
            volunteers::volunteers_erasure_retention_and_audit,
            volunteers::volunteers_bounded,
            volunteers::volunteers_activation_and_setup_links,
            supervision::supervision_alerts_open_once_and_resolve,
            supervision::supervision_whispers_numbered_refused_and_purged,
            supervision::supervision_conversation_reads_are_recorded,
            supervision::supervision_board_reads,
            supervision::supervision_triage_records,
            supervision::supervision_priority_by_hand_is_recorded,
            supervision::supervision_transfer_hands_a_conversation_over,
            supervision::supervision_refusals,
            transfer::transfer_copies_everything,
            instances::dead_instances_connections_are_detached,
            instances::dead_instances_are_processed_once_concurrently,
            // cases: end
        );
    };
    (@cases $fresh:path; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let Some(fixture) = $fresh().await else {
                    return;
                };
                $crate::$module::$case(fixture.store.clone()).await;
            }
        )*
    };
}
