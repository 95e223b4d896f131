import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  escapeHtml,
  htmlBundle,
  htmlToText,
  jsonForScript,
  pngBundle,
  pngHtml,
  pngSize,
  svgBundle,
  svgDataUri,
  svgHtml,
} from "../../src/kernel/index.js";

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>';

describe("html helpers", () => {
  it("escapes the five HTML special characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("makes a text stand-in without tags or scripts", () => {
    expect(htmlToText("<h3>Loss</h3><script>alert(1)</script><p>a &amp; b</p>")).toBe("Loss a & b");
    expect(htmlBundle("<b>hi</b>")).toEqual({ "text/html": "<b>hi</b>", "text/plain": "hi" });
  });

  it("keeps JSON from closing an inline script", () => {
    const text = jsonForScript({ s: "</script><script>alert(1)</script>" });
    expect(text).not.toContain("</script");
    expect(JSON.parse(text)).toEqual({ s: "</script><script>alert(1)</script>" });
  });
});

describe("svg", () => {
  it("shows SVG as an <img> data URI (percent-encoded, not base64) that decodes back to the document", () => {
    const html = svgHtml(`<?xml version="1.0"?>\n${SVG}`, { alt: "box" });
    const m = /^<img src="data:image\/svg\+xml,([^"]+)" alt="box">$/.exec(html);
    expect(m).not.toBeNull();
    expect(decodeURIComponent(m![1]!)).toBe(SVG);
  });

  it("keeps an embedded raster's base64 as it is in the data URI, and stays safe in an attribute", () => {
    const b64 = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)).toString("base64");
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><text>a &amp; "b" #1 100% 'c'\n</text><image href="data:image/png;base64,${b64}"/></svg>`;
    const uri = svgDataUri(svg);
    expect(uri).toContain(b64);
    expect(uri).not.toMatch(/["'<>#&%\n](?![0-9A-F]{2})/); // only %XX escapes; nothing that ends an attribute
    expect(decodeURIComponent(uri.slice("data:image/svg+xml,".length))).toBe(svg);
    expect(uri.length).toBeLessThan(svg.length * 1.1); // base64 would be 4/3
  });

  it("can inline the svg element, and never uses image/svg+xml (nbconvert empties it)", () => {
    expect(svgHtml(SVG, { inline: true })).toBe(`<div class="dealkit-svg">${SVG}</div>`);
    expect(Object.keys(svgBundle(SVG)).sort()).toEqual(["text/html", "text/plain"]);
  });

  it("rejects text that is not SVG", () => {
    expect(() => svgHtml("<div></div>")).toThrow(/does not start with an <svg>/);
  });
});

describe("png", () => {
  it("reads the size of a PNG written by sharp and embeds it as base64", async () => {
    const png = new Uint8Array(
      await sharp({ create: { width: 7, height: 3, channels: 3, background: "blue" } }).png().toBuffer(),
    );
    expect(pngSize(png)).toEqual({ width: 7, height: 3 });
    const bundle = pngBundle(png);
    expect(bundle["text/plain"]).toBe("<PNG image 7x3>");
    expect(Buffer.from(bundle["image/png"] as string, "base64").equals(Buffer.from(png))).toBe(true);
    expect(pngHtml(png, { width: "70px" })).toMatch(/^<img src="data:image\/png;base64,iVBOR[^"]+" alt="" style="width:70px;height:auto">$/);
  });

  it("rejects bytes that are not a PNG", () => {
    expect(pngSize(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(() => pngBundle(new Uint8Array(30))).toThrow(/not a PNG/);
  });
});
