// The reseller's chat widget on its subscriber portal. The page names one supported
// provider, its site id (checked by the server against the provider's format) and the
// loader's URL; the Content-Security-Policy allows that provider's origins and no other.
(function () {
  var el = document.getElementById("sb-chat");
  if (!el) { return; }
  var provider = el.getAttribute("data-provider");
  var siteId = el.getAttribute("data-site-id");
  var src = el.getAttribute("data-script");
  if (!provider || !siteId || !src) { return; }
  if (provider === "crisp") {
    window.$crisp = [];
    window.CRISP_WEBSITE_ID = siteId;
  } else if (provider === "tawk") {
    window.Tawk_API = window.Tawk_API || {};
    window.Tawk_LoadStart = new Date();
  }
  var script = document.createElement("script");
  script.src = src;
  script.async = true;
  script.setAttribute("data-sb-chat", provider);
  document.head.appendChild(script);
})();
