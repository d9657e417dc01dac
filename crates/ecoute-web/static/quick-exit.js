// The quick exit: someone walks in, the person must be able to leave at once and leave nothing
// behind. The `#quick-exit` link, or Escape pressed twice within a second, clears what the page
// keeps, ends the conversation and closes its socket (visitor.js listens for
// `ecoute:quick-exit`), and replaces this page with the neutral one, so that "Back" does not
// come here.

const DOUBLE_ESCAPE_MS = 1000;

const link = /** @type {HTMLAnchorElement | null} */ (document.getElementById("quick-exit"));
let lastEscape = -Infinity;
let exited = false;

function leave(event) {
  event?.preventDefault();
  exited = true;
  // Hide the conversation now: the neutral page may take a moment to load.
  document.documentElement.classList.add("exiting");
  try {
    sessionStorage.clear();
  } catch {
    // storage refused: there is nothing in it either
  }
  window.dispatchEvent(new Event("ecoute:quick-exit"));
  try {
    // Where the browser allows it, the entry that stays in history no longer says where it was.
    history.replaceState(null, "", "/");
  } catch {
    // some browsers refuse replaceState in odd states; location.replace below still works
  }
  location.replace(link.href);
}

if (link) {
  link.addEventListener("click", leave);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = performance.now();
    if (now - lastEscape <= DOUBLE_ESCAPE_MS) leave(event);
    else lastEscape = now;
  });
  // Coming back with "Back" from the back-forward cache would show the page as it was: leave again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && exited) location.replace(link.href);
  });
}
