//! Configuration: one TOML file plus `ECOUTE_*` environment variables, over safe defaults.
//!
//! Sections mirror the file: `[server]`, `[database]`, and the web layer's `[chat]`,
//! `[privacy]`, `[auth]`, `[site]`, `[[themes]]`. A variable names a key with `__` between
//! levels: `ECOUTE_SERVER__BIND=0.0.0.0:8080`, `ECOUTE_CHAT__MAX_CONVERSATIONS=2`.

use ecoute_web::config::{AuthConfig, ChatConfig, PrivacyConfig, SiteConfig};
use ecoute_web::WebConfig;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The sections of the file, which `ECOUTE_<SECTION>__<KEY>` variables address.
const SECTIONS: &[&str] = &["server", "database", "chat", "privacy", "auth", "site"];

/// Everything ecoute can be told.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Listening address and logs.
    #[serde(default)]
    pub server: ServerSettings,
    /// Where data lives.
    #[serde(default)]
    pub database: DatabaseSettings,
    /// Conversation rules.
    #[serde(default)]
    pub chat: ChatConfig,
    /// Retention.
    #[serde(default)]
    pub privacy: PrivacyConfig,
    /// Staff sessions.
    #[serde(default)]
    pub auth: AuthConfig,
    /// The public site.
    #[serde(default)]
    pub site: SiteConfig,
    /// Statistics themes (empty: the default taxonomy).
    #[serde(default)]
    pub themes: Vec<ecoute_domain::Theme>,
}

/// `[server]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on. Port 0 picks a free port (tests).
    pub bind: String,
    /// The public address people use (decides `Secure` cookies and the allowed `Origin`).
    /// Empty: `http://` + `bind`.
    pub public_url: String,
    /// Log filter, e.g. `info` or `info,ecoute_web=debug`.
    pub log: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            bind: "127.0.0.1:8080".into(),
            public_url: String::new(),
            log: "info".into(),
        }
    }
}

/// `[database]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` (created on first start) or `postgres://…`.
    pub url: String,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: "sqlite://data/ecoute.db".into(),
        }
    }
}

impl Settings {
    /// Loads defaults, then the TOML file (if given, or `ecoute.toml` if present), then the
    /// environment. Errors name the key at fault.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut figment = Figment::new()
            .merge(Serialized::default("server", ServerSettings::default()))
            .merge(Serialized::default("database", DatabaseSettings::default()));
        match file {
            Some(path) => {
                if !path.is_file() {
                    anyhow::bail!("configuration file {} not found", path.display());
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("ecoute.toml")),
        }
        // Only variables that name a section are configuration; others (ECOUTE_CONFIG,
        // ECOUTE_TEST_POSTGRES_URL, ECOUTE_BIN…) belong to the command line or the tests.
        figment = figment.merge(
            Env::prefixed("ECOUTE_")
                .filter(|key| {
                    let key = key.as_str().to_ascii_lowercase();
                    SECTIONS.iter().any(|s| key.starts_with(&format!("{s}__")))
                })
                .split("__"),
        );
        let settings: Settings = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        settings.web().validate()?;
        Ok(settings)
    }

    /// The web layer's part.
    pub fn web(&self) -> WebConfig {
        let public_url = if self.server.public_url.is_empty() {
            format!("http://{}", self.server.bind)
        } else {
            self.server.public_url.trim_end_matches('/').to_owned()
        };
        WebConfig {
            public_url,
            chat: self.chat.clone(),
            privacy: self.privacy.clone(),
            auth: self.auth.clone(),
            site: self.site.clone(),
            themes: self.themes.clone(),
        }
    }
}
