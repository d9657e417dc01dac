// The public page on its own: the quick exit, the two languages, a small phone.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { QUICK_EXIT_PATH, openPage, screenshot, useEcoute } from "./harness.mjs";
import { listenerSend, logIn, setAvailable, startChat, takeNext, visitorSees, visitorSend } from "./flows.mjs";

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

describe("the public page", () => {
  const lab = useEcoute({ users: [{ username: "alex", pseudonym: "Alex" }] });

  test("the quick-exit button leaves at once and leaves nothing behind", async () => {
    const page = await openPage(lab.browser);
    await startChat(page, lab.ecoute.url);
    await visitorSend(page, "Il ne faut pas qu'il voie ça.");
    assert.ok((await page.evaluate(() => sessionStorage.length)) > 0, "the conversation is kept while open");

    await Promise.all([page.waitForURL((url) => url.pathname === QUICK_EXIT_PATH), page.click("#quick-exit")]);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, "sessionStorage is cleared");
    // "Back" must not lead to the conversation: the page replaced its own history entry.
    await page.goBack().catch(() => {});
    assert.notEqual(new URL(page.url()).pathname, "/", "Back does not return to the chat");
    await page.context().close();

    // The person cannot come back without their token: nobody is kept waiting for them.
    const next = await openPage(lab.browser);
    await startChat(next, lab.ecoute.url);
    await next.locator("#status", { hasText: "Vous êtes en tête de file." }).waitFor();
    await next.click("#end");
    await next.locator("#chat[data-state=ended]").waitFor();
    await next.context().close();
  });

  test("Escape twice within a second leaves; Escape once does not", async () => {
    const page = await openPage(lab.browser);
    await startChat(page, lab.ecoute.url);
    await page.keyboard.press("Escape");
    await page.waitForTimeout(1200);
    await page.waitForTimeout(1200);
    assert.equal(new URL(page.url()).pathname, "/", "two presses more than a second apart do nothing");

    await Promise.all([
      page.waitForURL((url) => url.pathname === QUICK_EXIT_PATH),
      (async () => {
        await page.keyboard.press("Escape");
        await page.keyboard.press("Escape");
      })(),
    ]);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, "sessionStorage is cleared");
    await page.context().close();
  });

  test("a conversation that no longer exists sends the person back to the start, with a word", async () => {
    const page = await openPage(lab.browser);
    await page.goto(`${lab.ecoute.url}/static/favicon.svg`);
    await page.evaluate(() => sessionStorage.setItem("ecoute.contact", JSON.stringify({ contact_id: "x", token: "purged-long-ago" })));
    await page.goto(`${lab.ecoute.url}/`);
    await page.locator("#start-error", { hasText: "Cette conversation n'existe plus." }).waitFor();
    assert.equal(await page.isVisible("#start"), true);
    assert.equal(await page.isHidden("#chat"), true);
    assert.equal(await page.evaluate(() => sessionStorage.getItem("ecoute.contact")), null, "the dead token is forgotten");
    await page.context().close();
  });

  test("English with ?lang=en, and the switch between languages", async () => {
    const page = await openPage(lab.browser);
    await page.goto(`${lab.ecoute.url}/?lang=en`);
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.equal((await page.textContent("#start")).trim(), "Talk now");
    assert.equal((await page.textContent("#quick-exit")).trim(), "Quick exit");

    await Promise.all([page.waitForURL((url) => !url.search.includes("lang=en")), page.click("a[hreflang=fr]")]);
    assert.equal(await page.getAttribute("html", "lang"), "fr");
    assert.equal((await page.textContent("#start")).trim(), "Parler maintenant");

    await Promise.all([page.waitForURL(/lang=en/), page.click("a[hreflang=en]")]);
    assert.equal(await page.getAttribute("html", "lang"), "en");

    // The scripts speak English too.
    await page.click("#start");
    await page.locator("#status", { hasText: "You are at the head of the queue." }).waitFor();
    await page.locator("#status", { hasText: "Nobody is listening right now" }).waitFor();
    assert.equal((await page.textContent("#end")).trim(), "Leave the queue");
    await page.click("#end");
    // Nobody answered: the person left the queue; no conversation "ended".
    await page.locator("#status", { hasText: "You have left the queue." }).waitFor();
    await page.context().close();
  });

  test("a 360-pixel phone: no sideways scrolling, the quick exit always in view", async () => {
    const visitor = await openPage(lab.browser, PHONE);
    const listener = await openPage(lab.browser, PHONE);
    const noSidewaysScroll = async (page, where) => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `${where}: the page is ${width} px wide on a 360 px screen`);
    };
    const quickExitInView = async (where) => {
      const box = await visitor.locator("#quick-exit").boundingBox();
      assert.ok(box && (await visitor.isVisible("#quick-exit")), `${where}: the quick exit is shown`);
      assert.ok(box.x >= 0 && box.x + box.width <= 360 && box.y >= 0 && box.y + box.height <= 740, `${where}: the quick exit is on screen (${JSON.stringify(box)})`);
    };

    await visitor.goto(`${lab.ecoute.url}/`);
    await noSidewaysScroll(visitor, "welcome");
    await quickExitInView("welcome");
    await screenshot(visitor, "phone-welcome");

    await startChat(visitor, lab.ecoute.url);
    const longWord = "a".repeat(300);
    await visitorSend(visitor, `Un mot très long : ${longWord}`);
    await logIn(listener, lab.ecoute.url, "alex");
    await setAvailable(listener);
    const conversation = await takeNext(listener);
    await listenerSend(conversation, `Une longue adresse : https://example.org/${"b".repeat(200)}`);
    await visitorSees(visitor, "Une longue adresse");
    await noSidewaysScroll(visitor, "conversation");
    await noSidewaysScroll(listener, "workspace");
    await screenshot(visitor, "phone-conversation");
    await screenshot(listener, "phone-workspace");

    // Scrolled to the very bottom (the emergency numbers), the quick exit is still there.
    await visitor.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await visitor.waitForTimeout(100);
    await quickExitInView("scrolled down");

    await conversation.locator("button.end").click();
    await visitor.locator("#new-chat").waitFor({ state: "visible" });
    await visitor.context().close();
    await listener.context().close();
  });
});
