/**
 * A fake GPUDevice for Node unit tests: the subset of WebGPU the library uses (buffers, mapping,
 * writeBuffer, copies, bind groups, compute passes, shader modules and pipelines), with real bytes
 * behind every buffer and WebGPU's validation rules checked at the call that breaks them.
 *
 *   const { device, gpu } = createFakeDevice({ limits: { maxStorageBufferBindingSize: 4096 } });
 *
 * `device` is typed as GPUDevice and goes wherever the library takes one; `gpu` records what was
 * done to it (buffers, writes, copies, dispatches, maps, submits) and reads buffer contents back.
 *
 * Semantics:
 * - Commands run at `queue.submit` in order: copies copy bytes, dispatches call the kernel
 *   emulator of their pipeline (option `kernels`) or are only recorded. `writeBuffer` copies its
 *   data at the call (queue order is call order, since every submit has run by then).
 * - `mapAsync` resolves on a macrotask after all submitted work "completes", never synchronously;
 *   `getMappedRange` returns a copy that `unmap` writes back (MAP_WRITE, mappedAtCreation) and
 *   then detaches, as the spec does, so a kept view reads as empty instead of aliasing new data.
 * - Misuse throws a FakeGPUValidationError naming the rule (promise-returning calls reject with
 *   it). Real WebGPU would instead produce an invalid object and a validation error on the device
 *   (seen by popErrorScope or as an uncaptured error); failing at the offending line is the point.
 *
 * Where the fake is stricter than WebGPU (it says so in the message): a destroyed buffer in an
 * encoded command fails at encode time instead of at submit; non-integer sizes/offsets/counts,
 * which WebIDL would silently truncate, throw; calls on a destroyed device throw instead of
 * being silently ignored. Shader bindings are matched against explicit layouts by scanning the
 * WGSL text for `@group @binding var` declarations: every declared binding counts, used by the
 * entry point or not (real WebGPU checks only the statically used ones; turn the check off with
 * `checkShaderBindings: false`).
 */
import { BUFFER_USAGE as U, MAP_MODE, SHADER_STAGE, installWebGPUGlobals, usageNames } from "./webgpu-globals.ts";

/** A WebGPU validation rule broken; `rule` names it (e.g. "writeBuffer.size-alignment"). */
export class FakeGPUValidationError extends Error {
  override readonly name = "FakeGPUValidationError";
  readonly rule: string;
  constructor(rule: string, message: string) {
    super(`${message} [WebGPU rule: ${rule}]`);
    this.rule = rule;
  }
}

function fail(rule: string, message: string): never {
  throw new FakeGPUValidationError(rule, message);
}

/** WebGPU's default limits (the minimum every adapter supports). */
export const DEFAULT_LIMITS = Object.freeze({
  maxTextureDimension1D: 8192,
  maxTextureDimension2D: 8192,
  maxTextureDimension3D: 2048,
  maxTextureArrayLayers: 256,
  maxBindGroups: 4,
  maxBindGroupsPlusVertexBuffers: 24,
  maxBindingsPerBindGroup: 1000,
  maxDynamicUniformBuffersPerPipelineLayout: 8,
  maxDynamicStorageBuffersPerPipelineLayout: 4,
  maxSampledTexturesPerShaderStage: 16,
  maxSamplersPerShaderStage: 16,
  maxStorageBuffersPerShaderStage: 8,
  maxStorageTexturesPerShaderStage: 4,
  maxUniformBuffersPerShaderStage: 12,
  maxUniformBufferBindingSize: 65536,
  maxStorageBufferBindingSize: 134217728,
  minUniformBufferOffsetAlignment: 256,
  minStorageBufferOffsetAlignment: 256,
  maxVertexBuffers: 8,
  maxBufferSize: 268435456,
  maxVertexAttributes: 16,
  maxVertexBufferArrayStride: 2048,
  maxInterStageShaderVariables: 16,
  maxColorAttachments: 8,
  maxColorAttachmentBytesPerSample: 32,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupSizeZ: 64,
  maxComputeWorkgroupsPerDimension: 65535,
  maxImmediateSize: 0,
});

export type FakeLimitName = keyof typeof DEFAULT_LIMITS;
export type FakeLimits = { readonly [K in FakeLimitName]: number };

/** One bound buffer range of a dispatch, as the kernel sees it (dynamic offsets applied). */
export interface FakeBinding {
  readonly group: number;
  readonly binding: number;
  readonly type: GPUBufferBindingType;
  readonly buffer: GPUBuffer;
  readonly label: string;
  readonly offset: number;
  readonly size: number;
  /**
   * The bound bytes. "storage": a live view of the buffer (writes land in it); "read-only-storage"
   * and "uniform": a copy, and writing to it fails the submit.
   */
  readonly bytes: Uint8Array;
}

/** What a kernel emulator gets for one dispatch. */
export interface FakeDispatch {
  readonly pipelineLabel: string;
  readonly passLabel: string;
  readonly code: string;
  readonly entryPoint: string;
  /** `@workgroup_size` of the entry point, when it is made of literals. */
  readonly workgroupSize: readonly [number, number, number] | undefined;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly bindings: readonly FakeBinding[];
  /** The bound bytes of `@group(group) @binding(binding)`; throws when nothing is bound there. */
  bytes(binding: number, group?: number): Uint8Array;
  u32(binding: number, group?: number): Uint32Array;
  i32(binding: number, group?: number): Int32Array;
  f32(binding: number, group?: number): Float32Array;
  u16(binding: number, group?: number): Uint16Array;
}

export type FakeKernel = (dispatch: FakeDispatch) => void;
/** Picks the emulator of a pipeline, once per pipeline; undefined: its dispatches are only recorded. */
export type FakeKernelResolver = (pipelineLabel: string, code: string) => FakeKernel | undefined;

export type FakeCompileMessage = string | { message: string; type?: GPUCompilationMessageType; lineNum?: number; linePos?: number };

export interface FakeDeviceOptions {
  readonly label?: string;
  /** Overrides of DEFAULT_LIMITS (smaller values too, to exercise chunking and folding). */
  readonly limits?: Partial<Record<FakeLimitName, number>>;
  readonly features?: Iterable<string>;
  /** Kernel emulators: a resolver, or emulators by exact pipeline label. */
  readonly kernels?: FakeKernelResolver | Readonly<Record<string, FakeKernel>>;
  /** A dispatch whose pipeline has no emulator fails the submit (default false: only recorded). */
  readonly requireKernels?: boolean;
  /** Extra compiler messages for a module (errors by default): make a module fail to compile. */
  readonly compileErrors?: (code: string, label: string) => readonly FakeCompileMessage[];
  /** Match WGSL `@group @binding var` declarations against explicit layouts (default true). */
  readonly checkShaderBindings?: boolean;
  readonly adapterInfo?: Partial<Pick<GPUAdapterInfo, "vendor" | "architecture" | "device" | "description">>;
}

export interface FakeBufferRecord {
  readonly id: number;
  readonly buffer: GPUBuffer;
  readonly label: string;
  readonly size: number;
  readonly usage: number;
  /** "MAP_READ|COPY_DST" */
  readonly usageNames: string;
  readonly mappedAtCreation: boolean;
  readonly mapState: GPUBufferMapState;
  readonly destroyed: boolean;
}

export interface FakeWriteRecord {
  readonly buffer: GPUBuffer;
  readonly label: string;
  readonly offset: number;
  readonly size: number;
  /** The data's backing store was a SharedArrayBuffer. */
  readonly shared: boolean;
  /** The bytes written (a copy). */
  readonly bytes: Uint8Array;
}

export interface FakeCopyRecord {
  readonly submit: number;
  readonly src: GPUBuffer;
  readonly srcLabel: string;
  readonly srcOffset: number;
  readonly dst: GPUBuffer;
  readonly dstLabel: string;
  readonly dstOffset: number;
  readonly size: number;
}

export interface FakeClearRecord {
  readonly submit: number;
  readonly buffer: GPUBuffer;
  readonly label: string;
  readonly offset: number;
  readonly size: number;
}

export interface FakeBindingRecord {
  readonly group: number;
  readonly binding: number;
  readonly type: GPUBufferBindingType;
  readonly buffer: GPUBuffer;
  readonly label: string;
  readonly offset: number;
  readonly size: number;
}

export interface FakeDispatchRecord {
  readonly submit: number;
  readonly passLabel: string;
  readonly pipelineLabel: string;
  readonly entryPoint: string;
  readonly code: string;
  readonly workgroupSize: readonly [number, number, number] | undefined;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** Dynamic offsets applied. */
  readonly bindings: readonly FakeBindingRecord[];
  /** An emulator ran it. */
  readonly emulated: boolean;
}

export interface FakeMapRecord {
  readonly buffer: GPUBuffer;
  readonly label: string;
  readonly mode: "read" | "write";
  readonly offset: number;
  readonly size: number;
}

export interface FakeSubmitRecord {
  readonly index: number;
  readonly commandBuffers: number;
  readonly commands: number;
  readonly labels: readonly string[];
}

export interface FakeBindGroupRecord {
  readonly label: string;
  readonly layoutLabel: string;
  readonly entries: readonly Omit<FakeBindingRecord, "group">[];
}

export interface FakePipelineRecord {
  readonly label: string;
  readonly code: string;
  readonly entryPoint: string;
  readonly layout: "auto" | string;
  readonly async: boolean;
  readonly workgroupSize: readonly [number, number, number] | undefined;
}

