/**
 * The Op runner: every op of the library (the symm_mem set as src/ops/symm_mem/definitions.ts
 * lists it, webshmem::host_all_reduce_, the high-level rank.allReduce) and one op this demo
 * defines itself through the public Library API (demo/op/downstream-op.ts), run on every rank
 * with the chosen dtype, reduce op, element count, root and algorithm. Per rank it shows the
 * input and the output (first and last elements), the realizations and copy-backs the dispatcher
 * made for the call (rank.stats before and after), and a check against the page's own
 * computation from the same deterministic inputs (demo/op/catalog.ts), bit for bit where the
 * library promises bit-exact results. The all-to-alls and tile reductions take their own sizes
 * (demo/panels/op-exchange-fields.ts) and get a picture of where every row or tile went
 * (demo/op/picture.ts).
 */
import "./op.css";
import {
  RankError, SYMM_MEM_KERNELS, SYMM_MEM_NAMESPACE, SYMM_MEM_OPS, WEBSHMEM_NAMESPACE, WEBSHMEM_OPS, parseSchema, type World,
} from "../../src/index.ts";
import { el } from "../dom.ts";
import type { DemoSession, MountPanel } from "../session.ts";
import type { OpRunResult, OpStats } from "../ranks/op-ranks.ts";
import { ALGOS, allInputs, OP_CASES, opCase, REDUCE_OP_NAMES, type AlgoChoice, type OpCase, type OpRunSpec } from "../op/catalog.ts";
import { displayValue, type StoredArray } from "../op/data.ts";
import { DOWNSTREAM_OP, DOWNSTREAM_REGISTRATION, DOWNSTREAM_SCHEMA } from "../op/downstream-schema.ts";
import type { ElementDType, ReduceOpName } from "../op/numeric.ts";
import { opPicture } from "../op/picture.ts";
import { tileOf } from "../op/tile-case.ts";
import { TOLERANCE, verify, type Verification } from "../op/verify.ts";
import { exchangeFields } from "./op-exchange-fields.ts";

const LABEL = "op runner";
const MAX_COUNT = 1 << 22;
const SEED = 0x5eed;
/** Elements shown at each end of an input or output. */
const SHOWN = 4;

interface Choice {
  readonly value: string;
  readonly text: string;
  /** Why the option cannot be run, when it cannot. */
  readonly disabled?: string;
  readonly schema: string;
}

/** The op select's entries, in groups: driven by the library's own tables, so a new op shows up (disabled until it has a case). */
function opChoices(): { group: string; choices: Choice[] }[] {
  const symm: Choice[] = [];
  for (const def of SYMM_MEM_OPS) {
    const name = parseSchema(def.schema).name;
    const op = `${SYMM_MEM_NAMESPACE}::${name}`;
    const cases = OP_CASES.filter((c) => c.op === op);
    if (cases.length === 0) {
      const why = SYMM_MEM_KERNELS[name] === undefined ? "no kernel in the library yet" : "not in the op runner yet";
      symm.push({ value: op, text: `${op} (${why})`, disabled: why, schema: def.schema });
    }
    for (const c of cases) symm.push({ value: c.id, text: c.variant ? `${op} (${c.variant})` : op, schema: def.schema });
  }
  const webshmem = Object.entries(WEBSHMEM_OPS).map(([name, def]) => {
    const op = `${WEBSHMEM_NAMESPACE}::${name}`;
    const has = OP_CASES.some((c) => c.id === op);
    return { value: op, text: has ? op : `${op} (not in the op runner yet)`, disabled: has ? undefined : "not in the op runner yet", schema: def.schema };
  });
  return [
    { group: "symm_mem (PyTorch's schemas)", choices: symm },
    { group: "webshmem", choices: webshmem },
    {
      group: "high-level API",
      choices: [{ value: "rank.allReduce", text: "rank.allReduce (algorithm from the tuning table, or chosen)", schema: "rank.allReduce(t, { op, algo, group })" }],
    },
    {
      group: "defined by this demo (public Library API)",
      choices: [{ value: DOWNSTREAM_OP, text: `${DOWNSTREAM_OP} (downstream op)`, schema: DOWNSTREAM_SCHEMA }],
    },
  ];
}

