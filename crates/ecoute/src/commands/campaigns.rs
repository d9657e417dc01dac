//! `ecoute campaign …`: declaring campaigns and reading their counts from the command line.

use clap::{Args, Subcommand};
use ecoute_domain::Day;

use crate::settings::Settings;

/// Campaign commands.
#[derive(Subcommand)]
pub enum CampaignCommand {
    /// Declare a campaign: the links carrying its code count under it from then on (a
    /// running server learns it within 10 seconds).
    Add(AddArgs),
    /// List the declared campaigns.
    List,
    /// Print the counters of a range of days: day, campaign ("-" for none), event, count.
    Counts(CountsArgs),
}

/// `ecoute campaign add`.
#[derive(Args)]
pub struct AddArgs {
    /// The code its links carry (`?c=CODE`): 1-40 of a-z 0-9 - _.
    #[arg(long)]
    code: String,
    /// What staff call it.
    #[arg(long)]
    name: String,
    /// First day it runs (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = parse_day)]
    from: Day,
    /// Last day it runs (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = parse_day)]
    to: Day,
}

/// `ecoute campaign counts`.
#[derive(Args)]
pub struct CountsArgs {
    /// First day (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = parse_day)]
    from: Day,
    /// Last day (YYYY-MM-DD, UTC; default: the first day).
    #[arg(long, value_parser = parse_day)]
    to: Option<Day>,
}

/// Most days one `counts` prints (ten years).
const MAX_DAYS: i64 = 3660;

fn parse_day(text: &str) -> Result<Day, String> {
    Day::parse_iso(text).ok_or_else(|| format!("{text:?} is not a date as YYYY-MM-DD"))
}

/// Runs a campaign command.
pub async fn run(settings: Settings, cmd: CampaignCommand) -> anyhow::Result<()> {
    let app = super::app(&settings).await?;
    match cmd {
        CampaignCommand::Add(a) => {
            let campaign = app.declare_campaign(&a.code, &a.name, a.from, a.to).await?;
            println!(
                "declared campaign {} ({} to {}): links end with ?c={}",
                campaign.code,
                campaign.starts.iso(),
                campaign.ends.iso(),
                campaign.code
            );
        }
        CampaignCommand::List => {
            for c in app.campaigns().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    c.code,
                    c.starts.iso(),
                    c.ends.iso(),
                    c.name
                );
            }
        }
        CampaignCommand::Counts(a) => {
            let to = a.to.unwrap_or(a.from);
            anyhow::ensure!(to >= a.from, "--to is before --from");
            anyhow::ensure!(
                to.0 - a.from.0 < MAX_DAYS,
                "at most {MAX_DAYS} days at once"
            );
            for c in app.campaign_counts(a.from, to).await? {
                let campaign = c.campaign.as_ref().map_or("-", |c| c.as_str());
                println!(
                    "{}\t{}\t{}\t{}",
                    c.day.iso(),
                    campaign,
                    c.event.as_str(),
                    c.count
                );
            }
        }
    }
    Ok(())
}
