//! The web layer's settings, with safe defaults. The binary fills them from the TOML file and
//! `ECOUTE_*` variables; tests build them directly.

use ecoute_domain::{MessageBody, Theme};
use serde::Deserialize;

/// Everything the web layer can be told.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// The address people use to reach ecoute, e.g. `https://ecoute.example.org`. Decides
    /// whether cookies are `Secure` and which `Origin` the listener socket accepts.
    pub public_url: String,
    /// Conversations.
    pub chat: ChatConfig,
    /// Retention.
    pub privacy: PrivacyConfig,
    /// Anonymous written messaging.
    pub written: WrittenConfig,
    /// Applications to become a listener.
    pub volunteer: VolunteerConfig,
    /// Staff sessions.
    pub auth: AuthConfig,
    /// The public site.
    pub site: SiteConfig,
    /// Themes of the statistics sheet (empty means the default taxonomy).
    pub themes: Vec<Theme>,
}

/// Conversation rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatConfig {
    /// Longest message, in characters.
    pub max_message_chars: usize,
    /// How long a person's conversation waits for them to reconnect before it ends.
    pub person_return_seconds: u64,
    /// How long a conversation waits for its listener to reconnect before it goes back to the
    /// head of the queue.
    pub listener_return_seconds: u64,
    /// Conversations a listener may hold at once (1 or 2).
    pub max_conversations: u32,
    /// Continuous minutes available without a pause after which "next" asks for a break
    /// first (listener wellbeing); 0: no cap.
    pub max_duty_minutes: u64,
    /// Most people waiting at once; beyond, newcomers are told the line is full.
    pub max_waiting: usize,
    /// How long a new contact may wait for its page to connect (say `hello`) before it leaves
    /// the queue as never connected (not counted as a person).
    pub hello_grace_seconds: u64,
    /// Conversation length assumed for estimates until real ones are known, in minutes.
    pub default_handle_minutes: u32,
    /// Heartbeat period of the sockets, in seconds: both sides ping this often, and a socket
    /// silent for three periods counts as lost (a phone that lost its signal closes nothing).
    pub heartbeat_seconds: u64,
    /// Joins of the queue accepted per minute on this instance, from everyone together
    /// (the budget's refill rate); beyond, `429 rate_limited`.
    pub joins_per_minute: u32,
    /// Joins accepted at once before the per-minute rate applies (the budget's size).
    pub join_burst: u32,
}

impl ChatConfig {
    /// The heartbeat period.
    pub fn heartbeat(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.heartbeat_seconds)
    }

    /// The heartbeat period in milliseconds, as the pages are told.
    pub fn heartbeat_millis(&self) -> u64 {
        self.heartbeat_seconds.saturating_mul(1000)
    }
}

/// What is kept and for how long.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Hours after its end that a conversation's text is deleted (0: at the next purge).
    pub purge_after_hours: u64,
    /// How often the purge runs, in seconds.
    pub purge_interval_seconds: u64,
}

/// Anonymous written messaging.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WrittenConfig {
    /// Longest written message, in characters.
    pub max_message_chars: usize,
    /// A thread without any message for this many days is deleted whole.
    pub purge_after_days: u64,
    /// Threads open at once at most; beyond, a new one is refused (`503`).
    pub max_open_threads: u64,
    /// Code checks (opening a thread, reading, writing, deleting) accepted per minute on an
    /// instance, for everyone together; beyond, `429`.
    pub code_checks_per_minute: u32,
    /// Code checks accepted at once before that rate applies.
    pub code_check_burst: u32,
    /// The secret of retrieval codes, hex (at least 32 digits). Set by the binary from
    /// `code_key_file` when not given; every instance sharing a database needs the same.
    pub code_key: Option<String>,
    /// Where the binary keeps the secret when `code_key` is not given (created at first
    /// start). Empty: beside the SQLite database, or `data/written-code.key`.
    pub code_key_file: String,
}

