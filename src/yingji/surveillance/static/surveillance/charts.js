/* Surveillance charts (ECharts), drawn from data embedded with json_script — no network calls.
   <div class="chart" data-sv-chart="rates|lines" data-source="id-of-json-script" aria-label="…"></div>
   rates: {categories: [name…], series: [{name, data: [percent|null…]}]}  — horizontal bars, 0–100 %
   lines: {dates: [YYYY-MM-DD…], series: [{name, data: [number|null…]}]} — one line per series
   Type scales with the root font size, so a wall screen (≥1920 px) gets larger labels. */
(function () {
  "use strict";
  var PALETTE = ["#b0202a", "#1f6fb2", "#2e8b57", "#d98c00", "#6a3d9a", "#008b8b", "#8b4513", "#c71585"];

  function fontSize() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  }

  function ratesOption(data, size) {
    return {
      color: PALETTE,
      textStyle: { fontSize: size * 0.8 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { top: 0, textStyle: { fontSize: size * 0.8 } },
      grid: { left: 8, right: 48, top: size * 2.2, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", fontSize: size * 0.75 } },
      yAxis: { type: "category", inverse: true, data: data.categories, axisLabel: { fontSize: size * 0.8 } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data,
                 label: { show: true, position: "right", formatter: "{c}%", fontSize: size * 0.75 } };
      })
    };
  }

  function linesOption(data, size) {
    return {
      color: PALETTE,
      textStyle: { fontSize: size * 0.8 },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, textStyle: { fontSize: size * 0.8 } },
      grid: { left: 8, right: 24, top: size * 2.2, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.dates, axisLabel: { fontSize: size * 0.75 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: size * 0.75 } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false, showSymbol: data.dates.length < 60 };
      })
    };
  }

  function draw(element) {
    if (typeof echarts === "undefined") { return; }
    var source = document.getElementById(element.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var size = fontSize();
    var option = element.dataset.svChart === "lines" ? linesOption(data, size) : ratesOption(data, size);
    chart.setOption(option);
    element.dataset.rendered = "true";
    window.addEventListener("resize", function () {
      var next = fontSize();
      if (next !== size) {
        size = next;
        chart.setOption(element.dataset.svChart === "lines" ? linesOption(data, size) : ratesOption(data, size));
      }
      chart.resize();
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-sv-chart]").forEach(function (el) {
      if (!el.dataset.rendered) { draw(el); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
