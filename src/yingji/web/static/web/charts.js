/* Draws every chart on the page from data embedded with json_script (no network calls).
   <div class="chart" data-chart="pie|bar" data-source="id-of-json-script" aria-label="…"></div> */
(function () {
  "use strict";
  function draw(element) {
    if (typeof echarts === "undefined") { return; }
    var source = document.getElementById(element.dataset.source);
    if (!source) { return; }
    var rows = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var kind = element.dataset.chart || "bar";
    var option;
    if (kind === "pie") {
      option = {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { type: "scroll", orient: "vertical", right: 0, top: "middle" },
        series: [{ type: "pie", radius: ["40%", "70%"], center: ["35%", "50%"], data: rows,
                   label: { formatter: "{b}\n{c}" } }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
        series: [{ type: "bar", data: rows.map(function (r) { return r.value; }),
                   itemStyle: { color: "#b0202a" }, label: { show: true, position: "right" } }]
      };
    }
    chart.setOption(option);
    element.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
