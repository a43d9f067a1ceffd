// Idle sign-out (F3): the server ends a session after its idle timeout; this takes the
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

// -- IP phones (issue 5): copy buttons on the boot configuration page ---------------------
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
