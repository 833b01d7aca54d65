"""axe-core in the browser tests: the WCAG 2 A/AA rules run on the page as a user sees it.

axe is registered as an init script (DevTools injects it into every document the
context opens), so the page keeps its Content-Security-Policy and no inline
script tag is needed.
"""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# preload: false: axe would otherwise copy the stylesheets into <style> elements, which
# the Content-Security-Policy refuses (with console errors the browser tests fail on).
RUN = """async (tags) => {
  const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"], preload: false};
  const results = await axe.run(document, options);
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => {
      const why = (n.failureSummary || "").split("\\n").slice(1).join(" ").trim();
      return n.target.join(" ") + (why ? " — " + why : "");
    }),
  }));
}"""

# Tables whose content is wider than their own box, and how much wider the page is than the window.
OVERFLOW = """() => {
  const name = (table) =>
    (table.caption ? table.caption.textContent.trim().split("\\n")[0] : "") || table.id || table.className;
  const tables = [...document.querySelectorAll("main table")].filter((t) => t.offsetParent !== null);
  const wide = tables.filter((t) => {
    const box = t.parentElement;
    return t.scrollWidth > t.clientWidth + 1 || box.scrollWidth > box.clientWidth + 1;
  });
  return {page: document.documentElement.scrollWidth, window: window.innerWidth, tables: wide.map(name)};
}"""


def with_axe(context):
    """Makes axe available in every page `context` opens from now on."""
    context.add_init_script(path=str(AXE))


def violations(page):
    """axe's WCAG 2 A/AA violations on the page as it is now, one readable line each."""
    found = page.evaluate(RUN, WCAG_AA)
    return [f"{v['id']} ({v['impact']}): {v['help']}\n      " + "\n      ".join(v["targets"]) for v in found]


def overflow(page, tables=True):
    """What sticks out sideways: the page beyond the window, and (unless `tables` is false)
    tables beyond their own box."""
    measured = page.evaluate(OVERFLOW)
    problems = []
    if measured["page"] > measured["window"]:
        problems.append(f"the page is {measured['page']} px wide in a {measured['window']} px window")
    problems += [f"table “{name}” is wider than its box" for name in measured["tables"] if tables]
    return problems