impl std::fmt::Debug for WrittenConfig {
    // The key is a secret: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrittenConfig")
            .field("max_message_chars", &self.max_message_chars)
            .field("purge_after_days", &self.purge_after_days)
            .field("max_open_threads", &self.max_open_threads)
            .field("code_checks_per_minute", &self.code_checks_per_minute)
            .field("code_check_burst", &self.code_check_burst)
            .field("code_key", &self.code_key.as_ref().map(|_| "…"))
            .field("code_key_file", &self.code_key_file)
            .finish()
    }
}

impl Default for WrittenConfig {
    fn default() -> Self {
        WrittenConfig {
            max_message_chars: ecoute_domain::written::MAX_WRITTEN_CHARS,
            purge_after_days: 30,
            max_open_threads: 10_000,
            code_checks_per_minute: 60,
            code_check_burst: 20,
            code_key: None,
            code_key_file: String::new(),
        }
    }
}

impl WrittenConfig {
    /// The code key's bytes, if one is given (checked by [`WebConfig::validate`]).
    pub fn key(&self) -> Option<ecoute_app::retrieval::CodeKey> {
        let hex = self.code_key.as_deref()?.trim();
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        ecoute_app::retrieval::CodeKey::new(&bytes?)
    }
}

/// Applications to become a listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VolunteerConfig {
    /// Applications kept with their personal data at most; beyond, the form answers `503`.
    pub max_kept_applications: u64,
    /// Days after a candidate left the pipeline (without becoming a listener) that their
    /// personal data is erased.
    pub erase_left_after_days: u64,
    /// Applications accepted per minute on an instance, for everyone together; beyond, `429`.
    pub applications_per_minute: u32,
    /// Applications accepted at once before that rate applies.
    pub application_burst: u32,
}

impl Default for VolunteerConfig {
    fn default() -> Self {
        VolunteerConfig {
            max_kept_applications: 5_000,
            erase_left_after_days: 365,
            applications_per_minute: 10,
            application_burst: 20,
        }
    }
}

/// Staff sessions.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Session lifetime, in hours (a night shift is 10.5 h).
    pub session_hours: u64,
}

/// The public site.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// The helpline's name, shown on pages.
    pub name: String,
    /// Where the quick-exit button goes: a neutral page.
    pub quick_exit_url: String,
    /// When listeners are usually on duty, as told to a person waiting while nobody is
    /// (`site.opening_hours.fr`, `.en`); optional, and a language without it says nothing
    /// rather than show the other language's text.
    pub opening_hours: PerLanguage,
}

/// A text written once per page language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerLanguage {
    /// French.
    pub fr: Option<String>,
    /// English.
    pub en: Option<String>,
}

impl PerLanguage {
    /// Longest text accepted, in characters.
    pub const MAX_CHARS: usize = 300;

    /// The text of `lang`, if written (and not blank).
    pub fn get(&self, lang: crate::i18n::Lang) -> Option<&str> {
        let text = match lang {
            crate::i18n::Lang::Fr => self.fr.as_deref(),
            crate::i18n::Lang::En => self.en.as_deref(),
        };
        text.map(str::trim).filter(|t| !t.is_empty())
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: "http://localhost:8080".into(),
            chat: ChatConfig::default(),
            privacy: PrivacyConfig::default(),
            written: WrittenConfig::default(),
            volunteer: VolunteerConfig::default(),
            auth: AuthConfig::default(),
            site: SiteConfig::default(),
            themes: Vec::new(),
        }
    }
}

impl WebConfig {
    /// What the use cases need of these settings.
    pub fn app_settings(&self) -> ecoute_app::Settings {
        ecoute_app::Settings {
            max_waiting: self.chat.max_waiting as u64,
            max_conversations: self.chat.max_conversations,
            max_duty_minutes: self.chat.max_duty_minutes,
            person_return_seconds: self.chat.person_return_seconds,
            listener_return_seconds: self.chat.listener_return_seconds,
            hello_grace_seconds: self.chat.hello_grace_seconds,
            purge_after_hours: self.privacy.purge_after_hours,
            written: ecoute_app::written::WrittenSettings {
                max_chars: self.written.max_message_chars,
                purge_after_days: self.written.purge_after_days,
                max_threads: self.written.max_open_threads,
            },
            volunteer: ecoute_app::volunteers::VolunteerSettings {
                max_kept: self.volunteer.max_kept_applications,
                erase_left_after_days: self.volunteer.erase_left_after_days,
            },
            code_key: self.written.key(),
        }
    }
}

