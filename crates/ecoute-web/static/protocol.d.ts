// Generated from crates/ecoute-protocol by `ECOUTE_BLESS=1 cargo test -p ecoute-protocol`.
// Do not edit: change the Rust types, then regenerate.

export type Author = "person" | "listener";

export type ContactStatus = "waiting" | "active" | "ended";

export type EndReason = "person_ended" | "listener_ended" | "abandoned" | "person_vanished" | "never_connected";

export type Presence = "available" | "pause" | "offline";

export type WaitEstimate = { "kind": "soon" } | { "kind": "seconds", 
/**
 * The estimate, rounded up to the minute.
 */
seconds: number, } | { "kind": "no_listener_on_duty" };

export type ErrorCode = "bad_frame" | "frame_too_large" | "hello_required" | "bad_token" | "session_expired" | "message_invalid" | "bad_message_id" | "duplicate_message_id" | "contact_ended" | "not_your_contact" | "busy" | "not_available" | "rate_limited" | "internal" | "unknown_alert" | "forbidden" | "not_waiting" | "duty_cap";

export type ErrorOut = { 
/**
 * For programs.
 */
code: ErrorCode, 
/**
 * For people (English; the pages show their own text for each code).
 */
message: string, 
/**
 * The refused message's id.
 */
id?: string, 
/**
 * The conversation the refused frame named.
 */
contact_id?: string, 
/**
 * With `rate_limited`: when to retry, in milliseconds.
 */
retry_after_ms?: number, };

export type CloseCode = number;

export type MessageOut = { 
/**
 * Conversation (listener side only).
 */
contact_id?: string, 
/**
 * Sequence number in the conversation: 1, 2, 3… without gaps.
 */
seq: number, 
/**
 * Who wrote it.
 */
author: Author, 
/**
 * The writer's id for it.
 */
id: string, 
/**
 * Text.
 */
body: string, 
/**
 * Commit time, milliseconds since the Unix epoch.
 */
at: number, 
/**
 * Pseudonym of the listener who wrote it (listener messages only).
 */
listener?: string, 
/**
 * Listener side only: whether the receiving listener wrote it.
 */
own?: boolean, };

export type PersonIn = { "type": "hello", 
/**
 * The token from `POST /api/contacts`.
 */
token: string, 
/**
 * Highest seq already seen (0 on a fresh page).
 */
last_seq: number, 
/**
 * The code of the campaign whose link brought the page (`?c=`), if any: the
 * person's messages are counted under it, anonymously (an undeclared code counts
 * as none).
 */
campaign?: string, } | { "type": "send", 
/**
 * Client-chosen id (1–64 of `A–Z a–z 0–9 - _`).
 */
id: string, 
/**
 * Text.
 */
body: string, } | { "type": "typing" } | { "type": "end" } | { "type": "ping" } | { "type": "received", 
/**
 * Highest seq shown.
 */
seq: number, };

export type PersonOut = { "type": "welcome", 
/**
 * The conversation.
 */
contact_id: string, 
/**
 * Where it is.
 */
state: ContactStatus, 
/**
 * The listener's pseudonym, in conversation.
 */
listener: string | null, 
/**
 * Whether the listener's connection is lost right now.
 */
listener_away: boolean, 
/**
 * How it ended, if it has.
 */
end_reason: EndReason | null, 
/**
 * The longest message, in characters.
 */
max_message_chars: number, 
/**
 * Heartbeat period: the page sends `ping` this often when idle, and takes the
 * connection for dead after three periods without any frame from the server.
 */
heartbeat_ms: number, } | { "type": "queue", 
/**
 * Place in the queue.
 */
position: number, 
/**
 * People waiting.
 */
waiting: number, 
/**
 * Listeners on duty.
 */
on_duty: number, 
/**
 * The estimated wait.
 */
estimate: WaitEstimate, } | { "type": "ack", 
/**
 * The message.
 */
id: string, 
/**
 * Its seq.
 */
seq: number, } | { "type": "message" } & MessageOut | { "type": "typing" } | { "type": "assigned", 
/**
 * The pseudonym.
 */
listener: string, } | { "type": "transferred", 
/**
 * The new listener's pseudonym.
 */
listener: string, } | { "type": "listener_away" } | { "type": "listener_back" } | { "type": "requeued" } | { "type": "ended", 
/**
 * How.
 */
reason: EndReason, } | { "type": "replaced" } | { "type": "pong" } | { "type": "delivered", 
/**
 * Highest seq shown on the listener's page.
 */
seq: number, } | { "type": "error" } & ErrorOut;

