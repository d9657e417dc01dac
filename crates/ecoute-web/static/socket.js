// What both chat pages share: the WebSocket client (hello, heartbeats, reconnection, resending
// what the server has not acknowledged), the page strings, and the list of messages.
//
// The protocol is in docs/protocol.md; its frames are typed in protocol.d.ts, generated from
// the server's own types (crates/ecoute-protocol), and `tsc --checkJs` checks this file
// against them. The delivery rules this file relies on:
// - the server acknowledges a `send` only once the message is committed, and a resend with the
//   same id is acknowledged again without storing anything new: so resending every
//   unacknowledged message after a reconnect is always safe;
// - on each connection the server sends every message after the `last_seq` given in `hello`,
//   in order, including our own: so a page that keeps the highest seq it has shown sees each
//   message exactly once;
// - a refused `send` names its id; only `internal` and `rate_limited` refusals may succeed
//   later, every other one would be refused again.

/**
 * @typedef {import("./protocol").PersonIn} PersonIn
 * @typedef {import("./protocol").PersonOut} PersonOut
 * @typedef {import("./protocol").ListenerIn} ListenerIn
 * @typedef {import("./protocol").ListenerOut} ListenerOut
 * @typedef {import("./protocol").MessageOut} MessageOut
 * @typedef {import("./protocol").ErrorOut} ErrorOut
 * @typedef {import("./protocol").ErrorCode} ErrorCode
 * @typedef {import("./protocol").FinalCloseCode} FinalCloseCode
 * @typedef {import("./protocol").RetryableErrorCode} RetryableErrorCode
 * @typedef {import("./protocol").SupervisorIn} SupervisorIn
 * @typedef {import("./protocol").SupervisorOut} SupervisorOut
 * @typedef {PersonIn | ListenerIn | SupervisorIn} ClientFrame
 * @typedef {PersonOut | ListenerOut | SupervisorOut} ServerFrame
 * @typedef {Extract<ClientFrame, {type: "send"}>} SendFrame
 */

/** Close codes after which reconnecting cannot help (docs/protocol.md, "Close codes"). */
const FINAL_CLOSE_CODES = new Set(/** @type {FinalCloseCode[]} */ ([
  4400, // protocol: no hello
  4401, // authentication: bad token, session over
  4409, // replaced by a newer connection
]));

/** Refusals after which the same frame may succeed later; every other refusal is final. */
const RETRYABLE_CODES = new Set(/** @type {RetryableErrorCode[]} */ (["internal", "rate_limited"]));

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 10000;
/** After an `internal` error nothing was committed; try that message again after this delay. */
const INTERNAL_RETRY_MS = 3000;
/** Until the server says otherwise in `welcome`. */
const DEFAULT_HEARTBEAT_MS = 5000;

/** A fresh message id: a UUID, as the protocol suggests. */
export function newMessageId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID exists only in secure contexts (https, localhost); a helpline trying ecoute on
  // plain http over its local network still needs ids.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A WebSocket that says hello on every connection, reconnects with backoff when the
 * connection drops, and resends unacknowledged messages once the server has welcomed it.
 *
 * A dead network (a phone losing its signal closes nothing) is noticed by heartbeats: the
 * page sends `ping` every `heartbeat_ms` (from `welcome`) and, when nothing at all has come
 * from the server for three periods, drops the connection and reconnects.
 *
 * Events (all `CustomEvent`s):
 * - `frame`: every frame from the server, in `detail`;
 * - `ready`: the server welcomed this connection (sent after the `welcome` frame event);
 * - `down`: the connection dropped or went silent; a reconnection is scheduled;
 * - `closed`: the server closed for good (`detail.code`: 4400, 4401 or 4409); no reconnection.
 */
export class ChatSocket extends EventTarget {
  #path;
  #hello;
  #storageKey;
  /** @type {WebSocket | null} */
  #ws = null;
  #ready = false;
  #stopped = true;
  #failures = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retryTimer = undefined;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #heartbeatTimer = undefined;
  #heartbeatMs = DEFAULT_HEARTBEAT_MS;
  /** When anything last came from the server (ms). */
  #lastHeard = 0;
  /** Unacknowledged `send` frames by id, oldest first. @type {Map<string, SendFrame>} */
  #pending = new Map();
  /** Highest seq shown, per conversation ("" on the person's page, which has one). @type {Map<string, number>} */
  #lastSeq = new Map();
  /** Highest seq shown and not yet reported with `received`, per conversation. @type {Map<string, number>} */
  #unreported = new Map();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #receiptTimer = undefined;
  /** Whether to report shown messages with `received` (not a supervisor's reading). */
  #receipts = true;

