#!/usr/bin/env node
// Renders the WebAssembly SIMD reduction kernels (WAT text, from the templates below), assembles
// them with wabt (a dev dependency: the runtime needs no assembler) and writes
//   src/core/wasm/reduce.generated.wat   the text, for reading and review
//   src/core/wasm/reduce.generated.ts    the binary as base64, imported by src/core/wasm/reduce-wasm.ts
//   src/core/wasm/direct.generated.wat   the direct kernels for 2 sources (templates: wasm-direct.mjs), for reading
//   src/core/wasm/direct.generated.ts    the direct kernels for 1..16 sources, gzip + base64 (~26 KB
//                                        instead of ~260 KB raw: the sources are unrolled), and a probe
// scripts/check-generated.mjs fails when any is stale (the gzip payload is compared decompressed,
// so another zlib's bytes do not count as stale).
// Usage: node scripts/gen-wasm.mjs [root]   (root defaults to the repository)
//
// Every kernel has the signature (dst, src, stride, nsrc, bytes), all byte addresses in the
// instance's own memory: `nsrc` sources lie `stride` bytes apart from `src`; `bytes` (a multiple
// of the kernel's block) of each are reduced, source 0 first, one lane at a time in source order,
// into `dst` (which may be `src`). f32 rounds at every step (f32x4 arithmetic is IEEE binary32),
// i32 wraps, bf16 widens exactly to f32 and rounds back once (to nearest even, NaN stays quiet):
// the same arithmetic as src/core/reduce-math.ts.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { bundle, DIRECT_MAX_SOURCES, narrow, PROBE_WAT, renderDirectWat, widen } from "./wasm-direct.mjs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const WAT_PATH = "src/core/wasm/reduce.generated.wat";
export const MODULE_PATH = "src/core/wasm/reduce.generated.ts";
export const DIRECT_WAT_PATH = "src/core/wasm/direct.generated.wat";
export const DIRECT_MODULE_PATH = "src/core/wasm/direct.generated.ts";

const F32_OPS = { sum: "f32x4.add", avg: "f32x4.add", prod: "f32x4.mul", max: "f32x4.max", min: "f32x4.min" };
const I32_OPS = { sum: "i32x4.add", prod: "i32x4.mul", max: "i32x4.max_s", min: "i32x4.min_s" };

const ACC = [0, 1, 2, 3];

/** 32-bit lanes (f32, i32): blocks of 64 bytes = 4 vectors accumulated in locals. */
function wideKernel(name, instr, avg) {
  const loads = (ptr) => ACC.map((i) => `        (local.set $a${i} (${instr} (local.get $a${i}) (v128.load offset=${16 * i} (local.get ${ptr}))))`);
  return `  (func (export "${name}") (param $dst i32) (param $src i32) (param $stride i32) (param $nsrc i32) (param $bytes i32)
    (local $off i32) (local $p i32) (local $k i32) ${ACC.map((i) => `(local $a${i} v128)`).join(" ")}${avg ? " (local $div v128)" : ""}
${avg ? "    (local.set $div (f32x4.splat (f32.convert_i32_u (local.get $nsrc))))\n" : ""}    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $off) (local.get $bytes)))
        (local.set $p (i32.add (local.get $src) (local.get $off)))
${ACC.map((i) => `        (local.set $a${i} (v128.load offset=${16 * i} (local.get $p)))`).join("\n")}
        (local.set $k (i32.const 1))
        (block $last
          (loop $sources
            (br_if $last (i32.ge_u (local.get $k) (local.get $nsrc)))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
${loads("$p").map((l) => `    ${l}`).join("\n")}
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $sources)))
${avg ? ACC.map((i) => `        (local.set $a${i} (f32x4.div (local.get $a${i}) (local.get $div)))`).join("\n") + "\n" : ""}        (local.set $p (i32.add (local.get $dst) (local.get $off)))
${ACC.map((i) => `        (v128.store offset=${16 * i} (local.get $p) (local.get $a${i}))`).join("\n")}
        (local.set $off (i32.add (local.get $off) (i32.const 64)))
        (br $blocks))))`;
}


/**
 * bf16: blocks of 32 bytes (16 elements) per source, accumulated as 4 f32x4 (exact widening),
 * narrowed back to bf16 at the end: round to nearest even, NaN → (bits >> 16) | 0x40.
 */
