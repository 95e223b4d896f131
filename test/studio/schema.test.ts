import { describe, expect, it } from "vitest";
import { StudioHttpError, checkClickInside, parseCategoryBody, parseClickBody, parseImageBody, parseImageQuery } from "../../src/studio/schema.js";

/** The refusal a call throws: its status and message (fails the test when it does not throw). */
function refusal(f: () => unknown): { status: number; message: string } {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(StudioHttpError);
    return { status: (err as StudioHttpError).status, message: (err as Error).message };
  }
  throw new Error("expected a refusal");
}

describe("studio click schema", () => {
  it("accepts JSON numbers, an optional integer category and image index", () => {
    expect(parseClickBody('{"x": 12.5, "y": 3}', 1)).toEqual({ image: 0, x: 12.5, y: 3 });
    expect(parseClickBody('{"x": 0, "y": 0, "categoryId": 0, "image": 2}', 3)).toEqual({ image: 2, x: 0, y: 0, categoryId: 0 });
    expect(parseClickBody('{"x": 1e1, "y": -0, "categoryId": 7}', 1)).toEqual({ image: 0, x: 10, y: -0, categoryId: 7 });
  });

  // Each case: the body, the field the message must name, and a word of what is valid.
  const cases: [string, string, RegExp][] = [
    ['{"x": "0x10", "y": 1}', "x", /finite number.*"0x10".*a string/],
    ['{"x": null, "y": 1}', "x", /finite number.*null \(null\)/],
    ['{"x": true, "y": 1}', "x", /finite number.*true \(a boolean\)/],
    ['{"x": "16", "y": 1}', "x", /a string/],
    ['{"x": [16], "y": 1}', "x", /an array/],
    ['{"x": 1e400, "y": 1}', "x", /finite number.*got Infinity \(a number\)/],
    ['{"y": 1}', "x", /is missing: it must be a finite number/],
    ['{"x": 1, "y": {"v": 2}}', "y", /finite number.*\{"v":2\} \(an object\)/],
    ['{"x": 1, "y": 1, "categoryId": 1.5}', "categoryId", /integer in \[0, 2147483647\] or absent.*1\.5/],
    ['{"x": 1, "y": 1, "categoryId": null}', "categoryId", /integer.*null/],
    ['{"x": 1, "y": 1, "categoryId": "3"}', "categoryId", /integer.*"3"/],
    ['{"x": 1, "y": 1, "categoryId": -1}', "categoryId", /integer in \[0, /],
    ['{"x": 1, "y": 1, "categoryId": 4294967296}', "categoryId", /integer in \[0, 2147483647\]/],
    ['{"x": 1, "y": 1, "image": 3}', "image", /integer in \[0, 2\]/],
    ['{"x": 1, "y": 1, "image": "1"}', "image", /integer in \[0, 2\]/],
  ];
  for (const [body, field, want] of cases) {
    it(`refuses ${body} with 400 naming "${field}"`, () => {
      const r = refusal(() => parseClickBody(body, 3));
      expect(r.status).toBe(400);
      expect(r.message).toContain(`field "${field}"`);
      expect(r.message).toMatch(want);
    });
  }

  it("refuses bodies that are not one JSON object, and unknown fields", () => {
    for (const body of ["null", "[]", "3", '"x"', "true"]) {
      const r = refusal(() => parseClickBody(body, 1));
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/body must be a JSON object/);
    }
    for (const body of ["", "{x", '{"x": 1,}', "{'x': 1}"]) {
      const r = refusal(() => parseClickBody(body, 1));
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/body must be JSON/);
    }
    const extra = refusal(() => parseClickBody('{"x": 1, "y": 1, "pad": "aaa"}', 1));
    expect(extra.message).toMatch(/unknown field "pad" \(fields: image, x, y, categoryId\)/);
  });

  it("bounds the excerpt of a long bad value", () => {
    const r = refusal(() => parseClickBody(JSON.stringify({ x: "z".repeat(3000), y: 1 }), 1));
    expect(r.message.length).toBeLessThan(200);
    expect(r.message).toContain("...");
  });

  it("checks a click against the image: [0, width] x [0, height], edges included", () => {
    expect(() => checkClickInside({ x: 0, y: 0 }, 160, 120)).not.toThrow();
    expect(() => checkClickInside({ x: 160, y: 120 }, 160, 120)).not.toThrow();
    expect(refusal(() => checkClickInside({ x: 160.01, y: 5 }, 160, 120)).message).toBe('field "x" must be in [0, 160] (the image is 160x120), got 160.01');
    expect(refusal(() => checkClickInside({ x: 5, y: -0.5 }, 160, 120)).message).toBe('field "y" must be in [0, 120] (the image is 160x120), got -0.5');
  });
});

describe("studio other bodies and the image query", () => {
  it("reset / undo bodies take only an optional image index", () => {
    expect(parseImageBody("{}", 2)).toEqual({ image: 0 });
    expect(parseImageBody('{"image": 1}', 2)).toEqual({ image: 1 });
    expect(refusal(() => parseImageBody("null", 2)).status).toBe(400);
    expect(refusal(() => parseImageBody('{"image": 2}', 2)).message).toMatch(/field "image".*\[0, 1\]/);
  });

  it("category names: trimmed, 1-64 characters, no control characters", () => {
    expect(parseCategoryBody('{"name": "  car "}')).toBe("car");
    expect(parseCategoryBody("{}")).toBeUndefined();
    for (const body of ['{"name": ""}', '{"name": "   "}', '{"name": 3}', '{"name": null}', `{"name": "${"a".repeat(65)}"}`, '{"name": "a\\nb"}']) {
      const r = refusal(() => parseCategoryBody(body));
      expect(r.status).toBe(400);
      expect(r.message).toContain('field "name"');
    }
  });

  it("the image query parameter: decimal digits in range only", () => {
    expect(parseImageQuery(null, 3)).toBe(0);
    expect(parseImageQuery("2", 3)).toBe(2);
    for (const raw of ["3", "-1", "01", "0x1", "1.0", " 1", "", "1e0"]) {
      const r = refusal(() => parseImageQuery(raw, 3));
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/"image" must be an image index in \[0, 2\]/);
    }
  });
});
