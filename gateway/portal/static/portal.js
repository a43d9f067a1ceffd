// Idle sign-out (F3): the server ends a session after its idle timeout; this takes the
// browser to the sign-in page at that moment instead of on the next click.
(function () {
  var seconds = parseInt(document.body.getAttribute("data-idle-timeout") || "0", 10);
  if (!seconds) { return; }
  window.setTimeout(function () {
    window.location.assign("/login?expired=1");
  }, (seconds + 2) * 1000);
})();
