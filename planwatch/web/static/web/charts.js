// Charts of the indicator page, drawn with the vendored ECharts from data the server embeds.
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var s = data("series-data");
  if (s && s.periods.length) {
    var yoy = s.yoy_label || "同比 %";
    draw("series-chart", {
      tooltip: { trigger: "axis" }, legend: { data: [s.name + "(" + s.unit + ")", yoy] },
      xAxis: { type: "category", data: s.periods },
      yAxis: [{ type: "value", name: s.unit }, { type: "value", name: "%" }],
      series: [
        { name: s.name + "(" + s.unit + ")", type: "bar", data: s.values },
        { name: yoy, type: "line", yAxisIndex: 1, data: s.yoy }
      ]
    });
  }
  var b = data("breakdown-data");
  if (b && b.units.length) {
    draw("breakdown-chart", {
      tooltip: {}, grid: { left: 110 },
      xAxis: { type: "value", name: b.unit }, yAxis: { type: "category", data: b.units.slice().reverse() },
      series: [{ type: "bar", data: b.values.slice().reverse() }]
    });
  }
})();
