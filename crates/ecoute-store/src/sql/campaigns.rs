//! [`CampaignStore`]: campaigns and their aggregate counters.

use super::{count, get, Args, Conn, Db, DbRow, Scalar};
use crate::dialect::{Dialect, SqlStore};
use crate::query::Run;
use crate::{CampaignStore, StoreError, StoreResult};
use async_trait::async_trait;
use ecoute_domain::{Campaign, CampaignCode, CampaignCount, CampaignEvent, Day, Timestamp};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// How a count with no campaign is stored (a key column cannot be NULL).
const NO_CAMPAIGN: &str = "";

#[async_trait]
impl<D> CampaignStore for SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    i32: Scalar<Db<D>>,
    bool: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    Option<i64>: Scalar<Db<D>>,
    for<'q> &'q str: Encode<'q, Db<D>> + Type<Db<D>>,
    for<'q> Option<&'q str>: Encode<'q, Db<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
    usize: ColumnIndex<DbRow<D>>,
{
    async fn create_campaign(&self, campaign: &Campaign, now: Timestamp) -> StoreResult<()> {
        let campaign = campaign.clone();
        self.write(move |tx| {
            let campaign = campaign.clone();
            Box::pin(async move {
                tx.exec(
                    "INSERT INTO campaigns (code, name, starts_day, ends_day, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        campaign.code.as_str().into(),
                        campaign.name.as_str().into(),
                        campaign.starts.0.into(),
                        campaign.ends.0.into(),
                        now.0.into(),
                    ],
                )
                .await
                .map_err(|e| {
                    super::write_error(
                        e,
                        &format!("a campaign with the code {} exists already", campaign.code),
                    )
                })?;
                Ok(())
            })
        })
        .await
    }

    async fn campaigns(&self) -> StoreResult<Vec<Campaign>> {
        let rows = sqlx::query(
            "SELECT code, name, starts_day, ends_day FROM campaigns ORDER BY starts_day, code",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let code: String = get(row, "code")?;
                Ok(Campaign {
                    code: parse_code(&code)?,
                    name: get(row, "name")?,
                    starts: Day(get(row, "starts_day")?),
                    ends: Day(get(row, "ends_day")?),
                })
            })
            .collect()
    }

    async fn add_campaign_counts(&self, counts: &[CampaignCount]) -> StoreResult<()> {
        if counts.is_empty() {
            return Ok(());
        }
        // Always in key order: two instances adding to the same counters at once lock their
        // rows in the same order, so they never deadlock.
        let mut sorted: Vec<&CampaignCount> = counts.iter().collect();
        sorted.sort_by(|a, b| (&a.campaign, a.day, a.event).cmp(&(&b.campaign, b.day, b.event)));
        let sorted: Vec<CampaignCount> = sorted.into_iter().cloned().collect();
        self.write(move |tx| {
            let sorted = sorted.clone();
            Box::pin(async move {
                for c in &sorted {
                    let delta = i64::try_from(c.count).unwrap_or(i64::MAX);
                    tx.exec(
                        "INSERT INTO campaign_counts (campaign, day, event, count) \
                         VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (campaign, day, event) \
                         DO UPDATE SET count = campaign_counts.count + excluded.count",
                        &[
                            c.campaign
                                .as_ref()
                                .map_or(NO_CAMPAIGN, CampaignCode::as_str)
                                .into(),
                            c.day.0.into(),
                            c.event.as_str().into(),
                            delta.into(),
                        ],
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn campaign_counts(&self, from: Day, to: Day) -> StoreResult<Vec<CampaignCount>> {
        let rows = sqlx::query(
            "SELECT campaign, day, event, count FROM campaign_counts \
             WHERE day >= $1 AND day <= $2 ORDER BY day, campaign, event",
        )
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let campaign: String = get(row, "campaign")?;
                let event: String = get(row, "event")?;
                Ok(CampaignCount {
                    campaign: if campaign == NO_CAMPAIGN {
                        None
                    } else {
                        Some(parse_code(&campaign)?)
                    },
                    day: Day(get(row, "day")?),
                    event: CampaignEvent::parse(&event)
                        .ok_or_else(|| StoreError::Corrupt(format!("campaign event {event:?}")))?,
                    count: count(get(row, "count")?)?,
                })
            })
            .collect()
    }
}

fn parse_code(code: &str) -> StoreResult<CampaignCode> {
    CampaignCode::parse(code)
        .map_err(|e| StoreError::Corrupt(format!("campaign code {code:?}: {e}")))
}
