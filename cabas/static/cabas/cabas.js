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

// The order page's rows are swapped whole by htmx, which gives the focus back only to an
// element with the same id. When the focused control is gone from the new row (the
// "Take" button once used), the keyboard goes to that line's quantity box rather than
// back to the top of the page.
let focusedRow = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  const inRow = target?.matches?.("tr[id^='offer-']") && target.contains(document.activeElement);
  focusedRow = inRow ? target.id : null;
});
document.addEventListener("htmx:afterSettle", () => {
  const row = focusedRow && document.getElementById(focusedRow);
  focusedRow = null;
  if (row && !row.contains(document.activeElement)) row.querySelector("input[name^='q-']")?.focus();
});

// A +/- (or a quantity typed) on the order page sends its own line only: htmx would send the
// whole basket form the row sits in (thousands of fields in a large section). The basket's own
// fields (the member ordered for, the reason of an adjustment) go too; the CSRF token is a header.
document.addEventListener("htmx:configRequest", (event) => {
  const row = event.detail.elt.closest?.("tr[id^='offer-']");
  const data = event.detail.formData;
  if (!row || !data) return;
  const suffix = "-" + row.id.slice("offer-".length);
  for (const key of Array.from(new Set(data.keys()))) {
    if (!key.endsWith(suffix) && key !== "member" && key !== "reason") data.delete(key);
  }
});

// Texts that are true only with JavaScript ("this part updates itself") are hidden without it.
function showScriptOnly(root) {
  root.querySelectorAll?.("[data-js-only]").forEach((element) => element.removeAttribute("hidden"));
}
document.addEventListener("DOMContentLoaded", () => showScriptOnly(document));
document.addEventListener("htmx:load", (event) => showScriptOnly(event.detail.elt));

// Payment forms of the day: the details of the method chosen (cash, cheque, transfer)
// are shown, the others' folded away. Without JavaScript every fieldset stays visible.
function setUpMethodDetails(choice) {
  const form = choice.closest("form");
  if (!form || choice.dataset.ready) return;
  choice.dataset.ready = "1";
  const show = () => {
    const method = form.querySelector("input[name='method']:checked")?.value;
    form.querySelectorAll("fieldset[data-method]").forEach((fieldset) => {
      fieldset.hidden = fieldset.dataset.method !== method;
    });
  };
  choice.addEventListener("change", show);
  form.addEventListener("reset", () => setTimeout(show));
  show();
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-method-choice]").forEach(setUpMethodDetails);
});
document.addEventListener("htmx:load", (event) => {
  event.detail.elt.querySelectorAll?.("[data-method-choice]").forEach(setUpMethodDetails);
});
