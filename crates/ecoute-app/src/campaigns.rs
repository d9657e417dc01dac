//! Campaigns: declaring them, counting what the people who came by their links do, and
//! reading the counts back.
//!
//! Counting is in memory: a national campaign's first hour can bring thousands of page views
//! a second, and a database write for each would make the database the bottleneck of the
//! campaign page. [`App::count`] adds to a tally; [`App::flush_campaign_counts`] (a job every
//! few seconds, and once more at shutdown) adds the tally to the store's counters, on every
//! instance alike. A crash loses at most the counts since the last flush: statistics, never
//! a message.
//!
//! Only declared campaigns are counted under their code. A code nobody declared counts as no
//! campaign, so that links made up by anyone fill neither memory nor the database: the tally
//! holds at most (declared campaigns + 1) × 5 events per day between two flushes. The
//! declared codes are kept in memory and re-read at every flush (another instance may have
//! declared one).

use crate::{App, AppError, AppResult};
use ecoute_domain::{Campaign, CampaignCode, CampaignCount, CampaignEvent, CampaignReport, Day};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

/// The counts not yet in the store, and the codes that may be counted.
#[derive(Debug, Default)]
pub struct Tally {
    inner: Mutex<TallyState>,
}

#[derive(Debug, Default)]
struct TallyState {
    declared: HashSet<CampaignCode>,
    counts: HashMap<(Option<CampaignCode>, Day, CampaignEvent), u64>,
}

impl Tally {
    fn lock(&self) -> MutexGuard<'_, TallyState> {
        // Plain counters: a panic while holding the lock cannot leave them inconsistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl App {
    /// Declares a campaign: from now on its code is counted. [`AppError::InvalidCampaign`]
    /// for a bad code, name or dates; [`AppError::CampaignExists`] if the code is taken.
    pub async fn declare_campaign(
        &self,
        code: &str,
        name: &str,
        starts: Day,
        ends: Day,
    ) -> AppResult<Campaign> {
        let campaign = Campaign::new(code, name, starts, ends)?;
        self.store
            .create_campaign(&campaign, self.now())
            .await
            .map_err(|e| match e {
                ecoute_store::StoreError::Conflict(_) => {
                    AppError::CampaignExists(campaign.code.to_string())
                }
                other => other.into(),
            })?;
        self.tally.lock().declared.insert(campaign.code.clone());
        Ok(campaign)
    }

    /// Every declared campaign, by first day.
    pub async fn campaigns(&self) -> AppResult<Vec<Campaign>> {
        Ok(self.store.campaigns().await?)
    }

    /// Re-reads the declared codes from the store (at start, and at every flush). Adds to
    /// those known, never replaces them: campaigns are never deleted, and a campaign declared
    /// here while the store was being read stays known.
    pub async fn load_campaigns(&self) -> AppResult<()> {
        let declared = self.store.campaigns().await?;
        self.tally
            .lock()
            .declared
            .extend(declared.into_iter().map(|c| c.code));
        Ok(())
    }

    /// The declared campaign a link's `?c=` names, if it names one (anything else, however
    /// malformed, is simply no campaign).
    pub fn campaign_of(&self, raw: Option<&str>) -> Option<CampaignCode> {
        let code = CampaignCode::parse(raw?).ok()?;
        self.tally.lock().declared.contains(&code).then_some(code)
    }

    /// Counts one `event` today, under `campaign` if it is a declared one. Nothing about
    /// who did it is kept.
    pub fn count(&self, campaign: Option<&CampaignCode>, event: CampaignEvent) {
        let day = Day::of(self.now());
        let mut tally = self.tally.lock();
        let campaign = campaign.filter(|c| tally.declared.contains(*c)).cloned();
        *tally.counts.entry((campaign, day, event)).or_insert(0) += 1;
    }

    /// Adds the tally to the store's counters and re-reads the declared codes. If the store
    /// refuses, the counts go back into the tally for the next flush: nothing is lost.
    pub async fn flush_campaign_counts(&self) -> AppResult<()> {
        let counts: Vec<CampaignCount> = std::mem::take(&mut self.tally.lock().counts)
            .into_iter()
            .map(|((campaign, day, event), count)| CampaignCount {
                campaign,
                day,
                event,
                count,
            })
            .collect();
        if let Err(e) = self.store.add_campaign_counts(&counts).await {
            let mut tally = self.tally.lock();
            for c in counts {
                *tally
                    .counts
                    .entry((c.campaign, c.day, c.event))
                    .or_insert(0) += c.count;
            }
            return Err(e.into());
        }
        self.load_campaigns().await
    }

