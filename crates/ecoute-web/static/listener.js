// The listener's workspace: presence, the board, "next", and one panel per conversation.
// The socket is same-origin, so the browser sends the session cookie with it.

import {
  ChatSocket,
  MessageList,
  langQuery,
  loadTexts,
  newMessageId,
  sendOnEnter,
  throttledTyping,
} from "./socket.js";

const PENDING_KEY = "ecoute.listener.pending";
/** The listener's choice of sound for a new person waiting ("off", or anything else: on). */
const SOUND_KEY = "ecoute.listener.sound";
const TYPING_SHOWN_MS = 5000;
/** Failed connections in a row after which we check whether the session is still valid. */
const FAILURES_BEFORE_SESSION_CHECK = 3;
/** "Connected" is shown this long after a reconnection, then hidden. */
const ONLINE_SHOWN_MS = 3000;

const t = loadTexts();
const TRIAGE_TEXTS = {
  none: "triage_none",
  wish_to_be_dead: "triage_wish_to_be_dead",
  ideation: "triage_ideation",
  method: "triage_method",
  intent: "triage_intent",
  plan: "triage_plan",
  behaviour: "triage_behaviour",
};
/** @param {Record<string, string>} map @param {string} value */
const textOf = (map, value) => {
  const key = map[value];
  return key ? t(key) : value;
};
// The page's own elements, by id: their types are the templates' business, not the protocol's.
const $ = (id) => /** @type {any} */ (document.getElementById(id));
const ui = {
  presence: $("presence"),
  board: { waiting: $("board-waiting"), on_duty: $("board-on-duty"), free: $("board-free") },
  next: $("next"),
  status: $("workspace-status"),
  connection: $("connection"),
  takeOver: $("take-over"),
  pending: $("pending"),
  pendingList: $("pending-list"),
  conversations: $("conversations"),
  noConversation: $("no-conversation"),
  template: $("conversation-template"),
};

/** Open panels by contact id. */
const views = new Map();
/** @type {WaitingAlert} */
let waitingAlert;
let failuresInARow = 0;
let wasDown = false;
let onlineTimer = null;

const socket = new ChatSocket("/ws/listener", {
  hello: () => ({ type: "hello", last_seqs: socket.lastSeqs() }),
  storageKey: PENDING_KEY,
});

/**
 * Nobody waits unseen: the tab's title counts the people waiting, and when one more joins
 * while the listener is available, the page says so (a live region), plays a short sound
 * (unless switched off) and, with the tab in the background and the browser's permission,
 * shows a notification. None of it says anything about who is waiting.
 */
class WaitingAlert {
  constructor() {
    this.baseTitle = document.title;
    this.last = 0;
    /** @type {AudioContext | null} */
    this.audio = null;
    this.region = $("waiting-alert");
    this.sound = /** @type {HTMLInputElement} */ ($("alert-sound"));
    this.sound.checked = localStorage.getItem(SOUND_KEY) !== "off";
    this.sound.addEventListener("change", () => localStorage.setItem(SOUND_KEY, this.sound.checked ? "on" : "off"));
    // Browsers let a page play sound only after a gesture: the first click or key readies it.
    const ready = () => {
      try {
        this.audio ??= new AudioContext();
        if (this.audio.state === "suspended") this.audio.resume();
      } catch {
        // no sound on this browser: the title and the notification remain
      }
    };
    document.addEventListener("pointerdown", ready, { once: true });
    document.addEventListener("keydown", ready, { once: true });
    this.notifyBox = $("alert-notify-box");
    this.notifyState = $("alert-notify-state");
    if ("Notification" in window) {
      this.showPermission();
      $("alert-notify").addEventListener("click", async () => {
        await Notification.requestPermission();
        this.showPermission();
      });
    }
  }

  showPermission() {
    this.notifyBox.hidden = Notification.permission !== "default";
    this.notifyState.textContent =
      Notification.permission === "granted" ? t("alert_notify_on") : Notification.permission === "denied" ? t("alert_notify_denied") : "";
  }

  /** @param {number} waiting */
  update(waiting) {
    document.title = waiting > 0 ? `(${waiting}) ${this.baseTitle}` : this.baseTitle;
    const joined = waiting > this.last;
    this.last = waiting;
    if (!joined || ui.presence.dataset.current !== "available") {
      if (waiting === 0) this.region.textContent = "";
      return;
    }
    this.region.textContent = t("someone_waiting", { n: waiting });
    if (this.sound.checked) this.beep();
    if (document.hidden && "Notification" in window && Notification.permission === "granted") {
      // One notification at a time: a newer count replaces the older one.
      new Notification(t("someone_waiting_title"), { body: t("someone_waiting", { n: waiting }), tag: "ecoute-waiting" });
    }
  }

