/* Charts are static SVG images from the first paint. When one comes near the screen, this loads the Vega
   bundle (once) and the chart's spec, and draws the interactive view in its place, at the width of its
   column (the specs are compiled to Vega at build time: the page needs Vega's runtime only). Nothing is
   fetched from another host; scripts (not XHR) are used so file:// works too. */
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
  // Tooltips in a box of our own: every value is written as text, never as markup.
  var tip = null;
  function tooltip(handler, event, item, value) {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "minebook-tooltip"; tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
    }
    if (value == null || value === "") { tip.hidden = true; return; }
    var rows = typeof value === "object" ? Object.keys(value).map(function (k) { return [k, value[k]]; }) : [["", value]];
    tip.replaceChildren.apply(tip, rows.map(function (row) {
      var line = document.createElement("div");
      if (row[0]) { var key = document.createElement("span"); key.textContent = row[0] + ": "; line.appendChild(key); }
      line.appendChild(document.createTextNode(String(row[1])));
      return line;
    }));
    tip.hidden = false;
    var x = Math.min(event.clientX + 12, window.innerWidth - tip.offsetWidth - 4);
    var y = event.clientY + 16 + tip.offsetHeight > window.innerHeight ? event.clientY - tip.offsetHeight - 8 : event.clientY + 16;
    tip.style.left = Math.max(4, x) + "px"; tip.style.top = Math.max(4, y) + "px";
  }
  function render(box) {
    // Compiled to Vega at build time, for a desktop column and (where it differs) for a phone.
    var vega = window.vega, chart = window.MINEBOOK_SPECS[box.id];
    var spec = box.clientWidth < 600 && chart.narrow ? chart.narrow : chart.wide;
    (spec.data || []).forEach(function (data) {
      if (chart.datasets[data.name]) { data.values = chart.datasets[data.name]; }
    });
    // Drawn out of sight at the box's width, then put in place of the static image in one step.
    var still = box.querySelector("picture"), view = document.createElement("div");
    view.className = "minebook-view is-drawing";
    box.appendChild(view);
    var drawn;
    if (vega) {
      if (chart.formatLocale) { vega.formatLocale(chart.formatLocale); }
      drawn = new vega.View(vega.parse(spec), {renderer: "svg", container: view, hover: true, tooltip: tooltip}).runAsync();
    } else {  // vl-convert's bundle (where npm could not fetch Vega's own) offers Vega only through vega-embed
      drawn = window.vegaEmbed(view, spec, {mode: "vega", renderer: "svg", actions: false, tooltip: tooltip,
                                            formatLocale: chart.formatLocale});
    }
    return drawn.then(function () {
      if (still) { still.remove(); }
      view.classList.remove("is-drawing");
      box.classList.add("is-interactive");
    });
  }
  function draw(box) {
    Promise.all([script(root + "_static/vega-bundle.js"), script(root + "_charts/" + box.id + ".js")])
      .then(function () { return render(box); })
      .catch(function (error) { console.error("chart " + box.id, error); });
  }
  var MARGIN = 400;  // px above and below the screen: a chart this close is drawn before it scrolls into view
  function start() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".minebook-vega"));
    if (!("IntersectionObserver" in window)) { boxes.forEach(draw); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
      });
    }, {rootMargin: MARGIN + "px 0px"});
    // Charts already near the screen start at once: the observer's first report waits for the page's
    // other scripts and a frame, 50-250 ms on a long page.
    boxes.forEach(function (box) {
      var where = box.getBoundingClientRect();
      if (where.bottom > -MARGIN && where.top < window.innerHeight + MARGIN) { draw(box); } else { observer.observe(box); }
    });
  }
  // At DOMContentLoaded: the theme's scripts (deferred after this one) have changed the page by then, so
  // measuring where the charts are lays the page out once, as its first frame needs anyway; measured any
  // earlier, the page was laid out twice (Lighthouse: 400 ms more blocking time on a long page).
  document.addEventListener("DOMContentLoaded", start);
})();
