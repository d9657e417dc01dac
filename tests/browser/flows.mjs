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
