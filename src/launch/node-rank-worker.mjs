// The rank worker on Node when webshmem runs from its TypeScript sources (this repository's tests
// and scripts): tsx makes the sources and TypeScript rank modules loadable in the worker thread.
// The built package (dist/) starts dist/rank-worker.js instead and needs no tsx.
import { register } from "tsx/esm/api";

register();
await import("../rank-worker.ts");