/** An element for reading: 6 significant digits, or (`exact`) every digit, with the bits of a float16/bfloat16. */
function fmt(dtype: ElementDType, raw: number, exact = false): string {
  if (dtype === "uint32") return `0x${raw.toString(16)}`;
  if (dtype === "int32") return String(raw);
  const v = displayValue(dtype, raw);
  if (exact) return dtype === "float32" ? String(v) : `${v} (0x${raw.toString(16).padStart(4, "0")})`;
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** "[a, b, c, d, …, w, x, y, z] (n elements)". */
export function ends(dtype: ElementDType, xs: ArrayLike<number>): string {
  const n = xs.length;
  const pick = (i: number) => fmt(dtype, xs[i]);
  if (n <= 2 * SHOWN) return `[${Array.from({ length: n }, (_, i) => pick(i)).join(", ")}]`;
  const head = Array.from({ length: SHOWN }, (_, i) => pick(i));
  const tail = Array.from({ length: SHOWN }, (_, i) => pick(n - SHOWN + i));
  return `[${head.join(", ")}, …, ${tail.join(", ")}]`;
}

function statsLine(before: OpStats, after: OpStats): { text: string; realizations: number; copyBacks: number } {
  const realizations = after.realizations - before.realizations;
  const copyBacks = after.copyBacks - before.copyBacks;
  const ws = after.workspaceAllocations - before.workspaceAllocations;
  return {
    realizations,
    copyBacks,
    text: `${realizations} realization${realizations === 1 ? "" : "s"} (${before.realizations} → ${after.realizations}), ` +
      `${copyBacks} copy-back${copyBacks === 1 ? "" : "s"} (${before.copyBacks} → ${after.copyBacks})` +
      (ws > 0 ? `, ${ws} new workspace allocation${ws === 1 ? "" : "s"}` : ""),
  };
}

/** Why float16 cannot be offered for this op on this world, or undefined when it can. */
function f16Problem(world: World | undefined, c: OpCase, spec: OpRunSpec): string | undefined {
  if (world === undefined || world.backend !== "webgpu" || !c.wgsl(spec)) return undefined;
  const lacking = world.adapters.map((a, r) => ({ a, r })).filter(({ a }) => !a.features.includes("shader-f16"));
  if (lacking.length === 0) return undefined;
  const who = lacking.length === world.adapters.length ? "the ranks' WebGPU devices lack" : `rank${lacking.length > 1 ? "s" : ""} ${lacking.map((l) => l.r).join(", ")} lack${lacking.length > 1 ? "" : "s"}`;
  return `float16 is not offered for this op: its reduction runs in WGSL, which needs the WebGPU feature "shader-f16", and ${who} it ` +
    `(SwiftShader, Chromium's software WebGPU, has none). The cpu backend (Launch panel) reduces float16 on the host, and the ` +
    `copies (all-gather, broadcast, get_remote_tensors) and webshmem::host_all_reduce_ need no shader.`;
}

/** Whether `spec` is checked within a tolerance, and why (undefined: bit-exact). */
function toleranceReason(world: World, c: OpCase, spec: OpRunSpec): string | undefined {
  if (world.backend !== "webgpu" || !c.wgsl(spec)) return undefined;
  if (spec.reduceOp === "avg" && c.reduce && spec.dtype !== "int32") {
    return "avg on webgpu divides in WGSL, where f32 division may be up to 2.5 ulp off (only + and × are correctly rounded)";
  }
  if (spec.dtype === "float16") return "WGSL may round f32 → f16 either way";
  return undefined;
}

function modeText(world: World, c: OpCase, spec: OpRunSpec): string {
  const reason = toleranceReason(world, c, spec);
  if (reason !== undefined) {
    return `Checked within ${TOLERANCE[spec.dtype] === 0 ? "0" : `2^${Math.log2(TOLERANCE[spec.dtype])}`} relative: ${reason}.`;
  }
  if (c.reduce || c.id.startsWith("symm_mem::reduce_scatter_out") || c.op === DOWNSTREAM_OP) {
    return "Checked bit for bit: the library promises every rank the same bits, accumulated in rank order " +
      "(float32 steps; float16/bfloat16 widened to float32 and rounded once), which the page recomputes with its own arithmetic.";
  }
  return "Checked bit for bit: nothing is computed, only bytes move.";
}

export const mountOpPanel: MountPanel = (root: HTMLElement, session: DemoSession) => {
  const groups = opChoices();
  const choices = groups.flatMap((g) => g.choices);
  const opSelect = el("select", { id: "op-select" },
    ...groups.map((g) => el("optgroup", { label: g.group },
      ...g.choices.map((c) => el("option", { value: c.value, disabled: c.disabled !== undefined, title: c.disabled ?? c.schema }, c.text)))));
  const dtypeSelect = el("select", { id: "op-dtype" });
  const reduceSelect = el("select", { id: "op-reduce" }, ...REDUCE_OP_NAMES.map((r) => el("option", { value: r }, r)));
  const countInput = el("input", { id: "op-count", type: "number", min: "1", max: String(MAX_COUNT), value: "1000", step: "1" });
  const rootInput = el("input", { id: "op-root", type: "number", min: "0", value: "0", step: "1" });
  const algoSelect = el("select", { id: "op-algo" }, ...ALGOS.map((a) => el("option", { value: a }, a)));
  const runButton = el("button", { id: "op-run", type: "submit" }, "run on every rank");
  const label = (text: string, control: HTMLElement, id: string) => el("label", { id }, text, " ", control);
  const reduceLabel = label("reduce op", reduceSelect, "op-reduce-field");
  const rootLabel = label("root", rootInput, "op-root-field");
  const algoLabel = label("algorithm", algoSelect, "op-algo-field");
  const countLabel = label("elements", countInput, "op-count-field");
  // The all-to-alls' rows, splits and experts, the tiles' matrix, place and roots.
  const fields = exchangeFields();
  const form = el("form", { className: "op-controls", noValidate: true },
    label("op", opSelect, "op-op-field"), label("dtype", dtypeSelect, "op-dtype-field"), reduceLabel,
    countLabel, rootLabel, algoLabel, ...fields.labels, runButton);
  const schema = el("pre", { id: "op-schema", className: "op-schema" });
  const about = el("p", { id: "op-about", className: "op-about" });
  const registration = el("pre", { id: "op-registration", className: "op-schema", hidden: true });
  const note = el("p", { id: "op-note", className: "op-note", hidden: true });
  const availability = el("p", { id: "op-availability", className: "op-note", hidden: true });
  const status = el("p", { id: "op-status", className: "op-status", role: "status" }, "launch the ranks first (Launch panel)");
  const call = el("p", { id: "op-call", className: "op-call", hidden: true });
  const mode = el("p", { id: "op-mode", className: "op-about", hidden: true });
  const picture = el("div", { id: "op-picture", hidden: true });
  const tbody = el("tbody");
  const table = el("table", { id: "op-results", className: "op-results", hidden: true },
    el("thead", {}, el("tr", {}, ...["rank", "input", "output", "dispatcher (this call)", "verification"].map((h) => el("th", {}, h)))),
    tbody);
  root.append(
    el("p", { className: "op-about" }, "Runs one op on every rank with the same arguments, each rank on its own deterministic input, " +
      "and checks every rank's result against the page's own computation."),
    form, schema, about, registration, note, availability, status, call, mode, picture, table);

  let running = false;
  let runs = 0;
  /** Marks a finished run (verified, failed, or refused by the form's checks) for whoever waits on the page. */
  const finished = () => (status.dataset.runs = String(++runs));

  const spec = (): OpRunSpec => ({
    id: opSelect.value,
    dtype: dtypeSelect.value as ElementDType,
    reduceOp: reduceSelect.value as ReduceOpName,
    count: Number(countInput.value),
    root: Number(rootInput.value),
    algo: algoSelect.value as AlgoChoice,
    seed: SEED,
    ...fields.read(),
  });

  /** Fills the dtype select with what the op takes, float16 disabled (and said why) where the device cannot. */
  const refreshOp = () => {
    const c = opCase(opSelect.value);
    const choice = choices.find((x) => x.value === c.id)!;
    schema.textContent = choice.schema.includes("::") || choice.schema.startsWith("rank.") ? choice.schema : `${c.op.split("::")[0]}::${choice.schema}`;
    about.textContent = c.about;
    registration.hidden = c.op !== DOWNSTREAM_OP;
    registration.textContent = `// demo/op/downstream-op.ts, loaded by every rank worker\n${DOWNSTREAM_REGISTRATION}`;
    reduceLabel.hidden = !c.reduce;
    rootLabel.hidden = !c.root;
    algoLabel.hidden = !c.algo;
    fields.show(c, countLabel);
    const world = session.world;
    rootInput.max = String((world?.worldSize ?? 16) - 1);
    const previous = dtypeSelect.value;
    const problem = f16Problem(world, c, spec());
    dtypeSelect.replaceChildren(...c.dtypes.map((d) => el("option", {
      value: d, disabled: d === "float16" && problem !== undefined,
    }, d === "float16" && problem !== undefined ? "float16 (needs shader-f16)" : d)));
    const usable = c.dtypes.filter((d) => !(d === "float16" && problem !== undefined));
    dtypeSelect.value = usable.includes(previous as ElementDType) ? previous : usable[0];
    note.hidden = problem === undefined || !c.dtypes.includes("float16");
    note.textContent = problem ?? "";
  };

  const refreshEnabled = () => {
    const world = session.world;
    const other = session.holder !== undefined && session.holder !== LABEL ? session.holder : undefined;
    runButton.disabled = running || world === undefined || other !== undefined;
    for (const c of [opSelect, dtypeSelect, reduceSelect, countInput, rootInput, algoSelect, ...fields.controls]) c.disabled = running;
    availability.hidden = !(world === undefined || other !== undefined) || running;
    availability.textContent = world === undefined
      ? "No ranks are running: launch them in the Launch panel first."
      : other !== undefined ? `Waiting: the ${other} holds the ranks; the op runner can run when it is done.` : "";
  };

  /** The form's own checks, naming the field. */
  const check = (s: OpRunSpec, world: World): string | undefined => {
    const c = opCase(s.id);
    if (!countLabel.hidden && (!Number.isInteger(s.count) || s.count < 1 || s.count > MAX_COUNT)) {
      return `elements: expected a whole number from 1 to ${MAX_COUNT.toLocaleString("en")}, found ${JSON.stringify(countInput.value)}`;
    }
    if (c.root && (!Number.isInteger(s.root) || s.root < 0 || s.root >= world.worldSize)) {
      return `root: expected a rank from 0 to ${world.worldSize - 1}, found ${JSON.stringify(rootInput.value)}`;
    }
    if (!c.dtypes.includes(s.dtype)) return `dtype: ${c.op} does not take ${s.dtype}`;
    return fields.check(c, s, world.worldSize, MAX_COUNT);
  };

  const showError = (text: string) => {
    status.className = "op-status op-error";
    status.textContent = text;
    finished();
  };

  const run = async () => {
    const world = session.world;
    if (world === undefined) return showError("No ranks are running: launch them in the Launch panel first.");
    const s = spec();
    const bad = check(s, world);
    if (bad !== undefined) return showError(bad);
    const c = opCase(s.id);
    running = true;
    refreshEnabled();
    status.className = "op-status";
    status.textContent = `running ${c.op} on ${world.worldSize} ranks…`;
    table.hidden = true;
    call.hidden = true;
    mode.hidden = true;
    picture.hidden = true;
    try {
      const { results, w } = await session.exclusive(LABEL, async () => {
        const w = session.requireWorld();
        return { results: await w.run<OpRunResult>("opRun", s), w };
      });
      show(w, c, s, results);
    } catch (e) {
      status.className = "op-status op-error";
      status.replaceChildren(...describeError(e));
    } finally {
      running = false;
      refreshEnabled();
      finished();
    }
  };

  const show = (world: World, c: OpCase, s: OpRunSpec, results: OpRunResult[]) => {
    const inputs = allInputs(s, world.worldSize);
    const tolerant = toleranceReason(world, c, s) !== undefined;
    let verified = 0;
    const wrong: (readonly number[])[] = [];
    // The plan's input and output are int32 splits and offsets, whatever the dtype field says.
    const outDType: ElementDType = c.a2a === "plan" ? "int32" : s.dtype;
    tbody.replaceChildren(...results.map((r) => {
      const want = c.expected(s, world.worldSize, r.rank, inputs);
      const v = verify(outDType, want, r.output, tolerant);
      const wantAux = c.expectedAux?.(s, world.worldSize, r.rank);
      const va = wantAux === undefined ? undefined : verify("int32", wantAux, r.aux?.values ?? new Int32Array(0), false);
      const ok = v.ok && (va?.ok ?? true);
      if (ok) verified++;
      wrong[r.rank] = v.wrongAt;
      const st = statsLine(r.statsBefore, r.statsAfter);
      const tr = el("tr", { className: ok ? "op-ok" : "op-bad" },
        el("td", {}, String(r.rank)),
        el("td", { className: "op-values" }, `${outDType}[${r.inputShape.join(", ")}] `, el("code", {}, ends(outDType, r.input)), ...intLine(r.splits)),
        el("td", { className: "op-values" }, `${outDType}[${r.outputShape.join(", ")}] `, el("code", {}, ends(outDType, r.output)),
          ...intLine(r.aux), ...outTileLine(c, s, r.output)),
        el("td", { className: "op-stats" }, st.text),
        el("td", { className: ok ? "op-verified" : "op-wrong" }, verdict(outDType, v, va, r.aux?.name)));
      tr.dataset.rank = String(r.rank);
      tr.dataset.verified = String(ok);
      tr.dataset.realizations = String(st.realizations);
      tr.dataset.copyBacks = String(st.copyBacks);
      return tr;
    }));
    table.hidden = false;
    call.hidden = false;
    call.replaceChildren("rank 0 called ", el("code", {}, results[0]?.call ?? ""));
    mode.hidden = false;
    mode.textContent = modeText(world, c, s);
    const drawn = opPicture(c, s, world.worldSize, wrong);
    picture.hidden = drawn === undefined;
    picture.replaceChildren(...(drawn ? [drawn] : []));
    const all = verified === results.length;
    status.className = all ? "op-status op-good" : "op-status op-error";
    status.textContent = all
      ? `verified: all ${results.length} ranks match the page's computation (${tolerant ? "within tolerance" : "bit-exact"})`
      : `NOT verified: ${results.length - verified} of ${results.length} ranks differ from the page's computation`;
  };

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run();
  });
  opSelect.addEventListener("change", refreshOp);
  algoSelect.addEventListener("change", refreshOp);
  session.onWorld(() => {
    if (session.world !== undefined) fields.fitWorld(session.world.worldSize);
    refreshOp();
    refreshEnabled();
    if (!running) {
      const world = session.world;
      // Results of an earlier world would be misread as this one's.
      table.hidden = true;
      call.hidden = true;
      mode.hidden = true;
      picture.hidden = true;
      status.className = "op-status";
      status.textContent = world === undefined ? "launch the ranks first (Launch panel)" : `ready: ${world.worldSize} ranks on ${world.backend}`;
    }
  });
  session.addEventListener("busy", refreshEnabled);
};

