/**
 * The page's chart script: hands the chart specs of the page to uPlot (inlined before it).
 * Kept as a string in a TypeScript module (not a .js asset) so a compiled build carries it.
 * Plain ES2017, no modules, no network; no backticks, `${`, or backslashes inside (checked by
 * the tests, which also parse it).
 */
export const CLIENT_JS = String.raw`/* evalwatch report: draws the chart specs of the page with uPlot (inlined above this script).
 * Plain ES2017, no modules, no network. Every chart container gets data-rendered="<points>" once
 * drawn, or data-error="<message>" when it could not be (the browser test checks both). */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ew-charts').textContent || '{}');
  var COLORS = { before: '#7a869a', after: '#d9480f', band: 'rgba(76, 110, 245, 0.14)', bandLine: 'rgba(76, 110, 245, 0.55)', line: '#364fc7', alert: '#e03131' };
  var PALETTE = [COLORS.before, COLORS.after, '#2b8a3e', '#5f3dc4', '#c2255c'];

  function width(el) {
    return Math.max(280, Math.min(720, el.clientWidth || el.parentNode.clientWidth || 600));
  }
  function fmt(v) {
    if (v == null || !isFinite(v)) return '—';
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(1);
    return String(Number(v.toPrecision(4)));
  }
  // Axis ticks: uPlot passes null for ticks it filters out (log scales): no label, not a dash.
  function ticks(f) {
    return function (u, vs) { return vs.map(function (v) { return v == null ? '' : f(v); }); };
  }
  function pct(v) {
    return v == null ? '—' : Number((v * 100).toPrecision(3)) + '%';
  }
  function count(arrs) {
    var n = 0;
    for (var i = 0; i < arrs.length; i++) for (var j = 0; j < arrs[i].length; j++) if (arrs[i][j] != null) n++;
    return n;
  }

  function ecdf(el, s) {
    var series = [{ label: s.xLabel, value: function (u, v) { return fmt(v); } }];
    var ys = [];
    s.series.forEach(function (ser, i) {
      series.push({ label: ser.label, stroke: PALETTE[i % PALETTE.length], width: 2, paths: uPlot.paths.stepped({ align: 1 }), value: function (u, v) { return pct(v); } });
      ys.push(ser.y);
    });
    new uPlot({
      width: width(el), height: 240, series: series,
      scales: { x: s.log ? { time: false, distr: 3 } : { time: false }, y: { range: [0, 1] } },
      legend: { live: false },
      axes: [{ label: s.xLabel, values: ticks(fmt) }, { label: 'share ≤ x', values: ticks(pct) }],
    }, [s.x].concat(ys), el);
    return count(ys);
  }

  function bars(el, s) {
    var n = s.categories.length;
    var xs = s.categories.map(function (_, i) { return i; });
    var show = s.percent ? pct : fmt;
    var k = s.series.length;
    var series = [{ label: '', value: function (u, v) { return v == null ? '' : s.categories[v]; } }];
    var ys = [];
    // One series: centred bars; two (before/after): side by side, left and right of the tick.
    var size = k === 1 ? 0.6 : 0.4;
    s.series.forEach(function (ser, i) {
      series.push({
        label: ser.label, fill: PALETTE[i % PALETTE.length], stroke: PALETTE[i % PALETTE.length], width: 0,
        paths: uPlot.paths.bars({ size: [size, 120], align: k === 1 ? 0 : i === 0 ? -1 : 1 }),
        points: { show: false }, value: function (u, v) { return show(v); },
      });
      ys.push(ser.y);
    });
    // Interval whiskers (Wilson intervals of rates) over the middle of each bar, in canvas pixels.
    function whiskers(u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#212529';
      ctx.lineWidth = 1.5 * u.pxRatio;
      var slot = u.bbox.width / n;
      s.series.forEach(function (ser, si) {
        if (!ser.lo || !ser.hi) return;
        var shift = k === 1 ? 0 : (si === 0 ? -0.5 : 0.5) * size * slot;
        for (var i = 0; i < n; i++) {
          if (ser.lo[i] == null || ser.hi[i] == null) continue;
          var cx = u.valToPos(i, 'x', true) + shift;
          var y0 = u.valToPos(ser.lo[i], 'y', true);
          var y1 = u.valToPos(ser.hi[i], 'y', true);
          var cap = 4 * u.pxRatio;
          ctx.beginPath();
          ctx.moveTo(cx, y0); ctx.lineTo(cx, y1);
          ctx.moveTo(cx - cap, y0); ctx.lineTo(cx + cap, y0);
          ctx.moveTo(cx - cap, y1); ctx.lineTo(cx + cap, y1);
          ctx.stroke();
        }
      });
      ctx.restore();
    }
    var top = 0;
    s.series.forEach(function (ser) { (ser.hi || ser.y).concat(ser.y).forEach(function (v) { if (v != null && v > top) top = v; }); });
    new uPlot({
      width: width(el), height: 240, series: series,
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: [0, top > 0 ? top * 1.1 : 1] } },
      legend: { live: false },
      axes: [
        { splits: function () { return xs; }, values: function (u, vs) { return vs.map(function (v) { var c = s.categories[v]; return c == null ? '' : c.length > 18 ? c.slice(0, 17) + '…' : c; }); }, grid: { show: false } },
        { label: s.yLabel, values: ticks(show) },
      ],
      hooks: { draw: [whiskers] },
    }, [xs].concat(ys), el);
    return count(ys);
  }

  function band(el, s) {
    var show = s.percent ? pct : fmt;
    var alert = s.y.map(function (v, i) { return i === s.highlight ? v : null; });
    var series = [
      {},
      { label: s.labels.band + ' (low)', stroke: COLORS.bandLine, width: 1, points: { show: false }, value: function (u, v) { return show(v); } },
      { label: s.labels.band + ' (high)', stroke: COLORS.bandLine, width: 1, points: { show: false }, value: function (u, v) { return show(v); } },
      { label: s.labels.y, stroke: COLORS.line, width: 1.5, points: { show: s.x.length <= 60, size: 4 }, spanGaps: false, value: function (u, v) { return show(v); } },
      { label: s.labels.highlight, stroke: COLORS.alert, width: 0, paths: function () { return null; }, points: { show: true, size: 11, fill: COLORS.alert, stroke: COLORS.alert }, value: function (u, v) { return show(v); } },
    ];
    var cols = [s.x, s.lo, s.hi, s.y, alert];
    if (s.expected) {
      series.push({ label: 'expected', stroke: COLORS.bandLine, width: 1, dash: [5, 4], points: { show: false }, value: function (u, v) { return show(v); } });
      cols.push(s.expected);
    }
    new uPlot({
      width: width(el), height: 240, series: series,
      bands: [{ series: [2, 1], fill: COLORS.band }],
      legend: { live: false },
      axes: [{}, { label: s.labels.y, values: ticks(show), size: 60 }],
    }, cols, el);
    return count([s.y]);
  }

  var draw = { ecdf: ecdf, bars: bars, band: band };
  Object.keys(data).forEach(function (id) {
    var el = document.getElementById(id);
    var spec = data[id];
    if (!el) return;
    try {
      var points = draw[spec.type](el, spec);
      el.setAttribute('data-rendered', String(points));
    } catch (err) {
      el.setAttribute('data-error', String(err && err.message || err));
      console.error('evalwatch chart ' + id + ': ' + (err && err.message || err));
    }
  });
})();
`;
