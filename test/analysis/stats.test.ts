import { describe, expect, it } from "vitest";
import { meanInterval, studentTCdf, studentTQuantile } from "../../src/analysis/stats.js";

// Reference values from scipy.stats.t (ppf / cdf).
describe("Student t", () => {
  it("matches scipy's quantiles", () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652729749462, 9);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(studentTQuantile(0.975, 50)).toBeCloseTo(2.008559112100761, 9);
    expect(studentTQuantile(0.95, 7)).toBeCloseTo(1.8945786050900062, 9);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, 9);
    expect(studentTCdf(1.3, 5)).toBeCloseTo(0.8748496829146615, 10);
  });

  it("gives the 95% interval of three seeds", () => {
    const m = meanInterval([0.5, 0.6, 0.7]);
    expect(m.n).toBe(3);
    expect(m.mean).toBeCloseTo(0.6, 12);
    expect(m.sd).toBeCloseTo(0.1, 12);
    expect(m.lo).toBeCloseTo(0.35158622882496704, 9);
    expect(m.hi).toBeCloseTo(0.8484137711750329, 9);
    expect(meanInterval([0.4]).lo).toBeNaN();
    expect(meanInterval([0.4, NaN, 0.4]).n).toBe(2);
  });
});
