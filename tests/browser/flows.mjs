// What a person and a listener do on their pages, as the tests say it. Elements are found by
// the ids and classes the templates promise to the scripts.

import { PASSWORD } from "./harness.mjs";

/** How long a step may take before the test fails. Real-time frames arrive in milliseconds. */
export const STEP_TIMEOUT_MS = 10_000;

// ---- The person ----

/** Opens the public page and presses "Parler maintenant"; returns once the chat shows. */
export async function startChat(page, base, { lang } = {}) {
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.goto(`${base}/${lang === "en" ? "?lang=en" : ""}`);
  await page.click("#start");
  // The page sets the state once the server has welcomed its socket.
  await page.locator("#chat[data-state=waiting]").waitFor({ state: "visible" });
}

/** Types `text` in the person's composer and presses Enter. */
export async function visitorSend(page, text) {
  await page.fill("#message", text);
  await page.press("#message", "Enter");
}

/** The person's message list items. */
export function visitorMessages(page) {
  return page.locator("#messages li.message");
}

/** Waits until the person's page shows a message whose body is exactly `text`. */
export async function visitorSees(page, text) {
  await page.locator("#messages li.message .body", { hasText: text }).first().waitFor();
}

// ---- The listener ----

/** Logs in through the form; returns once the page it lands on (`landing`: the workspace or the accounts unless told) is loaded. */
export async function logIn(page, base, username, { lang, landing = /\/(listener|admin\/users)/ } = {}) {
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.goto(`${base}/login${lang === "en" ? "?lang=en" : ""}`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(landing), page.click("form button[type=submit]")]);
}

/** Waits for the workspace's socket to be welcomed (the presence is then known). */
export async function workspaceReady(page) {
  await page.locator("#presence[data-current]").waitFor({ state: "attached" });
}

/** Sets the presence to available and waits for the server to confirm it. */
export async function setAvailable(page) {
  await workspaceReady(page);
  await page.check("#presence input[value=available]");
  await page.locator('#presence[data-current="available"]').waitFor({ state: "attached" });
}

/** Presses "Suivant" and waits for the conversation's panel. */
export async function takeNext(page) {
  const before = await page.locator("article.conversation").count();
  await page.click("#next");
  await page.locator("article.conversation").nth(before).waitFor();
  return page.locator("article.conversation").nth(before);
}

/** Types `text` in a conversation's composer and presses Enter. */
export async function listenerSend(conversation, text) {
  await conversation.locator("textarea").fill(text);
  await conversation.locator("textarea").press("Enter");
}

/** Waits until the conversation panel shows a message whose body contains `text`. */
export async function listenerSees(conversation, text) {
  await conversation.locator("li.message .body", { hasText: text }).first().waitFor();
}

