/**
 * The op runner's rank functions (names start with "op", so that demo-ranks.ts merges them
 * without a clash). `opRun` makes this rank's input from the deterministic generator
 * (demo/op/data.ts), calls the op the page chose the way a user would (regular tensors on the
 * rank's backend unless the op wants a symmetric one), and returns what it got, with the
 * dispatcher's counters before and after the call.
 */
import { getBackend, type DType, type Rank, type RegularTensor, type SymmetricTensor, type Tensor } from "../../src/index.ts";
import { opInput, storedArray, type StoredArray } from "../op/data.ts";
import { inputCount, memsetArgs, mmScale, opCase, scatterShape, u32Write, type OpRunSpec } from "../op/catalog.ts";
import { floatToBits, type FloatDType } from "../op/numeric.ts";
import { a2aCall, tileCall, type CallKit, type ExchangeOutcome } from "./op-exchange-calls.ts";
import { DOWNSTREAM_NAME, DOWNSTREAM_NAMESPACE } from "../op/downstream-schema.ts";
// Defines demo_op::rank_weighted_sum in this worker, once, when it loads.
import "../op/downstream-op.ts";

export interface OpStats {
  realizations: number;
  copyBacks: number;
  workspaceAllocations: number;
}

export interface OpRunResult {
  rank: number;
  backend: string;
  /** The call as made, with argument kinds and shapes. */
  call: string;
  inputShape: number[];
  /** This rank's input as it was created (stored values). */
  input: StoredArray;
  /** What the op gave back on this rank (stored values; f16/bf16 as bits). */
  output: StoredArray;
  outputShape: number[];
  /** An int32 side output (out_splits_offsets, an exchange plan), for the ops that have one. */
  aux?: ExchangeOutcome["aux"];
  /** The splits the call passed (all-to-alls), shown beside the input. */
  splits?: ExchangeOutcome["splits"];
  statsBefore: OpStats;
  statsAfter: OpStats;
}

const G = "world";

function snapshot(rank: Rank): OpStats {
  const s = rank.stats;
  return { realizations: s.realizations, copyBacks: s.copyBacks, workspaceAllocations: s.workspaceAllocations };
}

function describe(t: Tensor): string {
  const kind = t.kind === "symmetric" ? "symmetric" : (t as RegularTensor).backend;
  return `${kind} ${t.dtype}[${t.shape.join(", ")}]`;
}


