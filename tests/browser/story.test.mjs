// The whole story of the 2017 campaign, as its people live it: a person arrives by the
// campaign's link, reveals a story and talks to Lina, who fills in the statistics sheet;
// another person leaves a written message and reads Lina's reply with the code on another
// browser; a third comes by the campaign too, applies to become a listener, is moved through
// the pipeline by a coordinator, sets a password and answers someone. The campaigns page then
// shows each of these counted under the campaign's code, and nothing else.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, useEcoute } from "./harness.mjs";
import {
  activateCandidate,
  answerOldestThread,
  applyAsVolunteer,
  fillSheet,
  listenerSees,
  listenerSend,
  logIn,
  moveCandidate,
  readWithCode,
  setAvailable,
  setPasswordWithLink,
  submitForm,
  takeNext,
  TO_PROBATION,
  visitorSees,
  visitorSend,
  writeFirstMessage,
} from "./flows.mjs";

const today = new Date().toISOString().slice(0, 10);

describe("the 2017 campaign, end to end", () => {
  const lab = useEcoute({
    campaigns: [{ code: "fb-2017-11", name: "Tout le bonheur du monde", from: today, to: today }],
    users: [
      { username: "lina", pseudonym: "Lina", role: "listener" },
      { username: "coord", pseudonym: "Coord", role: "coordinator" },
      { username: "com", pseudonym: "Com", role: "communication" },
    ],
  });

  test("a reveal, a conversation, a written message and a new listener, counted once each", async () => {
    const base = lab.ecoute.url;
    const lina = await openPage(lab.browser);
    await logIn(lina, base, "lina");
    await setAvailable(lina);

    // 1. By the campaign's link: a story revealed, then the door to talk now.
    const first = await openPage(lab.browser, { reducedMotion: "reduce" });
    await first.goto(`${base}/stories?c=fb-2017-11`);
    const counted = first.waitForResponse((r) => r.url().includes("/api/reveals") && r.status() === 204);
    await first.locator("details.reveal[data-story=hanna] summary").click();
    await counted;
    const talk = first.locator("details.reveal[data-story=hanna][open] a.door-talk");
    await Promise.all([first.waitForURL(/\/\?via=fb-2017-11$/), talk.click()]);
    await first.click("#start");
    await first.locator("#chat[data-state=waiting]").waitFor({ state: "visible" });
    const conversation = await takeNext(lina);
    await visitorSend(first, "Tout le monde croit que je vais bien.");
    await listenerSees(conversation, "Tout le monde croit que je vais bien.");
    await listenerSend(conversation, "Je vous écoute. Qu'est-ce que personne ne voit ?");
    await visitorSees(first, "Qu'est-ce que personne ne voit ?");
    await conversation.locator("button.end").click();
    const sheetLink = conversation.locator("a.sheet-link");
    await sheetLink.waitFor({ state: "visible" });
    await Promise.all([lina.waitForURL(/\/listener\/sheet\//), sheetLink.click()]);
    await fillSheet(lina, (url) => url.pathname === "/listener");
    await first.context().close();

    // 2. A written message, answered from the inbox, read with the code elsewhere.
    const writer = await openPage(lab.browser);
    await writer.goto(`${base}/write`);
    const code = await writeFirstMessage(writer, "Je n'arrive pas à le dire à voix haute.");
    await writer.context().close();
    await lina.goto(`${base}/listener/inbox`);
    await answerOldestThread(lina, "Vous pouvez l'écrire ici, à votre rythme. Je vous lis.");
    const reader = await openPage(lab.browser);
    await readWithCode(reader, base, code);
    await reader.locator(".messages .body", { hasText: "à votre rythme" }).waitFor();
    await reader.context().close();
    await lina.context().close();

    // 3. By the campaign too: the third door, the pipeline, a new listener on duty.
    const third = await openPage(lab.browser);
    await third.goto(`${base}/stories?c=fb-2017-11`);
    await submitForm(third, third.locator("section.doors a.door-volunteer"));
    await applyAsVolunteer(third, { name: "Sacha Bernard", email: "sacha@example.org" });
    await third.context().close();
    const coord = await openPage(lab.browser);
    await logIn(coord, base, "coord", { landing: /\/admin\/volunteers$/ });
    await submitForm(coord, coord.locator("table.inbox a", { hasText: "Sacha Bernard" }));
    for (const [value, name] of TO_PROBATION) await moveCandidate(coord, value, name);
    const link = await activateCandidate(coord, "sacha", "Sacha");
    await coord.context().close();
    const sacha = await openPage(lab.browser);
    await setPasswordWithLink(sacha, link);
    await logIn(sacha, base, "sacha");
    await setAvailable(sacha);
    const someone = await openPage(lab.browser);
    await someone.goto(base);
    await someone.click("#start");
    await someone.locator("#chat[data-state=waiting]").waitFor({ state: "visible" });
    const answered = await takeNext(sacha);
    await listenerSend(answered, "Bonsoir, je m'appelle Sacha. Je suis là.");
    await visitorSees(someone, "Je suis là.");
    await someone.context().close();
    await sacha.context().close();

    // The campaigns page: two views by the link, one reveal, one conversation, one message
    // written in it, one application — under the campaign's code.
    await lab.ecoute.restart();
    const com = await openPage(lab.browser);
    await logIn(com, base, "com", { landing: /\/admin\/stories$/ });
    await com.goto(`${base}/admin/campaigns`);
    const row = com.locator("tr", { has: com.locator("code", { hasText: "/stories?c=fb-2017-11" }) });
    const totals = await row.locator("td.number").allTextContents();
    assert.deepEqual(totals.map((n) => n.trim()), ["2", "1", "1", "1", "1"]);
    await com.context().close();
  });
});
