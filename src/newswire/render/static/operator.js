// The operator's live distribution view (/operator/live): asks /operator/live.json?after=<id>
// every 2 seconds for the delivery attempts made since the newest one shown, and puts them at
// the top of the table. Without this script the page still lists the latest attempts; reload it.
(function () {
  "use strict";
  var INTERVAL_MS = 2000;

  function cell(row) {
    var td = document.createElement("td");
    row.appendChild(td);
    return td;
  }

  function span(parent, className, text) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    parent.appendChild(el);
    return el;
  }

  function buildRow(r) {
    var tr = document.createElement("tr");
    tr.dataset.id = String(r.id);
    tr.className = "op-new";
    var when = document.createElement("time");
    when.dateTime = r.iso;
    when.textContent = r.at;
    cell(tr).appendChild(when);
    var release = cell(tr);
    var link = document.createElement("a");
    link.href = "/desk/releases/" + encodeURIComponent(r.release);
    link.textContent = r.headline;
    release.appendChild(link);
    release.appendChild(document.createElement("br"));
    span(release, "meta", "v" + r.version + " · " + r.kind_label);
    var endpoint = cell(tr);
    span(endpoint, "meta", r.channel_label);
    endpoint.appendChild(document.createElement("br"));
    span(endpoint, "op-address", r.address);
    span(cell(tr), "op-badge op-outcome-" + r.outcome, r.outcome_label);
    var reply = cell(tr);
    if (r.status) {
      var code = document.createElement("code");
      code.textContent = r.status;
      reply.appendChild(code);
      reply.appendChild(document.createTextNode(" "));
    }
    span(reply, "op-detail", r.detail);
    if (r.latency) {
      reply.appendChild(document.createElement("br"));
      span(reply, "meta", r.latency);
    }
    cell(tr).textContent = r.state_label;
    return tr;
  }

  function start(table) {
    var body = table.tBodies[0];
    var status = document.getElementById("live-status");
    var empty = document.getElementById("live-empty");
    var source = table.dataset.source;
    var keep = parseInt(table.dataset.keep, 10) || 200;
    var cursor = parseInt(table.dataset.cursor, 10) || 0;
    var timer = null;
    var stopped = false;
    var busy = false;

    function say(message) {
      if (status) status.textContent = message || "";
    }

    function message(name) {
      return (status && status.dataset[name]) || "";
    }

    function add(rows) {
      for (var i = rows.length - 1; i >= 0; i--) {
        body.insertBefore(buildRow(rows[i]), body.firstChild);
      }
      while (body.rows.length > keep) body.deleteRow(body.rows.length - 1);
      if (empty) empty.hidden = body.rows.length > 0;
      var now = new Date().toLocaleTimeString();
      say(message("msgNew").replace("{count}", String(rows.length)).replace("{time}", now));
    }

    function schedule() {
      if (!stopped && !document.hidden) timer = window.setTimeout(poll, INTERVAL_MS);
    }

    function poll() {
      timer = null;
      busy = true;
      var url = source + "?after=" + encodeURIComponent(String(cursor));
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          var type = response.headers.get("content-type") || "";
          if (response.redirected || response.status === 401 || response.status === 403 ||
              type.indexOf("application/json") === -1) {
            stopped = true;
            say(message("msgSignedOut"));
            return null;
          }
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          busy = false;
          if (!data) return;
          if (data.rows && data.rows.length) add(data.rows);
          if (typeof data.cursor === "number" && data.cursor > cursor) cursor = data.cursor;
          table.dataset.cursor = String(cursor);
          schedule();
        })
        .catch(function () {
          busy = false;
          say(message("msgError"));
          schedule();
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        if (timer !== null) window.clearTimeout(timer);
        timer = null;
      } else if (timer === null && !stopped && !busy) {
        poll();
      }
    });
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("live-table");
    if (table && table.dataset.source && window.fetch) start(table);
  });
})();
