/** What the studio page needs to know. */
export interface StudioPageInput {
  /** The image's `src`: a data URI (inline, survives HTML export) or the server's /image.png URL. */
  imageSrc: string;
  width: number;
  height: number;
  /** The server's origin, e.g. "http://127.0.0.1:41234" (the page posts clicks to `${endpoint}/api/...`). */
  endpoint: string;
  token: string;
  /** A unique element id (several studios may share a notebook page). */
  rootId: string;
  /** Longest displayed side, px. Default 900. */
  displayMaxSide?: number;
  title?: string;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

// The browser side, kept small and dependency-free. It posts clicks in image pixels, redraws the
// detections the server returns in an SVG overlay (viewBox = image pixels), rings boxes under 16 px so
// they stay visible, and records its progress in data-version / data-state for tests.
const SCRIPT = String.raw`
(function (cfg) {
  var root = document.getElementById(cfg.rootId);
  var img = root.querySelector("img.dk-image"), svg = root.querySelector("svg.dk-overlay");
  var status = root.querySelector(".dk-status"), cat = root.querySelector("input.dk-category");
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs) { var e = document.createElementNS(NS, name); for (var k in attrs) e.setAttribute(k, attrs[k]); return e; }
  function say(text, state) { status.textContent = text; root.setAttribute("data-state", state); }
  function draw(s) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var k = cfg.width / Math.max(1, img.clientWidth || cfg.width);
    s.detections.forEach(function (d) {
      var b = d.boxXyxy, w = b[2] - b[0], h = b[3] - b[1];
      svg.appendChild(el("rect", { "class": "dk-det", x: b[0], y: b[1], width: w, height: h, fill: "none", stroke: "#39ff14", "stroke-width": 2 * k,
        "data-box": b.join(","), "data-score": d.score, "data-category": d.categoryId }));
      if (Math.max(w, h) < 16) svg.appendChild(el("circle", { cx: b[0] + w / 2, cy: b[1] + h / 2, r: 8 * k, fill: "none", stroke: "#39ff14", "stroke-width": k }));
    });
    s.clicks.forEach(function (c, i) {
      svg.appendChild(el("circle", { "class": "dk-click", cx: c.x, cy: c.y, r: 5 * k, fill: "none", stroke: "#00e5ff", "stroke-width": 2 * k }));
    });
    root.setAttribute("data-version", String(s.version));
    say(s.clicks.length + " click(s), " + s.detections.length + " detection(s)" + (s.timeMs != null ? " in " + Math.round(s.timeMs) + " ms" : "") + (s.message ? " - " + s.message : ""), "ready");
  }
  function post(path, body) {
    say("working...", "busy");
    return fetch(cfg.endpoint + path, { method: "POST", headers: { "content-type": "application/json", "x-dealkit-token": cfg.token }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || ("HTTP " + r.status)); return j; }); })
      .then(draw)
      .catch(function (e) { say("error: " + e.message + " (is the studio server still running?)", "error"); });
  }
  img.addEventListener("click", function (ev) {
    var r = img.getBoundingClientRect();
    var body = { x: (ev.clientX - r.left) * cfg.width / r.width, y: (ev.clientY - r.top) * cfg.height / r.height };
    if (cat.value.trim() !== "") body.categoryId = Number(cat.value);
    post("/api/click", body);
  });
  root.querySelector("button.dk-reset").addEventListener("click", function () { post("/api/reset", {}); });
  say("click an object to prompt the detector", "ready");
})(CONFIG);
`;

/**
 * The studio page as an HTML fragment: the image with an SVG overlay, a category field, a reset button,
 * a status line and the script that talks to the server. The same fragment is the standalone page's body
 * and the notebook's inline output.
 */
export function studioPageHtml(input: StudioPageInput): string {
  const scale = Math.min(1, (input.displayMaxSide ?? 900) / Math.max(input.width, input.height));
  const w = Math.round(input.width * scale);
  const config = JSON.stringify({ rootId: input.rootId, endpoint: input.endpoint, token: input.token, width: input.width, height: input.height })
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e");
  return (
    `<div id="${esc(input.rootId)}" class="dealkit-studio" data-state="loading" data-version="0" style="font:13px sans-serif">` +
    (input.title ? `<div style="font-weight:bold;margin-bottom:4px">${esc(input.title)}</div>` : "") +
    `<div style="margin-bottom:4px">category id <input class="dk-category" type="number" style="width:5em" placeholder="none"> ` +
    `<button class="dk-reset" type="button">reset</button> <span class="dk-status">loading...</span></div>` +
    `<div style="position:relative;display:inline-block;width:${w}px;max-width:100%;line-height:0">` +
    `<img class="dk-image" src="${esc(input.imageSrc)}" alt="studio image" draggable="false" style="width:100%;height:auto;cursor:crosshair;image-rendering:pixelated">` +
    `<svg class="dk-overlay" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${input.width} ${input.height}" preserveAspectRatio="none" style="position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none"></svg>` +
    `</div><script type="text/javascript">${SCRIPT.replace("CONFIG", () => config)}</script></div>`
  );
}

/** A complete HTML document around the page fragment, for the standalone server. */
export function studioDocument(fragment: string, title = "dealkit studio"): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${fragment}</body></html>`;
}
