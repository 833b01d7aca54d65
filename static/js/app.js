// Keyboard: "/" focuses the search box from anywhere but a text field.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
  if (event.key === "/" && !typing) {
    const box = document.getElementById("search-q");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  }
});

// Invoice rows expand in place (htmx loads the detail); a second click, or
// the Close button, collapses them again without asking the server.
function collapse(targetId) {
  const target = document.getElementById(targetId);
  const toggle = document.querySelector(`.invoice-toggle[aria-controls="${targetId}"]`);
  if (target) target.replaceChildren();
  if (toggle) {
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
  }
}

document.addEventListener(
  "click",
  (event) => {
    const toggle = event.target.closest(".invoice-toggle");
    const close = event.target.closest("[data-collapse]");
    if (toggle && toggle.getAttribute("aria-expanded") === "true") {
      // Capture phase: stop htmx from fetching the detail again.
      event.preventDefault();
      event.stopPropagation();
      collapse(toggle.getAttribute("aria-controls"));
    } else if (close) {
      collapse(close.dataset.collapse);
    }
  },
  true,
);

document.addEventListener("htmx:afterSwap", (event) => {
  const toggle = document.querySelector(`.invoice-toggle[aria-controls="${event.detail.target.id}"]`);
  if (toggle) toggle.setAttribute("aria-expanded", "true");
});
