import { heapBlockBytes } from "../heap/allocator.ts";
import type { Group } from "../heap/group.ts";
import type { SymmetricHeap } from "../heap/symmetric-heap.ts";
import type { SymmetricTensor } from "../heap/symmetric-tensor.ts";

export interface WorkspaceStats {
  /** Heap allocations made for workspaces (one per growth). */
  workspaceAllocations: number;
}

/**
 * A group's scratch region in the symmetric heap, where the dispatcher realizes arguments that
 * are not symmetric yet. Grow-only and reused across calls; re-rendezvoused when it grows, so
 * every rank of the group must grow it at the same call (they do: the same op with the same
 * shapes asks for the same size).
 */
export class Workspace {
  private tensor: SymmetricTensor<"uint8"> | undefined;

  constructor(
    private readonly heap: SymmetricHeap,
    readonly group: Group,
    private readonly stats: WorkspaceStats,
    /** What it is for: "realize", or `<op>/<purpose>` for a kernel's; its allocations are labelled `workspace: <purpose>`. */
    readonly purpose: string,
  ) {}

  /** The label its heap allocations carry in `symm.allocations()`. */
  get label(): string {
    return `workspace: ${this.purpose}`;
  }

  get bytes(): number {
    return this.tensor?.numel ?? 0;
  }

  /** Frees the region (the world's recovery drops every workspace on every rank alike). */
  drop(): void {
    if (this.tensor !== undefined && !this.tensor.isFreed) this.heap.free(this.tensor);
    this.tensor = undefined;
  }

  /** A workspace of at least `bytes` bytes, rendezvoused in the group. */
  async ensure(bytes: number): Promise<SymmetricTensor<"uint8">> {
    if (this.tensor?.isFreed === true) this.tensor = undefined; // undone by a failed op's rollback
    if (this.tensor !== undefined && this.tensor.numel >= bytes) return this.tensor;
    if (this.tensor !== undefined) this.heap.free(this.tensor);
    this.tensor = undefined;
    const size = heapBlockBytes(bytes);
    const t = this.heap.empty([size], "uint8", { group: this.group, label: this.label });
    this.stats.workspaceAllocations++;
    await this.heap.rendezvous(t);
    this.tensor = t;
    return t;
  }
}

/** Byte offsets of consecutive 256-aligned slots of the given sizes, and the total. */
export function layoutSlots(sizes: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const s of sizes) {
    offsets.push(total);
    total += heapBlockBytes(s);
  }
  return { offsets, total };
}