export interface FakeShaderModuleRecord {
  readonly label: string;
  readonly code: string;
  readonly errors: readonly string[];
}

export interface FakeCounts {
  readonly buffersCreated: number;
  readonly buffersLive: number;
  readonly bytesLive: number;
  readonly writes: number;
  readonly bytesWritten: number;
  readonly copies: number;
  readonly bytesCopied: number;
  readonly clears: number;
  readonly dispatches: number;
  readonly maps: number;
  readonly submits: number;
  readonly commandEncoders: number;
  readonly bindGroups: number;
  readonly pipelines: number;
  readonly shaderModules: number;
}

/** The recorder of one fake device. */
export interface FakeGpu {
  readonly device: GPUDevice;
  readonly limits: FakeLimits;
  readonly buffers: readonly FakeBufferRecord[];
  readonly writes: readonly FakeWriteRecord[];
  readonly copies: readonly FakeCopyRecord[];
  readonly clears: readonly FakeClearRecord[];
  readonly dispatches: readonly FakeDispatchRecord[];
  readonly maps: readonly FakeMapRecord[];
  readonly submits: readonly FakeSubmitRecord[];
  readonly bindGroups: readonly FakeBindGroupRecord[];
  readonly pipelines: readonly FakePipelineRecord[];
  readonly shaderModules: readonly FakeShaderModuleRecord[];
  readonly counts: FakeCounts;
  /** Buffers not destroyed yet. */
  live(): FakeBufferRecord[];
  /** The record of one of this device's buffers. */
  record(buffer: GPUBuffer): FakeBufferRecord;
  /** A copy of a buffer's current contents, without mapping (a test's back door). */
  read(buffer: GPUBuffer, offset?: number, size?: number): Uint8Array;
  /** Forgets the logged events (writes ... shader modules); buffers and counters of live state stay. */
  clear(): void;
  /** Loses the device as a driver crash would: `lost` resolves with reason "unknown". */
  loseDevice(message?: string): void;
}

// ---------------------------------------------------------------------------------------------

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function checkInteger(where: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    fail("webidl.integer", `${where}: ${name} must be a non-negative integer, found ${String(v)} ` +
      "(WebIDL would throw or silently truncate; the fake refuses)");
  }
  return v;
}

function labelOf(o: { label?: string } | undefined): string {
  return o?.label ?? "";
}

const quote = (s: string): string => JSON.stringify(s);

interface ParsedEntry {
  readonly name: string;
  readonly stage: "compute" | "vertex" | "fragment" | "none";
  readonly workgroupSize: readonly [number, number, number] | undefined;
}

interface ParsedBinding {
  readonly group: number;
  readonly binding: number;
  readonly name: string;
  /** undefined: not a buffer (texture, sampler). */
  readonly type: GPUBufferBindingType | undefined;
  readonly decl: string;
}

interface ParsedWgsl {
  readonly entries: readonly ParsedEntry[];
  readonly bindings: readonly ParsedBinding[];
  readonly enables: readonly string[];
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, "");
}

const ATTRS = String.raw`((?:@[A-Za-z_]\w*(?:\s*\([^)]*\))?\s*)+)`;

/** A light scan of WGSL: entry points, `@group @binding var` declarations, enables. */
function parseWgsl(code: string): ParsedWgsl {
  const text = stripComments(code);
  const entries: ParsedEntry[] = [];
  for (const m of text.matchAll(new RegExp(`${ATTRS}fn\\s+([A-Za-z_]\\w*)\\s*\\(`, "g"))) {
    const attrs = m[1];
    const stage = /@compute\b/.test(attrs) ? "compute" : /@vertex\b/.test(attrs) ? "vertex" : /@fragment\b/.test(attrs) ? "fragment" : "none";
    let workgroupSize: [number, number, number] | undefined;
    const wg = /@workgroup_size\s*\(([^)]*)\)/.exec(attrs);
    if (wg !== null) {
      const dims = wg[1].split(",").map((s) => s.trim()).filter((s) => s !== "");
      const nums = dims.map((d) => (/^\d+[ui]?$/.test(d) ? parseInt(d, 10) : NaN));
      if (nums.every((n) => !Number.isNaN(n))) workgroupSize = [nums[0] ?? 1, nums[1] ?? 1, nums[2] ?? 1];
    }
    entries.push({ name: m[2], stage, workgroupSize });
  }
  const bindings: ParsedBinding[] = [];
  for (const m of text.matchAll(new RegExp(`${ATTRS}var\\s*(?:<([^>]*)>)?\\s*([A-Za-z_]\\w*)`, "g"))) {
    const g = /@group\s*\(\s*(\d+)\s*\)/.exec(m[1]);
    const b = /@binding\s*\(\s*(\d+)\s*\)/.exec(m[1]);
    if (g === null || b === null) continue;
    const [space, access] = (m[2] ?? "").split(",").map((s) => s.trim());
    const type: GPUBufferBindingType | undefined = space === "storage"
      ? (access === "read_write" ? "storage" : "read-only-storage")
      : space === "uniform" ? "uniform" : undefined;
    bindings.push({ group: Number(g[1]), binding: Number(b[1]), name: m[3], type, decl: `var${m[2] ? `<${m[2]}>` : ""} ${m[3]}` });
  }
  const enables = [...text.matchAll(/\benable\s+([\w\s,]+);/g)].flatMap((m) => m[1].split(",").map((s) => s.trim()));
  return { entries, bindings, enables };
}

// ---------------------------------------------------------------------------------------------

interface Mapping {
  readonly mode: "read" | "write";
  readonly offset: number;
  readonly size: number;
  /** unmap copies the returned ranges back (MAP_WRITE and mappedAtCreation). */
  readonly writeBack: boolean;
  readonly ranges: { offset: number; size: number; data: ArrayBuffer }[];
}

class FakeBuffer {
  label: string;
  readonly size: number;
  readonly usage: number;
  readonly _id: number;
  readonly _data: Uint8Array;
  readonly _mappedAtCreation: boolean;
  _destroyed = false;
  _state: "unmapped" | "pending" | "mapped" = "unmapped";
  _mapping: Mapping | null = null;
  _pendingReject: ((e: unknown) => void) | null = null;
  _pendingToken: object | null = null;

  constructor(readonly _device: FakeDevice, id: number, d: GPUBufferDescriptor) {
    this._id = id;
    this.label = d.label ?? "";
    this.size = d.size;
    this.usage = d.usage;
    this._data = new Uint8Array(d.size);
    this._mappedAtCreation = d.mappedAtCreation === true;
    if (this._mappedAtCreation) {
      this._state = "mapped";
      this._mapping = { mode: "write", offset: 0, size: d.size, writeBack: true, ranges: [] };
    }
  }

  get [Symbol.toStringTag](): string {
    return "GPUBuffer";
  }

  get mapState(): GPUBufferMapState {
    return this._destroyed ? "unmapped" : this._state;
  }

  _describe(): string {
    return `buffer ${quote(this.label)} (#${this._id}, ${this.size} bytes, ${usageNames(this.usage)})`;
  }

