import { checkOptions, checkTimeout, describeValue } from "../core/args.ts";
import { GroupBrokenError, SymmetricMemoryError } from "../core/errors.ts";
import { SlabAllocator } from "./allocator.ts";
import { Agreement } from "./agreement.ts";
import {
  boardOf, type ControlLayout, EXCHANGE_WORDS, GROUP_REG_WORDS, INTERNAL_CHANNELS, MAX_GROUPS, PADS_USED,
} from "./control.ts";
import { checkShape, type DType, dtypeCode, dtypeFromCode, itemsize, normalizeDType, numelOf } from "../core/dtype.ts";
import { Group } from "./group.ts";
import { SymmetricMemoryHandle } from "./handle.ts";
import { padSlot, SignalPad } from "./sync/signal-pad.ts";
import { requireSymmetric, SymmetricTensor } from "./symmetric-tensor.ts";

export interface HeapInit {
  readonly rank: number;
  readonly worldSize: number;
  readonly slabs: readonly SharedArrayBuffer[];
  /** Bytes of each slab the heap uses; default the slab's length (a WebAssembly memory's is whole pages, maybe more). */
  readonly heapBytes?: number;
  readonly control: SharedArrayBuffer;
  readonly layout: ControlLayout;
  readonly timeoutMs: number;
}

/** What `checkpoint` records: a group and its allocation counter. @internal */
export interface HeapCheckpoint {
  readonly group: Group;
  readonly seq: number;
}

/** A group, or its name ("world" or a subgroup's); unknown names are a SymmetricMemoryError. */
export type GroupRef = Group | string;

/** The options of `symm.empty`. */
export interface EmptyOptions {
  /** The group the tensor is allocated for (every member must make the same calls). Default "world". */
  group?: GroupRef;
  /**
   * What the allocation is for, shown by `symm.allocations()` (the dispatcher labels its
   * workspaces `workspace: <purpose>`). Local to this rank: rendezvous does not compare it.
   */
  label?: string;
}

/** One live allocation of a rank's heap, as `symm.allocations()` reports it (plain data). */
export interface HeapAllocationInfo {
  /** `${group}#${seq}`, the same on every member of the group (see Allocation). */
  readonly id: string;
  /** Name of the group it was allocated for. */
  readonly group: string;
  /** Byte offset of the block in this rank's slab. */
  readonly offset: number;
  /** Bytes the block reserves (a multiple of HEAP_ALIGNMENT). */
  readonly bytes: number;
  /** Bytes of the elements (`numel * itemsize`): at most `bytes`. */
  readonly nbytes: number;
  /** Element type the tensor was allocated with. */
  readonly dtype: DType;
  /** Shape the tensor was allocated with. */
  readonly shape: readonly number[];
  /** The `label` given to `symm.empty`, if any (`workspace: realize`, …). */
  readonly label?: string;
}

/**
 * Where one group's signal pads lie, in Int32 words from the start of the pad area (word 0 of
 * `World.signalPads().words`). Laid out as PyTorch's: `pad[dst][size * channel + src]`, user
 * channels first, then the internal ones; `padWord` computes a slot's index.
 */
export interface PadGroupInfo {
  /** The group's name ("world" or a subgroup's). */
  readonly name: string;
  /** Creation index; 0 is the world. */
  readonly index: number;
  /** World ranks of the members, sorted; group rank `r` is `ranks[r]`. */
  readonly ranks: readonly number[];
  /** First word of the group's pads, from the start of the pad area. */
  readonly padOffset: number;
  /** Ranks in the group. */
  readonly size: number;
  /** User channels per pad (the launch's `signalChannels`). */
  readonly channels: number;
  /** Internal channels after the user ones (rendezvous, group creation). */
  readonly internalChannels: number;
  /** Words the group's pads take: size² × (channels + internalChannels). */
  readonly words: number;
}

/** A rank's view of its heap at one moment, as `symm.snapshot()` reports it (plain data, structured-clonable). */
export interface HeapSnapshot {
  /** The rank that took it. */
  readonly rank: number;
  /** Bytes of the rank's slab. */
  readonly capacity: number;
  /** Bytes not allocated, summed over the free blocks. */
  readonly freeBytes: number;
  /** Bytes of the largest free block (the largest allocation that would succeed). */
  readonly largestFreeBlock: number;
  /** Every live allocation, by offset. */
  readonly allocations: readonly HeapAllocationInfo[];
  /** The signal pads of every group this rank knows (members or not), by creation. */
  readonly groups: readonly PadGroupInfo[];
}

