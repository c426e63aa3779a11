/* Early-warning charts (ECharts), drawn from data embedded with json_script — no network calls.
   <div class="chart" data-dt-chart="series|grid|places|kpi" data-source="id-of-json-script" aria-label="…"></div>

   series: {dates: [YYYY-MM-DD…], observed: [n|null…], expected: [x|null…], upper: [x|null…],
            alarms: [YYYY-MM-DD…], signal_date: YYYY-MM-DD, labels: {observed, expected, upper, alarm, signal}}
           observed counts as bars, expected and the upper threshold as lines, alarm points as red marks, the
           signal's own date as a vertical line.
   grid:   {regions: [name…], dates: [YYYY-MM-DD…], cells: [[date index, region index, signals]…],
            label: "signals"} — a heat grid region × day (the demo city has no boundary map).
   places: {points: [{name, lon, lat, value, open}…], labels: {signals, open}} — a bubble per region at the
           mean position of its organisations (no boundaries are drawn, and the chart says so).
   kpi:    {categories: [name…], series: [{name, data: [number|null…], unit: "%"|"h"|""}…]} — grouped bars.
   Type scales with the root font size, so a wall screen (≥1920 px) gets larger labels. */
(function () {
  "use strict";
  var RED = "#b0202a", BLUE = "#1f6fb2", ORANGE = "#d98c00", GREY = "#9aa5b1";
  var PALETTE = [RED, BLUE, "#2e8b57", ORANGE, "#6a3d9a", "#008b8b", "#8b4513", "#c71585"];

  function fontSize() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  }

  function seriesOption(d, size) {
    var labels = d.labels || {};
    var alarmSet = {};
    (d.alarms || []).forEach(function (day) { alarmSet[day] = true; });
    var alarmPoints = d.dates.map(function (day, i) {
      return alarmSet[day] ? d.observed[i] : null;
    });
    return {
      color: [GREY, BLUE, RED, RED],
      textStyle: { fontSize: size * 0.8 },
      tooltip: { trigger: "axis", valueFormatter: function (v) {
        return v == null || isNaN(v) ? "—" : (Math.round(v * 100) / 100).toString();
      } },
      legend: { top: 0, textStyle: { fontSize: size * 0.8 } },
      grid: { left: 8, right: 24, top: size * 2.4, bottom: size * 3, containLabel: true },
      dataZoom: [{ type: "inside" }, { type: "slider", height: size * 1.2, bottom: 4 }],
      xAxis: { type: "category", data: d.dates, axisLabel: { fontSize: size * 0.75 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: size * 0.75 } },
      series: [
        { name: labels.observed || "observed", type: "bar", data: d.observed, barMaxWidth: 14,
          itemStyle: { color: GREY },
          markLine: d.signal_date ? { symbol: "none", silent: true, lineStyle: { color: RED, type: "dashed" },
                                      label: { formatter: labels.signal || "", fontSize: size * 0.7 },
                                      data: [{ xAxis: d.signal_date }] } : undefined },
        { name: labels.expected || "expected", type: "line", data: d.expected, showSymbol: false,
          connectNulls: false, lineStyle: { color: BLUE, width: 2 }, itemStyle: { color: BLUE } },
        { name: labels.upper || "upper", type: "line", data: d.upper, showSymbol: false, step: false,
          connectNulls: false, lineStyle: { color: ORANGE, width: 2, type: "dashed" }, itemStyle: { color: ORANGE } },
        { name: labels.alarm || "alarm", type: "scatter", data: alarmPoints, symbol: "triangle",
          symbolSize: size * 0.9, itemStyle: { color: RED }, z: 5 }
      ]
    };
  }

  function gridOption(d, size) {
    var max = 1;
    d.cells.forEach(function (c) { if (c[2] > max) { max = c[2]; } });
    return {
      textStyle: { fontSize: size * 0.8 },
      tooltip: { position: "top", formatter: function (p) {
        return d.regions[p.value[1]] + "<br>" + d.dates[p.value[0]] + "：" + p.value[2] + " " + (d.label || "");
      } },
      grid: { left: 8, right: 16, top: 8, bottom: size * 4, containLabel: true },
      xAxis: { type: "category", data: d.dates, splitArea: { show: true }, axisLabel: { fontSize: size * 0.7 } },
      yAxis: { type: "category", data: d.regions, splitArea: { show: true }, axisLabel: { fontSize: size * 0.8 } },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   itemHeight: size * 8, textStyle: { fontSize: size * 0.7 },
                   inRange: { color: ["#fff5f0", "#fcbba1", "#fb6a4a", "#cb181d", "#67000d"] } },
      series: [{ name: d.label || "", type: "heatmap", data: d.cells, label: { show: d.dates.length <= 31,
                 fontSize: size * 0.65, formatter: function (p) { return p.value[2] || ""; } },
                 emphasis: { itemStyle: { shadowBlur: 6, shadowColor: "rgba(0,0,0,.4)" } } }]
    };
  }

  function placesOption(d, size) {
    var labels = d.labels || {};
    var max = 1;
    d.points.forEach(function (p) { if (p.value > max) { max = p.value; } });
    function radius(v) { return v ? size * 0.8 + size * 2.2 * Math.sqrt(v / max) : size * 0.5; }
    return {
      textStyle: { fontSize: size * 0.8 },
      tooltip: { formatter: function (p) {
        var r = p.data.raw;
        return r.name + "<br>" + (labels.signals || "") + "：" + r.value + "<br>" + (labels.open || "") + "：" + r.open;
      } },
      grid: { left: 8, right: size * 5, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", scale: true, name: labels.lon || "", axisLabel: { fontSize: size * 0.7 },
               splitLine: { lineStyle: { type: "dashed" } } },
      yAxis: { type: "value", scale: true, name: labels.lat || "", axisLabel: { fontSize: size * 0.7 },
               splitLine: { lineStyle: { type: "dashed" } } },
      series: [{ type: "scatter", data: d.points.map(function (p) {
        return { value: [p.lon, p.lat, p.value], name: p.name, raw: p,
                 symbolSize: radius(p.value), itemStyle: { color: p.open ? RED : (p.value ? ORANGE : GREY),
                                                          opacity: 0.8 } };
      }), label: { show: true, position: "right", fontSize: size * 0.75,
                   formatter: function (p) { return p.data.raw.name + " " + p.data.raw.value; } } }]
    };
  }

  function kpiOption(d, size) {
    var units = [];
    d.series.forEach(function (s) { if (units.indexOf(s.unit || "") < 0) { units.push(s.unit || ""); } });
    return {
      color: PALETTE,
      textStyle: { fontSize: size * 0.8 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { fontSize: size * 0.8 } },
      grid: { left: 8, right: 24, top: size * 2.4, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.categories, axisLabel: { fontSize: size * 0.75, interval: 0 } },
      yAxis: units.map(function (unit, i) {
        return { type: "value", position: i ? "right" : "left", max: unit === "%" ? 100 : null,
                 splitLine: { show: i === 0 }, axisLabel: { formatter: "{value}" + unit, fontSize: size * 0.7 } };
      }),
      series: d.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, yAxisIndex: units.indexOf(s.unit || ""),
                 label: { show: d.categories.length <= 8, position: "top", fontSize: size * 0.6,
                          formatter: function (p) { return p.value == null ? "" : p.value + (s.unit || ""); } } };
      })
    };
  }

  var OPTIONS = { series: seriesOption, grid: gridOption, places: placesOption, kpi: kpiOption };

  function draw(element) {
    if (typeof echarts === "undefined") { return; }
    var source = document.getElementById(element.dataset.source);
    var make = OPTIONS[element.dataset.dtChart];
    if (!source || !make) { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var size = fontSize();
    chart.setOption(make(data, size));
    element.dataset.rendered = "true";
    window.addEventListener("resize", function () {
      var next = fontSize();
      if (next !== size) {
        size = next;
        chart.setOption(make(data, size), true);
      }
      chart.resize();
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-dt-chart]").forEach(function (el) {
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
