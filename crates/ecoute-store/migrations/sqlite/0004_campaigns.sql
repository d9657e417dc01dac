-- Campaigns and their counters, kept in step with migrations/postgres/0004_campaigns.sql.
-- Attribution without tracking: a counter says how many times something happened on a UTC
-- day (days since 1970-01-01) for people who came by a campaign's link. Nothing here is per
-- person.
CREATE TABLE campaigns (
    code        TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    starts_day  INTEGER  NOT NULL,
    ends_day    INTEGER  NOT NULL,
    created_at  INTEGER  NOT NULL,
    CHECK (ends_day >= starts_day)
);

-- campaign: a declared campaign's code, or '' for people who came by no campaign's link
-- (what a before / during / after comparison sets the campaign's figures against).
CREATE TABLE campaign_counts (
    campaign  TEXT    NOT NULL,
    day       INTEGER  NOT NULL,
    event     TEXT    NOT NULL CHECK (event IN
        ('page_view', 'reveal', 'conversation_started', 'message_written', 'application')),
    count     INTEGER  NOT NULL CHECK (count >= 0),
    PRIMARY KEY (campaign, day, event)
);
