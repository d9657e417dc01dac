// What the network does to the pages: a quick exit whose last frame is lost, and a network
// that goes dead without closing anything (a phone losing its signal). Frames are carried by
// Playwright's WebSocket routing, which can drop them the way a torn-down page or a dead
// network would; nothing waits for time, only for states.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { QUICK_EXIT_PATH, openPage, useEcoute } from "./harness.mjs";
import { STEP_TIMEOUT_MS, listenerSend, logIn, setAvailable, startChat, takeNext, visitorSees } from "./flows.mjs";

/** People waiting, as ecoute's own metrics say. */
async function waiting(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("ecoute_queue_waiting{"));
  return line ? Number(line.trim().split(/\s+/).pop()) : 0;
}

/** Polls until `check()` holds, failing after the step timeout. */
async function until(what, check) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`never came true: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Carries the page's person socket through a switchboard the test controls: `dead` drops
 * every frame both ways (the TCP connection stays up, as when a phone loses its signal),
 * `dropEnd` drops the page's `end` frame (a page gone before its last frame left).
 */
async function switchboard(page) {
  const line = { dead: false, dropEnd: false, sockets: 0 };
  await page.routeWebSocket(/\/ws\/person$/, (ws) => {
    line.sockets += 1;
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (line.dead) return;
      if (line.dropEnd && String(message).includes('"type":"end"')) return;
      server.send(message);
    });
    server.onMessage((message) => {
      if (!line.dead) ws.send(message);
    });
  });
  return line;
}

describe("the network", () => {
  const lab = useEcoute({
    users: [{ username: "alex", pseudonym: "Alex" }],
    settings: { ECOUTE_CHAT__HEARTBEAT_SECONDS: "1" },
  });

  test("the quick exit leaves the queue even when its last frame is lost", async () => {
    const base = lab.ecoute.url;
    const page = await openPage(lab.browser);
    const line = await switchboard(page);
    await startChat(page, base);
    await until("the person waits", async () => (await waiting(base)) === 1);
    line.dropEnd = true;
    await Promise.all([page.waitForURL((url) => url.pathname === QUICK_EXIT_PATH), page.click("#quick-exit")]);
    // Only the beacon can have told the server: the `end` frame never reached it.
    await until("nobody waits any more", async () => (await waiting(base)) === 0);
    await page.context().close();
  });

  test("a dead network is noticed on the page, and a reply is not 'delivered' until it is", async () => {
    const base = lab.ecoute.url;
    const visitor = await openPage(lab.browser);
    const listener = await openPage(lab.browser);
    const line = await switchboard(visitor);
    await startChat(visitor, base);
    await logIn(listener, base, "alex");
    await setAvailable(listener);
    const conversation = await takeNext(listener);
    await listenerSend(conversation, "Je suis là.");
    await visitorSees(visitor, "Je suis là.");
    await conversation.locator("li.message.own .delivery", { hasText: "reçu" }).waitFor();

    // The phone loses its signal: nothing goes through, nothing closes.
    line.dead = true;
    await visitor.locator("#connection", { hasText: "Connexion perdue" }).waitFor();
    // The listener's next reply is committed, but the person's page does not have it.
    await listenerSend(conversation, "Vous êtes toujours là ?");
    const second = conversation.locator("li.message.own").nth(1);
    await second.locator(".delivery", { hasText: "envoyé" }).waitFor();
    assert.equal(await second.getAttribute("data-delivery"), "sent");

    // The signal comes back: the page reconnects by itself, catches up, and says so.
    const before = line.sockets;
    line.dead = false;
    await visitorSees(visitor, "Vous êtes toujours là ?");
    assert.ok(line.sockets > before, "the page opened a new connection");
    await second.locator(".delivery", { hasText: "reçu" }).waitFor();
    await visitor.locator("#connection").waitFor({ state: "hidden" });
    await visitor.context().close();
    await listener.context().close();
  });
});
