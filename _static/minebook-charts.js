/* Charts are static SVG images from the first paint. When one comes near the screen, this loads the Vega
   bundle (once) and the chart's spec, and draws the interactive view in its place, at the width of its
   column. Nothing is fetched from another host; scripts (not XHR) are used so file:// works too. */
(function () {
  "use strict";
  var root = document.documentElement.dataset.content_root || "";
  var loaded = {};
  function script(src) {
    if (!loaded[src]) {
      loaded[src] = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = src; tag.async = true; tag.onload = resolve;
        tag.onerror = function () { reject(new Error("could not load " + src)); };
        document.head.appendChild(tag);
      });
    }
    return loaded[src];
  }
  function setPath(spec, path, value) {
    var keys = path.split("."), node = spec;
    for (var i = 0; i < keys.length - 1; i++) { node = node[keys[i]] = node[keys[i]] || {}; }
    node[keys[keys.length - 1]] = value;
  }
  function draw(box) {
    var id = box.id;
    Promise.all([script(root + "_static/vega-bundle.js"), script(root + "_charts/" + id + ".js")]).then(function () {
      var spec = JSON.parse(JSON.stringify(window.MINEBOOK_SPECS[id]));
      var meta = spec.usermeta || {};
      delete spec.title;  // the page prints the finding and subtitle above the chart
      if (box.clientWidth < 600) {
        Object.keys(meta.narrow || {}).forEach(function (path) { setPath(spec, path, meta.narrow[path]); });
      }
      var still = box.querySelector("picture");
      if (still) { box.style.minHeight = still.getBoundingClientRect().height + "px"; }
      return window.vegaEmbed(box, spec, {actions: false, renderer: "svg", formatLocale: meta.formatLocale});
    }).then(function () {
      box.classList.add("is-interactive");
      box.style.minHeight = "";
    }).catch(function (error) { console.error("chart " + id, error); });
  }
  function start() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".minebook-vega"));
    if (!("IntersectionObserver" in window)) { boxes.forEach(draw); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
      });
    }, {rootMargin: "400px 0px"});
    boxes.forEach(function (box) { observer.observe(box); });
  }
  // Start when the main thread is first idle after the document is parsed: the static images are already
  // painted by then, so parsing the bundle never delays what a reader first sees.
  function whenIdle() { (window.requestIdleCallback || function (f) { setTimeout(f, 1); })(start, {timeout: 200}); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", whenIdle); } else { whenIdle(); }
})();
