// The supervisor's live board: alerts, who waits, conversations in progress, the roster and
// the last hour's answered share, as the server sends them; reading one conversation (each
// read is recorded by the server) and writing privately to its listener.

import { ChatSocket, MessageList, loadTexts, newMessageId, sendOnEnter } from "./socket.js";

/** @typedef {import("./protocol").BoardOut} BoardOut */
/** @typedef {import("./protocol").AlertOut} AlertOut */
/** @typedef {import("./protocol").WhisperOut} WhisperOut */
/** @typedef {import("./protocol").SupervisorOut} SupervisorOut */

/** The supervisor's choice of sound for a new alert ("off", or anything else: on). */
const SOUND_KEY = "ecoute.supervisor.sound";
/** The highest priority a supervisor sets by hand (the server refuses more). */
const MAX_PRIORITY = 9;
/** Durations on the board are recounted this often. */
const TICK_MS = 15000;

const t = loadTexts();
/** The strings of each alert kind, channel and presence. */
const KIND_TEXTS = { help: "board_alert_help", debrief: "board_alert_debrief", risk: "board_alert_risk" };
const TRIAGE_TEXTS = {
  none: "triage_none",
  wish_to_be_dead: "triage_wish_to_be_dead",
  ideation: "triage_ideation",
  method: "triage_method",
  intent: "triage_intent",
  plan: "triage_plan",
  behaviour: "triage_behaviour",
};
const CHANNEL_TEXTS = { chat: "board_channel_chat", message: "board_channel_message" };
const PRESENCE_TEXTS = { available: "presence_available", pause: "presence_pause", offline: "offline" };
/** @param {Record<string, string>} map @param {string} value */
const textOf = (map, value) => {
  const key = map[value];
  return key ? t(key) : value;
};
// The page's own elements, by id: their types are the template's business.
const $ = (id) => /** @type {any} */ (document.getElementById(id));
const ui = {
  connection: $("connection"),
  alerts: $("alerts"),
  alertLive: $("alert-live"),
  sound: /** @type {HTMLInputElement} */ ($("alert-sound")),
  counts: {
    waiting: $("count-waiting"),
    ongoing: $("count-ongoing"),
    available: $("count-available"),
    busy: $("count-busy"),
    paused: $("count-paused"),
    answered: $("answered-share"),
  },
  waiting: $("waiting-list"),
  ongoing: $("ongoing-list"),
  roster: $("roster-list"),
  reader: $("reader"),
  readerTitle: $("reader-title"),
  readerNote: $("reader-note"),
  readerMessages: $("reader-messages"),
  readerWhispers: $("reader-whispers"),
  whisperForm: $("whisper-form"),
  whisperText: /** @type {HTMLTextAreaElement} */ ($("whisper-form").querySelector("textarea")),
  readerClose: $("reader-close"),
  handover: $("handover"),
  takeOver: $("take-over"),
  transferTo: /** @type {HTMLSelectElement} */ ($("transfer-to")),
  transferButton: $("transfer"),
};

/** @type {BoardOut | null} */
let board = null;
/** The server's clock minus ours, so that durations count from the server's time. */
let skew = 0;
/** Alerts already seen: only a new one sounds. @type {Set<string> | null} */
let seenAlerts = null;
/** The conversation read, if any. */
let reading = null;
/** @type {MessageList | null} */
let transcript = null;
let baseTitle = document.title;
/** @type {AudioContext | null} */
let audio = null;

// A supervisor's reading must never tell the person's page their messages were "delivered".
const socket = new ChatSocket("/ws/supervisor", { hello: () => ({ type: "hello" }), receipts: false });

ui.sound.checked = localStorage.getItem(SOUND_KEY) !== "off";
ui.sound.addEventListener("change", () => localStorage.setItem(SOUND_KEY, ui.sound.checked ? "on" : "off"));
// Browsers let a page play sound only after a gesture: the first click or key readies it.
const readyAudio = () => {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") audio.resume();
  } catch {
    // no sound on this browser: the live region and the title remain
  }
};
document.addEventListener("pointerdown", readyAudio, { once: true });
document.addEventListener("keydown", readyAudio, { once: true });

function beep() {
  if (!audio || audio.state !== "running" || !ui.sound.checked) return;
  // Two tones, unlike the listener's one: an alert is not someone waiting.
  for (const [i, f] of [880, 660].entries()) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = f;
    gain.gain.value = 0.1;
    tone.connect(gain).connect(audio.destination);
    const at = audio.currentTime + i * 0.2;
    tone.start(at);
    tone.stop(at + 0.18);
  }
}

/** Whole minutes since `ms` (server time). */
function minutesSince(ms) {
  return Math.max(0, Math.floor((Date.now() + skew - ms) / 60000));
}

/** A list item of text parts, each set through `textContent`. */
function item(...parts) {
  const li = document.createElement("li");
  li.textContent = parts.filter(Boolean).join(" · ");
  return li;
}

