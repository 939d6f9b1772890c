// The sales funnel page's charts, drawn with ECharts from the JSON in #funnel-data. The tables
// under the charts carry the same numbers, so nothing is lost without this script.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("funnel-data");
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var charts = [];

    function chart(name, option) {
      var element = document.querySelector('[data-chart="' + name + '"]');
      if (!element) {
        return;
      }
      var instance = echarts.init(element, null, { renderer: "svg" });
      instance.setOption(option);
      charts.push(instance);
    }

    var leadColour = "#206bc4";
    var opportunityColour = "#2fb344";
    chart("funnel", {
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [{
        type: "funnel",
        sort: "none",
        minSize: "8%",
        gap: 2,
        label: { show: true, position: "inside", formatter: "{b}: {c}" },
        data: data.stages.map(function (stage) {
          return {
            name: stage.name,
            value: stage.value,
            itemStyle: { color: stage.phase === "lead" ? leadColour : opportunityColour },
          };
        }),
      }],
    });

    function bars(labels, series) {
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: labels, inverse: true },
        series: series.map(function (item) {
          return { type: "bar", name: item.name, data: item.data };
        }),
      };
    }

    chart("sources", bars(data.sources.labels, [
      { name: data.names.leads, data: data.sources.leads },
      { name: data.names.converted, data: data.sources.converted },
      { name: data.names.won, data: data.sources.won },
    ]));
    [["leads", data.names.lead_lost], ["opportunities", data.names.opportunity_lost]].forEach(
      function (pair) {
        var reasons = data.lost[pair[0]];
        chart("lost-" + pair[0], bars(
          reasons.map(function (reason) { return reason.reason; }),
          [{ name: pair[1], data: reasons.map(function (reason) { return reason.count; }) }]
        ));
      }
    );
    chart("months", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: "category", data: data.months.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "line", name: data.names.leads, data: data.months.leads },
        { type: "line", name: data.names.converted, data: data.months.converted },
        { type: "line", name: data.names.won, data: data.months.won },
      ],
    });

    window.addEventListener("resize", function () {
      charts.forEach(function (instance) { instance.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
