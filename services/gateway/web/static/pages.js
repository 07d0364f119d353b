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

  // An association's dashboard: the associations under it, by the figure ranked by (a
  // count's axis steps by whole numbers; money is in yuan).
  function associationsChart(ranking) {
    return {
      type: "bar",
      options: {animation: false, indexAxis: "y",
                scales: {x: {beginAtZero: true, ticks: {precision: ranking.whole ? 0 : 2}}}},
      data: {labels: ranking.rows.map(function (r) { return r.name; }), datasets: [
        {label: ranking.label, data: ranking.rows.map(function (r) { return r.value; }),
         backgroundColor: "#1565c0"}]}
    };
  }

  function printButtons() {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Switching language reloads the page the form is on: what was typed into its forms is
  // kept in this tab for that one load (never passwords, nor the hidden tokens, which the
  // new page brings fresh).
  var TYPED = "phf-typed";

  function typedFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && ["hidden", "password", "submit", "button", "file"]
        .indexOf(field.type) < 0;
    });
  }

  function keepTyped(back) {
    var forms = {};
    document.querySelectorAll("form[id]").forEach(function (form) {
      forms[form.id] = typedFields(form).map(function (field) {
        var checkable = field.type === "checkbox" || field.type === "radio";
        return [field.name, checkable ? field.checked : field.value, field.value];
      });
    });
    sessionStorage.setItem(TYPED, JSON.stringify({back: back, forms: forms}));
  }

  function restoreTyped() {
    var kept = JSON.parse(sessionStorage.getItem(TYPED) || "null");
    sessionStorage.removeItem(TYPED);
    if (!kept || kept.back !== location.pathname + location.search) { return; }
    Object.keys(kept.forms).forEach(function (id) {
      var form = document.getElementById(id);
      if (!form || form.tagName !== "FORM") { return; }
      var fields = typedFields(form);
      kept.forms[id].forEach(function (entry) {
        fields.forEach(function (field) {
          if (field.name !== entry[0]) { return; }
          if (field.type === "checkbox" || field.type === "radio") {
            if (field.value === entry[2]) { field.checked = entry[1]; }
          } else {
            field.value = entry[1];
          }
        });
      });
    });
  }

  function languageLinks() {
    document.querySelectorAll("#lang-zh, #lang-en").forEach(function (link) {
      link.addEventListener("click", function () {
        keepTyped(new URL(link.href).searchParams.get("back"));
      });
    });
  }

  // After every deferred script, Chart.js included, has run.
  document.addEventListener("DOMContentLoaded", function () {
    restoreTyped();
    languageLinks();
    bars("by-month", "by-month-data", statementChart);
    bars("ranking", "ranking-data", rankingChart);
    bars("association-ranking", "association-ranking-data", associationsChart);
    printButtons();
  });
}());