  mapAsync(mode: number, offset = 0, size?: number): Promise<undefined> {
    const where = `GPUBuffer.mapAsync of ${this._describe()}`;
    let rangeSize: number;
    let kind: "read" | "write";
    try {
      this._device._checkAlive(where);
      if (this._destroyed) fail("buffer.destroyed", `${where}: the buffer is destroyed`);
      if (this._state === "pending") fail("mapAsync.pending", `${where}: a mapAsync of this buffer is already pending`);
      if (this._state === "mapped") fail("mapAsync.already-mapped", `${where}: the buffer is already mapped (unmap it first)`);
      if (mode !== MAP_MODE.READ && mode !== MAP_MODE.WRITE) {
        fail("mapAsync.mode", `${where}: mode must be exactly GPUMapMode.READ or GPUMapMode.WRITE, found ${mode}`);
      }
      kind = mode === MAP_MODE.READ ? "read" : "write";
      const needed = kind === "read" ? U.MAP_READ : U.MAP_WRITE;
      if ((this.usage & needed) === 0) {
        fail("mapAsync.usage", `${where}: mapping for ${kind === "read" ? "READ" : "WRITE"} needs usage ` +
          `${kind === "read" ? "MAP_READ" : "MAP_WRITE"}, the buffer has ${usageNames(this.usage)}`);
      }
      checkInteger(where, "offset", offset);
      if (offset % 8 !== 0) fail("mapAsync.offset-alignment", `${where}: offset ${offset} is not a multiple of 8`);
      rangeSize = size ?? Math.max(0, this.size - offset);
      checkInteger(where, "size", rangeSize);
      if (rangeSize % 4 !== 0) fail("mapAsync.size-alignment", `${where}: size ${rangeSize} is not a multiple of 4`);
      if (offset + rangeSize > this.size) {
        fail("mapAsync.bounds", `${where}: range [${offset}, ${offset + rangeSize}) is past the buffer's end ${this.size}`);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    this._state = "pending";
    const token = {};
    this._pendingToken = token;
    this._device._rec.maps.push({ buffer: this._public(), label: this.label, mode: kind, offset, size: rangeSize });
    return new Promise<undefined>((resolve, reject) => {
      this._pendingReject = reject;
      void this._device._queue._idle().then(() => {
        if (this._pendingToken !== token) return; // unmapped or destroyed meanwhile: already rejected
        this._pendingToken = null;
        this._pendingReject = null;
        this._state = "mapped";
        this._mapping = { mode: kind, offset, size: rangeSize, writeBack: kind === "write", ranges: [] };
        resolve(undefined);
      });
    });
  }

  getMappedRange(offset = 0, size?: number): ArrayBuffer {
    const where = `GPUBuffer.getMappedRange of ${this._describe()}`;
    if (this._destroyed) fail("buffer.destroyed", `${where}: the buffer is destroyed`);
    if (this._state !== "mapped" || this._mapping === null) {
      fail("getMappedRange.not-mapped", `${where}: the buffer is not mapped (mapState ${quote(this._state)}` +
        (this._state === "pending" ? ": await mapAsync first)" : ")"));
    }
    const m = this._mapping;
    checkInteger(where, "offset", offset);
    // As the spec: the default size runs to the buffer's end (past a partial mapping: an error).
    const rangeSize = size ?? Math.max(0, this.size - offset);
    checkInteger(where, "size", rangeSize);
    if (offset % 8 !== 0) fail("getMappedRange.offset-alignment", `${where}: offset ${offset} is not a multiple of 8`);
    if (rangeSize % 4 !== 0) fail("getMappedRange.size-alignment", `${where}: size ${rangeSize} is not a multiple of 4`);
    if (offset < m.offset || offset + rangeSize > m.offset + m.size) {
      fail("getMappedRange.bounds", `${where}: range [${offset}, ${offset + rangeSize}) is outside the mapped range ` +
        `[${m.offset}, ${m.offset + m.size})`);
    }
    for (const r of m.ranges) {
      if (rangeSize > 0 && r.size > 0 && offset < r.offset + r.size && r.offset < offset + rangeSize) {
        fail("getMappedRange.overlap", `${where}: range [${offset}, ${offset + rangeSize}) overlaps the range ` +
          `[${r.offset}, ${r.offset + r.size}) already returned by getMappedRange`);
      }
    }
    const data = new ArrayBuffer(rangeSize);
    new Uint8Array(data).set(this._data.subarray(offset, offset + rangeSize));
    m.ranges.push({ offset, size: rangeSize, data });
    return data;
  }

  unmap(): void {
    if (this._state === "pending") {
      const reject = this._pendingReject;
      this._pendingToken = null;
      this._pendingReject = null;
      this._state = "unmapped";
      reject?.(new DOMException(`GPUBuffer.unmap of ${this._describe()} was called before mapAsync resolved`, "AbortError"));
      return;
    }
    if (this._state !== "mapped" || this._mapping === null) return;
    for (const r of this._mapping.ranges) {
      if (this._mapping.writeBack && !this._destroyed) this._data.set(new Uint8Array(r.data), r.offset);
      // Detach, as the spec does: a view kept past unmap has length 0 instead of stale bytes.
      structuredClone(r.data, { transfer: [r.data] });
    }
    this._mapping = null;
    this._state = "unmapped";
  }

  destroy(): void {
    if (this._destroyed) return;
    this.unmap();
    this._destroyed = true;
  }

  _public(): GPUBuffer {
    return this as unknown as GPUBuffer;
  }
}

interface LayoutEntry {
  readonly binding: number;
  readonly visibility: number;
  readonly type: GPUBufferBindingType;
  readonly hasDynamicOffset: boolean;
  readonly minBindingSize: number;
}

class FakeBindGroupLayout {
  readonly label: string;
  constructor(
    readonly _device: FakeDevice,
    label: string,
    readonly _entries: ReadonlyMap<number, LayoutEntry>,
    /** The pipeline an "auto" layout was made for: such a layout matches only itself. */
    readonly _autoOf: FakeComputePipeline | null = null,
  ) {
    this.label = label;
  }

  get [Symbol.toStringTag](): string {
    return "GPUBindGroupLayout";
  }

  /** Dynamic entries in binding order: the order of setBindGroup's dynamicOffsets. */
  _dynamic(): LayoutEntry[] {
    return [...this._entries.values()].filter((e) => e.hasDynamicOffset).sort((a, b) => a.binding - b.binding);
  }

  /** WebGPU's "group-equivalent": same object, or (both explicit) the same entries. */
  _equivalent(other: FakeBindGroupLayout): boolean {
    if (this === other) return true;
    if (this._autoOf !== null || other._autoOf !== null) return false;
    if (this._entries.size !== other._entries.size) return false;
    for (const [b, e] of this._entries) {
      const o = other._entries.get(b);
      if (o === undefined || o.visibility !== e.visibility || o.type !== e.type ||
        o.hasDynamicOffset !== e.hasDynamicOffset || o.minBindingSize !== e.minBindingSize) return false;
    }
    return true;
  }
}

class FakePipelineLayout {
  readonly label: string;
  constructor(readonly _device: FakeDevice, label: string, readonly _groups: readonly (FakeBindGroupLayout | null)[]) {
    this.label = label;
  }

  get [Symbol.toStringTag](): string {
    return "GPUPipelineLayout";
  }
}

interface BoundEntry {
  readonly binding: number;
  readonly type: GPUBufferBindingType;
  readonly buffer: FakeBuffer;
  readonly offset: number;
  readonly size: number;
  readonly hasDynamicOffset: boolean;
}

class FakeBindGroup {
  readonly label: string;
  constructor(readonly _device: FakeDevice, label: string, readonly _layout: FakeBindGroupLayout, readonly _entries: readonly BoundEntry[]) {
    this.label = label;
  }

  get [Symbol.toStringTag](): string {
    return "GPUBindGroup";
  }
}

class FakeShaderModule {
  readonly label: string;
  readonly _parsed: ParsedWgsl;
  constructor(
    readonly _device: FakeDevice,
    label: string,
    readonly _code: string,
    readonly _messages: readonly GPUCompilationMessage[],
  ) {
    this.label = label;
    this._parsed = parseWgsl(_code);
  }

  get [Symbol.toStringTag](): string {
    return "GPUShaderModule";
  }

  _errors(): string[] {
    return this._messages.filter((m) => m.type === "error").map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
  }

  getCompilationInfo(): Promise<GPUCompilationInfo> {
    const info = { messages: this._messages } as unknown as GPUCompilationInfo;
    return macrotask().then(() => info);
  }
}

class FakeComputePipeline {
  readonly label: string;
  _layouts: (FakeBindGroupLayout | null)[] = [];
  _auto = false;
  constructor(
    readonly _device: FakeDevice,
    label: string,
    readonly _module: FakeShaderModule,
    readonly _entryPoint: string,
    readonly _workgroupSize: readonly [number, number, number] | undefined,
    readonly _kernel: FakeKernel | undefined,
  ) {
    this.label = label;
  }

  get [Symbol.toStringTag](): string {
    return "GPUComputePipeline";
  }

  getBindGroupLayout(index: number): GPUBindGroupLayout {
    const where = `GPUComputePipeline.getBindGroupLayout of pipeline ${quote(this.label)}`;
    checkInteger(where, "index", index);
    if (index >= this._device._limits.maxBindGroups) {
      fail("getBindGroupLayout.index", `${where}: index ${index} is not below maxBindGroups ${this._device._limits.maxBindGroups}`);
    }
    if (!this._auto && index >= this._layouts.length) {
      fail("getBindGroupLayout.index", `${where}: index ${index} is past the pipeline layout's ${this._layouts.length} bind group layouts`);
    }
    let bgl = this._layouts[index] ?? null;
    if (bgl === null) {
      // An explicit layout without that group, or an auto layout without bindings there: empty.
      bgl = new FakeBindGroupLayout(this._device, "", new Map(), this);
      this._layouts[index] = bgl;
    }
    return bgl as unknown as GPUBindGroupLayout;
  }
}

type Command =
  | { readonly kind: "copy"; readonly src: FakeBuffer; readonly srcOffset: number; readonly dst: FakeBuffer; readonly dstOffset: number; readonly size: number }
  | { readonly kind: "clear"; readonly buffer: FakeBuffer; readonly offset: number; readonly size: number }
  | {
    readonly kind: "dispatch";
    readonly passLabel: string;
    readonly pipeline: FakeComputePipeline;
    readonly bindings: readonly (Omit<FakeBindingRecord, "buffer" | "label"> & { readonly buffer: FakeBuffer })[];
    readonly x: number;
    readonly y: number;
    readonly z: number;
  };

function buffersOf(c: Command): FakeBuffer[] {
  if (c.kind === "copy") return [c.src, c.dst];
  if (c.kind === "clear") return [c.buffer];
  return c.bindings.map((b) => b.buffer);
}

class FakeCommandBuffer {
  readonly label: string;
  _submitted = false;
  constructor(readonly _device: FakeDevice, label: string, readonly _commands: readonly Command[]) {
    this.label = label;
  }

  get [Symbol.toStringTag](): string {
    return "GPUCommandBuffer";
  }
}

class FakeComputePassEncoder {
  readonly label: string;
  _ended = false;
  _pipeline: FakeComputePipeline | null = null;
  readonly _groups = new Map<number, { group: FakeBindGroup; offsets: number[] }>();

  constructor(readonly _encoder: FakeCommandEncoder, label: string) {
    this.label = label;
  }

  get [Symbol.toStringTag](): string {
    return "GPUComputePassEncoder";
  }

  private where(what: string): string {
    return `GPUComputePassEncoder.${what} (pass ${quote(this.label)})`;
  }

  private open(what: string): FakeDevice {
    const dev = this._encoder._device;
    dev._checkAlive(this.where(what));
    if (this._ended) fail("pass.ended", `${this.where(what)}: the pass has ended`);
    return dev;
  }

  setPipeline(pipeline: GPUComputePipeline): void {
    const dev = this.open("setPipeline");
    const p = pipeline as unknown as FakeComputePipeline;
    if (!(p instanceof FakeComputePipeline)) fail("object.type", `${this.where("setPipeline")}: not a GPUComputePipeline of the fake`);
    if (p._device !== dev) fail("object.device", `${this.where("setPipeline")}: pipeline ${quote(p.label)} belongs to another device`);
    this._pipeline = p;
  }

  setBindGroup(index: number, bindGroup: GPUBindGroup | null, dynamicOffsets?: Iterable<number> | Uint32Array,
    dynamicOffsetsDataStart?: number, dynamicOffsetsDataLength?: number): void {
    const where = this.where(`setBindGroup(${index})`);
    const dev = this.open(`setBindGroup(${index})`);
    checkInteger(where, "index", index);
    if (index >= dev._limits.maxBindGroups) fail("setBindGroup.index", `${where}: index ${index} is not below maxBindGroups ${dev._limits.maxBindGroups}`);
    let offsets: number[];
    if (dynamicOffsets instanceof Uint32Array && dynamicOffsetsDataStart !== undefined) {
      const len = dynamicOffsetsDataLength ?? 0;
      if (dynamicOffsetsDataStart + len > dynamicOffsets.length) {
        fail("setBindGroup.offsets-range", `${where}: dynamicOffsetsData range [${dynamicOffsetsDataStart}, ` +
          `${dynamicOffsetsDataStart + len}) is past its length ${dynamicOffsets.length}`);
      }
      offsets = [...dynamicOffsets.subarray(dynamicOffsetsDataStart, dynamicOffsetsDataStart + len)];
    } else {
      offsets = dynamicOffsets === undefined ? [] : [...dynamicOffsets];
    }
    if (bindGroup === null) {
      this._groups.delete(index);
      return;
    }
    const g = bindGroup as unknown as FakeBindGroup;
    if (!(g instanceof FakeBindGroup)) fail("object.type", `${where}: not a GPUBindGroup of the fake`);
    if (g._device !== dev) fail("object.device", `${where}: bind group ${quote(g.label)} belongs to another device`);
    const dynamic = g._layout._dynamic();
    if (offsets.length !== dynamic.length) {
      fail("setBindGroup.dynamic-offset-count", `${where}: bind group ${quote(g.label)} has ${dynamic.length} entries with ` +
        `hasDynamicOffset, ${offsets.length} dynamic offsets were given`);
    }
    dynamic.forEach((le, k) => {
      const off = offsets[k];
      checkInteger(where, `dynamicOffsets[${k}]`, off);
      const align = le.type === "uniform" ? dev._limits.minUniformBufferOffsetAlignment : dev._limits.minStorageBufferOffsetAlignment;
      if (off % align !== 0) {
        fail("setBindGroup.dynamic-offset-alignment", `${where}: dynamic offset ${off} of binding ${le.binding} (${le.type}) is not ` +
          `a multiple of ${le.type === "uniform" ? "minUniformBufferOffsetAlignment" : "minStorageBufferOffsetAlignment"} ${align}`);
      }
      const e = g._entries.find((x) => x.binding === le.binding)!;
      if (e.offset + off + e.size > e.buffer.size) {
        fail("setBindGroup.dynamic-offset-bounds", `${where}: binding ${le.binding} at offset ${e.offset} + dynamic offset ${off} ` +
          `+ size ${e.size} = ${e.offset + off + e.size} is past the end of ${e.buffer._describe()}`);
      }
    });
    this._groups.set(index, { group: g, offsets });
  }

  dispatchWorkgroups(x: number, y = 1, z = 1): void {
    const where = this.where(`dispatchWorkgroups(${x}, ${y}, ${z})`);
    const dev = this.open(`dispatchWorkgroups`);
    checkInteger(where, "workgroupCountX", x);
    checkInteger(where, "workgroupCountY", y);
    checkInteger(where, "workgroupCountZ", z);
    const max = dev._limits.maxComputeWorkgroupsPerDimension;
    for (const [n, v] of [["X", x], ["Y", y], ["Z", z]] as const) {
      if (v > max) fail("dispatch.workgroups-per-dimension", `${where}: workgroupCount${n} ${v} exceeds maxComputeWorkgroupsPerDimension ${max}`);
    }
    const p = this._pipeline;
    if (p === null) fail("dispatch.no-pipeline", `${where}: no pipeline set (call setPipeline first)`);
    const bindings: (Omit<FakeBindingRecord, "buffer" | "label"> & { buffer: FakeBuffer })[] = [];
    p._layouts.forEach((bgl, index) => {
      if (bgl === null || (bgl._entries.size === 0 && bgl._autoOf !== null)) return;
      const set = this._groups.get(index);
      if (set === undefined) fail("dispatch.bind-group-missing", `${where}: pipeline ${quote(p.label)} needs a bind group at index ${index}, none is set`);
      if (!bgl._equivalent(set.group._layout)) {
        fail("dispatch.bind-group-layout", `${where}: the bind group ${quote(set.group.label)} at index ${index} has layout ` +
          `${quote(set.group._layout.label)}, not compatible with the pipeline's layout ${quote(bgl.label)} for that group`);
      }
      const dynamic = set.group._layout._dynamic().map((e) => e.binding);
      for (const e of set.group._entries) {
        const k = dynamic.indexOf(e.binding);
        const offset = e.offset + (k >= 0 ? set.offsets[k] : 0);
        if (e.buffer._destroyed) {
          fail("buffer.destroyed", `${where}: binding ${e.binding} of group ${index} is ${e.buffer._describe()}, which is destroyed ` +
            "(the fake checks at encode time; WebGPU at submit)");
        }
        bindings.push({ group: index, binding: e.binding, type: e.type, buffer: e.buffer, offset, size: e.size });
      }
    });
    // Usage scope: a buffer bound as writable storage may not be bound any other way in one dispatch.
    for (const b of bindings) {
      if (b.type !== "storage") continue;
      const other = bindings.find((o) => o.buffer === b.buffer && o.type !== "storage");
      if (other !== undefined) {
        fail("dispatch.writable-aliasing", `${where}: ${b.buffer._describe()} is bound as writable storage ` +
          `(@group(${b.group}) @binding(${b.binding})) and as ${other.type} (@group(${other.group}) @binding(${other.binding})) ` +
          "in one dispatch");
      }
    }
    this._encoder._commands.push({ kind: "dispatch", passLabel: this.label, pipeline: p, bindings, x, y, z });
  }

  dispatchWorkgroupsIndirect(): never {
    fail("fake.unsupported", `${this.where("dispatchWorkgroupsIndirect")}: not supported by the fake`);
  }

  end(): void {
    const where = this.where("end");
    if (this._ended) fail("pass.ended", `${where}: the pass has already ended`);
    this._ended = true;
    this._encoder._pass = null;
  }

  pushDebugGroup(_label: string): void {}
  popDebugGroup(): void {}
  insertDebugMarker(_label: string): void {}
}

class FakeCommandEncoder {
  readonly label: string;
  readonly _commands: Command[] = [];
  _pass: FakeComputePassEncoder | null = null;
  _finished = false;

  constructor(readonly _device: FakeDevice, label: string) {
    this.label = label;
  }

  get [Symbol.toStringTag](): string {
    return "GPUCommandEncoder";
  }

  private where(what: string): string {
    return `GPUCommandEncoder.${what} (encoder ${quote(this.label)})`;
  }

  private open(what: string): void {
    this._device._checkAlive(this.where(what));
    if (this._finished) fail("encoder.finished", `${this.where(what)}: the encoder has finished`);
    if (this._pass !== null) fail("encoder.locked", `${this.where(what)}: pass ${quote(this._pass.label)} is still open (call end())`);
  }

  copyBufferToBuffer(source: GPUBuffer, a: number | GPUBuffer, b?: number | GPUBuffer, c?: number, d?: number): void {
    // (src, srcOffset, dst, dstOffset, size?) or (src, dst, size?)
    const fiveArg = typeof a === "number";
    const srcOffset = fiveArg ? a : 0;
    const destination = (fiveArg ? b : a) as GPUBuffer;
    const dstOffset = fiveArg ? (c as number) : 0;
    const where = this.where("copyBufferToBuffer");
    this.open("copyBufferToBuffer");
    const src = this._device._buffer(where, "source", source);
    const dst = this._device._buffer(where, "destination", destination);
    const size = (fiveArg ? d : (b as number | undefined)) ?? src.size - srcOffset;
    checkInteger(where, "sourceOffset", srcOffset);
    checkInteger(where, "destinationOffset", dstOffset);
    checkInteger(where, "size", size);
    for (const [what, buf] of [["source", src], ["destination", dst]] as const) {
      if (buf._destroyed) fail("buffer.destroyed", `${where}: the ${what} ${buf._describe()} is destroyed (the fake checks at encode time; WebGPU at submit)`);
    }
    if ((src.usage & U.COPY_SRC) === 0) fail("copy.usage-src", `${where}: the source ${src._describe()} lacks COPY_SRC`);
    if ((dst.usage & U.COPY_DST) === 0) fail("copy.usage-dst", `${where}: the destination ${dst._describe()} lacks COPY_DST`);
    if (size % 4 !== 0) fail("copy.size-alignment", `${where}: size ${size} is not a multiple of 4`);
    if (srcOffset % 4 !== 0) fail("copy.offset-alignment", `${where}: sourceOffset ${srcOffset} is not a multiple of 4`);
    if (dstOffset % 4 !== 0) fail("copy.offset-alignment", `${where}: destinationOffset ${dstOffset} is not a multiple of 4`);
    if (srcOffset + size > src.size) fail("copy.bounds-src", `${where}: source range [${srcOffset}, ${srcOffset + size}) is past the end of ${src._describe()}`);
    if (dstOffset + size > dst.size) fail("copy.bounds-dst", `${where}: destination range [${dstOffset}, ${dstOffset + size}) is past the end of ${dst._describe()}`);
    if (src === dst) fail("copy.same-buffer", `${where}: source and destination are the same ${src._describe()}`);
    this._commands.push({ kind: "copy", src, srcOffset, dst, dstOffset, size });
  }

  clearBuffer(buffer: GPUBuffer, offset = 0, size?: number): void {
    const where = this.where("clearBuffer");
    this.open("clearBuffer");
    const buf = this._device._buffer(where, "buffer", buffer);
    const n = size ?? buf.size - offset;
    checkInteger(where, "offset", offset);
    checkInteger(where, "size", n);
    if (buf._destroyed) fail("buffer.destroyed", `${where}: ${buf._describe()} is destroyed`);
    if ((buf.usage & U.COPY_DST) === 0) fail("clear.usage", `${where}: ${buf._describe()} lacks COPY_DST`);
    if (offset % 4 !== 0 || n % 4 !== 0) fail("clear.alignment", `${where}: offset ${offset} and size ${n} must be multiples of 4`);
    if (offset + n > buf.size) fail("clear.bounds", `${where}: range [${offset}, ${offset + n}) is past the end of ${buf._describe()}`);
    this._commands.push({ kind: "clear", buffer: buf, offset, size: n });
  }

  beginComputePass(descriptor?: GPUComputePassDescriptor): GPUComputePassEncoder {
    this.open("beginComputePass");
    if (descriptor?.timestampWrites !== undefined) fail("fake.unsupported", `${this.where("beginComputePass")}: timestampWrites are not supported by the fake`);
    const pass = new FakeComputePassEncoder(this, labelOf(descriptor));
    this._pass = pass;
    return pass as unknown as GPUComputePassEncoder;
  }

  beginRenderPass(): never {
    fail("fake.unsupported", `${this.where("beginRenderPass")}: render passes are not supported by the fake`);
  }

  finish(descriptor?: GPUCommandBufferDescriptor): GPUCommandBuffer {
    this.open("finish");
    this._finished = true;
    return new FakeCommandBuffer(this._device, labelOf(descriptor) || this.label, this._commands) as unknown as GPUCommandBuffer;
  }

  pushDebugGroup(_label: string): void {}
  popDebugGroup(): void {}
  insertDebugMarker(_label: string): void {}
}

class FakeQueue {
  readonly label = "";
  private work: Promise<void> = Promise.resolve();

  constructor(readonly _device: FakeDevice) {}

  get [Symbol.toStringTag](): string {
    return "GPUQueue";
  }

  /** Resolves on a macrotask after every submit so far has "completed". */
  _idle(): Promise<void> {
    return this.work.then(macrotask);
  }

  writeBuffer(buffer: GPUBuffer, bufferOffset: number, data: GPUAllowSharedBufferSource, dataOffset = 0, size?: number): void {
    const where = "GPUQueue.writeBuffer";
    const dev = this._device;
    dev._checkAlive(where);
    const buf = dev._buffer(where, "buffer", buffer);
    const w = `${where} to ${buf._describe()}`;
    let bytes: Uint8Array;
    let elementSize: number;
    if (ArrayBuffer.isView(data)) {
      elementSize = "BYTES_PER_ELEMENT" in data ? (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT : 1;
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer)) {
      elementSize = 1;
      bytes = new Uint8Array(data);
    } else {
      fail("writeBuffer.data", `${w}: data must be an ArrayBuffer, a SharedArrayBuffer or a view of one, found ${String(data)}`);
    }
    const elements = bytes.byteLength / elementSize;
    checkInteger(w, "bufferOffset", bufferOffset);
    checkInteger(w, "dataOffset", dataOffset);
    if (dataOffset > elements) fail("writeBuffer.data-range", `${w}: dataOffset ${dataOffset} is past the data's ${elements} elements`);
    const count = size ?? elements - dataOffset;
    checkInteger(w, "size", count);
    if (dataOffset + count > elements) {
      fail("writeBuffer.data-range", `${w}: dataOffset ${dataOffset} + size ${count} is past the data's ${elements} elements`);
    }
    const byteSize = count * elementSize;
    if (byteSize % 4 !== 0) fail("writeBuffer.size-alignment", `${w}: ${byteSize} bytes is not a multiple of 4`);
    if (buf._destroyed) fail("buffer.destroyed", `${w}: the buffer is destroyed`);
    if (buf._state !== "unmapped") fail("buffer.mapped", `${w}: the buffer is ${buf._state === "pending" ? "being mapped (mapAsync pending)" : "mapped"}`);
    if ((buf.usage & U.COPY_DST) === 0) fail("writeBuffer.usage", `${w}: the buffer lacks COPY_DST`);
    if (bufferOffset % 4 !== 0) fail("writeBuffer.offset-alignment", `${w}: bufferOffset ${bufferOffset} is not a multiple of 4`);
    if (bufferOffset + byteSize > buf.size) {
      fail("writeBuffer.bounds", `${w}: range [${bufferOffset}, ${bufferOffset + byteSize}) is past the buffer's end ${buf.size}`);
    }
    const src = bytes.slice(dataOffset * elementSize, dataOffset * elementSize + byteSize);
    buf._data.set(src, bufferOffset);
    dev._rec.writes.push({
      buffer: buf._public(), label: buf.label, offset: bufferOffset, size: byteSize,
      shared: typeof SharedArrayBuffer !== "undefined" && bytes.buffer instanceof SharedArrayBuffer, bytes: src,
    });
  }

  writeTexture(): never {
    fail("fake.unsupported", "GPUQueue.writeTexture: textures are not supported by the fake");
  }

  copyExternalImageToTexture(): never {
    fail("fake.unsupported", "GPUQueue.copyExternalImageToTexture: textures are not supported by the fake");
  }

  submit(commandBuffers: Iterable<GPUCommandBuffer>): void {
    const dev = this._device;
    const where = "GPUQueue.submit";
    dev._checkAlive(where);
    const cbs = [...commandBuffers].map((c, i) => {
      const cb = c as unknown as FakeCommandBuffer;
      if (!(cb instanceof FakeCommandBuffer)) fail("object.type", `${where}: commandBuffers[${i}] is not a GPUCommandBuffer of the fake`);
      if (cb._device !== dev) fail("object.device", `${where}: commandBuffers[${i}] belongs to another device`);
      if (cb._submitted) fail("submit.resubmitted", `${where}: command buffer ${quote(cb.label)} was already submitted`);
      return cb;
    });
    if (new Set(cbs).size !== cbs.length) fail("submit.resubmitted", `${where}: one command buffer appears twice`);
    // Validate everything before running anything, as a real submit does.
    for (const cb of cbs) {
      for (const c of cb._commands) {
        for (const b of buffersOf(c)) {
          if (b._destroyed) fail("submit.buffer-destroyed", `${where}: a ${c.kind} in command buffer ${quote(cb.label)} uses ${b._describe()}, which is destroyed`);
          if (b._state !== "unmapped") {
            fail("submit.buffer-mapped", `${where}: a ${c.kind} in command buffer ${quote(cb.label)} uses ${b._describe()}, ` +
              `which is ${b._state === "pending" ? "being mapped (mapAsync pending)" : "mapped"}`);
          }
        }
        if (c.kind === "dispatch" && c.pipeline._kernel === undefined && dev._opts.requireKernels === true) {
          fail("fake.no-kernel", `${where}: no kernel emulator for pipeline ${quote(c.pipeline.label)} (requireKernels is set)`);
        }
      }
    }
    const index = dev._submitCount++;
    for (const cb of cbs) cb._submitted = true;
    dev._rec.submits.push({
      index, commandBuffers: cbs.length, commands: cbs.reduce((n, cb) => n + cb._commands.length, 0), labels: cbs.map((cb) => cb.label),
    });
    for (const cb of cbs) for (const c of cb._commands) dev._execute(c, index);
    this.work = this.work.then(macrotask);
  }

  onSubmittedWorkDone(): Promise<undefined> {
    return this._idle().then(() => undefined);
  }
}

function typed<T>(ctor: { new (b: ArrayBufferLike, o: number, l: number): T; BYTES_PER_ELEMENT: number }, bytes: Uint8Array): T {
  return new ctor(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / ctor.BYTES_PER_ELEMENT));
}

class FakeDevice {
  label: string;
  readonly features: GPUSupportedFeatures;
  readonly limits: GPUSupportedLimits;
  readonly adapterInfo: GPUAdapterInfo;
  readonly queue: GPUQueue;
  readonly lost: Promise<GPUDeviceLostInfo>;
  onuncapturederror: ((e: Event) => unknown) | null = null;

