// History, forecast and 80%/95% bands of one series, from the json_script block "chart-data".
(function () {
  const source = document.getElementById("chart-data");
  const canvas = document.getElementById("forecast-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const band = (label, lower, upper, colour) => [
    { label: label, data: upper, borderWidth: 0, pointRadius: 0, backgroundColor: colour, fill: "+1" },
    { label: label + " (lower)", data: lower, borderWidth: 0, pointRadius: 0, backgroundColor: colour, fill: false },
  ];
  new Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        { label: "History", data: data.history, borderColor: "#5b6878", borderWidth: 1, pointRadius: 0 },
        { label: "Forecast", data: data.forecast, borderColor: "#0b5d7a", borderWidth: 2, pointRadius: 0 },
        ...band("95% interval", data.lo95, data.hi95, "rgba(11,93,122,0.12)"),
        ...band("80% interval", data.lo80, data.hi80, "rgba(11,93,122,0.25)"),
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: { xAxisKey: "x", yAxisKey: "y" },
      scales: { x: { type: "category", labels: data.history.map((p) => p.x).concat(data.forecast.map((p) => p.x)), ticks: { maxTicksLimit: 12 } }, y: { beginAtZero: true } },
      plugins: { legend: { labels: { filter: (item) => !item.text.endsWith("(lower)") } } },
    },
  });
})();
