// Copy buttons: <button class="copy" data-copy="ID"> copies the value of the field ID
// (a link, the HTML snippet) and says so on the button for two seconds.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("button.copy[data-copy]"), function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      var label = button.textContent;
      var done = function () {
        button.textContent = button.getAttribute("data-done") || "✓";
        window.setTimeout(function () { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select(); document.execCommand("copy"); done();
        });
      } else {
        field.select(); document.execCommand("copy"); done();
      }
    });
  });
})();
