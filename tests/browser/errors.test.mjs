// Error pages as a person or a listener meets them: a page of the site, accessible, with the
// quick exit working on public ones and the way back on staff ones.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { QUICK_EXIT_PATH, openPage, seriousViolations, useEcoute } from "./harness.mjs";
import { logIn } from "./flows.mjs";

describe("error pages", () => {
  const lab = useEcoute({ users: [{ username: "lou", pseudonym: "Lou" }] });

  test("an unknown address: the site's page, accessible, with a working quick exit", async () => {
    const page = await openPage(lab.browser);
    for (const [path, heading] of [["/nulle-part", "Erreur 404"], ["/nowhere?lang=en", "Error 404"]]) {
      const response = await page.goto(`${lab.ecoute.url}${path}`);
      assert.equal(response.status(), 404);
      assert.equal((await page.textContent("h1")).trim(), heading);
      assert.ok(await page.isVisible(".emergency a[href='tel:3114']"), "the emergency numbers are shown");
      assert.deepEqual(await seriousViolations(page), [], path);
    }
    await Promise.all([page.waitForURL((url) => url.pathname === QUICK_EXIT_PATH), page.click("#quick-exit")]);
    await page.context().close();
  });

  test("a staff error links back to the staff area", async () => {
    const page = await openPage(lab.browser);
    await logIn(page, lab.ecoute.url, "lou");
    const response = await page.goto(`${lab.ecoute.url}/admin/users`);
    assert.equal(response.status(), 403);
    assert.equal(await page.locator("#quick-exit").count(), 0, "no quick exit on staff pages");
    assert.deepEqual(await seriousViolations(page), [], "403 page");
    await Promise.all([page.waitForURL((url) => url.pathname === "/listener"), page.click("main a")]);
    await page.context().close();
  });
});
