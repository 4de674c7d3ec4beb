/** A function that calls one operator; its properties are the op's overloads. */
export type OpCaller = ((...args: unknown[]) => Promise<unknown>) & { readonly [overload: string]: OpCaller };

/** `rank.ops.<ns>.<name>(...)` and `rank.ops.<ns>.<name>.<overload>(...)`. */
export type OpsNamespace = { readonly [ns: string]: { readonly [name: string]: OpCaller } };

function caller(qualified: string, call: (name: string, args: unknown[]) => Promise<unknown>): OpCaller {
  const fn = (...args: unknown[]) => call(qualified, args);
  return new Proxy(fn, {
    get(target, prop) {
      if (typeof prop !== "string" || prop in target) return Reflect.get(target, prop);
      return caller(`${qualified}.${prop}`, call);
    },
  }) as OpCaller;
}

export function opsProxy(call: (name: string, args: unknown[]) => Promise<unknown>): OpsNamespace {
  return new Proxy({}, {
    get(_t, ns) {
      if (typeof ns !== "string") return undefined;
      return new Proxy({}, {
        get(_u, name) {
          return typeof name === "string" ? caller(`${ns}::${name}`, call) : undefined;
        },
      });
    },
  }) as OpsNamespace;
}
