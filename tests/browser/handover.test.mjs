// A listener's page is lost mid-conversation: the person goes back to the head of the queue,
// another listener takes over, and every reply keeps the name of the listener who wrote it.

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
  visitorSees,
  visitorSend,
} from "./flows.mjs";

describe("a conversation handed over after a listener is lost", () => {
  const lab = useEcoute({
    users: [
      { username: "camille", pseudonym: "Camille" },
      { username: "dominique", pseudonym: "Dominique" },
    ],
    // The lost listener's conversation goes back to the queue after one second.
    settings: { ECOUTE_CHAT__LISTENER_RETURN_SECONDS: "1" },
  });

  /** The author shown on the message whose body contains `text`, and whether it is own. */
  async function writerOf(list, text) {
    const item = list.locator("li.message", { has: list.page().locator(".body", { hasText: text }) }).first();
    return {
      name: await item.locator(".author").textContent(),
      own: (await item.getAttribute("class")).split(" ").includes("own"),
    };
  }

  test("each reply names its own listener, on the person's page and the new listener's", async () => {
    const visitor = await openPage(lab.browser);
    await startChat(visitor, lab.ecoute.url);
    await visitorSend(visitor, "Bonsoir.");

    const first = await openPage(lab.browser);
    await logIn(first, lab.ecoute.url, "camille");
    await setAvailable(first);
    const firstPanel = await takeNext(first);
    await listenerSend(firstPanel, "Bonsoir, je suis Camille.");
    await visitorSees(visitor, "je suis Camille");

    // Camille's page goes away (a closed tab, a lost network): back to the queue.
    await first.close();
    await visitor.locator("#chat[data-state=waiting]").waitFor();

    const second = await openPage(lab.browser);
    await logIn(second, lab.ecoute.url, "dominique");
    await setAvailable(second);
    const panel = await takeNext(second);
    await listenerSees(panel, "je suis Camille");
    assert.deepEqual(await writerOf(panel, "je suis Camille"), { name: "Camille", own: false });
    await listenerSend(panel, "Ici Dominique, je prends le relais.");
    await panel.locator("li.message.own .delivery", { hasText: "reçu" }).waitFor();
    assert.deepEqual(await writerOf(panel, "Ici Dominique"), { name: "Vous", own: true });
    const person = await writerOf(panel, "Bonsoir.");
    assert.equal(person.own, false);
    assert.ok(!["Vous", "Camille", "Dominique"].includes(person.name), person.name);

    await visitorSees(visitor, "Ici Dominique");
    const messages = visitor.locator("#messages");
    assert.deepEqual(await writerOf(messages, "je suis Camille"), { name: "Camille", own: false });
    assert.deepEqual(await writerOf(messages, "Ici Dominique"), { name: "Dominique", own: false });
    assert.deepEqual(await writerOf(messages, "Bonsoir."), { name: "Vous", own: true });
    await screenshot(second, "listener-handover");
  });
});
