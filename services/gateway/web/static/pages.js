// What the pages do in the browser. All of it lives in this file: the Content-Security-Policy
// runs no inline script or event handler. A page hands its data over in a
// <script type="application/json"> block, which is read, never run.
(function () {
  "use strict";

  function data(id) {
    const block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function bars(canvasId, dataId, build) {
    const canvas = document.getElementById(canvasId);
    const given = data(dataId);
    if (canvas && given && window.Chart) {
      new window.Chart(canvas, build(given));
    }
  }

  function statementChart(months) {
    return {
      type: "bar",
      options: {animation: false},
      data: {labels: months.labels, datasets: [
        {label: months.in_label, data: months.in, backgroundColor: "#2e7d32"},
        {label: months.out_label, data: months.out, backgroundColor: "#c62828"}]}
    };
  }

  function rankingChart(ranking) {
    return {
      type: "bar",
      options: {animation: false, indexAxis: "y"},
      data: {labels: ranking.rows.map(function (r) { return r.name; }), datasets: [
        {label: ranking.label, data: ranking.rows.map(function (r) { return r.hours; }),
         backgroundColor: "#1565c0"}]}
    };
  }

  function printButtons() {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // After every deferred script, Chart.js included, has run.
  document.addEventListener("DOMContentLoaded", function () {
    bars("by-month", "by-month-data", statementChart);
    bars("ranking", "ranking-data", rankingChart);
    printButtons();
  });
}());