/** Runs one op of the op runner on this rank; see OpRunSpec (demo/op/catalog.ts). */
export async function opRun(rank: Rank, spec: OpRunSpec): Promise<OpRunResult> {
  const c = opCase(spec.id);
  const n = inputCount(spec, rank.worldSize);
  const dtype = spec.dtype as DType;
  const data = opInput(spec.dtype, spec.seed, rank.rank, n);
  const split = spec.id.endsWith("/split_last_dim");
  let inputShape = c.op === "symm_mem::reduce_scatter_out" ? scatterShape(n, split) : [n];
  const made: SymmetricTensor[] = [];
  // Regular tensors this call made or got back (GPUBuffers on webgpu): released when it is done.
  const regular = new Set<RegularTensor>();
  const ops = rank.ops;
  const before = snapshot(rank);
  let call = "";
  let output: StoredArray;
  let outputShape: number[] = [n];
  let aux: ExchangeOutcome["aux"];
  let splits: ExchangeOutcome["splits"];
  let input: StoredArray = data;
  const keep = <T extends Tensor>(t: T): T => {
    if (t.kind === "regular") regular.add(t);
    return t;
  };
  const readAll = async (rank: Rank, t: Tensor): Promise<StoredArray> => (await rank.read(keep(t))) as StoredArray;
  try {
    const x = () => keep(rank.tensor(data, { dtype, shape: inputShape }));
    // The 1 × 1 matrix [s] of the matmul cases, in the spec's dtype.
    const scaleMatrix = (s: number) => keep(rank.tensor([dtype === "float32" ? s : floatToBits(dtype as FloatDType, s)], { dtype, shape: [1, 1] }));
    const keepZeros = (shape: number[], dt: DType) => keep(rank.zeros(shape, dt));
    const symm = (shape: number[], name: string) => {
      const t = rank.symm.empty(shape, dtype, { group: G, label: `op runner: ${name}` });
      made.push(t);
      return t;
    };
    const r = JSON.stringify(spec.reduceOp);
    // The all-to-alls and tile reductions: demo/ranks/op-exchange-calls.ts.
    if (c.a2a !== undefined || c.tile !== undefined) {
      const kit: CallKit = { keep, symm, read: (t) => readAll(rank, t), describe };
      const got = c.a2a !== undefined ? await a2aCall(rank, spec, c, data, kit) : await tileCall(rank, spec, c, data, kit);
      ({ call, inputShape, output, outputShape, aux, splits } = got);
      input = got.input ?? data;
    } else switch (c.op) {
      case "symm_mem::one_shot_all_reduce":
      case "symm_mem::multimem_one_shot_all_reduce": {
        const input = x();
        call = `${c.op}(input: ${describe(input)}, ${r}, "${G}")`;
        output = await readAll(rank, (await rank.call(c.op, input, spec.reduceOp, G)) as Tensor);
        break;
      }
      case "symm_mem::one_shot_all_reduce_out":
      case "symm_mem::multimem_one_shot_all_reduce_out": {
        const input = x();
        const out = keepZeros([n], dtype);
        call = `${c.op}(input: ${describe(input)}, ${r}, "${G}", out: ${describe(out)})`;
        await rank.call(c.op, input, spec.reduceOp, G, out);
        output = await readAll(rank, out);
        break;
      }
      case "symm_mem::multimem_one_shot_reduce_out": {
        const input = x();
        const out = keepZeros([n], dtype);
        call = `${c.op}(input: ${describe(input)}, ${r}, root=${spec.root}, "${G}", out: ${describe(out)})`;
        await rank.call(c.op, input, spec.reduceOp, spec.root, G, out);
        output = await readAll(rank, out);
        break;
      }
      case "symm_mem::one_shot_all_reduce_copy":
      case "symm_mem::one_shot_all_reduce_copy_out": {
        const buffer = symm([n], "symm_buffer");
        const local = x();
        const withOut = c.op.endsWith("_out");
        const out = withOut ? keepZeros([n], dtype) : undefined;
        call = `${c.op}(symm_buffer: ${describe(buffer)}, local_input: ${describe(local)}, ${r}, "${G}"` +
          (out ? `, out: ${describe(out)})` : ")");
        const res = out
          ? await rank.call(c.op, buffer, local, spec.reduceOp, G, out)
          : await rank.call(c.op, buffer, local, spec.reduceOp, G);
        output = await readAll(rank, (out ?? res) as Tensor);
        break;
      }
      case "symm_mem::two_shot_all_reduce_":
      case "symm_mem::multimem_all_reduce_": {
        const input = x();
        call = `${c.op}(input: ${describe(input)}, ${r}, "${G}")  (in place)`;
        await rank.call(c.op, input, spec.reduceOp, G);
        output = await readAll(rank, input);
        break;
      }
      case "symm_mem::two_shot_all_reduce_out": {
        const input = x();
        const out = keepZeros([n], dtype);
        call = `${c.op}(input: ${describe(input)}, ${r}, "${G}", output: ${describe(out)})`;
        await rank.call(c.op, input, spec.reduceOp, G, out);
        output = await readAll(rank, out);
        break;
      }
      case "symm_mem::multimem_all_gather_out": {
        const input = x();
        const out = keepZeros([n * rank.worldSize], dtype);
        outputShape = [...out.shape];
        call = `${c.op}(input: ${describe(input)}, "${G}", out: ${describe(out)})`;
        await rank.call(c.op, input, G, out);
        output = await readAll(rank, out);
        break;
      }
      case "symm_mem::reduce_scatter_out": {
        const input = x();
        const rows = inputShape.length === 2 ? inputShape[0] : 1;
        const last = inputShape[inputShape.length - 1];
        const part = split ? rows * Math.floor(last / rank.worldSize) : Math.floor(n / rank.worldSize);
        const out = keepZeros([Math.max(part, 0)], dtype);
        outputShape = [...out.shape];
        call = `${c.op}(input: ${describe(input)}, "${G}", split_last_dim=${split ? "True" : "False"}, output: ${describe(out)})`;
        await rank.call(c.op, input, G, split, out);
        output = await readAll(rank, out);
        break;
      }
      case "symm_mem::broadcast": {
        const input = x();
        call = `${c.op}(input: ${describe(input)}, root=${spec.root}, "${G}")  (in place)`;
        await rank.call(c.op, input, spec.root, G);
        output = await readAll(rank, input);
        break;
      }
      case "symm_mem::get_remote_tensors": {
        const t = symm([n], "x");
        t.data.set(data);
        const h = await rank.symm.rendezvous(t);
        await h.barrier(); // every rank has written its copy
        call = `${c.op}(x: ${describe(t)}, "${G}")  → Tensor[${rank.worldSize}], each read here`;
        const views = (await rank.call(c.op, t, G)) as SymmetricTensor[];
        output = storedArray(spec.dtype, n * views.length);
        views.forEach((v, p) => output.set(v.data as StoredArray, p * n));
        outputShape = [views.length, n];
        await h.barrier(); // nobody frees x while a peer still reads it
        break;
      }
      case "symm_mem::stream_write_value32_": {
        const input = x();
        const { offset, val } = u32Write(n, rank.rank);
        call = `${c.op}(input: ${describe(input)}, offset=${offset}, val=0x${val.toString(16)})`;
        await rank.call(c.op, input, offset, val);
        output = await readAll(rank, input);
        break;
      }
      case "symm_mem::memset32_": {
        const input = x();
        const a = memsetArgs(n, rank.rank);
        call = `${c.op}(input: ${describe(input)}, offset=${a.offset}, val=0x${a.val.toString(16)}, count=${a.count})`;
        await rank.call(c.op, input, a.offset, a.val, a.count);
        output = await readAll(rank, input);
        break;
      }
      case "webshmem::host_all_reduce_": {
        const input = x();
        call = `${c.op}(input: ${describe(input)}, ${r}, "${G}")  (in place)`;
        await rank.ops.webshmem.host_all_reduce_(input, spec.reduceOp, G);
        output = await readAll(rank, input);
        break;
      }
      case "webshmem::mm":
      case "webshmem::mm.out": {
        inputShape = [n, 1];
        outputShape = [n, 1];
        const self = x();
        const s = mmScale(rank.rank);
        const mat2 = scaleMatrix(s);
        if (c.op === "webshmem::mm") {
          call = `${c.op}(self: ${describe(self)}, mat2: ${describe(mat2)} = [[${s}]])`;
          output = await readAll(rank, (await ops.webshmem.mm(self, mat2)) as Tensor);
        } else {
          const out = symm([n, 1], "mm.out out");
          call = `${c.op}(self: ${describe(self)}, mat2: ${describe(mat2)} = [[${s}]], *, out: ${describe(out)})`;
          await ops.webshmem.mm.out(self, mat2, { out });
          output = await readAll(rank, out);
        }
        break;
      }
      case "symm_mem::fused_all_gather_matmul":
      case "symm_mem::fused_matmul_reduce_scatter": {
        inputShape = [n, 1];
        const A = x();
        const s = mmScale(rank.rank);
        const B = scaleMatrix(s);
        const matrices = `A: ${describe(A)}, ${c.op.endsWith("matmul") ? `Bs: [${describe(B)} = [[${s}]]], gather_dim=0` : `B: ${describe(B)} = [[${s}]], "sum", scatter_dim=0`}`;
        call = `${c.op}(${matrices}, "${G}")`;
        let product: Tensor;
        if (c.op === "symm_mem::fused_all_gather_matmul") {
          const [gatheredA, products] = (await ops.symm_mem.fused_all_gather_matmul(A, [B], 0, G)) as [Tensor | null, Tensor[]];
          if (gatheredA !== null) keep(gatheredA);
          product = keep(products[0]);
        } else {
          product = keep((await ops.symm_mem.fused_matmul_reduce_scatter(A, B, "sum", 0, G)) as Tensor);
        }
        outputShape = [...product.shape];
        output = await readAll(rank, product);
        break;
      }
      case "rank.allReduce": {
        const input = x();
        const algo = spec.algo === "auto" ? undefined : spec.algo;
        call = `rank.allReduce(${describe(input)}, { op: ${r}${algo ? `, algo: "${algo}"` : ""} })`;
        output = await readAll(rank, await rank.allReduce(input, { op: spec.reduceOp, ...(algo ? { algo } : {}) }));
        break;
      }
      case `${DOWNSTREAM_NAMESPACE}::${DOWNSTREAM_NAME}`: {
        const input = x();
        call = `rank.ops.${DOWNSTREAM_NAMESPACE}.${DOWNSTREAM_NAME}(input: ${describe(input)}, "${G}")`;
        output = await readAll(rank, (await ops[DOWNSTREAM_NAMESPACE][DOWNSTREAM_NAME](input, G)) as Tensor);
        break;
      }
      default:
        throw new Error(`opRun: no call for ${c.op}`);
    }
  } finally {
    // Same order on every rank; every op above ends with a barrier, so no peer still reads these.
    for (const t of made.reverse()) rank.symm.free(t);
    for (const t of regular) getBackend(t.backend).dispose(rank, t);
  }
  return {
    rank: rank.rank, backend: rank.backend, call, inputShape, input, output: output!, outputShape, ...(aux ? { aux } : {}), ...(splits ? { splits } : {}),
    statsBefore: before, statsAfter: snapshot(rank),
  };
}
