// The campaign's third door as its people use it: a candidate comes from the campaign page,
// applies (the form says how the data is processed and asks for consent); a coordinator
// finds the application, moves it through the association's pipeline with a note and
// training hours, makes the candidate an active listener and hands on the one-time link;
// the new listener chooses a password, logs in and answers someone. axe on every page.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, seriousViolations, useEcoute } from "./harness.mjs";
import {
  activateCandidate,
  listenerSees,
  logIn,
  moveCandidate,
  setAvailable,
  setPasswordWithLink,
  startChat,
  submitForm as submit,
  takeNext,
  TO_PROBATION,
  visitorSees,
  visitorSend,
} from "./flows.mjs";

const today = new Date().toISOString().slice(0, 10);

async function assertAccessible(page, what) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${what}: ${JSON.stringify(violations, null, 2)}`);
}

describe("becoming a listener", () => {
  const lab = useEcoute({
    campaigns: [{ code: "fb-2017-11", name: "Campagne 2017", from: today, to: today }],
    users: [{ username: "coord", pseudonym: "Coord", role: "coordinator" }],
  });

  test("from the campaign's door to a new listener answering someone", async () => {
    // The candidate.
    const candidate = await openPage(lab.browser);
    await candidate.goto(`${lab.ecoute.url}/stories?c=fb-2017-11`);
    const door = candidate.locator("section.doors a.door-volunteer");
    assert.match((await door.getAttribute("href")) ?? "", /^\/volunteer\?via=fb-2017-11$/);
    await Promise.all([candidate.waitForURL(/\/volunteer\?via=/), door.click()]);
    await assertAccessible(candidate, "application form");
    await candidate.fill("#name", "Camille Martin");
    await candidate.fill("#email", "camille@example.org");
    await candidate.fill("#city", "Lyon");
    await candidate.fill("#availability", "Deux soirs par semaine, et un week-end par mois.");
    await candidate.fill("#motivation", "On m'a écoutée un soir où ça n'allait pas. Je voudrais rendre ce temps.");
    // Without the consent, the browser keeps the form.
    await candidate.click("form.volunteer-form button[type=submit]");
    assert.equal(await candidate.locator("#consent").evaluate((el) => /** @type {HTMLInputElement} */ (el).validity.valueMissing), true);
    await candidate.check("#consent");
    await submit(candidate, candidate.locator("form.volunteer-form button[type=submit]"));
    await candidate.locator(".notice", { hasText: "Votre candidature est reçue." }).waitFor();
    await assertAccessible(candidate, "application received");
    assert.deepEqual(await candidate.context().cookies(), []);
    assert.deepEqual(candidate.errors, []);
    await candidate.context().close();

    // The coordinator.
    const coord = await openPage(lab.browser);
    await logIn(coord, lab.ecoute.url, "coord", { landing: /\/admin\/volunteers$/ });
    await coord.locator("table.counts", { hasText: "fb-2017-11" }).waitFor();
    await assertAccessible(coord, "the pipeline");
    await submit(coord, coord.locator("table.inbox a", { hasText: "Camille Martin" }));
    await coord.locator("dd", { hasText: "camille@example.org" }).waitFor();
    await coord.locator("ol.history", { hasText: "lecture" }).waitFor();
    await assertAccessible(coord, "a candidate's file");
    for (const [value, name] of TO_PROBATION) {
      if (value === "first_interview") await coord.fill("#move-note", "Très à l'écoute, disponible.");
      await moveCandidate(coord, value, name);
      if (value === "training") {
        await coord.fill("#hours", "12,5");
        await submit(coord, coord.getByRole("button", { name: "Enregistrer les heures" }));
        await coord.locator(".notice", { hasText: "Heures enregistrées." }).waitFor();
      }
    }
    await assertAccessible(coord, "a candidate on probation");
    const link = await activateCandidate(coord, "camille", "Camille");
    // On this server's address: the default public URL takes the port actually bound.
    assert.ok(link.startsWith(`${lab.ecoute.url}/welcome?token=`), link);
    assert.match(link, /\/welcome\?token=[0-9a-f]{64}$/);
    await assertAccessible(coord, "an active listener's file with their link");
    await screenshot(coord, "volunteer-activated");
    await coord.context().close();

    // The new listener: the link, a password, the workspace, a person.
    const listener = await openPage(lab.browser);
    await listener.goto(link);
    await listener.locator("h1", { hasText: "Bienvenue, Camille" }).waitFor();
    await assertAccessible(listener, "the welcome page");
    await setPasswordWithLink(listener, link);
    await logIn(listener, lab.ecoute.url, "camille");
    await setAvailable(listener);
    const person = await openPage(lab.browser);
    await startChat(person, lab.ecoute.url);
    const conversation = await takeNext(listener);
    await visitorSend(person, "Bonsoir, je n'arrive pas à dormir.");
    await listenerSees(conversation, "je n'arrive pas à dormir");
    await conversation.locator("textarea").fill("Bonsoir, je suis là. Je vous écoute.");
    await conversation.locator("textarea").press("Enter");
    await visitorSees(person, "Bonsoir, je suis là. Je vous écoute.");
    assert.deepEqual(listener.errors, []);
    await person.context().close();
    await listener.context().close();

    // Counted once under the campaign.
    await lab.ecoute.restart();
    const counts = await lab.ecoute.cli(["campaign", "counts", "--from", today]);
    assert.ok(counts.trim().split("\n").includes(`${today}\tfb-2017-11\tapplication\t1`), counts);
  });
});
