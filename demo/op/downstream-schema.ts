/**
 * The demo's own operator, defined outside the library through its public `Library` API (the
 * definition and kernels are in downstream-op.ts, loaded by the rank worker). This module only
 * names it, so the page can show the schema without defining anything on the main thread.
 */
export const DOWNSTREAM_NAMESPACE = "demo_op";
export const DOWNSTREAM_NAME = "rank_weighted_sum";
export const DOWNSTREAM_OP = `${DOWNSTREAM_NAMESPACE}::${DOWNSTREAM_NAME}`;
export const DOWNSTREAM_SCHEMA = `${DOWNSTREAM_NAME}(Tensor input, str group_name) -> Tensor`;
/** What the page shows as the registration (the code in downstream-op.ts, abridged). */
export const DOWNSTREAM_REGISTRATION = [
  `const lib = new Library("${DOWNSTREAM_NAMESPACE}", "DEF");`,
  `lib.define("${DOWNSTREAM_SCHEMA}");`,
  `lib.registerSymmMemArgs("${DOWNSTREAM_NAME}", ["input"]); // the dispatcher puts input in the heap`,
  `lib.impl("${DOWNSTREAM_NAME}", rankWeightedSum, "webgpu");`,
  `lib.impl("${DOWNSTREAM_NAME}", rankWeightedSum, "cpu");`,
].join("\n");
