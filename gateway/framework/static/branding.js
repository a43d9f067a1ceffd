// Branding: the preview follows the colour pickers and the portal name as they change, and
// each colour shows its contrast against white (the server refuses below 4.5:1, WCAG AA).
(function () {
  var preview = document.getElementById("brand-preview");
  if (!preview) { return; }
  function channel(v) { v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  function luminance(hex) {
    var r = parseInt(hex.substr(1, 2), 16), g = parseInt(hex.substr(3, 2), 16), b = parseInt(hex.substr(5, 2), 16);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  }
  function contrast(hex) { return 1.05 / (luminance(hex) + 0.05); }
  function show(input) {
    var out = document.getElementById(input.getAttribute("data-contrast"));
    if (!out || !/^#[0-9a-fA-F]{6}$/.test(input.value)) { return; }
    var ratio = contrast(input.value);
    out.textContent = out.getAttribute("data-label") + " " + ratio.toFixed(2) + ":1" +
      (ratio < 4.5 ? " — " + out.getAttribute("data-fail") : "");
    out.classList.toggle("fail", ratio < 4.5);
  }
  function paint() {
    var primary = document.getElementById("f-primary_color");
    var accent = document.getElementById("f-accent_color");
    var name = document.getElementById("f-portal_name");
    if (accent) { preview.querySelector(".pv-bar").style.background = accent.value; show(accent); }
    if (primary) {
      preview.querySelector(".pv-link").style.color = primary.value;
      preview.querySelector(".pv-button").style.background = primary.value;
      show(primary);
    }
    if (name && name.value) { preview.querySelector(".pv-name").textContent = name.value; }
  }
  ["f-primary_color", "f-accent_color", "f-portal_name"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) { el.addEventListener("input", paint); }
  });
  paint();
})();
