/**
 * The MLP's training step on a rank's own GPUDevice: the passes of kernels.ts, encoded once per
 * step, on buffers made once per run. The gradient is written into a caller's buffer (a webshmem
 * tensor's, so that the library all-reduces it); the update reads whichever buffer holds the
 * reduced gradient and copies its stats (loss sum, correct count) into a per-chunk history that
 * is read back once per chunk.
 */
import type { Dataset } from "./dataset.ts";
import {
  BACK_DATA_WGSL, BINDINGS, FORWARD_WGSL, GATHER_WGSL, LOSS_WGSL, SGD_WGSL, WEIGHT_GRAD_WGSL, WORKGROUP,
} from "./kernels.ts";
import type { MlpLayout } from "./mlp.ts";

/** Bytes between the uniform slots of two passes (minUniformBufferOffsetAlignment is at most 256). */
const SLOT = 256;

interface Pass {
  readonly pipeline: GPUComputePipeline;
  readonly slot: number;
  readonly groups: number;
}

export interface GpuMlpOptions {
  readonly layout: MlpLayout;
  readonly data: Dataset;
  /** Rows of this rank's shard (the same every step). */
  readonly rows: number;
  readonly params: Float32Array<ArrayBuffer>;
  readonly lr: number;
  readonly momentum: number;
  /** Rows of the global batch: the update scales the gradient sum by 1/batch. */
  readonly batch: number;
  /** The most steps between two history reads. */
  readonly historySteps: number;
}


export class GpuMlp {
  private readonly buffers: GPUBuffer[] = [];
  private readonly bindLayout: GPUBindGroupLayout;
  private readonly params: GPUBuffer;
  private readonly velocity: GPUBuffer;
  private readonly points: GPUBuffer;
  private readonly labels: GPUBuffer;
  private readonly indices: GPUBuffer;
  private readonly work: GPUBuffer;
  private readonly uniforms: GPUBuffer;
  private readonly history: GPUBuffer;
  private readonly passes: Pass[] = [];
  private readonly sgd: Pass;
  private readonly groups = new Map<GPUBuffer, GPUBindGroup>();

