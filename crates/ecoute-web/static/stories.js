// @ts-check
// The campaign page: each story's reveal opens full screen, keyboard and screen reader
// alike (a <details> element: a real control with its state, which works without this
// script too, shown in place); Escape or the close button brings the reader back to the
// story. A campaign's code (`?c=`) is handed on to the door and to the reveal's count; the
// page itself is the same for everyone.

const root = document.documentElement;
root.classList.add("js");

/** The first `c` parameter of the page's address, as the server reads it. */
const campaign = new URLSearchParams(location.search).get("c");

if (campaign) {
  for (const door of /** @type {NodeListOf<HTMLAnchorElement>} */ (document.querySelectorAll("a.door-talk, a.door-write, a.door-volunteer"))) {
    const url = new URL(door.href);
    // `via`, not `c`: the view was counted here; the door's page only hands it on.
    url.searchParams.set("via", campaign);
    door.href = url.pathname + url.search;
  }
}

/** Stories already counted as revealed: once per story and page load. */
const counted = new Set();

/** @param {string} story */
function countReveal(story) {
  if (counted.has(story)) return;
  counted.add(story);
  const query = campaign ? `?c=${encodeURIComponent(campaign)}` : "";
  // Nothing to show if it fails: a lost count is no one's concern on this page.
  fetch(`/api/reveals${query}`, { method: "POST", keepalive: true }).catch(() => {});
}

const reveals = /** @type {NodeListOf<HTMLDetailsElement>} */ (document.querySelectorAll("details.reveal"));

for (const reveal of reveals) {
  const summary = /** @type {HTMLElement} */ (reveal.querySelector("summary"));
  const panel = /** @type {HTMLElement} */ (reveal.querySelector(".reveal-panel"));
  const close = /** @type {HTMLButtonElement} */ (reveal.querySelector(".reveal-close"));
  close.hidden = false;
  close.addEventListener("click", () => {
    reveal.open = false;
  });
  reveal.addEventListener("toggle", () => {
    if (reveal.open) {
      for (const other of reveals) {
        if (other !== reveal) other.open = false;
      }
      root.classList.add("revealing");
      panel.focus();
      countReveal(reveal.dataset.story ?? "");
    } else {
      if (![...reveals].some((r) => r.open)) root.classList.remove("revealing");
      summary.focus();
    }
  });
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const reveal of reveals) {
    if (reveal.open) {
      reveal.open = false;
      event.preventDefault();
    }
  }
});
