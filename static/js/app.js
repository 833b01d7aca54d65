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
