// Live supervision, as three people see it at once: a person writes, a listener answers,
// and a supervisor follows both on the live board without ever reloading it — who waits,
// the conversations in progress, the roster and its figures. The listener calls for help;
// the board says so by its title, its live region and a sound; the supervisor reads the
// conversation as it goes and writes the listener a private note that the person never
// receives, then takes the alert in hand. A sheet that marks a high risk brings a debrief
// request. An administrator finds the read in the audit log (who, which conversation, when —
// never what was said), and a listener is refused the board. A warm transfer: the supervisor
// hands a conversation to another listener, then takes it over into her own workspace; the
// person is told in plain words each time, and only the last listener owes the sheet.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { openPage, screenshot, useEcoute } from "./harness.mjs";
import {
  fillSheet,
  listenerSees,
  listenerSend,
  logIn,
  openBoard,
  openWorkspaceBeside,
  setAvailable,
  startChat,
  takeNext,
  visitorSees,
  visitorSend,
  workspaceReady,
} from "./flows.mjs";

/** Records the audio contexts and the tones the page makes (the test's spies, not the page's). */
function spyOnSound() {
  const seen = { contexts: [], tones: 0 };
  // @ts-ignore
  window.__sound = seen;
  const Real = window.AudioContext;
  class Spy extends Real {
    constructor(...args) {
      super(...args);
      seen.contexts.push(this);
    }
  }
  // @ts-ignore
  window.AudioContext = Spy;
  const create = Real.prototype.createOscillator;
  Real.prototype.createOscillator = function () {
    seen.tones += 1;
    return create.call(this);
  };
}

/** Waits until the element `selector` of `page` reads exactly `text`. */
async function reads(page, selector, text) {
  await page.waitForFunction(
    ([s, t]) => document.querySelector(s)?.textContent?.trim() === t,
    [selector, text],
  );
}

/** Waits until the list `selector` of `page` shows only its empty text. */
async function emptyList(page, selector, text) {
  await page.waitForFunction(
    ([s, t]) => {
      const items = document.querySelectorAll(`${s} > li`);
      return items.length === 1 && items[0].textContent === t;
    },
    [selector, text],
  );
}

/** Waits until the board's figures are those of `expected` (`{waiting: "1", …}`, by element id suffix). */
async function figures(page, expected) {
  await page.waitForFunction((want) => {
    return Object.entries(want).every(([id, value]) => document.getElementById(`count-${id}`)?.textContent === value);
  }, expected);
}