  beep() {
    const audio = this.audio;
    if (!audio || audio.state !== "running") return;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 660;
    gain.gain.value = 0.08;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.18);
  }
}

/** One conversation's panel, cloned from `#conversation-template`. */
class ConversationView {
  constructor({ contact_id, label }) {
    this.id = contact_id;
    this.label = label;
    this.open = true;
    this.typingTimer = null;
    const article = ui.template.content.firstElementChild.cloneNode(true);
    this.article = article;
    this.title = article.querySelector(".conversation-title");
    this.note = article.querySelector(".conversation-note");
    this.typing = article.querySelector(".typing");
    this.composer = article.querySelector(".composer");
    this.textarea = article.querySelector("textarea");
    this.endButton = article.querySelector(".end");
    this.emergencyButton = article.querySelector(".emergency-numbers");
    this.alertButton = article.querySelector(".alert-supervisor");
    this.whispers = article.querySelector(".whispers");
    this.whisperList = article.querySelector(".whisper-list");
    this.sheetLink = article.querySelector(".sheet-link");
    const titleId = `conversation-${contact_id}`;
    this.title.id = titleId;
    this.title.textContent = t("conversation_with", { label });
    article.setAttribute("aria-labelledby", titleId);
    article.dataset.contactId = contact_id;
    this.list = new MessageList(article.querySelector(".messages"), {
      t,
      // After a requeue, earlier replies may be another listener's: the server says whose.
      isOwn: (m) => m.author === "listener" && m.own !== false,
      authorName: (m) => {
        if (m.author !== "listener") return label;
        return m.own === false ? (m.listener ?? "") : t("you");
      },
    });

    this.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    sendOnEnter(this.textarea, () => this.send());
    throttledTyping(this.textarea, () => this.open && socket.send({ type: "typing", contact_id: this.id }));
    this.endButton.addEventListener("click", () => this.end());
    // One click: the numbers reach the person as a message of the conversation.
    this.emergencyButton.addEventListener("click", () => this.send(t("emergency_message")));
    // A hard conversation: the supervisors on duty are alerted at once.
    this.alertButton.addEventListener("click", () => {
      if (!socket.send({ type: "alert", contact_id: this.id })) showStatus(t("offline"));
    });
  }

  /**
   * What the triage read while the person waited: the level and the words that triggered
   * it. An aid: the listener's own assessment prevails.
   * @param {import("./protocol").TriageOut | null} triage
   */
  showTriage(triage) {
    const box = this.article.querySelector(".triage");
    if (!triage) return;
    const parts = [];
    if (triage.level !== "none") parts.push(textOf(TRIAGE_TEXTS, triage.level));
    if (triage.other !== "none") parts.push(t("triage_other", { level: textOf(TRIAGE_TEXTS, triage.other) }));
    if (triage.triggers.length > 0) parts.push(t("triage_words", { words: triage.triggers.join(", ") }));
    box.textContent = `${t("triage_title")} ${parts.join(" — ")}`;
    box.hidden = false;
  }

  alerted() {
    this.alertButton.disabled = true;
    this.alertButton.textContent = t("alert_supervisor_sent");
    this.setNote(t("alert_supervisor_sent"));
  }

  /** A supervisor's private note (the person never sees it), shown once. */
  showWhisper(w) {
    if (this.whisperList.querySelector(`li[data-seq="${Number(w.seq)}"]`)) return;
    const li = document.createElement("li");
    li.dataset.seq = String(Number(w.seq));
    li.textContent = `${t("whisper_from", { name: w.from })} ${w.body}`;
    this.whisperList.append(li);
    this.whispers.hidden = false;
  }

  /** Sends what the composer holds, or `text`. */
  send(text = null) {
    const body = text ?? this.textarea.value;
    if (!this.open || body.trim() === "") return;
    const id = newMessageId();
    this.list.addPending(id, body, "listener");
    socket.sendMessage({ type: "send", contact_id: this.id, id, body });
    if (text === null) this.textarea.value = "";
    this.textarea.focus();
  }