function button(text, onClick, className = "secondary") {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

/** @param {HTMLElement} list @param {HTMLElement[]} items @param {string} emptyText */
function fill(list, items, emptyText) {
  list.replaceChildren(...(items.length ? items : [item(emptyText)]));
}

/**
 * What the triage read, in words: the level, someone else's if higher, and the words that
 * triggered it (an aid, never a diagnosis).
 * @param {import("./protocol").TriageOut | null} triage
 */
function triageText(triage) {
  if (!triage) return "";
  const parts = [];
  if (triage.level !== "none") parts.push(textOf(TRIAGE_TEXTS, triage.level));
  if (triage.other !== "none") parts.push(t("triage_other", { level: textOf(TRIAGE_TEXTS, triage.other) }));
  if (triage.triggers.length > 0) parts.push(t("triage_words", { words: triage.triggers.join(", ") }));
  return parts.join(" — ");
}

/** @param {AlertOut} a */
function alertItem(a) {
  const kind = textOf(KIND_TEXTS, a.kind);
  const li = item(kind, a.label, a.listener ?? "", t("board_since", { n: minutesSince(a.raised_at) }));
  li.className = `alert ${a.kind}`;
  li.dataset.alertId = a.alert_id;
  if (a.in_progress) li.append(" ", button(t("board_read"), () => watch(a.contact_id), "primary"));
  li.append(" ", button(t("board_resolve"), () => socket.send({ type: "resolve", alert_id: a.alert_id })));
  return li;
}

function render() {
  if (!board) return;
  const b = board;
  fill(ui.alerts, b.alerts.map(alertItem), t("board_no_alert"));
  fill(
    ui.waiting,
    b.waiting.map((w) => {
      const li = item(
        w.label,
        textOf(CHANNEL_TEXTS, w.channel),
        w.priority > 0 ? t("board_priority", { n: w.priority }) : "",
        w.returning ? t("board_returning") : "",
        t("board_minutes", { n: minutesSince(w.since) }),
        triageText(w.triage),
      );
      const contactId = w.contact_id;
      if (contactId) {
        // By hand, up or down: the change is recorded in the audit log.
        const set = (priority) => socket.send({ type: "priority", contact_id: contactId, priority });
        if (w.priority < MAX_PRIORITY) li.append(" ", button(t("board_priority_up"), () => set(w.priority + 1)));
        if (w.priority > 0) li.append(" ", button(t("board_priority_down"), () => set(w.priority - 1)));
      }
      return li;
    }),
    t("board_nobody_waiting"),
  );
  fill(
    ui.ongoing,
    b.ongoing.map((o) => {
      const li = item(o.label, o.listener, o.answered_at ? t("board_minutes", { n: minutesSince(o.answered_at) }) : "");
      li.dataset.contactId = o.contact_id;
      li.append(" ", button(t("board_read"), () => watch(o.contact_id)));
      return li;
    }),
    t("board_no_conversation"),
  );
  fill(
    ui.roster,
    b.roster.map((r) =>
      item(
        r.pseudonym,
        textOf(PRESENCE_TEXTS, r.presence),
        String(r.conversations),
        r.since ? t("board_since", { n: minutesSince(r.since) }) : "",
        r.away ? t("board_away") : "",
      ),
    ),
    t("board_nobody_on_duty"),
  );
  const available = b.roster.filter((r) => r.presence === "available");
  ui.counts.waiting.textContent = String(b.waiting.length);
  ui.counts.ongoing.textContent = String(b.ongoing.length);
  ui.counts.available.textContent = String(available.filter((r) => r.conversations === 0).length);
  ui.counts.busy.textContent = String(available.filter((r) => r.conversations > 0).length);
  ui.counts.paused.textContent = String(b.roster.length - available.length);
  ui.counts.answered.textContent =
    b.settled_last_hour > 0
      ? t("board_answered_share", {
          pct: Math.round((100 * b.answered_last_hour) / b.settled_last_hour),
          answered: b.answered_last_hour,
          settled: b.settled_last_hour,
        })
      : t("board_answered_none");
  document.title = b.alerts.length > 0 ? `(${b.alerts.length}) ${baseTitle}` : baseTitle;
}

/** @param {BoardOut} next */
function onBoard(next) {
  board = next;
  skew = next.now - Date.now();
  if (reading) {
    followReading();
    fillTransferChoices();
  }
  const fresh = next.alerts.filter((a) => seenAlerts && !seenAlerts.has(a.alert_id));
  seenAlerts = new Set(next.alerts.map((a) => a.alert_id));
  render();
  if (fresh.length > 0) {
    const a = fresh[fresh.length - 1];
    ui.alertLive.textContent = t("board_alert_title", {
      kind: textOf(KIND_TEXTS, a.kind),
      label: a.label,
      listener: a.listener ?? "",
    });
    beep();
  }
}

/** Reads a conversation: the server records the read, then sends its transcript. */
function watch(contactId) {
  if (reading && reading !== contactId) socket.send({ type: "unwatch", contact_id: reading });
  socket.send({ type: "watch", contact_id: contactId });
}

/** After a warm transfer, the reader names the conversation's new listener (and drops a stale note). */
function followReading() {
  const here = board?.ongoing.find((o) => o.contact_id === reading);
  if (!here) return;
  const title = t("board_reading", { label: here.label, listener: here.listener });
  if (ui.readerTitle.textContent === title) return;
  ui.readerTitle.textContent = title;
  ui.readerNote.textContent = "";
}

/** The listeners to whom the conversation read may be handed: available, not its own. */
function fillTransferChoices() {
  const select = ui.transferTo;
  const current = select.value;
  select.replaceChildren();
  const here = board?.ongoing.find((o) => o.contact_id === reading);
  for (const r of board?.roster ?? []) {
    if (r.presence !== "available" || r.pseudonym === here?.listener) continue;
    const option = document.createElement("option");
    option.value = String(r.user_id);
    option.textContent = r.pseudonym;
    select.append(option);
  }
  if ([...select.options].some((o) => o.value === current)) select.value = current;
  ui.transferButton.disabled = select.options.length === 0;
}

/** @param {Extract<SupervisorOut, {type: "transcript"}>} frame */
function onTranscript(frame) {
  reading = frame.contact_id;
  ui.reader.hidden = false;
  ui.readerTitle.textContent = t("board_reading", { label: frame.label, listener: frame.listener });
  ui.readerNote.textContent = "";
  ui.readerMessages.replaceChildren();
  ui.readerWhispers.replaceChildren();
  ui.whisperForm.hidden = false;
  transcript = new MessageList(ui.readerMessages, {
    t,
    isOwn: () => false,
    authorName: (m) => (m.author === "listener" ? (m.listener ?? "") : frame.label),
  });
  for (const m of frame.messages) transcript.show(m);
  for (const w of frame.whispers) showWhisper(w);
  ui.handover.hidden = false;
  fillTransferChoices();
  ui.whisperText.focus();
}

/** @param {WhisperOut} w */
function showWhisper(w) {
  if (ui.readerWhispers.querySelector(`li[data-seq="${Number(w.seq)}"]`)) return;
  // "Sara :" then the note, as the listener sees it (not two parts joined by " · ").
  const li = item(`${t("board_whisper_from", { name: w.from })} ${w.body}`);
  li.dataset.seq = String(Number(w.seq));
  ui.readerWhispers.append(li);
}

function closeReader() {
  if (reading) socket.send({ type: "unwatch", contact_id: reading });
  reading = null;
  transcript = null;
  ui.reader.hidden = true;
}

function sendWhisper() {
  const body = ui.whisperText.value;
  if (!reading || body.trim() === "") return;
  if (socket.send({ type: "whisper", contact_id: reading, id: newMessageId(), body })) {
    ui.whisperText.value = "";
  } else {
    ui.readerNote.textContent = t("offline");
  }
}

socket.addEventListener("frame", (event) => {
  const frame = /** @type {SupervisorOut} */ (/** @type {CustomEvent} */ (event).detail);
  switch (frame.type) {
    case "welcome":
      onBoard(frame.board);
      // After a reconnection, the conversation read is read again (and recorded again).
      if (reading) socket.send({ type: "watch", contact_id: reading });
      break;
    case "board":
      onBoard(frame.board);
      break;
    case "transcript":
      onTranscript(frame);
      break;
    case "message":
      if (transcript && frame.contact_id === reading) transcript.show(frame);
      break;
    case "whispered":
      if (frame.whisper.contact_id === reading) {
        showWhisper(frame.whisper);
        ui.readerNote.textContent = t("board_whisper_sent");
      }
      break;
    case "ended":
      if (frame.contact_id === reading) {
        ui.readerNote.textContent = t("board_reading_ended");
        transcript?.note(t("board_reading_ended"));
        ui.whisperForm.hidden = true;
        ui.handover.hidden = true;
        reading = null;
      }
      break;
    case "error":
      ui.readerNote.textContent =
        frame.code === "message_invalid" ? t("message_invalid") : t("error_generic", { message: frame.message });
      break;
  }
});
socket.addEventListener("down", () => {
  ui.connection.hidden = false;
  ui.connection.textContent = t("offline");
});
socket.addEventListener("ready", () => {
  ui.connection.hidden = false;
  ui.connection.textContent = t("online");
  setTimeout(() => {
    if (socket.ready) ui.connection.hidden = true;
  }, 3000);
});
socket.addEventListener("closed", () => {
  // The session ended (4401) or another rule closed the board for good: log in again.
  window.location.assign("/login");
});

ui.whisperForm.addEventListener("submit", (event) => {
  event.preventDefault();
  sendWhisper();
});
sendOnEnter(ui.whisperText, sendWhisper);
ui.readerClose.addEventListener("click", closeReader);
// A warm transfer: the person is told in plain words, the conversation goes on.
ui.takeOver.addEventListener("click", () => {
  if (reading) socket.send({ type: "take_over", contact_id: reading });
});
ui.transferButton.addEventListener("click", () => {
  const to = Number(ui.transferTo.value);
  if (reading && to) socket.send({ type: "transfer", contact_id: reading, to });
});
setInterval(render, TICK_MS);
socket.connect();
