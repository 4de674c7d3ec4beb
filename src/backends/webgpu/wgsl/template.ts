import { OpError } from "../../../core/errors.ts";

const PLACEHOLDER = /\$\{([A-Z0-9_]+)\}/g;

/**
 * Fills every `${NAME}` of a WGSL template. Strict both ways: a placeholder without a value or a
 * value without a placeholder is a bug in the generator, and WGSL would report it far from here.
 */
export function fillTemplate(name: string, template: string, values: Readonly<Record<string, string>>): string {
  const used = new Set<string>();
  const out = template.replace(PLACEHOLDER, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new OpError(`WGSL template ${name}: no value for placeholder \${${key}}`);
    used.add(key);
    return v;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0) throw new OpError(`WGSL template ${name}: values without a placeholder: ${unused.join(", ")}`);
  return out;
}
