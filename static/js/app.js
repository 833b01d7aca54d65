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

// Escape closes an invoice opened in place: the one holding the focus, else the only
// one open if the focus is in the invoice list or nowhere (not in a field elsewhere).
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const active = document.activeElement;
  const open = [...document.querySelectorAll('.invoice-toggle[aria-expanded="true"]')];
  const holding = open.find((toggle) => {
    const target = document.getElementById(toggle.getAttribute("aria-controls"));
    return toggle === active || (target && target.contains(active));
  });
  const nowhere = !active || active === document.body || active.closest("table.invoices");
  const toggle = holding || (open.length === 1 && nowhere ? open[0] : null);
  if (toggle) {
    event.preventDefault();
    collapse(toggle.getAttribute("aria-controls"));
  }
});

// After an htmx swap that took the focused element away (a button that replaced its
// own section, say), focus goes to what the user should hear next, and the new
// status is read out by a live region that exists from the start (one added with
// its text is not announced).
const announcer = document.createElement("div");
announcer.className = "visually-hidden";
announcer.id = "announcer";
announcer.setAttribute("aria-live", "polite");
document.body.append(announcer);

function announce(text) {
  const clean = text.replace(/\s+/g, " ").trim();
  if (!clean || clean === announcer.dataset.last) return;
  announcer.dataset.last = clean;
  announcer.textContent = "";
  // A pause between emptying and filling makes screen readers treat it as new.
  setTimeout(() => {
    announcer.textContent = clean;
  }, 50);
}

function focusOn(element) {
  if (!element.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus();
}

let swapping = null;
// htmx disables a form's button during its request (hx-disabled-elt), which takes the
// focus away from it before the swap: what had the focus when the request began counts.
let focusAtRequest = null;

document.addEventListener("htmx:beforeRequest", () => {
  focusAtRequest = document.activeElement;
});

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  const now = document.activeElement;
  const active = now && now !== document.body ? now : focusAtRequest;
  const holdsFocus = active && active !== document.body && target.contains(active);
  swapping = {
    targetId: target.id,
    holdsFocus,
    id: holdsFocus ? active.id : "",
    button: holdsFocus && active.matches("button") ? active.textContent.trim() : "",
  };
});

document.addEventListener("htmx:afterSettle", (event) => {
  const was = swapping;
  swapping = null;
  const container = (was && was.targetId && document.getElementById(was.targetId)) || event.detail.elt;
  if (!container || !container.isConnected) return;
  // A status while one is shown (a refresh under way: once, however often it polls),
  // else what is marked to announce (when the data was fetched).
  const statuses = container.querySelectorAll("[role=status]");
  const news = statuses.length ? statuses : container.querySelectorAll("[data-announce]");
  announce([...news].map((element) => element.textContent).join(" "));
  if (!was || !was.holdsFocus || (document.activeElement && document.activeElement !== document.body)) return;
  const same =
    (was.id && document.getElementById(was.id)) ||
    (was.button && [...container.querySelectorAll("button")].find((b) => b.textContent.trim() === was.button));
  const next =
    container.querySelector("[role=alert]") ||
    same ||
    container.querySelector("[role=status]") ||
    container.querySelector("h1, h2, h3") ||
    container;
  focusOn(next);
});

// Each cell of a data table carries its column's name, so that a table too wide for
// its box (on a phone, or with very large figures) shows each row as a card of
// "name value" lines (app.css, .cards). Without this script such a table scrolls
// inside its own box.
function labelCells(table) {
  const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!head || table.classList.contains("labelled")) return;
  const names = [];
  for (const th of head.cells) {
    const name = th.textContent.replace(/[▲▼]/g, "").replace(/\s+/g, " ").trim();
    for (let i = 0; i < th.colSpan; i++) names.push(name);
  }
  // Footer rows are labelled only where they line up with the columns (a total per
  // currency); a "Subtotal ... amount" row spanning them stays a row.
  const footer = table.tFoot ? [...table.tFoot.rows].filter((row) => [...row.cells].every((c) => c.colSpan === 1)) : [];
  for (const rows of [...[...table.tBodies].map((body) => body.rows), footer]) {
    for (const row of rows) {
      let column = 0;
      for (const cell of row.cells) {
        // A row's own heading (a currency, a bucket) heads its card instead.
        const heading = cell.tagName === "TH" && cell.scope === "row";
        if (cell.colSpan === 1 && names[column] && !heading) cell.dataset.label = names[column];
        column += cell.colSpan;
      }
    }
  }
  table.classList.add("labelled");
}

