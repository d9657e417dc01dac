// Runs a real ecoute and a real Chromium for the browser tests.
//
// Nothing is built here: the binary is `target/debug/ecoute` (or `ECOUTE_BIN`). Each call to
// `startEcoute` gets its own data folder and port; `stop` kills the server and removes both.
// Chromium is the system's (`CHROMIUM` or /usr/bin/chromium), driven by playwright-core:
// nothing is downloaded.

import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const require = createRequire(import.meta.url);

export const ECOUTE_BIN = process.env.ECOUTE_BIN ?? join(repo, "target", "debug", "ecoute");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
/** Local, so that the closed network does not matter; any page of ours that is not the chat. */
export const QUICK_EXIT_PATH = "/static/favicon.svg";
/** Every account the tests create has this password. */
export const PASSWORD = "correct horse battery staple";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const START_TIMEOUT_MS = 30_000;

/** Screenshots go here, to be looked at by a person (`ECOUTE_SCREENSHOTS` to choose). */
export const SCREENSHOT_DIR = process.env.ECOUTE_SCREENSHOTS ?? join(tmpdir(), "ecoute-screenshots");

function run(args, env, stdin) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(ECOUTE_BIN, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolvePromise(output);
      else reject(new Error(`ecoute ${args.join(" ")} exited with ${code}:\n${output}`));
    });
    child.stdin.on("error", () => {}); // it may exit before reading: its exit code says why
    child.stdin.end(stdin ?? "");
  });
}

/** This process's environment without `ECOUTE_*`: ecoute reads every such variable as
 *  configuration and refuses unknown ones (ECOUTE_BIN, say), and a developer's own settings
 *  must not change what the tests run against. */
function inheritedEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("ECOUTE_")));
}

/**
 * Starts `ecoute serve` on a free port with a fresh SQLite database, after creating `users`
 * (`[{username, pseudonym, role}]`, all with `PASSWORD`) and declaring `campaigns`
 * (`[{code, name, from, to}]`, days as YYYY-MM-DD). `settings` are extra `ECOUTE_…`
 * variables, e.g. `{ ECOUTE_CHAT__LISTENER_RETURN_SECONDS: "1" }`.
 * Returns `{url, crash, restart, stop, cli}`: `crash` kills the server as a crash would
 * (SIGKILL), `restart` stops it (SIGTERM) and starts it again on the same port and database,
 * `stop` ends it and removes its data, `cli(args)` runs another `ecoute` command on the same
 * database and resolves to what it printed.
 */
export async function startEcoute({ users = [], campaigns = [], settings = {} } = {}) {
  if (!existsSync(ECOUTE_BIN)) {
    throw new Error(`${ECOUTE_BIN} does not exist: run \`cargo build -p ecoute\` first (or set ECOUTE_BIN)`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), "ecoute-browser-"));
  const env = {
    ...inheritedEnv(),
    ECOUTE_SERVER__BIND: "127.0.0.1:0",
    ECOUTE_DATABASE__URL: `sqlite://${join(dataDir, "ecoute.db")}`,
    ECOUTE_SITE__QUICK_EXIT_URL: QUICK_EXIT_PATH,
    RUST_LOG: process.env.RUST_LOG ?? "warn",
    ...settings,
  };
  for (const u of users) {
    await run(
      ["user", "add", "--username", u.username, "--pseudonym", u.pseudonym, "--role", u.role ?? "listener", "--password-stdin"],
      env,
      `${PASSWORD}\n`,
    );
  }
  for (const c of campaigns) {
    await run(["campaign", "add", "--code", c.code, "--name", c.name, "--from", c.from, "--to", c.to], env);
  }

  let server = await serve(env);
  const url = server.url;
  const bind = new URL(url).host;

  async function crash() {
    await kill(server.child, "SIGKILL");
  }
  async function restart() {
    await kill(server.child, "SIGTERM");
    server = await serve({ ...env, ECOUTE_SERVER__BIND: bind });
  }
  async function stop() {
    await kill(server.child, "SIGTERM");
    await rm(dataDir, { recursive: true, force: true });
  }
  return { url, crash, restart, stop, cli: (args) => run(args, env), log: () => server.log() };
}

/** Runs `ecoute serve` and waits for the line that gives its address. */
async function serve(env) {
  const child = spawn(ECOUTE_BIN, ["serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const url = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`ecoute did not start within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      log += chunk;
      const found = /ecoute listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (found) {
        clearTimeout(timer);
        resolvePromise(found[1]);
      }
    });
    child.stderr.on("data", (chunk) => (log += chunk));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`ecoute serve exited with ${code} before listening:\n${log}`));
    });
  });
  return { child, url, log: () => log };
}

/** Sends `signal`, then SIGKILL if the server has not exited within 5 s; waits for the exit. */
async function kill(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(killer);
}

/**
 * For the tests of the enclosing `describe`: starts ecoute (see `startEcoute` for `options`)
 * and a browser before them, and stops both after. Returns `{ ecoute, browser }`, filled in
 * once they have started.
 */
export function useEcoute(options) {
  const lab = { ecoute: null, browser: null };
  before(async () => {
    lab.ecoute = await startEcoute(options);
    lab.browser = await launchBrowser();
  });
  after(async () => {
    await lab.browser?.close();
    await lab.ecoute?.stop();
  });
  return lab;
}

/** The system's Chromium, headless. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * A fresh browser context (its own cookies and storage, like another person's browser) and
 * a page in it. Every `alert`, `confirm` and `prompt` is recorded in `page.dialogs`;
 * confirmations are accepted.
 */
export async function openPage(browser, options = {}) {
  // A French browser unless a test says otherwise: pages follow Accept-Language.
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "fr-FR", ...options });
  const page = await context.newPage();
  page.dialogs = [];
  page.on("dialog", async (dialog) => {
    page.dialogs.push({ type: dialog.type(), message: dialog.message() });
    await dialog.accept();
  });
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error));
  if (process.env.ECOUTE_TRACE_FRAMES) traceFrames(page);
  return page;
}

/** Prints every WebSocket frame of `page` (set ECOUTE_TRACE_FRAMES=1 to debug a test). */
function traceFrames(page) {
  const name = `page${++tracedPages}`;
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => console.error(`${name} >> ${f.payload}`));
    ws.on("framereceived", (f) => console.error(`${name} << ${f.payload}`));
    ws.on("close", () => console.error(`${name} closed`));
  });
}
let tracedPages = 0;

/** Saves a screenshot of `page` as `<name>.png` in `SCREENSHOT_DIR`; returns its path. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core on the page (WCAG 2.0/2.1 A and AA rules) and returns the violations whose
 * impact is serious or critical. axe is evaluated through the DevTools protocol, which the
 * page's Content-Security-Policy does not govern, so the page is tested with its real CSP.
 */
export async function seriousViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
}
