// The page of the person who reaches out: join the queue, wait with an honest position, talk,
// end. The only thing kept is the conversation's token, in sessionStorage: it survives a
// reload and disappears with the tab (and with the quick exit).

import { ChatSocket, MessageList, loadTexts, newMessageId, sendOnEnter, throttledTyping } from "./socket.js";

const CONTACT_KEY = "ecoute.contact";
const PENDING_KEY = "ecoute.pending";
/** A typing indicator fades if no new typing frame comes (they come at most every 2 s). */
const TYPING_SHOWN_MS = 5000;

const t = loadTexts();
// The page's own elements, by id: their types are the templates' business, not the protocol's.
const $ = (id) => /** @type {any} */ (document.getElementById(id));
const ui = {
  welcome: $("welcome"),
  start: $("start"),
  startError: $("start-error"),
  chat: $("chat"),
  status: $("status"),
  connection: $("connection"),
  messages: $("messages"),
  typing: $("typing"),
  composer: $("composer"),
  message: $("message"),
  charsLeft: $("chars-left"),
  chatError: $("chat-error"),
  end: $("end"),
  newChat: $("new-chat"),
  takeOver: $("take-over"),
  openingHours: $("opening-hours"),
};

/** Everything about the current conversation; replaced by a new one on "new conversation". */
let chat = null;

function savedContact() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CONTACT_KEY) ?? "null");
    return saved && typeof saved.token === "string" ? saved : null;
  } catch {
    return null;
  }
}

function forgetContact() {
  sessionStorage.removeItem(CONTACT_KEY);
  sessionStorage.removeItem(PENDING_KEY);
}

/** "Parler maintenant": join the queue, then open the conversation. */
async function start() {
  ui.start.disabled = true;
  ui.startError.hidden = true;
  ui.start.textContent = t("starting");
  try {
    // The campaign whose link brought the person, if any: counted, never stored with them.
    const campaign = ui.start.dataset.campaign;
    const url = campaign ? `/api/contacts?c=${encodeURIComponent(campaign)}` : "/api/contacts";
    const response = await fetch(url, { method: "POST" });
    if (response.status === 503) throw new Error(t("queue_full"));
    if (response.status === 429) throw new Error(t("joins_busy"));
    if (!response.ok) throw new Error(t("error_generic", { message: response.status }));
    const { contact_id, token } = await response.json();
    sessionStorage.setItem(CONTACT_KEY, JSON.stringify({ contact_id, token }));
    open({ contact_id, token }, { focus: true });
  } catch (error) {
    // A TypeError here means the network failed before any answer.
    const message = error instanceof TypeError ? t("offline") : error.message;
    showStartError(message);
  } finally {
    ui.start.disabled = false;
    ui.start.textContent = t("start_chat");
  }
}

function showStartError(message) {
  ui.startError.textContent = message;
  ui.startError.hidden = false;
}

/** Shows the chat for `contact` and connects; used at start and when resuming after a reload. */
function open(contact, { focus = false } = {}) {
  ui.welcome.hidden = true;
  ui.chat.hidden = false;
  delete ui.chat.dataset.state;
  ui.messages.replaceChildren();
  ui.messages.removeAttribute("tabindex");
  ui.chatError.hidden = true;
  ui.newChat.hidden = true;
  ui.takeOver.hidden = true;
  ui.end.hidden = false;
  setComposerEnabled(true);
  ui.message.value = "";
  updateCharsLeft();

  const socket = new ChatSocket("/ws/person", {
    hello: () => {
      const campaign = ui.start.dataset.campaign;
      return { type: "hello", token: contact.token, last_seq: socket.lastSeq(), ...(campaign ? { campaign } : {}) };
    },
    storageKey: PENDING_KEY,
  });
  chat = {
    socket,
    token: contact.token,
    state: "waiting",
    listener: null,
    maxChars: maxChars(),
    typingTimer: null,
    /** Whether a listener answered: leaving before that is leaving the queue. */
    talked: false,
    list: new MessageList(ui.messages, {
      t,
      isOwn: (m) => m.author === "person",
      // Each reply names its own listener: after a requeue, earlier ones were someone else.
      authorName: (m) => (m.author === "person" ? t("you") : (m.listener ?? chat.listener ?? "")),
    }),
  };
  // Messages typed before a reload and never acknowledged: shown now, resent once welcomed.
  for (const frame of socket.pendingMessages()) chat.list.addPending(frame.id, frame.body, "person");
  setStatus([t("starting")]);
  socket.addEventListener("frame", (event) => onFrame(event.detail));
  socket.addEventListener("down", () => showConnection(t("offline")));
  socket.addEventListener("ready", () => showConnection(null));
  socket.addEventListener("closed", (event) => onClosed(event.detail.code));
  socket.connect();
  if (focus) ui.message.focus();
}

