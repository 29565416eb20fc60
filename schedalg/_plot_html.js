// schedalg explorable plot: draws the curves embedded as JSON in each .schedalg-plot element
// as SVG, with a hover read-out, drag-to-zoom (double-click resets), a log-scale toggle and
// curve toggles in the legend. Plain JS, no library, no network.
//
// Data (written by schedalg/_plot_html.py): {title, end, log, curves: [{label, expr, color,
// t, v, marks}]}; t: the sampled steps in increasing order (null: every step 0, 1, ...),
// v: s(t) at each one ("Infinity", "-Infinity" or "NaN" where not finite), marks: breakpoints.
//
// The read-out shows, for each curve, the value at the sampled step nearest the cursor: every
// whole step is sampled when the range is small, so the value shown is the schedule's own.
// ?hover=K in the page address shows the read-out at step K on load (for scripted checks);
// window.schedalgPlots holds one controller per plot for the same purpose.
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg"; // the SVG namespace name; nothing is fetched
  const W = 760, H = 380, L = 70, R = 28, T = 14, B = 40;
  const PW = W - L - R, PH = H - T - B;

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(tag, cls, parent, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  // Values to 6 significant digits, steps in full: what the read-out shows.
  function fmtValue(v) {
    return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
  }
  function fmtTick(v) {
    return String(Number(v.toPrecision(4)));
  }

  // Index of the first element of the sorted array a that is >= x.
  function lowerBound(a, x) {
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function nearest(a, x) {
    const i = lowerBound(a, x);
    if (i === 0) return 0;
    if (i === a.length) return a.length - 1;
    return x - a[i - 1] <= a[i] - x ? i - 1 : i;
  }

  // About n round ticks (1, 2 or 5 times a power of ten) covering [lo, hi].
  function linearTicks(lo, hi, n) {
    const raw = (hi - lo) / n;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v);
    return out;
  }

  function logTicks(lo, hi) {
    const out = [];
    for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) {
      out.push(Math.pow(10, e));
    }
    return out.length >= 2 ? out : linearTicks(lo, hi, 4).filter((v) => v > 0);
  }

  function Plot(root, data) {
    const curves = data.curves.map((c) => {
      const v = c.v.map(Number);
      const t = c.t === null ? v.map((_, i) => i) : c.t;
      return { label: c.label, expr: c.expr, color: c.color, t: t, v: v, marks: c.marks,
               shown: true };
    });
    const end = data.end;
    let x0 = 0, x1 = end, log = !!data.log, hoverStep = null, drag = null;
    let y0 = 0, y1 = 1;

    if (data.title) html("div", "schedalg-title", root, data.title);
    const bar = html("div", "schedalg-bar", root);
    const legend = html("div", "schedalg-legend", bar);
    const tools = html("div", "schedalg-tools", bar);
    const logLabel = html("label", "", tools);
    const logBox = html("input", "", logLabel);
    logBox.type = "checkbox";
    logBox.checked = log;
    logLabel.appendChild(document.createTextNode(" log scale"));
    const resetButton = html("button", "", tools, "reset zoom");
    resetButton.type = "button";

    const box = html("div", "schedalg-box", root);
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" }, box);
    el("title", {}, svg).textContent = "schedule plot: hover for values, drag to zoom, " +
      "double-click to reset";
    const axes = el("g", { class: "axes" }, svg);
    const area = el("svg", { x: L, y: T, width: PW, height: PH, viewBox: `0 0 ${PW} ${PH}` },
                    svg);
    const marksLayer = el("g", {}, area);
    const lines = curves.map((c) => el("path", { fill: "none", stroke: c.color,
                                                 "stroke-width": 1.6 }, area));
    const cursor = el("line", { class: "cursor", y1: 0, y2: PH, visibility: "hidden" }, area);
    const dots = curves.map((c) => el("circle", { r: 3.5, fill: c.color,
                                                  visibility: "hidden" }, area));
    const band = el("rect", { class: "band", y: 0, height: PH, visibility: "hidden" }, area);
    const overlay = el("rect", { width: PW, height: PH, fill: "transparent" }, area);
    const readout = html("div", "schedalg-readout", box);
    readout.hidden = true;

    const sx = (t) => ((t - x0) / (x1 - x0)) * PW;
    const stepAt = (px) => x0 + (px / PW) * (x1 - x0);
    const fy = (v) => (log ? Math.log10(v) : v);
    const sy = (v) => PH - ((fy(v) - fy(y0)) / (fy(y1) - fy(y0))) * PH;
    const drawable = (v) => Number.isFinite(v) && (!log || v > 0);

    // The value range of the shown curves over the shown steps, with a margin.
    function fitY() {
      let lo = Infinity, hi = -Infinity;
      for (const c of curves) {
        if (!c.shown) continue;
        const i0 = Math.max(lowerBound(c.t, x0) - 1, 0);
        const i1 = Math.min(lowerBound(c.t, x1) + 1, c.t.length);
        for (let i = i0; i < i1; i++) {
          if (drawable(c.v[i])) { lo = Math.min(lo, c.v[i]); hi = Math.max(hi, c.v[i]); }
        }
      }
      if (!(lo <= hi)) { lo = log ? 0.1 : 0; hi = log ? 10 : 1; }
      if (log) {
        const pad = Math.pow(Math.max(hi / lo, 10), 0.05);
        y0 = lo / pad; y1 = hi * pad;
      } else {
        const pad = hi > lo ? (hi - lo) * 0.05 : Math.abs(hi) * 0.1 || 1;
        y0 = lo - pad; y1 = hi + pad;
      }
    }

    function drawAxes() {
      axes.textContent = "";
      el("rect", { x: L, y: T, width: PW, height: PH, class: "frame" }, axes);
      for (const t of linearTicks(x0, x1, 6)) {
        const x = L + sx(t);
        el("line", { x1: x, x2: x, y1: T, y2: T + PH, class: "grid" }, axes);
        el("text", { x: x, y: T + PH + 16, "text-anchor": "middle" }, axes).textContent =
          fmtTick(t);
      }
      const ticks = log ? logTicks(y0, y1) : linearTicks(y0, y1, 6);
      for (const v of ticks) {
        const y = T + sy(v);
        el("line", { x1: L, x2: L + PW, y1: y, y2: y, class: "grid" }, axes);
        el("text", { x: L - 6, y: y + 4, "text-anchor": "end" }, axes).textContent =
          fmtTick(v);
      }
      el("text", { x: L + PW / 2, y: H - 4, "text-anchor": "middle" }, axes).textContent =
        "step";
    }

    function drawCurves() {
      marksLayer.textContent = "";
      curves.forEach((c, k) => {
        lines[k].setAttribute("visibility", c.shown ? "visible" : "hidden");
        if (!c.shown) return;
        for (const b of c.marks) {
          if (b <= x0 || b >= x1) continue;
          el("line", { x1: sx(b), x2: sx(b), y1: 0, y2: PH, stroke: c.color, class: "mark" },
             marksLayer);
        }
        const i0 = Math.max(lowerBound(c.t, x0) - 1, 0);
        const i1 = Math.min(lowerBound(c.t, x1) + 1, c.t.length);
        let d = "", pen = "M";
        for (let i = i0; i < i1; i++) {
          if (!drawable(c.v[i])) { pen = "M"; continue; }
          d += `${pen}${sx(c.t[i]).toFixed(2)} ${sy(c.v[i]).toFixed(2)}`;
          pen = "L";
        }
        lines[k].setAttribute("d", d);
      });
    }

    function draw() {
      fitY();
      drawAxes();
      drawCurves();
      showHover(hoverStep);
    }

    // The read-out at a step: for each shown curve, its value at the sampled step nearest it.
    function showHover(step) {
      hoverStep = step;
      const off = step === null || step < x0 || step > x1;
      cursor.setAttribute("visibility", off ? "hidden" : "visible");
      readout.hidden = off;
      dots.forEach((d) => d.setAttribute("visibility", "hidden"));
      if (off) return;
      cursor.setAttribute("x1", sx(step));
      cursor.setAttribute("x2", sx(step));
      readout.textContent = "";
      html("div", "step", readout, `step ${step}`);
      curves.forEach((c, k) => {
        if (!c.shown) return;
        const i = nearest(c.t, step);
        const row = html("div", "row", readout);
        html("span", "swatch", row).style.background = c.color;
        html("span", "label", row, c.label);
        html("span", "value", row, fmtValue(c.v[i]));
        html("span", "at", row, c.t[i] === step ? "" : `at step ${c.t[i]}`);
        if (drawable(c.v[i]) && c.t[i] >= x0 && c.t[i] <= x1) {
          dots[k].setAttribute("cx", sx(c.t[i]));
          dots[k].setAttribute("cy", sy(c.v[i]));
          dots[k].setAttribute("visibility", "visible");
        }
      });
      // Beside the cursor, on the side with room.
      const scale = box.clientWidth / W;
      const x = (L + sx(step)) * scale;
      const right = x + 12 + readout.offsetWidth < box.clientWidth;
      readout.style.left = `${Math.max(right ? x + 12 : x - 12 - readout.offsetWidth, 0)}px`;
      readout.style.top = `${T * scale + 4}px`;
    }

    // Steps under a mouse event, in the plot area's units (0 .. PW).
    function areaX(ev) {
      const r = svg.getBoundingClientRect();
      return Math.min(Math.max(((ev.clientX - r.left) * W) / r.width - L, 0), PW);
    }

    // The whole step nearest a point of the range (the end itself when it is not whole).
    function snap(step) {
      return Math.min(Math.max(Math.round(step), 0), end);
    }

    // Show steps a .. b (at least 4 steps, within 0 .. end).
    function zoom(a, b) {
      const span = Math.min(end, Math.max(Math.abs(b - a), 4));
      const mid = (a + b) / 2;
      x0 = Math.min(Math.max(mid - span / 2, 0), end - span);
      x1 = x0 + span;
      draw();
    }

    overlay.addEventListener("mousemove", (ev) => {
      const px = areaX(ev);
      if (drag !== null) {
        band.setAttribute("x", Math.min(drag, px));
        band.setAttribute("width", Math.abs(px - drag));
        band.setAttribute("visibility", "visible");
      }
      showHover(snap(stepAt(px)));
    });
    overlay.addEventListener("mouseleave", () => { if (drag === null) showHover(null); });
    overlay.addEventListener("mousedown", (ev) => { drag = areaX(ev); ev.preventDefault(); });
    window.addEventListener("mouseup", (ev) => {
      if (drag === null) return;
      const a = drag, b = areaX(ev);
      drag = null;
      band.setAttribute("visibility", "hidden");
      if (Math.abs(b - a) > 3) zoom(stepAt(a), stepAt(b));
    });
    overlay.addEventListener("dblclick", () => zoom(0, end));
    resetButton.addEventListener("click", () => zoom(0, end));
    logBox.addEventListener("change", () => { log = logBox.checked; draw(); });

    curves.forEach((c, k) => {
      const item = html("button", "schedalg-item", legend);
      item.type = "button";
      item.title = c.expr;
      item.setAttribute("aria-pressed", "true");
      html("span", "swatch", item).style.background = c.color;
      html("span", "", item, c.label);
      item.addEventListener("click", () => {
        c.shown = !c.shown;
        item.setAttribute("aria-pressed", String(c.shown));
        dots[k].setAttribute("visibility", "hidden");
        draw();
      });
    });

    draw();
    return {
      hover: showHover,
      zoom: zoom,
      setLog: (on) => { logBox.checked = log = !!on; draw(); },
      // Where step t is drawn, in the page's client coordinates (the middle of the plot height).
      clientPoint: (t) => {
        const r = svg.getBoundingClientRect();
        return { x: r.left + ((L + sx(t)) * r.width) / W, y: r.top + ((T + PH / 2) * r.height) / H };
      },
      view: () => [x0, x1],
    };
  }

  window.schedalgPlots = [];
  for (const root of document.querySelectorAll(".schedalg-plot")) {
    const data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
    window.schedalgPlots.push(Plot(root, data));
  }
  const hover = new URLSearchParams(window.location.search).get("hover");
  if (hover !== null && hover !== "" && Number.isFinite(Number(hover))) {
    for (const p of window.schedalgPlots) p.hover(Number(hover));
  }
})();