  /**
   * @param {string} path  e.g. "/ws/person"
   * @param {object} options
   * @param {() => ClientFrame} options.hello  builds the hello frame; called on every
   *   connection, so it can carry the current `last_seq`.
   * @param {string} [options.storageKey]  where unacknowledged messages are kept in
   *   sessionStorage, so that a reload does not lose what was typed.
   * @param {boolean} [options.receipts]  whether shown messages are reported with `received`
   *   (default true; false for a supervisor, whose reading is not the conversation's)
   */
  constructor(path, { hello, storageKey, receipts = true }) {
    super();
    this.#path = path;
    this.#hello = hello;
    this.#storageKey = storageKey;
    this.#receipts = receipts;
    for (const frame of this.#loadPending()) this.#pending.set(frame.id, frame);
  }

  /** Opens the connection (and keeps it open until `close`). */
  connect() {
    this.#stopped = false;
    window.addEventListener("online", this.#onOnline);
    if (!this.#ws) this.#open();
  }

  /** Closes for good: no reconnection. Unacknowledged messages stay stored unless cleared. */
  close() {
    this.#stopped = true;
    window.removeEventListener("online", this.#onOnline);
    clearTimeout(this.#retryTimer);
    this.#flushReceipts();
    this.#drop()?.close(1000);
  }

  /** Whether the server has welcomed the current connection. */
  get ready() {
    return this.#ready;
  }

  /**
   * Sends a frame that may be lost (typing, presence…). Returns whether it was sent.
   * @param {ClientFrame} frame
   */
  send(frame) {
    if (!this.#ready || !this.#ws) return false;
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Sends a `send` frame and keeps it until the server acknowledges it.
   * @param {SendFrame} frame
   */
  sendMessage(frame) {
    this.#pending.set(frame.id, frame);
    this.#savePending();
    this.send(frame);
  }

  /** The unacknowledged `send` frames, oldest first. */
  pendingMessages() {
    return [...this.#pending.values()];
  }

  /** Forgets every unacknowledged message (the conversation is over). */
  clearPending() {
    this.#pending.clear();
    this.#savePending();
  }

  /**
   * The highest seq shown for `conversation` (0 if none).
   * @param {string} [conversation]
   */
  lastSeq(conversation = "") {
    return this.#lastSeq.get(conversation) ?? 0;
  }

  /** `{conversation: lastSeq}` for the listener's hello. */
  lastSeqs() {
    return Object.fromEntries(this.#lastSeq);
  }

  /**
   * Stops tracking `conversation` (it left the page).
   * @param {string} conversation
   */
  forget(conversation) {
    this.#lastSeq.delete(conversation);
    this.#unreported.delete(conversation);
  }

  #open() {
    const url = new URL(this.#path, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    this.#ws = ws;
    this.#lastHeard = Date.now();
    ws.addEventListener("open", () => ws.send(JSON.stringify(this.#hello())));
    ws.addEventListener("message", (event) => {
      if (this.#ws !== ws) return;
      this.#lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // the server only sends JSON; anything else is not ours to interpret
      }
      this.#receive(/** @type {ServerFrame} */ (frame));
    });
    ws.addEventListener("close", (event) => {
      if (this.#ws !== ws) return; // an older socket, already replaced by us
      this.#drop();
      this.#onClose(event.code);
    });
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(ws), this.#heartbeatMs);
  }

  /** Forgets the current connection (its late events are ignored) and returns it. */
  #drop() {
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    clearInterval(this.#heartbeatTimer);
    return ws;
  }

  /**
   * Every heartbeat period: a ping (the server answers `pong`), or, after three silent
   * periods, the conclusion that the network is gone. The browser would wait much longer for
   * TCP to tell it; the server draws the same conclusion at the same time.
   * @param {WebSocket} ws
   */
  #heartbeat(ws) {
    if (this.#ws !== ws) return;
    if (Date.now() - this.#lastHeard > 3 * this.#heartbeatMs) {
      this.#drop();
      ws.close();
      this.#onClose(1006);
    } else if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: "ping" }));
    }
  }

  /** @param {ServerFrame} frame */
  #receive(frame) {
    switch (frame.type) {
      case "welcome":
        this.#failures = 0;
        this.#ready = true;
        if (frame.heartbeat_ms > 0 && frame.heartbeat_ms !== this.#heartbeatMs && this.#ws) {
          this.#heartbeatMs = frame.heartbeat_ms;
          const ws = this.#ws;
          clearInterval(this.#heartbeatTimer);
          this.#heartbeatTimer = setInterval(() => this.#heartbeat(ws), this.#heartbeatMs);
        }
        break;
      case "message": {
        const key = frame.contact_id ?? "";
        if (frame.seq > this.lastSeq(key)) this.#lastSeq.set(key, frame.seq);
        // Our own message, back from the server: committed, even if its ack was lost.
        if (this.#pending.delete(frame.id)) this.#savePending();
        this.#report(key, frame.seq);
        break;
      }
      case "ack":
        if (this.#pending.delete(frame.id)) this.#savePending();
        break;
      case "error": {
        const id = frame.id;
        if (!id || !this.#pending.has(id)) break;
        if (RETRYABLE_CODES.has(/** @type {RetryableErrorCode} */ (frame.code))) {
          setTimeout(() => this.#resend(id), frame.retry_after_ms ?? INTERNAL_RETRY_MS);
        } else {
          // Refused for good: sending it again would be refused again.
          this.#pending.delete(id);
          this.#savePending();
        }
        break;
      }
    }
    this.dispatchEvent(new CustomEvent("frame", { detail: frame }));
    if (frame.type === "welcome") {
      // After the page has handled the welcome: the server answers these after the catch-up.
      for (const id of this.#pending.keys()) this.#resend(id);
      this.#flushReceipts();
      this.dispatchEvent(new CustomEvent("ready"));
    }
  }

  /**
   * Reports, soon and in one frame per conversation, that messages up to `seq` are shown: the
   * other side's page then marks its own messages "delivered".
   * @param {string} conversation
   * @param {number} seq
   */
  #report(conversation, seq) {
    if (!this.#receipts) return;
    if (seq <= (this.#unreported.get(conversation) ?? 0)) return;
    this.#unreported.set(conversation, seq);
    clearTimeout(this.#receiptTimer);
    this.#receiptTimer = setTimeout(() => this.#flushReceipts(), 200);
  }

  #flushReceipts() {
    if (!this.#ready) return; // sent after the next welcome
    for (const [conversation, seq] of this.#unreported) {
      /** @type {ClientFrame} */
      const frame =
        conversation === ""
          ? { type: "received", seq }
          : { type: "received", contact_id: conversation, seq };
      this.send(frame);
    }
    this.#unreported.clear();
  }

  /** @param {string} id */
  #resend(id) {
    const frame = this.#pending.get(id);
    if (frame) this.send(frame);
  }

  /** @param {number} code */
  #onClose(code) {
    if (this.#stopped) return;
    if (FINAL_CLOSE_CODES.has(/** @type {FinalCloseCode} */ (code))) {
      this.close();
      this.dispatchEvent(new CustomEvent("closed", { detail: { code } }));
      return;
    }
    this.dispatchEvent(new CustomEvent("down"));
    this.#scheduleRetry();
  }

  #scheduleRetry() {
    clearTimeout(this.#retryTimer);
    // 1 s, 2 s, 4 s, 8 s, then 10 s; each between half and all of that, so that a thousand
    // pages cut off by the same outage do not all come back in the same second.
    const ceiling = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#failures += 1;
    this.#retryTimer = setTimeout(() => {
      if (!this.#stopped && !this.#ws) this.#open();
    }, delay);
  }

  /** The network came back: no need to wait for the next retry. */
  #onOnline = () => {
    if (this.#stopped || this.#ws) return;
    clearTimeout(this.#retryTimer);
    this.#open();
  };

  /** @returns {SendFrame[]} */
  #loadPending() {
    if (!this.#storageKey) return [];
    try {
      const frames = JSON.parse(sessionStorage.getItem(this.#storageKey) ?? "[]");
      return Array.isArray(frames) ? frames.filter((f) => f && typeof f.id === "string") : [];
    } catch {
      return [];
    }
  }

  #savePending() {
    if (!this.#storageKey) return;
    try {
      if (this.#pending.size === 0) sessionStorage.removeItem(this.#storageKey);
      else sessionStorage.setItem(this.#storageKey, JSON.stringify([...this.#pending.values()]));
    } catch {
      // Storage full or refused (private mode): the messages are still kept in memory.
    }
  }
}

/**
 * The page's strings, from the JSON `#i18n` element the server renders, as a function:
 * `t("chars_left", {n: 12})` fills `{n}`. A plural message comes as its variants,
 * `{select: "n", one: "…", other: "…", "*": default}`: the variant is the number's own key
 * (`"0"`), else its plural category for the page's language (`Intl.PluralRules`), else the
 * default. A missing key shows as itself, like on the server.
 */
export function loadTexts() {
  /** @type {Record<string, any>} */
  let table = {};
  try {
    table = JSON.parse(document.getElementById("i18n")?.textContent ?? "{}");
  } catch {
    // keep the keys: an ugly page still works
  }
  const plural = new Intl.PluralRules(document.documentElement.lang || "fr");
  return (key, values = {}) => {
    let text = table[key] ?? key;
    if (typeof text === "object" && text !== null) {
      const n = Number(values[text.select]);
      text = text[String(n)] ?? text[plural.select(n)] ?? text["*"] ?? key;
    }
    return String(text).replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
  };
}

/** `""` or `"?lang=…"` (the server says which), to keep the page's language on links the scripts build. */
export function langQuery() {
  return document.body.dataset.langQuery ?? "";
}

/** Calls `send` on Enter; Shift+Enter (and Enter while composing with an IME) adds a line. */
export function sendOnEnter(textarea, send) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
}

/**
 * Calls `notify` when the user types, at most once every `everyMs` (the protocol asks 2 s).
 * `notify` returns whether it told anyone: typing while nobody listens (still waiting, or
 * offline) must not hold back the first notice once someone does.
 */
export function throttledTyping(textarea, notify, everyMs = 2000) {
  let last = -Infinity;
  textarea.addEventListener("input", () => {
    const now = Date.now();
    if (textarea.value.trim() === "" || now - last < everyMs) return;
    if (notify()) last = now;
  });
}

/**
 * The messages of one conversation, in an `<ol>`: sequenced messages in seq order, then the
 * ones still being sent. Each message is shown once, however often the server or a reconnect
 * delivers it, and every text goes in through `textContent`: a body is never HTML.
 */
export class MessageList {
  #ol;
  #t;
  #isOwn;
  #authorName;
  /** The other side has shown every message up to this seq. */
  #deliveredUpTo = 0;
  #timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || "fr", {
    hour: "2-digit",
    minute: "2-digit",
  });

  /**
   * @param {HTMLOListElement} ol
   * @param {object} options
   * @param {Function} options.t  the page's strings
   * @param {(message: {author: string, listener?: string, own?: boolean}) => boolean} options.isOwn
   *   whether this page's user wrote `message` (a pending message is always theirs)
   * @param {(message: {author: string, listener?: string, own?: boolean}) => string} options.authorName
   *   the name shown for the writer of `message`
   */
  constructor(ol, { t, isOwn, authorName }) {
    this.#ol = ol;
    this.#t = t;
    this.#isOwn = isOwn;
    this.#authorName = authorName;
  }

  /** Shows an own message that is not acknowledged yet ("sending…"). */
  addPending(id, body, author) {
    if (this.#byId(id)) return;
    const li = this.#item({ author, own: true }, body, null);
    li.dataset.id = id;
    this.#setDelivery(li, "sending");
    this.#ol.append(li);
    this.#reveal(li);
  }

  /**
   * Marks an own message as committed by the server ("sent"), unless the other side's page
   * has already reported it shown.
   * @param {string} id
   * @param {number} seq
   */
  acknowledge(id, seq) {
    const li = this.#byId(id);
    if (!li) return;
    if (li.dataset.delivery !== "delivered") {
      this.#setDelivery(li, seq <= this.#deliveredUpTo ? "delivered" : "sent");
    }
    if (!li.dataset.seq) {
      li.dataset.seq = String(seq);
      this.#place(li);
    }
  }

  /**
   * The other side's page has shown every message up to `seq`: own messages up to it are
   * marked "delivered" — and only then, so the mark means what it says.
   * @param {number} seq
   */
  markDelivered(seq) {
    if (seq <= this.#deliveredUpTo) return;
    this.#deliveredUpTo = seq;
    for (const li of this.#ol.querySelectorAll("li.message.own")) {
      const own = /** @type {HTMLElement} */ (li);
      if (own.dataset.seq && Number(own.dataset.seq) <= seq) this.#setDelivery(own, "delivered");
    }
  }

  /** Marks an own message as refused: it was not saved and will not be resent. */
  refuse(id) {
    const li = this.#byId(id);
    if (li) this.#setDelivery(li, "send_failed");
  }

  /** Shows a `message` frame unless it is already shown. Returns whether it was new. */
  show(frame) {
    if (this.#ol.querySelector(`li[data-seq="${Number(frame.seq)}"]`)) return false;
    const own = this.#isOwn(frame);
    const existing = typeof frame.id === "string" ? this.#byId(frame.id) : null;
    if (existing && own) {
      // Our own message coming back from the server: it is committed.
      this.acknowledge(frame.id, frame.seq);
      return false;
    }
    const li = this.#item(frame, frame.body, frame.at);
    li.dataset.seq = String(Number(frame.seq));
    if (typeof frame.id === "string") li.dataset.id = frame.id;
    if (own) this.#setDelivery(li, Number(frame.seq) <= this.#deliveredUpTo ? "delivered" : "sent");
    this.#place(li);
    this.#reveal(li);
    return true;
  }

  /** A line about the conversation itself (someone joined, left…), between the messages. */
  note(text) {
    const li = document.createElement("li");
    li.className = "note";
    li.textContent = text;
    this.#ol.append(li);
    this.#reveal(li);
  }

  /** How many messages (not notes) are shown. */
  get count() {
    return this.#ol.querySelectorAll("li.message").length;
  }

  /** @param {string} id */
  #byId(id) {
    const items = /** @type {NodeListOf<HTMLLIElement>} */ (this.#ol.querySelectorAll("li.message"));
    return [...items].find((li) => li.dataset.id === id) ?? null;
  }

  #item(message, body, at) {
    const li = document.createElement("li");
    li.className = `message ${this.#isOwn(message) ? "own" : "other"}`;
    const meta = document.createElement("p");
    meta.className = "meta";
    const who = document.createElement("span");
    who.className = "author";
    who.textContent = this.#authorName(message);
    meta.append(who);
    const when = document.createElement("time");
    const date = at ? new Date(at) : new Date();
    when.dateTime = date.toISOString();
    when.textContent = this.#timeFormat.format(date);
    meta.append(" ", when);
    const text = document.createElement("p");
    text.className = "body";
    text.textContent = body;
    li.append(meta, text);
    return li;
  }

  #setDelivery(li, key) {
    let status = li.querySelector(".delivery");
    if (!status) {
      status = document.createElement("p");
      status.className = "delivery";
      li.append(status);
    }
    status.textContent = this.#t(key);
    li.dataset.delivery = key;
  }

  /** Moves a sequenced item after every item with a lower seq and before the unsent ones. */
  #place(li) {
    const seq = Number(li.dataset.seq);
    let before = null;
    for (
      let node = /** @type {HTMLElement | null} */ (this.#ol.lastElementChild);
      node;
      node = /** @type {HTMLElement | null} */ (node.previousElementSibling)
    ) {
      if (node === li) continue;
      const unsent = node.classList.contains("message") && !node.dataset.seq;
      const later = node.dataset.seq && Number(node.dataset.seq) > seq;
      if (!unsent && !later) break;
      before = node;
    }
    if (before) this.#ol.insertBefore(li, before);
    else if (li.parentNode !== this.#ol || li !== this.#ol.lastElementChild) this.#ol.append(li);
  }

  /** Keeps the newest line in view when the reader was already at the bottom. */
  #reveal(li) {
    const ol = this.#ol;
    // The list scrolls: keyboard users must be able to reach it (once there is something to read).
    ol.tabIndex = 0;
    const nearBottom = ol.scrollHeight - ol.scrollTop - ol.clientHeight < 80 + li.offsetHeight;
    if (nearBottom) ol.scrollTop = ol.scrollHeight;
  }
}
