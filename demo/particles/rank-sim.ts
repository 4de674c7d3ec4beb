/**
 * One rank's side of the particles simulation: its slice of the bodies in tensors on the rank's
 * backend, stepped with WGSL on its own GPUDevice (webgpu) or with nbody.ts (cpu), and the
 * positions all-gathered every step with the library's `symm_mem::multimem_all_gather_out`
 * into a tensor allocated once (so a step allocates nothing).
 */
import type { Rank, RegularTensor } from "../../src/index.ts";
import {
  computeForces, initBodies, kick, kickDrift, type NBodyConfig, type SliceDiagnostics, sliceDiagnostics,
} from "./nbody.ts";
import { NBODY_WGSL, WORKGROUP } from "./nbody-wgsl.ts";

/** What a chunk of steps measured on one rank (milliseconds summed over the chunk's steps). */
export interface ChunkTiming {
  steps: number;
  computeMs: number;
  commMs: number;
}

type GpuLike = RegularTensor & { buffer: GPUBuffer };
type CpuLike = RegularTensor & { data: Float32Array };

/** The rank's slice and its gathered copy of every position. */
export class RankSim {
  readonly offset: number;
  readonly count: number;
  /** Steps taken since init. */
  step = 0;
  private readonly local: RegularTensor;
  private readonly vel: RegularTensor;
  private readonly acc: RegularTensor;
  private readonly all: RegularTensor;
  private readonly gpu: GpuKernels | undefined;

  constructor(private readonly rank: Rank, readonly cfg: NBodyConfig) {
    const { n } = cfg;
    this.count = n / rank.worldSize;
    this.offset = rank.rank * this.count;
    const { pos, vel } = initBodies(n, cfg.seed);
    const sl = (a: Float32Array) => a.slice(4 * this.offset, 4 * (this.offset + this.count));
    this.local = rank.tensor(sl(pos));
    this.vel = rank.tensor(sl(vel));
    this.acc = rank.zeros([4 * this.count]);
    this.all = rank.zeros([4 * n]);
    if (rank.device !== null && isGpu(this.local)) {
      this.gpu = new GpuKernels(rank.device, cfg, this.offset, this.count,
        [this.local as GpuLike, this.vel as GpuLike, this.acc as GpuLike, this.all as GpuLike]);
    } else if (!isCpu(this.local)) {
      throw new Error(`particles: the ${rank.backend} backend's tensors are neither GPU buffers nor host arrays`);
    }
  }

  /** Gathers the initial positions and computes the first accelerations (no kick). */
  async init(): Promise<void> {
    await this.gather();
    if (this.gpu) await this.gpu.forceKick(0);
    else computeForces(this.hostAll(), this.offset, this.count, this.cfg.eps, this.hostAcc());
  }

  /** `steps` kick-drift-kick steps; times the kernels and the all-gathers separately. */
  async run(steps: number): Promise<ChunkTiming> {
    let computeMs = 0, commMs = 0;
    const { dt, eps } = this.cfg;
    for (let s = 0; s < steps; s++) {
      let t0 = performance.now();
      if (this.gpu) await stage("kickDrift", () => this.gpu!.kickDrift());
      else kickDrift(this.hostLocal(), this.hostVel(), this.hostAcc(), dt);
      let t1 = performance.now();
      computeMs += t1 - t0;
      await stage("gather", () => this.gather());
      t0 = performance.now();
      commMs += t0 - t1;
      if (this.gpu) await stage("forceKick", () => this.gpu!.forceKick(dt));
      else {
        computeForces(this.hostAll(), this.offset, this.count, eps, this.hostAcc());
        kick(this.hostVel(), this.hostAcc(), dt);
      }
      t1 = performance.now();
      computeMs += t1 - t0;
      this.step++;
    }
    return { steps, computeMs, commMs };
  }

  /** This slice's energy and momentum (velocities are in step with the positions after a whole step). */
  async diagnostics(): Promise<SliceDiagnostics> {
    const pos = await stage("read pos", () => this.read(this.local));
    const vel = await stage("read vel", () => this.read(this.vel));
    const acc = await stage("read acc", () => this.read(this.acc));
    return sliceDiagnostics(pos, vel, acc);
  }

  /** Every body's position (x, y, z, m), as of the last gather. */
  positions(): Promise<Float32Array> {
    return this.read(this.all);
  }

  /** Own slice's velocities (for tests). */
  velocities(): Promise<Float32Array> {
    return this.read(this.vel);
  }

