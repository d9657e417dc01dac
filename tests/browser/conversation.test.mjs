// A person and a listener, in two browser contexts, hold whole conversations on one server.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, seriousViolations, useEcoute } from "./harness.mjs";
import {
  listenerSees,
  listenerSend,
  logIn,
  setAvailable,
  startChat,
  takeNext,
  visitorMessages,
  workspaceReady,
  visitorSees,
  visitorSend,
} from "./flows.mjs";

describe("a conversation between a person and a listener", () => {
  const lab = useEcoute({
    users: [
      { username: "camille", pseudonym: "Camille" },
      { username: "dominique", pseudonym: "Dominique" },
      { username: "sacha", pseudonym: "Sacha" },
    ],
  });

  test("from the first message to the statistics sheet", async () => {
    const visitor = await openPage(lab.browser);
    const listener = await openPage(lab.browser);

    // The person starts and writes while waiting; nobody is on duty yet, and the page says so.
    await startChat(visitor, lab.ecoute.url);
    await visitor.locator("#status", { hasText: "Vous êtes en tête de file." }).waitFor();
    await visitor.locator("#status", { hasText: "Personne n'est à l'écoute en ce moment" }).waitFor();
    // Nobody on duty: no promise of an answer.
    assert.equal(await visitor.locator("#status", { hasText: "prochaine personne à être écoutée" }).count(), 0);
    assert.equal(await visitor.textContent("#end"), "Quitter la file");
    await visitorSend(visitor, "Bonsoir, je me sens très seul ce soir.");
    const first = visitorMessages(visitor).first();
    // Committed ("envoyé"), not "reçu": no listener has read it yet.
    await first.locator(".delivery", { hasText: "envoyé" }).waitFor();
    assert.equal(await visitor.inputValue("#message"), "", "the composer is emptied after sending");

    // A second person joins behind: their position is 2 of 2. They leave the queue again.
    const second = await openPage(lab.browser);
    await startChat(second, lab.ecoute.url);
    await second.locator("#status", { hasText: "Vous êtes 2ᵉ dans la file (2 personnes en attente)." }).waitFor();
    await screenshot(second, "visitor-waiting");
    await second.click("#end");
    // No conversation took place: they left the queue, and are not thanked for writing.
    await second.locator("#status", { hasText: "Vous avez quitté la file." }).waitFor();
    assert.equal(await second.locator("#status", { hasText: "La conversation est terminée" }).count(), 0);
    assert.deepEqual(second.dialogs.map((d) => d.type), ["confirm"], "leaving asks first");
    assert.equal(await second.evaluate(() => sessionStorage.length), 0, "nothing kept after the end");
    await second.context().close();

    // The listener logs in, becomes available, takes the next person and reads their message.
    await logIn(listener, lab.ecoute.url, "camille");
    await setAvailable(listener);
    await visitor.locator("#status", { hasText: "Attente estimée" }).or(visitor.locator("#status", { hasText: "dans un instant" })).first().waitFor();
    const conversation = await takeNext(listener);
    await listenerSees(conversation, "je me sens très seul");
    await visitor.locator("#status", { hasText: "Camille vous écoute." }).waitFor();
    assert.equal(await visitor.textContent("#end"), "Terminer la conversation");

    // Typing shows on the other side, both ways.
    await conversation.locator("textarea").type("Bonsoir");
    await visitor.locator("#typing", { hasText: "Camille écrit…" }).waitFor();
    await visitor.type("#message", "Je");
    await conversation.locator(".typing", { hasText: "La personne écrit…" }).waitFor();
    await visitor.fill("#message", "");

    // The reply reaches the person under the listener's pseudonym.
    await listenerSend(conversation, "Bonsoir, je suis là. Qu'est-ce qui se passe ce soir ?");
    await visitorSees(visitor, "je suis là");
    const reply = visitorMessages(visitor).nth(1);
    assert.equal(await reply.locator(".author").textContent(), "Camille");
    assert.match(await reply.getAttribute("class"), /\bother\b/);
    await visitor.locator("#typing").waitFor({ state: "hidden" });

    await visitorSend(visitor, "Personne ne m'a parlé de la journée.");
    await listenerSees(conversation, "Personne ne m'a parlé");
    await visitor.locator("#messages li.message.own .delivery", { hasText: "reçu" }).nth(1).waitFor();
    const ownStates = await visitor.locator("#messages li.message.own .delivery").allTextContents();
    assert.deepEqual(ownStates, ["reçu", "reçu"], "each of the person's messages is marked delivered");
    await conversation.locator("li.message.own .delivery", { hasText: "reçu" }).waitFor();
    assert.equal(await visitorMessages(visitor).count(), 3);
    assert.equal(await conversation.locator("li.message").count(), 3);
    await screenshot(visitor, "visitor-conversation");
    await screenshot(listener, "workspace-conversation");

    // The listener ends; the person is told and offered a new conversation.
    await conversation.locator("button.end").click();
    await visitor.locator("#status", { hasText: "La conversation est terminée" }).waitFor();
    await visitor.locator("#new-chat").waitFor({ state: "visible" });
    assert.equal(await visitor.evaluate(() => document.activeElement?.id), "new-chat");
    assert.equal(await visitor.isHidden("#composer"), true);
    assert.equal(await visitor.evaluate(() => sessionStorage.length), 0, "nothing kept after the end");

    // The sheet link appears, focused; the sheet is filled and saved.
    const sheetLink = conversation.locator("a.sheet-link");
    await sheetLink.waitFor({ state: "visible" });
    assert.equal(await listener.evaluate(() => document.activeElement?.classList.contains("sheet-link")), true);
    await screenshot(listener, "workspace-ended");
    await Promise.all([listener.waitForURL(/\/listener\/sheet\//), sheetLink.click()]);
    assert.ok(Number(await listener.inputValue("#duration_minutes")) >= 0, "duration is prefilled");
    assert.equal(await listener.locator("form.sheet input[type=radio]:checked").count(), 0, "nothing chosen in advance");
    await listener.check("input[name=themes][value=solitude]");
    await listener.check("input[name=themes][value=family]");
    await listener.check("input[name=age_band][value='40_59']");
    await listener.check("input[name=gender][value=man]");
    await listener.check("input[name=contact_kind][value=first]");
    await listener.check("input[name=risk][value=low]");
    await listener.check("input[name=debrief_wanted]");
    await screenshot(listener, "sheet");
    await Promise.all([
      listener.waitForURL((url) => url.pathname === "/listener"),
      listener.click("form.sheet button[type=submit]"),
    ]);
    await listener.locator("#presence[data-current]").waitFor({ state: "attached" });
    await listener.locator(".notice", { hasText: "Fiche enregistrée." }).waitFor();
    // A debrief was asked for: a pause is offered, and taken in one click.
    assert.deepEqual(await seriousViolations(listener), [], "the workspace with its offer of a pause");
    await listener.click("#take-pause");
    await listener.locator('#presence[data-current="pause"]').waitFor({ state: "attached" });
    assert.equal(await listener.isHidden("#pending"), true, "no sheet left to fill");

    assert.deepEqual([...visitor.errors, ...listener.errors], [], "no script error on either page");
    await visitor.context().close();
    await listener.context().close();
  });

  test("the Next button says why it took nobody", async () => {
    const listener = await openPage(lab.browser);
    const visitor = await openPage(lab.browser);
    await logIn(listener, lab.ecoute.url, "camille");
    await workspaceReady(listener);
    await listener.check("#presence input[value=pause]");
    await listener.locator('#presence[data-current="pause"]').waitFor({ state: "attached" });
    await listener.click("#next");
    await listener.locator("#workspace-status", { hasText: "Passez « disponible »" }).waitFor();

    await setAvailable(listener);
    await listener.click("#next");
    await listener.locator("#workspace-status", { hasText: "Personne n'attend en ce moment." }).waitFor();
    assert.equal(await listener.locator("article.conversation").count(), 0);

    await startChat(visitor, lab.ecoute.url);
    await listener.locator("#board-waiting", { hasText: "1" }).waitFor();
    const conversation = await takeNext(listener);
    assert.equal(await listener.textContent("#workspace-status"), "", "the last notice is cleared");
    await listener.click("#next");
    await listener.locator("#workspace-status", { hasText: "nombre maximal de conversations" }).waitFor();

    await conversation.locator("button.end").click();
    await visitor.locator("#new-chat").waitFor({ state: "visible" });
    await visitor.context().close();
    await listener.context().close();
  });

  test("after a reload on either side, every message is there exactly once", async () => {
    const visitor = await openPage(lab.browser);
    const listener = await openPage(lab.browser);
    await startChat(visitor, lab.ecoute.url);
    await visitorSend(visitor, "un");
    await logIn(listener, lab.ecoute.url, "dominique");
    await setAvailable(listener);
    let conversation = await takeNext(listener);
    await listenerSees(conversation, "un");
    await listenerSend(conversation, "deux");
    await visitorSees(visitor, "deux");
    await visitorSend(visitor, "trois");
    await listenerSees(conversation, "trois");
    await listenerSend(conversation, "quatre");
    await visitorSees(visitor, "quatre");
    await visitor.locator("#messages li.message.own .delivery", { hasText: "reçu" }).nth(1).waitFor();

    const bodies = async (locator) => locator.locator(".body").allTextContents();
    const expected = ["un", "deux", "trois", "quatre"];

    await visitor.reload();
    await visitor.locator("#status", { hasText: "Dominique vous écoute." }).waitFor();
    await visitorMessages(visitor).nth(3).waitFor();
    assert.deepEqual(await bodies(visitorMessages(visitor)), expected);

    await listener.reload();
    conversation = listener.locator("article.conversation");
    await conversation.locator("li.message").nth(3).waitFor();
    assert.equal(await conversation.count(), 1, "one panel for the one conversation");
    assert.deepEqual(await bodies(conversation.locator("li.message")), expected);

    // Both reloaded pages carry on the same conversation.
    await visitorSend(visitor, "cinq");
    await listenerSees(conversation, "cinq");
    await listenerSend(conversation, "six");
    await visitorSees(visitor, "six");
    // Let any duplicate arrive before counting.
    await visitor.waitForTimeout(300);
    const all = [...expected, "cinq", "six"];
    assert.deepEqual(await bodies(visitorMessages(visitor)), all);
    assert.deepEqual(await bodies(conversation.locator("li.message")), all);
    const authors = await visitorMessages(visitor).evaluateAll((items) => items.map((li) => li.classList.contains("own")));
    assert.deepEqual(authors, [true, false, true, false, true, false], "own and other sides survive the reload");

    await conversation.locator("button.end").click();
    await visitor.locator("#new-chat").waitFor({ state: "visible" });
    await visitor.context().close();
    await listener.context().close();
  });

  test("HTML and script in messages show as text on both pages", async () => {
    const visitor = await openPage(lab.browser);
    const listener = await openPage(lab.browser);
    const fromPerson = `<img src=x onerror="alert('person')"> <script>alert(1)</script>`;
    const fromListener = `<b>gras</b><img src=x onerror=alert('listener')><a href="javascript:alert(2)">lien</a>`;

    await startChat(visitor, lab.ecoute.url);
    await visitorSend(visitor, fromPerson);
    await logIn(listener, lab.ecoute.url, "sacha");
    await setAvailable(listener);
    const conversation = await takeNext(listener);
    await listenerSees(conversation, "onerror");
    await listenerSend(conversation, fromListener);
    await visitorSees(visitor, "<b>gras</b>");

    for (const [page, list] of [
      [visitor, visitor.locator("#messages")],
      [listener, conversation.locator(".messages")],
    ]) {
      const bodies = await list.locator("li.message .body").allTextContents();
      assert.deepEqual(bodies, [fromPerson, fromListener], "bodies are shown literally");
      assert.equal(await list.locator("img, script, b, a").count(), 0, "no element was made from a message");
      await page.waitForTimeout(200);
      assert.deepEqual(page.dialogs.filter((d) => d.type === "alert"), [], "no script ran");
    }
    await conversation.locator("button.end").click();
    await visitor.locator("#new-chat").waitFor({ state: "visible" });
    await visitor.context().close();
    await listener.context().close();
  });
});