/**
 * Index of the word `pad[dst][size * channel + src]` of `group`, from the start of the pad area
 * (an index into `World.signalPads().words`). `channel` counts the user channels first: the
 * internal ones are `group.channels + k`. Throws a SymmetricMemoryError for a rank or channel out of
 * bounds, or a `group` that is not a PadGroupInfo.
 */
export function padWord(group: PadGroupInfo, dst: number, channel: number, src: number): number {
  checkPadGroupInfo(group);
  const bad = (what: string, v: number, n: number) => typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= n
    ? `${what} ${typeof v === "number" ? v : `(${describeValue(v)})`} (expected an integer in [0, ${n - 1}])` : undefined;
  const problem = bad("dst", dst, group.size) ?? bad("src", src, group.size) ??
    bad("channel", channel, group.channels + group.internalChannels);
  if (problem !== undefined) throw new SymmetricMemoryError(`padWord: group "${group.name}": ${problem}`);
  return padSlot(group.padOffset, group.size, group.channels + group.internalChannels, dst, channel, src);
}

/** padWord's `group` must be a PadGroupInfo (from `symm.snapshot().groups`): its counts non-negative integers. */
function checkPadGroupInfo(group: unknown): asserts group is PadGroupInfo {
  const g = group as Partial<Record<keyof PadGroupInfo, unknown>> | null;
  const fields = ["padOffset", "size", "channels", "internalChannels"] as const;
  if (typeof g !== "object" || g === null || fields.some((f) => typeof g[f] !== "number" || !Number.isInteger(g[f]) || (g[f] as number) < 0)) {
    throw new SymmetricMemoryError(
      `padWord: group must be a PadGroupInfo (one of symm.snapshot().groups) with integer ${fields.join(", ")}, ` +
        `found ${describeValue(group)}`,
    );
  }
}

/** Internal channel numbers (after the user channels). */
const RENDEZVOUS_CHANNEL = 0;
const GROUP_CHANNEL = 1;

/**
 * `rank.symm`: this rank's side of the symmetric heap. Allocation is local and deterministic
 * (same calls in the same order give the same offsets); `rendezvous` and `newGroup` are
 * collective and check that the ranks agree.
 */
export class SymmetricHeap {
  /** The group of every rank, named "world". */
  readonly world: Group;
  private readonly groups = new Map<string, Group>();
  private readonly byIndex: Group[] = [];
  private readonly allocator: SlabAllocator;
  private readonly control: Int32Array;
  private readonly seqs = new Map<string, number>();
  private readonly handles = new WeakMap<SymmetricTensor, SymmetricMemoryHandle>();
  /** Live allocations by offset, with what `allocations()` reports. */
  /** The live tensors (not views) by offset: what `allocations()` describes. */
  private readonly live = new Map<number, SymmetricTensor>();
  private readonly padInfo: PadGroupInfo[] = [];
  private padsUsed = 0;

  constructor(private readonly init: HeapInit) {
    this.control = new Int32Array(init.control);
    this.allocator = new SlabAllocator(init.heapBytes ?? init.slabs[init.rank].byteLength);
    this.world = this.addGroup("world", Array.from({ length: init.worldSize }, (_, i) => i));
  }

  /** This rank's world rank. */
  get rank(): number {
    return this.init.rank;
  }

  /** Number of ranks in the world. */
  get worldSize(): number {
    return this.init.worldSize;
  }

  /** The default timeout of every signal wait (the launch's `timeoutMs`). */
  get timeoutMs(): number {
    return this.init.timeoutMs;
  }

  /** Bytes of this rank's slab (the launch's `heapBytes`, rounded up to HEAP_ALIGNMENT). */
  get capacity(): number {
    return this.allocator.capacity;
  }

  /** Bytes not allocated, summed over the free blocks (the largest one may be smaller). */
  get freeBytes(): number {
    return this.allocator.freeBytes();
  }

