//! The rules of ecoute, without I/O.
//!
//! Everything here is pure: time is passed in as a [`Timestamp`], nothing touches the network,
//! the disk or a clock. The store persists these types and enforces the same rules atomically;
//! the web layer translates them to HTTP and WebSocket frames.

pub mod campaign;
pub mod contact;
pub mod event;
pub mod ids;
pub mod message;
pub mod queue;
pub mod retrieval;
pub mod rules;
pub mod stats;
pub mod story;
pub mod supervision;
pub mod time;
pub mod triage;
pub mod user;
pub mod volunteer;
pub mod written;

pub use campaign::{
    Campaign, CampaignCode, CampaignCodeError, CampaignCount, CampaignError, CampaignEvent,
    CampaignReport, Day, Periods,
};
pub use contact::{
    Channel, Contact, ContactState, ContactStatus, EndReason, Transition, TransitionError,
};
pub use event::{ContactEvent, Event, MessageEvent, Topic};
pub use ids::{CentreId, ClientMessageId, ConnectionId, ContactId, IdError, ThreadId, UserId};
pub use message::{Author, Message, MessageBody, MessageError, Writer};
pub use queue::{estimate_wait, mean_handle_seconds, QueueEntry, QueueSnapshot, WaitEstimate};
pub use retrieval::{CodeError, RetrievalCode, WordList};
pub use rules::{ResendError, Sender};
pub use stats::{
    AgeBand, ContactKind, Gender, RiskLevel, StatsSheet, StatsSheetError, StatsSheetInput, Theme,
    THEMES,
};
pub use story::{current_stories, shipped_stories, Story, StoryError, StoryPart, StoryText};
pub use supervision::{
    whisper_text, Alert, AlertId, AlertKind, AnsweredShare, ConversationRead, PriorityChange,
    TriageRecord, Whisper, WhisperError,
};
pub use time::Timestamp;
pub use triage::{
    assess, raise_priority, Assessment, Cue, CueKind, CueStatus, ScreenerRisk, TriageLevel,
    SCORER_VERSION,
};
pub use user::{
    duty_cap_reached, Password, Permission, Presence, Pseudonym, Role, UserError, Username,
};
pub use volunteer::{
    Application, ApplicationError, ApplicationEvent, ApplicationId, Candidate, CandidateInput,
    Conversion, EventKind, PipelineCounts, Stage, StageError,
};
pub use written::{Claim, Due, Thread, ThreadRefusal, WrittenMessage};
