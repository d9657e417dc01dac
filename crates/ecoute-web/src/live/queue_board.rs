//! One up-to-date [`QueueSnapshot`] per centre, recomputed once per change and shared with
//! every waiting person and every listener's board: with a thousand people waiting, a change
//! costs three queries, not three thousand.

use ecoute_domain::{mean_handle_seconds, CentreId, Event, QueueSnapshot, Topic};
use ecoute_store::{EventBus, Store, StoreResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Conversations used for the mean handle time.
const RECENT_CONVERSATIONS: u32 = 50;
/// Changes arriving this close together are folded into one recomputation.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// Recomputed at least this often, so that slow drifts (handle times) show.
const REFRESH: Duration = Duration::from_secs(30);

/// Hands out live snapshots of each centre's queue.
pub struct QueueBoards {
    store: Arc<dyn Store>,
    bus: Arc<dyn EventBus>,
    default_handle_seconds: f64,
    boards: Mutex<HashMap<CentreId, watch::Receiver<Arc<QueueSnapshot>>>>,
}

impl QueueBoards {
    /// Boards over `store`, refreshed by `QueueChanged` events on `bus`.
    pub fn new(store: Arc<dyn Store>, bus: Arc<dyn EventBus>, default_handle_seconds: f64) -> Self {
        QueueBoards {
            store,
            bus,
            default_handle_seconds,
            boards: Mutex::new(HashMap::new()),
        }
    }

    /// A live view of `centre`'s queue; the first call for a centre starts its refresher.
    pub fn watch(&self, centre: CentreId) -> watch::Receiver<Arc<QueueSnapshot>> {
        let mut boards = self.boards.lock().unwrap_or_else(|e| e.into_inner());
        boards
            .entry(centre)
            .or_insert_with(|| {
                let (tx, rx) = watch::channel(Arc::new(QueueSnapshot::default()));
                let events = self.bus.subscribe(Topic::Centre(centre));
                tokio::spawn(refresh(
                    centre,
                    self.store.clone(),
                    self.default_handle_seconds,
                    events,
                    tx,
                ));
                rx
            })
            .clone()
    }
}

/// Computes the snapshot of `centre` now.
pub async fn compute(
    store: &dyn Store,
    centre: CentreId,
    default_handle_seconds: f64,
) -> StoreResult<QueueSnapshot> {
    let waiting = store.waiting(centre).await?;
    let duty = store.duty(centre).await?;
    let recent = store
        .recent_talk_seconds(centre, RECENT_CONVERSATIONS)
        .await?;
    Ok(QueueSnapshot::new(
        waiting,
        duty.on_duty,
        duty.free,
        mean_handle_seconds(&recent, default_handle_seconds),
    ))
}

async fn refresh(
    centre: CentreId,
    store: Arc<dyn Store>,
    default_handle_seconds: f64,
    mut events: broadcast::Receiver<Arc<Event>>,
    tx: watch::Sender<Arc<QueueSnapshot>>,
) {
    loop {
        match compute(store.as_ref(), centre, default_handle_seconds).await {
            Ok(snapshot) => {
                tx.send_replace(Arc::new(snapshot));
            }
            Err(e) => tracing::warn!(error = %e, "queue snapshot failed; retrying"),
        }
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tokio::time::sleep(REFRESH) => {}
        }
        tokio::time::sleep(DEBOUNCE).await;
        // Everything that arrived meanwhile is covered by the next computation.
        while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = events.try_recv() {}
    }
}