  /**
   * The group `ref` names (a Group is returned as it is); default the world. Throws a
   * SymmetricMemoryError for an unknown name.
   */
  group(ref: GroupRef = "world"): Group {
    if (ref instanceof Group && this.byIndex[ref.index] === ref) return ref;
    if (typeof ref !== "string") {
      throw new SymmetricMemoryError(
        `group: expected a group name or a Group of this rank's heap, found ${ref instanceof Group ? `another heap's group "${ref.name}"` : describeValue(ref)}`,
      );
    }
    const g = this.groups.get(ref);
    if (g === undefined) {
      throw new SymmetricMemoryError(
        `unknown group "${ref}": known groups are ${[...this.groups.keys()].map((n) => `"${n}"`).join(", ")}`,
      );
    }
    return g;
  }

  /** Bytes of the largest free block: the largest allocation that would succeed now. */
  get largestFreeBlock(): number {
    return this.allocator.largestFree();
  }

  /**
   * Every live allocation of this rank's heap, by offset: id, group, offset, size, dtype, shape
   * and label (plain data: a rank function can return it from `World.run`).
   */
  allocations(): HeapAllocationInfo[] {
    return [...this.live.values()].sort((a, b) => a.allocation.offset - b.allocation.offset).map((t) => {
      const { id, offset, bytes, label } = t.allocation;
      const info = { id, group: t.group.name, offset, bytes, nbytes: t.nbytes, dtype: t.dtype, shape: [...t.shape] };
      return label === undefined ? info : { ...info, label };
    });
  }

  /**
   * This rank's heap at this moment: capacity, free bytes, every live allocation and where each
   * group's signal pads lie in the control buffer (for `World.signalPads()`).
   */
  snapshot(): HeapSnapshot {
    return {
      rank: this.rank,
      capacity: this.capacity,
      freeBytes: this.freeBytes,
      largestFreeBlock: this.largestFreeBlock,
      allocations: this.allocations(),
      groups: this.padInfo.map((g) => ({ ...g, ranks: [...g.ranks] })),
    };
  }

  /**
   * Allocates a symmetric tensor for `opts.group` (every member must make the same calls in
   * order); `opts.label` says what it is for in `allocations()`.
   */
  empty<D extends DType = "float32">(
    shape: readonly number[],
    dtype: D | string = "float32",
    opts: EmptyOptions = {},
  ): SymmetricTensor<D> {
    checkShape(shape, "symm.empty");
    const dt = normalizeDType(dtype, "symm.empty") as D;
    opts = checkOptions(opts, "symm.empty", SymmetricMemoryError);
    if (opts.label !== undefined && typeof opts.label !== "string") {
      throw new SymmetricMemoryError(`symm.empty: label must be a string, found ${describeValue(opts.label)}`);
    }
    const group = this.group(opts.group);
    if (!group.isMember) {
      throw new SymmetricMemoryError(
        `symm.empty: rank ${this.rank} is not a member of group "${group.name}" (ranks ${group.ranks.join(", ")})`,
      );
    }
    const block = this.allocator.alloc(numelOf(shape) * itemsize(dt));
    const seq = this.seqs.get(group.name) ?? 0;
    this.seqs.set(group.name, seq + 1);
    const id = `${group.name}#${seq}`;
    const allocation = opts.label === undefined ? { id, seq, ...block } : { id, seq, ...block, label: opts.label };
    const t = new SymmetricTensor(group, allocation, dt, [...shape], this.slab);
    this.live.set(block.offset, t);
    return t;
  }

  /** Returns the tensor's block to the heap; the tensor must not be used after. */
  free(tensor: SymmetricTensor): void {
    requireSymmetric(tensor, "symm.free");
    if (tensor.isView) {
      throw new SymmetricMemoryError(`symm.free: a view of ${tensor.allocation.id} was given; free the tensor it views`);
    }
    this.allocator.release(tensor.allocation.offset);
    this.live.delete(tensor.allocation.offset);
    tensor.markFreed();
  }