// Measured as a table: if it is wider than its box, or than the window, it shows cards.
function fit(table) {
  table.classList.remove("cards");
  const box = table.parentElement;
  const wide = table.scrollWidth > box.clientWidth + 1 || table.getBoundingClientRect().right > window.innerWidth;
  table.classList.toggle("cards", wide);
}

function labelTables(root) {
  const tables = root.matches && root.matches("table.data") ? [root] : root.querySelectorAll("table.data");
  tables.forEach(labelCells);
}

// New content (an invoice opened in place) can widen the table around it, so every
// table is measured again; so after a resize, and when a closed <details> opens.
function fitAll() {
  document.querySelectorAll("table.data.labelled").forEach(fit);
}

let refitting = false;
window.addEventListener("resize", () => {
  if (refitting) return;
  refitting = true;
  requestAnimationFrame(() => {
    refitting = false;
    fitAll();
  });
});
document.addEventListener("toggle", fitAll, true);

labelTables(document);
fitAll();
document.addEventListener("htmx:load", (event) => {
  labelTables(event.detail.elt);
  fitAll();
});

// Sorting, filtering and paging load the page anew: it comes back where the user
// was, with the focus on the control used (or, after paging, on the table).
const PLACE = "arportal-place";

function remember(place) {
  sessionStorage.setItem(PLACE, JSON.stringify({ ...place, y: window.scrollY }));
}

function indexOf(element, selector) {
  return [...document.querySelectorAll(selector)].indexOf(element);
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("th[aria-sort] a, .pager a, nav.filters a");
  if (!link || event.defaultPrevented) return;
  const path = new URL(link.href, location.href).pathname;
  const th = link.closest("th");
  if (th) {
    remember({ path, kind: "sort", table: indexOf(th.closest("table"), "table"), column: th.cellIndex });
  } else if (link.closest(".pager")) {
    remember({ path, kind: "page", table: indexOf(document.querySelector("main table"), "table") });
  } else {
    remember({ path, kind: "filter", nav: link.closest("nav").getAttribute("aria-label") });
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method !== "get" || form.hasAttribute("hx-get")) return;
  const control = event.submitter || document.activeElement;
  remember({
    path: new URL(form.action || location.href, location.href).pathname,
    kind: "form",
    form: indexOf(form, "form"),
    name: control && control.name ? control.name : "",
  });
});

function restorePlace() {
  const stored = sessionStorage.getItem(PLACE);
  if (!stored) return;
  sessionStorage.removeItem(PLACE);
  const place = JSON.parse(stored);
  if (place.path !== location.pathname) return;
  let target = null;
  if (place.kind === "sort") {
    const table = document.querySelectorAll("table")[place.table];
    const head = table && table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    target = head && head.cells[place.column] && head.cells[place.column].querySelector("a");
  } else if (place.kind === "page") {
    target = document.querySelector("main table") || document.querySelector("main h1");
  } else if (place.kind === "filter") {
    const nav = [...document.querySelectorAll("nav.filters")].find((n) => n.getAttribute("aria-label") === place.nav);
    target = nav && nav.querySelector("a[aria-current]");
  } else if (place.kind === "form") {
    const form = document.querySelectorAll("form")[place.form];
    target = form && ((place.name && form.elements[place.name]) || form.querySelector("button[type=submit]"));
  }
  if (!target) return;
  if (place.kind === "page") {
    target.scrollIntoView({ block: "start" });
  } else {
    window.scrollTo(0, place.y);
  }
  if (target.matches("table")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
}

restorePlace();