  end() {
    if (!window.confirm(t("confirm_end"))) return;
    if (!socket.send({ type: "end", contact_id: this.id })) showStatus(t("offline"));
  }

  setNote(text) {
    this.note.textContent = text;
  }

  showTyping() {
    this.typing.textContent = t("person_typing");
    this.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_SHOWN_MS);
  }

  hideTyping() {
    this.typing.hidden = true;
    this.typing.textContent = "";
  }

  /** No more writing here; with `sheetUrl`, the statistics sheet is the next step. */
  close(noteText, sheetUrl) {
    if (!this.open) return;
    this.open = false;
    this.hideTyping();
    this.setNote(noteText);
    this.list.note(noteText);
    this.composer.hidden = true;
    socket.forget(this.id);
    if (sheetUrl) {
      this.sheetLink.href = sheetUrl + langQuery();
      this.sheetLink.hidden = false;
      this.sheetLink.focus();
    }
  }
}

/** @param {import("./protocol").ListenerOut} frame */
function onFrame(frame) {
  switch (frame.type) {
    case "welcome":
      onWelcome(frame);
      break;
    case "board":
      waitingAlert.update(frame.waiting);
      ui.board.waiting.textContent = String(frame.waiting);
      ui.board.on_duty.textContent = String(frame.on_duty);
      ui.board.free.textContent = String(frame.free);
      break;
    case "presence":
      showPresence(frame.presence);
      break;
    case "assigned": {
      showStatus("");
      const view = openView(frame.conversation);
      view.textarea.focus();
      break;
    }
    case "queue_empty":
      showStatus(t("queue_empty"));
      break;
    case "message": {
      const view = views.get(frame.contact_id);
      if (!view) break;
      view.list.show(frame);
      if (frame.author === "person") view.hideTyping();
      break;
    }
    case "delivered":
      views.get(frame.contact_id)?.list.markDelivered(frame.seq);
      break;
    case "ack":
      views.get(frame.contact_id)?.list.acknowledge(frame.id, frame.seq);
      break;
    case "typing":
      views.get(frame.contact_id)?.showTyping();
      break;
    case "person_away":
      views.get(frame.contact_id)?.setNote(t("person_away"));
      break;
    case "person_back":
      views.get(frame.contact_id)?.setNote(t("person_back"));
      break;
    case "ended": {
      const reason = t(`reason_${frame.reason}`);
      views.get(frame.contact_id)?.close(t("ended_for_listener", { reason }), frame.sheet_url);
      updateEmptyHint();
      break;
    }
    case "requeued":
      views.get(frame.contact_id)?.close(t("requeued_listener"), null);
      updateEmptyHint();
      break;
    case "transferred_away":
      views.get(frame.contact_id)?.close(t("transferred_away", { listener: frame.to }), null);
      updateEmptyHint();
      break;
    case "alert_raised":
      views.get(frame.contact_id)?.alerted();
      break;
    case "whisper":
      views.get(frame.contact_id)?.showWhisper(frame);
      break;
    case "replaced":
      break; // the close (4409) that follows says it
    case "error":
      onError(frame);
      break;
  }
}

/** @param {Extract<import("./protocol").ListenerOut, {type: "welcome"}>} frame */
function onWelcome({ presence, conversations, pending_sheets }) {
  showPresence(presence);
  const current = new Set(conversations.map((c) => c.contact_id));
  for (const conversation of conversations) {
    const view = views.get(conversation.contact_id) ?? openView(conversation);
    if (conversation.person_away) view.setNote(t("person_away"));
  }
  // Panels still open here that the server no longer lists ended or left while we were away.
  const sheets = new Set(pending_sheets.map((s) => s.contact_id));
  for (const view of views.values()) {
    if (!view.open || current.has(view.id)) continue;
    const sheetUrl = sheets.has(view.id) ? `/listener/sheet/${view.id}` : null;
    view.close(t("conversation_left"), sheetUrl);
  }
  showPendingSheets(pending_sheets);
  updateEmptyHint();
}

function openView(conversation) {
  const existing = views.get(conversation.contact_id);
  if (existing?.open) return existing;
  existing?.article.remove();
  const view = new ConversationView(conversation);
  views.set(view.id, view);
  if (conversation.returning) view.setNote(t("returning"));
  view.showTriage(conversation.triage);
  ui.conversations.append(view.article);
  // Messages typed before a reload and never acknowledged: shown now, resent by the socket.
  for (const frame of socket.pendingMessages()) {
    if (frame.contact_id === view.id) view.list.addPending(frame.id, frame.body, "listener");
  }
  updateEmptyHint();
  return view;
}

