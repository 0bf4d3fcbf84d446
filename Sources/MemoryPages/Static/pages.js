// MemoryHub pages: a little keyboard help; every page works without it.
"use strict";
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  // "/" jumps to the page's search or filter field.
  if (event.key === "/") {
    const field = document.querySelector("input[type=search], .filters input");
    if (field) { event.preventDefault(); field.focus(); }
  }
  // "j" and "k" move between the items of a list.
  if (event.key === "j" || event.key === "k") {
    const links = Array.from(document.querySelectorAll(".session .title, .memory .id"));
    if (links.length === 0) return;
    const index = links.indexOf(document.activeElement);
    const next = event.key === "j" ? Math.min(links.length - 1, index + 1) : Math.max(0, index - 1);
    links[next].focus();
    event.preventDefault();
  }
});
