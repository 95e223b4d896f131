import * as aq from "arquero";
import { runAblation, type AblationData, type AblationOptions } from "./ablate.js";
import { ABLATION_BASE_CELL, type AblationCell } from "./ablate-grid.js";

/** Where a generalisation row's numbers come from. */
export type GeneralisationSetting = "seenCategories" | "heldOutCategories" | "heldOutDataset";

/** Options of {@link evaluateGeneralisation}: those of {@link runAblation} without the grid. */
export interface GeneralisationOptions extends Omit<AblationOptions, "grid" | "data"> {
  /** The test split: its seen and held-out categories give the first two rows. */
  data: AblationData;
  /** A data set the model never trained on (TinySet-mini's held-out split): every category in it is prompted. */
  heldOutDataset?: AblationData;
  /** The prompt configuration. Default: one centre click per category from the ground truth. */
  cell?: Omit<AblationCell, "split">;
}

/**
 * Generalisation beside the seen case: the same prompting and metrics on the seen categories, the held-out
 * categories and (when given) a held-out data set, seeded and cached like {@link runAblation}. Returns a
 * long arquero table: setting, metric, mean, sd, lo, hi (95% t interval over seeds), n.
 *
 * @example
 * const t = await evaluateGeneralisation({ detector, modelFingerprint, data: test, heldOutDataset,
 *   evaluate, sampleClick });
 * t.filter((d) => d.metric === "ap50").print();
 */
export async function evaluateGeneralisation(o: GeneralisationOptions): Promise<aq.ColumnTable> {
  const { data, heldOutDataset, cell = ABLATION_BASE_CELL, ...rest } = o;
  const parts: aq.ColumnTable[] = [];
  const main = await runAblation({ ...rest, data, grid: [{ ...cell, split: "seen" }, { ...cell, split: "heldOut" }] });
  parts.push(main.summary.derive({ setting: (d: { split: string }) => (d.split === "seen" ? "seenCategories" : "heldOutCategories") }));
  if (heldOutDataset) {
    const cats = new Set<number>();
    for (const im of heldOutDataset.images) for (const c of im.gtCategoryIds) cats.add(c);
    const asSeen: AblationData = { ...heldOutDataset, seenCategoryIds: [...cats].sort((a, b) => a - b), heldOutCategoryIds: [] };
    const other = await runAblation({ ...rest, data: asSeen, grid: [{ ...cell, split: "seen" }] });
    parts.push(other.summary.derive({ setting: () => "heldOutDataset" }));
  }
  const all = parts.length > 1 ? parts[0]!.concat(parts[1]!) : parts[0]!;
  return all.select("setting", "metric", "mean", "sd", "lo", "hi", "n");
}
