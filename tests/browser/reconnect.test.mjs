// Connections that drop: the server crashes and comes back, a second tab takes over.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useEcoute } from "./harness.mjs";
import {
  listenerSees,
  listenerSend,
  logIn,
  setAvailable,
  startChat,
  takeNext,
  visitorMessages,
  visitorSees,
  visitorSend,
} from "./flows.mjs";

/** Reconnection backs off up to 10 s between tries; a restart is caught within two tries. */
const RECONNECT_TIMEOUT_MS = 25_000;

describe("connections that drop", () => {
  const lab = useEcoute({
    users: [
      { username: "noa", pseudonym: "Noa" },
      { username: "eli", pseudonym: "Eli" },
    ],
  });

  test("the server crashes and restarts: both pages reconnect, nothing is lost or doubled", async () => {
    const visitor = await openPage(lab.browser);
    const listener = await openPage(lab.browser);
    await startChat(visitor, lab.ecoute.url);
    await visitorSend(visitor, "avant la panne");
    await logIn(listener, lab.ecoute.url, "noa");
    await setAvailable(listener);
    const conversation = await takeNext(listener);
    await listenerSees(conversation, "avant la panne");
    await listenerSend(conversation, "je vous lis");
    await visitorSees(visitor, "je vous lis");

    await lab.ecoute.crash();
    await visitor.locator("#connection", { hasText: "Connexion perdue" }).waitFor();
    await listener.locator("#connection", { hasText: "Connexion perdue" }).waitFor();

    // Written while the server is down: shown as being sent, and kept.
    await visitorSend(visitor, "pendant la panne");
    const during = visitorMessages(visitor).last();
    assert.equal(await during.locator(".delivery").textContent(), "envoi…");
    await screenshot(visitor, "visitor-offline");

    await lab.ecoute.restart();
    await during.locator(".delivery", { hasText: "reçu" }).waitFor({ timeout: RECONNECT_TIMEOUT_MS });
    await visitor.locator("#connection").waitFor({ state: "hidden" });
    await listenerSees(conversation, "pendant la panne");
    await listenerSend(conversation, "après la panne");
    await visitorSees(visitor, "après la panne");
    await visitor.waitForTimeout(300);

    const expected = ["avant la panne", "je vous lis", "pendant la panne", "après la panne"];
    assert.deepEqual(await visitorMessages(visitor).locator(".body").allTextContents(), expected);
    assert.deepEqual(await listener.locator("article.conversation li.message .body").allTextContents(), expected);
    assert.equal(await listener.locator("article.conversation").count(), 1);

    await listener.locator("article.conversation button.end").click();
    await visitor.locator("#new-chat").waitFor({ state: "visible" });
    await visitor.context().close();
    await listener.context().close();
  });

  test("a reload resends what was never acknowledged, and shows what was committed once", async () => {
    const visitor = await openPage(lab.browser);
    // Between the page and the server: the acknowledgement of "committed, ack lost" and the
    // whole of "never sent" are lost on the way, as on a network that fails at the wrong moment.
    let lossy = true;
    await visitor.routeWebSocket(/\/ws\/person$/, (page) => {
      const server = page.connectToServer();
      page.onMessage((frame) => {
        if (!(lossy && frame.includes("never sent"))) server.send(frame);
      });
      server.onMessage((frame) => {
        const ackOfLost = lossy && frame.includes('"type":"ack"') && ackDropped === null;
        if (ackOfLost) ackDropped = JSON.parse(frame).id;
        else page.send(frame);
      });
    });
    let ackDropped = null;

    await startChat(visitor, lab.ecoute.url);
    await visitorSend(visitor, "committed, ack lost");
    await visitorSend(visitor, "never sent");
    await visitor.waitForTimeout(500);
    assert.ok(ackDropped, "the first acknowledgement was dropped");
    assert.deepEqual(await visitor.locator("#messages .delivery").allTextContents(), ["envoyé", "envoi…"],
      "the committed message came back from the server; the other is still being sent");
    const kept = await visitor.evaluate(() => JSON.parse(sessionStorage.getItem("ecoute.pending")).map((f) => f.body));
    assert.deepEqual(kept, ["never sent"], "only the uncommitted message is kept for resending");

    lossy = false;
    await visitor.reload();
    await visitor.locator("#messages li.message.own .delivery", { hasText: "envoyé" }).nth(1).waitFor();
    await visitor.waitForTimeout(300);
    assert.deepEqual(await visitorMessages(visitor).locator(".body").allTextContents(), ["committed, ack lost", "never sent"]);
    assert.equal(await visitor.evaluate(() => sessionStorage.getItem("ecoute.pending")), null, "nothing left to resend");

    const listener = await openPage(lab.browser);
    await logIn(listener, lab.ecoute.url, "eli");
    await setAvailable(listener);
    const conversation = await takeNext(listener);
    await listenerSees(conversation, "never sent");
    assert.deepEqual(await conversation.locator("li.message .body").allTextContents(), ["committed, ack lost", "never sent"]);
    await conversation.locator("button.end").click();
    await visitor.locator("#new-chat").waitFor({ state: "visible" });
    await visitor.context().close();
    await listener.context().close();
  });

  test("a second tab takes the conversation over; the first can take it back", async () => {
    const first = await openPage(lab.browser);
    await startChat(first, lab.ecoute.url);
    await visitorSend(first, "premier onglet");
    await first.locator("#messages .delivery", { hasText: "envoyé" }).waitFor();

    // A duplicated tab carries a copy of sessionStorage: the same conversation.
    const saved = await first.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
    const second = await first.context().newPage();
    await second.goto(`${lab.ecoute.url}/static/favicon.svg`);
    await second.evaluate((entries) => {
      for (const [k, v] of JSON.parse(entries)) sessionStorage.setItem(k, v);
    }, saved);
    await second.goto(`${lab.ecoute.url}/`);
    await visitorSees(second, "premier onglet");

    await first.locator("#connection", { hasText: "ouverte dans un autre onglet" }).waitFor();
    await first.locator("#take-over").waitFor({ state: "visible" });
    assert.equal(await first.isHidden("#composer"), true, "the replaced tab cannot write");

    await first.click("#take-over");
    await second.locator("#connection", { hasText: "ouverte dans un autre onglet" }).waitFor();
    await visitorSend(first, "de retour");
    await first.locator("#messages li.message.own .delivery", { hasText: "envoyé" }).nth(1).waitFor();
    assert.deepEqual(await visitorMessages(first).locator(".body").allTextContents(), ["premier onglet", "de retour"]);

    await first.click("#end");
    await first.locator("#chat[data-state=ended]").waitFor();
    await first.context().close();
  });
});
