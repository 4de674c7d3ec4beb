/**
 * The experts' FFN on the webgpu backend: one WGSL matmul program, dispatched twice per local
 * expert (x · w1 with ReLU into the inner rows, then · w2), over each expert's whole block of the
 * dispatch output (padding rows included, as a grouped GEMM). It runs on the rank's own
 * GPUDevice (`rank.device`), the way an application runs its own kernels: the library's program
 * runner is internal, so this file compiles, binds and dispatches with plain WebGPU.
 *
 * The dispatch output lives in the symmetric heap (host memory on webgpu: DESIGN.md's coherence
 * rule), so the used rows are uploaded, and the result read back into the combine's input.
 * Dawn refuses SharedArrayBuffer views at writeBuffer: the rows are copied out of the heap first.
 */
import type { MoeConfig } from "./config.ts";
import type { ExpertBlock } from "./expert-layout.ts";
import type { LocalExperts } from "./host-ffn.ts";

const WORKGROUP = 64;
/** Uniform slots are 256 bytes apart (WebGPU's default minUniformBufferOffsetAlignment). */
const SLOT = 256;

/** C[rowStart + i, :] = act(A[rowStart + i, :] · W[wOffset ..] as [k, n]), one invocation per output element. */
export const MATMUL_WGSL = /* wgsl */ `
struct Params { rowStart: u32, rows: u32, k: u32, n: u32, wOffset: u32, relu: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.x + id.y * groups.x * ${WORKGROUP}u;
  if (i >= p.rows * p.n) { return; }
  let row = p.rowStart + i / p.n;
  let col = i % p.n;
  var s = 0.0;
  for (var j = 0u; j < p.k; j++) {
    s += a[row * p.k + j] * w[p.wOffset + j * p.n + col];
  }
  if (p.relu != 0u) { s = max(s, 0.0); }
  c[row * p.n + col] = s;
}
`;

function storage(device: GPUDevice, floats: number, label: string, extra = 0): GPUBuffer {
  return device.createBuffer({ label, size: Math.max(16, floats * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extra });
}

function concat(parts: readonly Float32Array[]): Float32Array<ArrayBuffer> {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The local experts' weights on the device and the program; `run` once per layer call, then `destroy`. */
export class GpuExperts {
  private readonly w1: GPUBuffer;
  private readonly w2: GPUBuffer;
  private pipeline: GPUComputePipeline | undefined;

  constructor(private readonly device: GPUDevice, private readonly cfg: MoeConfig, experts: LocalExperts) {
    this.w1 = storage(device, cfg.expertsPerRank * cfg.hidden * cfg.ffn, "moe w1");
    this.w2 = storage(device, cfg.expertsPerRank * cfg.ffn * cfg.hidden, "moe w2");
    device.queue.writeBuffer(this.w1, 0, concat(experts.map((e) => e.w1)));
    device.queue.writeBuffer(this.w2, 0, concat(experts.map((e) => e.w2)));
  }

  /** Compiles the program (rejects with the WGSL compiler's message). */
  async prepare(): Promise<void> {
    const module = this.device.createShaderModule({ code: MATMUL_WGSL, label: "moe matmul" });
    this.pipeline = await this.device.createComputePipelineAsync({ layout: "auto", compute: { module, entryPoint: "main" }, label: "moe matmul" });
  }

  /** The FFN of rows 0 .. used of `x` ([rows, hidden], a plain array), blocks as expertBlocks gave them. */
  async run(blocks: readonly ExpertBlock[], x: Float32Array<ArrayBuffer>, used: number): Promise<Float32Array> {
    const { device, cfg } = this;
    const pipeline = this.pipeline;
    if (pipeline === undefined) throw new Error("moe: GpuExperts.run before prepare");
    const { hidden: h, ffn: f } = cfg;
    const xs = storage(device, used * h, "moe x");
    const inner = storage(device, used * f, "moe inner");
    const ys = storage(device, used * h, "moe y", GPUBufferUsage.COPY_SRC);
    const readback = device.createBuffer({ label: "moe readback", size: Math.max(16, used * h * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const live = blocks.filter((b) => b.span > 0);
    const params = device.createBuffer({ label: "moe params", size: Math.max(1, 2 * live.length) * SLOT, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    try {
      device.queue.writeBuffer(xs, 0, x, 0, used * h);
      const words = new Uint32Array((Math.max(1, 2 * live.length) * SLOT) / 4);
      live.forEach((b, i) => {
        words.set([b.start, b.span, h, f, b.local * h * f, 1], (2 * i * SLOT) / 4);
        words.set([b.start, b.span, f, h, b.local * f * h, 0], ((2 * i + 1) * SLOT) / 4);
      });
      device.queue.writeBuffer(params, 0, words);
      const layout = pipeline.getBindGroupLayout(0);
      const bind = (a: GPUBuffer, w: GPUBuffer, c: GPUBuffer, slot: number) => device.createBindGroup({
        layout,
        entries: [
          { binding: 0, resource: { buffer: a } }, { binding: 1, resource: { buffer: w } },
          { binding: 2, resource: { buffer: c } }, { binding: 3, resource: { buffer: params, offset: slot * SLOT, size: 32 } },
        ],
      });
      device.pushErrorScope("validation");
      const enc = device.createCommandEncoder({ label: "moe experts" });
      const pass = enc.beginComputePass({ label: "moe experts" });
      pass.setPipeline(pipeline);
      live.forEach((b, i) => {
        pass.setBindGroup(0, bind(xs, this.w1, inner, 2 * i));
        pass.dispatchWorkgroups(...groups(b.span * f, device));
        pass.setBindGroup(0, bind(inner, this.w2, ys, 2 * i + 1));
        pass.dispatchWorkgroups(...groups(b.span * h, device));
      });
      pass.end();
      enc.copyBufferToBuffer(ys, 0, readback, 0, used * h * 4);
      device.queue.submit([enc.finish()]);
      const err = await device.popErrorScope();
      if (err !== null) throw new Error(`moe: the experts' WGSL pass failed validation: ${err.message}`);
      await readback.mapAsync(GPUMapMode.READ);
      return new Float32Array(readback.getMappedRange().slice(0));
    } finally {
      for (const b of [xs, inner, ys, readback, params]) b.destroy();
    }
  }

  destroy(): void {
    this.w1.destroy();
    this.w2.destroy();
  }
}

/** Workgroups for `invocations`, folded into x × y when x would pass the device's limit. */
function groups(invocations: number, device: GPUDevice): [number, number] {
  const n = Math.ceil(invocations / WORKGROUP);
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  return n <= max ? [n, 1] : [max, Math.ceil(n / max)];
}
