// commentkit web app: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf");

  // Live preview of an answer, rendered on the server by the letter's own Markdown pipeline.
  var text = document.querySelector("textarea[data-preview]");
  if (text) {
    var target = document.getElementById(text.getAttribute("data-preview"));
    var url = text.getAttribute("data-url");
    var timer = null, seq = 0;
    text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(url, {method: "POST", body: text.value, credentials: "same-origin",
                    headers: {"X-CSRF-Token": csrf, "Content-Type": "text/plain; charset=utf-8"}})
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null && mine === seq) { target.innerHTML = html; } })
          .catch(function () {});
      }, 250);
    });
  }

  // "Select all" boxes tick every box of their form.
  document.querySelectorAll("input.select-all").forEach(function (all) {
    all.addEventListener("change", function () {
      all.form.querySelectorAll("input[type=checkbox][name=q]").forEach(function (b) { b.checked = all.checked; });
    });
  });

  // Questionnaire: each answer is saved as soon as it is given (the page's buttons save too).
  var q = document.querySelector("form[data-autosave]");
  if (q) {
    var note = q.querySelector(".autosave");
    q.addEventListener("change", function () {
      var data = new FormData(q);
      data.set("go", "autosave");
      fetch(q.getAttribute("action"), {method: "POST", body: data, credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (note) { note.textContent = res.error ? "Not saved: " + res.error : (res.saved.length ? "Saved." : ""); }
        })
        .catch(function () { if (note) { note.textContent = "Not saved (the server did not answer)."; } });
    });
  }

  // Deadline in the browser's own time zone.
  document.querySelectorAll("time.localtime").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) {
      t.textContent = d.toLocaleString(undefined, {weekday: "long", year: "numeric", month: "long", day: "numeric",
                                                   hour: "2-digit", minute: "2-digit", timeZoneName: "short"});
    }
  });
})();
