// The public surface of src/viz/. Re-exported by src/index.ts; export names must be unique project-wide.
export {};
export * from "./errors.js";
export * from "./ablation.js";
export {
  MATCH_COLOURS,
  CATEGORY_COLOURS,
  encodeRgbPng,
  downscaleRgb,
  rgbPngDataUri,
  encodeRgbJpeg,
  rgbDataUri,
  type EmbedFormat,
  svgToPngBytes,
  saveSvgPng,
} from "./svg.js";
export { detectionsSvg, matchForView, type DetectionsViewOptions, type ViewGroundTruth, type ViewMatch } from "./detections.js";
export {
  galleryTiles,
  gallerySvg,
  type GalleryTile,
  type GalleryTileBox,
  type GallerySource,
  type GalleryTilesOptions,
  type GallerySvgOptions,
} from "./gallery.js";
export { plotlySceneFigure, type PlotlySceneFigure, type PlotlySceneOptions } from "./plotly-scene.js";
export { prCurvesSpec, type PrCurvesSpecOptions } from "./pr.js";
export { radarSpec, type RadarSpecOptions } from "./radar.js";
export { lossCurveSpec, type LossCurveRow, type LossCurveOptions } from "./loss.js";
export * from "./sizes.js";
export * from "./samples.js";