  readonly _limits: FakeLimits;
  readonly _queue: FakeQueue;
  readonly _rec: Recorder;
  readonly _all: FakeBuffer[] = [];
  _lostInfo: GPUDeviceLostInfo | null = null;
  _submitCount = 0;
  private resolveLost!: (info: GPUDeviceLostInfo) => void;
  private readonly errorScopes: GPUErrorFilter[] = [];
  private nextId = 1;

  constructor(readonly _opts: FakeDeviceOptions) {
    this.label = _opts.label ?? "fake device";
    const limits: Record<string, number> = { ...DEFAULT_LIMITS };
    for (const [k, v] of Object.entries(_opts.limits ?? {})) {
      if (!(k in DEFAULT_LIMITS)) throw new Error(`createFakeDevice: unknown limit ${quote(k)}`);
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new Error(`createFakeDevice: limit ${k} must be a non-negative integer, found ${v}`);
      if (k.startsWith("min") && (v < 1 || (v & (v - 1)) !== 0)) throw new Error(`createFakeDevice: ${k} must be a power of two, found ${v}`);
      limits[k] = v;
    }
    this._limits = Object.freeze(limits) as FakeLimits;
    this.limits = this._limits as unknown as GPUSupportedLimits;
    this.features = new Set(_opts.features ?? []);
    this.adapterInfo = Object.freeze({
      vendor: "webshmem", architecture: "fake", device: "", description: "fake GPUDevice (test/fakes/fake-gpu.ts)",
      subgroupMinSize: 4, subgroupMaxSize: 128, isFallbackAdapter: false,
      ..._opts.adapterInfo,
    }) as unknown as GPUAdapterInfo;
    this._queue = new FakeQueue(this);
    this.queue = this._queue as unknown as GPUQueue;
    this.lost = new Promise((resolve) => {
      this.resolveLost = resolve;
    });
    this._rec = new Recorder(this);
  }

