// Nobody waits unseen: a listener on duty is told that someone is waiting even with the
// workspace in the background — the tab's title counts the people waiting, a live region
// says it, a short sound plays (unless switched off) and a notification appears once the
// browser allows it, none of them saying anything about who waits. And the emergency numbers
// are one tap away for the person, and one click away for the listener to give.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, useEcoute } from "./harness.mjs";
import { logIn, setAvailable, startChat, takeNext, visitorSees } from "./flows.mjs";

/** Records the notifications and the tones the page makes (the test's spies, not the page's). */
function spyOnAlerts() {
  const seen = { notifications: [], tones: 0 };
  // @ts-ignore
  window.__alerts = seen;
  const Real = window.Notification;
  class Spy extends Real {
    constructor(title, options) {
      super(title, options);
      seen.notifications.push({ title, body: options?.body ?? "" });
    }
  }
  // @ts-ignore
  window.Notification = Spy;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    seen.tones += 1;
    return create.call(this);
  };
}

/** Makes the page believe its tab is in the background. */
async function sendToBackground(page) {
  await page.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  });
}

describe("nobody waits unseen", () => {
  const lab = useEcoute({ users: [{ username: "lou", pseudonym: "Lou" }] });

  test("a listener in the background is told someone waits, by title, sound and notification", async () => {
    const listener = await openPage(lab.browser);
    await listener.context().grantPermissions(["notifications"], { origin: lab.ecoute.url });
    await listener.addInitScript(spyOnAlerts);
    await logIn(listener, lab.ecoute.url, "lou");
    const base = await listener.title();
    // Permission already given: the page says so and asks no more.
    await listener.locator("#alert-notify-state", { hasText: "activées" }).waitFor();
    assert.equal(await listener.locator("#alert-notify-box").isHidden(), true);
    await setAvailable(listener);
    await sendToBackground(listener);

    const visitor = await openPage(lab.browser);
    await startChat(visitor, lab.ecoute.url);
    await listener.waitForFunction((b) => document.title === `(1) ${b}`, base);
    await listener.locator("#waiting-alert", { hasText: "Une personne attend." }).waitFor();
    const alerts = await listener.evaluate(() => /** @type {any} */ (window).__alerts);
    assert.equal(alerts.tones, 1, "one tone for one person");
    assert.deepEqual(alerts.notifications, [{ title: "Quelqu'un attend d'être écouté", body: "Une personne attend." }]);

    // Taken: nobody waits, the title says so again.
    const conversation = await takeNext(listener);
    await listener.waitForFunction((b) => document.title === b, base);

    // One click gives the person the emergency numbers, as a message of the conversation.
    await conversation.locator("button.emergency-numbers").click();
    await visitorSees(visitor, "3114 (prévention du suicide");

    // Sound off: remembered, and the next person brings no tone (the title still counts).
    await listener.uncheck("#alert-sound");
    await listener.reload();
    await setAvailable(listener);
    assert.equal(await listener.isChecked("#alert-sound"), false);
    const second = await openPage(lab.browser);
    await startChat(second, lab.ecoute.url);
    await listener.waitForFunction((b) => document.title === `(1) ${b}`, base);
    await listener.locator("#waiting-alert", { hasText: "Une personne attend." }).waitFor();
    assert.equal(await listener.evaluate(() => /** @type {any} */ (window).__alerts.tones), 0);
    assert.deepEqual(listener.errors, []);
    for (const page of [listener, visitor, second]) await page.context().close();
  });

  test("on a phone, the person reaches the emergency numbers in one tap, mid-conversation", async () => {
    const phone = await openPage(lab.browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await startChat(phone, lab.ecoute.url);
    const link = phone.locator("a.emergency-link");
    // The header stays in view while the conversation scrolls.
    await phone.mouse.wheel(0, 2000);
    assert.equal(await link.isVisible(), true);
    const box = await link.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 844, `the link is on screen: ${JSON.stringify(box)}`);
    await link.tap();
    await phone.locator("#emergency:focus").waitFor();
    await phone.waitForFunction(() => {
      const r = document.querySelector("#emergency a[href='tel:3114']")?.getBoundingClientRect();
      return !!r && r.top >= 0 && r.bottom <= window.innerHeight;
    });
    await phone.context().close();
  });
});
