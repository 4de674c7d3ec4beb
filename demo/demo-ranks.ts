/**
 * Every rank function of the demo page, one module per panel; the rank worker serves them all.
 * Each panel prefixes its names with its own (opRun, heapSnapshot, trainStep, particleStep, …):
 * `export *` silently drops a name two modules both export.
 */
export * from "./ranks/launch-ranks.ts";
export * from "./ranks/op-ranks.ts";
export * from "./ranks/heap-ranks.ts";
export * from "./ranks/train-ranks.ts";
export * from "./ranks/particle-ranks.ts";