  get [Symbol.toStringTag](): string {
    return "GPUDevice";
  }

  _checkAlive(where: string): void {
    if (this._lostInfo !== null) {
      fail("device.lost", `${where}: the device is ${this._lostInfo.reason === "destroyed" ? "destroyed" : "lost"} ` +
        "(WebGPU would silently ignore this call; the fake refuses)");
    }
  }

  _buffer(where: string, what: string, b: unknown): FakeBuffer {
    if (!(b instanceof FakeBuffer)) fail("object.type", `${where}: ${what} is not a GPUBuffer of the fake, found ${String(b)}`);
    if (b._device !== this) fail("object.device", `${where}: ${what} ${b._describe()} belongs to another device`);
    return b;
  }

  createBuffer(d: GPUBufferDescriptor): GPUBuffer {
    const where = `GPUDevice.createBuffer(${quote(d.label ?? "")})`;
    this._checkAlive(where);
    checkInteger(where, "size", d.size);
    checkInteger(where, "usage", d.usage);
    const usage = d.usage;
    const known = Object.values(U).reduce((a, b) => a | b, 0);
    if (usage === 0) fail("createBuffer.usage-zero", `${where}: usage must not be 0`);
    if ((usage & ~known) !== 0) fail("createBuffer.usage-unknown", `${where}: usage ${usageNames(usage)} has unknown bits`);
    if ((usage & U.MAP_READ) !== 0 && (usage & ~(U.MAP_READ | U.COPY_DST)) !== 0) {
      fail("createBuffer.map-read-usage", `${where}: MAP_READ may only be combined with COPY_DST, found ${usageNames(usage)}`);
    }
    if ((usage & U.MAP_WRITE) !== 0 && (usage & ~(U.MAP_WRITE | U.COPY_SRC)) !== 0) {
      fail("createBuffer.map-write-usage", `${where}: MAP_WRITE may only be combined with COPY_SRC, found ${usageNames(usage)}`);
    }
    if (d.size > this._limits.maxBufferSize) fail("createBuffer.max-size", `${where}: size ${d.size} exceeds maxBufferSize ${this._limits.maxBufferSize}`);
    if (d.mappedAtCreation === true && d.size % 4 !== 0) {
      fail("createBuffer.mapped-at-creation-size", `${where}: mappedAtCreation needs a size that is a multiple of 4, found ${d.size}`);
    }
    const b = new FakeBuffer(this, this.nextId++, d);
    this._all.push(b);
    this._rec.buffers.push(this._rec.bufferRecord(b));
    return b._public();
  }

