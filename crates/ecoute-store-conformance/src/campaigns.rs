//! Cases of [`ecoute_store::CampaignStore`]: campaigns and their aggregate counters.

use crate::support::*;
use ecoute_domain::{Campaign, CampaignEvent, Day};
use ecoute_store::Store;
use std::sync::Arc;

/// Campaigns are listed by first day, then code; a code is declared once.
pub async fn campaigns_create_list_and_conflict(store: Arc<dyn Store>) {
    assert!(store.campaigns().await.expect("list").is_empty());
    let later = Campaign::new("tv-2018", "Télévision 2018", Day(400), Day(430)).expect("valid");
    let first = Campaign::new("fb-2017-11", "Campagne 2017", Day(10), Day(40)).expect("valid");
    let same_day = Campaign::new("affiches", "Affiches", Day(10), Day(10)).expect("valid");
    for c in [&later, &first, &same_day] {
        store.create_campaign(c, at(1)).await.expect("create");
    }
    let again = Campaign::new("fb-2017-11", "Autre", Day(1), Day(2)).expect("valid");
    assert_conflict(store.create_campaign(&again, at(2)).await);
    assert_eq!(
        store.campaigns().await.expect("list"),
        vec![same_day, first, later]
    );
}

/// Counts add up per campaign, day and event, whether added in one call or several, and
/// concurrently; a range returns its days only, those without a campaign included.
pub async fn campaign_counts_add_up(store: Arc<dyn Store>) {
    let fb = Campaign::new("fb-2017-11", "Campagne 2017", Day(10), Day(40)).expect("valid");
    store.create_campaign(&fb, at(1)).await.expect("create");
    let code = Some(&fb.code);
    store
        .add_campaign_counts(&[
            count(code, 12, CampaignEvent::PageView, 3),
            count(code, 12, CampaignEvent::Reveal, 1),
            count(None, 12, CampaignEvent::PageView, 5),
            count(code, 13, CampaignEvent::PageView, 7),
            count(code, 30, CampaignEvent::Application, 1),
        ])
        .await
        .expect("add");
    store
        .add_campaign_counts(&[])
        .await
        .expect("nothing to add");
    // Several instances flushing at once, each the same counters in its own order.
    let mut flushes = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        let fb = fb.clone();
        flushes.push(tokio::spawn(async move {
            let mut counts = vec![
                count(Some(&fb.code), 12, CampaignEvent::PageView, 1),
                count(None, 12, CampaignEvent::PageView, 1),
                count(Some(&fb.code), 13, CampaignEvent::PageView, 1),
            ];
            counts.rotate_left(i % 3);
            store.add_campaign_counts(&counts).await
        }));
    }
    for f in flushes {
        f.await.expect("join").expect("concurrent add");
    }
    let got = store
        .campaign_counts(Day(12), Day(13))
        .await
        .expect("counts");
    assert_eq!(
        got,
        vec![
            count(None, 12, CampaignEvent::PageView, 13),
            count(code, 12, CampaignEvent::PageView, 11),
            count(code, 12, CampaignEvent::Reveal, 1),
            count(code, 13, CampaignEvent::PageView, 15),
        ]
    );
    assert_eq!(
        store
            .campaign_counts(Day(14), Day(29))
            .await
            .expect("counts"),
        vec![]
    );
    assert_eq!(
        store
            .campaign_counts(Day(30), Day(30))
            .await
            .expect("counts"),
        vec![count(code, 30, CampaignEvent::Application, 1)]
    );
}
