/** Loads a module by name; the default is Node's require. Tests pass a fake to simulate what is installed. */
export type ModuleLoader = (id: string) => unknown;

/** What happened when an optional package was loaded. */
export type LoadResult<T> = { ok: true; module: T } | { ok: false; missing: boolean; reason: string };

/** Node's require, from wherever this file is (dist/ in a package, src/ under vitest or tsx). */
export const defaultLoader: ModuleLoader = (id) => require(id);

/**
 * Loads an optional package. A package that is not installed is not an error: the result says so.
 * A package that is installed but fails to load (a missing native library, say) gives its first error line.
 */
export function loadOptional<T>(load: ModuleLoader, id: string): LoadResult<T> {
  try {
    return { ok: true, module: load(id) as T };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const message = String(e?.message ?? err);
    const missing = e?.code === "MODULE_NOT_FOUND" && message.includes(`'${id}'`);
    return {
      ok: false,
      missing,
      reason: missing ? `${id} is not installed` : `${id} failed to load: ${message.split("\n")[0]}`,
    };
  }
}
