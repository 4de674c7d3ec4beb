/**
 * The meta kernels of the built-in webshmem ops: one per op of WEBSHMEM_OPS (a built-in op added
 * without one fails here), run through runMeta on the real definitions. Importing the
 * definitions loads their kernels too (src/ops/webshmem/host-all-reduce.ts and what it needs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpError } from "../../src/core/errors.ts";
import { findOp, Library } from "../../src/library/library.ts";
import { metaGroups, tensorMeta } from "../../src/library/meta.ts";
import { runMeta } from "../../src/library/run-meta.ts";
import { WEBSHMEM_METAS } from "../../src/ops/meta/webshmem-meta.ts";
import { WEBSHMEM_NAMESPACE, WEBSHMEM_OPS } from "../../src/ops/webshmem/definitions.ts";

const NAMES = Object.keys(WEBSHMEM_OPS);
const env = metaGroups({ world: 4 });

let lib: Library | undefined;
beforeAll(() => {
  for (const name of NAMES) {
    if (findOp(`${WEBSHMEM_NAMESPACE}::${name}`)?.meta !== undefined) continue;
    lib ??= new Library(WEBSHMEM_NAMESPACE, "FRAGMENT");
    const meta = WEBSHMEM_METAS[name];
    if (meta !== undefined) lib.registerMeta(name, meta);
  }
});
afterAll(() => lib?.dispose());

describe("every built-in webshmem op has a meta kernel", () => {
  it.each(NAMES)("%s", (name) => {
    expect(Object.hasOwn(WEBSHMEM_METAS, name), `WEBSHMEM_METAS has no meta kernel for webshmem::${name}`).toBe(true);
    expect(findOp(`webshmem::${name}`)?.meta).toBe(WEBSHMEM_METAS[name]);
  });

  it("and no meta kernel names an op that does not exist", () => {
    expect(Object.keys(WEBSHMEM_METAS).sort()).toEqual([...NAMES].sort());
  });
});

describe("webshmem::host_all_reduce_", () => {
  const run = (...values: unknown[]) => runMeta("webshmem::host_all_reduce_", values, env);

  it("returns input itself, any shape", () => {
    for (const shape of [[], [0], [3, 5]]) {
      const x = tensorMeta(shape, "bfloat16");
      expect(run(x, "avg", "world")).toBe(x);
    }
  });

  it("rejects what the kernel rejects", () => {
    const cases: ReadonlyArray<readonly [unknown[], string]> = [
      [[tensorMeta([4], "float32"), "mean", "world"],
        'webshmem::host_all_reduce_: argument "reduce_op" expected one of sum, avg, max, min, prod, found "mean"'],
      [[tensorMeta([4], "int32"), "avg", "world"], 'webshmem::host_all_reduce_: reduce_op "avg" is not valid for dtype int32'],
      [[tensorMeta([4], "uint8"), "sum", "world"], 'webshmem::host_all_reduce_: argument "input" has dtype uint8'],
      [[tensorMeta([4], "float32"), "sum", "nope"], 'unknown group "nope"'],
    ];
    for (const [values, message] of cases) {
      expect(() => run(...values)).toThrow(OpError);
      expect(() => run(...values)).toThrow(message);
    }
  });
});
