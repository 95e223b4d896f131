/**
 * An 8-bit RGB image in memory, row-major HWC (height x width x 3). This is what the data layer decodes,
 * the generator draws, and the detectors take.
 *
 * @example
 * const img: RgbImage = { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]) };
 */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB, row-major. */
  data: Uint8Array;
}
