// Live character count for the comment form (progressive enhancement: without script the page says
// the limit and the server refuses an over-long text, keeping it). Counted as the server counts:
// Unicode characters of the trimmed text, a line break as one character.
(function () {
  "use strict";

  function length(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").trim()).length;
  }

  function enhance(field) {
    var max = parseInt(field.getAttribute("data-max-chars"), 10);
    var counter = document.getElementById(field.id + "-count");
    if (!max || !counter) {
      return;
    }
    // Said aloud only when the text goes over the limit or back under it, not on every key.
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    counter.parentNode.insertBefore(live, counter.nextSibling);
    var wasOver = false;

    function update() {
      var n = length(field.value);
      var over = n > max;
      counter.textContent = over
        ? "已输入" + n + "字，超出" + (n - max) + "字，请删减到" + max + "字以内再提交。"
        : "已输入" + n + "字，还可输入" + (max - n) + "字。";
      counter.classList.toggle("over", over);
      if (over !== wasOver) {
        live.textContent = over ? "意见内容已超出" + max + "字。" : "意见内容已在" + max + "字以内。";
        wasOver = over;
      }
    }

    field.addEventListener("input", update);
    update();
  }

  function start() {
    var fields = document.querySelectorAll("textarea[data-max-chars]");
    for (var i = 0; i < fields.length; i++) {
      enhance(fields[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