/** @param {import("./protocol").PersonOut} frame */
function onFrame(frame) {
  switch (frame.type) {
    case "welcome":
      chat.maxChars = frame.max_message_chars ?? chat.maxChars;
      updateCharsLeft();
      chat.listener = frame.listener;
      if (frame.state === "active") showActive();
      else if (frame.state === "ended") showEnded(frame.end_reason === "abandoned" ? t("left_queue") : t("ended"));
      else showWaiting();
      if (frame.state === "active" && frame.listener_away) setStatus([t("listener_away", { listener: chat.listener ?? "" })]);
      break;
    case "queue":
      if (chat.state === "waiting") showQueue(frame);
      break;
    case "message":
      chat.list.show(frame);
      if (frame.author === "listener") hideTyping();
      break;
    case "ack":
      chat.list.acknowledge(frame.id, frame.seq);
      break;
    case "delivered":
      chat.list.markDelivered(frame.seq);
      break;
    case "typing":
      showTyping();
      break;
    case "assigned":
      chat.listener = frame.listener;
      chat.list.note(t("assigned", { listener: frame.listener }));
      showActive();
      break;
    case "transferred":
      // A supervisor's warm transfer: said in plain words, and the conversation goes on.
      chat.listener = frame.listener;
      chat.list.note(t("transferred", { listener: frame.listener }));
      showActive();
      break;
    case "listener_away":
      chat.list.note(t("listener_away", { listener: chat.listener ?? "" }));
      setStatus([t("listener_away", { listener: chat.listener ?? "" })]);
      break;
    case "listener_back":
      chat.list.note(t("listener_back", { listener: chat.listener ?? "" }));
      showActive();
      break;
    case "requeued":
      chat.list.note(t("requeued", { listener: chat.listener ?? "" }));
      chat.listener = null;
      showWaiting();
      break;
    case "ended":
      // Leaving the queue is not the end of a conversation that never took place.
      showEnded(frame.reason === "abandoned" || !chat.talked ? t("left_queue") : t("ended"));
      break;
    case "replaced":
      break; // the close (4409) that follows says it
    case "error":
      onError(frame);
      break;
  }
}

function showWaiting() {
  setState("waiting");
  ui.end.textContent = t("leave_queue");
  setStatus([t("wait_hint")]);
}

function showQueue({ position, waiting, estimate }) {
  // Nobody on duty: no place promised, the plain fact, the hours and (below) the numbers.
  const noneOnDuty = estimate?.kind === "no_listener_on_duty";
  if (ui.openingHours) ui.openingHours.hidden = !noneOnDuty;
  if (noneOnDuty) return setStatus([position === 1 ? t("queue_head") : t("queue_position", { position, waiting }), t("wait_none_on_duty")]);
  const place = position === 1 ? t("queue_first") : t("queue_position", { position, waiting });
  let wait;
  if (estimate?.kind === "seconds") wait = t("wait_minutes", { minutes: Math.max(1, Math.ceil(estimate.seconds / 60)) });
  else wait = t("wait_soon");
  setStatus([place, wait, t("wait_hint")]);
}

function showActive() {
  setState("active");
  chat.talked = true;
  if (ui.openingHours) ui.openingHours.hidden = true;
  ui.end.textContent = t("end_chat");
  setStatus([t("assigned", { listener: chat.listener ?? "" })]);
}

/**
 * The conversation is over: nothing is kept, a new one can start.
 * @param {string} text  what the person is told
 */
function showEnded(text) {
  setState("ended");
  chat.socket.clearPending();
  chat.socket.close();
  forgetContact();
  hideTyping();
  setStatus([text]);
  setComposerEnabled(false);
  ui.end.hidden = true;
  ui.newChat.hidden = false;
  ui.newChat.focus();
}

function onClosed(code) {
  if (code === 4409) {
    showConnection(t("replaced"));
    setComposerEnabled(false);
    ui.takeOver.hidden = false;
  } else if (code === 4401) {
    // The token is unknown: the conversation was purged, or never existed here.
    forgetContact();
    backToWelcome(t("conversation_gone"));
  } else {
    showConnection(t("error_generic", { message: code }));
  }
}

/** The refusals the page words itself, by code. */
const ERROR_TEXTS = { message_invalid: "message_invalid", contact_ended: "conversation_gone" };