/** An int32 side tensor of the call (splits, out_splits_offsets, a plan) on a line of its own. */
function intLine(a: OpRunResult["aux"]): (Node | string)[] {
  return a === undefined ? [] : [el("br"), `${a.name}: int32[${a.shape.join(", ")}] `, el("code", {}, ends("int32", a.values))];
}

/** A tile op's out_tile, cut from the out matrix (its ends are mostly the zeros around the tile). */
function outTileLine(c: OpCase, s: OpRunSpec, output: StoredArray): (Node | string)[] {
  if (c.tile === undefined) return [];
  const t = s.tile;
  return [el("br"), `out_tile at (${t.row}, ${t.col}): ${s.dtype}[${t.rows}, ${t.cols}] `, el("code", {}, ends(s.dtype, tileOf(s.dtype, t, t.row, t.col, output)))];
}

function verdict(dtype: ElementDType, v: Verification, aux?: Verification, auxName = ""): string {
  if (v.ok && aux !== undefined && !aux.ok) return `NOT verified: ${auxName}: ${verdict("int32", aux).replace(/^NOT verified: /, "")}`;
  if (v.ok) {
    return v.mode === "bit-exact" ? "verified (bit-exact)" : `verified (within tolerance${v.alsoExact ? "; bit-exact here too" : ""})`;
  }
  if (v.lengthProblem !== undefined) return `NOT verified: ${v.lengthProblem}`;
  const f = v.first!;
  return `NOT verified: ${v.wrong} wrong, first at [${f.index}]: got ${fmt(dtype, f.got, true)}, expected ${fmt(dtype, f.want, true)}`;
}

/** A typed error as the page shows it: its class, the rank, the rank's error class, the message. */
function describeError(e: unknown): (Node | string)[] {
  if (e instanceof RankError) {
    return [el("strong", {}, `RankError: rank ${e.rank} failed with ${e.rankErrorName}`), el("br"), e.message];
  }
  const err = e as { name?: string; message?: string };
  return [el("strong", {}, err?.name ?? "Error"), ": ", err?.message ?? String(e)];
}