  /**
   * Collective over the group: exchanges every rank's (allocation id, offset, size, dtype, shape)
   * and fails on all ranks, naming both sides, if they disagree.
   */
  async rendezvous(view: SymmetricTensor, groupRef?: GroupRef): Promise<SymmetricMemoryHandle> {
    requireSymmetric(view, "rendezvous");
    // A view shares its base's allocation, so it shares its handle too.
    const tensor = view.base;
    const group = this.group(groupRef ?? tensor.group);
    if (group !== tensor.group) {
      throw new SymmetricMemoryError(
        `rendezvous: tensor ${tensor.allocation.id} was allocated for group "${tensor.group.name}", ` +
          `not "${group.name}"`,
      );
    }
    const cached = this.handles.get(tensor);
    if (cached !== undefined) return cached;
    if (group.breakage !== undefined) {
      throw new GroupBrokenError(
        `rendezvous: group "${group.name}" cannot be used ${group.breakage.forGood ? "any more" : "until this run ends"}; ` +
          `the cause: ${group.breakage.reason}`, group.name, group.breakage.reason,
      );
    }

    const { exchange } = this.init.layout;
    const mine = exchange + this.rank * EXCHANGE_WORDS;
    const rec = [group.index, tensor.allocation.seq, tensor.allocation.offset, tensor.nbytes,
      dtypeCode(tensor.dtype), tensor.shape.length, ...tensor.shape];
    for (let i = 0; i < EXCHANGE_WORDS; i++) Atomics.store(this.control, mine + i, rec[i] ?? 0);
    await group.pads.internalBarrier(RENDEZVOUS_CHANNEL);
    const records = group.ranks.map((wr) =>
      Array.from({ length: EXCHANGE_WORDS }, (_, i) => Atomics.load(this.control, exchange + wr * EXCHANGE_WORDS + i)));
    // Nobody may overwrite its slot before every member has read it.
    await group.pads.internalBarrier(RENDEZVOUS_CHANNEL);

    const describe = (r: number[]): string =>
      `allocation ${group.name}#${r[1]} at offset ${r[2]} (${r[3]} bytes, ` +
      `${dtypeFromCode(r[4]) ?? "?"}[${r.slice(6, 6 + r[5]).join(", ")}])`;
    const me = records[group.rank];
    for (let p = 0; p < records.length; p++) {
      const r = records[p];
      const same = r[0] === me[0] && r[1] === me[1] && r[3] === me[3] && r[4] === me[4] &&
        r.slice(5, 6 + r[5]).join() === me.slice(5, 6 + me[5]).join();
      if (!same) {
        throw new SymmetricMemoryError(
          `rendezvous in group "${group.name}": ranks allocated in a different order — ` +
            `rank ${group.worldRankOf(group.rank)} has ${describe(me)}, ` +
            `rank ${group.worldRankOf(p)} has ${describe(r)}`,
        );
      }
    }
    const handle = new SymmetricMemoryHandle(tensor, group, records.map((r) => r[2]), this.init.slabs);
    this.handles.set(tensor, handle);
    return handle;
  }

