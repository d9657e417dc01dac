// What the person reads: plurals, the page's language, the hours when nobody is on duty, the
// quick-exit hint, and a message over the limit.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, useEcoute } from "./harness.mjs";
import { logIn, setAvailable, startChat } from "./flows.mjs";

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const MAX = 20;

describe("the texts of the public page", () => {
  const lab = useEcoute({
    users: [{ username: "alex", pseudonym: "Alex" }],
    settings: {
      ECOUTE_CHAT__MAX_MESSAGE_CHARS: String(MAX),
      ECOUTE_SITE__OPENING_HOURS__FR: "tous les soirs de 19 h à 1 h",
      ECOUTE_SITE__OPENING_HOURS__EN: "every evening from 7 pm to 1 am",
    },
  });

  test("nobody on duty: said plainly, with the hours, and no promise; hidden once someone is", async () => {
    const visitor = await openPage(lab.browser);
    await startChat(visitor, lab.ecoute.url);
    await visitor.locator("#status", { hasText: "Personne n'est à l'écoute en ce moment" }).waitFor();
    await visitor.locator("#opening-hours", { hasText: "Horaires d'écoute : tous les soirs de 19 h à 1 h" }).waitFor();
    assert.equal(await visitor.locator("#status", { hasText: "prochaine personne à être écoutée" }).count(), 0);
    assert.equal(await visitor.isVisible(".emergency"), true, "the alternatives are on the page");

    const listener = await openPage(lab.browser);
    await logIn(listener, lab.ecoute.url, "alex");
    await setAvailable(listener);
    await visitor.locator("#status", { hasText: "Vous êtes la prochaine personne à être écoutée." }).waitFor();
    await visitor.locator("#opening-hours").waitFor({ state: "hidden" });
    await listener.context().close();
    await visitor.context().close();
  });

  test("a message over the limit is kept whole, counted below zero, and not sent", async () => {
    const visitor = await openPage(lab.browser);
    await startChat(visitor, lab.ecoute.url);
    await visitor.locator("#chars-left", { hasText: `${MAX} caractères restants` }).waitFor();
    await visitor.fill("#message", "x".repeat(MAX - 1));
    await visitor.locator("#chars-left", { hasText: "1 caractère restant" }).waitFor();
    const long = "y".repeat(MAX + 5);
    await visitor.fill("#message", long);
    assert.equal(await visitor.inputValue("#message"), long, "nothing is cut");
    await visitor.locator("#chars-left.over", { hasText: "Message trop long de 5 caractères" }).waitFor();
    await visitor.click("#send");
    await visitor.locator("#chat-error", { hasText: `dépasse la limite de ${MAX} caractères` }).waitFor();
    assert.equal(await visitor.locator("#messages li.message").count(), 0, "nothing was sent");
    assert.equal(await visitor.inputValue("#message"), long, "the text stays, to be shortened");
    await visitor.context().close();
  });

  test("the browser's language, then French; an unknown ?lang= says which language it shows", async () => {
    const english = await openPage(lab.browser, { locale: "en-GB" });
    await english.goto(`${lab.ecoute.url}/`);
    assert.equal(await english.getAttribute("html", "lang"), "en");
    assert.equal((await english.textContent("#start")).trim(), "Talk now");
    // The switch still works, and French stays French on this English browser.
    await Promise.all([english.waitForURL(/lang=fr/), english.click("a[hreflang=fr]")]);
    assert.equal(await english.getAttribute("html", "lang"), "fr");

    await english.goto(`${lab.ecoute.url}/?lang=de`);
    assert.equal(await english.getAttribute("html", "lang"), "en");
    await english.locator("main .notice", { hasText: "This language is not available" }).waitFor();
    await english.context().close();

    const german = await openPage(lab.browser, { locale: "de-DE" });
    await german.goto(`${lab.ecoute.url}/`);
    assert.equal(await german.getAttribute("html", "lang"), "fr");
    await german.context().close();
  });

  test("the double-Escape hint is visible text on a desktop, and stays off a phone", async () => {
    const desktop = await openPage(lab.browser);
    await desktop.goto(`${lab.ecoute.url}/`);
    await desktop.locator("#quick-exit-hint", { hasText: "Échap deux fois" }).waitFor();
    await desktop.context().close();

    const phone = await openPage(lab.browser, PHONE);
    await phone.goto(`${lab.ecoute.url}/`);
    assert.equal(await phone.isVisible("#quick-exit"), true, "touch users have the button");
    assert.equal(await phone.isHidden("#quick-exit-hint"), true, "no keyboard hint on a phone");
    await phone.context().close();
  });
});
