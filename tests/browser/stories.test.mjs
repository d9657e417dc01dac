// The campaign page as its readers meet it: each story shows its facade, and at the reader's
// gesture — a real control, by keyboard too — reveals full screen the distress it hides and
// the door to talk; the reveal animates only for those who do not ask for less motion. The
// campaign's code is counted, and handed on to the door, with nothing kept in the browser.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, seriousViolations, useEcoute } from "./harness.mjs";
import { logIn } from "./flows.mjs";

const today = new Date().toISOString().slice(0, 10);
const STORIES = ["hanna", "antoine", "henri"];

async function assertAccessible(page, what) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${what}: ${JSON.stringify(violations, null, 2)}`);
}

/** The reveal of `story`: its <details>, its summary and its panel. */
function reveal(page, story) {
  const details = page.locator(`details.reveal[data-story=${story}]`);
  return { details, summary: details.locator("summary"), panel: details.locator(".reveal-panel") };
}

describe("the campaign page", () => {
  const lab = useEcoute({
    campaigns: [{ code: "fb-2017-11", name: "Campagne 2017", from: today, to: today }],
    users: [{ username: "com", pseudonym: "Com", role: "communication" }],
  });

  test("each story reveals full screen by keyboard, animated, and closes back to its story", async () => {
    const page = await openPage(lab.browser, { reducedMotion: "no-preference" });
    await page.goto(`${lab.ecoute.url}/stories?c=fb-2017-11`);
    await assertAccessible(page, "campaign page");
    for (const story of STORIES) {
      const { details, summary, panel } = reveal(page, story);
      assert.equal(await panel.isVisible(), false, `${story}: hidden before the gesture`);
      await summary.focus();
      const counted = page.waitForResponse((r) => r.url().includes("/api/reveals") && r.status() === 204);
      await page.keyboard.press("Enter");
      await counted;
      await page.locator(`details.reveal[data-story=${story}][open] .reveal-panel:focus`).waitFor();
      // Full screen: the panel covers the viewport.
      const box = await panel.boundingBox();
      assert.deepEqual(box && [box.x, box.y, box.width, box.height], [0, 0, 1100, 900], story);
      assert.equal(await panel.evaluate((el) => getComputedStyle(el).animationName), "story-reveal");
      // The state is the control's own: a screen reader hears "expanded".
      assert.equal(await details.evaluate((el) => el.open), true);
      if (story === "hanna") {
        // Once the reveal has played: colours are checked as they end up.
        await panel.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
        await assertAccessible(page, "campaign page, a story revealed");
        await screenshot(page, "story-revealed");
      }
      // Escape closes it; the button does too. (Escape twice within a second is the quick
      // exit, which a reveal must never hold back: one Escape here, the button after.)
      if (story === "hanna") await page.keyboard.press("Escape");
      else await details.locator(".reveal-close").press("Enter");
      await page.locator(`details.reveal[data-story=${story}]:not([open]) summary:focus`).waitFor();
    }
    assert.equal(page.url(), `${lab.ecoute.url}/stories?c=fb-2017-11`);
    // Revealed again: counted once per story and page.
    await reveal(page, "hanna").summary.click();
    await page.locator("details.reveal[data-story=hanna][open] .reveal-close").click();
    await page.locator("details.reveal[data-story=hanna]:not([open])").waitFor();

    // The door hands the campaign on, and the chat page takes it for the conversation.
    const door = page.locator("section.doors a.door-talk");
    assert.match((await door.getAttribute("href")) ?? "", /^\/\?via=fb-2017-11$/);
    await Promise.all([page.waitForURL(/\/\?via=/), door.click()]);
    assert.equal(await page.locator("#start").getAttribute("data-campaign"), "fb-2017-11");
    assert.deepEqual(await page.context().cookies(), []);
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
    assert.ok(!stored.includes("fb-2017-11"), stored);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("with reduced motion the reveal appears at once; the counts add up", async () => {
    const page = await openPage(lab.browser, { reducedMotion: "reduce", locale: "en-GB" });
    await page.goto(`${lab.ecoute.url}/stories?c=fb-2017-11`);
    const { summary, panel } = reveal(page, "antoine");
    const counted = page.waitForResponse((r) => r.url().includes("/api/reveals") && r.status() === 204);
    await summary.click();
    await counted;
    await page.locator("details.reveal[data-story=antoine][open] .reveal-panel:focus").waitFor();
    assert.equal(await panel.evaluate((el) => getComputedStyle(el).animationName), "none");
    assert.equal(await panel.evaluate((el) => el.getAnimations({ subtree: true }).length), 0);
    await page.locator("details.reveal[data-story=antoine][open]", { hasText: "Behind the smile" }).waitFor();
    await assertAccessible(page, "campaign page in English, a story revealed");
    await page.locator("details.reveal[data-story=antoine][open] .reveal-close").click();
    await page.locator("details.reveal[data-story=antoine]:not([open]) summary:focus").waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();

    // The server adds its tally to the database as it stops: two views (the door's chat
    // page is not one), three stories revealed on the first, one on the second.
    await lab.ecoute.restart();
    const counts = await lab.ecoute.cli(["campaign", "counts", "--from", today]);
    const lines = counts.trim().split("\n");
    assert.ok(lines.includes(`${today}\tfb-2017-11\tpage_view\t2`), counts);
    assert.ok(lines.includes(`${today}\tfb-2017-11\treveal\t4`), counts);
  });

  test("the communication team edits a story and readers see it revealed", async () => {
    const staff = await openPage(lab.browser);
    await logIn(staff, lab.ecoute.url, "com", { landing: /\/admin\/stories$/ });
    await assertAccessible(staff, "stories editor");
    const hidden = staff.locator("#henri-fr-hidden");
    await hidden.fill("Depuis la mort de sa femme, Henri mange seul. Il ne le dit à personne.");
    await Promise.all([staff.waitForNavigation(), staff.locator("section.story-edit", { has: hidden }).locator("button[type=submit]").click()]);
    await staff.locator(".notice", { hasText: "Henri, 72 ans" }).waitFor();
    await staff.locator("#henri-fr-facade").fill("");
    // The browser refuses an empty part before sending it: the form says what is missing.
    await staff.locator("section.story-edit", { has: staff.locator("#henri-fr-facade") }).locator("button[type=submit]").click();
    assert.equal(await staff.locator("#henri-fr-facade").evaluate((el) => /** @type {HTMLTextAreaElement} */ (el).validity.valueMissing), true);
    await assertAccessible(staff, "stories editor after a save");
    await staff.context().close();

    const reader = await openPage(lab.browser, { reducedMotion: "reduce" });
    await reader.goto(`${lab.ecoute.url}/stories`);
    await reveal(reader, "henri").summary.click();
    await reader.locator("details.reveal[data-story=henri][open]", { hasText: "Henri mange seul" }).waitFor();
    await reader.context().close();
  });
});
