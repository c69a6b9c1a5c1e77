// Which kernel modules the initrd must load, in load order. Debian's cloud kernel builds
// virtio (mmio, blk, net, console) as modules, so the root disk is reachable only after
// the initrd loads them; modules.dep (written by depmod in the image) says what each needs.

/** Module name as the kernel knows it: file name without `.ko`, dashes as underscores. */
export function moduleName(file: string): string {
  return file
    .replace(/^.*\//, '')
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replace(/-/g, '_');
}

/** modules.dep text → module name → { path, deps (paths) }. */
export function parseModulesDep(text: string): Map<string, { path: string; deps: string[] }> {
  const out = new Map<string, { path: string; deps: string[] }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const file = line.slice(0, colon).trim();
    const deps = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    out.set(moduleName(file), { path: file, deps });
  }
  return out;
}

/**
 * Module files to load, dependencies first, each once. Names not in modules.dep are
 * skipped when `builtin` lists them (compiled into the kernel) and are an error otherwise.
 */
export function loadOrder(dep: Map<string, { path: string; deps: string[] }>, wanted: string[], builtin: Set<string> = new Set()): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (name: string, from?: string): void => {
    const key = moduleName(name);
    if (done.has(key)) return;
    const entry = dep.get(key);
    if (!entry) {
      if (builtin.has(key)) return;
      throw new Error(`kernel module "${key}"${from ? ` (needed by ${from})` : ''} is not in modules.dep: expected a module of this kernel`);
    }
    if (visiting.has(key)) throw new Error(`kernel modules depend on each other in a loop at "${key}"`);
    visiting.add(key);
    for (const d of entry.deps) visit(d, key);
    visiting.delete(key);
    done.add(key);
    order.push(entry.path);
  };
  for (const w of wanted) visit(w);
  return order;
}

/** modules.builtin text (one path per line) → names. */
export function parseBuiltin(text: string): Set<string> {
  return new Set(text.split('\n').filter(Boolean).map(moduleName));
}
