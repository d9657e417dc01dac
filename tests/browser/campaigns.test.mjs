// Attribution without tracking, as a person meets it: a campaign's link brings them to the
// page, they start a conversation, and the campaign's counters say so — with nothing kept in
// the browser.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, useEcoute } from "./harness.mjs";
import { visitorSend } from "./flows.mjs";

/** Today as YYYY-MM-DD in UTC, the days the counters use. */
const today = new Date().toISOString().slice(0, 10);

describe("a campaign's link", () => {
  const lab = useEcoute({ campaigns: [{ code: "fb-2017-11", name: "Campagne 2017", from: today, to: today }] });

  test("counts the page view, the conversation started and the messages under the campaign", async () => {
    const page = await openPage(lab.browser);
    await page.goto(`${lab.ecoute.url}/?c=FB-2017-11`);
    await page.click("#start");
    await page.locator("#chat[data-state=waiting]").waitFor({ state: "visible" });
    await visitorSend(page, "Je ne sais pas à qui en parler.");
    // Committed once the server has given it its number.
    await page.locator("#messages li.message[data-seq]").waitFor();
    // No cookie and nothing in storage names the campaign.
    assert.deepEqual(await page.context().cookies(), []);
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
    assert.ok(!stored.includes("fb-2017-11"), stored);
    await page.context().close();

    // The server adds its tally to the database as it stops.
    await lab.ecoute.restart();
    const counts = await lab.ecoute.cli(["campaign", "counts", "--from", today]);
    const lines = counts.trim().split("\n");
    assert.ok(lines.includes(`${today}\tfb-2017-11\tpage_view\t1`), counts);
    assert.ok(lines.includes(`${today}\tfb-2017-11\tconversation_started\t1`), counts);
    assert.ok(lines.includes(`${today}\tfb-2017-11\tmessage_written\t1`), counts);
  });
});
