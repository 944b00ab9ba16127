// Draws the board's charts from the numbers in each canvas's data-chart attribute.
// The same numbers are in the tables on the page, which work without JavaScript.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var colour = "#0b5d3b";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    if (!spec.labels.length) { canvas.closest("figure").hidden = true; return; }
    new window.Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: [{ data: spec.values, backgroundColor: colour, borderColor: colour }]
      },
      options: {
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return item.formattedValue + spec.unit; } } }
        },
        scales: { y: { beginAtZero: true } }
      }
    });
  });
}());