  /** Frees the tensors and GPU objects. */
  dispose(): void {
    for (const t of [this.local, this.vel, this.acc, this.all]) if (isGpu(t)) t.buffer.destroy();
    this.gpu?.dispose();
  }

  private async gather(): Promise<void> {
    await this.rank.call("symm_mem::multimem_all_gather_out", this.local, "world", this.all);
  }

  private async read(t: RegularTensor): Promise<Float32Array> {
    return (await this.rank.read(t)) as Float32Array;
  }

  private hostLocal = () => (this.local as CpuLike).data;
  private hostVel = () => (this.vel as CpuLike).data;
  private hostAcc = () => (this.acc as CpuLike).data;
  private hostAll = () => (this.all as CpuLike).data;
}

/** Set when the rank's device is lost: errors after that say so. */
let lostInfo = "";

/** Runs one stage of a step; its errors name the stage (kickDrift, gather, forceKick, read …). */
async function stage<T>(name: string, f: () => Promise<T>): Promise<T> {
  try { return await f(); } catch (e) { throw new Error(`particles ${name}${lostInfo}: ${e instanceof Error ? e.message : String(e)}`); }
}

function isGpu(t: RegularTensor): t is GpuLike {
  const b = (t as Partial<GpuLike>).buffer as Partial<GPUBuffer> | undefined;
  return typeof b === "object" && b !== null && typeof b.mapAsync === "function";
}

function isCpu(t: RegularTensor): t is CpuLike {
  return (t as Partial<CpuLike>).data instanceof Float32Array;
}

/** The two compute pipelines (kickDrift, forceKick) over one bind group of the slice's buffers. */
class GpuKernels {
  private readonly params: GPUBuffer;
  private readonly bind: GPUBindGroup;
  private readonly kd: GPUComputePipeline;
  private readonly fk: GPUComputePipeline;
  private readonly groups: number;
  private dtSet = Number.NaN;

  constructor(private readonly device: GPUDevice, private readonly cfg: NBodyConfig, private readonly offset: number,
    private readonly count: number, buffers: readonly GpuLike[]) {
    void device.lost.then((i) => { lostInfo = ` (the rank's device was lost: ${i.reason}, ${i.message})`; });
    const module = device.createShaderModule({ code: NBODY_WGSL, label: "particles" });
    const storage = (type: GPUBufferBindingType): GPUBindGroupLayoutEntry["buffer"] => ({ type });
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: storage("uniform") },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: storage("storage") },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: storage("storage") },
        { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: storage("storage") },
        { binding: 4, visibility: GPUShaderStage.COMPUTE, buffer: storage("read-only-storage") },
      ],
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    this.kd = device.createComputePipeline({ layout: pipelineLayout, compute: { module, entryPoint: "kickDrift" } });
    this.fk = device.createComputePipeline({ layout: pipelineLayout, compute: { module, entryPoint: "forceKick" } });
    this.params = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const [local, vel, acc, all] = buffers;
    this.bind = device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: this.params } },
        { binding: 1, resource: { buffer: local.buffer, size: 16 * count } },
        { binding: 2, resource: { buffer: vel.buffer, size: 16 * count } },
        { binding: 3, resource: { buffer: acc.buffer, size: 16 * count } },
        { binding: 4, resource: { buffer: all.buffer, size: 16 * cfg.n } },
      ],
    });
    this.groups = Math.ceil(count / WORKGROUP);
  }

  kickDrift(): Promise<void> {
    return this.dispatch(this.kd, this.cfg.dt);
  }

  forceKick(dt: number): Promise<void> {
    return this.dispatch(this.fk, dt);
  }

  dispose(): void {
    this.params.destroy();
  }

  /** One pass, waited for: the time around it is the kernel's (plus a submit's latency). */
  private async dispatch(pipeline: GPUComputePipeline, dt: number): Promise<void> {
    if (dt !== this.dtSet) {
      const p = new ArrayBuffer(32);
      new Uint32Array(p, 0, 4).set([this.offset, this.count, this.cfg.n, 0]);
      new Float32Array(p, 16, 4).set([dt, this.cfg.eps * this.cfg.eps, 0, 0]);
      this.device.queue.writeBuffer(this.params, 0, p);
      this.dtSet = dt;
    }
    const enc = this.device.createCommandEncoder({ label: "particles" });
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, this.bind);
    pass.dispatchWorkgroups(this.groups);
    pass.end();
    this.device.queue.submit([enc.finish()]);
    await this.device.queue.onSubmittedWorkDone();
  }
}
