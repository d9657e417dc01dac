// axe-core on every page, in the states a person or a listener sees: no serious or critical
// violation of WCAG 2.1 A/AA (or of axe's best practices).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, seriousViolations, useEcoute } from "./harness.mjs";
import { listenerSend, logIn, setAvailable, startChat, takeNext, visitorSees, visitorSend } from "./flows.mjs";

async function assertAccessible(page, what) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${what}: ${JSON.stringify(violations, null, 2)}`);
}

describe("accessibility", () => {
  const lab = useEcoute({
    users: [
      { username: "admin", pseudonym: "Admin", role: "admin" },
      { username: "lou", pseudonym: "Lou" },
    ],
  });

  test("the public page, the login, the workspace and the sheet", async () => {
    const visitor = await openPage(lab.browser);
    const listener = await openPage(lab.browser);

    await visitor.goto(`${lab.ecoute.url}/`);
    await assertAccessible(visitor, "public page");
    await visitor.goto(`${lab.ecoute.url}/?lang=en`);
    await assertAccessible(visitor, "public page in English");

    await startChat(visitor, lab.ecoute.url);
    await visitorSend(visitor, "Bonjour");
    await visitor.locator("#messages .delivery", { hasText: "envoyé" }).waitFor();
    await assertAccessible(visitor, "public page, waiting");

    await listener.goto(`${lab.ecoute.url}/login`);
    await assertAccessible(listener, "login");
    await listener.fill("#username", "lou");
    await listener.fill("#password", "wrong password");
    await listener.click("form button[type=submit]");
    await listener.locator(".error").waitFor();
    await assertAccessible(listener, "login with an error");
    await screenshot(listener, "login-error");

    await logIn(listener, lab.ecoute.url, "lou");
    await setAvailable(listener);
    await assertAccessible(listener, "workspace, empty");
    const conversation = await takeNext(listener);
    await listenerSend(conversation, "Bonjour, je vous écoute.");
    await visitorSees(visitor, "je vous écoute");
    await assertAccessible(visitor, "public page, in conversation");
    await assertAccessible(listener, "workspace, in conversation");

    await conversation.locator("button.end").click();
    await visitor.locator("#new-chat").waitFor({ state: "visible" });
    await assertAccessible(visitor, "public page, ended");
    await screenshot(visitor, "visitor-ended");
    await conversation.locator("a.sheet-link").waitFor({ state: "visible" });
    await assertAccessible(listener, "workspace, conversation ended");
    await Promise.all([listener.waitForURL(/\/listener\/sheet\//), conversation.locator("a.sheet-link").click()]);
    await assertAccessible(listener, "statistics sheet");
    // Sent without themes: the form comes back with an error, which must be accessible too.
    await listener.check("input[name=age_band][value=unknown]");
    await listener.check("input[name=gender][value=unknown]");
    await listener.check("input[name=contact_kind][value=first]");
    await listener.check("input[name=risk][value=none]");
    await listener.click("form.sheet button[type=submit]");
    await listener.locator(".error").waitFor();
    await assertAccessible(listener, "statistics sheet with an error");
    await screenshot(listener, "sheet-error");

    await visitor.context().close();
    await listener.context().close();
  });

  test("the accounts page", async () => {
    const admin = await openPage(lab.browser);
    await logIn(admin, lab.ecoute.url, "admin");
    await admin.goto(`${lab.ecoute.url}/admin/users`);
    await admin.locator("table").waitFor();
    await assertAccessible(admin, "accounts");
    await screenshot(admin, "accounts");
    await admin.goto(`${lab.ecoute.url}/admin/users?lang=en`);
    await assertAccessible(admin, "accounts in English");
    await admin.context().close();
  });

  test("the campaigns page, empty, refusing a declaration, and with a campaign", async () => {
    const admin = await openPage(lab.browser);
    await logIn(admin, lab.ecoute.url, "admin");
    await admin.goto(`${lab.ecoute.url}/admin/campaigns`);
    await assertAccessible(admin, "campaigns, none declared");
    const today = new Date().toISOString().slice(0, 10);
    const declare = async (code) => {
      await admin.fill("#campaign-code", code);
      await admin.fill("#campaign-name", "Tout le bonheur du monde… en apparence");
      await admin.fill("#campaign-from", today);
      await admin.fill("#campaign-to", today);
      await Promise.all([admin.waitForNavigation(), admin.click("#new-campaign-title + form button[type=submit]")]);
    };
    await declare("fb-2017-11");
    await admin.locator(".notice").waitFor();
    await admin.locator("figure.chart svg").waitFor();
    await assertAccessible(admin, "campaigns, one declared");
    await screenshot(admin, "campaigns");
    await declare("fb-2017-11");
    await admin.locator(".error", { hasText: "fb-2017-11" }).waitFor();
    await assertAccessible(admin, "campaigns, a refused declaration");
    await admin.goto(`${lab.ecoute.url}/admin/campaigns?lang=en`);
    await assertAccessible(admin, "campaigns in English");
    await admin.context().close();
  });
});
