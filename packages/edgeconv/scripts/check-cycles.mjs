#!/usr/bin/env node
/**
 * Reports import cycles between the TypeScript files of one or more source folders (relative
 * imports only, type-only imports included: they still couple two files).
 *
 *   node packages/edgeconv/scripts/check-cycles.mjs [folder ...]   (default: packages/edgeconv/src)
 *
 * Exits with 1 if there is a cycle. Why a script of its own: madge is not installed offline here,
 * and issue 10 asks that the refactor leaves no import cycle (0.1 had kernel.ts <-> wasm.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const roots = process.argv.slice(2);
if (roots.length === 0) roots.push('packages/edgeconv/src');

/** Every .ts file under `dir`. */
function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [normalize(p)] : [];
  });
}

const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)['"]/g;

/** Files that `file` imports (relative specifiers resolved to `.ts` or `/index.ts`). */
function importsOf(file) {
  const deps = new Set();
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const p = normalize(join(dirname(file), m[1]));
    const hit = [`${p}.ts`, join(p, 'index.ts'), p].find((c) => c.endsWith('.ts') && existsSync(c));
    if (hit) deps.add(hit);
  }
  return deps;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph) {
  const index = new Map(), low = new Map(), onStack = new Set(), stack = [], found = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const comp = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
    if (comp.length > 1 || graph.get(v).has(v)) found.push(comp);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

let bad = 0;
for (const root of roots) {
  const graph = new Map(tsFiles(root).map((f) => [f, importsOf(f)]));
  const found = cycles(graph);
  console.log(`${root}: ${graph.size} files, ${found.length === 0 ? 'no import cycles' : `${found.length} cycle(s)`}`);
  for (const comp of found) console.log(`  cycle: ${comp.map((f) => relative(root, f)).sort().join(' <-> ')}`);
  bad += found.length;
}
process.exit(bad > 0 ? 1 : 0);
