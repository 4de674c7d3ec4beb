/**
 * Libraries made through `scopedLibrary` are disposed by `disposeScopedLibraries` (call it in
 * afterEach), so every test leaves the global op table and registry as it found them.
 */
import { Library, type LibraryKind } from "../../src/library/library.ts";

const live: Library[] = [];

export function scopedLibrary(namespace: string, kind: LibraryKind): Library {
  const lib = new Library(namespace, kind);
  live.push(lib);
  return lib;
}

export function disposeScopedLibraries(): void {
  for (const lib of live.splice(0)) lib.dispose();
}
