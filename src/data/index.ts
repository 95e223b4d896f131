// The public surface of src/data/. Re-exported by src/index.ts; export names must be unique project-wide.
export { Dataset } from "./dataset.js";
export type { ImageInfo, CategoryInfo, DatasetParts } from "./dataset-types.js";
export { AnnotationBuilder, selectAnnotationRows, type AnnotationColumns, type AnnotationRecord } from "./annotations.js";
export { IssueCollector, BOX_POLICIES, type ValidationIssue, type BoxPolicy } from "./issues.js";
export { checkDatasetParts } from "./check.js";
export { COCO_VARIANTS, type CocoVariant, type CocoReadOptions } from "./formats/coco-records.js";
export { cocoObjectOf, type CocoJson, type CocoImage, type CocoCategory, type CocoAnnotation } from "./formats/coco-object.js";
export { decodeImage, encodeImage, loadImageRgb, saveImagePng, saveImageJpeg, imageSize, listImageFiles, IMAGE_EXTENSIONS, type EncodeOptions } from "./images.js";
export { readCoco, readCocoSync, readCocoStreaming, writeCoco, COCO_STREAM_THRESHOLD_BYTES, type CocoFileOptions } from "./formats/coco.js";
export { parseCocoResults, readCocoResults, writeCocoResults, detectionsOfImage, cocoResultsOf, type CocoResults } from "./formats/coco-results.js";
export { scanJsonFile, type JsonScanHandlers, type JsonScanOptions } from "./formats/json-stream.js";
export { readVisDrone, VISDRONE_CATEGORIES, type VisDroneReadOptions } from "./formats/visdrone.js";
export { readYolo, writeYolo, type YoloReadOptions, type YoloWriteOptions } from "./formats/yolo.js";
export { readDota, DOTA_CLASSES, type DotaReadOptions } from "./formats/dota.js";
export { readDataset, DATASET_FORMATS, type DatasetFormat, type ReadDatasetOptions } from "./formats/index.js";
export type { ImageSizes, TxtImageOptions } from "./formats/txt-common.js";