  createBindGroupLayout(d: GPUBindGroupLayoutDescriptor): GPUBindGroupLayout {
    const where = `GPUDevice.createBindGroupLayout(${quote(d.label ?? "")})`;
    this._checkAlive(where);
    const entries = new Map<number, LayoutEntry>();
    const perStage = { storage: 0, uniform: 0 };
    let dynUniform = 0;
    let dynStorage = 0;
    for (const e of d.entries) {
      checkInteger(where, "binding", e.binding);
      if (entries.has(e.binding)) fail("bindGroupLayout.duplicate-binding", `${where}: binding ${e.binding} appears twice`);
      if (e.binding >= this._limits.maxBindingsPerBindGroup) {
        fail("bindGroupLayout.binding-limit", `${where}: binding ${e.binding} is not below maxBindingsPerBindGroup ${this._limits.maxBindingsPerBindGroup}`);
      }
      if (e.buffer === undefined) fail("fake.unsupported", `${where}: binding ${e.binding}: only buffer bindings are supported by the fake`);
      const type = e.buffer.type ?? "uniform";
      if (type !== "uniform" && type !== "storage" && type !== "read-only-storage") {
        fail("bindGroupLayout.type", `${where}: binding ${e.binding}: unknown buffer type ${quote(String(type))}`);
      }
      if (type === "storage" && (e.visibility & SHADER_STAGE.VERTEX) !== 0) {
        fail("bindGroupLayout.storage-vertex", `${where}: binding ${e.binding}: writable storage is not allowed in the VERTEX stage`);
      }
      const hasDynamicOffset = e.buffer.hasDynamicOffset === true;
      if (type === "uniform") {
        perStage.uniform++;
        if (hasDynamicOffset) dynUniform++;
      } else {
        perStage.storage++;
        if (hasDynamicOffset) dynStorage++;
      }
      entries.set(e.binding, { binding: e.binding, visibility: e.visibility, type, hasDynamicOffset, minBindingSize: e.buffer.minBindingSize ?? 0 });
    }
    this.checkLayoutCounts(where, perStage.storage, perStage.uniform, dynStorage, dynUniform);
    return new FakeBindGroupLayout(this, d.label ?? "", entries) as unknown as GPUBindGroupLayout;
  }

  private checkLayoutCounts(where: string, storage: number, uniform: number, dynStorage: number, dynUniform: number): void {
    const l = this._limits;
    if (storage > l.maxStorageBuffersPerShaderStage) fail("layout.storage-buffers", `${where}: ${storage} storage buffers exceed maxStorageBuffersPerShaderStage ${l.maxStorageBuffersPerShaderStage}`);
    if (uniform > l.maxUniformBuffersPerShaderStage) fail("layout.uniform-buffers", `${where}: ${uniform} uniform buffers exceed maxUniformBuffersPerShaderStage ${l.maxUniformBuffersPerShaderStage}`);
    if (dynStorage > l.maxDynamicStorageBuffersPerPipelineLayout) {
      fail("layout.dynamic-storage", `${where}: ${dynStorage} dynamic storage buffers exceed maxDynamicStorageBuffersPerPipelineLayout ${l.maxDynamicStorageBuffersPerPipelineLayout}`);
    }
    if (dynUniform > l.maxDynamicUniformBuffersPerPipelineLayout) {
      fail("layout.dynamic-uniform", `${where}: ${dynUniform} dynamic uniform buffers exceed maxDynamicUniformBuffersPerPipelineLayout ${l.maxDynamicUniformBuffersPerPipelineLayout}`);
    }
  }

  createPipelineLayout(d: GPUPipelineLayoutDescriptor): GPUPipelineLayout {
    const where = `GPUDevice.createPipelineLayout(${quote(d.label ?? "")})`;
    this._checkAlive(where);
    const groups = [...d.bindGroupLayouts].map((g, i) => {
      if (g === null || g === undefined) return null;
      const bgl = g as unknown as FakeBindGroupLayout;
      if (!(bgl instanceof FakeBindGroupLayout)) fail("object.type", `${where}: bindGroupLayouts[${i}] is not a GPUBindGroupLayout of the fake`);
      if (bgl._device !== this) fail("object.device", `${where}: bindGroupLayouts[${i}] belongs to another device`);
      return bgl;
    });
    if (groups.length > this._limits.maxBindGroups) fail("pipelineLayout.max-bind-groups", `${where}: ${groups.length} bind group layouts exceed maxBindGroups ${this._limits.maxBindGroups}`);
    const all = groups.flatMap((g) => (g === null ? [] : [...g._entries.values()]));
    this.checkLayoutCounts(where, all.filter((e) => e.type !== "uniform").length, all.filter((e) => e.type === "uniform").length,
      all.filter((e) => e.type !== "uniform" && e.hasDynamicOffset).length, all.filter((e) => e.type === "uniform" && e.hasDynamicOffset).length);
    return new FakePipelineLayout(this, d.label ?? "", groups) as unknown as GPUPipelineLayout;
  }

