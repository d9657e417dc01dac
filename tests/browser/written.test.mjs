// The written door as its people use it: a person arrives from the campaign page, is told
// before sending that the code is the only way back, writes and gets eight words; a listener
// finds the message in the inbox, takes it, keeps a draft, replies and fills in the reply's
// statistics sheet (channel "message"); the person, on another
// browser (after a restart of the server), reads the reply with the code, writes again and
// deletes everything. Every page passes axe; nothing is kept in the browsers.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, seriousViolations, useEcoute } from "./harness.mjs";
import { fillSheet, logIn, submitForm as submit, writeFirstMessage } from "./flows.mjs";

const today = new Date().toISOString().slice(0, 10);

async function assertAccessible(page, what) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${what}: ${JSON.stringify(violations, null, 2)}`);
}

describe("the written door", () => {
  const lab = useEcoute({
    campaigns: [{ code: "fb-2017-11", name: "Campagne 2017", from: today, to: today }],
    users: [{ username: "lina", pseudonym: "Lina", role: "listener" }],
  });

  test("a message is written, answered and read with its code on another browser", async () => {
    // The person: from the campaign page's door to the write page.
    const person = await openPage(lab.browser);
    await person.goto(`${lab.ecoute.url}/stories?c=fb-2017-11`);
    const door = person.locator("section.doors a.door-write");
    assert.match((await door.getAttribute("href")) ?? "", /^\/write\?via=fb-2017-11$/);
    await Promise.all([person.waitForURL(/\/write\?via=/), door.click()]);
    // Told before anything is sent.
    await person.locator("#code-warning", { hasText: "personne — pas même nous — ne peut vous le redonner" }).waitFor();
    await assertAccessible(person, "write page");
    const code = await writeFirstMessage(person, "Je n'ose pas appeler. Depuis le divorce je ne dors plus.");
    assert.equal(code.split(" ").length, 8, code);
    await person.locator(".messages li.message.own .body", { hasText: "je ne dors plus" }).waitFor();
    await assertAccessible(person, "thread page with its new code");
    await screenshot(person, "written-code");
    assert.deepEqual(await person.context().cookies(), []);
    const stored = await person.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
    assert.ok(!stored.includes(code.split(" ")[0]), stored);
    assert.ok(!person.url().includes(code.split(" ")[0]), "the code never enters an address");
    assert.deepEqual(person.errors, []);
    await person.context().close();

    // The code outlives a restart of the server (its key is kept beside the database).
    await lab.ecoute.restart();

    // The listener: the inbox, the thread, a claim, a draft, the reply.
    const listener = await openPage(lab.browser);
    await logIn(listener, lab.ecoute.url, "lina");
    await Promise.all([listener.waitForURL(/\/listener\/inbox$/), listener.locator("nav a", { hasText: "Messages écrits" }).click()]);
    await listener.locator("table.inbox td", { hasText: "À répondre dans 47 heures" }).waitFor();
    await assertAccessible(listener, "written inbox");
    await Promise.all([listener.waitForURL(/\/listener\/inbox\/[0-9a-f-]{36}$/), listener.locator("table.inbox th a").first().click()]);
    await listener.locator(".messages .body", { hasText: "je ne dors plus" }).waitFor();
    await assertAccessible(listener, "a written thread, free");
    await submit(listener, listener.getByRole("button", { name: "Répondre à cet échange" }));
    await listener.fill("#reply", "Bonsoir. Je vous lis, et je");
    await submit(listener, listener.getByRole("button", { name: "Enregistrer le brouillon" }));
    await listener.locator(".notice", { hasText: "Brouillon enregistré." }).waitFor();
    assert.equal(await listener.inputValue("#reply"), "Bonsoir. Je vous lis, et je");
    await assertAccessible(listener, "a written thread, being answered");
    await listener.fill("#reply", "Bonsoir. Je vous lis. Qu'est-ce qui vous empêche de dormir, le plus ?");
    // Sent, the reply's statistics sheet follows, as after a conversation.
    await Promise.all([listener.waitForURL(/\/listener\/sheet\//), listener.getByRole("button", { name: "Envoyer la réponse" }).click()]);
    await listener.locator(".notice", { hasText: "Votre réponse est envoyée." }).waitFor();
    await assertAccessible(listener, "the sheet of a written reply");
    await fillSheet(listener, /\/listener\/inbox\?saved=sheet$/);
    await listener.locator(".notice", { hasText: "Votre réponse est envoyée et sa fiche enregistrée." }).waitFor();
    await listener.locator("text=Aucun message écrit n'attend de réponse.").waitFor();
    assert.deepEqual(listener.errors, []);
    await listener.context().close();

    // The person, on another browser, in English this time: the code typed by hand.
    const again = await openPage(lab.browser, { locale: "en-GB" });
    await again.goto(`${lab.ecoute.url}/write`);
    await again.fill("#code", code.toUpperCase().split(" ").join(", "));
    await submit(again, again.getByRole("button", { name: "Read the replies" }));
    await again.locator(".notice", { hasText: "A listener has answered you." }).waitFor();
    await again.locator(".messages li.message:not(.own) .author", { hasText: "Lina" }).waitFor();
    await again.locator(".messages .body", { hasText: "Qu'est-ce qui vous empêche de dormir" }).waitFor();
    assert.equal(await again.locator("#retrieval-code").count(), 0, "the code is shown only once");
    await assertAccessible(again, "thread read with the code");
    await again.fill("#text", "Les pensées qui tournent. Merci de m'avoir répondu.");
    await submit(again, again.getByRole("button", { name: "Send", exact: true }));
    await again.locator(".notice", { hasText: "Your message was sent." }).waitFor();
    assert.equal(await again.locator(".messages li.message").count(), 3);
    // Deleting asks for the box first (the browser keeps the form until it is ticked).
    const deleteButton = again.getByRole("button", { name: "Delete my messages" });
    await deleteButton.click();
    assert.equal(await again.locator("input[name=confirm]").evaluate((el) => /** @type {HTMLInputElement} */ (el).validity.valueMissing), true);
    await again.check("input[name=confirm]");
    await submit(again, deleteButton);
    await again.locator(".notice", { hasText: "Your messages were deleted for good." }).waitFor();
    await assertAccessible(again, "write page after a deletion");
    await again.fill("#code", code);
    await submit(again, again.getByRole("button", { name: "Read the replies" }));
    await again.locator("#code-error", { hasText: "No messages match this code." }).waitFor();
    assert.deepEqual(again.errors, []);
    await again.context().close();

    // Counted once under the campaign, with nothing about anyone.
    await lab.ecoute.restart();
    const counts = await lab.ecoute.cli(["campaign", "counts", "--from", today]);
    const lines = counts.trim().split("\n");
    assert.ok(lines.includes(`${today}\tfb-2017-11\tmessage_written\t1`), counts);
  });
});
