/**
 * `webshmem::host_all_reduce_(Tensor(a!) input, str reduce_op, str group_name) -> Tensor(a!)`:
 * an in-place all-reduce whose arithmetic runs on the host (WebAssembly SIMD over the heap), for
 * tensors of any backend and symmetric tensors.
 *
 * `input` is NOT a registered symm-mem argument: realizing it would read the whole tensor back
 * before the kernel and upload it after, with nothing overlapped. Instead the kernel picks a path
 * by where the tensor lives:
 *   - a symmetric tensor of the op's group: reduced in place in the heap (host-symmetric.ts);
 *   - host memory up to HOST_STAGED_MAX_BYTES: staged whole through the workspace (host-staged.ts);
 *   - any other tensor up to the tuning's oneRoundMaxBytes: read back whole, one barrier, reduced
 *     whole by every rank (host-one-round.ts, its own workspace);
 *   - any other tensor up to the tuning's reduceOnceMaxBytes: read back whole, reduced once by the
 *     last rank to arrive, for every rank (host-reduce-once.ts, its own workspace);
 *   - anything else: chunks pipelined through the backend's endpoint (host-pipeline.ts).
 * Settings: `rank.configure("webshmem::host_all_reduce_", tuning)` over the runtime's defaults
 * (host-tuning.ts: in Chromium reduce-once up to 64 MiB, on Deno one-round up to 256 KiB and
 * reduce-once up to 8 MiB); with a
 * listener (`rank.onEvent`), each pipelined call emits a "trace" event (host-trace.ts).
 */
import type { Tensor } from "../../backends/backend.ts";
import type { OpContext } from "../../backends/context.ts";
import { HostEndpoint, type TensorEndpoint } from "../../backends/endpoint.ts";
import { OpError } from "../../core/errors.ts";
import { checkReduction } from "../../core/reduce-op.ts";
import { SymmetricTensor } from "../../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../../library/bind.ts";
import { checkContiguous, describeTensor, opGroup } from "../symm_mem/checks.ts";
import type { HostCall } from "./host-call.ts";
import { oneRound } from "./host-one-round.ts";
import { reduceOnce } from "./host-reduce-once.ts";
import { pipelined } from "./host-pipeline.ts";
import { HOST_STAGED_MAX_BYTES, stagedWhole } from "./host-staged.ts";
import { inPlaceSymmetric } from "./host-symmetric.ts";
import { hostTuning } from "./host-tuning.ts";

function endpointOf(ctx: OpContext, input: Tensor): TensorEndpoint {
  if (input instanceof SymmetricTensor) return new HostEndpoint(input.bytes);
  if (!ctx.backend.isTensor(input)) {
    throw new OpError(`${ctx.schema.qualifiedName}: argument "input" expected a tensor of backend "${ctx.backend.name}" ` +
      `or a symmetric tensor, found ${describeTensor(input)}`);
  }
  return ctx.backend.endpoint(ctx.rank, input);
}

/** The kernel, for every backend: the tensor's kind picks the path. */
export async function hostAllReduce(args: BoundArgs, ctx: OpContext): Promise<Tensor> {
  const op = ctx.schema.qualifiedName;
  const group = opGroup(ctx);
  const input = args.input as Tensor;
  if (!group.isMember) {
    throw new OpError(`${op}: rank ${ctx.rank.rank} is not a member of group "${group.name}" (ranks ${group.ranks.join(", ")})`);
  }
  if (input instanceof SymmetricTensor) checkContiguous(ctx, "input", input);
  const { reduceOp, dtype } = checkReduction(op, args.reduce_op, input.dtype);
  const call: HostCall = { op, ctx, group, dtype, reduceOp, tuning: hostTuning(ctx.settings) };
  if (input instanceof SymmetricTensor && input.group === group) {
    await inPlaceSymmetric(call, input);
    return input;
  }
  const endpoint = endpointOf(ctx, input);
  const bytes = endpoint.hostBytes;
  if (bytes !== undefined && bytes.length <= HOST_STAGED_MAX_BYTES) await stagedWhole(call, bytes);
  else if (bytes === undefined && endpoint.nbytes <= call.tuning.oneRoundMaxBytes) await oneRound(call, endpoint);
  else if (bytes === undefined && endpoint.nbytes <= call.tuning.reduceOnceMaxBytes) await reduceOnce(call, endpoint);
  else await pipelined(call, endpoint);
  return input;
}
