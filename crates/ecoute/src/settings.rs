//! Configuration: one TOML file plus `ECOUTE_*` environment variables, over safe defaults.
//!
//! Sections mirror the file: `[server]`, `[database]`, and the web layer's `[chat]`,
//! `[privacy]`, `[written]`, `[volunteer]`, `[auth]`, `[site]`, `[[themes]]`. A variable names a key with `__` between
//! levels: `ECOUTE_SERVER__BIND=0.0.0.0:8080`, `ECOUTE_CHAT__MAX_CONVERSATIONS=2`.

use ecoute_web::config::{
    AuthConfig, ChatConfig, PrivacyConfig, SiteConfig, VolunteerConfig, WrittenConfig,
};
use ecoute_web::WebConfig;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The sections of the file, which `ECOUTE_<SECTION>__<KEY>` variables address.
const SECTIONS: &[&str] = &[
    "server",
    "database",
    "chat",
    "privacy",
    "written",
    "volunteer",
    "auth",
    "site",
];

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
    /// Anonymous written messaging.
    #[serde(default)]
    pub written: WrittenConfig,
    /// Applications to become a listener.
    #[serde(default)]
    pub volunteer: VolunteerConfig,
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
            written: self.written.clone(),
            volunteer: self.volunteer.clone(),
            auth: self.auth.clone(),
            site: self.site.clone(),
            themes: self.themes.clone(),
        }
    }
}

impl Settings {
    /// Makes sure `written.code_key` is set: read from `written.code_key_file` (by default
    /// beside the SQLite database, or `data/written-code.key`), which is created with a new
    /// random key at the first start (readable by its owner only). An in-memory database
    /// gets a key for this process only. The key stays out of the database on purpose: a copy
    /// of the database alone must not let anyone test codes.
    pub fn resolve_code_key(&mut self) -> anyhow::Result<()> {
        if self.written.code_key.is_some() {
            return Ok(());
        }
        let path = if !self.written.code_key_file.is_empty() {
            std::path::PathBuf::from(&self.written.code_key_file)
        } else if let Some(rest) = self.database.url.strip_prefix("sqlite:") {
            // `sqlite://PATH` and `sqlite:PATH` are files, `sqlite::memory:` is not.
            let db = rest.strip_prefix("//").unwrap_or(rest);
            let db = db.split('?').next().unwrap_or(db);
            if db.is_empty() || db.starts_with(":memory:") {
                return Ok(());
            }
            std::path::PathBuf::from(format!("{db}.code-key"))
        } else {
            std::path::PathBuf::from("data/written-code.key")
        };
        self.written.code_key = Some(code_key_file(&path)?);
        self.web()
            .validate()
            .map_err(|e| anyhow::anyhow!("{e} (in the key file {})", path.display()))?;
        Ok(())
    }
}

/// The hex key in `path`, or a new one written there if the file does not exist.
fn code_key_file(path: &Path) -> anyhow::Result<String> {
    use std::io::Write;
    match std::fs::read_to_string(path) {
        Ok(hex) => return Ok(hex.trim().to_owned()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            anyhow::bail!("cannot read the code key file {}: {e}", path.display())
        }
        Err(_) => {}
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let key = ecoute_app::retrieval::CodeKey::random();
    let hex: String = key.bytes().iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(format!("{hex}\n").as_bytes())?;
            file.sync_all()?;
            tracing::info!(file = %path.display(), "created the key of retrieval codes");
            Ok(hex)
        }
        // Another instance created it meanwhile: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(std::fs::read_to_string(path)?.trim().to_owned())
        }
        Err(e) => anyhow::bail!("cannot create the code key file {}: {e}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_on(db: &Path) -> Settings {
        let mut settings: Settings = Figment::new()
            .merge(Serialized::default("server", ServerSettings::default()))
            .merge(Serialized::default("database", DatabaseSettings::default()))
            .extract()
            .expect("defaults");
        settings.database.url = format!("sqlite://{}", db.display());
        settings
    }

    #[test]
    fn the_code_key_is_made_once_beside_the_database_and_kept() {
        let dir = std::env::temp_dir().join(format!("ecoute-key-{}", uuid::Uuid::new_v4()));
        let db = dir.join("ecoute.db");
        let mut first = settings_on(&db);
        first.resolve_code_key().expect("made");
        let key = first.written.code_key.clone().expect("set");
        assert_eq!(key.len(), 64);
        let file = dir.join("ecoute.db.code-key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
        }
        let mut again = settings_on(&db);
        again.resolve_code_key().expect("read");
        assert_eq!(again.written.code_key, Some(key));

        // A key file that is no key stops the start, naming the setting.
        std::fs::write(&file, "not hex\n").expect("write");
        let mut broken = settings_on(&db);
        let e = broken.resolve_code_key().expect_err("refused").to_string();
        assert!(e.contains("written.code_key"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