  createBindGroup(d: GPUBindGroupDescriptor): GPUBindGroup {
    const where = `GPUDevice.createBindGroup(${quote(d.label ?? "")})`;
    this._checkAlive(where);
    const layout = d.layout as unknown as FakeBindGroupLayout;
    if (!(layout instanceof FakeBindGroupLayout)) fail("object.type", `${where}: layout is not a GPUBindGroupLayout of the fake`);
    if (layout._device !== this) fail("object.device", `${where}: layout belongs to another device`);
    const l = this._limits;
    const seen = new Set<number>();
    const bound: BoundEntry[] = [];
    for (const e of d.entries) {
      const w = `${where}, binding ${e.binding}`;
      const le = layout._entries.get(e.binding);
      if (le === undefined) fail("bindGroup.binding-not-in-layout", `${w}: the layout ${quote(layout.label)} has no binding ${e.binding}`);
      if (seen.has(e.binding)) fail("bindGroup.duplicate-binding", `${w}: binding ${e.binding} appears twice`);
      seen.add(e.binding);
      const res = e.resource as unknown;
      const bb = (res instanceof FakeBuffer ? { buffer: res } : res) as { buffer?: unknown; offset?: number; size?: number };
      if (typeof bb !== "object" || bb === null || !("buffer" in bb)) fail("bindGroup.resource", `${w}: the layout wants a buffer binding ({ buffer, offset, size })`);
      const buffer = this._buffer(w, "buffer", bb.buffer);
      const offset = bb.offset ?? 0;
      checkInteger(w, "offset", offset);
      if (offset > buffer.size) fail("bindGroup.bounds", `${w}: offset ${offset} is past the end of ${buffer._describe()}`);
      const size = bb.size ?? buffer.size - offset;
      checkInteger(w, "size", size);
      const storage = le.type !== "uniform";
      const needed = storage ? U.STORAGE : U.UNIFORM;
      if ((buffer.usage & needed) === 0) {
        fail(storage ? "bindGroup.storage-usage" : "bindGroup.uniform-usage", `${w}: a ${le.type} binding needs usage ` +
          `${storage ? "STORAGE" : "UNIFORM"}, ${buffer._describe()} has ${usageNames(buffer.usage)}`);
      }
      const align = storage ? l.minStorageBufferOffsetAlignment : l.minUniformBufferOffsetAlignment;
      if (offset % align !== 0) {
        fail(storage ? "bindGroup.storage-offset-alignment" : "bindGroup.uniform-offset-alignment", `${w}: offset ${offset} is not a ` +
          `multiple of ${storage ? "minStorageBufferOffsetAlignment" : "minUniformBufferOffsetAlignment"} ${align}`);
      }
      if (size === 0) fail("bindGroup.size-zero", `${w}: the binding size is 0`);
      if (offset + size > buffer.size) {
        fail("bindGroup.bounds", `${w}: range [${offset}, ${offset + size}) is past the end of ${buffer._describe()}`);
      }
      const max = storage ? l.maxStorageBufferBindingSize : l.maxUniformBufferBindingSize;
      if (size > max) {
        fail(storage ? "bindGroup.max-storage-binding-size" : "bindGroup.max-uniform-binding-size", `${w}: binding size ${size} exceeds ` +
          `${storage ? "maxStorageBufferBindingSize" : "maxUniformBufferBindingSize"} ${max}`);
      }
      if (storage && size % 4 !== 0) fail("bindGroup.storage-size-alignment", `${w}: a storage binding size must be a multiple of 4, found ${size}`);
      if (size < le.minBindingSize) fail("bindGroup.min-binding-size", `${w}: size ${size} is below the layout's minBindingSize ${le.minBindingSize}`);
      bound.push({ binding: e.binding, type: le.type, buffer, offset, size, hasDynamicOffset: le.hasDynamicOffset });
    }
    for (const b of layout._entries.keys()) {
      if (!seen.has(b)) fail("bindGroup.missing-binding", `${where}: the layout ${quote(layout.label)} has binding ${b}, the entries do not`);
    }
    const g = new FakeBindGroup(this, d.label ?? "", layout, bound);
    this._rec.bindGroups.push({
      label: g.label, layoutLabel: layout.label,
      entries: bound.map((b) => ({ binding: b.binding, type: b.type, buffer: b.buffer._public(), label: b.buffer.label, offset: b.offset, size: b.size })),
    });
    return g as unknown as GPUBindGroup;
  }

  createShaderModule(d: GPUShaderModuleDescriptor): GPUShaderModule {
    const where = `GPUDevice.createShaderModule(${quote(d.label ?? "")})`;
    this._checkAlive(where);
    if (typeof d.code !== "string") fail("shaderModule.code", `${where}: code must be a string`);
    const messages: GPUCompilationMessage[] = [];
    const add = (m: FakeCompileMessage): void => {
      const o = typeof m === "string" ? { message: m } : m;
      messages.push({ message: o.message, type: o.type ?? "error", lineNum: o.lineNum ?? 0, linePos: o.linePos ?? 0, offset: 0, length: 0 } as unknown as GPUCompilationMessage);
    };
    const lines = d.code.split("\n");
    lines.forEach((line, i) => {
      const code = stripComments(line);
      if (/\benable\s+[^;]*\bf16\b/.test(code) && !this.features.has("shader-f16")) {
        add({ message: "enable f16 needs the device feature \"shader-f16\"", lineNum: i + 1, linePos: code.indexOf("enable") + 1 });
      }
      const dollar = code.indexOf("$");
      if (dollar >= 0) add({ message: "invalid character '$' (an unfilled template placeholder?)", lineNum: i + 1, linePos: dollar + 1 });
    });
    for (const m of this._opts.compileErrors?.(d.code, d.label ?? "") ?? []) add(m);
    const module = new FakeShaderModule(this, d.label ?? "", d.code, messages);
    this._rec.shaderModules.push({ label: module.label, code: d.code, errors: module._errors() });
    return module as unknown as GPUShaderModule;
  }

  createComputePipeline(d: GPUComputePipelineDescriptor): GPUComputePipeline {
    return this.makePipeline(d, false) as unknown as GPUComputePipeline;
  }