export type ConversationOut = { 
/**
 * The contact.
 */
contact_id: string, 
/**
 * A short label for the person ("P-3F9A"), never an identity.
 */
label: string, 
/**
 * Whether this person has come back after a requeue.
 */
returning: boolean, 
/**
 * Whether the person's connection is lost right now.
 */
person_away: boolean, 
/**
 * When a listener first answered (ms since the epoch).
 */
answered_at: number | null, 
/**
 * What the risk triage read in the person's words while they waited, if anything.
 */
triage: TriageOut | null, };

export type PendingSheetOut = { 
/**
 * The contact.
 */
contact_id: string, 
/**
 * Its label.
 */
label: string, };

export type ListenerIn = { "type": "hello", 
/**
 * Highest seq seen per conversation (empty on a fresh page).
 */
last_seqs: { [key in string]: number }, } | { "type": "presence", 
/**
 * The new presence.
 */
presence: Presence, } | { "type": "next" } | { "type": "send", 
/**
 * Conversation.
 */
contact_id: string, 
/**
 * Client-chosen id.
 */
id: string, 
/**
 * Text.
 */
body: string, } | { "type": "typing", 
/**
 * Conversation.
 */
contact_id: string, } | { "type": "end", 
/**
 * Conversation.
 */
contact_id: string, } | { "type": "ping" } | { "type": "alert", 
/**
 * Conversation.
 */
contact_id: string, } | { "type": "received", 
/**
 * Conversation.
 */
contact_id: string, 
/**
 * Highest seq shown.
 */
seq: number, };

export type ListenerOut = { "type": "welcome", 
/**
 * The listener's pseudonym.
 */
pseudonym: string, 
/**
 * Presence as stored.
 */
presence: Presence, 
/**
 * Conversations at once (1 or 2).
 */
capacity: number, 
/**
 * Current conversations.
 */
conversations: Array<ConversationOut>, 
/**
 * Sheets still to fill.
 */
pending_sheets: Array<PendingSheetOut>, 
/**
 * Heartbeat period: the page sends `ping` this often when idle, and takes the
 * connection for dead after three periods without any frame from the server.
 */
heartbeat_ms: number, } | { "type": "board", 
/**
 * People waiting.
 */
waiting: number, 
/**
 * Listeners on duty.
 */
on_duty: number, 
/**
 * Listeners on duty with room for a conversation.
 */
free: number, } | { "type": "presence", 
/**
 * The presence.
 */
presence: Presence, } | { "type": "assigned", 
/**
 * The conversation.
 */
conversation: ConversationOut, } | { "type": "queue_empty" } | { "type": "ack", 
/**
 * Conversation.
 */
contact_id: string, 
/**
 * The message.
 */
id: string, 
/**
 * Its seq.
 */
seq: number, } | { "type": "message" } & MessageOut | { "type": "typing", 
/**
 * Conversation.
 */
contact_id: string, } | { "type": "person_away", 
/**
 * Conversation.
 */
contact_id: string, } | { "type": "person_back", 
/**
 * Conversation.
 */
contact_id: string, } | { "type": "ended", 
/**
 * Conversation.
 */
contact_id: string, 
/**
 * How.
 */
reason: EndReason, 
/**
 * The sheet to fill, when this listener answered it.
 */
sheet_url: string | null, } | { "type": "requeued", 
/**
 * Conversation.
 */
contact_id: string, } | { "type": "replaced" } | { "type": "pong" } | { "type": "delivered", 
/**
 * Conversation.
 */
contact_id: string, 
/**
 * Highest seq shown on the person's page.
 */
seq: number, } | { "type": "transferred_away", 
/**
 * Conversation.
 */
contact_id: string, 
/**
 * The pseudonym of the listener who has it now.
 */
to: string, } | { "type": "alert_raised", 
/**
 * Conversation.
 */
contact_id: string, } | { "type": "whisper" } & WhisperOut | { "type": "error" } & ErrorOut;

export type Channel = "chat" | "message";

export type AlertKind = "help" | "debrief" | "risk";

export type TriageLevel = "none" | "wish_to_be_dead" | "ideation" | "method" | "intent" | "plan" | "behaviour";

export type TriageOut = { 
/**
 * The scorer's version.
 */
version: string, 
/**
 * The highest level read about the writer.
 */
level: TriageLevel, 
/**
 * The highest level read about someone else they spoke of.
 */
other: TriageLevel, 
/**
 * The words that triggered it, as written: display them as text, never as HTML.
 */
triggers: Array<string>, };

export type WaitingOut = { 
/**
 * The contact (chats only: a written thread is answered from the inbox).
 */
contact_id: string | null, 
/**
 * Their label ("P-3F9A" for a chat, "W-3F9A" for a written thread).
 */
label: string, 
/**
 * Chat or written message.
 */
channel: Channel, 
/**
 * Priority (higher is served first).
 */
priority: number, 
/**
 * Came back after losing their listener.
 */
returning: boolean, 
/**
 * Waiting since (ms since the epoch).
 */
since: number, 
/**
 * What the triage read in their words, if anything (chats only).
 */
triage: TriageOut | null, };