/** @param {import("./protocol").ErrorOut} frame */
function onError(frame) {
  if (frame.code === "bad_token") return; // the close (4401) that follows says it
  // Retried by the socket: the message stays "sending…".
  if ((frame.code === "internal" || frame.code === "rate_limited") && frame.id) return;
  if (frame.id) chat.list.refuse(frame.id);
  // The server's own texts are English: the page says it in its own words, else names the code.
  const key = ERROR_TEXTS[frame.code];
  showChatError(key ? t(key) : t("error_generic", { message: frame.code }));
}

function backToWelcome(message) {
  chat?.socket.close();
  chat = null;
  ui.chat.hidden = true;
  ui.welcome.hidden = false;
  if (message) showStartError(message);
}

/** Sends what is in the composer; it shows "sending…" until the server acknowledges it. */
function sendMessage() {
  const body = ui.message.value;
  if (!chat || chat.state === "ended" || body.trim() === "") return;
  // Too long: refused here, with the text kept to shorten (the server refuses it too).
  if (charCount(body) > chat.maxChars) return showChatError(t("too_long", { max: chat.maxChars }));
  ui.chatError.hidden = true;
  const id = newMessageId();
  chat.list.addPending(id, body, "person");
  chat.socket.sendMessage({ type: "send", id, body });
  ui.message.value = "";
  updateCharsLeft();
  ui.message.focus();
}

function endConversation() {
  if (!chat || !window.confirm(t("confirm_end"))) return;
  if (!chat.socket.send({ type: "end" })) showChatError(t("offline"));
}

/** The conversation's state, also on `#chat[data-state]` for styles and tests. */
function setState(state) {
  chat.state = state;
  ui.chat.dataset.state = state;
}

function setStatus(lines) {
  ui.status.replaceChildren(
    ...lines.map((line) => {
      const p = document.createElement("p");
      p.textContent = line;
      return p;
    }),
  );
}

/** A line about the connection itself; `null` hides it. */
function showConnection(text) {
  ui.connection.hidden = text === null;
  ui.connection.textContent = text ?? "";
}

function showChatError(text) {
  ui.chatError.textContent = text;
  ui.chatError.hidden = false;
}

function showTyping() {
  if (!chat || chat.state !== "active") return;
  ui.typing.textContent = t("listener_typing", { listener: chat.listener ?? "" });
  ui.typing.hidden = false;
  clearTimeout(chat.typingTimer);
  chat.typingTimer = setTimeout(hideTyping, TYPING_SHOWN_MS);
}

function hideTyping() {
  ui.typing.hidden = true;
  ui.typing.textContent = "";
}

function setComposerEnabled(enabled) {
  ui.composer.hidden = !enabled;
  ui.message.disabled = !enabled;
}

/** The server's limit, from the page (the welcome frame may update it). */
function maxChars() {
  return Number(ui.message.dataset.maxChars) || 2000;
}

/** Characters as the server counts them (Unicode scalar values, not UTF-16 units). */
function charCount(text) {
  return [...text].length;
}

/** No `maxlength`: it would cut a pasted message silently. The count goes below zero in a
 *  warning instead, and sending is refused until the message is short enough. */
function updateCharsLeft() {
  const left = (chat?.maxChars ?? maxChars()) - charCount(ui.message.value);
  ui.charsLeft.textContent = left < 0 ? t("chars_over", { n: -left }) : t("chars_left", { n: left });
  ui.charsLeft.classList.toggle("over", left < 0);
}

ui.start.addEventListener("click", start);
ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  sendMessage();
});
sendOnEnter(ui.message, sendMessage);
throttledTyping(ui.message, () => chat?.state === "active" && chat.socket.send({ type: "typing" }));
ui.message.addEventListener("input", updateCharsLeft);
ui.end.addEventListener("click", endConversation);
ui.newChat.addEventListener("click", () => {
  backToWelcome(null);
  start();
});
ui.takeOver.addEventListener("click", () => {
  ui.takeOver.hidden = true;
  showConnection(null);
  setComposerEnabled(true);
  chat.socket.connect();
});
// The quick exit (quick-exit.js) has cleared the token, so the person cannot come back to this
// conversation: end it now rather than keep the queue or the listener waiting for them.
// The frame alone is not enough: the page navigates away at once, and a frame still in the
// socket's buffer is lost with it. A beacon is sent by the browser even after the page is gone.
window.addEventListener("ecoute:quick-exit", () => {
  if (!chat) return;
  const body = new Blob([JSON.stringify({ token: chat.token })], { type: "application/json" });
  navigator.sendBeacon("/api/contacts/leave", body);
  chat.socket.send({ type: "end" });
  chat.socket.close();
});

const resumed = savedContact();
if (resumed) open(resumed);
