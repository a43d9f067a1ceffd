// Idle sign-out: the server ends a session after its idle timeout; this takes the
// browser to the sign-in page at that moment instead of on the next click.
(function () {
  var seconds = parseInt(document.body.getAttribute("data-idle-timeout") || "0", 10);
  if (!seconds) { return; }
  window.setTimeout(function () {
    window.location.assign("/login?expired=1");
  }, (seconds + 2) * 1000);
})();

// New-account wizard: the name field is "Company name" or "Full name" depending on the
// kind; the server renders the label for the kind it knows, this follows the radio buttons.
(function () {
  var label = document.querySelector("label[data-label-company][data-label-professional]");
  if (!label) { return; }
  var radios = document.querySelectorAll('input[type="radio"][name="kind"]');
  Array.prototype.forEach.call(radios, function (radio) {
    radio.addEventListener("change", function () {
      var text = label.getAttribute("data-label-" + radio.value);
      if (radio.checked && text) { label.textContent = text; }
    });
  });
})();

// The account menu is a <details>: it works without script; this closes it like a menu
// when the user clicks elsewhere or presses Escape.
(function () {
  var menu = document.querySelector("details.usermenu");
  if (!menu) { return; }
  document.addEventListener("click", function (event) {
    if (menu.open && !menu.contains(event.target)) { menu.open = false; }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();

// Phone-number import: open the import, send the file with upload progress, and poll the
// server's progress (lines read, added, not added) until the report page is ready. Without
// script the form posts normally and the report page shows at the end.
(function () {
  var form = document.getElementById("number-import");
  if (!form || !window.fetch || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    var file = form.querySelector('input[type="file"]').files[0];
    if (!file) { return; }
    event.preventDefault();
    var csrf = form.querySelector('input[name="csrf_token"]').value;
    var box = form.querySelector(".progress");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".progress-text");
    box.hidden = false;
    var opening = new URLSearchParams({ csrf_token: csrf, size: String(file.size) });
    fetch("/numbers/imports", { method: "POST", body: opening, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (opened) { upload(opened.import_id); })
      .catch(function () { form.submit(); });

    function upload(id) {
      var data = new FormData();
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      // The token travels in the query: the server checks it before parsing the upload.
      xhr.open("POST", "/numbers/import?" + new URLSearchParams({ csrf_token: csrf, import_id: String(id) }));
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = Math.round(percent * 0.2);
        text.textContent = form.getAttribute("data-uploading").replace("{percent}", percent);
      };
      var poll = window.setInterval(function () {
        fetch("/numbers/imports/" + id + "/progress", { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (p) {
            if (p.bytes_total) { bar.value = 20 + Math.round((80 * p.bytes_read) / p.bytes_total); }
            text.textContent = form.getAttribute("data-progress")
              .replace("{done}", p.lines_read).replace("{added}", p.added)
              .replace("{rejected}", p.rejected);
          });
      }, 500);
      xhr.onload = function () {
        window.clearInterval(poll);
        bar.value = 100;
        var done = xhr.responseURL && xhr.responseURL.indexOf("/numbers/imports/") >= 0;
        window.location.assign(done ? xhr.responseURL : "/numbers/imports/" + id);
      };
      xhr.onerror = function () { window.clearInterval(poll); form.submit(); };
      xhr.send(data);
    }
  });
})();

// -- IP phones: copy buttons on the boot configuration page ---------------------
// A button with data-copy="<id>" copies that element's text; its label says "Copied" for a
// moment (data-copied, translated by the server).
(function () {
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        var label = button.textContent;
        button.textContent = button.getAttribute("data-copied") || label;
        window.setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
})();

// Import of users: while the file is read (preview) or applied, poll the import's progress
// and move its one bar; when the import changes state the page reloads with the report.
(function () {
  var box = document.getElementById("user-import-progress");
  if (!box || !window.fetch) { return; }
  var status = box.getAttribute("data-status");
  if (status !== "previewing" && status !== "applying" && status !== "receiving") { return; }
  var id = box.getAttribute("data-import");
  var bar = document.getElementById("import-bar");
  var text = box.querySelector(".progress-text");
  var poll = window.setInterval(function () {
    fetch("/customers/imports/" + id + "/progress", { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (p) {
        bar.value = p.progress;
        text.textContent = p.progress + " %";
        if (p.status !== status) { window.clearInterval(poll); window.location.reload(); }
      });
  }, 700);
})();
