/**
 * Loads an ESM-only package (vega, vega-lite) from CommonJS code. TypeScript keeps `import()` as is under
 * `module: NodeNext`, so this works from tslab's CommonJS notebook cells too, which cannot import them.
 */
export async function importEsm<T = unknown>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}