function bf16Kernel(name, instr, avg) {
  const widened = (ptr) => [
    ["low", 0], ["high", 0], ["low", 16], ["high", 16],
  ].map(([half, off]) => widen(half, `(v128.load offset=${off} (local.get ${ptr}))`));
  const n = (i) => narrow(`$a${i}`);
  return `  (func (export "${name}") (param $dst i32) (param $src i32) (param $stride i32) (param $nsrc i32) (param $bytes i32)
    (local $off i32) (local $p i32) (local $k i32) ${ACC.map((i) => `(local $a${i} v128)`).join(" ")}${avg ? " (local $div v128)" : ""}
${avg ? "    (local.set $div (f32x4.splat (f32.convert_i32_u (local.get $nsrc))))\n" : ""}    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $off) (local.get $bytes)))
        (local.set $p (i32.add (local.get $src) (local.get $off)))
${widened("$p").map((w, i) => `        (local.set $a${i} ${w})`).join("\n")}
        (local.set $k (i32.const 1))
        (block $last
          (loop $sources
            (br_if $last (i32.ge_u (local.get $k) (local.get $nsrc)))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
${widened("$p").map((w, i) => `            (local.set $a${i} (${instr} (local.get $a${i}) ${w}))`).join("\n")}
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $sources)))
${avg ? ACC.map((i) => `        (local.set $a${i} (f32x4.div (local.get $a${i}) (local.get $div)))`).join("\n") + "\n" : ""}        (local.set $p (i32.add (local.get $dst) (local.get $off)))
        (v128.store offset=0 (local.get $p) (i16x8.narrow_i32x4_u
          ${n(0)}
          ${n(1)}))
        (v128.store offset=16 (local.get $p) (i16x8.narrow_i32x4_u
          ${n(2)}
          ${n(3)}))
        (local.set $off (i32.add (local.get $off) (i32.const 32)))
        (br $blocks))))`;
}

// `narrow` (f32 lanes → bf16 bits, in the low half of each i32 lane) is shared with the direct kernels: wasm-direct.mjs.

/** The kernels' export names, as reduce-wasm.ts looks them up: `${dtype}_${op}`. */
export function kernelNames() {
  return [
    ...Object.keys(F32_OPS).map((op) => `f32_${op}`),
    ...Object.keys(I32_OPS).map((op) => `i32_${op}`),
    ...Object.keys(F32_OPS).map((op) => `bf16_${op}`),
  ];
}

export function renderWat() {
  const funcs = [
    ...Object.entries(F32_OPS).map(([op, instr]) => wideKernel(`f32_${op}`, instr, op === "avg")),
    ...Object.entries(I32_OPS).map(([op, instr]) => wideKernel(`i32_${op}`, instr, false)),
    ...Object.entries(F32_OPS).map(([op, instr]) => bf16Kernel(`bf16_${op}`, instr, op === "avg")),
  ];
  return [
    ";; Generated by scripts/gen-wasm.mjs: do not edit. WebAssembly SIMD reduction kernels.",
    ";; (func NAME (dst src stride nsrc bytes)): dst[i] = src0[i] op src1[i] op ... in source order.",
    "(module",
    "  (memory (export \"memory\") 1)",
    ...funcs,
    ")",
    "",
  ].join("\n");
}

/** Assembles the WAT with wabt (loaded lazily: only generation and the staleness check need it). */
export async function assemble(wat, features = { simd: true }) {
  const { default: wabtInit } = await import("wabt");
  const wabt = await wabtInit();
  const mod = wabt.parseWat("reduce.generated.wat", wat, features);
  try {
    mod.validate(features);
    return mod.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    mod.destroy();
  }
}

export function renderModule(binary) {
  const b64 = Buffer.from(binary).toString("base64");
  const lines = [
    "// Generated by scripts/gen-wasm.mjs from its WAT templates (text: src/core/wasm/reduce.generated.wat): do not edit.",
    "// Regenerate with node scripts/gen-wasm.mjs.",
    "",
    `/** The SIMD reduction kernels, ${binary.length} bytes of WebAssembly, base64. */`,
    `export const REDUCE_WASM_BASE64 =\n${b64.match(/.{1,100}/g).map((l) => `  "${l}"`).join(" +\n")};`,
    "",
    `export const REDUCE_WASM_KERNELS = ${JSON.stringify(kernelNames())} as const;`,
  ];
  return `${lines.join("\n")}\n`;
}

