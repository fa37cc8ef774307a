/* Filter a long list or tree of checkboxes by typing (progressive enhancement: without this
   script every choice is simply listed).

   Markup: an element with [data-tree-filter] holds
     - [data-tree-filter-control], hidden until this script shows it, with an
       input[data-tree-filter-input] and an optional [data-tree-filter-status] whose
       data-none / data-some ("{count} shown") texts announce the result;
     - [data-tree-filter-list], nested <ul>/<li> with one <label> per item.
   An item stays visible when its label matches (case and accents ignored), when one of the
   items under it matches, or when an item above it matches. Enter in the filter box does not
   submit the form. Hidden items keep their checked state. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase().trim();
  }

  function setUp(box) {
    var control = box.querySelector("[data-tree-filter-control]");
    var input = box.querySelector("[data-tree-filter-input]");
    var list = box.querySelector("[data-tree-filter-list]");
    var status = box.querySelector("[data-tree-filter-status]");
    if (!control || !input || !list) {
      return;
    }
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    var texts = items.map(function (li) {
      var label = li.querySelector("label");
      return fold(label ? label.textContent : li.textContent);
    });
    var parents = items.map(function (li) {
      var up = li.parentElement ? li.parentElement.closest("li") : null;
      return up && list.contains(up) ? items.indexOf(up) : -1;
    });

    function apply() {
      var wanted = fold(input.value);
      var matches = texts.map(function (text) {
        return wanted === "" || text.indexOf(wanted) !== -1;
      });
      var visible = matches.slice();
      var i;
      for (i = items.length - 1; i >= 0; i -= 1) {  // a match shows the items above it
        if (visible[i] && parents[i] >= 0) {
          visible[parents[i]] = true;
        }
      }
      for (i = 0; i < items.length; i += 1) {  // and everything under it
        if (parents[i] >= 0 && matches[parents[i]]) {
          matches[i] = true;
          visible[i] = true;
        }
      }
      var count = 0;
      for (i = 0; i < items.length; i += 1) {
        items[i].hidden = !visible[i];
        if (visible[i]) {
          count += 1;
        }
      }
      if (status) {
        if (wanted === "") {
          status.textContent = "";
        } else if (count === 0) {
          status.textContent = status.getAttribute("data-none") || "";
        } else {
          status.textContent = (status.getAttribute("data-some") || "{count}")
            .replace("{count}", String(count));
        }
      }
    }

    input.addEventListener("input", apply);
    input.addEventListener("search", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
    control.hidden = false;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-tree-filter]"), setUp);
})();
