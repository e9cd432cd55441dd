// Draws the questions-per-day chart from the data the page carries in data-chart
// (the same numbers are in the table under it, for readers without JavaScript).
(function () {
  "use strict";
  var canvas = document.getElementById("usage-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(canvas.dataset.chart);
  var colors = ["#2da44e", "#cf222e"];
  canvas.chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.days,
      datasets: data.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: colors[i % colors.length], stack: "asked" };
      })
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
  canvas.dataset.rendered = "true";
}());