function showPendingSheets(sheets) {
  ui.pendingList.replaceChildren(
    ...sheets.map(({ contact_id, label }) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = `/listener/sheet/${encodeURIComponent(contact_id)}${langQuery()}`;
      a.textContent = `${t("fill_sheet")} — ${label}`;
      li.append(a);
      return li;
    }),
  );
  ui.pending.hidden = sheets.length === 0;
}

function showPresence(presence) {
  for (const radio of /** @type {NodeListOf<HTMLInputElement>} */ (ui.presence.querySelectorAll("input[name=presence]"))) {
    radio.checked = radio.value === presence;
  }
  ui.presence.dataset.current = presence;
}

function updateEmptyHint() {
  ui.noConversation.hidden = [...views.values()].some((v) => v.open);
}

/** The refusals the page words itself, by code (the server's own texts are English). */
const ERROR_TEXTS = {
  busy: "error_busy",
  not_available: "error_not_available",
  message_invalid: "message_invalid",
  duty_cap: "error_duty_cap",
};

/** @param {import("./protocol").ErrorOut} frame */
function onError(frame) {
  if (frame.code === "session_expired") return; // the close (4401) that follows says it
  const view = frame.contact_id ? views.get(frame.contact_id) : null;
  // Retried by the socket: the message stays "sending…".
  if ((frame.code === "internal" || frame.code === "rate_limited") && frame.id) return;
  if (frame.id) view?.list.refuse(frame.id);
  const key = ERROR_TEXTS[frame.code];
  showStatus(key ? t(key) : t("error_generic", { message: frame.code }));
}

function showStatus(text) {
  ui.status.textContent = text;
}

function showConnection(text) {
  clearTimeout(onlineTimer);
  ui.connection.hidden = text === null;
  ui.connection.textContent = text ?? "";
}

function goToLogin() {
  sessionStorage.removeItem(PENDING_KEY);
  location.assign(`/login${langQuery()}`);
}

/** Several failed connections: if the session is over, the socket is refused with 401 for
 *  ever, and only the login page can help. The workspace page tells: it redirects to /login. */
async function checkSession() {
  try {
    const response = await fetch(`/listener${langQuery()}`, { method: "HEAD", redirect: "manual" });
    if (response.type === "opaqueredirect" || response.status === 401) goToLogin();
  } catch {
    // offline: keep trying to reconnect
  }
}

socket.addEventListener("frame", (event) => onFrame(event.detail));
socket.addEventListener("ready", () => {
  failuresInARow = 0;
  if (!wasDown) return showConnection(null);
  wasDown = false;
  showConnection(t("online"));
  onlineTimer = setTimeout(() => showConnection(null), ONLINE_SHOWN_MS);
});
socket.addEventListener("down", () => {
  wasDown = true;
  failuresInARow += 1;
  showConnection(t("offline"));
  if (failuresInARow >= FAILURES_BEFORE_SESSION_CHECK) checkSession();
});
socket.addEventListener("closed", ({ detail }) => {
  if (detail.code === 4401) return goToLogin();
  if (detail.code === 4409) {
    showConnection(t("replaced"));
    ui.takeOver.hidden = false;
    return;
  }
  showConnection(t("error_generic", { message: detail.code }));
});

ui.presence.addEventListener("change", (event) => {
  const input = /** @type {HTMLInputElement} */ (event.target);
  if (input.name !== "presence") return;
  const presence = /** @type {import("./protocol").Presence} */ (input.value);
  if (!socket.send({ type: "presence", presence })) {
    // Not sent: show the presence the server still has.
    showPresence(ui.presence.dataset.current);
    showStatus(t("offline"));
  }
});
// After a hard conversation the page offers a pause: the same as choosing it above.
$("take-pause")?.addEventListener("click", () => {
  const pause = /** @type {HTMLInputElement} */ (ui.presence.querySelector("input[value=pause]"));
  pause.checked = true;
  pause.dispatchEvent(new Event("change", { bubbles: true }));
});
ui.next.addEventListener("click", () => {
  showStatus("");
  if (!socket.send({ type: "next" })) showStatus(t("offline"));
});
ui.takeOver.addEventListener("click", () => {
  ui.takeOver.hidden = true;
  showConnection(null);
  socket.connect();
});

waitingAlert = new WaitingAlert();
socket.connect();
