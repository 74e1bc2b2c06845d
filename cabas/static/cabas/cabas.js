// Small progressive enhancements; every page works without this file.
"use strict";

// Live filter of a long list (the order page): <input data-filter-target="#list">
// hides the [data-filter-item] rows that do not contain the typed text, and the
// [data-filter-section] blocks left empty. Without JavaScript the box stays hidden.
function setUpFilter(input) {
  const list = document.querySelector(input.dataset.filterTarget);
  if (!list) return;
  input.closest("[hidden]")?.removeAttribute("hidden");
  input.addEventListener("input", () => {
    const words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    list.querySelectorAll("[data-filter-item]").forEach((item) => {
      const text = item.dataset.filterItem;
      item.hidden = !words.every((word) => text.includes(word));
    });
    list.querySelectorAll("[data-filter-section]").forEach((section) => {
      section.hidden = !section.querySelector("[data-filter-item]:not([hidden])");
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-filter-target]").forEach(setUpFilter);
});