impl Default for ChatConfig {
    fn default() -> Self {
        ChatConfig {
            max_message_chars: MessageBody::DEFAULT_MAX_CHARS,
            person_return_seconds: 120,
            listener_return_seconds: 60,
            max_conversations: 1,
            max_duty_minutes: 240,
            max_waiting: 1000,
            hello_grace_seconds: 30,
            default_handle_minutes: 20,
            heartbeat_seconds: 5,
            joins_per_minute: 120,
            join_burst: 60,
        }
    }
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            purge_after_hours: 24,
            purge_interval_seconds: 300,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig { session_hours: 12 }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            name: "ecoute".into(),
            quick_exit_url: "https://www.google.com/search?q=m%C3%A9t%C3%A9o".into(),
            opening_hours: PerLanguage::default(),
        }
    }
}

/// A setting outside what ecoute accepts; the message names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting {key}: {reason}")]
pub struct ConfigError {
    /// The setting, as written in the TOML file.
    pub key: &'static str,
    /// What is wrong.
    pub reason: String,
}

fn invalid(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        key,
        reason: reason.into(),
    }
}

impl WebConfig {
    /// Checks every bound; returns the first setting that is out of them.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = &self.public_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2000 {
            return Err(invalid("public_url", "must start with http:// or https://"));
        }
        let c = &self.chat;
        if !(1..=20_000).contains(&c.max_message_chars) {
            return Err(invalid(
                "chat.max_message_chars",
                "must be between 1 and 20000",
            ));
        }
        if !(1..=2).contains(&c.max_conversations) {
            return Err(invalid("chat.max_conversations", "must be 1 or 2"));
        }
        if c.max_duty_minutes > 1440 {
            return Err(invalid(
                "chat.max_duty_minutes",
                "must be between 0 (no cap) and 1440",
            ));
        }
        if !(1..=86_400).contains(&c.person_return_seconds) {
            return Err(invalid(
                "chat.person_return_seconds",
                "must be between 1 and 86400",
            ));
        }
        if !(1..=86_400).contains(&c.listener_return_seconds) {
            return Err(invalid(
                "chat.listener_return_seconds",
                "must be between 1 and 86400",
            ));
        }
        if !(1..=1_000_000).contains(&c.max_waiting) {
            return Err(invalid("chat.max_waiting", "must be between 1 and 1000000"));
        }
        if !(1..=3_600).contains(&c.hello_grace_seconds) {
            return Err(invalid(
                "chat.hello_grace_seconds",
                "must be between 1 and 3600",
            ));
        }
        if !(1..=600).contains(&c.default_handle_minutes) {
            return Err(invalid(
                "chat.default_handle_minutes",
                "must be between 1 and 600",
            ));
        }
        if !(1..=60).contains(&c.heartbeat_seconds) {
            return Err(invalid(
                "chat.heartbeat_seconds",
                "must be between 1 and 60",
            ));
        }
        if !(1..=1_000_000).contains(&c.joins_per_minute) {
            return Err(invalid(
                "chat.joins_per_minute",
                "must be between 1 and 1000000",
            ));
        }
        if !(1..=1_000_000).contains(&c.join_burst) {
            return Err(invalid("chat.join_burst", "must be between 1 and 1000000"));
        }
        if self.privacy.purge_after_hours > 24 * 366 {
            return Err(invalid(
                "privacy.purge_after_hours",
                "must be at most 8784 (a year)",
            ));
        }
        if !(1..=86_400).contains(&self.privacy.purge_interval_seconds) {
            return Err(invalid(
                "privacy.purge_interval_seconds",
                "must be between 1 and 86400",
            ));
        }
        let w = &self.written;
        if !(1..=ecoute_domain::written::MAX_WRITTEN_CHARS).contains(&w.max_message_chars) {
            return Err(invalid(
                "written.max_message_chars",
                format!(
                    "must be between 1 and {}",
                    ecoute_domain::written::MAX_WRITTEN_CHARS
                ),
            ));
        }
        if !(1..=366).contains(&w.purge_after_days) {
            return Err(invalid(
                "written.purge_after_days",
                "must be between 1 and 366",
            ));
        }
        if !(1..=10_000_000).contains(&w.max_open_threads) {
            return Err(invalid(
                "written.max_open_threads",
                "must be between 1 and 10000000",
            ));
        }
        if !(1..=1_000_000).contains(&w.code_checks_per_minute) {
            return Err(invalid(
                "written.code_checks_per_minute",
                "must be between 1 and 1000000",
            ));
        }
        if !(1..=1_000_000).contains(&w.code_check_burst) {
            return Err(invalid(
                "written.code_check_burst",
                "must be between 1 and 1000000",
            ));
        }
        let v = &self.volunteer;
        if !(1..=10_000_000).contains(&v.max_kept_applications) {
            return Err(invalid(
                "volunteer.max_kept_applications",
                "must be between 1 and 10000000",
            ));
        }
        if !(1..=3_650).contains(&v.erase_left_after_days) {
            return Err(invalid(
                "volunteer.erase_left_after_days",
                "must be between 1 and 3650",
            ));
        }
        if !(1..=1_000_000).contains(&v.applications_per_minute) {
            return Err(invalid(
                "volunteer.applications_per_minute",
                "must be between 1 and 1000000",
            ));
        }
        if !(1..=1_000_000).contains(&v.application_burst) {
            return Err(invalid(
                "volunteer.application_burst",
                "must be between 1 and 1000000",
            ));
        }
        if let Some(hex) = &w.code_key {
            let hex = hex.trim();
            if hex.len() < 32 || hex.len() % 2 != 0 || w.key().is_none() {
                return Err(invalid(
                    "written.code_key",
                    "must be an even number (at least 32) of hexadecimal digits",
                ));
            }
        }
        if !(1..=24 * 7).contains(&self.auth.session_hours) {
            return Err(invalid("auth.session_hours", "must be between 1 and 168"));
        }
        let exit = &self.site.quick_exit_url;
        if !(exit.starts_with("https://") || exit.starts_with("http://") || exit.starts_with('/')) {
            return Err(invalid(
                "site.quick_exit_url",
                "must be an http(s) URL or a path",
            ));
        }
        if self.site.name.trim().is_empty() || self.site.name.chars().count() > 80 {
            return Err(invalid("site.name", "must be 1 to 80 characters"));
        }
        for (key, text) in [
            ("site.opening_hours.fr", &self.site.opening_hours.fr),
            ("site.opening_hours.en", &self.site.opening_hours.en),
        ] {
            if text.as_ref().is_some_and(|t| {
                t.chars().count() > PerLanguage::MAX_CHARS || t.chars().any(char::is_control)
            }) {
                return Err(invalid(key, "must be one line of at most 300 characters"));
            }
        }
        for t in &self.themes {
            if !Theme::valid_code(&t.code) {
                return Err(invalid(
                    "themes",
                    format!("bad code {:?}: use a-z, 0-9, _", t.code),
                ));
            }
            if t.fr.trim().is_empty() || t.en.trim().is_empty() {
                return Err(invalid(
                    "themes",
                    format!("theme {} needs fr and en labels", t.code),
                ));
            }
        }
        Ok(())
    }

    /// The statistics taxonomy in force.
    pub fn themes(&self) -> Vec<Theme> {
        if self.themes.is_empty() {
            Theme::defaults()
        } else {
            self.themes.clone()
        }
    }

    /// Whether cookies must be `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(WebConfig::default().validate(), Ok(()));
        assert_eq!(WebConfig::default().themes().len(), 11);
    }

    #[test]
    fn bad_values_name_their_setting() {
        let mut c = WebConfig::default();
        c.chat.max_conversations = 3;
        assert_eq!(c.validate().unwrap_err().key, "chat.max_conversations");
        let c = WebConfig {
            public_url: "ftp://x".into(),
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap_err().key, "public_url");
        let c = WebConfig {
            themes: vec![Theme {
                code: "Bad".into(),
                fr: "x".into(),
                en: "x".into(),
            }],
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap_err().key, "themes");
        let mut c = WebConfig::default();
        c.privacy.purge_after_hours = 0;
        assert_eq!(c.validate(), Ok(()));
    }
}