  createComputePipelineAsync(d: GPUComputePipelineDescriptor): Promise<GPUComputePipeline> {
    try {
      const p = this.makePipeline(d, true);
      return macrotask().then(() => p as unknown as GPUComputePipeline);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private makePipeline(d: GPUComputePipelineDescriptor, async: boolean): FakeComputePipeline {
    const where = `GPUDevice.createComputePipeline${async ? "Async" : ""}(${quote(d.label ?? "")})`;
    this._checkAlive(where);
    const module = d.compute.module as unknown as FakeShaderModule;
    if (!(module instanceof FakeShaderModule)) fail("object.type", `${where}: compute.module is not a GPUShaderModule of the fake`);
    if (module._device !== this) fail("object.device", `${where}: compute.module belongs to another device`);
    const errors = module._errors();
    if (errors.length > 0) fail("pipeline.shader-compile", `${where}: shader module ${quote(module.label)} does not compile:\n${errors.join("\n")}`);
    const computes = module._parsed.entries.filter((e) => e.stage === "compute");
    let entry: ParsedEntry | undefined;
    if (d.compute.entryPoint === undefined) {
      if (computes.length !== 1) fail("pipeline.entry-point", `${where}: no entryPoint given and the module has ${computes.length} @compute functions, not exactly 1`);
      entry = computes[0];
    } else {
      entry = computes.find((e) => e.name === d.compute.entryPoint);
      if (entry === undefined) {
        fail("pipeline.entry-point", `${where}: the module has no @compute entry point ${quote(d.compute.entryPoint)}` +
          ` (found ${computes.map((e) => e.name).join(", ") || "none"})`);
      }
    }
    const wg = entry.workgroupSize;
    const l = this._limits;
    if (wg !== undefined) {
      const [x, y, z] = wg;
      if (x < 1 || y < 1 || z < 1) fail("pipeline.workgroup-size", `${where}: @workgroup_size(${wg.join(", ")}) has a zero dimension`);
      if (x > l.maxComputeWorkgroupSizeX || y > l.maxComputeWorkgroupSizeY || z > l.maxComputeWorkgroupSizeZ) {
        fail("pipeline.workgroup-size", `${where}: @workgroup_size(${wg.join(", ")}) exceeds maxComputeWorkgroupSizeX/Y/Z ` +
          `${l.maxComputeWorkgroupSizeX}/${l.maxComputeWorkgroupSizeY}/${l.maxComputeWorkgroupSizeZ}`);
      }
      if (x * y * z > l.maxComputeInvocationsPerWorkgroup) {
        fail("pipeline.workgroup-size", `${where}: @workgroup_size(${wg.join(", ")}) is ${x * y * z} invocations, over ` +
          `maxComputeInvocationsPerWorkgroup ${l.maxComputeInvocationsPerWorkgroup}`);
      }
    }
    const label = d.label ?? "";
    const kernels = this._opts.kernels;
    const kernel = typeof kernels === "function" ? kernels(label, module._code) : kernels?.[label];
    const pipeline = new FakeComputePipeline(this, label, module, entry.name, wg, kernel);
    const buffers = module._parsed.bindings.filter((b) => b.type !== undefined);
    if (d.layout === "auto") {
      const groups: Map<number, LayoutEntry>[] = [];
      for (const b of buffers) {
        if (b.group >= l.maxBindGroups) fail("pipeline.max-bind-groups", `${where}: @group(${b.group}) is not below maxBindGroups ${l.maxBindGroups}`);
        (groups[b.group] ??= new Map()).set(b.binding, {
          binding: b.binding, visibility: SHADER_STAGE.COMPUTE, type: b.type!, hasDynamicOffset: false, minBindingSize: 0,
        });
      }
      pipeline._auto = true;
      pipeline._layouts = Array.from({ length: groups.length }, (_, i) =>
        groups[i] === undefined ? null : new FakeBindGroupLayout(this, `${label} auto group ${i}`, groups[i], pipeline));
    } else {
      const layout = d.layout as unknown as FakePipelineLayout;
      if (!(layout instanceof FakePipelineLayout)) fail("object.type", `${where}: layout is neither "auto" nor a GPUPipelineLayout of the fake`);
      if (layout._device !== this) fail("object.device", `${where}: layout belongs to another device`);
      pipeline._layouts = [...layout._groups];
      if (this._opts.checkShaderBindings !== false) {
        for (const b of buffers) {
          const le = layout._groups[b.group]?._entries.get(b.binding);
          const at = `@group(${b.group}) @binding(${b.binding}) ${b.decl}`;
          if (le === undefined) fail("pipeline.binding-not-in-layout", `${where}: the shader declares ${at}, the layout ${quote(layout.label)} has no such binding`);
          if (le.type !== b.type) fail("pipeline.binding-type", `${where}: the shader declares ${at} (${b.type}), the layout has ${le.type}`);
          if ((le.visibility & SHADER_STAGE.COMPUTE) === 0) fail("pipeline.binding-visibility", `${where}: ${at}: the layout entry is not visible to COMPUTE`);
        }
      }
    }
    this._rec.pipelines.push({
      label, code: module._code, entryPoint: entry.name, layout: d.layout === "auto" ? "auto" : (d.layout as unknown as FakePipelineLayout).label,
      async, workgroupSize: wg,
    });
    return pipeline;
  }

  createCommandEncoder(d?: GPUCommandEncoderDescriptor): GPUCommandEncoder {
    this._checkAlive("GPUDevice.createCommandEncoder");
    this._rec.commandEncoders++;
    return new FakeCommandEncoder(this, labelOf(d)) as unknown as GPUCommandEncoder;
  }

  pushErrorScope(filter: GPUErrorFilter): void {
    if (filter !== "validation" && filter !== "out-of-memory" && filter !== "internal") {
      throw new TypeError(`GPUDevice.pushErrorScope: unknown filter ${quote(String(filter))}`);
    }
    this.errorScopes.push(filter);
  }

  /** Always null: the fake throws at the offending call instead of collecting errors. */
  popErrorScope(): Promise<GPUError | null> {
    if (this.errorScopes.pop() === undefined) {
      return Promise.reject(new DOMException("GPUDevice.popErrorScope: the error scope stack is empty", "OperationError"));
    }
    return Promise.resolve(null);
  }

  addEventListener(): void {}
  removeEventListener(): void {}
  dispatchEvent(): boolean {
    return true;
  }

  destroy(): void {
    this.lose("destroyed", "GPUDevice.destroy() was called");
  }

  _lose(message: string): void {
    this.lose("unknown", message);
  }

  private lose(reason: GPUDeviceLostReason, message: string): void {
    if (this._lostInfo !== null) return;
    for (const b of this._all) b.destroy();
    this._lostInfo = { reason, message } as unknown as GPUDeviceLostInfo;
    this.resolveLost(this._lostInfo);
  }

  _execute(c: Command, submit: number): void {
    const rec = this._rec;
    if (c.kind === "copy") {
      c.dst._data.set(c.src._data.subarray(c.srcOffset, c.srcOffset + c.size), c.dstOffset);
      rec.copies.push({
        submit, src: c.src._public(), srcLabel: c.src.label, srcOffset: c.srcOffset,
        dst: c.dst._public(), dstLabel: c.dst.label, dstOffset: c.dstOffset, size: c.size,
      });
      return;
    }
    if (c.kind === "clear") {
      c.buffer._data.fill(0, c.offset, c.offset + c.size);
      rec.clears.push({ submit, buffer: c.buffer._public(), label: c.buffer.label, offset: c.offset, size: c.size });
      return;
    }
    const p = c.pipeline;
    const records: FakeBindingRecord[] = c.bindings.map((b) => ({ ...b, buffer: b.buffer._public(), label: b.buffer.label }));
    rec.dispatches.push({
      submit, passLabel: c.passLabel, pipelineLabel: p.label, entryPoint: p._entryPoint, code: p._module._code,
      workgroupSize: p._workgroupSize, x: c.x, y: c.y, z: c.z, bindings: records, emulated: p._kernel !== undefined,
    });
    if (p._kernel === undefined) return;
    const views: FakeBinding[] = c.bindings.map((b) => {
      const live = b.buffer._data.subarray(b.offset, b.offset + b.size);
      return { ...b, buffer: b.buffer._public(), label: b.buffer.label, bytes: b.type === "storage" ? live : live.slice() };
    });
    const find = (binding: number, group = 0): Uint8Array => {
      const v = views.find((x) => x.binding === binding && x.group === group);
      if (v === undefined) {
        throw new Error(`kernel emulator of pipeline ${quote(p.label)}: nothing is bound at @group(${group}) @binding(${binding}) ` +
          `(bound: ${views.map((x) => `@group(${x.group}) @binding(${x.binding})`).join(", ") || "none"})`);
      }
      return v.bytes;
    };
    const dispatch: FakeDispatch = {
      pipelineLabel: p.label, passLabel: c.passLabel, code: p._module._code, entryPoint: p._entryPoint, workgroupSize: p._workgroupSize,
      x: c.x, y: c.y, z: c.z, bindings: views,
      bytes: find,
      u32: (b, g) => typed(Uint32Array, find(b, g)),
      i32: (b, g) => typed(Int32Array, find(b, g)),
      f32: (b, g) => typed(Float32Array, find(b, g)),
      u16: (b, g) => typed(Uint16Array, find(b, g)),
    };
    p._kernel(dispatch);
    for (const v of views) {
      if (v.type === "storage") continue;
      const original = c.bindings.find((b) => b.group === v.group && b.binding === v.binding)!;
      const now = original.buffer._data.subarray(original.offset, original.offset + original.size);
      if (v.bytes.some((x, i) => x !== now[i])) {
        throw new Error(`kernel emulator of pipeline ${quote(p.label)} wrote to @group(${v.group}) @binding(${v.binding}), ` +
          `a ${v.type} binding: a shader cannot write there`);
      }
    }
  }
}

class Recorder implements FakeGpu {
  readonly buffers: FakeBufferRecord[] = [];
  writes: FakeWriteRecord[] = [];
  copies: FakeCopyRecord[] = [];
  clears: FakeClearRecord[] = [];
  dispatches: FakeDispatchRecord[] = [];
  maps: FakeMapRecord[] = [];
  submits: FakeSubmitRecord[] = [];
  bindGroups: FakeBindGroupRecord[] = [];
  pipelines: FakePipelineRecord[] = [];
  shaderModules: FakeShaderModuleRecord[] = [];
  commandEncoders = 0;
  private readonly byBuffer = new Map<FakeBuffer, FakeBufferRecord>();

  constructor(private readonly dev: FakeDevice) {}

  get device(): GPUDevice {
    return this.dev as unknown as GPUDevice;
  }

  get limits(): FakeLimits {
    return this.dev._limits;
  }

  bufferRecord(b: FakeBuffer): FakeBufferRecord {
    const r: FakeBufferRecord = {
      id: b._id,
      buffer: b._public(),
      get label() {
        return b.label;
      },
      size: b.size,
      usage: b.usage,
      usageNames: usageNames(b.usage),
      mappedAtCreation: b._mappedAtCreation,
      get mapState() {
        return b.mapState;
      },
      get destroyed() {
        return b._destroyed;
      },
    };
    this.byBuffer.set(b, r);
    return r;
  }

  get counts(): FakeCounts {
    const live = this.live();
    return {
      buffersCreated: this.buffers.length,
      buffersLive: live.length,
      bytesLive: live.reduce((n, b) => n + b.size, 0),
      writes: this.writes.length,
      bytesWritten: this.writes.reduce((n, w) => n + w.size, 0),
      copies: this.copies.length,
      bytesCopied: this.copies.reduce((n, c) => n + c.size, 0),
      clears: this.clears.length,
      dispatches: this.dispatches.length,
      maps: this.maps.length,
      submits: this.submits.length,
      commandEncoders: this.commandEncoders,
      bindGroups: this.bindGroups.length,
      pipelines: this.pipelines.length,
      shaderModules: this.shaderModules.length,
    };
  }

  live(): FakeBufferRecord[] {
    return this.buffers.filter((b) => !b.destroyed);
  }

  record(buffer: GPUBuffer): FakeBufferRecord {
    const b = this.dev._buffer("FakeGpu.record", "buffer", buffer);
    return this.byBuffer.get(b)!;
  }

  read(buffer: GPUBuffer, offset = 0, size?: number): Uint8Array {
    const b = this.dev._buffer("FakeGpu.read", "buffer", buffer);
    const end = size === undefined ? b.size : offset + size;
    if (offset < 0 || end > b.size || end < offset) throw new RangeError(`FakeGpu.read: [${offset}, ${end}) is outside ${b._describe()}`);
    return b._data.slice(offset, end);
  }

  clear(): void {
    this.writes = [];
    this.copies = [];
    this.clears = [];
    this.dispatches = [];
    this.maps = [];
    this.submits = [];
    this.bindGroups = [];
    this.pipelines = [];
    this.shaderModules = [];
    this.commandEncoders = 0;
  }

  loseDevice(message = "the fake device was lost"): void {
    this.dev._lose(message);
  }
}

/**
 * A fake GPUDevice and its recorder. Installs the WebGPU flag globals (GPUBufferUsage, ...) when
 * missing, since the library reads them.
 */
export function createFakeDevice(opts: FakeDeviceOptions = {}): { device: GPUDevice; gpu: FakeGpu } {
  installWebGPUGlobals();
  const dev = new FakeDevice(opts);
  return { device: dev as unknown as GPUDevice, gpu: dev._rec };
}
