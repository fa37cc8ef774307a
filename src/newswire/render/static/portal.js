/* The issuer portal's compose page, progressively enhanced (the form works without it):
   - filter boxes that hide the industries (a tree: a match keeps its parents and children) and
     countries that do not match what is typed;
   - a live preview of the body: the text is POSTed (with the CSRF token) to the preview route,
     which answers the sanitized HTML that intake would store;
   - a live reach estimate: the form is POSTed to the reach route on every change, which answers
     the numbers and the panel's HTML.
   No inline script or style: the page's Content-Security-Policy is default-src 'self'. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function ownText(li) {
    if (!li.dataset.filterFold) li.dataset.filterFold = fold(li.dataset.filterText || li.textContent);
    return li.dataset.filterFold;
  }

  function childItems(li) {
    var list = li.querySelector(":scope > ul");
    return list ? Array.prototype.slice.call(list.children) : [];
  }

  /* Show an item when it matches, when a child matches (context), or when a parent matches
     (so that a broad industry shows what is below it). Returns whether it is shown. */
  function apply(li, query, parentMatched) {
    var matched = !query || ownText(li).indexOf(query) !== -1;
    var anyChild = false;
    childItems(li).forEach(function (child) {
      if (apply(child, query, parentMatched || (matched && !!query))) anyChild = true;
    });
    var shown = !query || matched || anyChild || parentMatched;
    li.hidden = !shown;
    return shown && (matched || anyChild || !query);
  }

  function setupFilter(box) {
    var list = document.getElementById(box.dataset.filterFor);
    var input = box.querySelector("input");
    var status = box.querySelector("[aria-live]");
    if (!list || !input) return;
    box.hidden = false;
    input.addEventListener("input", function () {
      var query = fold(input.value.trim());
      var found = 0;
      Array.prototype.forEach.call(list.children, function (li) {
        apply(li, query, false);
      });
      list.querySelectorAll("li").forEach(function (li) {
        if (!li.hidden && query && ownText(li).indexOf(query) !== -1) found += 1;
      });
      if (status) status.textContent = query && !found ? status.dataset.none || "" : "";
      var details = list.closest("details");
      if (details && query) details.open = true;
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json, text/html" },
    }).then(function (response) {
      // signed out meanwhile (redirected to the sign-in page) or refused: keep what is shown
      if (!response.ok || response.redirected) throw new Error("HTTP " + response.status);
      return response;
    });
  }

  function setupCompose(form) {
    var token = form.querySelector("input[name=csrf_token]").value;
    var body = form.querySelector("#f-body");
    var format = form.querySelector("input[name=body_format]");
    var pane = document.getElementById("preview");
    var panel = document.getElementById("reach-panel");
    var language = form.querySelector("#f-language");
    form.querySelectorAll("[data-without-js]").forEach(function (el) {
      el.hidden = true;
    });

    var previewSeq = 0;
    var refreshPreview = function () {
      if (!body || !pane) return;
      var seq = ++previewSeq;
      if (!body.value.trim()) {
        pane.textContent = "";
        var hint = document.createElement("p");
        hint.className = "hint";
        hint.textContent = pane.dataset.empty || "";
        pane.appendChild(hint);
        return;
      }
      var data = new URLSearchParams();
      data.set("csrf_token", token);
      data.set("body", body.value);
      data.set("body_format", format ? format.value : "markdown");
      post(form.dataset.previewUrl, data)
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (seq !== previewSeq) return; // a newer preview is on its way
          // the server sanitized it (nh3): no scripts, no handlers, safe links only
          pane.innerHTML = html;
          pane.dataset.updated = String(seq);
        })
        .catch(function () { /* the last preview stays */ });
    };

    var reachSeq = 0;
    var refreshReach = function () {
      if (!panel) return;
      var seq = ++reachSeq;
      post(form.dataset.reachUrl, new URLSearchParams(new FormData(form)))
        .then(function (r) { return r.json(); })
        .then(function (estimate) {
          if (seq !== reachSeq) return;
          panel.innerHTML = estimate.html; // rendered by the server from numbers and labels
          panel.dataset.recipients = String(estimate.recipients);
        })
        .catch(function () { /* the last estimate stays */ });
    };

    var previewSoon = debounce(refreshPreview, 300);
    var reachSoon = debounce(refreshReach, 400);
    if (body) body.addEventListener("input", previewSoon);
    if (language && pane) {
      language.addEventListener("change", function () {
        pane.setAttribute("lang", language.value);
        pane.setAttribute("dir", language.value === "ar" ? "rtl" : "ltr");
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.type !== "search") reachSoon();
    });
    form.addEventListener("input", function (event) {
      var t = event.target;
      if (t && (t.id === "f-headline" || t.id === "f-body")) reachSoon();
    });
    if (body && body.value.trim() && pane && !pane.querySelector("*:not(.hint)")) refreshPreview();
    refreshReach();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-filter-for]").forEach(setupFilter);
    var form = document.getElementById("compose");
    if (form) setupCompose(form);
  });
})();