/** Clicks `button` (a locator) and waits for the page its form leads to. */
export async function submitForm(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

/** Fills the statistics sheet shown on `page` with neutral answers and saves it; returns once `landing` is reached. */
export async function fillSheet(page, landing) {
  await page.check("input[name=themes][value=solitude]");
  await page.check("input[name=age_band][value=unknown]");
  await page.check("input[name=gender][value=unknown]");
  await page.check("input[name=contact_kind][value=first]");
  await page.check("input[name=risk][value=low]");
  await Promise.all([page.waitForURL(landing), page.click("form.sheet button[type=submit]")]);
}

// ---- The written door ----

/** On the write page, writes `text` and sends it; returns the code the page shows. */
export async function writeFirstMessage(page, text) {
  await page.fill("#text", text);
  await submitForm(page, page.locator("form.write-form button[type=submit]"));
  return ((await page.locator("#retrieval-code").textContent()) ?? "").trim();
}

/** Opens the write page and reads the thread that `code` opens. */
export async function readWithCode(page, base, code) {
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.goto(`${base}/write`);
  await page.fill("#code", code);
  await submitForm(page, page.locator("form.code-form button[type=submit]"));
}

/** From the inbox, takes the oldest waiting thread, sends `reply` and fills its sheet; returns on the inbox. */
export async function answerOldestThread(page, reply) {
  await Promise.all([page.waitForURL(/\/listener\/inbox\/[0-9a-f-]{36}$/), page.locator("table.inbox th a").first().click()]);
  await submitForm(page, page.locator("form[action*='/claim'] button[type=submit]"));
  await page.fill("#reply", reply);
  await Promise.all([page.waitForURL(/\/listener\/sheet\//), page.locator("button[name=action][value=send]").click()]);
  await fillSheet(page, /\/listener\/inbox\?saved=sheet$/);
}

// ---- Becoming a listener ----

/** Fills and sends the application form shown on `page`, consent given. */
export async function applyAsVolunteer(page, { name, email, city = "Lyon" }) {
  await page.fill("#name", name);
  await page.fill("#email", email);
  await page.fill("#city", city);
  await page.fill("#availability", "Deux soirs par semaine.");
  await page.fill("#motivation", "Je voudrais écouter à mon tour.");
  await page.check("#consent");
  await submitForm(page, page.locator("form.volunteer-form button[type=submit]"));
  await page.locator(".notice", { hasText: "Votre candidature est reçue." }).waitFor();
}

/** On a candidate's file, moves the application to the stage `value`, waiting for its name. */
export async function moveCandidate(page, value, name) {
  await page.check(`input[name=to][value=${value}]`);
  await submitForm(page, page.locator("form[action*='/move'] button[type=submit]"));
  await page.locator("#current-stage", { hasText: name }).waitFor();
}

/** The stages from received to probation, as the coordinator moves them (value, French name). */
export const TO_PROBATION = [
  ["first_interview", "Premier entretien"],
  ["psychologist_interview", "Entretien avec un psychologue"],
  ["committee_decision", "Décision du comité"],
  ["training", "Formation"],
  ["supervised_listening", "Écoute accompagnée"],
  ["probation", "Période probatoire"],
];

/** On a file at probation, creates the listener's account; returns the one-time link. */
export async function activateCandidate(page, username, pseudonym) {
  await page.fill("#new-username", username);
  await page.fill("#new-pseudonym", pseudonym);
  await submitForm(page, page.locator("form.activate-form button[type=submit]"));
  await page.locator("#current-stage", { hasText: "Écoutant actif" }).waitFor();
  return ((await page.locator("#setup-link").textContent()) ?? "").trim();
}

/** Opens a one-time link and sets the password; returns on the login page. */
export async function setPasswordWithLink(page, link) {
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.goto(link);
  await page.fill("#password", PASSWORD);
  await page.fill("#confirm", PASSWORD);
  await Promise.all([page.waitForURL(/\/login$/), page.click("form button[type=submit]")]);
}

// ---- The supervisor ----

/** Opens the live board (the session must be a supervisor's or an administrator's); returns once its socket has brought the first board. */
export async function openBoard(page, base, { lang } = {}) {
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.goto(`${base}/supervisor${lang === "en" ? "?lang=en" : ""}`);
  // The figures read "–" until the server's first board is drawn.
  await page.waitForFunction(() => /^\d+$/.test(document.getElementById("count-waiting")?.textContent ?? ""));
}

/** Opens the workspace of the account logged in on `page` in a second page of its context (its
 *  own session: a supervisor's board in one tab, their workspace in another); returns the new
 *  page once its socket is welcomed. Confirmations are accepted and page errors recorded, as on
 *  `openPage`'s pages. */
export async function openWorkspaceBeside(page, base, { lang } = {}) {
  const workspace = await page.context().newPage();
  workspace.setDefaultTimeout(STEP_TIMEOUT_MS);
  workspace.dialogs = [];
  workspace.on("dialog", async (dialog) => {
    workspace.dialogs.push({ type: dialog.type(), message: dialog.message() });
    await dialog.accept();
  });
  workspace.errors = [];
  workspace.on("pageerror", (error) => workspace.errors.push(error));
  await workspace.goto(`${base}/listener${lang === "en" ? "?lang=en" : ""}`);
  await workspaceReady(workspace);
  return workspace;
}
