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
  function draw(box) {
    var id = box.id;
    Promise.all([script(root + "_static/vega-bundle.js"), script(root + "_charts/" + id + ".js")]).then(function () {
      // Compiled to Vega at build time, for a desktop column and (where it differs) for a phone.
      var chart = window.MINEBOOK_SPECS[id];
      var spec = box.clientWidth < 600 && chart.narrow ? chart.narrow : chart.wide;
      (spec.data || []).forEach(function (data) {
        if (chart.datasets[data.name]) { data.values = chart.datasets[data.name]; }
      });
      var still = box.querySelector("picture");
      if (still) { box.style.minHeight = still.getBoundingClientRect().height + "px"; }
      return window.vegaEmbed(box, spec, {mode: "vega", actions: false, renderer: "svg", formatLocale: chart.formatLocale});
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
  // Start as soon as the document is parsed: the static images are painted by then, and the scripts load
  // asynchronously, so fetching them early delays nothing a reader sees (waiting for an idle moment cost
  // 200-250 ms before the first chart could turn interactive).
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
