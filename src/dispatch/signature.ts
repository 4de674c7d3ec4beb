/**
 * A collective call's signature for the agreement (heap/agreement.ts): the op, the kernel's
 * settings, and every argument as the schema types it — a tensor's dtype and shape (and, for a
 * registered symm-mem argument, which symmetric allocation, offset and 2-d row stride it is, or
 * that it will be realized), ints, bools, strings, floats, lists and None — as int32 words, each with a name
 * for the error. Two ranks whose signatures match make the same allocations, the same
 * synchronisations and read the same regions of each other; that is what agreement protects.
 */
import { backendOf } from "../backends/backend.ts";
import { dtypeCode, dtypeFromCode } from "../core/dtype.ts";
import type { Signature } from "../heap/agreement.ts";
import { SIGNATURE_WORDS } from "../heap/agreement.ts";
import type { Group } from "../heap/group.ts";
import { SymmetricTensor } from "../heap/symmetric-tensor.ts";
import type { BoundArgs } from "../library/bind.ts";
import type { Argument, OpSchema } from "../library/schema.ts";

/** FNV-1a over a string's UTF-16 code units, as an int32. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Strings hashed on this rank, so an error can show a peer's value when this rank knows it too. */
const known = new Map<number, string>();
const hashes = new Map<string, number>();
const remembered = (s: string): number => {
  let h = hashes.get(s);
  if (h !== undefined) return h;
  h = hashString(s);
  if (known.size < 4096) {
    known.set(h, s);
    hashes.set(s, h);
  }
  return h;
};

/** Word for "None" / "not given", and for a tensor argument that is not a symmetric tensor of the group. */
const NONE = -0x7fff_fff1;
const REALIZED = -1;

/** How one word is shown in an error. */
type Render = "int" | "dtype" | "str" | "float" | "bool" | "hash" | "place" | "op";

const settingsHashes = new WeakMap<object, number>();

/** Settings objects are frozen per `configure` call, so their hash is computed once. */
function settingsHash(settings: Readonly<Record<string, unknown>> | undefined): number {
  if (settings === undefined) return 0;
  const cached = settingsHashes.get(settings);
  if (cached !== undefined) return cached;
  const h = settingsText(settings);
  settingsHashes.set(settings, h);
  return h;
}

function settingsText(settings: Readonly<Record<string, unknown>>): number {
  let text: string;
  try {
    text = JSON.stringify(settings, Object.keys(settings).sort());
  } catch {
    text = String(Object.keys(settings).sort());
  }
  return remembered(text);
}

/**
 * Collects the words; names and renders only when `described` (an error is being written), so the
 * per-call cost stays at the words (bench/agreement-cost.ts).
 */
class Builder {
  readonly words: number[] = [];
  readonly names: string[] = [];
  readonly renders: Render[] = [];

  constructor(readonly described: boolean) {}

  /** Adds a word named `base + suffix (+ index)`; the name is only built when described. */
  add(base: string, suffix: string, value: number, render: Render, index?: number): void {
    this.words.push(value | 0);
    if (!this.described) return;
    this.names.push(index === undefined ? base + suffix : `${base}${suffix}${index}`);
    this.renders.push(render);
  }

  /** Keeps SIGNATURE_WORDS words: the tail folded into the last one. */
  fold(): void {
    if (this.words.length <= SIGNATURE_WORDS) return;
    const keep = SIGNATURE_WORDS - 1;
    let h = 0x811c9dc5;
    for (const w of this.words.slice(keep)) h = Math.imul(h ^ w, 0x01000193);
    const after = this.names[keep];
    this.words.length = keep;
    if (this.described) this.names.length = this.renders.length = keep;
    this.add(`the arguments from ${after} on`, "", h, "hash");
  }
}

function addNumber(b: Builder, name: string, v: number, int: boolean): void {
  if (int && Number.isInteger(v) && v >= -0x7fff_ffff && v <= 0x7fff_ffff && v !== NONE) b.add(name, "", v, "int");
  else b.add(name, "", remembered(String(v)), int ? "hash" : "float");
}

/**
 * How a tensor argument enters the signature: "plain" (dtype and shape), "symm" (a registered
 * argument peers read or write: also its allocation, offset and row stride) or "local" (a
 * registered argument only its own rank touches: also its allocation, so realization agrees).
 */
type Placement = "plain" | "symm" | "local";

/**
 * Registered arguments that only their own rank reads and writes, so where they lie in the
 * allocation is each rank's business: the tile ops' out_tile, written by its root alone.
 * PyTorch's test_multi_root_tile_reduce gives every rank's out_tile a different place.
 */
const RANK_LOCAL_ARGS: Readonly<Record<string, readonly string[]>> = {
  "symm_mem::tile_reduce": ["out_tile"],
  "symm_mem::multi_root_tile_reduce": ["out_tile"],
};

