import { SymmetricMemoryError } from "../core/errors.ts";
import { SlabAllocator } from "./allocator.ts";
import {
  type ControlLayout, EXCHANGE_WORDS, GROUP_REG_WORDS, INTERNAL_CHANNELS, MAX_GROUPS, PADS_USED,
} from "./control.ts";
import { checkShape, type DType, dtypeCode, dtypeFromCode, itemsize, normalizeDType, numelOf } from "../core/dtype.ts";
import { Group } from "./group.ts";
import { SymmetricMemoryHandle } from "./handle.ts";
import { SignalPad } from "./sync/signal-pad.ts";
import { SymmetricTensor } from "./symmetric-tensor.ts";

export interface HeapInit {
  readonly rank: number;
  readonly worldSize: number;
  readonly slabs: readonly SharedArrayBuffer[];
  readonly control: SharedArrayBuffer;
  readonly layout: ControlLayout;
  readonly timeoutMs: number;
}

/** A group, or its name ("world" or a subgroup's); unknown names are a SymmetricMemoryError. */
export type GroupRef = Group | string;

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
  private padsUsed = 0;

  constructor(private readonly init: HeapInit) {
    this.control = new Int32Array(init.control);
    this.allocator = new SlabAllocator(init.slabs[init.rank].byteLength);
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
    if (typeof ref !== "string") return ref;
    const g = this.groups.get(ref);
    if (g === undefined) {
      throw new SymmetricMemoryError(
        `unknown group "${ref}": known groups are ${[...this.groups.keys()].map((n) => `"${n}"`).join(", ")}`,
      );
    }
    return g;
  }

  /** Allocates a symmetric tensor for `group` (every member must make the same calls in order). */
  empty<D extends DType = "float32">(
    shape: readonly number[],
    dtype: D | string = "float32",
    opts: { group?: GroupRef } = {},
  ): SymmetricTensor<D> {
    checkShape(shape, "symm.empty");
    const dt = normalizeDType(dtype) as D;
    const group = this.group(opts.group);
    if (!group.isMember) {
      throw new SymmetricMemoryError(
        `symm.empty: rank ${this.rank} is not a member of group "${group.name}" (ranks ${group.ranks.join(", ")})`,
      );
    }
    const block = this.allocator.alloc(numelOf(shape) * itemsize(dt));
    const seq = this.seqs.get(group.name) ?? 0;
    this.seqs.set(group.name, seq + 1);
    return new SymmetricTensor(group, { id: `${group.name}#${seq}`, seq, ...block }, dt, [...shape], this.slab);
  }

  /** Returns the tensor's block to the heap; the tensor must not be used after. */
  free(tensor: SymmetricTensor): void {
    tensor.assertLive("symm.free");
    if (tensor.isView) {
      throw new SymmetricMemoryError(`symm.free: a view of ${tensor.allocation.id} was given; free the tensor it views`);
    }
    this.allocator.release(tensor.allocation.offset);
    tensor.markFreed();
  }

  /**
   * Collective over the group: exchanges every rank's (allocation id, offset, size, dtype, shape)
   * and fails on all ranks, naming both sides, if they disagree.
   */
  async rendezvous(view: SymmetricTensor, groupRef?: GroupRef): Promise<SymmetricMemoryHandle> {
    view.assertLive("rendezvous");
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
    const sorted = [...new Set(ranks)].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.length !== ranks.length ||
      sorted.some((r) => !Number.isInteger(r) || r < 0 || r >= this.worldSize)) {
      throw new RangeError(
        `newGroup: ranks must be distinct integers in [0, ${this.worldSize - 1}], found [${ranks.join(", ")}]`,
      );
    }
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

  private get slab(): SharedArrayBuffer {
    return this.init.slabs[this.rank];
  }

  private addGroup(name: string, ranks: number[]): Group {
    const { layout } = this.init;
    const myRank = ranks.indexOf(this.rank);
    const pads = new SignalPad({
      control: this.control,
      base: layout.pads + this.padsUsed,
      size: ranks.length,
      channels: layout.channels,
      myRank,
      worldRank: this.rank,
      groupName: name,
      defaultTimeoutMs: this.init.timeoutMs,
    });
    this.padsUsed += ranks.length * ranks.length * (layout.channels + INTERNAL_CHANNELS);
    Atomics.store(this.control, PADS_USED, this.padsUsed);
    const g = new Group(name, this.byIndex.length, ranks, this.rank, pads);
    this.groups.set(name, g);
    this.byIndex.push(g);
    return g;
  }
}
