// The studio page's browser script, dependency-free. The view is a canvas: screen = image * s + (ox, oy).
// The server's state (clicks, detections) is drawn on it and listed beside it; the root element records
// the page's progress in data-* attributes (state, image, version, clicks, pending, view, hover) for tests.
// Written without backticks or "${" (it lives in a template string).
/** The script; "CONFIG" is replaced by the page's JSON config. */
export const STUDIO_PAGE_SCRIPT = String.raw`
(function (cfg) {
  var root = document.getElementById(cfg.rootId);
  function q(sel) { return root.querySelector(sel); }
  var view = q("canvas.dk-view"), ctx = view.getContext("2d"), lens = q("canvas.dk-lens"), lctx = lens.getContext("2d");
  var list = q("ol.dk-list"), statusEl = q(".dk-status"), catSel = q("select.dk-category"), magnify = q("input.dk-magnify");
  var PALETTE = ["#39ff14", "#ff2bd6", "#00e5ff", "#ffb000", "#ff4040", "#7cff8e", "#b07aff", "#ffffff", "#ff8a65", "#40c4ff"];
  var W = Math.max(320, Math.min(cfg.viewWidth, (root.parentElement ? root.parentElement.clientWidth : cfg.viewWidth) - 250));
  var H = Math.round(W * cfg.viewHeight / cfg.viewWidth), LS = lens.width, dpr = window.devicePixelRatio || 1;
  view.width = Math.round(W * dpr); view.height = Math.round(H * dpr);
  view.style.width = W + "px"; view.style.height = H + "px";
  var categories = cfg.categories.slice(), img = null, cur = 0, iw = 0, ih = 0, ready = false;
  var s = 1, ox = 0, oy = 0, minS = 0.1, maxS = 64, clicks = [], dets = [], version = -1, pending = false;
  var inflight = 0, failed = false, hover = -1, mouse = null, down = null, lastMessage = "";

  function setState() { root.setAttribute("data-state", !ready || inflight > 0 ? "busy" : failed ? "error" : "ready"); }
  function say(text, isError) { statusEl.textContent = text; failed = !!isError; setState(); }
  function fail(err) { clicks = clicks.filter(function (c) { return !c.local; }); draw(); say("error: " + (err.http ? err.message : "could not reach the studio server (it has stopped, or it refuses this page's origin)"), true); }
  function api(method, path, body) {
    inflight++; setState();
    var init = { method: method, headers: { "x-dealkit-token": cfg.token } };
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(cfg.endpoint + path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) { var e = new Error(j.error || ("HTTP " + r.status)); e.http = r.status; throw e; }
        return j;
      });
    }).finally(function () { inflight--; setState(); });
  }
  function colourOf(id) { for (var i = 0; i < categories.length; i++) if (categories[i].id === id) return PALETTE[i % PALETTE.length]; return "#cfd8dc"; }
  function nameOf(id) { for (var i = 0; i < categories.length; i++) if (categories[i].id === id) return categories[i].name; return id < 0 ? "(no category)" : "category " + id; }
  function fillCategories(select) {
    catSel.textContent = "";
    categories.forEach(function (c) { var o = document.createElement("option"); o.value = String(c.id); o.textContent = c.name; catSel.appendChild(o); });
    if (select !== undefined) catSel.value = String(select);
  }

  // Drawing: the visible part of the image (nearest neighbour when zoomed in), boxes, clicks, the lens.
  function drawImage(c, k, x0s, y0s, w, h) {
    var x0 = Math.max(0, Math.floor(-x0s / k)), y0 = Math.max(0, Math.floor(-y0s / k));
    var x1 = Math.min(iw, Math.ceil((w - x0s) / k)), y1 = Math.min(ih, Math.ceil((h - y0s) / k));
    if (!img || x1 <= x0 || y1 <= y0) return;
    var fx = img.naturalWidth / iw, fy = img.naturalHeight / ih;
    c.imageSmoothingEnabled = k < 1;
    c.drawImage(img, x0 * fx, y0 * fy, (x1 - x0) * fx, (y1 - y0) * fy, x0s + x0 * k, y0s + y0 * k, (x1 - x0) * k, (y1 - y0) * k);
  }
  function drawDet(c, d, hot, k, tx, ty) {
    var b = d.boxXyxy, x = tx + b[0] * k, y = ty + b[1] * k, w = (b[2] - b[0]) * k, h = (b[3] - b[1]) * k;
    var colour = hot ? "#ffeb3b" : colourOf(d.categoryId);
    if (hot) { c.fillStyle = "rgba(255,235,59,0.28)"; c.fillRect(x, y, w, h); }
    c.lineWidth = hot ? 3 : 2; c.strokeStyle = colour; c.strokeRect(x, y, w, h);
    if (Math.max(w, h) < 12) { c.lineWidth = hot ? 2.5 : 1.5; c.beginPath(); c.arc(x + w / 2, y + h / 2, 10, 0, 2 * Math.PI); c.stroke(); }
    if (hot) {
      var label = nameOf(d.categoryId) + " " + d.score.toFixed(2);
      c.font = "12px sans-serif"; var tw = c.measureText(label).width;
      c.fillStyle = "rgba(0,0,0,0.7)"; c.fillRect(x, y - 17, tw + 6, 16); c.fillStyle = "#ffeb3b"; c.fillText(label, x + 3, y - 5);
    }
  }
  function drawClick(c, p, k, tx, ty) {
    var x = tx + p.x * k, y = ty + p.y * k;
    c.setLineDash(p.local ? [3, 2] : []);
    c.beginPath(); c.arc(x, y, 5, 0, 2 * Math.PI); c.fillStyle = colourOf(p.categoryId); c.fill();
    c.lineWidth = 1.5; c.strokeStyle = "#000"; c.stroke();
    c.beginPath(); c.arc(x, y, 7, 0, 2 * Math.PI); c.strokeStyle = "#fff"; c.stroke(); c.setLineDash([]);
  }
  function drawScene(c, k, tx, ty, w, h) {
    c.fillStyle = "#15191e"; c.fillRect(0, 0, w, h);
    if (!ready) return;
    drawImage(c, k, tx, ty, w, h);
    dets.forEach(function (d, i) { if (i !== hover) drawDet(c, d, false, k, tx, ty); });
    if (hover >= 0 && dets[hover]) drawDet(c, dets[hover], true, k, tx, ty);
    clicks.forEach(function (p) { drawClick(c, p, k, tx, ty); });
  }
  // The lens: under the cursor (a crosshair marks the exact click point), or, while a listed detection is
  // hovered, a close-up of it in the view's corner (so a box outside the view is still seen).
  function lensTarget() {
    if (!ready || !img || !magnify.checked || down) return null;
    if (mouse) return { ix: (mouse.x - ox) / s, iy: (mouse.y - oy) / s, z: Math.min(128, Math.max(8, 2 * s)), cursor: true };
    var d = dets[hover];
    if (!d) return null;
    var b = d.boxXyxy;
    return { ix: (b[0] + b[2]) / 2, iy: (b[1] + b[3]) / 2, z: Math.min(64, Math.max(2, LS * 0.45 / Math.max(1, b[2] - b[0], b[3] - b[1]))), cursor: false };
  }
  function draw() {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawScene(ctx, s, ox, oy, W, H);
    var t = lensTarget();
    lens.style.display = t ? "block" : "none";
    if (!t) return;
    drawScene(lctx, t.z, LS / 2 - t.ix * t.z, LS / 2 - t.iy * t.z, LS, LS);
    if (t.cursor) {
      [["#000", 3], ["#00e5ff", 1]].forEach(function (pen) {
        lctx.strokeStyle = pen[0]; lctx.lineWidth = pen[1];
        [[-1, 0], [1, 0], [0, -1], [0, 1]].forEach(function (v) {
          lctx.beginPath(); lctx.moveTo(LS / 2 + v[0] * 5, LS / 2 + v[1] * 5); lctx.lineTo(LS / 2 + v[0] * 16, LS / 2 + v[1] * 16); lctx.stroke();
        });
      });
    }
    lctx.fillStyle = "rgba(0,0,0,0.6)"; lctx.fillRect(0, LS - 16, 96, 16); lctx.fillStyle = "#fff"; lctx.font = "11px sans-serif";
    lctx.fillText("×" + Math.round(t.z) + "  (" + Math.floor(t.ix) + ", " + Math.floor(t.iy) + ")", 4, LS - 4);
    var lx = W - LS - 10, ly = 10;
    if (t.cursor) {
      lx = mouse.x + 24; ly = mouse.y - 24 - LS;
      if (lx + LS > W) lx = mouse.x - 24 - LS;
      if (ly < 0) ly = mouse.y + 24;
    }
    lens.style.left = lx + "px"; lens.style.top = ly + "px";
    lens.setAttribute("data-centre", t.ix.toFixed(2) + "," + t.iy.toFixed(2));
  }

  // The view: zoom about a point, pan, fit, 1:1.
  function setView(ns, nox, noy) {
    s = Math.min(maxS, Math.max(minS, ns));
    ox = Math.min(W - 40, Math.max(40 - iw * s, nox)); oy = Math.min(H - 40, Math.max(40 - ih * s, noy));
    root.setAttribute("data-view", [s, ox, oy].join(","));
    q(".dk-zoom").textContent = Math.round(s * 100) + "%";
    draw();
  }
  function zoomAt(px, py, f) { var ns = Math.min(maxS, Math.max(minS, s * f)); setView(ns, px - (px - ox) / s * ns, py - (py - oy) / s * ns); }
  function fit() { if (!img) return; var k = Math.min(W / iw, H / ih); minS = Math.min(k, 1) / 2; maxS = Math.max(64, k * 8); setView(k, (W - iw * k) / 2, (H - ih * k) / 2); }
  function local(e) { var r = view.getBoundingClientRect(); return { x: (e.clientX - r.left) * W / r.width, y: (e.clientY - r.top) * H / r.height }; }
  function detAt(p) {
    var ix = (p.x - ox) / s, iy = (p.y - oy) / s, pad = 10 / s, best = -1, area = Infinity;
    dets.forEach(function (d, i) {
      var b = d.boxXyxy, a = (b[2] - b[0]) * (b[3] - b[1]), small = Math.max(b[2] - b[0], b[3] - b[1]) * s < 12 ? pad : 0;
      if (ix >= b[0] - small && ix <= b[2] + small && iy >= b[1] - small && iy <= b[3] + small && a < area) { best = i; area = a; }
    });
    return best;
  }
  function setHover(i) {
    if (i === hover) return;
    hover = i; root.setAttribute("data-hover", String(i));
    Array.prototype.forEach.call(list.children, function (li) { li.classList.toggle("dk-hover", Number(li.getAttribute("data-index")) === i); });
    draw();
  }

  // The server's state for the current image: drawn, listed, summed up.
  function apply(st) {
    if (st.image !== cur || st.version < version) return;
    version = st.version; pending = st.pending; clicks = st.clicks; lastMessage = st.message || "";
    dets = st.detections.slice().sort(function (a, b) { return b.score - a.score; });
    hover = -1;
    root.setAttribute("data-version", String(version)); root.setAttribute("data-clicks", String(clicks.length));
    root.setAttribute("data-pending", String(pending)); root.setAttribute("data-hover", "-1");
    renderList(); draw();
    say(clicks.length + " click(s) · " + dets.length + " detection(s)" + (st.timeMs != null ? " in " + Math.round(st.timeMs) + " ms" : "") +
      (pending ? " · running for the newest clicks..." : "") + (lastMessage ? " · " + lastMessage : ""), false);
  }
  function renderList() {
    list.textContent = "";
    q(".dk-count").textContent = "(" + dets.length + ")";
    if (dets.length === 0) { var e = document.createElement("li"); e.className = "dk-empty"; e.textContent = "click an object to find it and its like"; list.appendChild(e); return; }
    dets.forEach(function (d, i) {
      var b = d.boxXyxy, li = document.createElement("li");
      li.className = "dk-det"; li.setAttribute("data-index", String(i)); li.setAttribute("data-box", b.join(","));
      li.setAttribute("data-score", String(d.score)); li.setAttribute("data-category", String(d.categoryId));
      var sw = document.createElement("span"); sw.className = "dk-swatch"; sw.style.background = colourOf(d.categoryId);
      var name = document.createElement("span"); name.className = "dk-cat"; name.textContent = nameOf(d.categoryId);
      var score = document.createElement("span"); score.textContent = d.score.toFixed(2);
      var size = document.createElement("span"); size.className = "dk-size"; size.textContent = Math.round(b[2] - b[0]) + "×" + Math.round(b[3] - b[1]) + " px";
      li.appendChild(sw); li.appendChild(name); li.appendChild(score); li.appendChild(size);
      li.addEventListener("mouseenter", function () { setHover(i); });
      li.addEventListener("mouseleave", function () { setHover(-1); });
      li.addEventListener("click", function () {
        var k = Math.max(s, Math.min(maxS, Math.min(W, H) / (6 * Math.max(2, b[2] - b[0], b[3] - b[1]))));
        setView(k, W / 2 - (b[0] + b[2]) / 2 * k, H / 2 - (b[1] + b[3]) / 2 * k);
      });
      list.appendChild(li);
    });
  }

  // Images: the state first (it carries the size), then the pixels; the next image is fetched ahead.
  function imageUrl(k) { return cfg.endpoint + "/image.png?image=" + k + "&token=" + encodeURIComponent(cfg.token); }
  function loadImage(src) {
    return new Promise(function (resolve, reject) {
      var im = new Image();
      if (src.indexOf("data:") !== 0) im.crossOrigin = "anonymous";
      im.onload = function () { resolve(im); };
      im.onerror = function () { reject(new Error("could not load the image")); };
      im.src = src;
    });
  }
  function show(k) {
    cur = k; ready = false; img = null; clicks = []; dets = []; version = -1; hover = -1;
    root.setAttribute("data-image", String(k)); root.setAttribute("data-clicks", "0");
    q(".dk-name").textContent = cfg.images[k]; q(".dk-pos").textContent = "(" + (k + 1) + " / " + cfg.images.length + ")";
    q("button.dk-prev").disabled = k === 0; q("button.dk-next").disabled = k === cfg.images.length - 1;
    renderList(); say("loading " + cfg.images[k] + "...", false);
    var inline = k === 0 && cfg.inline ? cfg.inline : null;
    function open(st, src) {
      return loadImage(src).then(function (im) {
        if (cur !== k) return;
        img = im; iw = st.width; ih = st.height; ready = true; fit();
        if (st.version !== undefined) apply(st); else draw();
        if (k + 1 < cfg.images.length) new Image().src = imageUrl(k + 1);
      });
    }
    api("GET", "/api/state?image=" + k).then(function (st) { return open(st, inline ? inline.src : imageUrl(k)); })
      .catch(function (err) {
        if (inline) return open({ width: inline.width, height: inline.height }, inline.src).then(function () { fail(err); }, function () { ready = true; fail(err); });
        ready = true; fail(err);
      });
  }

  function addClick(x, y) {
    if (!ready || !img || x < 0 || y < 0 || x > iw || y > ih) return;
    var cat = Number(catSel.value), body = { image: cur, x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100, categoryId: cat };
    clicks = clicks.concat([{ x: body.x, y: body.y, categoryId: cat, local: true }]); draw();
    api("POST", "/api/click", body).then(apply, fail);
  }
  function download(blob, name) {
    var a = document.createElement("a"); a.href = URL.createObjectURL(blob); a.download = name; a.style.display = "none";
    root.appendChild(a); a.click(); root.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }
  function stem() { return cfg.images[cur].replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "") || "image"; }

  view.addEventListener("wheel", function (e) { e.preventDefault(); var p = local(e); zoomAt(p.x, p.y, Math.exp(-e.deltaY * 0.002)); }, { passive: false });
  view.addEventListener("mousedown", function (e) { if (e.button !== 0) return; e.preventDefault(); root.focus({ preventScroll: true }); down = { x: e.clientX, y: e.clientY, ox: ox, oy: oy, moved: false }; });
  view.addEventListener("mousemove", function (e) { mouse = local(e); if (!down) setHover(detAt(mouse)); draw(); });
  view.addEventListener("mouseleave", function () { mouse = null; if (!down) setHover(-1); draw(); });
  window.addEventListener("mousemove", function (e) {
    if (!down) return;
    var dx = e.clientX - down.x, dy = e.clientY - down.y;
    if (!down.moved && dx * dx + dy * dy > 16) down.moved = true;
    if (down.moved) setView(s, down.ox + dx * W / view.getBoundingClientRect().width, down.oy + dy * H / view.getBoundingClientRect().height);
  });
  window.addEventListener("mouseup", function (e) {
    if (!down) return;
    var d = down; down = null;
    if (!d.moved && e.target === view) { var p = local(e); addClick((p.x - ox) / s, (p.y - oy) / s); }
    draw();
  });
  function step(k) { if (k >= 0 && k < cfg.images.length && k !== cur) show(k); }
  q("button.dk-prev").addEventListener("click", function () { step(cur - 1); });
  q("button.dk-next").addEventListener("click", function () { step(cur + 1); });
  q("button.dk-undo").addEventListener("click", function () { api("POST", "/api/undo", { image: cur }).then(apply, fail); });
  q("button.dk-reset").addEventListener("click", function () { api("POST", "/api/reset", { image: cur }).then(apply, fail); });
  q("button.dk-zoom-in").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1.5); });
  q("button.dk-zoom-out").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1 / 1.5); });
  q("button.dk-fit").addEventListener("click", function () { fit(); });
  q("button.dk-one").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1 / s); });
  magnify.addEventListener("change", draw);
  q("button.dk-add-cat").addEventListener("click", function () { var box = q(".dk-new-cat"); box.hidden = !box.hidden; if (!box.hidden) q("input.dk-cat-name").focus(); });
  function addCategory() {
    var name = q("input.dk-cat-name").value.trim();
    api("POST", "/api/category", name ? { name: name } : {}).then(function (r) {
      categories = r.categories; fillCategories(categories[categories.length - 1].id);
      q("input.dk-cat-name").value = ""; q(".dk-new-cat").hidden = true; renderList(); draw(); say("added category " + nameOf(Number(catSel.value)), false);
    }, fail);
  }
  q("button.dk-cat-ok").addEventListener("click", addCategory);
  q("input.dk-cat-name").addEventListener("keydown", function (e) { if (e.key === "Enter") addCategory(); e.stopPropagation(); });
  q("button.dk-export-json").addEventListener("click", function () {
    api("GET", "/api/results").then(function (r) {
      download(new Blob([JSON.stringify(r, null, 1)], { type: "application/json" }), "dealkit-detections.json");
      say("exported " + r.length + " detection(s) as COCO results", false);
    }, fail);
  });
  q("button.dk-export-png").addEventListener("click", function () {
    var h = hover, m = mouse; hover = -1; mouse = null; draw();
    view.toBlob(function (blob) { download(blob, stem() + "-view.png"); hover = h; mouse = m; draw(); say("exported the view as PNG", false); }, "image/png");
  });
  root.addEventListener("keydown", function (e) {
    var t = e.target.tagName;
    if (t === "INPUT" || t === "SELECT" || e.altKey) return;
    var k = e.key, done = true;
    if (k === "+" || k === "=") zoomAt(W / 2, H / 2, 1.5);
    else if (k === "-") zoomAt(W / 2, H / 2, 1 / 1.5);
    else if (k === "0") fit();
    else if (k === "1") zoomAt(W / 2, H / 2, 1 / s);
    else if (k === "ArrowRight" || k === "PageDown") step(cur + 1);
    else if (k === "ArrowLeft" || k === "PageUp") step(cur - 1);
    else if (k === "u" || (k === "z" && (e.ctrlKey || e.metaKey))) q("button.dk-undo").click();
    else if (k === "m") { magnify.checked = !magnify.checked; draw(); }
    else done = false;
    if (done) e.preventDefault();
  });
  fillCategories();
  show(0);
})(CONFIG);
`;