const DIRECT_FEATURES = { simd: true, multi_memory: true, threads: true };

const base64Lines = (bytes) => Buffer.from(bytes).toString("base64").match(/.{1,100}/g).map((l) => `  "${l}"`).join(" +\n");

/** The direct kernels' modules for 1..DIRECT_MAX_SOURCES sources, bundled (wasm-direct.mjs). */
async function directBundle() {
  const binaries = [];
  for (let n = 1; n <= DIRECT_MAX_SOURCES; n++) binaries.push(await assemble(renderDirectWat(n), DIRECT_FEATURES));
  return bundle(binaries);
}

const GZIP_MARK = "export const DIRECT_WASM_GZIP_BASE64 =";

export function renderDirectModule(bundled, probe) {
  const lines = [
    "// Generated by scripts/gen-wasm.mjs from the templates in scripts/wasm-direct.mjs (text for 2 sources:",
    "// src/core/wasm/direct.generated.wat): do not edit. Regenerate with node scripts/gen-wasm.mjs.",
    "",
    `/** The direct kernels take 1 to this many sources. */`,
    `export const DIRECT_MAX_SOURCES = ${DIRECT_MAX_SOURCES};`,
    "",
    "/** Validates only where WebAssembly has multi-memory, shared memories and SIMD. */",
    `export const DIRECT_PROBE_BASE64 =\n${base64Lines(probe)};`,
    "",
    `/** [u32 count, u32 length × count, modules], ${bundled.length} bytes, gzip, base64: module k has k + 1 sources. */`,
    `${GZIP_MARK}\n${base64Lines(gzipSync(bundled, { level: 9 }))};`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The bundle inside a rendered direct module (decompressed), or undefined. */
function directPayload(text) {
  const at = text.indexOf(GZIP_MARK);
  if (at < 0) return undefined;
  const b64 = [...text.slice(at + GZIP_MARK.length).matchAll(/"([A-Za-z0-9+/=]*)"/g)].map((m) => m[1]).join("");
  try {
    return new Uint8Array(gunzipSync(Buffer.from(b64, "base64")));
  } catch {
    return undefined;
  }
}

const sameBytes = (a, b) => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** [{ path, text, same? }] of every generated file (`same`: how to compare with the file on disk). */
export async function renderAll() {
  const wat = renderWat();
  const bundled = await directBundle();
  const directText = renderDirectModule(bundled, await assemble(PROBE_WAT, DIRECT_FEATURES));
  const withoutPayload = (t) => t.slice(0, t.indexOf(GZIP_MARK));
  return [
    { path: WAT_PATH, text: wat },
    { path: MODULE_PATH, text: renderModule(await assemble(wat)) },
    { path: DIRECT_WAT_PATH, text: renderDirectWat(2) },
    {
      path: DIRECT_MODULE_PATH, text: directText,
      same: (have) => withoutPayload(have) === withoutPayload(directText) && sameBytes(directPayload(have), bundled),
    },
  ];
}

export const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** For scripts/check-generated.mjs: regenerates in memory, exits 1 naming each stale file. */
export async function checkGenerated(root = repoRoot) {
  let stale = 0;
  for (const { path, text, same } of await renderAll()) {
    const file = join(root, path);
    const have = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    if (have === text || (have !== undefined && same?.(have))) continue;
    stale++;
    const why = have === undefined ? "is missing" : "is stale (scripts/gen-wasm.mjs changed since it was generated)";
    console.error(`check-generated: ${path} ${why}: run node scripts/gen-wasm.mjs`);
  }
  if (stale > 0) process.exit(1);
  console.log(`check-generated: ${WAT_PATH}, ${MODULE_PATH}, ${DIRECT_WAT_PATH} and ${DIRECT_MODULE_PATH} are up to date`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(process.argv[2] ?? repoRoot);
  for (const { path, text } of await renderAll()) {
    writeFileSync(join(root, path), text);
    console.log(`gen-wasm: wrote ${path}`);
  }
}