function addTensor(b: Builder, name: string, t: unknown, group: Group, placement: Placement): void {
  const tensor = t as { dtype: string; shape: readonly number[] };
  b.add(name, "'s dtype", dtypeCode(tensor.dtype as never), "dtype");
  const shape = tensor.shape;
  b.add(name, "'s number of dims", shape.length, "int");
  for (let i = 0; i < shape.length; i++) b.add(name, "'s size ", shape[i], "int", i);
  if (placement === "plain") return;
  // Where a registered argument lives decides what peers read: the same allocation, offset and
  // (for a 2-d tile) row stride on every rank, or realized (copied into the dispatcher's
  // workspace) on every rank.
  if (t instanceof SymmetricTensor && t.group === group) {
    b.add(name, "'s symmetric allocation", t.allocation.seq, "place");
    if (placement === "local") return;
    b.add(name, "'s byte offset in its allocation", t.viewOffset, "int");
    if (shape.length === 2) b.add(name, "'s row stride (elements)", t.strides[0], "int");
  } else {
    b.add(name, "'s symmetric allocation", REALIZED, "place");
  }
}

function addValue(b: Builder, a: Argument, value: unknown, group: Group, symm: Placement): void {
  const name = a.name;
  if (value === null || value === undefined) {
    b.add(name, "", NONE, "int");
    return;
  }
  if (a.type.list) {
    const list = value as readonly unknown[];
    b.add(name, "'s length", list.length, "int");
    for (let i = 0; i < list.length; i++) addScalar(b, b.described ? `${name}[${i}]` : name, a, list[i], group, symm);
    return;
  }
  addScalar(b, name, a, value, group, symm);
}

function addScalar(b: Builder, name: string, a: Argument, v: unknown, group: Group, symm: Placement): void {
  if (v === null || v === undefined) return b.add(name, "", NONE, "int");
  if (a.type.kind === "Tensor" || v instanceof SymmetricTensor || (typeof v === "object" && backendOf(v) !== undefined)) {
    return addTensor(b, name, v, group, symm);
  }
  if (typeof v === "boolean") return b.add(name, "", v ? 1 : 0, "bool");
  if (typeof v === "number") return addNumber(b, name, v, a.type.kind === "int");
  if (typeof v === "string") return b.add(name, "", remembered(v), "str");
  b.add(name, "", remembered(String(v)), "hash");
}

/**
 * The signature of calling `schema` with `args` on `group` (the group itself is where the board
 * lies, so it is not a word); `symmArgs` are the op's registered symm-mem arguments.
 */
export function callSignature(
  schema: OpSchema, args: BoundArgs, group: Group, symmArgs: readonly string[] | undefined,
  settings: Readonly<Record<string, unknown>> | undefined,
): Signature {
  return new CallSignature(schema, args, group, symmArgs, settings);
}

/** A class rather than closures: built on every collective call (bench/agreement-cost.ts). */
class CallSignature implements Signature {
  readonly op: string;
  readonly words: readonly number[];
  private described: Builder | undefined;

  constructor(
    private readonly schema: OpSchema,
    private readonly args: BoundArgs,
    private readonly group: Group,
    private readonly symmArgs: readonly string[] | undefined,
    private readonly settings: Readonly<Record<string, unknown>> | undefined,
  ) {
    this.op = schema.qualifiedName;
    this.words = this.build(false).words;
  }

  name(i: number): string {
    return this.describe().names[i] ?? `word ${i}`;
  }

  render(i: number, value: number): string {
    return renderWord(this.describe().renders[i] ?? "int", value);
  }

  private describe(): Builder {
    return (this.described ??= this.build(true));
  }

  private build(described: boolean): Builder {
    const b = new Builder(described);
    b.add("op", "", remembered(this.op), "op");
    b.add("settings (rank.configure)", "", settingsHash(this.settings), "hash");
    const symmArgs = this.symmArgs;
    const local = RANK_LOCAL_ARGS[this.op];
    for (const a of this.schema.args) {
      if (a.name === "group_name") continue;
      const placement: Placement = symmArgs === undefined || !symmArgs.includes(a.name)
        ? "plain"
        : local !== undefined && local.includes(a.name) ? "local" : "symm";
      addValue(b, a, this.args[a.name], this.group, placement);
    }
    b.fold();
    return b;
  }
}

function renderWord(r: Render, v: number): string {
  if (v === NONE) return "None";
  switch (r) {
    case "dtype":
      return dtypeFromCode(v) ?? `dtype code ${v}`;
    case "str": {
      const s = known.get(v);
      return s === undefined ? `another value (hash ${(v >>> 0).toString(16)})` : JSON.stringify(s);
    }
    case "float": {
      const s = known.get(v);
      return s ?? `another value (hash ${(v >>> 0).toString(16)})`;
    }
    case "op":
      return known.get(v) ?? `another op (hash ${(v >>> 0).toString(16)})`;
    case "bool":
      return v === 0 ? "false" : "true";
    case "place":
      return v === REALIZED ? "none (a tensor the dispatcher copies into the heap)" : `allocation #${v}`;
    case "hash": {
      if (v === 0) return "none";
      const s = known.get(v);
      return s === undefined ? `another value (hash ${(v >>> 0).toString(16)})` : (s.length > 80 ? `${s.slice(0, 77)}...` : s);
    }
    default:
      return String(v);
  }
}