export type OngoingOut = { 
/**
 * The contact.
 */
contact_id: string, 
/**
 * Its label.
 */
label: string, 
/**
 * Its listener's pseudonym.
 */
listener: string, 
/**
 * Answered at (ms since the epoch).
 */
answered_at: number | null, };

export type RosterOut = { 
/**
 * Their account id (for `transfer`).
 */
user_id: number, 
/**
 * Their pseudonym.
 */
pseudonym: string, 
/**
 * Available or on pause.
 */
presence: Presence, 
/**
 * Conversations they hold now.
 */
conversations: number, 
/**
 * Presence set at (ms since the epoch), if ever set.
 */
since: number | null, 
/**
 * Whether their workspace is disconnected right now.
 */
away: boolean, };

export type AlertOut = { 
/**
 * The alert.
 */
alert_id: string, 
/**
 * Help now, or a debrief after a hard conversation.
 */
kind: AlertKind, 
/**
 * The conversation.
 */
contact_id: string, 
/**
 * Its label.
 */
label: string, 
/**
 * The listener's pseudonym (`null` for triage's alert about someone waiting).
 */
listener: string | null, 
/**
 * Raised at (ms since the epoch).
 */
raised_at: number, 
/**
 * Whether the conversation is still in progress (it can be read).
 */
in_progress: boolean, };

export type BoardOut = { 
/**
 * Read at (ms since the epoch, the server's clock): durations count from it.
 */
now: number, 
/**
 * People waiting: chats in serve order, then written threads awaiting a reply.
 */
waiting: Array<WaitingOut>, 
/**
 * Conversations in progress, the longest first.
 */
ongoing: Array<OngoingOut>, 
/**
 * Listeners available or on pause.
 */
roster: Array<RosterOut>, 
/**
 * Open alerts, oldest first.
 */
alerts: Array<AlertOut>, 
/**
 * Chats of the last hour that were answered…
 */
answered_last_hour: number, 
/**
 * …of those that are settled (answered, or ended unanswered).
 */
settled_last_hour: number, };

export type WhisperOut = { 
/**
 * The conversation.
 */
contact_id: string, 
/**
 * Order within the conversation's notes, from 1.
 */
seq: number, 
/**
 * The supervisor's pseudonym.
 */
from: string, 
/**
 * Text: display it as text, never as HTML.
 */
body: string, 
/**
 * Written at (ms since the epoch).
 */
at: number, };

export type SupervisorIn = { "type": "hello" } | { "type": "ping" } | { "type": "watch", 
/**
 * The conversation.
 */
contact_id: string, } | { "type": "unwatch", 
/**
 * The conversation.
 */
contact_id: string, } | { "type": "whisper", 
/**
 * The conversation.
 */
contact_id: string, 
/**
 * Client-chosen id, echoed in `whispered`.
 */
id: string, 
/**
 * Text (1–2000 characters).
 */
body: string, } | { "type": "priority", 
/**
 * The waiting contact.
 */
contact_id: string, 
/**
 * The new priority.
 */
priority: number, } | { "type": "take_over", 
/**
 * The conversation.
 */
contact_id: string, } | { "type": "transfer", 
/**
 * The conversation.
 */
contact_id: string, 
/**
 * The listener's account id (`user_id` of the roster).
 */
to: number, } | { "type": "resolve", 
/**
 * The alert.
 */
alert_id: string, };

export type SupervisorOut = { "type": "welcome", 
/**
 * The supervisor's pseudonym.
 */
pseudonym: string, 
/**
 * Heartbeat period (see the listener's `welcome`).
 */
heartbeat_ms: number, 
/**
 * The board now.
 */
board: BoardOut, } | { "type": "board", 
/**
 * The board now.
 */
board: BoardOut, } | { "type": "transcript", 
/**
 * The conversation.
 */
contact_id: string, 
/**
 * Its label.
 */
label: string, 
/**
 * Its listener's pseudonym.
 */
listener: string, 
/**
 * Its messages so far.
 */
messages: Array<MessageOut>, 
/**
 * The supervisors' notes so far.
 */
whispers: Array<WhisperOut>, } | { "type": "message" } & MessageOut | { "type": "whispered", 
/**
 * The client's id of the note.
 */
id: string, 
/**
 * The note.
 */
whisper: WhisperOut, } | { "type": "ended", 
/**
 * The conversation.
 */
contact_id: string, } | { "type": "pong" } | { "type": "error" } & ErrorOut;

/** Close codes after which reconnecting cannot help. */
export type FinalCloseCode = 4400 | 4401 | 4409;

/** Error codes after which the same frame may succeed later. */
export type RetryableErrorCode = "rate_limited" | "internal";
