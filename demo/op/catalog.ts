/**
 * The op runner's cases: for every op it can run, how the rank worker calls it (demo/ranks/op-ranks.ts
 * switches on `id`), which controls apply, which dtypes it takes, and what every rank's output
 * must be, computed on the page from the same deterministic inputs (demo/op/data.ts) with the
 * page's own arithmetic (demo/op/numeric.ts); the all-to-alls and tile reductions are in
 * demo/op/exchange-cases.ts. Plain data and functions: both the page and the rank worker import
 * it, and it imports nothing of the library.
 */
import { opElement, opInput, storedArray, type StoredArray } from "./data.ts";
import { bitsToFloat, floatToBits, reduceInRankOrder, type ElementDType, type FloatDType, type ReduceDType, type ReduceOpName } from "./numeric.ts";
import { DOWNSTREAM_OP } from "./downstream-schema.ts";
import { EXCHANGE_CASES, exchangeInputCount } from "./exchange-cases.ts";
import type { AlgoChoice, OpCase, OpRunSpec } from "./op-case.ts";

export type { AlgoChoice, OpCase, OpRunSpec } from "./op-case.ts";
export const ALGOS: readonly AlgoChoice[] = ["auto", "one_shot", "two_shot", "host"];
export const REDUCE_OP_NAMES: readonly ReduceOpName[] = ["sum", "avg", "max", "min", "prod"];

const FLOATS_INT: readonly ElementDType[] = ["float32", "float16", "bfloat16", "int32"];
const FLOATS: readonly ElementDType[] = ["float32", "float16", "bfloat16"];
const ANY: readonly ElementDType[] = ["float32", "float16", "bfloat16", "int32", "uint32"];

function allReduced(spec: OpRunSpec, inputs: readonly StoredArray[]): StoredArray {
  const out = storedArray(spec.dtype, spec.count);
  reduceInRankOrder(spec.dtype as ReduceDType, spec.reduceOp, inputs, spec.count, out);
  return out;
}

function gathered(spec: OpRunSpec, inputs: readonly StoredArray[]): StoredArray {
  const out = storedArray(spec.dtype, spec.count * inputs.length);
  inputs.forEach((x, p) => out.set(x, p * spec.count));
  return out;
}

/** reduce_scatter_out's input shape: [count] flat, or [2, count / 2] for split_last_dim. */
export function scatterShape(count: number, splitLastDim: boolean): number[] {
  return splitLastDim ? [2, Math.floor(count / 2)] : [count];
}

function scattered(spec: OpRunSpec, worldSize: number, rank: number, inputs: readonly StoredArray[], split: boolean): StoredArray {
  const sum = allReduced({ ...spec, reduceOp: "sum" }, inputs);
  if (!split) {
    const part = Math.floor(spec.count / worldSize);
    return sum.slice(rank * part, (rank + 1) * part);
  }
  const [rows, last] = scatterShape(spec.count, true);
  const chunk = Math.floor(last / worldSize);
  const out = storedArray(spec.dtype, rows * chunk);
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c < chunk; c++) out[row * chunk + c] = sum[row * last + rank * chunk + c];
  }
  return out;
}

/** stream_write_value32_ / memset32_ arguments, the same on the page and in the worker. */
export function u32Write(count: number, rank: number): { offset: number; val: number } {
  return { offset: count >> 1, val: (0xc0de0000 + rank) >>> 0 };
}
export function memsetArgs(count: number, rank: number): { offset: number; val: number; count: number } {
  return { offset: count >= 2 ? 1 : 0, val: (0x5eed0000 + rank) >>> 0, count: Math.max(1, count >> 1) };
}

const never = () => false;
const always = () => true;

function allReduceCase(op: string, about: string, expected?: OpCase["expected"]): OpCase {
  return {
    id: op, op, dtypes: FLOATS_INT, reduce: true, root: false, algo: false, wgsl: always, about,
    expected: expected ?? ((spec, _w, _r, inputs) => allReduced(spec, inputs)),
  };
}

/** The 1 × 1 mat2 of the webshmem::mm cases on rank `rank`: rank + 1 (every product is then exact in float32). */
export function mmScale(rank: number): number {
  return rank + 1;
}

/** x · [rank + 1]: each element times the scale, rounded once to the dtype (as the matmul stores it). */
function scaled(dtype: ElementDType, x: StoredArray, scale: number): StoredArray {
  const out = storedArray(dtype, x.length);
  for (let i = 0; i < x.length; i++) {
    out[i] = dtype === "float32" ? Math.fround(x[i] * scale)
      : floatToBits(dtype as FloatDType, bitsToFloat(dtype as "float16" | "bfloat16", x[i]) * scale);
  }
  return out;
}

