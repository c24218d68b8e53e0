// Staff forms: "add a row" for repeated fields (Q&A pairs, joint issuers), without a round trip.
// Progressive enhancement: without this script the server renders spare empty rows and more
// appear after saving; with it, a button under each [data-rows] group copies the last [data-row].
(function () {
  "use strict";

  function renumber(row, n) {
    row.querySelectorAll("[id]").forEach(function (el) {
      el.id = el.id.replace(/\d+$/, String(n));
    });
    row.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = label.htmlFor.replace(/\d+$/, String(n));
      label.textContent = label.textContent.replace(/\d+/, String(n));
    });
    row.querySelectorAll("input, textarea").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
      field.value = field.hasAttribute("data-position") ? String(n) : "";
    });
  }

  function enhance(group) {
    var label = group.getAttribute("data-add-label") || "添加一行";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "add-row";
    button.textContent = label;
    button.addEventListener("click", function () {
      var rows = group.querySelectorAll("[data-row]");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      renumber(copy, rows.length + 1);
      last.parentNode.insertBefore(copy, last.nextSibling);
      var first = copy.querySelector("input:not([data-position]), textarea");
      if (first) { first.focus(); }
    });
    group.appendChild(button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rows]").forEach(enhance);
  });
})();