    /// A report per declared campaign, newest first (see [`CampaignReport`]), counts not yet
    /// flushed included.
    pub async fn campaign_reports(&self) -> AppResult<Vec<CampaignReport>> {
        self.flush_campaign_counts().await?;
        let campaigns = self.store.campaigns().await?;
        let spans = campaigns.iter().map(CampaignReport::span);
        let (Some(from), Some(to)) = (
            spans.clone().map(|(from, _)| from).min(),
            spans.map(|(_, to)| to).max(),
        ) else {
            return Ok(Vec::new());
        };
        let counts = self.store.campaign_counts(from, to).await?;
        let today = Day::of(self.now());
        Ok(campaigns
            .iter()
            .rev()
            .map(|c| CampaignReport::from_counts(c, &counts, today))
            .collect())
    }

    /// The counts of the days `from` to `to`, those not yet flushed included.
    pub async fn campaign_counts(&self, from: Day, to: Day) -> AppResult<Vec<CampaignCount>> {
        self.flush_campaign_counts().await?;
        Ok(self.store.campaign_counts(from, to).await?)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::app;
    use crate::AppError;
    use ecoute_domain::{CampaignCount, CampaignEvent, Day, Timestamp};

    fn count(campaign: Option<&str>, day: i64, event: CampaignEvent, n: u64) -> CampaignCount {
        CampaignCount {
            campaign: campaign.map(|c| ecoute_domain::CampaignCode::parse(c).expect("code")),
            day: Day(day),
            event,
            count: n,
        }
    }

    #[tokio::test]
    async fn only_declared_campaigns_are_counted_under_their_code() {
        let (app, clock) = app().await;
        app.declare_campaign("fb-2017-11", "Campagne 2017", Day(10), Day(40))
            .await
            .expect("declare");
        let fb = app.campaign_of(Some("FB-2017-11"));
        assert!(fb.is_some(), "codes are case-insensitive");
        assert_eq!(app.campaign_of(Some("made-up")), None);
        assert_eq!(app.campaign_of(Some("<script>")), None);
        assert_eq!(app.campaign_of(None), None);
        app.count(fb.as_ref(), CampaignEvent::PageView);
        app.count(fb.as_ref(), CampaignEvent::PageView);
        app.count(None, CampaignEvent::PageView);
        clock.advance(std::time::Duration::from_secs(86_400));
        app.count(fb.as_ref(), CampaignEvent::Reveal);
        assert_eq!(
            app.campaign_counts(Day(12), Day(13)).await.expect("counts"),
            vec![
                count(None, 12, CampaignEvent::PageView, 1),
                count(Some("fb-2017-11"), 12, CampaignEvent::PageView, 2),
                count(Some("fb-2017-11"), 13, CampaignEvent::Reveal, 1),
            ]
        );
        // Flushed once: reading again adds nothing twice.
        app.flush_campaign_counts().await.expect("flush");
        assert_eq!(
            app.campaign_counts(Day(12), Day(13))
                .await
                .expect("counts")
                .len(),
            3
        );
    }

    #[tokio::test]
    async fn declaring_refuses_bad_campaigns_and_taken_codes() {
        let (app, _) = app().await;
        app.declare_campaign("fb", "Campagne", Day(1), Day(2))
            .await
            .expect("declare");
        assert!(matches!(
            app.declare_campaign("fb", "Encore", Day(1), Day(2)).await,
            Err(AppError::CampaignExists(code)) if code == "fb"
        ));
        assert!(matches!(
            app.declare_campaign("f b", "Campagne", Day(1), Day(2))
                .await,
            Err(AppError::InvalidCampaign(_))
        ));
        assert!(matches!(
            app.declare_campaign("tv", "Campagne", Day(3), Day(2)).await,
            Err(AppError::InvalidCampaign(_))
        ));
        assert_eq!(app.campaigns().await.expect("list").len(), 1);
    }

    /// A code declared by another instance is counted once this one has flushed.
    #[tokio::test]
    async fn codes_declared_elsewhere_are_learnt_at_the_next_flush() {
        let (app, _) = app().await;
        let campaign =
            ecoute_domain::Campaign::new("tv", "Télévision", Day(1), Day(90)).expect("valid");
        app.store()
            .create_campaign(&campaign, Timestamp(0))
            .await
            .expect("declared by another instance");
        assert_eq!(app.campaign_of(Some("tv")), None);
        app.flush_campaign_counts().await.expect("flush");
        assert_eq!(app.campaign_of(Some("tv")), Some(campaign.code));
    }
}
