//! Staff accounts: roles, presence, and the rules for names and passwords.

use serde::{Deserialize, Serialize};

/// A staff member's role: what they may do is [`Role::may`]. Roles are not ranked: the
/// communication team edits the campaign page but never reads a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Answers contacts.
    Listener,
    /// Also backs listeners up and sees the live board.
    Supervisor,
    /// Everything: also manages accounts, campaigns and the campaign page.
    Admin,
    /// The association's communication: the campaign page's stories and the campaigns, and
    /// nothing of the conversations.
    Communication,
    /// Moves volunteer applications through the pipeline, and reads nothing of the
    /// conversations.
    Coordinator,
}

/// Something a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Take contacts and converse (the workspace, its socket, the statistics sheet).
    Listen,
    /// Create and disable accounts.
    ManageAccounts,
    /// Declare campaigns and read what they brought.
    ManageCampaigns,
    /// Edit the campaign page's stories.
    EditStories,
    /// Read and move volunteer applications (candidates' personal data).
    ManageVolunteers,
    /// See the live board, answer alerts, read conversations that are not one's own (each
    /// read recorded) and write privately to their listeners.
    Supervise,
}

impl Role {
    /// Stable name used in storage, the CLI and the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Listener => "listener",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Communication => "communication",
            Role::Coordinator => "coordinator",
        }
    }

    /// Inverse of [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Listener,
        Role::Supervisor,
        Role::Admin,
        Role::Communication,
        Role::Coordinator,
    ];

    /// Whether this role grants `permission`.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Listener => matches!(permission, Listen),
            Role::Supervisor => matches!(permission, Listen | Supervise),
            Role::Communication => matches!(permission, ManageCampaigns | EditStories),
            Role::Coordinator => matches!(permission, ManageVolunteers),
        }
    }
}

/// Whether a listener is taking contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// On duty: may press "next" (or is in a conversation).
    Available,
    /// On duty but taking no new contact (after a hard call, a break).
    Pause,
    /// Not on duty.
    Offline,
}

impl Presence {
    /// Stable name used in storage and the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Available => "available",
            Presence::Pause => "pause",
            Presence::Offline => "offline",
        }
    }

    /// Inverse of [`Presence::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "available" => Some(Presence::Available),
            "pause" => Some(Presence::Pause),
            "offline" => Some(Presence::Offline),
            _ => None,
        }
    }
}

/// A login name: 3–32 characters, lowercase ASCII letters, digits, `.`, `-`, `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Validates and normalises to lowercase.
    pub fn parse(s: &str) -> Result<Self, UserError> {
        let s = s.trim().to_ascii_lowercase();
        let ok = (3..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if ok {
            Ok(Username(s))
        } else {
            Err(UserError::Username)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name callers and colleagues see instead of a listener's identity: 2–40 characters,
/// letters (any script), digits, spaces, `-`, `'` and `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Pseudonym(String);

impl Pseudonym {
    /// Validates; inner spaces are kept, outer ones trimmed.
    pub fn parse(s: &str) -> Result<Self, UserError> {
        let s = s.trim();
        let n = s.chars().count();
        let ok = (2..=40).contains(&n)
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '.'));
        if ok {
            Ok(Pseudonym(s.to_owned()))
        } else {
            Err(UserError::Pseudonym)
        }
    }

    /// The pseudonym.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the minimum rules (checked before hashing, never stored).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    /// Shortest accepted password, in characters.
    pub const MIN_CHARS: usize = 10;
    /// Longest accepted password, in characters (bounds the hashing cost of bad input).
    pub const MAX_CHARS: usize = 256;

    /// Validates the length.
    pub fn parse(s: &str) -> Result<Self, UserError> {
        let n = s.chars().count();
        if n < Self::MIN_CHARS {
            Err(UserError::PasswordTooShort)
        } else if n > Self::MAX_CHARS {
            Err(UserError::PasswordTooLong)
        } else {
            Ok(Password(s.to_owned()))
        }
    }

    /// The password.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A staff field that does not meet the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// Bad login name.
    #[error(
        "username must be 3 to 32 characters among lowercase letters, digits, '.', '-' and '_'"
    )]
    Username,
    /// Bad pseudonym.
    #[error("pseudonym must be 2 to 40 characters: letters, digits, spaces, '-', ''' or '.'")]
    Pseudonym,
    /// Password too short.
    #[error("password must have at least 10 characters")]
    PasswordTooShort,
    /// Password too long.
    #[error("password must have at most 256 characters")]
    PasswordTooLong,
    /// Unknown role name.
    #[error("role must be one of: listener, supervisor, admin")]
    Role,
}

/// Whether a listener available since `since` has reached the cap on continuous duty at
/// `now` (`cap_minutes` 0: no cap). A pause starts the count anew; so does a listener whose
/// presence was never set (nothing to count from).
pub fn duty_cap_reached(
    since: Option<crate::Timestamp>,
    now: crate::Timestamp,
    cap_minutes: u64,
) -> bool {
    match since {
        Some(since) if cap_minutes > 0 => {
            let minutes = now.0.saturating_sub(since.0) / 60_000;
            u64::try_from(minutes).is_ok_and(|m| m >= cap_minutes)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            Username::parse(" Camille.D ").unwrap().as_str(),
            "camille.d"
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("a b c").is_err());
        assert_eq!(
            Pseudonym::parse(" Anne-Sophie ").unwrap().as_str(),
            "Anne-Sophie"
        );
        assert!(Pseudonym::parse("<b>").is_err());
        assert!(Pseudonym::parse("Zoé").is_ok());
    }

    #[test]
    fn passwords_and_roles() {
        assert_eq!(Password::parse("short"), Err(UserError::PasswordTooShort));
        assert!(Password::parse("long enough!").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("long enough!").unwrap()),
            "Password(…)"
        );
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("Admin"), None);
        // The communication team never reads a conversation; listeners edit nothing.
        assert!(!Role::Communication.may(Permission::Listen));
        assert!(Role::Communication.may(Permission::EditStories));
        assert!(Role::Communication.may(Permission::ManageCampaigns));
        assert!(!Role::Communication.may(Permission::ManageAccounts));
        for r in [Role::Listener, Role::Supervisor] {
            assert!(r.may(Permission::Listen));
            assert!(!r.may(Permission::EditStories) && !r.may(Permission::ManageAccounts));
        }
        // Only supervisors (and administrators) read others' conversations.
        assert!(Role::Supervisor.may(Permission::Supervise));
        for r in [Role::Listener, Role::Communication, Role::Coordinator] {
            assert!(!r.may(Permission::Supervise), "{r:?}");
        }
        assert!([
            Permission::Supervise,
            Permission::Listen,
            Permission::ManageAccounts,
            Permission::ManageCampaigns,
            Permission::EditStories
        ]
        .into_iter()
        .all(|p| Role::Admin.may(p)));
        for p in [Presence::Available, Presence::Pause, Presence::Offline] {
            assert_eq!(Presence::parse(p.as_str()), Some(p));
        }
        // The cap on continuous duty.
        let t = |min: i64| crate::Timestamp(min * 60_000);
        assert!(!duty_cap_reached(Some(t(0)), t(239), 240));
        assert!(duty_cap_reached(Some(t(0)), t(240), 240));
        assert!(!duty_cap_reached(Some(t(0)), t(10_000), 0), "0: no cap");
        assert!(!duty_cap_reached(None, t(10_000), 240));
        assert!(
            !duty_cap_reached(Some(t(10)), t(0), 240),
            "a clock that went back"
        );
    }
}