  /**
   * Creates a subgroup. Collective over the WORLD (every rank calls it, members or not, in the
   * same order), as `torch.distributed.new_group`; ranks that disagree get an error naming both.
   */
  async newGroup(ranks: readonly number[], opts: { name?: string; timeoutMs?: number } = {}): Promise<Group> {
    // Every argument is checked before this rank writes its registration or signals a peer.
    if (!Array.isArray(ranks)) {
      throw new SymmetricMemoryError(
        `newGroup: ranks must be an array of distinct world ranks in [0, ${this.worldSize - 1}], found ${describeValue(ranks)}`,
      );
    }
    const sorted = [...new Set(ranks)].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.length !== ranks.length ||
      sorted.some((r) => typeof r !== "number" || !Number.isInteger(r) || r < 0 || r >= this.worldSize)) {
      throw new SymmetricMemoryError(
        `newGroup: ranks must be distinct integers in [0, ${this.worldSize - 1}], found ` +
          `[${Array.from(ranks as unknown[], (r) => (typeof r === "number" ? String(r) : describeValue(r))).join(", ")}]`,
      );
    }
    opts = checkOptions(opts, "newGroup", SymmetricMemoryError);
    if (opts.name !== undefined && (typeof opts.name !== "string" || opts.name === "")) {
      throw new SymmetricMemoryError(`newGroup: name must be a non-empty string, found ${describeValue(opts.name)}`);
    }
    checkTimeout(opts.timeoutMs, "newGroup", SymmetricMemoryError);
    const index = this.byIndex.length;
    const name = opts.name ?? `group${index}`;
    if (this.groups.has(name)) throw new SymmetricMemoryError(`newGroup: a group named "${name}" exists`);
    if (index >= MAX_GROUPS) {
      throw new SymmetricMemoryError(`newGroup: at most ${MAX_GROUPS} groups (including "world") are supported`);
    }
    const hash = sorted.reduce((h, r) => (Math.imul(h, 31) + r + 1) | 0, sorted.length);
    const { groupReg } = this.init.layout;
    Atomics.store(this.control, groupReg + this.rank * GROUP_REG_WORDS, index);
    Atomics.store(this.control, groupReg + this.rank * GROUP_REG_WORDS + 1, hash);
    await this.world.pads.internalBarrier(GROUP_CHANNEL, opts.timeoutMs);
    const seen = Array.from({ length: this.worldSize }, (_, r) => [
      Atomics.load(this.control, groupReg + r * GROUP_REG_WORDS),
      Atomics.load(this.control, groupReg + r * GROUP_REG_WORDS + 1),
    ]);
    await this.world.pads.internalBarrier(GROUP_CHANNEL, opts.timeoutMs);
    const bad = seen.findIndex(([i, h]) => i !== index || h !== hash);
    if (bad >= 0) {
      throw new SymmetricMemoryError(
        `newGroup: ranks disagree: rank ${this.rank} creates group #${index} of ranks [${sorted.join(", ")}], ` +
          `rank ${bad} creates group #${seen[bad][0]} with a different rank list; every rank must call ` +
          `newGroup with the same ranks in the same order`,
      );
    }
    return this.addGroup(name, sorted);
  }

  /** Every group this rank knows, by creation. @internal */
  knownGroups(): readonly Group[] {
    return this.byIndex;
  }

  /** Where `group`'s allocations stand now, to undo what a failed op allocates for it (`rollback`). @internal */
  checkpoint(group: Group): HeapCheckpoint {
    return { group, seq: this.seqs.get(group.name) ?? 0 };
  }

  /**
   * Frees every allocation made for the checkpoint's group since `cp` and sets the group's
   * allocation counter back, so a failed op leaves the heap as it found it (allocations it freed
   * stay freed). Other groups are untouched: their ops may be in flight at the same time. @internal
   */
  rollback(cp: HeapCheckpoint): void {
    const { group, seq } = cp;
    if ((this.seqs.get(group.name) ?? 0) === seq) return;
    for (const t of [...this.live.values()]) if (t.group === group && t.allocation.seq >= seq) this.free(t);
    this.seqs.set(group.name, seq);
  }

  /** One group's allocation counter and live allocation ids (sorted), compared across ranks by recovery. @internal */
  allocationState(group: Group): { allocSeq: number; live: string[] } {
    const live = [...this.live.values()].filter((t) => t.group === group).map((t) => t.allocation.id).sort();
    return { allocSeq: this.seqs.get(group.name) ?? 0, live };
  }

  private get slab(): SharedArrayBuffer {
    return this.init.slabs[this.rank];
  }

  private addGroup(name: string, ranks: number[]): Group {
    const { layout } = this.init;
    const myRank = ranks.indexOf(this.rank);
    const index = this.byIndex.length;
    const agreement = new Agreement({
      control: this.control, boards: ranks.map((wr) => boardOf(layout, index, wr)), myRank, ranks, groupName: name,
    });
    const pads = new SignalPad({
      control: this.control,
      base: layout.pads + this.padsUsed,
      size: ranks.length,
      channels: layout.channels,
      myRank,
      worldRank: this.rank,
      groupName: name,
      defaultTimeoutMs: this.init.timeoutMs,
      agreement,
    });
    const words = pads.words;
    this.padInfo.push({
      name, index: this.byIndex.length, ranks: [...ranks], padOffset: this.padsUsed, size: ranks.length,
      channels: layout.channels, internalChannels: INTERNAL_CHANNELS, words,
    });
    this.padsUsed += words;
    Atomics.store(this.control, PADS_USED, this.padsUsed);
    const g = new Group(name, index, ranks, this.rank, pads, agreement);
    this.groups.set(name, g);
    this.byIndex.push(g);
    return g;
  }
}
