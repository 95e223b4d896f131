import { STUDIO_FAVICON_SVG } from "./http-io.js";
import type { StudioCategory } from "./images.js";
import { STUDIO_PAGE_SCRIPT } from "./page-script.js";

/** What the studio page needs to know. */
export interface StudioPageInput {
  /** The server's origin, e.g. "http://127.0.0.1:41234" (the page calls `${endpoint}/api/...`). */
  endpoint: string;
  token: string;
  /** A unique element id (several studios may share a notebook page). */
  rootId: string;
  /** The images' names, in order (the page steps through them). */
  images: readonly string[];
  /** The categories of the category menu. */
  categories: readonly StudioCategory[];
  /**
   * Image 0 as a data URI with its size (the inline notebook output: it survives HTML export and shows
   * the image even when the server has gone). Without it the page loads every image from the server.
   */
  inline?: { src: string; width: number; height: number };
  /** Shown in the header. */
  title?: string;
  model?: string;
  backend?: string;
  /** Width of the view, px (its height is 3/4 of it). Default 900. */
  displayMaxSide?: number;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

// Scoped to .dealkit-studio so that several studios (and the notebook's own styles) live side by side.
const STYLE = `
.dealkit-studio{font:13px/1.4 system-ui,sans-serif;color:#1d2733;outline:none;max-width:100%}
.dealkit-studio .dk-head{display:flex;gap:12px;align-items:baseline;flex-wrap:wrap;margin-bottom:4px}
.dealkit-studio .dk-title{font-weight:600;font-size:14px}
.dealkit-studio .dk-meta{color:#4a5866}
.dealkit-studio .dk-meta b{font-weight:600;color:#1d2733}
.dealkit-studio .dk-bar{display:flex;gap:4px;align-items:center;flex-wrap:wrap;margin-bottom:4px}
.dealkit-studio .dk-bar .dk-sep{width:8px}
.dealkit-studio button{font:inherit;padding:2px 8px;border:1px solid #9aa7b4;border-radius:4px;background:#f4f6f8;cursor:pointer}
.dealkit-studio button:hover:not(:disabled){background:#e2e8ee}
.dealkit-studio button:disabled{opacity:.45;cursor:default}
.dealkit-studio select,.dealkit-studio input{font:inherit;padding:1px 4px}
.dealkit-studio .dk-zoom{min-width:4.5em;text-align:right;color:#4a5866;font-variant-numeric:tabular-nums}
.dealkit-studio .dk-body{display:flex;gap:8px;align-items:flex-start}
.dealkit-studio .dk-stage{position:relative;line-height:0;flex:none}
.dealkit-studio canvas.dk-view{background:#15191e;cursor:crosshair;border-radius:4px;touch-action:none}
.dealkit-studio canvas.dk-lens{position:absolute;left:0;top:0;pointer-events:none;display:none;border:2px solid #00e5ff;border-radius:6px;box-shadow:0 2px 8px rgba(0,0,0,.5)}
.dealkit-studio .dk-side{width:230px;flex:none}
.dealkit-studio .dk-list-head{font-weight:600;margin:0 0 4px}
.dealkit-studio ol.dk-list{list-style:none;margin:0;padding:0;max-height:560px;overflow:auto;border:1px solid #d5dde5;border-radius:4px}
.dealkit-studio ol.dk-list li{display:flex;gap:6px;align-items:center;padding:3px 6px;border-bottom:1px solid #eef2f5;cursor:pointer;font-variant-numeric:tabular-nums}
.dealkit-studio ol.dk-list li.dk-hover{background:#fff5b8}
.dealkit-studio ol.dk-list li .dk-swatch{width:10px;height:10px;border-radius:2px;flex:none}
.dealkit-studio ol.dk-list li .dk-cat{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.dealkit-studio ol.dk-list li .dk-size{color:#4a5866}
.dealkit-studio .dk-empty{color:#6b7885;padding:6px}
.dealkit-studio .dk-status{margin-top:4px;color:#4a5866;min-height:1.4em}
.dealkit-studio[data-state=error] .dk-status{color:#b3261e}
.dealkit-studio .dk-help{color:#6b7885;font-size:12px;margin-top:2px}
`;

function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * The studio page as an HTML fragment: header (title, model, backend, image), toolbar (previous / next,
 * category menu, undo, reset, zoom, export), the view (a canvas with zoom, pan and a magnifier), the list
 * of detections, a status line, and the script that talks to the server. The same fragment is the
 * standalone page's body and the notebook's inline output; it loads nothing from the network but the
 * studio server.
 *
 * @example
 * const html = studioPageHtml({ endpoint: studio.origin, token: studio.token, rootId: "s1", images: ["a.png"], categories: [{ id: 1, name: "car" }] });
 */
export function studioPageHtml(input: StudioPageInput): string {
  const width = Math.round(input.displayMaxSide ?? 900);
  const config = scriptJson({
    rootId: input.rootId,
    endpoint: input.endpoint,
    token: input.token,
    images: input.images,
    categories: input.categories,
    inline: input.inline ?? null,
    viewWidth: width,
    viewHeight: Math.round(width * 0.75),
  });
  const b = (cls: string, label: string, title: string) => `<button type="button" class="${cls}" title="${esc(title)}">${label}</button>`;
  return (
    `<div id="${esc(input.rootId)}" class="dealkit-studio" tabindex="0" data-state="loading" data-version="-1" data-image="0">` +
    `<style>${STYLE}</style>` +
    `<div class="dk-head"><span class="dk-title">${esc(input.title ?? "dealkit studio")}</span>` +
    `<span class="dk-meta">model <b class="dk-model">${esc(input.model ?? "?")}</b> · backend <b class="dk-backend">${esc(input.backend ?? "?")}</b>` +
    ` · image <b class="dk-name"></b> <span class="dk-pos"></span></span></div>` +
    `<div class="dk-bar">` +
    b("dk-prev", "&#9664; prev", "previous image (left arrow)") + b("dk-next", "next &#9654;", "next image (right arrow)") +
    `<span class="dk-sep"></span><label>category <select class="dk-category"></select></label>` +
    b("dk-add-cat", "+", "add a category") +
    `<span class="dk-new-cat" hidden><input class="dk-cat-name" placeholder="name (optional)" maxlength="64" size="12"> ${b("dk-cat-ok", "add", "add this category")}</span>` +
    `<span class="dk-sep"></span>` + b("dk-undo", "undo", "remove the last click (u)") + b("dk-reset", "reset", "remove every click of this image") +
    `<span class="dk-sep"></span>` + b("dk-zoom-out", "&minus;", "zoom out (-)") + b("dk-zoom-in", "+", "zoom in (+, or the mouse wheel)") +
    b("dk-fit", "fit", "fit the image (0)") + b("dk-one", "1:1", "one image pixel per screen pixel (1)") + `<span class="dk-zoom"></span>` +
    `<label title="magnifier under the cursor (m)"><input type="checkbox" class="dk-magnify" checked> magnifier</label>` +
    `<span class="dk-sep"></span>` + b("dk-export-json", "export JSON", "every image's detections as COCO results") + b("dk-export-png", "export PNG", "the view as a PNG image") +
    `</div><div class="dk-body"><div class="dk-stage">` +
    `<canvas class="dk-view" style="width:${width}px;height:${Math.round(width * 0.75)}px"></canvas><canvas class="dk-lens" width="176" height="176"></canvas>` +
    `</div><div class="dk-side"><div class="dk-list-head">detections <span class="dk-count"></span></div><ol class="dk-list"></ol>` +
    `<div class="dk-help">click: prompt · drag: pan · wheel: zoom · hover a row: highlight · click a row: zoom to it</div></div></div>` +
    `<div class="dk-status">loading...</div>` +
    `<script type="text/javascript">${STUDIO_PAGE_SCRIPT.replace("CONFIG", () => config)}</script></div>`
  );
}

/** A complete HTML document around the page fragment, for the standalone server (with its icon inline). */
export function studioDocument(fragment: string, title = "dealkit studio"): string {
  const icon = `data:image/svg+xml,${encodeURIComponent(STUDIO_FAVICON_SVG)}`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title><link rel="icon" href="${icon}"></head><body style="margin:12px">${fragment}</body></html>`;
}