/** The status of a WebSocket upgrade to /ws/supervisor made with the session cookies of `page`, from ecoute's own origin. */
async function boardUpgradeStatus(base, page) {
  const cookie = (await page.context().cookies(base)).map((c) => `${c.name}=${c.value}`).join("; ");
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}/ws/supervisor`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        Origin: base,
        Cookie: cookie,
      },
    });
    request.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.statusCode);
    });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on("error", reject);
    request.end();
  });
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("live supervision", () => {
  const lab = useEcoute({
    users: [
      { username: "lou", pseudonym: "Lou", role: "listener" },
      { username: "noa", pseudonym: "Noa", role: "listener" },
      { username: "sara", pseudonym: "Sara", role: "supervisor" },
      { username: "alex", pseudonym: "Alex", role: "admin" },
    ],
  });

  test("the board follows a conversation live; an alert, a read, a private note, the audit log", async () => {
    const said = {
      first: "Bonsoir, je n'arrive plus à dormir depuis des semaines.",
      welcome: "Bonsoir, je suis là. Racontez-moi.",
      live: "Ce soir c'est pire que d'habitude, je tourne en rond.",
      after: "Vous êtes en sécurité là où vous êtes, en ce moment ?",
      last: "Oui, je suis chez moi.",
    };
    const whisper = "Note de supervision : pensez au plan de sécurité, sans presser.";

    // ---- 1. The board, open before anyone arrives, follows everything without reloading.
    const supervisor = await openPage(lab.browser);
    await supervisor.addInitScript(spyOnSound);
    await logIn(supervisor, lab.ecoute.url, "sara");
    // A supervisor may listen too: the staff menu leads to the board.
    await supervisor.locator("header a[href^='/supervisor']", { hasText: "Tableau en direct" }).waitFor();
    await openBoard(supervisor, lab.ecoute.url);
    const baseTitle = await supervisor.title();
    await figures(supervisor, { waiting: "0", ongoing: "0", available: "0", busy: "0", paused: "0" });
    await emptyList(supervisor, "#alerts", "Aucune alerte ouverte.");
    await emptyList(supervisor, "#waiting-list", "Personne n'attend.");
    await emptyList(supervisor, "#ongoing-list", "Aucune conversation en cours.");
    await emptyList(supervisor, "#roster-list", "Aucun écoutant de permanence.");
    // Whatever follows happens in this one document: a reload would lose this mark.
    await supervisor.evaluate(() => {
      // @ts-ignore
      window.__sameBoard = true;
    });
    // Browsers play sound only after a gesture on the page: the supervisor clicks once.
    await supervisor.click("h1");
    await supervisor.waitForFunction(() =>
      // @ts-ignore
      window.__sound.contexts.some((c) => c.state === "running"),
    );

    // A listener comes on duty: the roster shows them, free.
    const listener = await openPage(lab.browser);
    await logIn(listener, lab.ecoute.url, "lou");
    await setAvailable(listener);
    const rosterLou = supervisor.locator("#roster-list li", { hasText: /^Lou · Disponible · 0( · |$)/ });
    await rosterLou.waitFor();
    await figures(supervisor, { waiting: "0", ongoing: "0", available: "1", busy: "0", paused: "0" });

    // A person starts a chat and writes; every frame their page receives is kept.
    const person = await openPage(lab.browser);
    const personFrames = [];
    person.on("websocket", (ws) => ws.on("framereceived", (f) => personFrames.push(String(f.payload))));
    await startChat(person, lab.ecoute.url);
    await visitorSend(person, said.first);
    await person.locator("#messages .delivery", { hasText: "envoyé" }).waitFor();
    const waitingEntry = supervisor.locator("#waiting-list li", { hasText: /^P-[0-9A-F]{4} · chat · / });
    await waitingEntry.waitFor();
    await figures(supervisor, { waiting: "1", ongoing: "0" });
    assert.equal(await supervisor.locator("#waiting-list li").count(), 1, "one person waits");
    const label = /^(P-[0-9A-F]{4})/.exec((await waitingEntry.textContent()) ?? "")?.[1];
    assert.ok(label, "the waiting person has a label");
    // The board never shows what the person wrote.
    assert.ok(!(await supervisor.locator("main").innerText()).includes(said.first));

    // The listener takes the conversation: in progress, with the listener's pseudonym.
    const conversation = await takeNext(listener);
    await conversation.locator(".conversation-title", { hasText: label }).waitFor();
    const ongoingEntry = supervisor.locator("#ongoing-list li", { hasText: new RegExp(`^${label} · Lou( · |\\b)`) });
    await ongoingEntry.waitFor();
    await emptyList(supervisor, "#waiting-list", "Personne n'attend.");
    await supervisor.locator("#roster-list li", { hasText: /^Lou · Disponible · 1( · |$)/ }).waitFor();
    await figures(supervisor, { waiting: "0", ongoing: "1", available: "0", busy: "1", paused: "0" });
    assert.equal(await supervisor.locator("#ongoing-list li").count(), 1);
    assert.equal(await supervisor.locator("#roster-list li").count(), 1);
    await listenerSees(conversation, said.first);
    await listenerSend(conversation, said.welcome);
    await visitorSees(person, said.welcome);

    // ---- 2. The listener calls a supervisor.
    const alertButton = conversation.locator("button.alert-supervisor");
    assert.equal(await alertButton.textContent(), "Alerter un superviseur");
    await alertButton.click();
    await conversation.locator("button.alert-supervisor:disabled", { hasText: "Superviseurs alertés" }).waitFor();
    const alert = supervisor.locator("#alerts li.alert.help", { hasText: label });
    await alert.waitFor();
    const alertText = (await alert.textContent()) ?? "";
    assert.match(alertText, new RegExp(`^Besoin d'aide · ${label} · Lou · depuis \\d+ minutes?`), alertText);
    await supervisor.waitForFunction((b) => document.title === `(1) ${b}`, baseTitle);
    await reads(supervisor, "#alert-live", `Besoin d'aide : ${label}, avec Lou`);
    assert.equal(await supervisor.getAttribute("#alert-live", "aria-live"), "assertive");
    // Two tones for one alert, no more.
    assert.equal(await supervisor.evaluate(() => /** @type {any} */ (window).__sound.tones), 2);
    await screenshot(supervisor, "supervisor-alert");

    // ---- 3. The supervisor reads the conversation, live, and writes privately to the listener.
    await alert.getByRole("button", { name: "Lire" }).click();
    await supervisor.locator("#reader").waitFor({ state: "visible" });
    await reads(supervisor, "#reader-title", `Conversation ${label} avec Lou`);
    const reader = supervisor.locator("#reader-messages");
    for (const text of [said.first, said.welcome]) {
      await reader.locator("li.message .body", { hasText: text }).waitFor();
    }
    assert.equal(await reader.locator("li.message").count(), 2);
    // A new message of the person's arrives in the reader by itself.
    await visitorSend(person, said.live);
    await listenerSees(conversation, said.live);
    await reader.locator("li.message .body", { hasText: said.live }).waitFor();

    await supervisor.fill("#whisper-form textarea", whisper);
    await supervisor.click("#whisper-form button[type=submit]");
    const sent = supervisor.locator("#reader-whispers li", { hasText: whisper });
    await sent.waitFor();
    assert.equal(await sent.textContent(), `Sara : ${whisper}`);
    await reads(supervisor, "#reader-note", "Note envoyée à l'écoutant.");
    assert.equal(await supervisor.inputValue("#whisper-form textarea"), "", "the composer is emptied");
    // The listener sees it in that conversation, under the supervisor's pseudonym.
    const note = conversation.locator(".whispers .whisper-list li", { hasText: whisper });
    await note.waitFor();
    assert.equal((await note.textContent())?.trim(), `Sara : ${whisper}`);
    assert.equal(await conversation.locator(".whispers").isVisible(), true);
    await screenshot(supervisor, "supervisor-reading");
    await screenshot(listener, "listener-whisper");

    // A further exchange proves the person's page is up to date; the note never reached it.
    await listenerSend(conversation, said.after);
    await visitorSees(person, said.after);
    await visitorSend(person, said.last);
    await listenerSees(conversation, said.last);
    await reader.locator("li.message .body", { hasText: said.last }).waitFor();
    const personText = await person.locator("body").innerText();
    assert.ok(personText.includes(said.after), "the person's page shows the latest reply");
    assert.ok(!personText.includes(whisper), "the note is not on the person's page");
    assert.ok(!personText.includes("Sara"), "nor is the supervisor's name");
    assert.ok(personFrames.some((f) => f.includes(said.after.slice(0, 20))), "the person's frames were recorded");
    assert.ok(!personFrames.some((f) => f.includes("pensez au plan") || f.includes("Sara")), "no frame to the person carries the note");

    // ---- 4. The supervisor takes the alert in hand: it leaves the board, and the title's count.
    await alert.getByRole("button", { name: "Je m'en occupe" }).click();
    await emptyList(supervisor, "#alerts", "Aucune alerte ouverte.");
    await supervisor.waitForFunction((b) => document.title === b, baseTitle);
    // The reading goes on.
    assert.equal(await supervisor.locator("#reader").isVisible(), true);

    // ---- Then: the listener ends and files a sheet with a high risk; the board asks for a debrief.
    await conversation.locator("button.end").click();
    await person.locator("#new-chat").waitFor({ state: "visible" });
    await reads(supervisor, "#reader-note", "La conversation est terminée.");
    await supervisor.locator("#whisper-form").waitFor({ state: "hidden" });
    await emptyList(supervisor, "#ongoing-list", "Aucune conversation en cours.");
    const sheetLink = conversation.locator("a.sheet-link");
    await sheetLink.waitFor({ state: "visible" });
    await Promise.all([listener.waitForURL(/\/listener\/sheet\//), sheetLink.click()]);
    await listener.check("input[name=themes][value=solitude]");
    await listener.check("input[name=age_band][value=unknown]");
    await listener.check("input[name=gender][value=unknown]");
    await listener.check("input[name=contact_kind][value=first]");
    await listener.check("input[name=risk][value=high]");
    await Promise.all([
      listener.waitForURL((url) => url.pathname === "/listener"),
      listener.click("form.sheet button[type=submit]"),
    ]);
    await listener.locator(".notice", { hasText: "Fiche enregistrée." }).waitFor();
    const debrief = supervisor.locator("#alerts li.alert.debrief", { hasText: label });
    await debrief.waitFor();
    assert.match((await debrief.textContent()) ?? "", new RegExp(`^Débriefing demandé · ${label} · Lou · `));
    // The conversation is over: nothing to read, only to take in hand.
    assert.equal(await debrief.getByRole("button", { name: "Lire" }).count(), 0);
    await supervisor.waitForFunction((b) => document.title === `(1) ${b}`, baseTitle);
    await reads(supervisor, "#alert-live", `Débriefing demandé : ${label}, avec Lou`);
    await supervisor.waitForFunction(() => /** @type {any} */ (window).__sound.tones === 4);
    // The hour's answered share counts the chat, answered.
    await reads(supervisor, "#answered-share", "100 % (1 sur 1)");
    await debrief.getByRole("button", { name: "Je m'en occupe" }).click();
    await emptyList(supervisor, "#alerts", "Aucune alerte ouverte.");
    await supervisor.waitForFunction((b) => document.title === b, baseTitle);
    assert.equal(
      await supervisor.evaluate(() => /** @type {any} */ (window).__sameBoard),
      true,
      "the board was never reloaded",
    );

    // ---- 5. The administrator's audit log: who read which conversation, never what was said.
    const admin = await openPage(lab.browser);
    await logIn(admin, lab.ecoute.url, "alex");
    const audit = await admin.goto(`${lab.ecoute.url}/admin/audit`);
    assert.equal(audit?.status(), 200);
    const rows = admin.locator("table.audit tbody tr");
    await rows.first().waitFor();
    const read = rows.filter({ has: admin.locator("td", { hasText: /^Sara$/ }) }).filter({
      has: admin.locator("td", { hasText: new RegExp(`^${escape(label)}$`) }),
    });
    assert.ok((await read.count()) >= 1, "a row names the supervisor and the conversation");
    assert.match((await read.first().locator("time").getAttribute("datetime")) ?? "", /^\d{4}-\d\d-\d\dT/);
    // Only the supervisor read it: the listener's own reading is not an audited read.
    for (const reader of await rows.locator("td:nth-child(2)").allTextContents()) assert.equal(reader.trim(), "Sara");
    const auditText = await admin.locator("body").innerText();
    for (const text of [...Object.values(said), whisper]) {
      assert.ok(!auditText.includes(text), `the audit page does not show "${text}"`);
    }
    await screenshot(admin, "audit-log");

    for (const page of [supervisor, listener, person, admin]) assert.deepEqual(page.errors, []);
    for (const page of [supervisor, listener, person, admin]) await page.context().close();
  });

  test("a warm transfer: the supervisor hands a conversation to another listener, then takes it over herself", async () => {
    const said = {
      first: "Bonsoir, j'ai besoin de parler à quelqu'un, ça ne va pas du tout.",
      lou: "Bonsoir, je vous écoute. Que se passe-t-il ?",
      noa: "Bonsoir, c'est Noa. J'ai lu ce que vous avez écrit, je suis là.",
      second: "Merci. C'est mon travail, je n'en peux plus.",
      sara: "Bonsoir, c'est Sara. Je prends la suite, prenez votre temps.",
    };

    // ---- 1. Lou answers a person; Sara has the board open, and her own workspace in another tab.
    const lou = await openPage(lab.browser);
    await logIn(lou, lab.ecoute.url, "lou");
    await setAvailable(lou);
    const person = await openPage(lab.browser);
    await startChat(person, lab.ecoute.url);
    await visitorSend(person, said.first);
    await person.locator("#messages .delivery", { hasText: "envoyé" }).waitFor();
    const fromLou = await takeNext(lou);
    await listenerSees(fromLou, said.first);
    const label = /(P-[0-9A-F]{4})/.exec((await fromLou.locator(".conversation-title").textContent()) ?? "")?.[1];
    assert.ok(label, "the conversation has a label");
    await listenerSend(fromLou, said.lou);
    await visitorSees(person, said.lou);

    const board = await openPage(lab.browser);
    await logIn(board, lab.ecoute.url, "sara");
    await openBoard(board, lab.ecoute.url);
    const sara = await openWorkspaceBeside(board, lab.ecoute.url);
    const noa = await openPage(lab.browser);
    await logIn(noa, lab.ecoute.url, "noa");
    await setAvailable(noa);

    // Sara reads the conversation in progress.
    await board.locator("#ongoing-list li", { hasText: new RegExp(`^${label} · Lou( · |\\b)`) }).getByRole("button", { name: "Lire" }).click();
    await reads(board, "#reader-title", `Conversation ${label} avec Lou`);
    await board.locator("#reader-messages li.message .body", { hasText: said.lou }).waitFor();
    await board.locator("#handover").waitFor({ state: "visible" });
    // Her workspace is open but not available: taking over is refused, and nothing moves.
    assert.notEqual(await sara.getAttribute("#presence", "data-current"), "available");
    await board.click("#take-over");
    await board.locator("#reader-note", { hasText: /^Une erreur est survenue : / }).waitFor();
    await setAvailable(sara);
    // She may hand it to the available listeners, never to the one who has it.
    const choices = (page, names) =>
      page.waitForFunction(
        (want) => [...document.querySelectorAll("#transfer-to option")].map((o) => o.textContent).sort().join(",") === want,
        [...names].sort().join(","),
      );
    await choices(board, ["Noa", "Sara"]);
    assert.equal(await board.isEnabled("#transfer"), true);

    // ---- 2. Sara hands the conversation to Noa.
    await board.selectOption("#transfer-to", { label: "Noa" });
    await board.click("#transfer");
    // The person is told, in plain words, who takes over; the conversation goes on.
    await person
      .locator("#messages li.note", { hasText: "Un autre écoutant, Noa, prend le relais de votre conversation." })
      .waitFor();
    // Lou's panel lets it go, with no sheet owed.
    await fromLou.locator(".conversation-note", { hasText: "Un superviseur a confié cette conversation à Noa." }).waitFor();
    await fromLou.locator("form.composer").waitFor({ state: "hidden" });
    assert.equal(await fromLou.locator("a.sheet-link").isVisible(), false, "Lou has no sheet to fill");
    // Noa's workspace opens it by itself, with the messages so far and who wrote them.
    const withNoa = noa.locator("article.conversation", { has: noa.locator(".conversation-title", { hasText: label }) });
    await withNoa.waitFor();
    await listenerSees(withNoa, said.first);
    await listenerSees(withNoa, said.lou);
    const louReply = withNoa.locator("li.message", { has: noa.locator(".body", { hasText: said.lou }) });
    assert.equal((await louReply.locator(".author").textContent())?.trim(), "Lou");
    // The board follows: the conversation is Noa's now, and the choices are those left.
    await board.locator("#ongoing-list li", { hasText: new RegExp(`^${label} · Noa( · |\\b)`) }).waitFor();
    await reads(board, "#reader-title", `Conversation ${label} avec Noa`);
    await reads(board, "#reader-note", "");
    await choices(board, ["Lou", "Sara"]);
    await listenerSend(withNoa, said.noa);
    await visitorSees(person, said.noa);
    await visitorSend(person, said.second);
    await listenerSees(withNoa, said.second);
    await board.locator("#reader-messages li.message .body", { hasText: said.second }).waitFor();
    assert.equal(await lou.locator(`article.conversation li.message .body`, { hasText: said.second }).count(), 0);
    await screenshot(person, "person-transferred");
    await screenshot(noa, "listener-transferred-in");

    // ---- 3. Sara takes it over herself, into her own workspace.
    await board.click("#take-over");
    await person
      .locator("#messages li.note", { hasText: "Un autre écoutant, Sara, prend le relais de votre conversation." })
      .waitFor();
    await withNoa.locator(".conversation-note", { hasText: "Un superviseur a confié cette conversation à Sara." }).waitFor();
    await withNoa.locator("form.composer").waitFor({ state: "hidden" });
    assert.equal(await withNoa.locator("a.sheet-link").isVisible(), false, "Noa has no sheet to fill");
    const withSara = sara.locator("article.conversation", { has: sara.locator(".conversation-title", { hasText: label }) });
    await withSara.waitFor();
    for (const text of [said.first, said.lou, said.noa, said.second]) await listenerSees(withSara, text);
    await board.locator("#ongoing-list li", { hasText: new RegExp(`^${label} · Sara( · |\\b)`) }).waitFor();
    await reads(board, "#reader-title", `Conversation ${label} avec Sara`);
    await choices(board, ["Lou", "Noa"]);
    await listenerSend(withSara, said.sara);
    await visitorSees(person, said.sara);
    const saraReply = person.locator("#messages li.message", { has: person.locator(".body", { hasText: said.sara }) });
    assert.equal((await saraReply.locator(".author").textContent())?.trim(), "Sara");
    await screenshot(board, "supervisor-took-over");

    // Sara ends it: the person's page says so, and the sheet is hers to fill.
    await withSara.locator("button.end").click();
    await person.locator("#new-chat").waitFor({ state: "visible" });
    await reads(board, "#reader-note", "La conversation est terminée.");
    await board.locator("#handover").waitFor({ state: "hidden" });
    const sheetLink = withSara.locator("a.sheet-link");
    await sheetLink.waitFor({ state: "visible" });
    assert.match((await sheetLink.getAttribute("href")) ?? "", /^\/listener\/sheet\/[0-9a-f-]{36}/);
    assert.equal(await withNoa.locator("a.sheet-link").isVisible(), false);
    assert.equal(await fromLou.locator("a.sheet-link").isVisible(), false);
    // Nor do Lou and Noa owe one when their workspaces are opened again.
    for (const page of [lou, noa]) {
      await page.reload();
      await workspaceReady(page);
      assert.equal(await page.locator("#pending").isVisible(), false);
    }
    await Promise.all([sara.waitForURL(/\/listener\/sheet\//), sheetLink.click()]);
    await fillSheet(sara, (url) => url.pathname === "/listener");
    await sara.locator(".notice", { hasText: "Fiche enregistrée." }).waitFor();

    for (const page of [board, sara, lou, noa, person]) assert.deepEqual(page.errors, []);
    for (const page of [board, lou, noa, person]) await page.context().close();
  });

  test("a listener is refused the board and its socket; a supervisor is refused the audit log", async () => {
    const listener = await openPage(lab.browser);
    await logIn(listener, lab.ecoute.url, "noa");
    // No way to the board in a listener's menu.
    await listener.locator("header .whoami", { hasText: "Noa" }).waitFor();
    assert.equal(await listener.locator("header a[href^='/supervisor']").count(), 0);
    const board = await listener.goto(`${lab.ecoute.url}/supervisor`);
    assert.equal(board?.status(), 403);
    await listener.locator("#error-title", { hasText: "Erreur 403" }).waitFor();
    assert.equal(await listener.locator("#alerts, #reader, #whisper-form").count(), 0);
    // Nor does the board's socket open for a listener's session; a supervisor's does.
    assert.equal(await boardUpgradeStatus(lab.ecoute.url, listener), 403);

    const supervisor = await openPage(lab.browser);
    await logIn(supervisor, lab.ecoute.url, "sara");
    const audit = await supervisor.goto(`${lab.ecoute.url}/admin/audit`);
    assert.equal(audit?.status(), 403);
    await supervisor.locator("#error-title", { hasText: "Erreur 403" }).waitFor();
    assert.equal(await boardUpgradeStatus(lab.ecoute.url, supervisor), 101);
    await listener.context().close();
    await supervisor.context().close();
  });
});
