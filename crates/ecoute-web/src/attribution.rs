//! The campaign a request came by: the `c` parameter of its query (`/?c=fb-2017-11`), as a
//! campaign's links carry it. Counting is the application's ([`ecoute_app::campaigns`]): only
//! declared codes count, and nothing about the person is kept.

use ecoute_app::App;
use ecoute_domain::{CampaignCode, CampaignEvent};

/// Counts `event` under the declared campaign that `query`'s `c` names (or under none) and
/// returns that campaign, for the page to hand on.
pub fn count_by_link(app: &App, query: Option<&str>, event: CampaignEvent) -> Option<CampaignCode> {
    let campaign = app.campaign_of(campaign_in(query));
    app.count(campaign.as_ref(), event);
    campaign
}

/// The campaign of a door's page (the chat, the written door, the volunteer form): opened
/// from the campaign page (`?via=`), which counted the view already, it is handed on
/// uncounted; otherwise the view counts, under the campaign `?c=` names or under none.
pub fn door_campaign(app: &App, query: Option<&str>) -> Option<CampaignCode> {
    if campaign_in(query).is_none() && named_by(query).is_some() {
        app.campaign_of(named_by(query))
    } else {
        count_by_link(app, query, CampaignEvent::PageView)
    }
}

/// The campaign `query` names, without counting anything: `c`, or else `via` — the chat page
/// opened from the campaign page's door, which counted the view already.
pub fn named_by(query: Option<&str>) -> Option<&str> {
    campaign_in(query).or_else(|| query?.split('&').find_map(|kv| kv.strip_prefix("via=")))
}

/// The first `c` parameter of `query`, as written (an undeclared or malformed code is simply
/// no campaign once the application looks it up).
pub fn campaign_in(query: Option<&str>) -> Option<&str> {
    query?.split('&').find_map(|kv| kv.strip_prefix("c="))
}

#[cfg(test)]
mod tests {
    use super::{campaign_in, named_by};

    #[test]
    fn via_names_a_campaign_when_c_does_not() {
        assert_eq!(named_by(Some("via=tv")), Some("tv"));
        assert_eq!(named_by(Some("c=fb&via=tv")), Some("fb"));
        assert_eq!(named_by(Some("lang=en")), None);
    }

    #[test]
    fn the_first_c_parameter() {
        assert_eq!(campaign_in(Some("c=fb-2017-11")), Some("fb-2017-11"));
        assert_eq!(campaign_in(Some("lang=en&c=tv&c=other")), Some("tv"));
        assert_eq!(campaign_in(Some("cc=tv&code=x")), None);
        assert_eq!(campaign_in(Some("")), None);
        assert_eq!(campaign_in(None), None);
    }
}
