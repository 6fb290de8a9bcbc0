// Draws the report's time series with uPlot from the JSON the page embeds (reports/timeseries.py):
// run time below, the replayed real time (the festival clock) above, gates at their thresholds,
// a drill's steps as marked moments. Dragging zooms every chart alike; hovering shows values.
(function () {
  "use strict";
  const spec = JSON.parse(document.getElementById("series-data").textContent);
  const clock = spec.clock;
  const ratio = window.devicePixelRatio || 1;
  const NICE_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
                  86400, 172800, 604800];
  const three = new Intl.NumberFormat("en-US", {maximumSignificantDigits: 3});
  const pad = n => String(n).padStart(2, "0");

  function runTime(s) {
    const total = Math.round(s), h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60);
    return h ? `${h}:${pad(m)}:${pad(total % 60)}` : `${m}:${pad(total % 60)}`;
  }

  function clockDate(s) {  // the replayed wall time, read with UTC getters (see FestivalClock)
    return new Date(clock.start_wall_ms + s * clock.compression * 1000);
  }

  function clockText(s, style) {
    const d = clockDate(s);
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    const day = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    if (style === "full") return `${d.getUTCFullYear()}-${day} ${time}:${pad(d.getUTCSeconds())}`;
    if (style === "day") return `${day} ${time}`;
    return style === "seconds" ? `${time}:${pad(d.getUTCSeconds())}` : time;
  }

  function clockSplits(u, axisIdx, min, max) {
    // Ticks at round moments of the replayed clock, mapped back onto run seconds.
    const span = (max - min) * clock.compression;
    const wanted = Math.max(2, Math.floor(u.bbox.width / ratio / 110));
    const step = NICE_S.find(s => span / s <= wanted) || NICE_S[NICE_S.length - 1];
    const startS = clock.start_wall_ms / 1000;
    const splits = [];
    for (let c = Math.ceil((startS + min * clock.compression) / step) * step;
         c <= startS + max * clock.compression; c += step) {
      splits.push((c - startS) / clock.compression);
    }
    u._clockStyle = span >= 86400 ? "day" : (step < 60 ? "seconds" : "minutes");
    return splits;
  }

  function drawThresholds(u, chart) {
    const ctx = u.ctx, {left, top, width, height} = u.bbox, line = 13 * ratio;
    ctx.save();
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.textAlign = "right";
    const drawn = chart.thresholds
      .map(t => ({t, y: Math.round(u.valToPos(t.value, "y", true))}))
      .filter(({y}) => y >= top && y <= top + height)
      .sort((a, b) => a.y - b.y);
    let free = top;  // labels above their lines, pushed down so none overlaps the one before
    for (const {t, y} of drawn) {
      const colour = t.passed ? "#27ae60" : "#c0392b";
      ctx.strokeStyle = ctx.fillStyle = colour;
      ctx.lineWidth = 1.5 * ratio;
      ctx.setLineDash([6 * ratio, 4 * ratio]);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      const baseline = Math.max(y - 4 * ratio, free + line), right = left + width - 4 * ratio;
      const box = ctx.measureText(t.label).width;
      ctx.fillStyle = "rgba(255, 255, 255, 0.85)";  // the label stays legible over the data
      ctx.fillRect(right - box - 2 * ratio, baseline - 10 * ratio, box + 4 * ratio, 13 * ratio);
      ctx.fillStyle = colour;
      ctx.fillText(t.label, right, baseline);
      free = baseline;
    }
    ctx.restore();
  }

  function drawMarkers(u) {
    const ctx = u.ctx, {left, top, width, height} = u.bbox;
    const at = t => Math.round(u.valToPos(t, "x", true));
    ctx.save();
    const on = spec.markers.find(m => m.label === "fault on");
    const off = spec.markers.find(m => m.label === "fault cleared");
    if (on) {  // the fault's span, shaded
      const x0 = Math.max(left, at(on.t)), x1 = Math.min(left + width, off ? at(off.t) : left + width);
      ctx.fillStyle = "rgba(192, 57, 43, 0.07)";
      if (x1 > x0) ctx.fillRect(x0, top, x1 - x0, height);
    }
    ctx.font = `${10 * ratio}px system-ui, sans-serif`;
    ctx.textAlign = "left";
    spec.markers.forEach((m, i) => {
      const x = at(m.t);
      if (x < left || x > left + width) return;
      const colour = m.kind === "breach" ? "#c0392b" : "#555";
      ctx.strokeStyle = colour;
      ctx.lineWidth = ratio;
      ctx.setLineDash([2 * ratio, 3 * ratio]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      const y = top + (12 + 12 * (i % 4)) * ratio, box = ctx.measureText(m.label).width;
      ctx.fillStyle = "rgba(255, 255, 255, 0.6)";  // legible, and the data still shows through
      ctx.fillRect(x + 2 * ratio, y - 9 * ratio, box + 2 * ratio, 12 * ratio);
      ctx.fillStyle = colour;
      ctx.fillText(m.label, x + 3 * ratio, y);
    });
    ctx.restore();
  }

  function yScale(chart) {
    const limits = chart.thresholds.map(t => t.value);
    if (chart.scale === "log") {
      return {distr: 3, log: 10, range: (u, min, max) => {
        const lo = Math.min(min ?? Infinity, ...limits), hi = Math.max(max ?? -Infinity, ...limits);
        return isFinite(lo) && isFinite(hi) ? uPlot.rangeLog(lo, hi, 10, true) : [1, 1000];
      }};
    }
    // Headroom above the highest line or gate for the labels of marked moments; asinh needs more
    // to give the same height, being logarithmic up there.
    const room = chart.scale === "asinh" ? 2.5 : 1.2;
    const range = (u, min, max) => [0, Math.max(max ?? 0, ...limits, 0.01) * room];
    // asinh: linear within 0.01 of 0, logarithmic above, so a 0.1 % gate and a 30 % fault both read.
    return chart.scale === "asinh" ? {distr: 4, asinh: 0.01, range} : {range};
  }

  function oneTwoFive(floor) {
    // Grid lines on a log or asinh axis at 1, 2 and 5 times each power of ten from `floor` up.
    return (u, axisIdx, min, max) => {
      const splits = min <= 0 ? [0] : [];
      for (let p = Math.floor(Math.log10(Math.max(min, floor))); Math.pow(10, p) <= max; p++) {
        for (const m of [1, 2, 5]) {
          const v = m * Math.pow(10, p);
          if (v >= Math.max(min, floor) && v <= max) splits.push(v);
        }
      }
      return splits;
    };
  }

  function yAxis(chart) {
    const axis = {scale: "y", label: chart.y_label, size: 60};
    if (chart.scale === "linear") {
      return {...axis, values: (u, splits) => splits.map(v => v == null ? "" : three.format(v))};
    }
    // asinh spans more decades in the same height: only its powers of ten are labelled.
    // uPlot hands a split it thins out as null.
    const labelled = chart.scale === "log" ? v => v != null
      : v => v === 0 || (v != null && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    return {...axis, splits: oneTwoFive(chart.scale === "log" ? 1e-3 : 0.01),
            values: (u, splits) => splits.map(v => labelled(v) ? three.format(v) : "")};
  }

  const plots = [];
  let syncing = false;

  function options(chart, el) {
    const axes = [{scale: "x", side: 2, label: "time into the run (m:ss)", incrs: NICE_S,
                   values: (u, splits) => splits.map(runTime)}];
    if (clock) {
      const squeezed = clock.compression !== 1 ? `, ${three.format(clock.compression)}× compressed` : "";
      axes.push({scale: "x", side: 0, label: `real time replayed (${clock.zone}${squeezed})`,
                 splits: clockSplits, grid: {show: false}, values: (u, splits) => splits.map(s => clockText(s, u._clockStyle))});
    }
    axes.push(yAxis(chart));
    return {
      width: el.clientWidth, height: 320,
      title: chart.title,
      scales: {x: {time: false}, y: yScale(chart)},
      axes,
      series: [
        {label: "time", value: (u, v) => v == null ? "—" : runTime(v) + (clock ? ` · ${clockText(v, "full")}` : "")},
        ...chart.series.map(s => ({
          label: s.label, stroke: s.color, width: s.width, dash: s.dash.length ? s.dash : undefined,
          spanGaps: false, points: {show: false},
          value: (u, v) => v == null ? "—" : three.format(v) + chart.unit,
        })),
      ],
      // only time is shared: the other charts show the moment, not a stray level line
      cursor: {sync: {key: "run", scales: ["x", null]}, drag: {x: true, y: false}},
      legend: {live: true},
      hooks: {
        draw: [u => { drawMarkers(u); drawThresholds(u, chart); }],
        setScale: [(u, key) => {
          if (key !== "x" || syncing) return;
          syncing = true;  // one chart zoomed: every other follows, once
          for (const other of plots) {
            if (other !== u) other.setScale("x", {min: u.scales.x.min, max: u.scales.x.max});
          }
          syncing = false;
        }],
      },
    };
  }

  for (const el of document.querySelectorAll(".plot[data-chart]")) {
    const chart = spec.charts.find(c => c.id === el.dataset.chart);
    if (!chart || !chart.x.length) {
      el.textContent = "No data for this chart.";
      continue;
    }
    el.textContent = "";  // the note for viewers that do not run this script
    plots.push(new uPlot(options(chart, el), [chart.x, ...chart.series.map(s => s.values)], el));
  }

  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => plots.forEach(u => u.setSize({width: u.root.parentElement.clientWidth, height: 320})), 100);
  });
})();