function mmCase(op: string, about: string): OpCase {
  return {
    id: op, op, dtypes: FLOATS, reduce: false, root: false, algo: false, wgsl: always, about,
    expected: (spec, _w, rank, inputs) => scaled(spec.dtype, inputs[rank], mmScale(rank)),
  };
}

/** Every rank's input times its own mmScale: what each rank's A @ B is before a reduce-scatter. */
function rankProducts(dtype: ElementDType, inputs: readonly StoredArray[]): StoredArray[] {
  return inputs.map((x, p) => scaled(dtype, x, mmScale(p)));
}

const reduceOut: OpCase["expected"] = (spec, _w, rank, inputs) =>
  rank === spec.root ? allReduced(spec, inputs) : storedArray(spec.dtype, spec.count);

export const OP_CASES: readonly OpCase[] = [
  allReduceCase("symm_mem::one_shot_all_reduce", "input (a regular tensor) is realized in the heap; every rank reads every peer and returns a new tensor."),
  allReduceCase("symm_mem::one_shot_all_reduce_out", "input and out are realized; out is written (Tensor(a!)), so it is copied back."),
  allReduceCase("symm_mem::one_shot_all_reduce_copy", "symm_buffer is a symmetric tensor (not realized); local_input is a regular tensor, realized, then copied into symm_buffer by the kernel."),
  allReduceCase("symm_mem::one_shot_all_reduce_copy_out", "as _copy, into out (realized and copied back)."),
  allReduceCase("symm_mem::two_shot_all_reduce_", "in place: input is realized, reduced slice by slice (reduce-scatter + all-gather) and copied back."),
  allReduceCase("symm_mem::two_shot_all_reduce_out", "input and output realized; both are (a!)/(b!) in the schema, so both are copied back (input is left unchanged)."),
  allReduceCase("symm_mem::multimem_all_reduce_", "multicast emulated by the two-shot algorithm; in place."),
  allReduceCase("symm_mem::multimem_one_shot_all_reduce", "multicast emulated by the one-shot algorithm."),
  allReduceCase("symm_mem::multimem_one_shot_all_reduce_out", "as multimem_one_shot_all_reduce, into out."),
  {
    ...allReduceCase("symm_mem::multimem_one_shot_reduce_out", "only the root's out gets the reduction; the other ranks' out keeps its zeros.", reduceOut),
    root: true,
  },
  {
    id: "symm_mem::multimem_all_gather_out", op: "symm_mem::multimem_all_gather_out", dtypes: ANY, reduce: false, root: false,
    algo: false, wgsl: never, about: "a pure heap copy: slot p of every rank's out holds rank p's input (any dtype, nothing computed).",
    expected: (spec, _w, _r, inputs) => gathered(spec, inputs),
  },
  {
    id: "symm_mem::reduce_scatter_out", op: "symm_mem::reduce_scatter_out", variant: "split_last_dim=False",
    dtypes: FLOATS_INT, reduce: false, root: false, algo: false, wgsl: always,
    about: "sum only: rank r gets slice r of the flat sum (element count divisible by the world size).",
    expected: (spec, w, r, inputs) => scattered(spec, w, r, inputs, false),
  },
  {
    id: "symm_mem::reduce_scatter_out/split_last_dim", op: "symm_mem::reduce_scatter_out", variant: "split_last_dim=True",
    dtypes: FLOATS_INT, reduce: false, root: false, algo: false, wgsl: always,
    about: "sum only: input shaped [2, count/2]; rank r gets chunk r of the last dim of every row (count/2 divisible by the world size).",
    expected: (spec, w, r, inputs) => scattered(spec, w, r, inputs, true),
  },
  {
    id: "symm_mem::broadcast", op: "symm_mem::broadcast", dtypes: ANY, reduce: false, root: true, algo: false, wgsl: never,
    about: "in place: the root's input is copied into every other rank's (realized and copied back).",
    expected: (spec, _w, _r, inputs) => inputs[spec.root].slice(),
  },
  {
    id: "symm_mem::get_remote_tensors", op: "symm_mem::get_remote_tensors", dtypes: ANY, reduce: false, root: false, algo: false,
    wgsl: never,
    about: "x must already be a symmetric tensor (nothing registered, nothing realized); returns views of every rank's copy, read here in rank order.",
    expected: (spec, _w, _r, inputs) => gathered(spec, inputs),
  },
  {
    id: "symm_mem::stream_write_value32_", op: "symm_mem::stream_write_value32_", dtypes: ["uint32"], reduce: false, root: false,
    algo: false, wgsl: never, about: "not collective: writes one uint32 (0xc0de0000 + rank) at offset count/2 of a regular tensor.",
    expected: (spec, _w, rank, inputs) => {
      const out = inputs[rank].slice();
      const { offset, val } = u32Write(spec.count, rank);
      out[offset] = val;
      return out;
    },
  },
  {
    id: "symm_mem::memset32_", op: "symm_mem::memset32_", dtypes: ["uint32"], reduce: false, root: false, algo: false, wgsl: never,
    about: "not collective: fills count/2 uint32 words from offset 1 with 0x5eed0000 + rank.",
    expected: (spec, _w, rank, inputs) => {
      const out = inputs[rank].slice();
      const { offset, val, count } = memsetArgs(spec.count, rank);
      out.fill(val, offset, offset + count);
      return out;
    },
  },
  {
    id: "webshmem::host_all_reduce_", op: "webshmem::host_all_reduce_", dtypes: FLOATS_INT, reduce: true, root: false, algo: false,
    wgsl: never,
    about: "in place, arithmetic on the host (WebAssembly SIMD); input is not registered: the kernel stages it itself, so no realization.",
    expected: (spec, _w, _r, inputs) => allReduced(spec, inputs),
  },
  mmCase("webshmem::mm", "not collective: self (this rank's input as a count × 1 column) · mat2 (the 1 × 1 matrix [rank + 1]) " +
    "as a new tensor; the tiled WGSL matmul on webgpu, JavaScript loops on cpu; nothing realized."),
  mmCase("webshmem::mm.out", "as webshmem::mm, into out (keyword-only, Tag.out), here a symmetric tensor: on webgpu the " +
    "product is read back into this rank's heap; nothing realized."),
  {
    ...mmCase("symm_mem::fused_all_gather_matmul", "all_gather(A, gather_dim=0) @ B with Bs = [the 1 × 1 matrix [rank + 1]]: A (this rank's " +
      "input as a count × 1 column) is gathered chunk by chunk through the op's own workspace while the chunks already there are multiplied; " +
      "nothing registered, nothing realized. Shown: the product (Tensor[] element 0)."),
    expected: (spec, _w, rank, inputs) => scaled(spec.dtype, gathered(spec, inputs), mmScale(rank)),
  },
  {
    ...mmCase("symm_mem::fused_matmul_reduce_scatter", "reduce_scatter(A @ B, \"sum\", scatter_dim=0) with B = [[rank + 1]]: each rank " +
      "computes the rows every peer owns first and signals it, its own last; the owner reduces the parts in rank order (float32 " +
      "accumulation). The element count must divide by the world size; nothing registered, nothing realized."),
    expected: (spec, w, r, inputs) => scattered(spec, w, r, rankProducts(spec.dtype, inputs), false),
  },
  {
    id: "rank.allReduce", op: "rank.allReduce", variant: "high-level API", dtypes: FLOATS_INT, reduce: true, root: false, algo: true,
    wgsl: (spec) => spec.algo !== "host",
    about: "the high-level call: auto picks an algorithm from the tuning table by backend and size; the result is a new tensor.",
    expected: (spec, _w, _r, inputs) => allReduced(spec, inputs),
  },
  {
    id: DOWNSTREAM_OP, op: DOWNSTREAM_OP, variant: "defined by this demo", dtypes: ["float32"], reduce: false, root: false,
    algo: false, wgsl: never,
    about: "defined in demo/op/downstream-op.ts with the public Library API; input registered with registerSymmMemArgs, so the dispatcher realizes it.",
    expected: (spec, _w, _r, inputs) => {
      const out = new Float32Array(spec.count);
      for (let i = 0; i < spec.count; i++) {
        let acc = 0;
        inputs.forEach((x, p) => (acc = Math.fround(acc + Math.fround((p + 1) * x[i]))));
        out[i] = acc;
      }
      return out;
    },
  },
  ...EXCHANGE_CASES,
];

export function opCase(id: string): OpCase {
  const c = OP_CASES.find((x) => x.id === id);
  if (c === undefined) throw new Error(`the op runner has no case "${id}"`);
  return c;
}

/** Every rank's input, in rank order (what the worker builds its tensors from). */
export function allInputs(spec: OpRunSpec, worldSize: number): StoredArray[] {
  const n = inputCount(spec, worldSize);
  return Array.from({ length: worldSize }, (_, r) => opInput(spec.dtype, spec.seed, r, n));
}

/** Elements of every rank's input: the element count, or what an all-to-all's rows or a tile's matrix need. */
export function inputCount(spec: OpRunSpec, worldSize: number): number {
  return exchangeInputCount(opCase(spec.id), spec, worldSize) ?? spec.count;
}

export { opElement };
