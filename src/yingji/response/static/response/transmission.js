/* The transmission graph (传播链) of an event's investigation page, from data embedded with json_script (no network
   calls): <div data-transmission-graph data-source="id-of-json" data-labels="id-of-labels-json"></div>.
   Cases red, contacts amber, contacts who became cases dark red; arrows run from who exposed to who was exposed,
   dashed from a contact to the case they became. */
(function () {
  "use strict";
  var COLOURS = ["#b0202a", "#e0a100", "#6d0f16"];
  function draw(element) {
    if (typeof echarts === "undefined") { return; }
    var source = document.getElementById(element.dataset.source);
    var labelSource = document.getElementById(element.dataset.labels);
    if (!source) { return; }
    var graph = JSON.parse(source.textContent);
    var labels = labelSource ? JSON.parse(labelSource.textContent) : {};
    var categories = graph.categories.map(function (name, i) {
      return { name: labels[name] || name, itemStyle: { color: COLOURS[i % COLOURS.length] } };
    });
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { formatter: function (p) { return p.dataType === "node" ? p.data.name + (p.data.type ? " · " + p.data.type : "") : ""; } },
      legend: [{ data: categories.map(function (c) { return c.name; }), top: 0 }],
      animationDuration: 600,
      series: [{
        type: "graph", layout: "force", roam: true, zoom: graph.nodes.length < 30 ? 1.6 : 1, draggable: true, categories: categories, top: 40,
        force: { repulsion: 160, edgeLength: [40, 110], gravity: 0.08 },
        label: { show: true, position: "right", fontSize: 11 },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
        data: graph.nodes.map(function (n) {
          return { id: n.id, name: n.name, category: n.category, type: n.type,
                   symbolSize: n.category === 1 ? 12 : 20 };
        }),
        links: graph.links.map(function (l) {
          return { source: l.source, target: l.target,
                   lineStyle: { type: l.kind === "became_case" ? "dashed" : "solid", width: 1.5, opacity: 0.8 } };
        })
      }]
    });
    element.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-transmission-graph]").forEach(draw);
})();
