/**
 * The meta kernels against the real kernels, on a one-rank cpu world: for each call, the meta
 * (given the very tensors the kernel gets) returns what the kernel returns — the same argument
 * for an aliased return, a tensor of the same shape and dtype otherwise — or throws the same
 * message. Multi-rank rules (divisibility, group sizes > 1) are in meta-kernels.test.ts, with the
 * messages test/collectives/errors.test.ts pins on the kernels.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DType } from "../../src/core/dtype.ts";
import { findOp, Library } from "../../src/library/library.ts";
import type { MetaEnvironment } from "../../src/library/meta.ts";
import { runMeta } from "../../src/library/run-meta.ts";
import { SYMM_MEM_METAS } from "../../src/ops/meta/symm-mem-meta.ts";
import { WEBSHMEM_METAS } from "../../src/ops/meta/webshmem-meta.ts";
import { localRank } from "../helpers/local-rank.ts";

const rank = localRank(1 << 20);
const env: MetaEnvironment = { groupSize: (name) => rank.symm.group(name).size };

const libs: Library[] = [];
beforeAll(() => {
  for (const [ns, metas] of [["symm_mem", SYMM_MEM_METAS], ["webshmem", WEBSHMEM_METAS]] as const) {
    const lib = new Library(ns, "FRAGMENT");
    libs.push(lib);
    for (const [name, meta] of Object.entries(metas)) {
      if (findOp(`${ns}::${name}`)?.meta === undefined) lib.registerMeta(name, meta);
    }
  }
});
afterAll(() => {
  for (const lib of libs) lib.dispose();
});

type Make = () => unknown;
const f32 = (n: number, shape?: number[]): Make => () => rank.tensor(new Float32Array(n), { shape });
const typed = (dtype: DType, n: number, shape?: number[]): Make => () => {
  const data = dtype === "int32" ? new Int32Array(n) : dtype === "uint32" ? new Uint32Array(n) : dtype === "uint8" ? new Uint8Array(n) : new Uint16Array(n);
  return rank.tensor(data, { dtype, shape });
};
const symm = (n: number, dtype: DType = "float32"): Make => () => rank.symm.empty([n], dtype);
const v = (x: unknown): Make => () => x;

/** [op, argument makers]: each value is made fresh for the kernel and for the meta. */
const CALLS: ReadonlyArray<readonly [string, readonly Make[]]> = [
  ["symm_mem::one_shot_all_reduce", [f32(6, [2, 3]), v("sum"), v("world")]],
  ["symm_mem::one_shot_all_reduce", [f32(2), v("mean"), v("world")]],
  ["symm_mem::one_shot_all_reduce", [typed("int32", 4), v("avg"), v("world")]],
  ["symm_mem::one_shot_all_reduce_out", [f32(6), v("sum"), v("world"), f32(6)]],
  ["symm_mem::one_shot_all_reduce_out", [f32(6), v("sum"), v("world"), typed("int32", 6)]],
  ["symm_mem::one_shot_all_reduce_out", [f32(6), v("sum"), v("world"), f32(5)]],
  ["symm_mem::one_shot_all_reduce_copy", [f32(8), f32(4, [2, 2]), v("max"), v("world")]],
  ["symm_mem::one_shot_all_reduce_copy", [f32(3), f32(4), v("sum"), v("world")]],
  ["symm_mem::one_shot_all_reduce_copy", [f32(6), typed("int32", 4), v("sum"), v("world")]],
  ["symm_mem::one_shot_all_reduce_copy_out", [f32(8), f32(4), v("sum"), v("world"), f32(4)]],
  ["symm_mem::one_shot_all_reduce_copy_out", [f32(8), f32(4), v("sum"), v("world"), f32(4, [2, 2])]],
  ["symm_mem::two_shot_all_reduce_", [f32(5), v("avg"), v("world")]],
  ["symm_mem::two_shot_all_reduce_", [typed("uint8", 4), v("sum"), v("world")]],
  ["symm_mem::two_shot_all_reduce_out", [f32(6), v("sum"), v("world"), f32(6, [2, 3])]],
  ["symm_mem::two_shot_all_reduce_out", [f32(6), v("min"), v("world"), f32(6)]],
  ["symm_mem::multimem_all_reduce_", [typed("int32", 3), v("prod"), v("world")]],
  ["symm_mem::multimem_one_shot_all_reduce", [typed("float16", 4), v("sum"), v("world")]],
  ["symm_mem::multimem_one_shot_all_reduce_out", [f32(6), v("sum"), v("world"), f32(7)]],
  ["symm_mem::multimem_one_shot_reduce_out", [f32(2), v("sum"), v(0), v("world"), f32(2)]],
  ["symm_mem::multimem_one_shot_reduce_out", [f32(2), v("sum"), v(1), v("world"), f32(2)]],
  ["symm_mem::multimem_all_gather_out", [f32(6, [2, 3]), v("world"), f32(6, [2, 3])]],
  ["symm_mem::multimem_all_gather_out", [f32(6, [2, 3]), v("world"), f32(6)]],
  ["symm_mem::multimem_all_gather_out", [f32(2), v("world"), typed("int32", 2)]],
  ["symm_mem::multimem_all_gather_out", [f32(2), v("world"), f32(3)]],
  ["symm_mem::reduce_scatter_out", [f32(6, [2, 3]), v("world"), v(true), f32(6, [2, 3])]],
  ["symm_mem::reduce_scatter_out", [f32(6), v("world"), v(false), f32(5)]],
  ["symm_mem::reduce_scatter_out", [typed("uint8", 4), v("world"), v(false), typed("uint8", 4)]],
  ["symm_mem::reduce_scatter_out", [f32(1, []), v("world"), v(true), f32(1, [])]],
  ["symm_mem::broadcast", [typed("uint8", 3), v(0), v("world")]],
  ["symm_mem::broadcast", [f32(2), v(-1), v("world")]],
  ["symm_mem::get_remote_tensors", [symm(4), v("world")]],
  ["symm_mem::stream_write_value32_", [typed("uint32", 6), v(5), v(7)]],
  ["symm_mem::stream_write_value32_", [typed("uint32", 6), v(6), v(7)]],
  ["symm_mem::stream_write_value32_", [f32(6), v(0), v(1)]],
  ["symm_mem::memset32_", [typed("uint32", 6), v(1), v(7), v(5)]],
  ["symm_mem::memset32_", [typed("uint32", 6), v(4), v(1), v(3)]],
  ["symm_mem::memset32_", [typed("uint32", 6, [2, 3]), v(0), v(1), v(1)]],
  ["symm_mem::memset32_", [typed("uint32", 6), v(0), v(2 ** 32), v(1)]],
  ["symm_mem::memset32_", [typed("uint32", 6), v(0), v(1), v(0)]],
  ["symm_mem::all_to_all_vdev", [f32(6, [3, 2]), f32(8, [4, 2]), typed("int32", 1), typed("int32", 2, [2, 1]), v("world")]],
  ["symm_mem::all_to_all_vdev", [f32(6, [3, 2]), f32(8, [4, 2]), f32(1), typed("int32", 2, [2, 1]), v("world")]],
  ["symm_mem::all_to_all_vdev_2d", [f32(6), f32(8), typed("int32", 2), typed("int32", 4, [2, 2]), v("world"), v(4)]],
  ["symm_mem::all_to_all_vdev_2d", [f32(6), f32(8), typed("int32", 2), typed("int32", 4, [2, 2]), v("world"), v(0)]],
  ["symm_mem::all_to_all_vdev_2d_offset", [f32(6), f32(8), typed("int32", 4, [2, 2]), typed("int32", 4, [2, 2]), v("world")]],
  ["symm_mem::all_to_all_vdev_2d_offset", [f32(6), f32(8), typed("int32", 2, [2, 1]), typed("int32", 4, [2, 2]), v("world")]],
  ["symm_mem::all_to_all", [f32(6), f32(6, [2, 3]), v("world")]],
  ["symm_mem::all_to_all", [f32(6), f32(5), v("world")]],
  ["symm_mem::_make_a2a_exchange_plan", [typed("int32", 1), typed("int32", 1), typed("int32", 1), typed("int32", 1), v("world")]],
  ["symm_mem::_make_a2a_exchange_plan", [typed("int32", 1), typed("int32", 2), typed("int32", 1), typed("int32", 1), v("world")]],
  ["symm_mem::_all_to_all_get", [symm(4), f32(4), typed("int32", 1), typed("int32", 1), typed("int32", 1), v("world"), v(null), v(null), v(null)]],
  ["symm_mem::_all_to_all_get", [symm(4), f32(4), typed("int32", 1), typed("int32", 1), typed("int32", 1), v("world"), v(null), typed("int32", 1), v(null)]],
  ["webshmem::host_all_reduce_", [f32(6, [2, 3]), v("sum"), v("world")]],
  ["webshmem::host_all_reduce_", [typed("int32", 4), v("avg"), v("world")]],
  ["webshmem::host_all_reduce_", [f32(2), v("mean"), v("world")]],
];

type Outcome = { error: string } | { none: true } | { alias: number } | { shape: readonly number[]; dtype: string } | { list: Outcome[] };

function outcome(result: unknown, args: readonly unknown[]): Outcome {
  if (result === undefined) return { none: true };
  if (Array.isArray(result)) return { list: result.map((r) => outcome(r, [])) };
  const at = args.indexOf(result);
  if (at >= 0) return { alias: at };
  const t = result as { shape: readonly number[]; dtype: string };
  return { shape: [...t.shape], dtype: t.dtype };
}

async function settle(call: () => unknown, args: readonly unknown[]): Promise<Outcome> {
  try {
    return outcome(await call(), args);
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

describe("a meta kernel agrees with its kernel", () => {
  it.each(CALLS.map(([name, makers], i) => [`${i} ${name}`, name, makers] as const))("%s", async (_label, name, makers) => {
    const kernelArgs = makers.map((m) => m());
    const metaArgs = makers.map((m) => m());
    const real = await settle(() => rank.call(name, ...kernelArgs), kernelArgs);
    const meta = await settle(() => runMeta(name, metaArgs, env), metaArgs);
    expect(meta).toEqual(real);
  });
});
