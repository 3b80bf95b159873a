// The few Reflect metadata functions tsyringe (a dependency of @peculiar/x509) checks for and
// uses; installed only when no polyfill is already there. Import it before loading @peculiar/x509.
type Store = Map<string | symbol | undefined, Map<unknown, unknown>>;
const stores = new WeakMap<object, Store>();
const R = Reflect as unknown as Record<string, unknown>;

function own(target: object, key?: string | symbol, create = false): Map<unknown, unknown> | undefined {
  let s = stores.get(target);
  if (!s) { if (!create) return undefined; stores.set(target, s = new Map()); }
  let m = s.get(key);
  if (!m && create) s.set(key, m = new Map());
  return m;
}

if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = (k: unknown, v: unknown, target: object, key?: string | symbol) => { own(target, key, true)!.set(k, v); };
  R.getOwnMetadata = (k: unknown, target: object, key?: string | symbol) => own(target, key)?.get(k);
  R.hasOwnMetadata = (k: unknown, target: object, key?: string | symbol) => own(target, key)?.has(k) ?? false;
  R.getMetadata = (k: unknown, target: object, key?: string | symbol) => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      const m = own(t, key);
      if (m?.has(k)) return m.get(k);
    }
    return undefined;
  };
  R.hasMetadata = (k: unknown, target: object, key?: string | symbol) => (R.getMetadata as (...a: unknown[]) => unknown)(k, target, key) !== undefined;
  R.metadata = (k: unknown, v: unknown) => (target: object, key?: string | symbol) => { own(target, key, true)!.set(k, v); };
}
export {};