  constructor(private readonly device: GPUDevice, private readonly o: GpuMlpOptions) {
    const { layout, data, rows } = o;
    // (GPUBufferUsage is read here, not at module load: the module loads where WebGPU is absent too, for the cpu backend)
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const make = (bytes: number, usage = storage, label = "train") => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage, label: `train ${label}` });
      this.buffers.push(b);
      return b;
    };
    this.params = make(layout.count * 4, storage, "params");
    device.queue.writeBuffer(this.params, 0, o.params);
    this.velocity = make(layout.count * 4, storage, "velocity"); // zeros
    this.points = make(data.x.byteLength, storage, "points");
    device.queue.writeBuffer(this.points, 0, data.x);
    this.labels = make(data.y.byteLength, storage, "labels");
    device.queue.writeBuffer(this.labels, 0, data.y);
    this.indices = make(rows * 4, storage, "indices");
    this.history = make(o.historySteps * 8, storage, "history");

    // work: the activations a_0 … a_L, then the gradients d_1 … d_L (floats).
    const sizes = layout.sizes;
    const L = layout.layers.length;
    const actOff: number[] = [];
    const dOff: number[] = [];
    let off = 0;
    for (let l = 0; l <= L; l++) { actOff.push(off); off += rows * sizes[l]; }
    for (let l = 0; l <= L; l++) { dOff.push(off); if (l > 0) off += rows * sizes[l]; }
    this.work = make(off * 4, storage, "work");

    const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true } }];
    for (let b = 1; b < BINDINGS; b++) entries.push({ binding: b, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } });
    this.bindLayout = device.createBindGroupLayout({ entries, label: "train bindings" });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [this.bindLayout] });
    const pipelines = new Map<string, GPUComputePipeline>();
    const pipeline = (code: string) => {
      let p = pipelines.get(code);
      if (p === undefined) {
        p = device.createComputePipeline({ layout: pipelineLayout, compute: { module: device.createShaderModule({ code }), entryPoint: "main" } });
        pipelines.set(code, p);
      }
      return p;
    };

    // The uniform slots, one per pass: [rows, inDim, outDim, act, inOff, outOff, wOff, dOff, count, lr, momentum, invBatch].
    const slots: ArrayBuffer[] = [];
    const addPass = (code: string, threads: number, u: number[], f: [number, number, number] = [0, 0, 0]): Pass => {
      const slot = new ArrayBuffer(48);
      new Uint32Array(slot, 0, 9).set(u);
      new Float32Array(slot, 36, 3).set(f);
      slots.push(slot);
      return { pipeline: pipeline(code), slot: slots.length - 1, groups: Math.ceil(threads / WORKGROUP) };
    };
    const classes = sizes[L];
    this.passes.push(addPass(GATHER_WGSL, rows, [rows, 0, sizes[0], 0, 0, actOff[0], 0, 0, 0]));
    layout.layers.forEach(({ inDim, outDim, offset }, l) => {
      this.passes.push(addPass(FORWARD_WGSL, rows * outDim, [rows, inDim, outDim, l === L - 1 ? 0 : 1, actOff[l], actOff[l + 1], offset, 0, 0]));
    });
    this.passes.push({ ...addPass(LOSS_WGSL, 1, [rows, 0, classes, 0, actOff[L], 0, 0, dOff[L], layout.count]), groups: 1 });
    for (let l = L - 1; l >= 0; l--) {
      const { inDim, outDim, offset } = layout.layers[l];
      this.passes.push(addPass(WEIGHT_GRAD_WGSL, (inDim + 1) * outDim, [rows, inDim, outDim, 0, actOff[l], 0, offset, dOff[l + 1], 0]));
      if (l > 0) this.passes.push(addPass(BACK_DATA_WGSL, rows * inDim, [rows, inDim, outDim, 0, actOff[l], dOff[l], offset, dOff[l + 1], 0]));
    }
    this.sgd = addPass(SGD_WGSL, layout.count, [0, 0, 0, 0, 0, 0, 0, 0, layout.count], [o.lr, o.momentum, 1 / o.batch]);
    this.uniforms = make(slots.length * SLOT, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, "uniforms");
    slots.forEach((s, i) => device.queue.writeBuffer(this.uniforms, i * SLOT, s));
  }

  private bindGroup(grad: GPUBuffer): GPUBindGroup {
    let g = this.groups.get(grad);
    if (g === undefined) {
      const bufs = [this.uniforms, this.params, this.points, this.labels, this.indices, this.work, grad, this.velocity];
      g = this.device.createBindGroup({
        layout: this.bindLayout,
        entries: bufs.map((buffer, binding) => ({ binding, resource: binding === 0 ? { buffer, size: 48 } : { buffer } })),
      });
      // The reduced gradient is a new buffer every step: keep only the local gradient's group.
      if (this.groups.size < 1) this.groups.set(grad, g);
    }
    return g;
  }

  /** Queues forward and backward over `indices` (this rank's shard of the step): gradient sums and stats into `grad`. */
  forwardBackward(indices: Uint32Array<ArrayBuffer>, grad: GPUBuffer): void {
    if (indices.length !== this.o.rows) throw new Error(`GpuMlp: expected ${this.o.rows} rows, got ${indices.length}`);
    if (indices.length > 0) this.device.queue.writeBuffer(this.indices, 0, indices);
    const group = this.bindGroup(grad);
    const enc = this.device.createCommandEncoder({ label: "train step" });
    const pass = enc.beginComputePass();
    for (const p of this.passes) {
      if (p.groups === 0) continue;
      pass.setPipeline(p.pipeline);
      pass.setBindGroup(0, group, [p.slot * SLOT]);
      pass.dispatchWorkgroups(p.groups);
    }
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  /** Queues the SGD update from `reduced` (the gradient sums of the whole batch) and records its stats as history entry `slot`. */
  update(reduced: GPUBuffer, slot: number): void {
    const enc = this.device.createCommandEncoder({ label: "train update" });
    const pass = enc.beginComputePass();
    pass.setPipeline(this.sgd.pipeline);
    pass.setBindGroup(0, this.bindGroup(reduced), [this.sgd.slot * SLOT]);
    pass.dispatchWorkgroups(this.sgd.groups);
    pass.end();
    enc.copyBufferToBuffer(reduced, this.o.layout.count * 4, this.history, slot * 8, 8);
    this.device.queue.submit([enc.finish()]);
  }

  /** [loss sum, correct] of the first `steps` history entries. */
  readHistory(steps: number): Promise<Float32Array> {
    return this.readBack(this.history, steps * 8);
  }

  /** The current parameters. */
  readParams(): Promise<Float32Array> {
    return this.readBack(this.params, this.o.layout.count * 4);
  }

  private async readBack(src: GPUBuffer, bytes: number): Promise<Float32Array> {
    const size = Math.max(4, bytes);
    const staging = this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: "train readback" });
    try {
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(src, 0, staging, 0, size);
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      return new Float32Array(staging.getMappedRange().slice(0, bytes));
    } finally {
      staging.destroy();
    }
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.groups.clear();
  }
}
