/**
 * The signal pads, drawn live: for each group, one grid per destination rank (its pad), a row per
 * channel and a column per source rank; a cell is lit while its word is 1 (a putSignal not yet
 * consumed by the waitSignal) and keeps a faint mark once it has been seen lit in this run. The
 * words come from `world.signalPads()`, polled every animation frame while the world is busy.
 */
import { padWord, type PadGroupInfo, type SignalPadWords } from "../../src/index.ts";
import { el } from "../dom.ts";

/** User channels drawn (the library's collectives use channel 0; the slow-motion runs 0–3). */
export const SHOWN_USER_CHANNELS = 4;

interface Cell {
  readonly word: number;
  readonly el: HTMLElement;
  value: number;
}

export class PadView {
  readonly root = el("div", { className: "pad-groups" });
  private cells: Cell[] = [];
  private hiddenWords: number[] = [];
  private readonly hiddenNote = el("p", { className: "hint pad-hidden" });
  /** Most cells lit at once since the last `resetSeen`. */
  peakLit = 0;
  private key = "";

  /** Lays out the grids of `groups` (the world first; from a rank's heap snapshot, or the world alone). */
  layout(groups: readonly PadGroupInfo[]): void {
    // The same geometry keeps its cells (and their "seen" marks).
    const key = JSON.stringify(groups);
    if (key === this.key) return;
    this.key = key;
    this.current = undefined;
    this.cells = [];
    const shown = new Set<number>();
    const sections = groups.map((g) => {
      const channels = [
        ...Array.from({ length: Math.min(SHOWN_USER_CHANNELS, g.channels) }, (_, c) => [c, `ch ${c}`] as const),
        [g.channels, "rdv"] as const, // internal channel 0: rendezvous
        [g.channels + 1, "grp"] as const, // internal channel 1: group creation
      ];
      const pads = Array.from({ length: g.size }, (_, dst) => {
        const table = el("table", { className: "pad" });
        table.createCaption().textContent = `pad of rank ${g.ranks[dst]}`;
        const head = table.createTHead().insertRow();
        head.append(el("th", { textContent: "src →" }));
        for (let src = 0; src < g.size; src++) head.append(el("th", { textContent: String(g.ranks[src]) }));
        const body = table.createTBody();
        for (const [channel, name] of channels) {
          const row = body.insertRow();
          row.append(el("th", { textContent: name, title: channel >= g.channels ? "internal channel" : `user channel ${channel}` }));
          for (let src = 0; src < g.size; src++) {
            const word = padWord(g, dst, channel, src);
            const td = row.insertCell();
            td.className = "pad-cell";
            td.dataset.value = "0";
            td.dataset.group = g.name;
            td.dataset.dst = String(dst);
            td.dataset.src = String(src);
            td.dataset.channel = String(channel);
            td.title = `group "${g.name}": pad[${dst}][${g.size} × ${channel} + ${src}] (word ${word}): ` +
              `rank ${g.ranks[src]}'s signal to rank ${g.ranks[dst]} on ${name}`;
            this.cells.push({ word, el: td, value: 0 });
            shown.add(word);
          }
        }
        return table;
      });
      return el("div", { className: "pad-group" },
        el("h4", { textContent: `group "${g.name}" (ranks ${g.ranks.join(", ")}): ${g.words} words, ` +
          `${g.channels} user + ${g.internalChannels} internal channels` }),
        el("div", { className: "pads" }, ...pads));
    });
    const total = groups.reduce((s, g) => Math.max(s, g.padOffset + g.words), 0);
    this.hiddenWords = Array.from({ length: total }, (_, i) => i).filter((i) => !shown.has(i));
    this.root.replaceChildren(...sections, this.hiddenNote);
    this.hiddenNote.textContent = "";
  }

  private current: number | undefined;

  /** Outlines the cells of user channel `channel` (the current stage's), or none. */
  highlightChannel(channel: number | undefined): void {
    if (channel === this.current) return;
    this.current = channel;
    for (const c of this.cells) c.el.classList.toggle("current",
      c.el.dataset.channel === String(channel) && c.el.dataset.dst !== c.el.dataset.src);
  }

  /** Clears the "seen lit" marks and the peak count (at the start of a run). */
  resetSeen(): void {
    this.peakLit = 0;
    for (const c of this.cells) c.el.classList.remove("seen");
  }

  /** Draws the words (only cells whose value changed are touched); returns how many shown cells are lit. */
  update(pads: SignalPadWords): number {
    let lit = 0;
    for (const c of this.cells) {
      const v = pads.words[c.word] ?? 0;
      if (v !== 0) lit++;
      if (v === c.value) continue;
      c.value = v;
      c.el.dataset.value = String(v);
      c.el.classList.toggle("on", v !== 0);
      if (v !== 0) c.el.classList.add("seen");
    }
    this.peakLit = Math.max(this.peakLit, lit);
    const hidden = this.hiddenWords.filter((w) => (pads.words[w] ?? 0) !== 0).length;
    const text = hidden > 0 ? `${hidden} slot(s) up in channels not drawn here` : "";
    if (this.hiddenNote.textContent !== text) this.hiddenNote.textContent = text;
    return lit;
  }
}
